package emu.control.topology;

import emu.link.wire.MacAddress;
import emu.node.wire.Ipv4Address;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry point for reading a Containerlab-style topology file: parses, validates everything and
 * either returns a ready-to-launch {@link Topology} or throws with every problem found.
 */
public final class TopologyLoader {
  private TopologyLoader() {}

  /** Reads and validates {@code file} (UTF-8). A missing or unreadable file throws IOException. */
  public static Topology load(Path file) throws TopologyException, IOException {
    return load(file, List.of());
  }

  /**
   * As {@link #load(Path)}, the zone and content files it names allowed under {@code allowFiles}
   * as well as under its own folder ({@code --allow-files}).
   */
  public static Topology load(Path file, List<Path> allowFiles) throws TopologyException, IOException {
    byte[] bytes = Files.readAllBytes(file);
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new TopologyException(List.of(new Problem(file, 1, 1, "the file is not UTF-8 text")));
    }
    return parse(file, text, allowFiles);
  }

  /** Validates YAML text; {@code nameForMessages} is the file name problems (and the result) carry. */
  public static Topology parse(Path nameForMessages, String yamlText) throws TopologyException {
    return parse(nameForMessages, yamlText, List.of());
  }

  /** As {@link #parse(Path, String)}, files under {@code allowFiles} allowed too. */
  public static Topology parse(Path nameForMessages, String yamlText, List<Path> allowFiles)
      throws TopologyException {
    Diagnostics diag = new Diagnostics(nameForMessages, allowFiles);
    String text = yamlText.startsWith("\uFEFF") ? yamlText.substring(1) : yamlText;
    YamlNode root = YamlReader.read(text, diag);
    Draft.Lab lab = root == null ? null : new LabBinder(diag).bind(root);
    if (lab != null) {
      new LinkResolver(diag, lab).run();
      StpBinder.checkPorts(lab, diag);
      VlanBinder.checkPorts(lab, diag);
      new AddressPlan(diag, lab).run();
      DhcpBinder.checkStaticNodes(lab, diag);
      DhcpBinder.checkRoutesBack(lab, diag);
      Impairments.checkEffective(lab, diag);
      new FaultPlan(diag, lab).run();
      SwitchLoops.warn(lab, diag);
    }
    if (diag.hasErrors() || lab == null) {
      throw new TopologyException(diag.errors());
    }
    return build(nameForMessages, lab, diag.warnings());
  }

  private static Topology build(Path file, Draft.Lab lab, List<String> warnings) {
    List<NodeSpec> nodes = new ArrayList<>();
    for (Draft.Node n : lab.nodes.values()) {
      // VLAN subinterfaces after every other interface: a node makes each on its parent's
      List<Draft.Iface> ordered = new ArrayList<>(n.ifaces.stream().filter(i -> i.parent == null).toList());
      ordered.addAll(n.ifaces.stream().filter(i -> i.parent != null).toList());
      List<IfaceSpec> ifaces = ordered.stream().map(i -> new IfaceSpec(i.name,
          i.address == null ? null : i.address.toString(),
          i.mac == null ? null : MacAddress.format(i.mac),
          i.portAt == null ? null : i.portAt.integer().intValue(),
          i.mtu, i.impairments, i.peer, i.addresses6.stream().map(Object::toString).toList(), i.ipv6Mode, i.dhcp, i.dhcpClientAt != null,
          i.nat))
          .toList();
      List<RouteSpec> routes = new ArrayList<>();
      n.routes.forEach(r -> routes.add(new RouteSpec(r.to().toString(), Ipv4Address.format(r.via()), r.metric())));
      n.routes6.forEach(r -> routes.add(new RouteSpec(r.to().toString(), r.via().toString(), r.metric())));
      nodes.add(new NodeSpec(n.name, n.kind, ifaces, n.gateway == null ? null : Ipv4Address.format(n.gateway),
          routes, n.hosts, n.bind, n.mgmtPortAt == null ? null : n.mgmtPortAt.integer().intValue(), n.key.line(),
          n.tcp, n.services, n.nameservers.stream().map(Object::toString).toList(), n.dnsZones,
          n.dnsForward == null ? null : n.dnsForward.toString(), n.https, n.host,
          n.gateway6 == null ? null : n.gateway6.toString(), n.hosts6, n.ospf, n.macTableSize, n.stp,
          VlanBinder.vlans(n), n.isSwitch() ? StormBinder.perPort(n) : null));
    }
    List<LinkSpec> links =
        lab.links.stream().map(l -> new LinkSpec(l.a, l.b, l.mtu, l.at.line(), l.impairments, l.framing, l.vni))
            .toList();
    return new Topology(file, lab.name, nodes, links, lab.scenario, warnings, lab.faults,
        new java.util.ArrayList<>(lab.hosts.values()));
  }
}
