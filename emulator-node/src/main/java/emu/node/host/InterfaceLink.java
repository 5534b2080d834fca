package emu.node.host;

import emu.link.DisconnectedEndpoint;
import emu.link.LinkEndpoint;
import emu.link.capture.CapturingEndpoint;
import emu.link.capture.LiveTap;
import emu.link.capture.PcapWriter;
import emu.link.impair.ImpairedEndpoint;
import emu.link.impair.Impairment;
import emu.link.impair.ImpairmentParser;
import emu.link.time.TimeSource;
import emu.link.tunnel.ReceiveMode;
import emu.link.tunnel.UdpLinkEndpoint;
import emu.node.config.HostPort;
import emu.node.config.NodeConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One interface's link endpoint chain, outermost first: impairment (egress faults) -> live tap
 * ({@code emu capture}) -> capture file (both record what actually goes on the wire, as tcpdump
 * sees packets after a qdisc) -> the UDP socket. An interface that is not linked has a
 * {@link DisconnectedEndpoint} instead. A VLAN subinterface ({@code eth0.10}) has no chain of its
 * own: its endpoint is the stack's {@link emu.node.stack.VlanEndpoint} over its parent's, set once
 * the stack made it ({@code parent} names the parent, {@code vid} its VLAN).
 */
final class InterfaceLink {
  final NodeConfig.Iface config;
  final UdpLinkEndpoint udp;
  final PcapWriter pcap;
  final LiveTap tap;
  final ImpairedEndpoint impaired;
  /** Final but for a subinterface's, which the stack makes after the links. */
  LinkEndpoint endpoint;
  /** A subinterface's parent link, or null. */
  final InterfaceLink parent;
  /** A subinterface's VLAN, else 0. */
  final int vid;

  private InterfaceLink(NodeConfig.Iface config, UdpLinkEndpoint udp, PcapWriter pcap, LiveTap tap,
                        ImpairedEndpoint impaired, LinkEndpoint endpoint) {
    this(config, udp, pcap, tap, impaired, endpoint, null, 0);
  }

  private InterfaceLink(NodeConfig.Iface config, UdpLinkEndpoint udp, PcapWriter pcap, LiveTap tap,
                        ImpairedEndpoint impaired, LinkEndpoint endpoint, InterfaceLink parent, int vid) {
    this.parent = parent;
    this.vid = vid;
    this.config = config;
    this.udp = udp;
    this.pcap = pcap;
    this.tap = tap;
    this.impaired = impaired;
    this.endpoint = endpoint;
  }

  static InterfaceLink create(NodeConfig node, NodeConfig.Iface i, Path out, TimeSource time) throws IOException {
    String name = node.name() + ":" + i.name();
    int mtu = i.mtu() > 0 ? i.mtu() : 1500;
    if (i.peer() == null) {
      return new InterfaceLink(i, null, null, null, null, new DisconnectedEndpoint(name, mtu));
    }
    UdpLinkEndpoint udp = new UdpLinkEndpoint(name, HostPort.parse(i.bind()), HostPort.parse(i.peer()), mtu,
        i.vni() == null ? UdpLinkEndpoint.RAW : i.vni(),
        i.receive() == null ? ReceiveMode.GRO : ReceiveMode.valueOf(i.receive().toUpperCase(java.util.Locale.ROOT)));
    LinkEndpoint ep = udp;
    PcapWriter pcap = null;
    if (node.capture()) {
      // on disk within 200 ms, so that a capture can be followed while the lab runs
      pcap = new PcapWriter(out.resolve(node.name() + "-" + i.name() + ".pcap"), time,
          TimeUnit.MILLISECONDS.toNanos(200));
      ep = new CapturingEndpoint(udp, pcap, time);
    }
    LiveTap tap = new LiveTap(ep, time);
    ImpairedEndpoint impaired = new ImpairedEndpoint(tap, time, node.seed() ^ name.hashCode());
    if (i.impairments() != null && !i.impairments().isEmpty()) {
      impaired.impairment(ImpairmentParser.apply(Impairment.NONE, i.impairments()));
    }
    return new InterfaceLink(i, udp, pcap, tap, impaired, impaired);
  }

  /**
   * The link of interface {@code i} of {@code node}, whose interfaces before it are {@code links}:
   * its parent's, as a VLAN subinterface, or its own.
   */
  static InterfaceLink of(NodeConfig node, NodeConfig.Iface i, List<InterfaceLink> links, Path out, TimeSource time)
      throws IOException {
    InterfaceLink parent = vlanParent(node, i, links);
    return parent == null ? create(node, i, out, time) : subinterface(i, parent, vlanId(i));
  }

  /**
   * The link of the interface {@code i} is a VLAN subinterface of ({@code eth0} for
   * {@code eth0.10}, when the node has an {@code eth0} listed before it), or null. The name says it,
   * as Linux's convention for VLAN devices does; the control plane checked the rest.
   */
  private static InterfaceLink vlanParent(NodeConfig node, NodeConfig.Iface i, List<InterfaceLink> links) {
    int dot = i.name().lastIndexOf('.');
    if (dot < 0) {
      return null;
    }
    String parentName = i.name().substring(0, dot);
    for (InterfaceLink l : links) {
      if (l.name().equals(parentName)) {
        if (node.isSwitch() || l.parent != null) {
          throw new IllegalArgumentException("interface " + i.name() + " of " + node.name() + ": "
              + (l.parent != null ? parentName + " is itself a subinterface" : "a switch has no VLAN subinterfaces"));
        }
        return l;
      }
    }
    throw new IllegalArgumentException("interface " + i.name() + " of " + node.name() + ": no interface "
        + parentName + " listed before it to be its parent");
  }

  private static int vlanId(NodeConfig.Iface i) {
    String digits = i.name().substring(i.name().lastIndexOf('.') + 1);
    try {
      return Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("interface " + i.name() + ": '" + digits + "' is not a VLAN number", e);
    }
  }

  /** A VLAN subinterface of {@code parent}: the stack gives it its endpoint. */
  static InterfaceLink subinterface(NodeConfig.Iface i, InterfaceLink parent, int vid) {
    return new InterfaceLink(i, null, null, null, null, null, parent, vid);
  }

  /** The UDP socket that carries this interface's frames: its own, or its parent's. */
  UdpLinkEndpoint wire() {
    return parent == null ? udp : parent.udp;
  }

  String name() {
    return config.name();
  }
}
