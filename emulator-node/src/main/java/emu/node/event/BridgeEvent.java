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

    R vlanDropped(VlanDropped e);

    R stpRoot(StpRoot e);

    R stpPort(StpPort e);

    R stpEdgeLost(StpEdgeLost e);

    R stpLegacy(StpLegacy e);

    R stpTopologyChange(StpTopologyChange e);

    R stpAged(StpAged e);

    R stpDropped(StpDropped e);
  }

  /**
   * A frame switched from port {@code in} to port {@code out}, where its destination MAC was learned.
   * On a VLAN-aware switch {@code vlan} is its VLAN and {@code taggedIn}/{@code taggedOut} say
   * whether it arrived and left with the 802.1Q tag (the switch added or removed it when they
   * differ); all three null on a switch without VLANs. {@code priorityTagged}: true if the tag it
   * arrived with was a priority tag (VID 0), which the switch set to {@code vlan} (left tagged) or
   * removed (left untagged); else null.
   */
  @JsonTypeName("bridge.forward")
  record Forwarded(String in, String out, String srcMac, String dstMac, Integer vlan, Boolean taggedIn,
                   Boolean priorityTagged, Boolean taggedOut) implements BridgeEvent {
    /** On a switch without VLANs. */
    public Forwarded(String in, String out, String srcMac, String dstMac) {
      this(in, out, srcMac, dstMac, null, null, null, null);
    }

    /** On a VLAN-aware switch, a frame that came untagged or with its VLAN's tag. */
    public Forwarded(String in, String out, String srcMac, String dstMac, Integer vlan, Boolean taggedIn,
                     Boolean taggedOut) {
      this(in, out, srcMac, dstMac, vlan, taggedIn, null, taggedOut);
    }

    /** True if the frame came with a priority tag (VID 0). */
    public boolean fromPriorityTag() {
      return Boolean.TRUE.equals(priorityTagged);
    }

    /** True if the switch added the tag as the frame left. */
    public boolean tagAdded() {
      return Boolean.FALSE.equals(taggedIn) && Boolean.TRUE.equals(taggedOut);
    }

    /** True if the switch removed the tag as the frame left. */
    public boolean tagRemoved() {
      return Boolean.TRUE.equals(taggedIn) && Boolean.FALSE.equals(taggedOut);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.forwarded(this);
    }
  }

  /**
   * {@code mac} is behind {@code port}; {@code moved}: it was behind another port before; {@code
   * vlan}: in that VLAN (a VLAN-aware switch learns per VLAN), null on a switch without VLANs.
   */
  @JsonTypeName("bridge.learn")
  record Learned(String mac, String port, boolean moved, Integer vlan) implements BridgeEvent {
    /** On a switch without VLANs. */
    public Learned(String mac, String port, boolean moved) {
      this(mac, port, moved, null);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.learned(this);
    }
  }

  /**
   * A frame sent out of every other port that is up ({@code out}): its destination is broadcast,
   * multicast, or a MAC not learned yet. On a VLAN-aware switch, {@code out} is the forwarding ports
   * of VLAN {@code vlan}, {@code taggedIn} whether the frame came with the 802.1Q tag and {@code
   * taggedOut} the ports it left with the tag; all three null on a switch without VLANs. {@code
   * priorityTagged} as for {@link Forwarded}.
   */
  @JsonTypeName("bridge.flood")
  record Flooded(String in, List<String> out, String srcMac, String dstMac, Integer vlan, Boolean taggedIn,
                 Boolean priorityTagged, List<String> taggedOut) implements BridgeEvent {
    /** On a switch without VLANs. */
    public Flooded(String in, List<String> out, String srcMac, String dstMac) {
      this(in, out, srcMac, dstMac, null, null, null, null);
    }

    /** On a VLAN-aware switch, a frame that came untagged or with its VLAN's tag. */
    public Flooded(String in, List<String> out, String srcMac, String dstMac, Integer vlan, Boolean taggedIn,
                   List<String> taggedOut) {
      this(in, out, srcMac, dstMac, vlan, taggedIn, null, taggedOut);
    }

    /** True if the frame came with a priority tag (VID 0). */
    public boolean fromPriorityTag() {
      return Boolean.TRUE.equals(priorityTagged);
    }

    /**
     * True if the switch added or removed the tag on some port it flooded the frame to, or set a
     * priority tag's VID.
     */
    public boolean tagChanged() {
      return vlan != null && taggedOut != null
          && (fromPriorityTag() && !out.isEmpty()
              || out.stream().anyMatch(p -> taggedOut.contains(p) != Boolean.TRUE.equals(taggedIn)));
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.flooded(this);
    }
  }

  /**
   * A VLAN-aware switch refused a frame arriving on {@code port} for {@code reason}
   * (tagged-on-access, double-tagged, priority-tagged, reserved-vid, not-allowed, untagged-on-trunk,
   * truncated-tag); {@code vlan}: the VID of its tag, null for an untagged or truncated frame.
   */
  @JsonTypeName("bridge.vlan_drop")
  record VlanDropped(String port, String reason, Integer vlan) implements BridgeEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.vlanDropped(this);
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
