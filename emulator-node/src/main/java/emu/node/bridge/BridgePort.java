package emu.node.bridge;

import emu.link.LinkEndpoint;

/** One port of a learning bridge, with what it carried and whether spanning tree lets it learn and forward. */
public final class BridgePort {
  private final int index;
  private final String name;
  private final LinkEndpoint endpoint;
  private boolean up = true;
  private boolean learning = true;
  private boolean forwarding = true;
  /** The port's VLANs on a VLAN-aware switch, else null. */
  private PortVlans vlans;
  /** The port's storm control, or null: nothing policed. */
  private StormControl storm;
  public long rxFrames;
  public long rxBytes;
  public long rxDropped;
  public long txFrames;
  public long txBytes;

  BridgePort(int index, String name, LinkEndpoint endpoint) {
    this.index = index;
    this.name = name;
    this.endpoint = endpoint;
  }

  public int index() {
    return index;
  }

  public String name() {
    return name;
  }

  public LinkEndpoint endpoint() {
    return endpoint;
  }

  public int mtu() {
    return endpoint.mtu();
  }

  /** False while the port's link is down: nothing enters or leaves through it. */
  public boolean isUp() {
    return up;
  }

  public void setUp(boolean up) {
    this.up = up;
  }

  /** False while spanning tree has the port discarding: it learns no source address. */
  public boolean isLearning() {
    return learning;
  }

  /** True when the port is up and spanning tree (if any) lets it forward. */
  public boolean isForwarding() {
    return up && forwarding;
  }

  /** The port's VLAN membership, or null on a switch that is not VLAN-aware. */
  public PortVlans vlans() {
    return vlans;
  }

  void vlans(PortVlans v) {
    this.vlans = v;
  }

  /** Set by spanning tree on every state change; a bridge without it leaves both true. */
  public void setStpState(boolean learning, boolean forwarding) {
    this.learning = learning;
    this.forwarding = forwarding;
  }

  /** The port's storm control, or null if it polices nothing. */
  public StormControl storm() {
    return storm;
  }

  /** Polices what comes in on this port with {@code control} (null: nothing). */
  public void storm(StormControl control) {
    this.storm = control;
  }
}
