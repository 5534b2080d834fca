package emu.node.stack;

import emu.link.LinkEndpoint;
import emu.link.wire.MacAddress;
import emu.node.wire.Ipv4Cidr;

/**
 * A network interface: a MAC, at most one IPv4 address with its prefix (fixed, or a DHCP lease's), an MTU, and the link
 * endpoint it sends through. Counts what the stack handed it and what it handed the stack.
 */
public final class Nic {
  private final int index;
  private final String name;
  private final long mac;
  private Ipv4Cidr address;
  private final LinkEndpoint endpoint;
  private final NeighborCache neighbors;
  private boolean up = true;
  public long rxFrames;
  public long rxBytes;
  public long rxDropped;
  public long txFrames;
  public long txBytes;
  public long txDropped;

  Nic(int index, String name, long mac, Ipv4Cidr address, LinkEndpoint endpoint, NeighborCache neighbors) {
    this.index = index;
    this.name = name;
    this.mac = mac;
    this.address = address;
    this.endpoint = endpoint;
    this.neighbors = neighbors;
  }

  /** 1-based like the kernel's ifindex (1 would be lo, which emu nodes do not have). */
  public int index() {
    return index;
  }

  public String name() {
    return name;
  }

  public long mac() {
    return mac;
  }

  /** The interface's address, or null if it has none. */
  public Ipv4Cidr address() {
    return address;
  }

  /** A DHCP client's lease comes and goes: see {@link NetworkStack#setAddress}. */
  void setAddress(Ipv4Cidr address) {
    this.address = address;
  }

  /** The interface's address as an int, 0 if none. */
  public int ip() {
    return address == null ? 0 : address.address();
  }

  public int mtu() {
    return endpoint.mtu();
  }

  public LinkEndpoint endpoint() {
    return endpoint;
  }

  public NeighborCache neighbors() {
    return neighbors;
  }

  public boolean isUp() {
    return up;
  }

  public void setUp(boolean up) {
    this.up = up;
  }

  @Override
  public String toString() {
    return name + " " + MacAddress.format(mac) + (address == null ? "" : " " + address);
  }
}
