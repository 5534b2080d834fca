package emu.control.topology;

import emu.control.topology.YamlNode.Scalar;
import java.util.HashMap;
import java.util.Map;

/**
 * Ties link endpoints to declared nodes and interfaces: undefined names, reused endpoints,
 * self-links; creates switch ports that links name; warns about unlinked interfaces and about
 * directly linked interfaces in different subnets.
 */
final class LinkResolver {
  private final Diagnostics diag;
  private final Draft.Lab lab;
  private final Map<String, Draft.Link> endpointUsers = new HashMap<>();

  LinkResolver(Diagnostics diag, Draft.Lab lab) {
    this.diag = diag;
    this.lab = lab;
  }

  void run() {
    for (Draft.Link link : lab.links) {
      Draft.Iface a = resolve(link, link.a, link.aAt);
      Draft.Iface b = resolve(link, link.b, link.bAt);
      link.aIface = a;
      link.bIface = b;
      if (link.a != null && link.b != null && link.a.node().equals(link.b.node())) {
        diag.error(link.at, "link connects node " + link.a.node() + " to itself (" + link.a + " and " + link.b
            + "); a link joins two different nodes");
      } else if (a != null && b != null && a.address != null && b.address != null
          && !a.address.networkCidr().equals(b.address.networkCidr())) {
        diag.warn(link.at, "linked interfaces " + a.label() + " (" + a.address.networkCidr() + ") and " + b.label()
            + " (" + b.address.networkCidr() + ") are in different subnets, so they cannot reach each other");
      }
    }
    for (Draft.Node node : lab.nodes.values()) {
      if (!node.hasIp()) {
        continue;
      }
      for (Draft.Iface i : node.ifaces) {
        if (!i.linked) {
          diag.warn(i.at, "interface " + i.label() + " is declared but not linked; add a link with endpoint \""
              + i.label() + "\" or remove it");
        }
      }
    }
  }

  /** The interface an endpoint names (a switch port is created on first use), or null. */
  private Draft.Iface resolve(Draft.Link link, LinkSpec.Endpoint ep, Scalar at) {
    if (ep == null) {
      return null;
    }
    Draft.Link first = endpointUsers.putIfAbsent(ep.toString(), link);
    if (first != null && first != link) {
      diag.error(at, "link endpoint '" + ep + "' is already used by the link at line " + first.at.line()
          + "; an interface takes one link (put a switch in between to join more)");
    }
    Draft.Node node = lab.nodes.get(ep.node());
    if (node == null) {
      diag.error(at, "link endpoint '" + ep + "': no node named " + ep.node()
          + MapFields.didYouMean(ep.node(), lab.nodes.keySet()));
      return null;
    }
    Draft.Iface iface = node.iface(ep.iface());
    if (iface == null && node.isSwitch()) {
      iface = new Draft.Iface(node, ep.iface(), at, true);
      node.ifaces.add(iface);
    } else if (iface == null) {
      if (node.hasIp()) {
        diag.error(at, "link endpoint '" + ep + "': " + node.name + " has no interface " + ep.iface()
            + "; declare it under topology.nodes." + node.name + ".interfaces with an address, such as '"
            + ep.iface() + ": {address: 192.168.1.10/24}'");
      }
      return null;
    }
    iface.linked = true;
    if (iface.link == null) {
      iface.link = link;
    }
    return iface;
  }
}
