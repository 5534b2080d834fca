package emu.node.ipv6;

import emu.node.stack.Nic;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Cidr;

/**
 * One IPv6 routing-table entry: packets for {@code prefix} leave through {@code nic}, to
 * {@code gateway} if it is not null (a router, usually by its link-local address), else straight
 * to their destination (on-link). {@code expiresAt} (nanoseconds of the node's clock,
 * {@link Long#MAX_VALUE} for never) bounds what a router advertisement taught.
 */
public record Ipv6Route(Ipv6Cidr prefix, Ipv6Address gateway, Nic nic, int metric, Kind kind, long expiresAt) {
  /** Where a route came from, printed as iproute2 prints its {@code proto}. */
  public enum Kind {
    /** The prefix of an address on the interface. */
    KERNEL,
    /** From the topology file. */
    STATIC,
    /** From a router advertisement: a default router, or an on-link prefix. */
    RA
  }

  public boolean isDefault() {
    return prefix.prefixLength() == 0;
  }

  /** The neighbour to resolve for {@code dst} over this route. */
  public Ipv6Address nextHop(Ipv6Address dst) {
    return gateway != null ? gateway : dst;
  }

  /** iproute2's shape, e.g. {@code default via fe80::ff:fe00:500 dev eth0 proto ra metric 1024}. */
  public String describe() {
    StringBuilder sb = new StringBuilder(isDefault() ? "default" : prefix.networkCidr().toString());
    if (gateway != null) {
      sb.append(" via ").append(gateway);
    }
    sb.append(" dev ").append(nic.name()).append(" proto ").append(kind.name().toLowerCase(java.util.Locale.ROOT));
    return sb.append(" metric ").append(metric).toString();
  }
}
