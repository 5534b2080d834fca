package emu.control.topology;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One emulated node (one JVM process) as validated from the topology file.
 *
 * @param kind host, router or switch (defaults already applied)
 * @param interfaces declared interfaces in file order, then a switch's implicit ports in order of
 *     first appearance in links
 * @param gateway IPv4 default gateway address, or null
 * @param hosts extra name to IPv4 address entries, in file order; may be empty
 * @param hosts6 extra name to IPv6 address entries (a name may be in both); may be empty
 * @param bind IPv4 address the node's sockets bind; "127.0.0.1" unless the file says otherwise
 * @param mgmtPort pinned management TCP port, or null for any
 * @param line where the node is declared, for messages
 * @param tcp TCP settings of the node in file order (congestion: cubic|newreno, retries: N); may be empty
 * @param services services started when the node boots (bulk, tcpecho, iperf3); may be empty
 * @param nameservers the DNS servers the node's resolver asks, in order (either family, a
 *     link-local one as fe80::53%eth0; at most three); may be empty
 * @param dnsForward a forwarder's upstream server (either family), or null
 * @param host the machine the node runs on (started there over ssh; {@code bind} is its address), or
 *     null for the control plane's own machine
 * @param gateway6 IPv6 default gateway (a link-local one as fe80::1%eth0), or null: a host on a
 *     link with an IPv6 router learns its default route from the router's advertisements
 * @param ospf the router's OSPFv2 with every interface's settings resolved, or null
 * @param macTableSize a switch's MAC table size limit, or null for the bridge's default
 * @param stp a switch's spanning tree settings, or null for RSTP with the defaults
 * @param vlans a switch's port VLANs by port name, or null: the switch is not VLAN-aware
 * @param storm a switch's storm control by port name (the switch's default merged into each port's), or
 *     null for none
 */
public record NodeSpec(String name, String kind, List<IfaceSpec> interfaces, String gateway, List<RouteSpec> routes,
                       Map<String, String> hosts, String bind, Integer mgmtPort, int line, Map<String, String> tcp,
                       List<String> services, List<String> nameservers, Map<String, java.nio.file.Path> dnsZones,
                       String dnsForward, HttpsSpec https, HostSpec host, String gateway6,
                       Map<String, String> hosts6, emu.node.config.OspfConfig ospf, Integer macTableSize,
                       emu.node.config.StpSettings stp, Map<String, emu.node.config.VlanPort> vlans,
                       Map<String, emu.node.config.StormSettings> storm) {
  public static final String DEFAULT_BIND = "127.0.0.1";

  /** A node without VLANs or storm control (any node but a switch that has them). */
  public NodeSpec(String name, String kind, List<IfaceSpec> interfaces, String gateway, List<RouteSpec> routes,
                  Map<String, String> hosts, String bind, Integer mgmtPort, int line, Map<String, String> tcp,
                  List<String> services, List<String> nameservers, Map<String, java.nio.file.Path> dnsZones,
                  String dnsForward, HttpsSpec https, HostSpec host, String gateway6,
                  Map<String, String> hosts6, emu.node.config.OspfConfig ospf, Integer macTableSize,
                  emu.node.config.StpSettings stp) {
    this(name, kind, interfaces, gateway, routes, hosts, bind, mgmtPort, line, tcp, services, nameservers, dnsZones,
        dnsForward, https, host, gateway6, hosts6, ospf, macTableSize, stp, null, null);
  }

  /** A node with the default spanning tree (RSTP on a switch). */
  public NodeSpec(String name, String kind, List<IfaceSpec> interfaces, String gateway, List<RouteSpec> routes,
                  Map<String, String> hosts, String bind, Integer mgmtPort, int line, Map<String, String> tcp,
                  List<String> services, List<String> nameservers, Map<String, java.nio.file.Path> dnsZones,
                  String dnsForward, HttpsSpec https, HostSpec host, String gateway6,
                  Map<String, String> hosts6, emu.node.config.OspfConfig ospf, Integer macTableSize) {
    this(name, kind, interfaces, gateway, routes, hosts, bind, mgmtPort, line, tcp, services, nameservers, dnsZones,
        dnsForward, https, host, gateway6, hosts6, ospf, macTableSize, null);
  }

  /** A node with the default MAC table size (any node but a switch). */
  public NodeSpec(String name, String kind, List<IfaceSpec> interfaces, String gateway, List<RouteSpec> routes,
                  Map<String, String> hosts, String bind, Integer mgmtPort, int line, Map<String, String> tcp,
                  List<String> services, List<String> nameservers, Map<String, java.nio.file.Path> dnsZones,
                  String dnsForward, HttpsSpec https, HostSpec host, String gateway6,
                  Map<String, String> hosts6, emu.node.config.OspfConfig ospf) {
    this(name, kind, interfaces, gateway, routes, hosts, bind, mgmtPort, line, tcp, services, nameservers, dnsZones,
        dnsForward, https, host, gateway6, hosts6, ospf, null);
  }

  /** A node without OSPF. */
  public NodeSpec(String name, String kind, List<IfaceSpec> interfaces, String gateway, List<RouteSpec> routes,
                  Map<String, String> hosts, String bind, Integer mgmtPort, int line, Map<String, String> tcp,
                  List<String> services, List<String> nameservers, Map<String, java.nio.file.Path> dnsZones,
                  String dnsForward, HttpsSpec https, HostSpec host, String gateway6,
                  Map<String, String> hosts6) {
    this(name, kind, interfaces, gateway, routes, hosts, bind, mgmtPort, line, tcp, services, nameservers, dnsZones,
        dnsForward, https, host, gateway6, hosts6, null);
  }

  /** A node without IPv6 hosts entries. */
  public NodeSpec(String name, String kind, List<IfaceSpec> interfaces, String gateway, List<RouteSpec> routes,
                  Map<String, String> hosts, String bind, Integer mgmtPort, int line, Map<String, String> tcp,
                  List<String> services, String nameserver, Map<String, java.nio.file.Path> dnsZones,
                  String dnsForward, HttpsSpec https, HostSpec host, String gateway6) {
    this(name, kind, interfaces, gateway, routes, hosts, bind, mgmtPort, line, tcp, services,
        nameserver == null ? List.of() : List.of(nameserver), dnsZones, dnsForward, https, host, gateway6, Map.of());
  }

  /** A node without an IPv6 default gateway. */
  public NodeSpec(String name, String kind, List<IfaceSpec> interfaces, String gateway, List<RouteSpec> routes,
                  Map<String, String> hosts, String bind, Integer mgmtPort, int line, Map<String, String> tcp,
                  List<String> services, String nameserver, Map<String, java.nio.file.Path> dnsZones,
                  String dnsForward, HttpsSpec https, HostSpec host) {
    this(name, kind, interfaces, gateway, routes, hosts, bind, mgmtPort, line, tcp, services, nameserver, dnsZones,
        dnsForward, https, host, null);
  }

  /** A node with the default TCP congestion control and no services. */
  public NodeSpec(String name, String kind, List<IfaceSpec> interfaces, String gateway, List<RouteSpec> routes,
                  Map<String, String> hosts, String bind, Integer mgmtPort, int line) {
    this(name, kind, interfaces, gateway, routes, hosts, bind, mgmtPort, line, Map.of(), List.of(), null, Map.of(),
        null, null, null);
  }

  /** A node on the control plane's machine. */
  public NodeSpec(String name, String kind, List<IfaceSpec> interfaces, String gateway, List<RouteSpec> routes,
                  Map<String, String> hosts, String bind, Integer mgmtPort, int line, Map<String, String> tcp,
                  List<String> services, String nameserver, Map<String, java.nio.file.Path> dnsZones,
                  String dnsForward, HttpsSpec https) {
    this(name, kind, interfaces, gateway, routes, hosts, bind, mgmtPort, line, tcp, services, nameserver, dnsZones,
        dnsForward, https, null);
  }

  public NodeSpec {
    dnsZones = dnsZones == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(dnsZones));
    tcp = Collections.unmodifiableMap(tcp == null ? new LinkedHashMap<>() : new LinkedHashMap<>(tcp));
    services = services == null ? List.of() : List.copyOf(services);
    nameservers = nameservers == null ? List.of() : List.copyOf(nameservers);
    interfaces = List.copyOf(interfaces);
    routes = routes == null ? List.of() : List.copyOf(routes);
    hosts = Collections.unmodifiableMap(hosts == null ? new LinkedHashMap<>() : new LinkedHashMap<>(hosts));
    hosts6 = Collections.unmodifiableMap(hosts6 == null ? new LinkedHashMap<>() : new LinkedHashMap<>(hosts6));
    bind = bind == null ? DEFAULT_BIND : bind;
    storm = storm == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(storm));
  }

  /** True if some interface runs IPv6. */
  public boolean hasIpv6() {
    return interfaces.stream().anyMatch(IfaceSpec::hasIpv6);
  }

  /** The interface with that name, or null. */
  public IfaceSpec iface(String name) {
    for (IfaceSpec i : interfaces) {
      if (i.name().equals(name)) {
        return i;
      }
    }
    return null;
  }

  /** A real Linux network namespace joined over VXLAN, not an emu process. */
  public boolean isLinux() {
    return "linux".equals(kind);
  }

  /** A peer outside emu (QEMU, GNS3), reached over UDP at its interfaces' peer addresses. */
  public boolean isExternal() {
    return "external".equals(kind);
  }

  /** Host, router or switch: runs as an emu node process. */
  public boolean isEmu() {
    return !isLinux() && !isExternal();
  }

  /** True if the node runs on another machine, started over ssh. */
  public boolean isRemote() {
    return host != null;
  }

  public boolean isSwitch() {
    return "switch".equals(kind);
  }

  public boolean isRouter() {
    return "router".equals(kind);
  }

  public boolean isHost() {
    return "host".equals(kind);
  }
}
