package emu.control.topology;

import emu.control.topology.YamlNode.Entry;
import emu.control.topology.YamlNode.Mapping;
import emu.control.topology.YamlNode.Scalar;
import emu.control.topology.YamlNode.Sequence;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import java.util.List;

/** Reads one node's settings (kind, interfaces, gateway, routes, hosts, bind, mgmt-port), checking each value. */
final class NodeBinder {
  /**
   * host, router and switch run as emu nodes; linux is a real Linux network namespace joined
   * over VXLAN; external is a peer outside emu (a QEMU VM, a GNS3 node) reached over a UDP link.
   */
  static final List<String> KINDS = List.of("host", "router", "switch", "linux", "external");
  private static final List<String> NODE_FIELDS =
      List.of("kind", "interfaces", "gateway", "routes", "hosts", "bind", "mgmt-port", "tcp", "services",
          "nameserver", "dns", "https", "host");
  /** TCP settings a node may set; congestion picks the algorithm. */
  private static final List<String> TCP_FIELDS = List.of("congestion", "retries");
  /** Services a host or router can start at boot (emu.node.apps). */
  static final List<String> SERVICES = List.of("bulk", "tcpecho");
  private static final List<String> IFACE_FIELDS = List.of("address", "mac", "port", "mtu", "impairments", "peer");
  private static final List<String> ROUTE_FIELDS = List.of("to", "via", "metric");

  private final Diagnostics diag;

  NodeBinder(Diagnostics diag) {
    this.diag = diag;
  }

  /**
   * @param defaultKind topology.defaults.kind, or null
   * @param defaultKindBroken defaults.kind was given but wrong (already reported): a node without
   *     a kind is then not reported again
   */
  Draft.Node bind(Scalar key, YamlNode body, String defaultKind, boolean defaultKindBroken) {
    String name = key.text();
    Draft.Node node = new Draft.Node(name, key);
    if (!Values.NAME.matcher(name).matches()) {
      diag.error(key, "node name '" + name + "' is invalid: " + Values.NAME_RULE);
    }
    String where = "node " + name;
    Mapping m = MapFields.asMapping(body, key, where, " of settings such as 'kind: host'", diag);
    if (m == null) {
      return node;
    }
    MapFields f = new MapFields(m, where, diag, NODE_FIELDS);
    kind(node, f, defaultKind, defaultKindBroken);
    Mapping ifs = f.mapping("interfaces", " of interface name to settings, like 'eth0: {address: 192.168.1.10/24}'");
    if (ifs != null) {
      ifs.entries().forEach(e -> iface(node, e));
    }
    Scalar gw = f.text("gateway");
    if (gw != null && node.isSwitch()) {
      diag.error(gw, "switch " + name + " must not have a gateway: a switch has no IP layer");
    } else if (gw != null) {
      node.gatewayAt = gw;
      try {
        node.gateway = Values.address(gw.text());
      } catch (IllegalArgumentException e) {
        diag.error(gw, "gateway of node " + name + ": " + e.getMessage());
      }
    }
    Sequence routes = f.sequence("routes", " of {to: PREFIX, via: ADDRESS}");
    if (routes != null && node.isSwitch()) {
      diag.error(f.entry("routes").key(), "switch " + name + " must not have routes: a switch has no IP layer");
    } else if (routes != null) {
      routes.items().forEach(r -> route(node, r));
    }
    hosts(node, f);
    tcp(node, f);
    services(node, f);
    new ServiceBinder(diag).bind(node, f);
    bind(node, f.text("bind"));
    node.hostAt = f.text("host"); // resolved against the hosts section by HostBinder
    node.mgmtPortAt = f.integer("mgmt-port", 1, 65535);
    return node;
  }

  private void tcp(Draft.Node node, MapFields f) {
    Mapping m = f.mapping("tcp", " of TCP settings, like 'congestion: cubic' or 'retries: 15'");
    if (m == null) {
      return;
    }
    if (node.isLinux() || node.isExternal()) {
      diag.error(f.entry("tcp").key(), "a " + node.kind + " node runs a real TCP, not emu's: remove its tcp settings");
      return;
    }
    if (node.isSwitch()) {
      diag.error(f.entry("tcp").key(), "switch " + node.name + " has no TCP: remove its tcp settings");
      return;
    }
    MapFields t = new MapFields(m, "tcp settings of node " + node.name, diag, TCP_FIELDS);
    Scalar cc = t.text("congestion");
    Scalar retries = t.integer("retries", 1, 30);
    if (retries != null) {
      node.tcp.put("retries", retries.integer().toString());
    }
    if (cc != null) {
      if (emu.node.tcp.CongestionControls.NAMES.contains(cc.text())) {
        node.tcp.put("congestion", cc.text());
      } else {
        diag.error(cc, "congestion control '" + cc.text() + "' of node " + node.name + " is unknown; use one of "
            + String.join(", ", emu.node.tcp.CongestionControls.NAMES)
            + MapFields.didYouMean(cc.text(), emu.node.tcp.CongestionControls.NAMES));
      }
    }
  }

  private void services(Draft.Node node, MapFields f) {
    Sequence s = f.sequence("services", " of services to start, like [bulk, tcpecho]");
    if (s == null) {
      return;
    }
    if (!node.isEmu() || node.isSwitch()) {
      diag.error(f.entry("services").key(), node.kind + " " + node.name + " runs no emu services");
      return;
    }
    for (YamlNode item : s.items()) {
      if (!(item instanceof Scalar sc) || !SERVICES.contains(sc.text())) {
        diag.error(item, "unknown service " + (item instanceof Scalar sc2 ? "'" + sc2.text() + "'" : "entry")
            + " of node " + node.name + "; services are " + String.join(", ", SERVICES));
      } else if (!node.services.contains(sc.text())) {
        node.services.add(sc.text());
      }
    }
  }

  private void kind(Draft.Node node, MapFields f, String defaultKind, boolean defaultKindBroken) {
    Scalar k = f.text("kind");
    if (k != null) {
      if (KINDS.contains(k.text())) {
        node.kind = k.text();
      } else {
        diag.error(k, "node " + node.name + " has unknown kind '" + k.text() + "'; use host, router, switch, linux or external"
            + MapFields.didYouMean(k.text(), KINDS));
      }
    } else if (f.entry("kind") == null) {
      if (defaultKind != null) {
        node.kind = defaultKind;
      } else if (!defaultKindBroken) {
        diag.error(node.key, "node " + node.name + " has no kind; set 'kind: host', 'kind: router' or"
            + " 'kind: switch' on it, or a default under topology.defaults");
      }
    }
  }

  private void iface(Draft.Node node, Entry e) {
    String label = node.name + ":" + e.name();
    if (!Values.IFNAME.matcher(e.name()).matches()) {
      diag.error(e.key(), "interface name '" + e.name() + "' of node " + node.name + " is invalid: " + Values.IFNAME_RULE);
    }
    Draft.Iface i = new Draft.Iface(node, e.name(), e.key(), false);
    node.ifaces.add(i);
    String where = "interface " + label;
    Mapping m = MapFields.asMapping(e.value(), e.key(), where, " of settings such as 'address: 192.168.1.10/24'", diag);
    if (m == null) {
      node.addressesComplete = false;
      return;
    }
    MapFields f = new MapFields(m, where, diag, IFACE_FIELDS, Impairments::misplaced);
    Scalar address = f.text("address");
    if (address != null && node.isSwitch()) {
      diag.error(address, "switch port " + label + " must not have an address: a switch has no IP layer"
          + " (give the address to a host or router interface)");
    } else if (address != null) {
      i.addressAt = address;
      try {
        i.address = Values.interfaceAddress(address.text());
      } catch (IllegalArgumentException ex) {
        diag.error(address, "address of " + label + ": " + ex.getMessage());
        node.addressesComplete = false;
      }
    } else if (f.entry("address") != null) {
      node.addressesComplete = false;
    } else if (node.hasIp()) {
      diag.error(e.key(), "interface " + label + " has no address; a " + node.kind + "'s interfaces need one,"
          + " such as 'address: 192.168.1.10/24'");
    }
    Scalar mac = f.text("mac");
    if (mac != null) {
      i.macAt = mac;
      try {
        i.mac = Values.mac(mac.text());
      } catch (IllegalArgumentException ex) {
        diag.error(mac, "mac of " + label + ": " + ex.getMessage());
      }
    }
    i.portAt = f.integer("port", 1, 65535);
    Scalar peer = f.text("peer");
    if (peer != null && !node.isExternal()) {
      diag.error(peer, "peer of " + label + ": only an external node's interfaces name a peer (emu wires the others"
          + " itself)");
    } else if (peer != null) {
      try {
        Values.hostPort(peer.text());
        i.peer = peer.text();
      } catch (IllegalArgumentException ex) {
        diag.error(peer, "peer of " + label + ": " + ex.getMessage());
      }
    } else if (node.isExternal()) {
      diag.error(e.key(), "interface " + label + " of external node " + node.name + " needs 'peer: HOST:PORT', where"
          + " the outside peer (say QEMU's -netdev socket,localaddr=) receives");
    }
    if (i.portAt != null && (node.isExternal() || node.isLinux())) {
      diag.error(i.portAt, "port of " + label + ": a " + node.kind + " node has no emu socket; pin the port on the"
          + " emu end of the link instead");
    }
    Scalar mtu = f.integer("mtu", 68, 9216);
    i.mtu = mtu == null ? null : mtu.integer().intValue();
    Mapping impairments = f.mapping("impairments", " of words to values, like '{loss: 1%, delay: 5ms}'");
    if (impairments != null) {
      i.impairmentsAt = f.entry("impairments").key();
      i.impairmentsComplete = Impairments.read(impairments, where, i.impairments, diag);
    } else if (f.entry("impairments") != null) {
      i.impairmentsComplete = false;
    }
  }

  private void route(Draft.Node node, YamlNode item) {
    String where = "a route of node " + node.name;
    Mapping m = MapFields.asMapping(item, item, where, " like {to: 10.0.0.0/8, via: 192.168.1.1}", diag);
    if (m == null) {
      return;
    }
    MapFields f = new MapFields(m, where, diag, ROUTE_FIELDS);
    Scalar to = f.text("to");
    Scalar via = f.text("via");
    Scalar metric = f.integer("metric", 0, Integer.MAX_VALUE);
    if (f.entry("to") == null) {
      diag.error(m, where + " has no 'to': give a prefix such as 10.0.0.0/8, or 'default'");
    }
    if (f.entry("via") == null) {
      diag.error(m, where + " has no 'via': give the next-hop address");
    }
    Ipv4Cidr dest = null;
    if (to != null) {
      try {
        dest = Values.routeDestination(to.text());
      } catch (IllegalArgumentException e) {
        diag.error(to, "route destination of node " + node.name + ": " + e.getMessage());
      }
    }
    Integer hop = null;
    if (via != null) {
      try {
        hop = Values.address(via.text());
      } catch (IllegalArgumentException e) {
        diag.error(via, "route via of node " + node.name + ": " + e.getMessage());
      }
    }
    node.routes.add(new Draft.Route(dest, via, hop, metric == null ? 0 : metric.integer().intValue()));
  }

  private void hosts(Draft.Node node, MapFields f) {
    Mapping hosts = f.mapping("hosts", " of host name to address, like 'payroll.corp.com: 192.168.5.100'");
    if (hosts == null) {
      return;
    }
    if (node.isSwitch() && !hosts.entries().isEmpty()) {
      diag.warn(f.entry("hosts").key(), "hosts entries of switch " + node.name + " have no effect: a switch"
          + " has no IP layer");
    }
    for (Entry e : hosts.entries()) {
      String what = "hosts entry '" + e.name() + "' of node " + node.name;
      if (!Values.isHostname(e.name())) {
        diag.error(e.key(), what + " is not a host name: use letters, digits, dots and hyphens");
      }
      if (!(e.value() instanceof Scalar s) || s.isNull()) {
        YamlNode at = e.value() instanceof Scalar ? e.key() : e.value();
        diag.error(at, what + " must map to an IPv4 address, not " + e.value().describe());
        continue;
      }
      try {
        node.hosts.put(e.name(), Ipv4Address.format(Values.address(s.text())));
      } catch (IllegalArgumentException ex) {
        diag.error(s, what + ": " + ex.getMessage());
      }
    }
  }

  private void bind(Draft.Node node, Scalar bind) {
    if (bind == null) {
      return;
    }
    node.bindAddress = null;
    node.bindAt = bind;
    try {
      int a = Values.address(bind.text());
      if (Ipv4Address.isMulticast(a) || a == Ipv4Address.BROADCAST) {
        diag.error(bind, "bind of node " + node.name + ": " + Ipv4Address.format(a) + " cannot be bound;"
            + " use a local address such as 127.0.0.1");
        return;
      }
      node.bind = Ipv4Address.format(a);
      node.bindAddress = a;
    } catch (IllegalArgumentException e) {
      diag.error(bind, "bind of node " + node.name + ": " + e.getMessage());
    }
  }
}
