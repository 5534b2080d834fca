package emu.node.apps.diag;

import emu.link.wire.MacAddress;
import emu.node.ipv6.Ipv6Interface;
import emu.node.ipv6.Ipv6InterfaceAddress;
import emu.node.ipv6.Ipv6Layer;
import emu.node.ipv6.Ipv6PathMtu;
import emu.node.ipv6.Ipv6Route;
import emu.node.shell.CommandIo;
import emu.node.stack.NeighborCache;
import emu.node.stack.Nic;
import emu.node.wire.Ipv6Address;

/** The IPv6 lines of {@code ip}: {@code inet6} addresses, {@code ip -6 route [get]}, {@code ip -6 neigh}. */
final class Ip6Lines {
  private final Ipv6Layer ipv6;

  Ip6Lines(Ipv6Layer ipv6) {
    this.ipv6 = ipv6;
  }

  /** True if IPv6 is on {@code nic}. */
  boolean has(Nic nic) {
    return ipv6.interfaceOf(nic) != null;
  }

  /**
   * The {@code inet6} lines of {@code nic}, as Linux lists them: global addresses (newest first)
   * before the link-local one, flags for where each is in its life (tentative while duplicate
   * address detection runs, dadfailed, deprecated; dynamic with lifetimes for SLAAC ones).
   */
  void addresses(Nic nic, CommandIo io) {
    Ipv6Interface iface = ipv6.interfaceOf(nic);
    if (iface == null) {
      return;
    }
    long now = ipv6.stack().time().nanos();
    var list = iface.addresses();
    for (int i = list.size() - 1; i >= 0; i--) {
      if (list.get(i).origin() != Ipv6InterfaceAddress.Origin.LINK_LOCAL) {
        address(list.get(i), now, io);
      }
    }
    for (Ipv6InterfaceAddress a : list) {
      if (a.origin() == Ipv6InterfaceAddress.Origin.LINK_LOCAL) {
        address(a, now, io);
      }
    }
  }

  private static void address(Ipv6InterfaceAddress a, long now, CommandIo io) {
    boolean slaac = a.origin() == Ipv6InterfaceAddress.Origin.SLAAC;
    StringBuilder sb = new StringBuilder("    inet6 ").append(a.cidr()).append(" scope ")
        .append(a.origin() == Ipv6InterfaceAddress.Origin.LINK_LOCAL ? "link" : "global");
    switch (a.state()) {
      case DEPRECATED -> sb.append(" deprecated");
      case TENTATIVE -> sb.append(" tentative");
      case DUPLICATE -> sb.append(" dadfailed tentative");
      default -> { }
    }
    if (slaac) {
      sb.append(" dynamic mngtmpaddr");
    }
    io.out(sb.append(' ').toString());
    io.out("       valid_lft " + lifetime(a.validUntil(), now) + " preferred_lft " + lifetime(a.preferredUntil(), now));
  }

  static String lifetime(long until, long now) {
    return until == Long.MAX_VALUE ? "forever" : Math.max(0, (until - now) / 1_000_000_000L) + "sec";
  }

  /** {@code ip -6 route}. */
  void routes(CommandIo io) {
    long now = ipv6.stack().time().nanos();
    for (Ipv6Route r : ipv6.routes().routes()) {
      if (r.expiresAt() > now) {
        io.out(r.describe(now) + " ");
      }
    }
  }

  /** {@code ip -6 neigh}: one line per entry, as for IPv4. */
  void neighbors(CommandIo io) {
    for (Ipv6Interface iface : ipv6.interfaces()) {
      for (NeighborCache.Entry e : iface.neighbors().entries()) {
        io.out(new Ipv6Address(e.hi(), e.lo()) + " dev " + iface.nic().name()
            + (e.mac() >= 0 && e.state().usable() ? " lladdr " + MacAddress.format(e.mac()) + " " : "  ")
            + (e.router() ? "router " : "") + e.state().name());
      }
    }
  }

  /** {@code ip -6 route get DST}: the route, and the source address the node would use. */
  void routeGet(Ipv6Address dst, CommandIo io) {
    long now = ipv6.stack().time().nanos();
    for (Ipv6Interface iface : ipv6.interfaces()) {
      Ipv6InterfaceAddress mine = iface.find(dst);
      if (mine != null) {
        io.out("local " + dst + " dev lo table local proto kernel src " + dst + " metric 0 pref medium");
        io.exit(0);
        return;
      }
    }
    Ipv6Route r = ipv6.routes().lookup(dst, now);
    Ipv6Interface out = r == null ? null : ipv6.interfaceOf(r.nic());
    if (out == null) {
      io.out("RTNETLINK answers: Network is unreachable");
      io.exit(2);
      return;
    }
    Ipv6InterfaceAddress src = ipv6.sourceFor(dst, out);
    // a path MTU learnt from a packet too big shows as Linux shows its cached route: when it
    // expires, and the MTU
    Ipv6PathMtu.Entry pmtu = ipv6.pathMtuCache().lookup(dst, now);
    io.out(dst + " from ::" + (r.gateway() != null ? " via " + r.gateway() : "") + " dev " + r.nic().name()
        + (r.kind() == Ipv6Route.Kind.STATIC ? "" : " proto " + r.kind().word)
        + (src != null ? " src " + src.cidr().address() : "") + " metric " + r.metric()
        + (pmtu != null && pmtu.mtu() < out.mtu() ? " expires " + (pmtu.expiresAt() - now) / 1_000_000_000L
        + "sec mtu " + pmtu.mtu() : "") + " pref medium");
    io.exit(0);
  }
}
