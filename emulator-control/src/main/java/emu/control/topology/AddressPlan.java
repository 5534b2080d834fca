package emu.control.topology;

import emu.control.topology.YamlNode.Scalar;
import emu.link.wire.MacAddress;
import emu.node.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Checks that span interfaces and nodes: overlapping subnets on one node, addresses and MACs used
 * twice in the lab, gateways and next hops outside the node's subnets, and UDP/TCP port pins that
 * would collide on one bind address.
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
    Map<Long, Draft.Iface> macs = new HashMap<>();
    List<Pin> pins = new ArrayList<>();
    for (Draft.Node node : lab.nodes.values()) {
      List<Draft.Iface> seen = new ArrayList<>();
      for (Draft.Iface i : node.ifaces) {
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
      }
    }
    pins(pins);
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
