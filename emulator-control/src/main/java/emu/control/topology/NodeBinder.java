package emu.control.topology;

import emu.control.topology.YamlNode.Entry;
import emu.control.topology.YamlNode.Mapping;
import emu.control.topology.YamlNode.Scalar;
import emu.control.topology.YamlNode.Sequence;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import emu.node.wire.Ipv6Cidr;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;

/** Reads one node's settings (kind, interfaces, gateway, routes, hosts, bind, mgmt-port), checking each value. */
final class NodeBinder {
  /**
   * host, router and switch run as emu nodes; linux is a real Linux network namespace joined
   * over VXLAN; external is a peer outside emu (a QEMU VM, a GNS3 node) reached over a UDP link.
   */
  static final List<String> KINDS = List.of("host", "router", "switch", "linux", "external");
  private static final List<String> NODE_FIELDS =
      List.of("kind", "interfaces", "gateway", "routes", "hosts", "bind", "mgmt-port", "tcp", "services",
          "nameserver", "dns", "https", "host", "ospf", "mac-table-size",
          "stp", "storm");
  /**
   * TCP settings a node may set: congestion picks the algorithm; retries is tcp_retries2;
   * syncookies is tcp_syncookies (on = 1, cookies only when a listener's backlog overflows);
   * max-connections and max-connections-per-listener cap the connections a flood can make.
   */
  private static final List<String> TCP_FIELDS =
      List.of("congestion", "retries", "syncookies", "max-connections", "max-connections-per-listener");
  /** Largest connection cap: about what a Linux host with a few GiB holds (each connection costs KiBs here). */
  static final int MAX_CONNECTION_CAP = 1 << 20;
  /** syncookies as YAML booleans or the sysctl's values, each to on or off. */
  private static final Map<String, String> SYNCOOKIES = Map.of("on", "on", "true", "on",
      "yes", "on", "1", "on", "off", "off", "false", "off", "no", "off", "0", "off");
  /** Services a host or router can start at boot (emu.node.apps). */
  static final List<String> SERVICES = List.of("bulk", "tcpecho", "iperf3");
  private static final List<String> IFACE_FIELDS =
      List.of("address", "ipv6", "mac", "port", "mtu", "impairments", "peer", "dhcp", "nat", "forward", "ospf", "vlan",
          "trunk", "native", "storm");
  /** What 'ipv6:' takes: auto for addresses from routers' advertisements (SLAAC), on for link-local only. */
  static final List<String> IPV6_MODES = List.of("auto", "on");
  private static final List<String> ROUTE_FIELDS = List.of("to", "via", "metric");
  private static final List<String> BIND_FIELDS = List.of("address", "expose");

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
      ifs.entries().forEach(e -> iface(node, e, ifs));
      new SubinterfaceBinder(diag).check(node);
    }
    List<Scalar> gws = f.texts("gateway", ", like 192.168.1.1 or [192.168.1.1, 2001:db8:1::1]");
    if (gws != null && node.isSwitch()) {
      diag.error(gws.get(0), "switch " + name + " must not have a gateway: a switch has no IP layer");
    } else if (gws != null) {
      gws.forEach(gw -> gateway(node, gw));
    }
    Sequence routes = f.sequence("routes", " of {to: PREFIX, via: ADDRESS} (either family)");
    if (routes != null && node.isSwitch()) {
      diag.error(f.entry("routes").key(), "switch " + name + " must not have routes: a switch has no IP layer");
    } else if (routes != null) {
      routes.items().forEach(r -> route(node, r));
    }
    hosts(node, f);
    tcp(node, f);
    services(node, f);
    new ServiceBinder(diag).bind(node, f);
    bind(node, f.entry("bind"));
    node.hostAt = f.text("host"); // resolved against the hosts section by HostBinder
    node.mgmtPortAt = f.integer("mgmt-port", 1, 65535);
    macTableSize(node, f);
    new StpBinder(diag).bind(node, f.entry("stp"));
    new StormBinder(diag).bindSwitch(node, f.entry("storm"));
    new OspfBinder(diag).bind(node, f.entry("ospf"));
    return node;
  }

  /** A switch's MAC table size limit (entries; see LearningBridge): a switch's setting only. */
  private void macTableSize(Draft.Node node, MapFields f) {
    Scalar size = f.integer("mac-table-size", 1, 1_000_000);
    if (size != null && !node.isSwitch()) {
      diag.error(f.entry("mac-table-size").key(), "node " + node.name + " is not a switch: only a switch has a MAC"
          + " table (remove 'mac-table-size')");
    } else if (size != null) {
      node.macTableSize = size.integer().intValue();
    }
  }

  /** One default gateway: at most one per family. */
  private void gateway(Draft.Node node, Scalar gw) {
    String what = "gateway of node " + node.name;
    boolean v6 = Values.isIpv6(gw.text());
    Scalar earlier = v6 ? node.gateway6At : node.gatewayAt;
    if (earlier != null) {
      diag.error(gw, what + ": a node has one default gateway per family; " + earlier.text() + " (line "
          + earlier.line() + ") is already its IPv" + (v6 ? "6" : "4") + " one");
      return;
    }
    try {
      if (v6) {
        node.gateway6At = gw;
        node.gateway6 = Values.hop6(gw.text());
      } else {
        node.gatewayAt = gw;
        node.gateway = Values.address(gw.text());
      }
    } catch (IllegalArgumentException e) {
      diag.error(gw, what + ": " + e.getMessage());
    }
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
    for (String cap : List.of("max-connections", "max-connections-per-listener")) {
      Scalar n = t.integer(cap, 1, MAX_CONNECTION_CAP);
      if (n != null) {
        node.tcp.put(cap, n.integer().toString());
      }
    }
    Scalar cookies = t.text("syncookies");
    if (cookies != null) {
      String word = SYNCOOKIES.get(cookies.text().toLowerCase(Locale.ROOT));
      if (word != null) {
        node.tcp.put("syncookies", word);
      } else {
        diag.error(cookies, "syncookies of node " + node.name + " is '" + cookies.text() + "'; use on (cookies when"
            + " a listener's backlog is full, as Linux's tcp_syncookies=1) or off (such SYNs are dropped)");
      }
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

  private void iface(Draft.Node node, Entry e, Mapping all) {
    String label = node.name + ":" + e.name();
    Draft.Iface i = new Draft.Iface(node, e.name(), e.key(), false);
    Matcher sub = Values.SUBIF.matcher(e.name());
    if (sub.matches()) {
      new SubinterfaceBinder(diag).name(i, sub.group(1), sub.group(2));
    } else if (!Values.IFNAME.matcher(e.name()).matches()) {
      diag.error(e.key(), "interface name '" + e.name() + "' of node " + node.name + " is invalid: "
          + Values.IFNAME_RULE + ", or PARENT.VLAN for a VLAN subinterface, like eth0.10");
    }
    node.ifaces.add(i);
    String where = "interface " + label;
    Mapping m = MapFields.asMapping(e.value(), e.key(), where, " of settings such as 'address: 192.168.1.10/24'", diag);
    if (m == null) {
      node.addressesComplete = false;
      return;
    }
    MapFields f = new MapFields(m, where, diag, IFACE_FIELDS, Impairments::misplaced);
    List<Scalar> addresses = f.texts("address", ", like 192.168.1.10/24 or [192.168.1.10/24, 2001:db8:1::10/64]");
    if (addresses != null && node.isSwitch()) {
      diag.error(addresses.get(0), "switch port " + label + " must not have an address: a switch has no IP layer"
          + " (give the address to a host or router interface)");
    } else if (addresses != null) {
      addresses.forEach(a -> address(i, a));
    } else if (f.entry("address") != null) {
      node.addressesComplete = false;
    }
    ipv6Mode(i, f.text("ipv6"));
    Entry dhcp = f.entry("dhcp");
    if (dhcp != null && i.dhcpClientAt != null) {
      boolean relay = dhcp.value() instanceof Mapping dm && dm.entry("relay") != null;
      diag.error(dhcp.key(), "interface " + label + " takes its address by DHCP and cannot also "
          + (relay ? "relay DHCP from it (its address is the relay's giaddr)" : "serve DHCP on it"));
    } else if (dhcp != null) {
      new DhcpBinder(diag).bind(node, i, dhcp);
    }
    if (f.entry("nat") != null || f.entry("forward") != null) {
      new NatBinder(diag).bind(node, i, f.entry("nat"), f.entry("forward"));
    }
    i.ospfAt = f.entry("ospf");
    new VlanBinder(diag).bind(node, i, f);
    new StormBinder(diag).bindPort(node, i, f.entry("storm"));
    if (i.parent != null) {
      new SubinterfaceBinder(diag).fields(i, f);
    }
    // an interface with VLAN subinterfaces may carry only tagged traffic, and need no address itself
    boolean parentOfVlans = all.entries().stream().anyMatch(x -> x.name().startsWith(e.name() + "."));
    if (f.entry("address") == null && f.entry("ipv6") == null && node.hasIp() && !parentOfVlans) {
      diag.error(e.key(), "interface " + label + " has no address; a " + node.kind + "'s interfaces need one,"
          + " such as 'address: 192.168.1.10/24', an IPv6 one, or 'ipv6: auto'");
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

  /** One address of an interface: one IPv4 address, any number of IPv6 ones. */
  private void address(Draft.Iface i, Scalar address) {
    String label = i.label();
    boolean dhcp = "dhcp".equals(address.text());
    try {
      if (dhcp && !"host".equals(i.node.kind) && !"router".equals(i.node.kind)) {
        // a router's client is a home router's WAN: address, default route and DNS from the ISP
        diag.error(address, "address of " + label + ": 'dhcp' is for emu hosts and routers (a " + i.node.kind
            + " node does not run emu's DHCP client" + (i.node.isLinux() ? "; run udhcpc in it with ./emu exec" : "")
            + ")");
      } else if (!dhcp && Values.isIpv6(address.text())) {
        i.addresses6.add(Values.interfaceAddress6(address.text()));
        i.addresses6At.add(address);
      } else if (i.addressAt != null || i.dhcpClientAt != null) {
        Scalar first = i.addressAt != null ? i.addressAt : i.dhcpClientAt;
        diag.error(address, "address of " + label + ": an interface has one IPv4 address, and "
            + first.text() + " (line " + first.line() + ") is already it");
      } else if (dhcp) {
        i.dhcpClientAt = address;
      } else {
        i.addressAt = address;
        i.address = Values.interfaceAddress(address.text());
      }
    } catch (IllegalArgumentException ex) {
      diag.error(address, "address of " + label + ": " + ex.getMessage());
      i.node.addressesComplete = false;
    }
  }


  private void ipv6Mode(Draft.Iface i, Scalar mode) {
    if (mode == null) {
      return;
    }
    Draft.Node node = i.node;
    String label = i.label();
    if (!IPV6_MODES.contains(mode.text())) {
      diag.error(mode, "ipv6 of " + label + " is '" + mode.text() + "'; use 'auto' (addresses from routers'"
          + " advertisements, SLAAC) or 'on' (link-local only, or with the addresses given)"
          + MapFields.didYouMean(mode.text(), IPV6_MODES));
    } else if (node.isSwitch()) {
      diag.error(mode, "switch port " + label + " has no IP layer: remove 'ipv6'");
    } else if (node.isExternal()) {
      diag.error(mode, "external node " + node.name + " configures its own IPv6: remove 'ipv6' from " + label);
    } else if ("auto".equals(mode.text()) && "router".equals(node.kind)) {
      diag.error(mode, "router " + node.name + " advertises prefixes rather than taking addresses from them"
          + " (as Linux does with forwarding on): give " + label + " a static IPv6 address, or 'ipv6: on'");
    } else {
      i.ipv6Mode = mode.text();
      i.ipv6At = mode;
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
    int metricValue = metric == null ? 0 : metric.integer().intValue();
    boolean v6 = via != null ? Values.isIpv6(via.text()) : to != null && Values.isIpv6(to.text());
    if (to != null && via != null && !to.text().strip().equals("default") && Values.isIpv6(to.text()) != v6) {
      diag.error(via, "route to " + to.text() + " of node " + node.name + " goes via " + via.text()
          + ", an address of the other family; an IPv" + (v6 ? "4" : "6") + " route needs an IPv" + (v6 ? "4" : "6")
          + " next hop");
      return;
    }
    if (v6) {
      route6(node, to, via, metricValue);
      return;
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
    node.routes.add(new Draft.Route(dest, via, hop, metricValue));
  }

  private void route6(Draft.Node node, Scalar to, Scalar via, int metric) {
    Ipv6Cidr dest = null;
    if (to != null) {
      try {
        dest = Values.routeDestination6(to.text());
      } catch (IllegalArgumentException e) {
        diag.error(to, "route destination of node " + node.name + ": " + e.getMessage());
      }
    }
    Draft.Hop6 hop = null;
    if (via != null) {
      try {
        hop = Values.hop6(via.text());
      } catch (IllegalArgumentException e) {
        diag.error(via, "route via of node " + node.name + ": " + e.getMessage());
      }
    }
    node.routes6.add(new Draft.Route6(dest, via, hop, metric));
  }

  private void hosts(Draft.Node node, MapFields f) {
    Mapping hosts = f.mapping("hosts", " of host name to address, like 'payroll.corp.com: 192.168.5.100' or"
        + " 'payroll.corp.com: [192.168.5.100, \"2001:db8:5::100\"]'");
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
      // one address, or a list with at most one per family (as /etc/hosts lines for one name)
      List<Scalar> addresses = e.value() instanceof Sequence seq
          && seq.items().stream().allMatch(x -> x instanceof Scalar sc && !sc.isNull())
          ? seq.items().stream().map(x -> (Scalar) x).toList()
          : e.value() instanceof Scalar s && !s.isNull() ? List.of(s) : null;
      if (addresses == null || addresses.isEmpty()) {
        YamlNode at = e.value() instanceof Scalar ? e.key() : e.value();
        diag.error(at, what + " must map to an address (or a list of an IPv4 and an IPv6 one), not "
            + e.value().describe());
        continue;
      }
      for (Scalar s : addresses) {
        boolean v6 = Values.isIpv6(s.text());
        try {
          String a = v6 ? Values.address6(s.text()).toString() : Ipv4Address.format(Values.address(s.text()));
          if ((v6 ? node.hosts6 : node.hosts).putIfAbsent(e.name(), a) != null) {
            diag.error(s, what + " has two IPv" + (v6 ? "6" : "4") + " addresses; give one per family");
          }
        } catch (IllegalArgumentException ex) {
          diag.error(s, what + ": " + ex.getMessage());
        }
      }
    }
  }

  /**
   * {@code bind: ADDRESS}, or {@code bind: {address: 0.0.0.0, expose: true}}. The wildcard puts
   * the node's management API and link sockets on every interface of the machine, where anyone
   * who reaches it may try the API's token and send on the links as a peer (a link accepts a
   * datagram by its source address and port alone): the file must say it means that.
   */
  private void bind(Draft.Node node, Entry entry) {
    if (entry == null) {
      return;
    }
    String what = "bind of node " + node.name;
    Scalar bind;
    boolean expose = false;
    if (entry.value() instanceof Mapping m) {
      MapFields f = new MapFields(m, what, diag, BIND_FIELDS);
      bind = f.text("address");
      Entry e = f.entry("expose");
      if (e != null && e.value() instanceof Scalar b && b.type() == YamlNode.ScalarType.BOOLEAN) {
        expose = List.of("true", "yes", "on", "y").contains(b.text().toLowerCase(java.util.Locale.ROOT));
      } else if (e != null) {
        diag.error(e.value(), what + ": expose must be true or false, not " + e.value().describe());
        expose = true; // reported: do not also say the wildcard needs it
      }
      if (bind == null && f.entry("address") == null) {
        diag.error(entry.key(), what + " needs an address, like 'bind: {address: 0.0.0.0, expose: true}'");
      }
    } else if (entry.value() instanceof Scalar sc && !sc.isNull()) {
      bind = sc;
    } else {
      diag.error(entry.value() instanceof Scalar ? entry.key() : entry.value(), what + " must be an address like"
          + " 127.0.0.1, or {address: 0.0.0.0, expose: true}, not " + entry.value().describe());
      return;
    }
    node.bindAddress = null;
    if (bind == null) {
      return;
    }
    node.bindAt = bind;
    try {
      int a = Values.address(bind.text());
      if (Ipv4Address.isMulticast(a) || a == Ipv4Address.BROADCAST) {
        diag.error(bind, what + ": " + Ipv4Address.format(a) + " cannot be bound;"
            + " use a local address such as 127.0.0.1");
        return;
      }
      if (a == 0 && !expose) {
        diag.error(bind, what + ": 0.0.0.0 puts the node's management API and link sockets on every interface"
            + " of the machine, reachable by anyone who reaches it; bind one address (127.0.0.1, or the one the"
            + " other hosts reach), or say you mean it with 'bind: {address: 0.0.0.0, expose: true}'");
        return;
      }
      if (a == 0) {
        diag.warn(bind, "node " + node.name + " binds 0.0.0.0 (expose: true): its management API and link sockets"
            + " listen on every interface of the machine");
      }
      node.bind = Ipv4Address.format(a);
      node.bindAddress = a;
    } catch (IllegalArgumentException e) {
      diag.error(bind, what + ": " + e.getMessage());
    }
  }
}
