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
  /** The interface this one is a VLAN subinterface of, or null. */
  private Nic parent;
  /** The 802.1Q VLAN of a subinterface (1..4094), 0 for an ordinary interface. */
  private int vid;
  private boolean up = true;
  /** IPv4 multicast groups joined on this interface (a handful at most: a linear scan). */
  private int[] groups = new int[0];
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

  /** The interface a VLAN subinterface sits on ({@code eth0} of {@code eth0.10}), or null. */
  public Nic parent() {
    return parent;
  }

  /** The VLAN a subinterface tags its frames with (1..4094), 0 for an interface that is none. */
  public int vid() {
    return vid;
  }

  void vlanOf(Nic lower, int id) {
    this.parent = lower;
    this.vid = id;
  }

  public LinkEndpoint endpoint() {
    return endpoint;
  }

  public NeighborCache neighbors() {
    return neighbors;
  }

  /** True if the interface has joined multicast {@code group} (its packets are taken in). */
  public boolean joined(int group) {
    for (int g : groups) {
      if (g == group) {
        return true;
      }
    }
    return false;
  }

  /** The multicast groups joined, in the order they were. */
  public int[] groups() {
    return groups.clone();
  }

  void join(int group) {
    if (!joined(group)) {
      groups = java.util.Arrays.copyOf(groups, groups.length + 1);
      groups[groups.length - 1] = group;
    }
  }

  void leave(int group) {
    int[] kept = new int[groups.length];
    int n = 0;
    for (int g : groups) {
      if (g != group) {
        kept[n++] = g;
      }
    }
    groups = java.util.Arrays.copyOf(kept, n);
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
