package emu.control.topology;

import emu.control.topology.YamlNode.Scalar;
import java.util.List;

/**
 * VLAN subinterfaces of hosts, routers and linux nodes, written as Linux names them:
 * {@code eth0.10: {address: 10.10.0.1/24}} is VLAN 10 on {@code eth0}'s link, its frames tagged
 * 802.1Q. The parent is declared on the same node and linked (links name it, never the
 * subinterface); it may have addresses of its own for untagged frames, or none. A subinterface has
 * its parent's MAC and MTU (as a Linux VLAN device), so it takes no {@code mac}, {@code mtu},
 * {@code port}, {@code peer} or {@code impairments} of its own: those belong to the parent's link.
 */
final class SubinterfaceBinder {
  /** What a subinterface must not set: its parent's link has them. */
  private static final List<String> PARENT_FIELDS = List.of("mac", "mtu", "port", "peer", "impairments");
  /** Why a switch has no subinterfaces (true with or without VLANs on its ports). */
  static final String SWITCH_VLANS = "a switch port takes VLANs as an access or trunk port (vlan:, trunk:), not as"
      + " subinterfaces";
  /** Why an external node has none. */
  static final String EXTERNAL_VLANS = "an external peer configures its own VLANs, not as emu subinterfaces";
  private final Diagnostics diag;

  SubinterfaceBinder(Diagnostics diag) {
    this.diag = diag;
  }

  /** The name's parent and VLAN number ({@code eth0}, {@code 10}): a VID is 1..4094. */
  void name(Draft.Iface i, String parent, String vid) {
    String what = "interface " + i.label() + ": a VLAN subinterface is PARENT.VLAN with VLAN 1..4094, like eth0.10";
    if (!vid.matches("[0-9]+")) {
      diag.error(i.at, what + "; '" + vid + "' is not a number");
      return;
    }
    if (vid.length() > 1 && vid.charAt(0) == '0') {
      String plain = parent + "." + vid.replaceFirst("^0+(?=.)", "");
      diag.error(i.at, what + "; write the VLAN without leading zeros, " + plain + " (as Linux names it)");
      return;
    }
    int n = vid.length() > 4 ? Integer.MAX_VALUE : Integer.parseInt(vid);
    if (n == 0) {
      diag.error(i.at, what + "; VLAN 0 is not a VLAN (802.1Q's priority tag: frames of no VLAN)");
    } else if (n == 4095) {
      diag.error(i.at, what + "; VLAN 4095 is reserved by 802.1Q");
    } else if (!Values.VID.matcher(vid).matches() || n > 4094) {
      diag.error(i.at, what + "; " + vid + " is above 4094 (a tag has 12 bits for it)");
    } else if (i.name.length() > Values.IFNAME_MAX) {
      diag.error(i.at, "interface " + i.label() + ": the name is longer than Linux's 15 characters");
    } else if (!i.node.isEmu() && !i.node.isLinux() || i.node.isSwitch()) {
      diag.error(i.at, "interface " + i.label() + ": only hosts, routers and linux nodes have VLAN subinterfaces ("
          + (i.node.isSwitch() ? SWITCH_VLANS : EXTERNAL_VLANS) + ")");
    } else {
      i.parent = parent;
      i.vid = n;
    }
  }

  /** Fields that belong to the parent's link. */
  void fields(Draft.Iface i, MapFields f) {
    for (String field : PARENT_FIELDS) {
      YamlNode.Entry e = f.entry(field);
      if (e != null) {
        diag.error(e.key(), field + " of " + i.label() + ": a VLAN subinterface shares " + i.parent + "'s link, MAC"
            + " and MTU (as on Linux); set " + field + " on " + i.parent);
      }
    }
  }

  /**
   * Once every interface of the node is read: each parent is there. (No VLAN can be taken twice: a
   * name without leading zeros is one per VLAN, and a mapping has each name once.)
   */
  void check(Draft.Node node) {
    for (Draft.Iface i : node.ifaces) {
      if (i.parent != null && node.iface(i.parent) == null) {
        diag.error(i.at, "interface " + i.label() + " is a VLAN subinterface of " + i.parent + ", which node "
            + node.name + " does not have; declare " + i.parent + " (it may have no address of its own) and link it");
      }
    }
  }

  /** Where a subinterface's parent is not linked, or a link names a subinterface. */
  static void checkLinks(Draft.Lab lab, Diagnostics diag) {
    for (Draft.Node node : lab.nodes.values()) {
      for (Draft.Iface i : node.ifaces) {
        Draft.Iface parent = i.parent == null ? null : node.iface(i.parent);
        if (parent != null && !parent.linked) {
          diag.error(i.at, "interface " + i.label() + " is a VLAN subinterface of " + parent.label() + ", which no"
              + " link names; its tagged frames cross " + parent.label() + "'s link: add a link with endpoint \""
              + parent.label() + "\"");
        }
      }
    }
  }

  /** The error for a link endpoint that names a subinterface, or null. */
  static String endpointError(Draft.Iface i, Scalar at) {
    if (i.parent == null) {
      return null;
    }
    return "link endpoint '" + at.text().strip() + "' is a VLAN subinterface; a link names its parent, \""
        + i.node.name + ":" + i.parent + "\", whose link carries the VLAN's tagged frames";
  }
}
