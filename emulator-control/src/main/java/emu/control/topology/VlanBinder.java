package emu.control.topology;

import emu.control.topology.YamlNode.Entry;
import emu.control.topology.YamlNode.Scalar;
import emu.control.topology.YamlNode.ScalarType;
import emu.control.topology.YamlNode.Sequence;
import emu.node.config.VlanPort;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a switch port's VLANs (IEEE 802.1Q) from its entry under the switch's {@code interfaces:}:
 * {@code vlan: 10} (an access port, untagged) or {@code trunk: [10, 20-29]} with an optional
 * {@code native: 1} (tagged, the native VLAN untagged). A VLAN is 1..4094: 0 marks a
 * priority-tagged frame and 4095 is reserved (802.1Q table 9-2). Ports named this way must be
 * linked ({@link #checkPorts}). A switch none of whose ports names a VLAN is not VLAN-aware.
 */
final class VlanBinder {
  private static final Pattern RANGE = Pattern.compile("(\\d{1,5})\\s*-\\s*(\\d{1,5})");
  private static final String TRUNK_EXAMPLE = ", like [10, 20] or [10, 20-29]";

  private final Diagnostics diag;

  VlanBinder(Diagnostics diag) {
    this.diag = diag;
  }

  void bind(Draft.Node node, Draft.Iface i, MapFields f) {
    Entry vlan = f.entry("vlan");
    Entry trunk = f.entry("trunk");
    Entry nat = f.entry("native");
    if (vlan == null && trunk == null && nat == null) {
      return;
    }
    String label = i.label();
    if (!node.isSwitch()) {
      Entry first = vlan != null ? vlan : trunk != null ? trunk : nat;
      diag.error(first.key(), "'" + first.name() + "' of " + label + ": only a switch port has VLANs (access"
          + " 'vlan:' or 'trunk:'); node " + node.name + " is a " + node.kind);
      return;
    }
    if (vlan != null && trunk != null) {
      diag.error(trunk.key(), "switch port " + label + " has both 'vlan' (line " + vlan.key().line() + ", an access"
          + " port) and 'trunk': a port is one or the other");
      return;
    }
    if (nat != null && trunk == null) {
      diag.error(nat.key(), "'native' of switch port " + label + " needs 'trunk': the native VLAN is the one a trunk"
          + " carries untagged (an access port's VLAN is 'vlan:')");
      return;
    }
    if (vlan != null) {
      Integer vid = vid(vlan.value(), "vlan of switch port " + label);
      if (vid != null) {
        i.vlan = VlanPort.access(vid);
        i.vlanAt = vlan.key();
      }
      return;
    }
    Integer nativeVid = nat == null ? null : vid(nat.value(), "native VLAN of switch port " + label);
    TreeSet<Integer> vids = trunk(trunk, "trunk of switch port " + label);
    if (vids != null && (nat == null || nativeVid != null)) {
      i.vlan = VlanPort.trunk(vids.stream().toList(), nativeVid);
      i.vlanAt = trunk.key();
    }
  }

  /** The VLANs of 'trunk:', ranges expanded; null if something is wrong (reported). */
  private TreeSet<Integer> trunk(Entry e, String what) {
    TreeSet<Integer> vids = new TreeSet<>();
    List<YamlNode> items;
    if (e.value() instanceof Scalar s && !s.isNull()) {
      items = List.of(s); // one VLAN or one range: 'trunk: 10', 'trunk: 20-29'
    } else if (e.value() instanceof Sequence seq) {
      items = seq.items();
    } else {
      diag.error(e.value(), what + " must be a list of VLANs" + TRUNK_EXAMPLE + ", not " + e.value().describe());
      return null;
    }
    if (items.isEmpty()) {
      diag.error(e.key(), what + " lists no VLAN" + TRUNK_EXAMPLE);
      return null;
    }
    boolean ok = true;
    for (YamlNode item : items) {
      Matcher m = item instanceof Scalar s && s.type() == ScalarType.STRING ? RANGE.matcher(s.text().trim()) : null;
      if (m != null && m.matches()) {
        int lo = Integer.parseInt(m.group(1));
        int hi = Integer.parseInt(m.group(2));
        if (!inRange(lo, item, what) || !inRange(hi, item, what)) {
          ok = false;
        } else if (lo > hi) {
          diag.error(item, what + ": range " + ((Scalar) item).text() + " runs backwards; write it low-high");
          ok = false;
        } else {
          for (int v = lo; v <= hi; v++) {
            vids.add(v);
          }
        }
        continue;
      }
      if (!(item instanceof Scalar s) || s.type() != ScalarType.INTEGER) {
        String comma = item instanceof Scalar s && s.text().contains(",") ? " (a list is written in brackets)" : "";
        diag.error(item, what + " takes VLAN ids 1..4094 and ranges low-high, one or a list" + TRUNK_EXAMPLE + comma
            + ", not " + item.describe());
        ok = false;
        continue;
      }
      Integer v = vid(item, what);
      if (v == null) {
        ok = false;
      } else {
        vids.add(v);
      }
    }
    return ok ? vids : null;
  }

  /** A VLAN number 1..4094, or null (reported, with why 0 and 4095 are not). */
  private Integer vid(YamlNode value, String what) {
    if (!(value instanceof Scalar s) || s.type() != ScalarType.INTEGER) {
      diag.error(value, what + " must be an integer VLAN id in 1..4094, not " + value.describe());
      return null;
    }
    if (s.integer().bitLength() > 31 || !inRange(s.integer().intValue(), s, what)) {
      if (s.integer().bitLength() > 31) {
        diag.error(s, what + ": VLAN " + s.text() + " is out of range; a VLAN id is 1..4094");
      }
      return null;
    }
    return s.integer().intValue();
  }

  private boolean inRange(int vid, YamlNode at, String what) {
    if (vid >= 1 && vid <= 4094) {
      return true;
    }
    String why = vid == 0 ? " (0 marks a priority-tagged frame, which has no VLAN)"
        : vid == 4095 ? " (4095 is reserved)" : "";
    diag.error(at, what + ": VLAN " + vid + " is out of range; a VLAN id is 1..4094" + why);
    return false;
  }

  /** After the links made the switches' ports: every port with VLANs is linked. */
  static void checkPorts(Draft.Lab lab, Diagnostics diag) {
    for (Draft.Node n : lab.nodes.values()) {
      for (Draft.Iface i : n.ifaces) {
        if (i.vlanAt != null && !i.linked) {
          diag.error(i.vlanAt, "switch port " + i.label() + " has VLANs but no link names it; link \"" + i.label()
              + "\" to a node or remove the port");
        }
      }
    }
  }

  /** The switch's port VLANs by port name, or null when no port names one (the switch is then not VLAN-aware). */
  static Map<String, VlanPort> vlans(Draft.Node n) {
    Map<String, VlanPort> out = new LinkedHashMap<>();
    for (Draft.Iface i : n.ifaces) {
      if (i.vlan != null) {
        out.put(i.name, i.vlan);
      }
    }
    return out.isEmpty() ? null : out;
  }
}
