package emu.control.topology;

import emu.node.wire.Ipv6Address;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

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
 * with a warning. Whatever else is left out is said in a warning too: an interface left without
 * an address, a DNS server a node has no address of the family to ask from, a scenario step that
 * names the other family (an address, or {@code -4}/{@code -6}), and real systems outside emu
 * ({@code kind: external}), which the switch cannot change.
 */
public final class Families {
  private Families() {}

  private static final Pattern IPV4 = Pattern.compile("(?<![\\w.:])\\d{1,3}(\\.\\d{1,3}){3}(?![\\w.])");
  private static final Pattern IPV6 = Pattern.compile("(?i)(?<![\\w:])[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}(?![\\w:])");

  /** {@code t} with only {@code family}'s addresses (4 or 6). */
  public static Topology only(Topology t, int family) {
    if (family != 4 && family != 6) {
      throw new IllegalArgumentException("--family takes 4 or 6, not " + family);
    }
    boolean v6 = family == 6;
    String by = " by --family " + family;
    List<String> warnings = new ArrayList<>(t.warnings());
    List<NodeSpec> nodes = new ArrayList<>();
    for (NodeSpec n : t.nodes()) {
      if (n.isExternal()) {
        warnings.add(n.name() + ": a real system outside emu speaks whatever it is set up to speak; --family "
            + family + " does not change it");
      }
      List<IfaceSpec> ifaces = new ArrayList<>();
      for (IfaceSpec i : n.interfaces()) {
        IfaceSpec kept = new IfaceSpec(i.name(), v6 ? null : i.address(), i.mac(), i.port(), i.mtu(),
            i.impairments(), i.peer(), v6 ? i.addresses6() : List.of(), v6 ? i.ipv6() : null, v6 ? null : i.dhcp(),
            !v6 && i.dhcpClient(), v6 ? null : i.nat());
        boolean had = i.address() != null || i.dhcpClient() || i.hasIpv6();
        if (had && !has(kept, v6) && !n.isSwitch() && !n.isExternal()) {
          warnings.add(n.name() + ":" + i.name() + ": no IPv" + family + " address is left on it" + by);
        }
        ifaces.add(kept);
      }
      boolean addressed = ifaces.stream().anyMatch(i -> has(i, v6));
      List<RouteSpec> routes = n.routes().stream().filter(r -> r.ipv6() == v6).toList();
      Set<String> nameservers = new LinkedHashSet<>();
      for (String ns : n.nameservers()) {
        // a linux node's namespace keeps 127.0.0.1 on lo whatever the family
        String kept = n.isLinux() && ns.startsWith("127.") ? ns : counterpart(t, ns, v6);
        if (kept == null) {
          warnings.add(n.name() + ": nameserver " + ns + " left out" + by + " (no interface holds it with an IPv"
              + family + " address)");
        } else if (!addressed && !kept.startsWith("127.")) {
          warnings.add(n.name() + ": nameserver " + kept + " left out" + by + " (the node has no IPv" + family
              + " address to ask it from)");
        } else {
          nameservers.add(kept);
        }
      }
      String forward = n.dnsForward() == null ? null : counterpart(t, n.dnsForward(), v6);
      if (n.dnsForward() != null && (forward == null || !addressed)) {
        warnings.add(n.name() + ": DNS forwarder upstream " + n.dnsForward() + " left out" + by + (forward == null
            ? " (no interface holds it with an IPv" + family + " address)" : " (the node has no IPv" + family
            + " address to ask it from)"));
        forward = null;
      }
      nodes.add(new NodeSpec(n.name(), n.kind(), ifaces, v6 ? null : n.gateway(), routes, v6 ? null : n.hosts(),
          n.bind(), n.mgmtPort(), n.line(), n.tcp(), n.services(), List.copyOf(nameservers), n.dnsZones(), forward,
          n.https(), n.host(), v6 ? n.gateway6() : null, v6 ? n.hosts6() : null, v6 ? null : n.ospf(),
          n.macTableSize(), n.stp(), n.vlans(), n.storm()));
      if (v6 && n.ospf() != null) {
        // OSPFv2 carries IPv4 only (OSPFv3, RFC 5340, is not in emu): the router keeps its static routes
        warnings.add(n.name() + ": OSPF left out" + by + " (OSPFv2 routes IPv4 only)");
      }
    }
    Pattern dropped = v6 ? IPV4 : IPV6;
    for (ScenarioStep step : t.scenario()) {
      boolean flag = (" " + step.command() + " ").contains(v6 ? " -4 " : " -6 ");
      if (flag || dropped.matcher(step.command()).find()) {
        warnings.add("scenario step at line " + step.line() + " (" + step.node() + ": " + step.command()
            + ") names IPv" + (v6 ? 4 : 6) + ", which --family " + family + " leaves out: it will fail");
      }
    }
    return new Topology(t.file(), t.name(), nodes, t.links(), t.scenario(), warnings, t.faults(), t.hosts());
  }

  /** True if {@code i} has an address of the family, an IPv4 one by DHCP counting. */
  private static boolean has(IfaceSpec i, boolean v6) {
    return v6 ? i.hasIpv6() : i.address() != null || i.dhcpClient();
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
