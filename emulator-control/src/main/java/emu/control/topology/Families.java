package emu.control.topology;

import emu.node.wire.Ipv6Address;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code --family 4|6}: a dual-stack lab cut down to one address family, for a learner who wants
 * the classic IPv4 story, or an IPv6-only network. Every address, gateway, route and hosts entry
 * of the other family goes; a linux or emu node then runs exactly as a single-stack one written
 * that way would (with {@code --family 4} no IPv6 at all, not even link-local addresses).
 *
 * <p>A DNS server is named by one address in the file (a node's {@code nameserver}, a
 * forwarder's upstream), written in one family. When that family goes, the server is not lost:
 * the address is replaced by the address of the other family on the same interface of the same
 * node (the corporate resolver that forwards to 192.168.5.53 forwards to 2001:db8:5::53 with
 * {@code --family 6}), and only an address no interface holds in the kept family is dropped,
 * with a warning.
 */
public final class Families {
  private Families() {}

  /** {@code t} with only {@code family}'s addresses (4 or 6). */
  public static Topology only(Topology t, int family) {
    if (family != 4 && family != 6) {
      throw new IllegalArgumentException("--family takes 4 or 6, not " + family);
    }
    boolean v6 = family == 6;
    List<String> warnings = new ArrayList<>(t.warnings());
    List<NodeSpec> nodes = new ArrayList<>();
    for (NodeSpec n : t.nodes()) {
      List<IfaceSpec> ifaces = new ArrayList<>();
      for (IfaceSpec i : n.interfaces()) {
        ifaces.add(new IfaceSpec(i.name(), v6 ? null : i.address(), i.mac(), i.port(), i.mtu(), i.impairments(),
            i.peer(), v6 ? i.addresses6() : List.of(), v6 ? i.ipv6() : null));
      }
      List<RouteSpec> routes = n.routes().stream().filter(r -> r.ipv6() == v6).toList();
      Set<String> nameservers = new LinkedHashSet<>();
      for (String ns : n.nameservers()) {
        String kept = counterpart(t, ns, v6);
        if (kept != null) {
          nameservers.add(kept);
        } else {
          warnings.add(n.name() + ": nameserver " + ns + " left out by --family " + family
              + " (no interface holds it with an IPv" + family + " address)");
        }
      }
      String forward = n.dnsForward() == null ? null : counterpart(t, n.dnsForward(), v6);
      if (n.dnsForward() != null && forward == null) {
        warnings.add(n.name() + ": DNS forwarder upstream " + n.dnsForward() + " left out by --family " + family
            + " (no interface holds it with an IPv" + family + " address)");
      }
      boolean addressed = ifaces.stream().anyMatch(i -> v6 ? i.hasIpv6() : i.address() != null);
      if (!n.isSwitch() && !n.isExternal() && !addressed) {
        warnings.add(n.name() + ": no IPv" + family + " address is left on it by --family " + family);
      }
      nodes.add(new NodeSpec(n.name(), n.kind(), ifaces, v6 ? null : n.gateway(), routes, v6 ? null : n.hosts(),
          n.bind(), n.mgmtPort(), n.line(), n.tcp(), n.services(), List.copyOf(nameservers), n.dnsZones(), forward,
          n.https(), n.host(), v6 ? n.gateway6() : null, v6 ? n.hosts6() : null));
    }
    return new Topology(t.file(), t.name(), nodes, t.links(), t.scenario(), warnings, t.faults(), t.hosts());
  }

  /**
   * {@code address} if it is of the kept family; else the kept family's address of the interface
   * that holds it (its first static one), or null.
   */
  static String counterpart(Topology t, String address, boolean v6) {
    boolean isV6 = address.indexOf(':') >= 0;
    if (isV6 == v6) {
      return address;
    }
    for (NodeSpec n : t.nodes()) {
      for (IfaceSpec i : n.interfaces()) {
        boolean holds = isV6 ? i.addresses6().stream().anyMatch(a -> sameV6(bare(a), address))
            : i.address() != null && bare(i.address()).equals(address);
        if (holds) {
          if (v6) {
            return i.addresses6().isEmpty() ? null : bare(i.addresses6().get(0));
          }
          return i.address() == null ? null : bare(i.address());
        }
      }
    }
    return null;
  }

  /** The same IPv6 address however written (a zone, as in fe80::53%eth0, is not compared). */
  private static boolean sameV6(String a, String b) {
    try {
      return Ipv6Address.parse(a.split("%")[0]).equals(Ipv6Address.parse(b.split("%")[0]));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String bare(String cidr) {
    int slash = cidr.indexOf('/');
    return slash < 0 ? cidr : cidr.substring(0, slash);
  }
}
