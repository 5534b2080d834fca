package emu.control.topology;

import emu.control.topology.YamlNode.Entry;
import emu.control.topology.YamlNode.Mapping;
import emu.control.topology.YamlNode.Scalar;
import emu.control.topology.YamlNode.ScalarType;
import emu.control.topology.YamlNode.Sequence;
import emu.node.config.OspfConfig;
import emu.node.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a router's OSPFv2: the node-level {@code ospf: {router-id: 1.1.1.1, interfaces: all}}
 * (or a list of interface names) and the interface-level {@code ospf: {cost: 10, hello: 10,
 * dead: 40, priority: 1, passive: true, network: point-to-point}}; an interface-level
 * {@code ospf:} alone (a map, possibly empty, or {@code true}) enables OSPF on that interface.
 * Only emu routers run OSPF, and only on interfaces with a static IPv4 address. Unset values are
 * FRR's defaults (cost 10, hello 10, dead 40, priority 1, broadcast); the dead interval must
 * exceed the hello interval, as FRR demands.
 */
final class OspfBinder {
  static final List<String> NODE_FIELDS = List.of("router-id", "interfaces");
  static final List<String> IFACE_FIELDS = List.of("cost", "hello", "dead", "priority", "passive", "network");
  static final List<String> NETWORKS = List.of(OspfConfig.BROADCAST, OspfConfig.POINT_TO_POINT);

  private final Diagnostics diag;

  OspfBinder(Diagnostics diag) {
    this.diag = diag;
  }

  /** Resolves {@code node.ospf} from the node's {@code ospf} entry (or null) and its interfaces' ones. */
  void bind(Draft.Node node, Entry nodeOspf) {
    boolean anyIface = node.ifaces.stream().anyMatch(i -> i.ospfAt != null);
    if (nodeOspf == null && !anyIface) {
      return;
    }
    if (!"router".equals(node.kind)) {
      Entry at = nodeOspf != null ? nodeOspf : node.ifaces.stream().filter(i -> i.ospfAt != null).findFirst()
          .orElseThrow().ospfAt;
      diag.error(at.key(), "'ospf' of " + node.name + ": only an emu router runs OSPF (a " + node.kind
          + " does not route)");
      return;
    }
    String routerId = null;
    Set<String> enabled = new LinkedHashSet<>();
    boolean ok = true;
    if (nodeOspf != null) {
      String where = "'ospf' of " + node.name;
      Mapping m = MapFields.asMapping(nodeOspf.value(), nodeOspf.key(), where,
          " like '{router-id: 1.1.1.1, interfaces: all}'", diag);
      if (m == null) {
        return;
      }
      MapFields f = new MapFields(m, where, diag, NODE_FIELDS);
      Scalar rid = f.text("router-id");
      if (rid != null) {
        if (!Ipv4Address.isValid(rid.text()) || Ipv4Address.parse(rid.text()) == 0) {
          diag.error(rid, "router-id of " + node.name + ": '" + rid.text() + "' is not a dotted quad like 1.1.1.1"
              + " (and not 0.0.0.0)");
          ok = false;
        } else {
          routerId = Ipv4Address.format(Ipv4Address.parse(rid.text()));
        }
      } else if (f.entry("router-id") != null) {
        ok = false;
      }
      Entry ifs = f.entry("interfaces");
      if (ifs != null && ifs.value() instanceof Scalar s && "all".equals(s.text())) {
        for (Draft.Iface i : node.ifaces) {
          if (i.address != null) {
            enabled.add(i.name);
          } else {
            diag.warn(s, "'ospf' of " + node.name + ": interfaces: all leaves out " + i.name
                + ", which has no static IPv4 address");
          }
        }
      } else if (ifs != null && ifs.value() instanceof Sequence seq) {
        for (YamlNode item : seq.items()) {
          if (!(item instanceof Scalar s) || s.isNull()) {
            diag.error(item, where + ": interfaces lists interface names, not " + item.describe());
            ok = false;
            continue;
          }
          Draft.Iface i = iface(node, s.text());
          if (i == null) {
            diag.error(s, where + ": " + node.name + " has no interface '" + s.text() + "'"
                + MapFields.didYouMean(s.text(), node.ifaces.stream().map(x -> x.name).toList()));
            ok = false;
          } else if (i.address == null) {
            diag.error(s, where + ": " + node.name + ":" + i.name + " needs a static IPv4 address for OSPF");
            ok = false;
          } else {
            enabled.add(i.name);
          }
        }
      } else if (ifs != null) {
        diag.error(ifs.value(), where + ": interfaces must be 'all' or a list of interface names like [eth0, eth1],"
            + " not " + ifs.value().describe());
        ok = false;
      }
    }
    List<OspfConfig.Iface> out = new ArrayList<>();
    for (Draft.Iface i : node.ifaces) {
      if (i.ospfAt == null && !enabled.contains(i.name)) {
        continue;
      }
      OspfConfig.Iface c = ifaceSettings(node, i);
      if (c == null) {
        ok = false;
      } else {
        out.add(c);
      }
    }
    if (ok) {
      if (out.isEmpty()) {
        diag.warn(nodeOspf.key(), "'ospf' of " + node.name + " runs on no interface; add 'interfaces: all' or"
            + " 'ospf:' on an interface");
      }
      node.ospf = new OspfConfig(routerId, out);
    }
  }

  private static Draft.Iface iface(Draft.Node node, String name) {
    for (Draft.Iface i : node.ifaces) {
      if (i.name.equals(name)) {
        return i;
      }
    }
    return null;
  }

  private OspfConfig.Iface ifaceSettings(Draft.Node node, Draft.Iface i) {
    String label = node.name + ":" + i.name;
    String where = "'ospf' of " + label;
    Entry e = i.ospfAt;
    if (i.address == null) {
      diag.error(e != null ? e.key() : i.at, where + ": the interface needs a static IPv4 address (OSPFv2 runs over"
          + " IPv4)");
      return null;
    }
    int cost = OspfConfig.DEFAULT_COST;
    int hello = OspfConfig.DEFAULT_HELLO;
    int dead = OspfConfig.DEFAULT_DEAD;
    int priority = OspfConfig.DEFAULT_PRIORITY;
    boolean passive = false;
    String network = OspfConfig.BROADCAST;
    if (e == null || e.value() instanceof Scalar s && (s.isNull()
        || s.type() == ScalarType.BOOLEAN && "true".equalsIgnoreCase(s.text()))) {
      return new OspfConfig.Iface(i.name, cost, hello, dead, priority, passive, network);
    }
    Mapping m = MapFields.asMapping(e.value(), e.key(), where,
        " like '{cost: 10, hello: 10, dead: 40, priority: 1, passive: true, network: point-to-point}'", diag);
    if (m == null) {
      return null;
    }
    MapFields f = new MapFields(m, where, diag, IFACE_FIELDS);
    boolean ok = true;
    Scalar v = f.integer("cost", 1, 65535);
    if (v != null) {
      cost = v.integer().intValue();
    } else if (f.entry("cost") != null) {
      ok = false;
    }
    v = f.integer("hello", 1, 65535);
    if (v != null) {
      hello = v.integer().intValue();
    } else if (f.entry("hello") != null) {
      ok = false;
    }
    Scalar d = f.integer("dead", 2, 65535);
    if (d != null) {
      dead = d.integer().intValue();
    } else if (f.entry("dead") != null) {
      ok = false;
    }
    v = f.integer("priority", 0, 255);
    if (v != null) {
      priority = v.integer().intValue();
    } else if (f.entry("priority") != null) {
      ok = false;
    }
    Entry p = f.entry("passive");
    if (p != null) {
      if (p.value() instanceof Scalar s && s.type() == ScalarType.BOOLEAN) {
        passive = "true".equalsIgnoreCase(s.text());
      } else {
        diag.error(p.value(), "passive in " + where + " must be true or false, not " + p.value().describe());
        ok = false;
      }
    }
    Scalar n = f.text("network");
    if (n != null) {
      if (!NETWORKS.contains(n.text())) {
        diag.error(n, "network in " + where + ": '" + n.text() + "' is not a network type emu's OSPF runs; use "
            + String.join(" or ", NETWORKS) + MapFields.didYouMean(n.text(), NETWORKS));
        ok = false;
      } else {
        network = n.text();
      }
    }
    if (ok && dead <= hello) {
      diag.error(d != null ? d : e.key(), where + ": dead " + dead + " must be longer than hello " + hello
          + " (a neighbour is declared down after 'dead' seconds without a Hello; 4 x hello is usual)");
      ok = false;
    }
    return ok ? new OspfConfig.Iface(i.name, cost, hello, dead, priority, passive, network) : null;
  }
}
