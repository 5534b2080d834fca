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
      } else if (a != null && b != null && !a.addresses6.isEmpty() && !b.addresses6.isEmpty()
          && a.addresses6.stream().noneMatch(x -> b.addresses6.stream().anyMatch(y -> y.overlaps(x)))) {
        // Not fatal: the link-local addresses still reach each other, as routing protocols use them.
        diag.warn(link.at, "linked interfaces " + a.label() + " (" + a.addresses6.get(0).networkCidr() + ") and "
            + b.label() + " (" + b.addresses6.get(0).networkCidr() + ") share no IPv6 prefix, so they reach each"
            + " other only by link-local address");
      }
    }
    framing();
    for (Draft.Node node : lab.nodes.values()) {
      if (!node.hasIp()) {
        continue;
      }
      for (Draft.Iface i : node.ifaces) {
        if (!i.linked && i.parent == null) {
          diag.warn(i.at, "interface " + i.label() + " is declared but not linked; add a link with endpoint \""
              + i.label() + "\" or remove it");
        }
      }
    }
    SubinterfaceBinder.checkLinks(lab, diag);
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
    String subinterface = iface == null ? null : SubinterfaceBinder.endpointError(iface, at);
    if (subinterface != null) {
      diag.error(at, subinterface);
      return null;
    }
    if (iface == null && ep.iface().indexOf('.') > 0 && (node.isSwitch() || node.isExternal())) {
      // refused before a switch port of that name is made: the switch would only fail at start
      String port = ep.iface().substring(0, ep.iface().lastIndexOf('.'));
      diag.error(at, "link endpoint '" + ep + "': " + (node.isSwitch() ? SubinterfaceBinder.SWITCH_VLANS
          : SubinterfaceBinder.EXTERNAL_VLANS) + "; name the " + (node.isSwitch() ? "port" : "interface") + ", \""
          + node.name + ":" + port + "\"");
      return null;
    } else if (iface == null && node.isSwitch()) {
      iface = new Draft.Iface(node, ep.iface(), at, true);
      node.ifaces.add(iface);
    } else if (iface == null && ep.iface().indexOf('.') > 0) {
      String parent = ep.iface().substring(0, ep.iface().lastIndexOf('.'));
      diag.error(at, "link endpoint '" + ep + "' names a VLAN subinterface, which rides its parent's link; a link"
          + " names the parent, \"" + node.name + ":" + parent + "\"");
      return null;
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

  /**
   * Links to a linux node speak VXLAN (its end is a Linux VXLAN device); every other link is raw
   * unless it says vxlan. At least one end of a link must be an emu node. VXLAN links get a VNI
   * each: the one the file gives (no two alike), else the next free one from 1001.
   */
  private void framing() {
    java.util.Map<Integer, Draft.Link> vnis = new java.util.HashMap<>();
    for (Draft.Link link : lab.links) {
      Draft.Node a = link.aIface == null ? null : link.aIface.node;
      Draft.Node b = link.bIface == null ? null : link.bIface.node;
      boolean linux = a != null && a.isLinux() || b != null && b.isLinux();
      if (a != null && b != null && !a.isEmu() && !b.isEmu()) {
        diag.error(link.at, "link " + link.a + " -- " + link.b + " joins two " + a.kind + "/" + b.kind + " nodes;"
            + " one end of every link must be an emu node (host, router or switch)");
      }
      if (linux && "raw".equals(link.framing)) {
        diag.error(link.framingAt, "link " + link.a + " -- " + link.b + " reaches a linux node, whose end is a"
            + " Linux VXLAN device: its framing must be vxlan");
      }
      if (link.framing == null) {
        link.framing = linux ? "vxlan" : "raw";
      }
      for (Draft.Iface end : new Draft.Iface[] {link.aIface, link.bIface}) {
        if (linux && end != null && end.node.isEmu() && end.portAt != null) {
          diag.error(end.portAt, "port of " + end.node.name + ":" + end.name + ": the emu end of a link to a linux"
              + " node listens on its own underlay address at the VXLAN port 4789; remove the port");
        }
      }
      if (link.vni != null) {
        if (!"vxlan".equals(link.framing)) {
          diag.error(link.vniAt, "vni is only for vxlan links (add 'framing: vxlan' or remove the vni)");
        }
        Draft.Link other = vnis.putIfAbsent(link.vni, link);
        if (other != null) {
          diag.error(link.vniAt, "VNI " + link.vni + " is already used by the link at line " + other.at.line()
              + "; each VXLAN link needs its own");
        }
      }
    }
    int next = 1001;
    for (Draft.Link link : lab.links) {
      if ("vxlan".equals(link.framing) && link.vni == null) {
        while (vnis.containsKey(next)) {
          next++;
        }
        link.vni = next;
        vnis.put(next, link);
      }
    }
  }
}
