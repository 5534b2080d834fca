package emu.control.topology;

import emu.control.topology.YamlNode.Scalar;
import emu.link.wire.MacAddress;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Cidr;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Checks that span interfaces and nodes: overlapping subnets (IPv4) and prefixes (IPv6) on one
 * node, addresses and MACs used twice in the lab, gateways and next hops outside the node's
 * subnets, DNS servers the node has no way to ask, and UDP/TCP port pins that would collide on
 * one bind address.
 */
final class AddressPlan {
  private static final int ANY = 0;

  /** A pinned port, where it was written and what pinned it. */
  private record Pin(Integer bind, int port, String owner, Scalar at) {}

  private final Diagnostics diag;
  private final Draft.Lab lab;

  AddressPlan(Diagnostics diag, Draft.Lab lab) {
    this.diag = diag;
    this.lab = lab;
  }

  void run() {
    Map<Integer, Draft.Iface> addresses = new HashMap<>();
    Map<Ipv6Address, Scalar> addresses6 = new HashMap<>();
    Map<Scalar, Draft.Iface> owner6 = new HashMap<>();
    Map<Long, Draft.Iface> macs = new HashMap<>();
    List<Pin> pins = new ArrayList<>();
    for (Draft.Node node : lab.nodes.values()) {
      List<Draft.Iface> seen = new ArrayList<>();
      List<Scalar> seen6 = new ArrayList<>();
      Map<Scalar, Draft.Iface> ifaceOf6 = new HashMap<>();
      for (Draft.Iface i : node.ifaces) {
        for (int k = 0; k < i.addresses6.size(); k++) {
          Ipv6Cidr a = i.addresses6.get(k);
          Scalar at = i.addresses6At.get(k);
          ifaceOf6.put(at, i);
          owner6.put(at, i);
          overlaps6(a, at, i, seen6, ifaceOf6);
          seen6.add(at);
          Scalar first = addresses6.putIfAbsent(a.address(), at);
          if (first != null) {
            diag.error(at, "address " + a.address() + " of " + i.label() + " is already used by "
                + owner6.get(first).label() + " (line " + first.line() + ")");
          }
        }
        if (i.address != null) {
          overlaps(i, seen);
          seen.add(i);
          Draft.Iface first = addresses.putIfAbsent(i.address.address(), i);
          if (first != null) {
            diag.error(i.addressAt, "address " + Ipv4Address.format(i.address.address()) + " of " + i.label()
                + " is already used by " + first.label() + " (line " + first.addressAt.line() + ")");
          }
        }
        if (i.mac != null) {
          Draft.Iface first = macs.putIfAbsent(i.mac, i);
          if (first != null) {
            diag.error(i.macAt, "mac " + MacAddress.format(i.mac) + " of " + i.label() + " is already used by "
                + first.label() + " (line " + first.macAt.line() + ")");
          }
        }
        if (i.portAt != null) {
          pins.add(new Pin(node.bindAddress, i.portAt.integer().intValue(), "port of " + i.label(), i.portAt));
        }
      }
      if (node.mgmtPortAt != null) {
        pins.add(new Pin(node.bindAddress, node.mgmtPortAt.integer().intValue(), "mgmt-port of node " + node.name,
            node.mgmtPortAt));
      }
      if (node.hasIp() && node.addressesComplete) {
        nextHops(node);
        nextHops6(node);
        dnsServers(node);
      }
    }
    pins(pins);
  }

  /**
   * One node's IPv6 prefixes: the same prefix twice on one interface is fine (two addresses on a
   * link), on two interfaces, or nested, it is not (the on-link routes would fight).
   */
  private void overlaps6(Ipv6Cidr a, Scalar at, Draft.Iface i, List<Scalar> earlier, Map<Scalar, Draft.Iface> ifaceOf) {
    for (Scalar e : earlier) {
      Draft.Iface other = ifaceOf.get(e);
      Ipv6Cidr b = other.addresses6.get(other.addresses6At.indexOf(e));
      if (a.overlaps(b) && (other != i || a.prefixLength() != b.prefixLength())) {
        diag.error(at, "prefix " + a.networkCidr() + " of " + i.label() + " overlaps prefix " + b.networkCidr()
            + " of " + other.label() + " (line " + e.line() + "); " + (other == i
                ? "addresses of one interface share one prefix length"
                : "the interfaces of one node need separate prefixes"));
        return;
      }
    }
  }

  private void overlaps(Draft.Iface i, List<Draft.Iface> earlier) {
    for (Draft.Iface e : earlier) {
      if (i.address.overlaps(e.address)) {
        diag.error(i.addressAt, "subnet " + i.address.networkCidr() + " of " + i.label() + " overlaps subnet "
            + e.address.networkCidr() + " of " + e.label() + " (line " + e.addressAt.line()
            + "); the interfaces of one node need separate subnets");
        return;
      }
    }
  }

  private void nextHops(Draft.Node node) {
    if (node.gateway != null) {
      nextHop(node, "gateway " + Ipv4Address.format(node.gateway) + " of node " + node.name, node.gateway,
          node.gatewayAt);
    }
    for (Draft.Route r : node.routes) {
      if (r.via() != null) {
        String to = r.to() == null ? "" : " to " + r.to();
        nextHop(node, "route" + to + " via " + Ipv4Address.format(r.via()) + " of node " + node.name, r.via(),
            r.viaAt());
      }
    }
  }

  private void nextHops6(Draft.Node node) {
    if (node.gateway6 != null) {
      nextHop6(node, "gateway " + node.gateway6 + " of node " + node.name, node.gateway6, node.gateway6At);
    }
    for (Draft.Route6 r : node.routes6) {
      if (r.via() != null) {
        String to = r.to() == null ? "" : " to " + r.to();
        nextHop6(node, "route" + to + " via " + r.via() + " of node " + node.name, r.via(), r.viaAt());
      }
    }
  }

  /**
   * A link-local next hop must name an interface with IPv6 on; a global one must be inside a
   * static prefix of the node (an address learned by SLAAC is not known before the lab runs: reach
   * a router there by its link-local address, or take the default route its advertisements give).
   */
  private void nextHop6(Draft.Node node, String what, Draft.Hop6 hop, Scalar at) {
    if (hop.zone() != null) {
      Draft.Iface i = node.iface(hop.zone());
      if (i == null) {
        diag.error(at, what + " names interface " + hop.zone() + ", which node " + node.name + " does not have");
      } else if (!i.hasIpv6()) {
        diag.error(at, what + " is reached on " + i.label() + ", which has no IPv6: give it an IPv6 address or"
            + " 'ipv6: on'");
      }
      return;
    }
    List<Draft.Iface> withAddress = node.ifaces.stream().filter(i -> !i.addresses6.isEmpty()).toList();
    for (Draft.Iface i : withAddress) {
      for (Ipv6Cidr a : i.addresses6) {
        if (a.address().equals(hop.address())) {
          diag.error(at, what + " is the node's own address (" + i.label() + "); give a neighbour's address");
          return;
        }
      }
    }
    if (withAddress.stream().flatMap(i -> i.addresses6.stream()).noneMatch(a -> a.contains(hop.address()))) {
      String prefixes = withAddress.isEmpty() ? "it has no static IPv6 addresses"
          : "its prefixes are " + withAddress.stream().flatMap(i -> i.addresses6.stream())
              .map(a -> a.networkCidr().toString()).distinct().collect(Collectors.joining(", "));
      diag.error(at, what + " is not inside any connected IPv6 prefix of the node (" + prefixes + "); a router"
          + " is also reachable by its link-local address, like fe80::1%eth0");
    }
  }

  /** The resolver's servers and a forwarder's upstream: each must be reachable in its family. */
  private void dnsServers(Draft.Node node) {
    for (int k = 0; k < node.nameservers.size(); k++) {
      emu.node.dns.Nameserver ns = node.nameservers.get(k);
      dnsServer(node, "nameserver " + ns + " of node " + node.name, ns, node.nameserversAt.get(k));
    }
    if (node.dnsForward != null) {
      dnsServer(node, "dns forward " + node.dnsForward + " of node " + node.name, node.dnsForward,
          node.dnsForwardAt);
    }
  }

  /**
   * A link-local server must name an interface with IPv6 on (as a link-local next hop does); an
   * IPv6 server needs IPv6 on some interface, an IPv4 one an IPv4 address, or no query can go.
   */
  private void dnsServer(Draft.Node node, String what, emu.node.dns.Nameserver ns, Scalar at) {
    if (ns.zone() != null) {
      nextHop6(node, what, new Draft.Hop6(ns.address().v6(), ns.zone()), at);
    } else if (ns.isV6() && node.ifaces.stream().noneMatch(Draft.Iface::hasIpv6)) {
      diag.error(at, what + " is an IPv6 address, and the node has no IPv6: give an interface an IPv6 address"
          + " or 'ipv6: auto'");
    } else if (!ns.isV6() && node.ifaces.stream().noneMatch(i -> i.address != null || i.dhcpClientAt != null)) {
      // an address taken by DHCP asks as well as a static one
      diag.error(at, what + " is an IPv4 address, and the node has no IPv4 address to ask it from");
    }
  }

  private void nextHop(Draft.Node node, String what, int hop, Scalar at) {
    List<Draft.Iface> withAddress = node.ifaces.stream().filter(i -> i.address != null).toList();
    for (Draft.Iface i : withAddress) {
      if (i.address.address() == hop) {
        diag.error(at, what + " is the node's own address (" + i.label() + "); give a neighbour's address");
        return;
      }
    }
    if (withAddress.stream().noneMatch(i -> i.address.contains(hop))) {
      String subnets = withAddress.isEmpty() ? "it has no interface addresses"
          : "its subnets are " + withAddress.stream().map(i -> i.address.networkCidr().toString())
              .collect(Collectors.joining(", "));
      diag.error(at, what + " is not inside any connected subnet of the node (" + subnets + ")");
    }
  }

  private void pins(List<Pin> pins) {
    pins.sort(Comparator.comparingInt((Pin p) -> p.at().line()).thenComparingInt(p -> p.at().column()));
    for (int j = 0; j < pins.size(); j++) {
      Pin p = pins.get(j);
      if (p.bind() == null) {
        continue;
      }
      for (int k = 0; k < j; k++) {
        Pin q = pins.get(k);
        if (q.bind() != null && q.port() == p.port()
            && (q.bind().equals(p.bind()) || q.bind() == ANY || p.bind() == ANY)) {
          diag.error(p.at(), p.owner() + " pins " + Ipv4Address.format(p.bind()) + ":" + p.port()
              + ", already pinned by " + q.owner() + " (line " + q.at().line() + ")"
              + (q.bind().equals(p.bind()) ? "" : " on " + Ipv4Address.format(q.bind())));
          break;
        }
      }
    }
  }
}
