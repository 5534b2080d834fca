package emu.node.stack;

import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import java.util.List;

/**
 * One routing-table entry: packets for {@code prefix} leave through {@code nic}, to
 * {@code gateway} if it is not 0, else straight to their destination (a connected route).
 *
 * <p>A route a routing protocol found several equal-cost paths for (ECMP) carries them in
 * {@code multipath} (each a route to the same prefix with its own gateway and interface; the
 * route's own {@code gateway} and {@code nic} are the first path's): {@link #path} picks one per
 * flow, as Linux does with {@code fib_multipath_hash_policy} 0 (a hash of the source and
 * destination addresses, so a flow's packets stay on one path and are not reordered).
 *
 * @param multipath the equal-cost paths, two or more, or null for a single path
 */
public record Route(Ipv4Cidr prefix, int gateway, Nic nic, int metric, Kind kind, List<Route> multipath) {
  /** Where a route came from; printed the way iproute2 prints its {@code proto}. */
  public enum Kind { CONNECTED, STATIC, OSPF }

  /** A single-path route. */
  public Route(Ipv4Cidr prefix, int gateway, Nic nic, int metric, Kind kind) {
    this(prefix, gateway, nic, metric, kind, null);
  }

  public Route {
    if (multipath != null) {
      if (multipath.size() < 2) {
        throw new IllegalArgumentException("a multipath route has two paths or more, not " + multipath.size());
      }
      multipath = List.copyOf(multipath);
    }
  }

  /**
   * A route over equal-cost {@code paths} (each a single-path route to {@code prefix}); one path
   * gives that path itself.
   */
  public static Route equalCost(Ipv4Cidr prefix, int metric, Kind kind, List<Route> paths) {
    if (paths.size() == 1) {
      Route p = paths.get(0);
      return new Route(prefix, p.gateway(), p.nic(), metric, kind);
    }
    Route first = paths.get(0);
    return new Route(prefix, first.gateway(), first.nic(), metric, kind, paths);
  }

  public boolean isDefault() {
    return prefix.prefixLength() == 0;
  }

  /** The address to ARP for when sending to {@code dst} over this route. */
  public int nextHop(int dst) {
    return gateway != 0 ? gateway : dst;
  }

  /**
   * The path a packet from {@code src} to {@code dst} takes: this route, or for a multipath one
   * the path the flow's hash picks (Linux's layer-3 policy: source and destination address).
   * Allocates nothing.
   */
  public Route path(int src, int dst) {
    if (multipath == null) {
      return this;
    }
    int h = src * 0x9E3779B1 + dst;
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    return multipath.get((h & 0x7FFF_FFFF) % multipath.size());
  }

  /** True if this route, or one of its paths, leaves through {@code n}. */
  public boolean uses(Nic n) {
    if (nic == n) {
      return true;
    }
    if (multipath != null) {
      for (Route p : multipath) {
        if (p.nic() == n) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * iproute2's shape, e.g. {@code default via 192.168.1.1 dev eth0}; a multipath route as
   * {@code ip route} prints one, a {@code nexthop} line per path.
   */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append(isDefault() ? "default" : prefix.networkCidr().toString());
    if (multipath == null) {
      if (gateway != 0) {
        sb.append(" via ").append(Ipv4Address.format(gateway));
      }
      sb.append(" dev ").append(nic.name());
    }
    if (kind == Kind.CONNECTED) {
      sb.append(" proto kernel scope link src ").append(Ipv4Address.format(nic.ip()));
    } else if (kind == Kind.OSPF) {
      sb.append(" proto ospf");
    }
    if (metric != 0) {
      sb.append(" metric ").append(metric);
    }
    if (multipath != null) {
      for (Route p : multipath) {
        sb.append(" \n\tnexthop");
        if (p.gateway() != 0) {
          sb.append(" via ").append(Ipv4Address.format(p.gateway()));
        }
        sb.append(" dev ").append(p.nic().name()).append(" weight 1");
      }
    }
    return sb.toString();
  }
}
