package emu.node.bridge;

import emu.link.LinkEndpoint;

/** One port of a learning bridge, with what it carried. */
public final class BridgePort {
  private final int index;
  private final String name;
  private final LinkEndpoint endpoint;
  private boolean up = true;
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
}
