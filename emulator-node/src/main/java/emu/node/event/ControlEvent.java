package emu.node.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;
import java.util.Map;

/**
 * What the control plane did to a running lab: faults injected by a user, the API or the
 * topology's fault plan. Reported under the node name {@code control}. Endpoints are
 * {@code NODE:IF}; links {@code NODE:IF--NODE:IF}.
 */
public sealed interface ControlEvent extends TraceEvent {
  <R> R accept(Visitor<R> v);

  @Override
  default <R> R accept(TraceEvent.Visitor<R> v) {
    return v.control(this);
  }

  interface Visitor<R> {
    R impairmentSet(ImpairmentSet e);

    R impairmentCleared(ImpairmentCleared e);

    R linkState(LinkState e);

    R partitioned(Partitioned e);

    R healed(Healed e);

    R reset(Reset e);

    R node(NodeAction e);

    R planStarted(PlanStarted e);

    R faultDue(FaultDue e);

    R faultFailed(FaultFailed e);
  }

  /** What was done to a node process. */
  enum Action {
    /** SIGKILL: the process dies abruptly. */
    KILL,
    /** A new process with the same configuration is being started. */
    RESTART,
    /** The restarted process is up ({@code pid}). */
    BACK,
    /** SIGSTOP: the process is frozen. */
    PAUSE,
    /** SIGCONT: the process runs again. */
    RESUME
  }

  /** The parameters {@code set} changed on {@code endpoint}'s egress; {@code now} is all that is in force. */
  @JsonTypeName("control.impair")
  record ImpairmentSet(String endpoint, Map<String, String> set, Map<String, String> now) implements ControlEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.impairmentSet(this);
    }
  }

  /** Every impairment of {@code endpoint}'s egress removed. */
  @JsonTypeName("control.clear")
  record ImpairmentCleared(String endpoint) implements ControlEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.impairmentCleared(this);
    }
  }

  /** A link taken down (both ends lose carrier) or brought up. */
  @JsonTypeName("control.link")
  record LinkState(String link, boolean up) implements ControlEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.linkState(this);
    }
  }

  /** {@code nodes} cut off from the rest: {@code links} went down. */
  @JsonTypeName("control.partition")
  record Partitioned(List<String> nodes, List<String> links) implements ControlEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.partitioned(this);
    }
  }

  /** The partition of {@code nodes} (empty: there was none) ended: {@code links} came back up. */
  @JsonTypeName("control.heal")
  record Healed(List<String> nodes, List<String> links) implements ControlEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.healed(this);
    }
  }

  /** Toxiproxy's reset: every impairment cleared, every link up, no partition. */
  @JsonTypeName("control.reset")
  record Reset() implements ControlEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.reset(this);
    }
  }

  /**
   * {@code action} done to node {@code target} ({@code pid}: the new process, for
   * {@link Action#BACK}; else 0). Not {@code node}: every line's {@code node} is who reported it.
   */
  @JsonTypeName("control.node")
  record NodeAction(String target, Action action, long pid) implements ControlEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.node(this);
    }
  }

  /** The topology's fault plan started: {@code faults} timed faults. */
  @JsonTypeName("control.plan")
  record PlanStarted(int faults) implements ControlEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.planStarted(this);
    }
  }

  /** A fault of the plan is due: {@code fault} as written on {@code line} of the file, due {@code atNanos} after the start. */
  @JsonTypeName("control.fault")
  record FaultDue(long atNanos, String fault, int line) implements ControlEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.faultDue(this);
    }
  }

  /** A fault of the plan could not be applied; {@code error} is the control API's message. */
  @JsonTypeName("control.fault_failed")
  record FaultFailed(String fault, int line, String error) implements ControlEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.faultFailed(this);
    }
  }
}
