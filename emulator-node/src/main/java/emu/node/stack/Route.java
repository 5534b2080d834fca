package emu.node.stack;

import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;

/**
 * One routing-table entry: packets for {@code prefix} leave through {@code nic}, to
 * {@code gateway} if it is not 0, else straight to their destination (a connected route).
 */
public record Route(Ipv4Cidr prefix, int gateway, Nic nic, int metric, Kind kind) {
  /** Where a route came from; printed the way iproute2 prints its {@code proto}. */
  public enum Kind { CONNECTED, STATIC }

  public boolean isDefault() {
    return prefix.prefixLength() == 0;
  }

  /** The address to ARP for when sending to {@code dst} over this route. */
  public int nextHop(int dst) {
    return gateway != 0 ? gateway : dst;
  }

  /** iproute2's shape, e.g. {@code default via 192.168.1.1 dev eth0}. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append(isDefault() ? "default" : prefix.networkCidr().toString());
    if (gateway != 0) {
      sb.append(" via ").append(Ipv4Address.format(gateway));
    }
    sb.append(" dev ").append(nic.name());
    if (kind == Kind.CONNECTED) {
      sb.append(" proto kernel scope link src ").append(Ipv4Address.format(nic.ip()));
    }
    if (metric != 0) {
      sb.append(" metric ").append(metric);
    }
    return sb.toString();
  }
}
