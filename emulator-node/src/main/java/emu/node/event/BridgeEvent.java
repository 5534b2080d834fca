package emu.node.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/** A switch: a learning bridge (IEEE 802.1D). */
public sealed interface BridgeEvent extends TraceEvent {
  <R> R accept(Visitor<R> v);

  @Override
  default <R> R accept(TraceEvent.Visitor<R> v) {
    return v.bridge(this);
  }

  interface Visitor<R> {
    R forwarded(Forwarded e);

    R learned(Learned e);

    R flooded(Flooded e);

    R stpRoot(StpRoot e);

    R stpPort(StpPort e);

    R stpEdgeLost(StpEdgeLost e);

    R stpLegacy(StpLegacy e);

    R stpTopologyChange(StpTopologyChange e);

    R stpAged(StpAged e);

    R stpDropped(StpDropped e);
  }

  /** A frame switched from port {@code in} to port {@code out}, where its destination MAC was learned. */
  @JsonTypeName("bridge.forward")
  record Forwarded(String in, String out, String srcMac, String dstMac) implements BridgeEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.forwarded(this);
    }
  }

  /** {@code mac} is behind {@code port}; {@code moved}: it was behind another port before. */
  @JsonTypeName("bridge.learn")
  record Learned(String mac, String port, boolean moved) implements BridgeEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.learned(this);
    }
  }

  /**
   * A frame sent out of every other port that is up ({@code out}): its destination is broadcast,
   * multicast, or a MAC not learned yet.
   */
  @JsonTypeName("bridge.flood")
  record Flooded(String in, List<String> out, String srcMac, String dstMac) implements BridgeEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.flooded(this);
    }
  }

  /**
   * Spanning tree (IEEE 802.1D-2004 clause 17): the switch takes {@code root} (priority.MAC) as
   * root bridge, through {@code rootPort} at {@code cost}; {@code rootPort} null: it is the root.
   * {@code rootName} is the lab's name of that switch: a node leaves it null, and the control
   * plane fills it in as it merges the nodes' events (it knows every switch's bridge address);
   * null if the root is none of the lab's switches (a Linux bridge in a linux node).
   */
  @JsonTypeName("stp.root")
  record StpRoot(String root, String rootPort, long cost, String rootName) implements BridgeEvent {
    /** An event without the root's name. */
    public StpRoot(String root, String rootPort, long cost) {
      this(root, rootPort, cost, null);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.stpRoot(this);
    }
  }

  /**
   * A port's spanning-tree role (root, designated, alternate, backup, disabled) or state
   * (discarding, learning, forwarding) changed.
   *
   * @param root the root bridge (priority.MAC) the switch takes at that moment, or null if not known
   * @param rootName the lab's name of that root bridge, or null if not known (as in {@link StpRoot})
   * @param wasRole the role before, or null (the port's first event, or one written before this field)
   * @param wasState the state before, or null as {@code wasRole}
   */
  @JsonTypeName("stp.port")
  record StpPort(String port, String role, String state, String root, String rootName, String wasRole,
                 String wasState) implements BridgeEvent {
    /** An event with the new role and state only. */
    public StpPort(String port, String role, String state) {
      this(port, role, state, null, null, null, null);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.stpPort(this);
    }
  }

  /** A BPDU arrived on an edge port: a switch is behind it, so it is an edge port no more. */
  @JsonTypeName("stp.edge_lost")
  record StpEdgeLost(String port) implements BridgeEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.stpEdgeLost(this);
    }
  }

  /** The neighbour on {@code port} speaks 802.1D-1998 STP only: the port falls back to it. */
  @JsonTypeName("stp.legacy")
  record StpLegacy(String port) implements BridgeEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.stpLegacy(this);
    }
  }

  /**
   * A topology change: {@code detected} here as {@code port} started forwarding, or notified by a
   * BPDU received on {@code port}; MACs learned on the other ports are flushed.
   */
  @JsonTypeName("stp.tc")
  record StpTopologyChange(String port, boolean detected) implements BridgeEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.stpTopologyChange(this);
    }
  }

  /** What {@code port} last heard from its neighbour aged out (3 hellos missed, or max age). */
  @JsonTypeName("stp.aged")
  record StpAged(String port) implements BridgeEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.stpAged(this);
    }
  }

  /** A BPDU dropped for {@code reason} (truncated, not LLC, bad protocol id, bad type, bad message age). */
  @JsonTypeName("stp.drop")
  record StpDropped(String port, String reason) implements BridgeEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.stpDropped(this);
    }
  }
}
