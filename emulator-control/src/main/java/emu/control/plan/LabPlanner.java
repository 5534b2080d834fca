package emu.control.plan;

import emu.control.linux.LinuxPlan;
import emu.control.topology.HostSpec;
import emu.control.topology.HttpsSpec;
import emu.control.topology.IfaceSpec;
import emu.control.topology.LinkSpec;
import emu.control.topology.NodeSpec;
import emu.control.topology.RouteSpec;
import emu.control.topology.Topology;
import emu.link.wire.MacAddress;
import emu.link.wire.VxlanHeader;
import emu.node.config.DhcpConfig;
import emu.node.config.DnsConfig;
import emu.node.config.HostsTable;
import emu.node.config.HttpsConfig;
import emu.node.config.NodeConfig;
import emu.node.wire.Ipv4Cidr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns a validated {@link Topology} into a {@link LabPlan}: one {@link NodeConfig} per node
 * with its link sockets (local and peer UDP addresses), MACs, routes, name table, management
 * port (pinned, or 0 for the kernel's choice) and its own key.
 *
 * <p>MACs not pinned in the file are locally administered and readable:
 * {@code 02:00:00:NN:NN:II}, with NN the node's position in the file (from 1) and II the
 * interface's position (from 0), so a capture tells at a glance which node sent a frame.
 */
public final class LabPlanner {
  private LabPlanner() {}

  /** A plan whose nodes derive everything, secrets too, from {@code seed} (as {@code --seed} asks). */
  public static LabPlan plan(Topology topo, Path stateDir, Path outDir, long seed, boolean capture,
                             boolean trace, Long parentPid, PortAllocator ports) throws IOException {
    return plan(topo, stateDir, outDir, seed, true, capture, trace, parentPid, ports);
  }

  /**
   * @param seeded true if {@code seed} came from {@code --seed}: the nodes derive their secrets
   *     (DNS IDs and ports, TCP ISNs) from it too, else from a CSPRNG
   * @param parentPid the control process the nodes must not outlive, or null for a lab that
   *     keeps running after the command ends ({@code up})
   */
  public static LabPlan plan(Topology topo, Path stateDir, Path outDir, long seed, boolean seeded, boolean capture,
                             boolean trace, Long parentPid, PortAllocator ports) throws IOException {
    return plan(topo, stateDir, outDir, seed, seeded, capture, trace, parentPid, ports,
        LabPlanner::remoteManagementNames);
  }

  /**
   * As above; {@code managementNames} says which nodes' management APIs speak TLS and the names
   * their certificates are for (null: plain HTTP), see {@link #remoteManagementNames}.
   */
  public static LabPlan plan(Topology topo, Path stateDir, Path outDir, long seed, boolean seeded, boolean capture,
                             boolean trace, Long parentPid, PortAllocator ports,
                             Function<NodeSpec, List<String>> managementNames) throws IOException {
    String token = newToken();
    long traceBudget = TraceBudget.get();
    Map<String, String> bindOf = new HashMap<>();
    Map<String, String> peerOf = new HashMap<>();
    // emu ends whose peer is not an emu node: they read with recvmmsg (see ReceiveMode)
    Set<String> separateDatagrams = new HashSet<>();
    Set<String> fixedPorts = new HashSet<>(); // link ends whose UDP port must not move (NodeConfig.Iface.fixedPort)
    Map<String, Integer> vniOf = new HashMap<>();
    Map<String, LinuxUnderlay> underlays = new LinkedHashMap<>();
    RemotePorts remotePorts = new RemotePorts(topo);
    for (NodeSpec n : topo.nodes()) {
      if (n.isLinux()) {
        java.util.Set<Integer> taken = new HashSet<>();
        underlays.values().forEach(u -> taken.add(u.octet));
        underlays.put(n.name(), new LinuxUnderlay(emu.control.linux.LinuxNamespaces.freeUnderlayOctet(taken)));
      }
    }
    for (LinkSpec l : topo.links()) {
      NodeSpec na = topo.node(l.a().node());
      NodeSpec nb = topo.node(l.b().node());
      if (l.vxlan()) {
        vniOf.put(l.a().toString(), l.vni());
        vniOf.put(l.b().toString(), l.vni());
      }
      if (!na.isEmu() || !nb.isEmu()) {
        boolean aOutside = !na.isEmu();
        NodeSpec outside = aOutside ? na : nb;
        LinkSpec.Endpoint out = aOutside ? l.a() : l.b();
        LinkSpec.Endpoint emuEnd = aOutside ? l.b() : l.a();
        NodeSpec emuNode = aOutside ? nb : na;
        separateDatagrams.add(emuEnd.toString());
        fixedPorts.add(emuEnd.toString()); // the outside peer sends to this port and cannot be told another
        if (outside.isLinux()) {
          // The emu end listens on its own underlay address, port 4789, where the Linux VXLAN
          // device in the namespace sends (RFC 7348's port, given to the kernel explicitly).
          LinuxUnderlay u = underlays.get(outside.name());
          String addr = u.nextRemote();
          u.remotes.put(out.iface(), addr);
          bindOf.put(emuEnd.toString(), addr + ":" + VxlanHeader.PORT);
          peerOf.put(emuEnd.toString(), u.nsAddress() + ":" + VxlanHeader.PORT);
        } else {
          int port = remotePorts.udp(ports, emuNode, emuNode.iface(emuEnd.iface()).port(), emuEnd.toString());
          bindOf.put(emuEnd.toString(), emuNode.bind() + ":" + port);
          peerOf.put(emuEnd.toString(), outside.iface(out.iface()).peer());
        }
        continue;
      }
      int pa = remotePorts.udp(ports, na, na.iface(l.a().iface()).port(), l.a().toString());
      int pb = remotePorts.udp(ports, nb, nb.iface(l.b().iface()).port(), l.b().toString());
      if (na.iface(l.a().iface()).port() != null) {
        fixedPorts.add(l.a().toString()); // pinned by the topology: a firewall may allow only that one
      }
      if (nb.iface(l.b().iface()).port() != null) {
        fixedPorts.add(l.b().toString());
      }
      bindOf.put(l.a().toString(), na.bind() + ":" + pa);
      bindOf.put(l.b().toString(), nb.bind() + ":" + pb);
      peerOf.put(l.a().toString(), nb.bind() + ":" + pb);
      peerOf.put(l.b().toString(), na.bind() + ":" + pa);
    }
    // A management port is the kernel's choice (0) unless the topology pins one: the node reports
    // the port it got on its READY line. A port chosen here and bound by the node later is one
    // that any local program may take first, or take after the node dies and answer in its place.
    Map<String, Integer> mgmtPorts = new HashMap<>();
    for (NodeSpec n : topo.nodes()) {
      if (n.isEmu()) {
        mgmtPorts.put(n.name(), n.mgmtPort() == null ? 0
            : remotePorts.tcp(ports, n, n.mgmtPort(), n.name() + " (management)"));
      }
    }
    Map<String, Integer> linkMtu = new HashMap<>();
    for (LinkSpec l : topo.links()) {
      if (l.mtu() != null) {
        linkMtu.put(l.a().toString(), l.mtu());
        linkMtu.put(l.b().toString(), l.mtu());
      }
    }
    Map<String, String> names6 = nameTable6(topo);
    HostsTable table = new HostsTable(nameTable(topo), names6.isEmpty() ? null : names6);
    Set<Long> pinnedMacs = new HashSet<>();
    topo.nodes().forEach(n -> n.interfaces().forEach(i -> {
      if (i.mac() != null) {
        pinnedMacs.add(MacAddress.parse(i.mac()).bits());
      }
    }));
    // every interface's MAC first: a DHCP server's static binding may name a node planned after it
    Map<String, String> macOf = new HashMap<>();
    int macIndex = 0;
    for (NodeSpec n : topo.nodes()) {
      macIndex++;
      int ifIndex = 0;
      for (IfaceSpec i : n.interfaces()) {
        if (i.vlanParent() != null) {
          // a VLAN subinterface has its parent's MAC, as a Linux VLAN device (listed after its parent)
          macOf.put(n.name() + ":" + i.name(), macOf.get(n.name() + ":" + i.vlanParent()));
          continue;
        }
        macOf.put(n.name() + ":" + i.name(), i.mac() != null ? MacAddress.parse(i.mac()).toString()
            : generatedMac(macIndex, ifIndex, pinnedMacs));
        ifIndex++;
      }
    }
    boolean tls = topo.nodes().stream().anyMatch(n -> n.https() != null
        || n.isEmu() && managementNames.apply(n) != null);
    LabSecrets secrets = tls ? new LabSecrets(topo.name(), stateDir, outDir,
        topo.nodes().stream().filter(n -> n.https() != null).map(NodeSpec::name).toList()) : null;
    Map<String, List<String>> mgmtNamesOf = new LinkedHashMap<>();
    for (NodeSpec n : topo.nodes()) {
      List<String> mgmtNames = n.isEmu() ? managementNames.apply(n) : null;
      if (mgmtNames != null) {
        mgmtNamesOf.put(n.name(), mgmtNames);
      }
    }
    // all at once, on every core: a pod's certificate is most of what planning a pod costs
    Map<String, NodeConfig.Management.Tls> mgmtTls = secrets == null ? Map.of() : secrets.issueManagement(mgmtNamesOf);
    List<PlannedNode> nodes = new ArrayList<>();
    List<LinuxPlan> linux = new ArrayList<>();
    for (NodeSpec n : topo.nodes()) {
      List<NodeConfig.Iface> ifaces = new ArrayList<>();
      List<LinuxPlan.Iface> linuxIfaces = new ArrayList<>();
      for (IfaceSpec i : n.interfaces()) {
        String key = n.name() + ":" + i.name();
        String mac = macOf.get(key);
        // a VLAN subinterface keeps its parent's MTU: the link carries the tag on top of it
        IfaceSpec own = i.vlanParent() == null ? i : n.iface(i.vlanParent());
        String linkKey = n.name() + ":" + own.name();
        int mtu = own.mtu() != null ? own.mtu() : linkMtu.getOrDefault(linkKey, 1500);
        Map<String, String> impairments = topo.effectiveImpairments(n.name(), i.name());
        if (n.isLinux()) {
          String remote = underlays.get(n.name()).remotes.get(i.name());
          if (remote != null) {
            linuxIfaces.add(new LinuxPlan.Iface(i.name(), mac, i.address(), mtu, vniOf.get(key), remote,
                i.addresses6(), i.ipv6()));
          } else if (i.vlanParent() != null) {
            linuxIfaces.add(LinuxPlan.Iface.vlan(i.name(), i.vlanParent(), i.vid(), mac, mtu, i.address(),
                i.addresses6(), i.ipv6()));
          }
        } else {
          ifaces.add(new NodeConfig.Iface(i.name(), mac, i.address(), mtu, bindOf.get(key), peerOf.get(key),
              impairments.isEmpty() ? null : impairments, vniOf.get(key),
              separateDatagrams.contains(key) ? "recvmmsg" : null, i.hasIpv6() ? i.addresses6() : null,
              i.slaac() ? true : null, dhcp(i.dhcp(), topo, macOf), i.dhcpClient() ? true : null, i.nat(),
              fixedPorts.contains(key) ? true : null));
        }
      }
      if (n.isExternal()) {
        continue;
      }
      if (n.isLinux()) {
        // its /etc/hosts: the whole table, as the emu nodes' file with their own entries merged in
        HostsTable own = table.merge(n.hosts(), n.hosts6());
        LinuxUnderlay u = underlays.get(n.name());
        String base = emu.control.linux.LinuxNamespaces.vethBase(topo.name(), n.name());
        List<LinuxPlan.Route> lroutes = n.routes().stream()
            .map(r -> new LinuxPlan.Route(r.to(), r.viaAddress(), r.viaZone())).toList();
        linux.add(new LinuxPlan(topo.name(), n.name(), emu.control.linux.LinuxNamespaces.netnsName(topo.name(),
            n.name()), base + "h", base + "n", u.hostAddress() + "/24", u.nsAddress() + "/24", linuxIfaces, lroutes,
            n.gateway(), n.nameservers(), own.hosts(), n.gateway6(), own.hosts6()));
        if (n.https() != null) {
          secrets.issue(n.name(), n.https()); // for a real TLS server started in the namespace
        }
        continue;
      }
      List<NodeConfig.StaticRoute> routes = new ArrayList<>();
      for (RouteSpec r : n.routes()) {
        routes.add(new NodeConfig.StaticRoute(r.to(), r.via(), r.metric()));
      }
      // A node reads the lab's table from one file (HostsTable) and its configuration keeps only its
      // own entries: a copy of the table in every node's configuration made a lab's files grow with
      // the square of its size. The file is beside the configurations here, and on another machine
      // in the lab's folder there, above the node's own (copied once per host: LabPreflight.hosts).
      String hostsFile = n.isRemote() ? "../" + HostsTable.FILE : HostsTable.FILE;
      NodeConfig cfg = NodeConfig.builder(topo.name(), n.name(), n.kind())
          .interfaces(ifaces)
          .routes(routes)
          .gateway(n.gateway())
          .hosts(n.isSwitch() ? null : emptyToNull(n.hosts()))
          .management(new NodeConfig.Management(n.bind(), mgmtPorts.get(n.name()), newNodeKey(),
              mgmtTls.get(n.name())))
          // a node on another machine writes on that machine; it exits when its ssh session ends
          .outputDir(n.isRemote() ? nodeDir(n.host(), topo.name(), n.name()) + "/out" : outDir.toString())
          .capture(capture)
          .trace(trace)
          .traceBudget(traceBudget)
          .seed(seed)
          .parentPid(n.isRemote() ? null : parentPid)
          .tcp(n.tcp().isEmpty() ? null : n.tcp())
          .services(n.services().isEmpty() ? null : n.services())
          .nameservers(n.nameservers().isEmpty() ? null : n.nameservers())
          .dns(dnsConfig(n))
          .https(httpsConfig(n, secrets))
          .trustPem(secrets != null && !n.isSwitch() ? secrets.trustPem() : null)
          .prewarmTls(fetchesHttps(topo, n.name()) ? true : null)
          .gateway6(n.gateway6())
          .hosts6(n.isSwitch() ? null : emptyToNull(n.hosts6()))
          .ospf(n.ospf())
          .seeded(seeded)
          .macTableSize(n.macTableSize())
          .hostsFile(n.isSwitch() ? null : hostsFile)
          .stp(n.isSwitch() ? n.stp() : null)
          .vlans(n.isSwitch() ? n.vlans() : null)
          .storm(n.isSwitch() ? n.storm() : null)
          .build();
      nodes.add(new PlannedNode(n.name(), n.kind(), cfg, stateDir.resolve(n.name() + ".json"),
          outDir.resolve(n.name() + ".log"), n.host()));
    }
    return new LabPlan(topo, token, seed, seeded, stateDir, outDir, nodes, linux, table);
  }

  /**
   * Which management APIs speak TLS, by default: a node on another machine's, reached across the
   * network at its host's address (the certificate's one name, an IP subjectAltName when it is an
   * address). A node on this machine listens on loopback, where no one else can watch, and stays
   * plain HTTP: a TLS context and first handshake add a few hundred milliseconds to every node
   * JVM's start-up, which a lab of many local nodes would pay for nothing. {@code Lab} talks TLS to
   * exactly the nodes with a remote placement; keep the two in step.
   */
  public static List<String> remoteManagementNames(NodeSpec n) {
    return n.isRemote() ? List.of(n.bind()) : null;
  }

  /** The folder of a node placed on another machine, on that host: {@code DIR/LAB/NODE}. */
  public static String nodeDir(HostSpec host, String lab, String node) {
    return host.dir() + "/" + lab + "/" + node;
  }

  /** True if a scenario step of this node fetches HTTPS (its TLS client is then made at start). */
  private static boolean fetchesHttps(Topology topo, String node) {
    return topo.scenario().stream().anyMatch(s -> s.node().equals(node)
        && (s.command().startsWith("https-get") || s.command().startsWith("httpsperf")));
  }

  /** The node's DNS server role with its zones' text (read once here, checked by the loader). */
  private static DnsConfig dnsConfig(NodeSpec n) throws IOException {
    if (n.dnsForward() != null) {
      return new DnsConfig(DnsConfig.FORWARDER, null, n.dnsForward());
    }
    if (n.dnsZones().isEmpty()) {
      return null;
    }
    List<DnsConfig.Zone> zones = new ArrayList<>();
    for (Map.Entry<String, Path> z : n.dnsZones().entrySet()) {
      String origin = z.getKey().endsWith(".") ? z.getKey() : z.getKey() + ".";
      zones.add(new DnsConfig.Zone(origin, z.getValue().toString(), Files.readString(z.getValue())));
    }
    return new DnsConfig(DnsConfig.AUTHORITATIVE, zones, null);
  }

  /** The node's HTTPS service with its content and freshly issued key and certificate. */
  private static HttpsConfig httpsConfig(NodeSpec n, LabSecrets secrets) throws IOException {
    HttpsSpec h = n.https();
    if (h == null) {
      return null;
    }
    Map<String, String> content = new LinkedHashMap<>();
    for (Map.Entry<String, Path> c : h.content().entrySet()) {
      content.put(c.getKey(), Files.readString(c.getValue()));
    }
    if (!content.containsKey("/")) {
      content.put("/", "<!doctype html><title>" + h.names().get(0) + "</title><p>Served by emu node " + n.name()
          + ".</p>\n");
    }
    var cred = secrets.issue(n.name(), h);
    return new HttpsConfig(h.port(), h.names(), content, h.tls(), h.provider(), cred.keyPem(), cred.certChainPem(),
        h.idleTimeoutNanos());
  }

  /**
   * A linux node's underlay: 169.254.X.0/24 between the root namespace (.1) and the node's
   * namespace (.2), plus one root-side address per link (.10 and up) where the emu end listens.
   */
  private static final class LinuxUnderlay {
    final int octet;
    final Map<String, String> remotes = new HashMap<>();
    int next = 10;

    LinuxUnderlay(int octet) {
      this.octet = octet;
    }

    String hostAddress() {
      return "169.254." + octet + ".1";
    }

    String nsAddress() {
      return "169.254." + octet + ".2";
    }

    String nextRemote() {
      return "169.254." + octet + "." + next++;
    }
  }

  /**
   * Ports of nodes on other machines. The control plane cannot probe a remote host's ports by
   * binding them, as {@link PortAllocator} does here, so each host's ports are counted up from a
   * random base below Linux's ephemeral range (32768-60999), skipping the ports the file pins on
   * that host. Should a link port be taken there all the same, the node binds another and the
   * control plane tells its peer (emu.control.lab.Lab); a pinned management port that is taken
   * makes the node exit at start saying which, and the start fails naming the node and its host.
   */
  private static final class RemotePorts {
    private final Map<String, Set<Integer>> pinned = new HashMap<>();
    private final Map<String, Integer> next = new HashMap<>();
    private final java.util.Random random = new SecureRandom();

    RemotePorts(Topology topo) {
      for (NodeSpec n : topo.nodes()) {
        if (n.isRemote()) {
          Set<Integer> p = pinned.computeIfAbsent(n.bind(), k -> new HashSet<>());
          n.interfaces().stream().filter(i -> i.port() != null).forEach(i -> p.add(i.port()));
          if (n.mgmtPort() != null) {
            p.add(n.mgmtPort());
          }
        }
      }
    }

    int udp(PortAllocator local, NodeSpec n, Integer pin, String owner) throws IOException {
      return n.isRemote() ? port(n, pin) : local.udp(n.bind(), pin, owner);
    }

    int tcp(PortAllocator local, NodeSpec n, Integer pin, String owner) throws IOException {
      return n.isRemote() ? port(n, pin) : local.tcp(n.bind(), pin, owner);
    }

    private int port(NodeSpec n, Integer pin) {
      if (pin != null) {
        return pin;
      }
      Set<Integer> taken = pinned.computeIfAbsent(n.bind(), k -> new HashSet<>());
      int p = next.computeIfAbsent(n.bind(), k -> 20_000 + random.nextInt(10_000));
      while (taken.contains(p)) {
        p++;
      }
      taken.add(p);
      next.put(n.bind(), p + 1);
      return p;
    }
  }

  private static Map<String, String> emptyToNull(Map<String, String> m) {
    return m.isEmpty() ? null : m;
  }

  /** Every node's name for its first static IPv6 address, as its IPv4 one is named (Mininet's habit, both families). */
  private static Map<String, String> nameTable6(Topology topo) {
    Map<String, String> names = new LinkedHashMap<>();
    for (NodeSpec n : topo.nodes()) {
      for (IfaceSpec i : n.interfaces()) {
        if (!i.addresses6().isEmpty()) {
          names.put(n.name(), emu.node.wire.Ipv6Cidr.parse(i.addresses6().get(0)).address().toString());
          break;
        }
      }
    }
    return names;
  }

  /** Every host and router answers to its node name (first address), as in Mininet. */
  private static Map<String, String> nameTable(Topology topo) {
    Map<String, String> names = new LinkedHashMap<>();
    for (NodeSpec n : topo.nodes()) {
      for (IfaceSpec i : n.interfaces()) {
        if (i.address() != null) {
          names.put(n.name(), emu.node.wire.Ipv4Address.format(Ipv4Cidr.parse(i.address()).address()));
          break;
        }
      }
    }
    return names;
  }

  /**
   * The DHCP server's configuration with static bindings by node name turned into one binding per
   * MAC of that node's interfaces without a static IPv4 address (those that can ask: emu's
   * {@code address: dhcp}, or a linux node's interface where udhcpc may run), or of every
   * interface if it has none such. Only the interface on the server's segment will ask; an
   * interface with a fixed address never does, and binding its MAC too would make the server see
   * the address bound to another client (a home router's LAN side) and offer it to nobody.
   */
  private static DhcpConfig dhcp(DhcpConfig c, Topology topo, Map<String, String> macOf) {
    if (c == null) {
      return null;
    }
    DhcpConfig out = c.statics() == null ? c : c.withStatics(byMac(c.statics(), topo, macOf));
    if (c.relayed() != null) {
      // a relayed scope's clients are bound the same way, by every MAC of the node named
      out = out.withRelayed(c.relayed().stream().map(r -> dhcp(r, topo, macOf)).toList());
    }
    return out;
  }

  private static Map<String, String> byMac(Map<String, String> statics, Topology topo, Map<String, String> macOf) {
    Map<String, String> byMac = new LinkedHashMap<>();
    statics.forEach((who, ip) -> {
      NodeSpec named = topo.nodes().stream().filter(n -> n.name().equals(who)).findFirst().orElse(null);
      if (named == null) {
        byMac.put(who, ip);
      } else {
        List<IfaceSpec> asking = named.interfaces().stream().filter(i -> i.address() == null).toList();
        (asking.isEmpty() ? named.interfaces() : asking)
            .forEach(i -> byMac.put(macOf.get(named.name() + ":" + i.name()), ip));
      }
    });
    return byMac;
  }

  private static String generatedMac(int node, int iface, Set<Long> taken) {
    long mac;
    int salt = 0;
    do {
      mac = 0x02_00_00_00_00_00L | ((long) salt << 24) | ((long) (node & 0xFFFF) << 8) | (iface & 0xFF);
      salt++;
    } while (taken.contains(mac));
    taken.add(mac);
    return MacAddress.format(mac);
  }

  /**
   * A node's own key, which the control plane signs its requests to that node with and the node
   * proves its answers with (emu.node.mgmt.MgmtAuth): 32 bytes from a CSPRNG, even with
   * {@code --seed} (a seed is there to make runs repeatable, not keys guessable), as hex. One per
   * node, so that a node's key opens no other node, and never the lab's API token, which opens the
   * control API.
   */
  public static String newNodeKey() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static String newToken() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
