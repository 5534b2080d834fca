package emu.node.ipv6;

import emu.node.stack.Nic;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Cidr;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The IPv6 routing table: longest-prefix match, then the lowest metric; entries learned from
 * router advertisements lapse at their lifetime. A node has a handful of routes, so a list kept
 * sorted by prefix length (longest first) and metric is searched in order; the first that matches
 * and has not lapsed wins. (A router with a full table would want a trie, as IPv4's RouteTable.)
 */
public final class Ipv6Routes {
  private final List<Ipv6Route> routes = new ArrayList<>();

  /** Adds a route; one for the same prefix, gateway and interface replaces the old one. */
  public void add(Ipv6Route r) {
    routes.removeIf(o -> o.prefix().equals(r.prefix()) && java.util.Objects.equals(o.gateway(), r.gateway())
        && o.nic() == r.nic());
    int i = 0;
    while (i < routes.size() && before(routes.get(i), r)) {
      i++;
    }
    routes.add(i, r);
  }

  private static boolean before(Ipv6Route a, Ipv6Route b) {
    if (a.prefix().prefixLength() != b.prefix().prefixLength()) {
      return a.prefix().prefixLength() > b.prefix().prefixLength();
    }
    return a.metric() <= b.metric();
  }

  /** Removes the routes that {@code which} selects; true if there were any. */
  public boolean removeIf(java.util.function.Predicate<Ipv6Route> which) {
    return routes.removeIf(which);
  }

  /** The best route for {@code dst} at {@code now}, over interfaces that are up, or null. */
  public Ipv6Route lookup(long dstHi, long dstLo, long now) {
    for (int i = 0; i < routes.size(); i++) {
      Ipv6Route r = routes.get(i);
      Ipv6Address p = r.prefix().address();
      int len = r.prefix().prefixLength();
      if (((dstHi ^ p.hi()) & Ipv6Address.maskHi(len)) == 0 && ((dstLo ^ p.lo()) & Ipv6Address.maskLo(len)) == 0
          && r.expiresAt() > now && r.nic().isUp()) {
        return r;
      }
    }
    return null;
  }

  public Ipv6Route lookup(Ipv6Address dst, long now) {
    return lookup(dst.hi(), dst.lo(), now);
  }

  /** The connected (on-link) route of {@code nic} whose prefix holds {@code a}, or null. */
  public Ipv6Route onLink(Nic nic, Ipv6Address a, long now) {
    for (Ipv6Route r : routes) {
      if (r.nic() == nic && r.gateway() == null && r.prefix().contains(a) && r.expiresAt() > now) {
        return r;
      }
    }
    return null;
  }

  /** Drops routes whose lifetime has passed. */
  public void expire(long now) {
    routes.removeIf(r -> r.expiresAt() <= now);
  }

  /** Every route, best first, for {@code ip -6 route}. */
  public List<Ipv6Route> routes() {
    return Collections.unmodifiableList(routes);
  }

  /** True if a route for exactly {@code prefix} through {@code nic} exists. */
  public boolean has(Ipv6Cidr prefix, Nic nic) {
    return routes.stream().anyMatch(r -> r.prefix().equals(prefix) && r.nic() == nic);
  }
}
