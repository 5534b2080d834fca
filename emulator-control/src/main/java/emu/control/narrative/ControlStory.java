package emu.control.narrative;

import emu.node.event.AppEvent;
import emu.node.event.ControlEvent;
import emu.node.event.TraceMeta;
import java.util.Locale;

/** The words for what applications asked for, what the control plane did, and the trace itself. */
final class ControlStory implements AppEvent.Visitor<String>, ControlEvent.Visitor<String>, TraceMeta.Visitor<String> {

  @Override
  public String ping(AppEvent.Ping e) {
    return "ping: application asks the stack to send " + e.count() + " ICMP echo request(s) to " + e.target() + " ("
        + e.dst() + ")";
  }

  @Override
  public String connectAttempt(AppEvent.ConnectAttempt e) {
    String to = (e.address().indexOf(':') >= 0 ? "[" + e.address() + "]" : e.address()) + ":" + e.port();
    return switch (e.reason()) {
      case FIRST -> "connects to " + e.target() + ": tries " + to + " first" + (e.of() > 1 ? " (1 of " + e.of()
          + " addresses)" : "");
      case DELAY -> "no answer yet after the connection attempt delay: also tries " + to + " (Happy Eyeballs, RFC"
          + " 8305; the first attempt goes on)";
      case PREVIOUS_FAILED -> "the previous attempt failed: tries " + to + " (" + e.index() + " of " + e.of() + ")";
    };
  }

  @Override
  public String connectWon(AppEvent.ConnectWon e) {
    String to = e.address().indexOf(':') >= 0 ? "[" + e.address() + "]:" + e.port() : e.address() + ":" + e.port();
    return "connected to " + e.target() + " at " + to + (e.abandoned() > 0 ? "; gives up the " + e.abandoned()
        + " other attempt" + (e.abandoned() == 1 ? "" : "s") : "");
  }

  @Override
  public String impairmentSet(ControlEvent.ImpairmentSet e) {
    return "set " + e.endpoint() + " " + Words.netem(e.set()) + " (now in force: " + Words.netem(e.now()) + ")";
  }

  @Override
  public String impairmentCleared(ControlEvent.ImpairmentCleared e) {
    return "clear " + e.endpoint() + ": no impairment in force";
  }

  @Override
  public String linkState(ControlEvent.LinkState e) {
    return "link " + e.link().replace("--", " -- ") + (e.up() ? " up" : " down (both ends lose carrier)");
  }

  @Override
  public String partitioned(ControlEvent.Partitioned e) {
    return "partition: " + e.nodes() + " cut off from the rest (links down: " + String.join(", ", e.links()) + ")";
  }

  @Override
  public String healed(ControlEvent.Healed e) {
    return e.nodes().isEmpty() ? "heal: no partition was in force"
        : "heal: partition of " + e.nodes() + " ended (links up: " + String.join(", ", e.links()) + ")";
  }

  @Override
  public String reset(ControlEvent.Reset e) {
    return "reset: every impairment cleared, every link up";
  }

  @Override
  public String node(ControlEvent.NodeAction e) {
    return switch (e.action()) {
      case KILL -> "kill " + e.target() + ": the process dies abruptly (SIGKILL)";
      case RESTART -> "restart " + e.target() + ": a new process with the same configuration";
      case BACK -> e.target() + " is back (pid " + e.pid() + ")";
      case PAUSE -> "pause " + e.target() + ": the process is frozen (SIGSTOP)";
      case RESUME -> "resume " + e.target() + ": the process runs again (SIGCONT)";
    };
  }

  @Override
  public String planStarted(ControlEvent.PlanStarted e) {
    return "fault plan started: " + e.faults() + " timed faults";
  }

  @Override
  public String faultDue(ControlEvent.FaultDue e) {
    return "at " + String.format(Locale.ROOT, "%.3fs", e.atNanos() / 1e9) + ": "
        + e.fault().replaceFirst("^at\\s+\\S+\\s+", "");
  }

  @Override
  public String faultFailed(ControlEvent.FaultFailed e) {
    return "fault '" + e.fault() + "' (line " + e.line() + ") failed: " + e.error();
  }

  @Override
  public String truncated(TraceMeta.Truncated e) {
    return "trace budget of " + e.budget() + " events reached; later events are not recorded"
        + " (EMU_TRACE_BUDGET raises it)";
  }

}
