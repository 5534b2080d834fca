package emu.control.topology;

/**
 * A static route of a host or router, checked against the node's subnets.
 *
 * @param to destination prefix (a.b.c.d/n or an IPv6 prefix); "default" in the file is normalised
 *     to 0.0.0.0/0 or ::/0 by the family of {@code via}
 * @param via next-hop address inside one of the node's subnets; a link-local IPv6 one carries its
 *     interface as ip and ping write it (fe80::1%eth0)
 */
public record RouteSpec(String to, String via, int metric) {
  /** True for an IPv6 route. */
  public boolean ipv6() {
    return via.indexOf(':') >= 0;
  }

  /** The next hop's address without its interface. */
  public String viaAddress() {
    int pct = via.indexOf('%');
    return pct < 0 ? via : via.substring(0, pct);
  }

  /** The interface a link-local next hop is reached on, or null. */
  public String viaZone() {
    int pct = via.indexOf('%');
    return pct < 0 ? null : via.substring(pct + 1);
  }
}
