package emu.control.lab;

import emu.control.topology.HttpsSpec;
import emu.control.topology.IfaceSpec;
import emu.control.topology.LinkSpec;
import emu.control.topology.NodeSpec;
import emu.control.topology.RouteSpec;
import emu.control.topology.Topology;
import emu.link.wire.MacAddress;
import emu.node.config.DnsConfig;
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

/**
 * Turns a validated {@link Topology} into a {@link LabPlan}: one {@link NodeConfig} per node
 * with its link sockets (local and peer UDP addresses), MACs, routes, name table, management
 * port and the lab token.
 *
 * <p>MACs not pinned in the file are locally administered and readable:
 * {@code 02:00:00:NN:NN:II}, with NN the node's position in the file (from 1) and II the
 * interface's position (from 0), so a capture tells at a glance which node sent a frame.
 */
public final class LabPlanner {
  private LabPlanner() {}

  /**
   * @param parentPid the control process the nodes must not outlive, or null for a lab that
   *     keeps running after the command ends ({@code up})
   */
  public static LabPlan plan(Topology topo, Path stateDir, Path outDir, long seed, boolean capture,
                             boolean trace, Long parentPid, PortAllocator ports) throws IOException {
    String token = newToken();
    Map<String, Integer> boundPorts = new HashMap<>();
    for (NodeSpec n : topo.nodes()) {
      for (IfaceSpec i : n.interfaces()) {
        if (isLinked(topo, n.name(), i.name())) {
          boundPorts.put(n.name() + ":" + i.name(), ports.udp(n.bind(), i.port(), n.name() + ":" + i.name()));
        }
      }
    }
    Map<String, Integer> mgmtPorts = new HashMap<>();
    for (NodeSpec n : topo.nodes()) {
      mgmtPorts.put(n.name(), ports.tcp(n.bind(), n.mgmtPort(), n.name() + " (management)"));
    }
    Map<String, String> peers = new HashMap<>();
    for (LinkSpec l : topo.links()) {
      String a = l.a().toString();
      String b = l.b().toString();
      peers.put(a, topo.node(l.b().node()).bind() + ":" + boundPorts.get(b));
      peers.put(b, topo.node(l.a().node()).bind() + ":" + boundPorts.get(a));
    }
    Map<String, Integer> linkMtu = new HashMap<>();
    for (LinkSpec l : topo.links()) {
      if (l.mtu() != null) {
        linkMtu.put(l.a().toString(), l.mtu());
        linkMtu.put(l.b().toString(), l.mtu());
      }
    }
    Map<String, String> names = nameTable(topo);
    Set<Long> pinnedMacs = new HashSet<>();
    topo.nodes().forEach(n -> n.interfaces().forEach(i -> {
      if (i.mac() != null) {
        pinnedMacs.add(MacAddress.parse(i.mac()).bits());
      }
    }));
    boolean tls = topo.nodes().stream().anyMatch(n -> n.https() != null);
    LabSecrets secrets = tls ? new LabSecrets(topo.name(), stateDir, outDir) : null;
    List<PlannedNode> nodes = new ArrayList<>();
    int index = 0;
    for (NodeSpec n : topo.nodes()) {
      index++;
      List<NodeConfig.Iface> ifaces = new ArrayList<>();
      int ifIndex = 0;
      for (IfaceSpec i : n.interfaces()) {
        String key = n.name() + ":" + i.name();
        String mac = i.mac() != null ? MacAddress.parse(i.mac()).toString() : generatedMac(index, ifIndex, pinnedMacs);
        int mtu = i.mtu() != null ? i.mtu() : linkMtu.getOrDefault(key, 1500);
        Integer port = boundPorts.get(key);
        Map<String, String> impairments = topo.effectiveImpairments(n.name(), i.name());
        ifaces.add(new NodeConfig.Iface(i.name(), mac, i.address(), mtu,
            port == null ? null : n.bind() + ":" + port, peers.get(key),
            impairments.isEmpty() ? null : impairments));
        ifIndex++;
      }
      List<NodeConfig.StaticRoute> routes = new ArrayList<>();
      for (RouteSpec r : n.routes()) {
        routes.add(new NodeConfig.StaticRoute(r.to(), r.via(), r.metric()));
      }
      Map<String, String> hosts = new LinkedHashMap<>(names);
      hosts.putAll(n.hosts());
      NodeConfig cfg = new NodeConfig(topo.name(), n.name(), n.kind(), ifaces, routes, n.gateway(),
          n.isSwitch() ? null : hosts,
          new NodeConfig.Management(n.bind(), mgmtPorts.get(n.name()), token), outDir.toString(), capture, trace,
          20_000, seed, parentPid, n.tcp().isEmpty() ? null : n.tcp(), n.services().isEmpty() ? null : n.services(),
          n.nameserver(), dnsConfig(n), httpsConfig(n, secrets),
          secrets != null && !n.isSwitch() ? secrets.trustPem() : null);
      nodes.add(new PlannedNode(n.name(), n.kind(), cfg, stateDir.resolve(n.name() + ".json"),
          outDir.resolve(n.name() + ".log")));
    }
    return new LabPlan(topo, token, seed, stateDir, outDir, nodes);
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
    return new HttpsConfig(h.port(), h.names(), content, h.tls(), h.provider(), cred.keyPem(), cred.certChainPem());
  }

  private static boolean isLinked(Topology topo, String node, String iface) {
    for (LinkSpec l : topo.links()) {
      if ((l.a().node().equals(node) && l.a().iface().equals(iface))
          || (l.b().node().equals(node) && l.b().iface().equals(iface))) {
        return true;
      }
    }
    return false;
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

  private static String newToken() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
