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
    KERNEL("kernel"),
    /** From the topology file: iproute2's {@code proto boot}, what {@code ip route add} gives. */
    STATIC("boot"),
    /** From a router advertisement: a default router, or an on-link prefix. */
    RA("ra");

    /** The word iproute2 prints after {@code proto}. */
    public final String word;

    Kind(String word) {
      this.word = word;
    }
  }

  public boolean isDefault() {
    return prefix.prefixLength() == 0;
  }

  /** The neighbour to resolve for {@code dst} over this route. */
  public Ipv6Address nextHop(Ipv6Address dst) {
    return gateway != null ? gateway : dst;
  }

  /**
   * iproute2's shape at {@code now}, e.g. {@code default via fe80::ff:fe00:500 dev eth0 proto ra
   * metric 1024 expires 1795sec pref medium} (every route has medium preference: emu's routers
   * advertise no other).
   */
  public String describe(long now) {
    StringBuilder sb = new StringBuilder(isDefault() ? "default" : prefix.networkCidr().toString());
    if (gateway != null) {
      sb.append(" via ").append(gateway);
    }
    sb.append(" dev ").append(nic.name());
    if (kind != Kind.STATIC) {
      sb.append(" proto ").append(kind.word); // iproute2 leaves out "proto boot"
    }
    sb.append(" metric ").append(metric);
    if (expiresAt != Long.MAX_VALUE) {
      sb.append(" expires ").append(Math.max(0, (expiresAt - now) / 1_000_000_000L)).append("sec");
    }
    return sb.append(" pref medium").toString();
  }
}
