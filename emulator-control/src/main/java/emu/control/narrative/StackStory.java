package emu.control.narrative;

import emu.node.event.ArpEvent;
import emu.node.event.BridgeEvent;
import emu.node.event.IcmpEvent;
import emu.node.event.IpEvent;
import emu.node.event.LinkEvent;
import emu.node.event.RouteInfo;
import emu.node.event.TcpEvent;
import emu.node.event.UdpEvent;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import java.util.List;
import java.util.Locale;

/** The words for the data path: links, Ethernet, ARP, IPv4, ICMP, UDP, TCP, switches. */
final class StackStory implements LinkEvent.Visitor<String>, IpEvent.Visitor<String>, ArpEvent.Visitor<String>,
    IcmpEvent.Visitor<String>, UdpEvent.Visitor<String>, TcpEvent.Visitor<String>, BridgeEvent.Visitor<String> {
  private final StpStory stp = new StpStory();

  // ---- links ----

  @Override
  public String state(LinkEvent.State e) {
    return "link " + e.dev() + " is " + (e.up() ? "up" : "down (no carrier)");
  }

  @Override
  public String impairment(LinkEvent.Impairment e) {
    return e.words().isEmpty() ? "impairment on " + e.dev() + " cleared"
        : "impairment on " + e.dev() + " egress now " + Words.netem(e.words());
  }

  // ---- Ethernet and IPv4 ----

  @Override
  public String frameSent(IpEvent.FrameSent e) {
    return "frames it: Ethernet " + e.srcMac() + " > " + e.dstMac()
        + (e.packet().version() == 6 ? ", IPv6 (EtherType 0x86dd), " : ", IPv4, ") + e.bytes() + " bytes ["
        + PacketText.ipv4(e.packet()) + "]; " + (e.vlan() == null ? "transmits on " + e.dev()
        : "adds an 802.1Q tag (EtherType 0x8100, VLAN " + e.vlan() + ") and transmits on " + e.dev() + "'s link "
        + lower(e.dev()));
  }

  /** The interface a VLAN subinterface ({@code eth0.10}) sends through ({@code eth0}). */
  private static String lower(String dev) {
    int dot = dev.lastIndexOf('.');
    return dot < 0 ? dev : dev.substring(0, dot);
  }

  @Override
  public String received(IpEvent.Received e) {
    boolean v6 = e.packet().version() == 6;
    return "receives a frame on " + e.dev() + " from " + e.srcMac() + " to " + (e.toOwnMac() ? "its own MAC " : "")
        + e.dstMac() + (e.vlan() == null ? "" : " tagged VLAN " + e.vlan() + " on " + lower(e.dev())
        + "; removes the 802.1Q tag") + "; strips the Ethernet header: " + (v6 ? "IPv6 [" : "IPv4 [")
        + PacketText.ipv4(e.packet())
        + "], " + (v6 ? "hop limit " : "TTL ") + e.packet().ttl() + (e.forMe() ? "; the destination is this node" : "");
  }

  @Override
  public String encapsulated(IpEvent.Encapsulated e) {
    var p = e.packet();
    if (p.version() == 6) {
      return "encapsulates: " + PacketText.transport(p) + " inside an IPv6 header " + p.src() + " > " + p.dst()
          + " (hop limit " + p.ttl() + ", " + p.length() + " bytes)";
    }
    return "encapsulates: " + PacketText.transport(p) + " inside an IPv4 header " + p.src() + " > " + p.dst()
        + " (TTL " + p.ttl() + ", id " + p.id() + ", " + p.length() + " bytes)";
  }

  @Override
  public String routeDecision(IpEvent.RouteDecision e) {
    if (e.route() == null) {
      return "routing decision for " + e.dst() + ": no route matches (no default gateway either)";
    }
    RouteInfo r = e.route();
    String own = e.ownAddress() == null ? "(no address)" : e.ownAddress();
    String why;
    if (e.dst().indexOf(':') >= 0) {
      why = Ipv6Story.why(e, own);
    } else if (e.direct()) {
      why = e.dst() + " is on my own subnet " + r.prefix() + " (my address " + own
          + "): deliver directly, ARP for the destination itself";
    } else if (e.ownAddress() != null && masked(e.ownAddress(), e.dst()) != null) {
      why = "my address " + own + masked(e.ownAddress(), e.dst())
          + ": different subnets, so I cannot reach it directly; send to "
          + (r.isDefault() ? "my default gateway " : "the gateway ") + r.gateway()
          + " and ARP for the gateway, not for the destination";
    } else {
      why = "send to the gateway " + r.gateway();
    }
    return "routing decision for " + e.dst() + ": matched '" + Words.route(r) + "'; " + why;
  }

  @Override
  public String forwarded(IpEvent.Forwarded e) {
    return "routes " + e.dst() + ": longest match '" + Words.route(e.route()) + "'; TTL " + e.ttlBefore() + " -> "
        + e.ttlAfter() + ", header checksum " + hex16(e.checksumBefore()) + " -> " + hex16(e.checksumAfter())
        + " (updated incrementally); forwards out " + e.out() + " to "
        + (e.route().gateway() != null ? "next router " : "the destination itself ") + e.nextHop();
  }

  @Override
  public String dropped(IpEvent.Dropped e) {
    if (e.dst() != null) {
      return "dropped a packet for " + e.dst() + ": " + Words.drop(e.reason());
    }
    return "dropped" + (e.dev() == null ? "" : " on " + e.dev()) + ": " + Words.drop(e.reason());
  }

  // ---- ARP ----

  @Override
  public String heard(ArpEvent.Heard e) {
    if (e.op() == ArpEvent.Op.REPLY) {
      return "hears ARP reply on " + e.dev() + ": " + e.senderIp() + " is-at " + e.senderMac();
    }
    if (e.senderIp().equals(e.targetIp())) {
      return "hears gratuitous ARP on " + e.dev() + ": " + e.senderIp() + " is-at " + e.senderMac();
    }
    return "hears ARP request on " + e.dev() + ": who-has " + e.targetIp() + " tell " + e.senderIp()
        + (e.forMe() ? " (that is me)" : " (not me)");
  }

  @Override
  public String requestSent(ArpEvent.RequestSent e) {
    return "ARP request on " + e.dev() + ": who-has " + e.targetIp() + " tell " + e.senderIp()
        + (e.broadcast() ? " (broadcast to ff:ff:ff:ff:ff:ff: every device on the subnet receives it)"
            : " (unicast re-check to " + e.unicastMac() + ")");
  }

  @Override
  public String announced(ArpEvent.Announced e) {
    return "gratuitous ARP on " + e.dev() + ": " + e.ip() + " is-at " + e.mac();
  }

  @Override
  public String replySent(ArpEvent.ReplySent e) {
    return "ARP reply on " + e.dev() + " to " + e.to() + ": " + e.ip() + " is-at " + e.mac();
  }

  @Override
  public String neighbor(ArpEvent.NeighborChanged e) {
    return (e.ip().indexOf(':') >= 0 ? "neighbour cache: " : "ARP cache: ") + e.ip() + " on " + e.dev() + " "
        + (e.from() == null ? "new" : e.from().name()) + " -> " + e.to().name()
        + (e.mac() == null ? "" : " (" + e.mac() + ")");
  }

  // ---- ICMP, UDP, TCP ----

  @Override
  public String echoAnswered(IcmpEvent.EchoAnswered e) {
    return "answers ICMP echo request from " + e.to() + " (id " + e.ident() + ", seq " + e.sequence()
        + ") with an echo reply";
  }

  @Override
  public String errorSent(IcmpEvent.ErrorSent e) {
    return "sends ICMP " + PacketText.icmpName(e.icmpType(), e.icmpCode()) + " to " + e.to() + " about ["
        + PacketText.ipv4(e.about()) + "]";
  }

  @Override
  public String delivered(UdpEvent.Delivered e) {
    return "delivers UDP " + e.src() + ":" + e.srcPort() + " > port " + e.dstPort() + " (" + e.bytes()
        + " bytes) to its socket";
  }

  @Override
  public String stateChanged(TcpEvent.StateChanged e) {
    return "TCP " + e.local() + " > " + e.remote() + " " + e.from().ssName() + " -> " + e.to().ssName() + ": "
        + Words.tcpCause(e);
  }

  // ---- switches ----

  @Override
  public String forwarded(BridgeEvent.Forwarded e) {
    String s = "switches frame " + e.srcMac() + " > " + e.dstMac() + inVlan(e.vlan()) + " from " + e.in() + " to "
        + e.out() + " (destination MAC learned there)";
    if (e.fromPriorityTag()) {
      s += Boolean.TRUE.equals(e.taggedOut()) ? "; sets VLAN " + e.vlan() + " in its priority tag (VID 0) on trunk "
          + e.out() : "; removes its priority tag (VID 0) for " + e.out() + ", which carries VLAN " + e.vlan()
          + " untagged";
    } else if (e.tagAdded()) {
      s += "; tags the frame with VLAN " + e.vlan() + " on trunk " + e.out();
    } else if (e.tagRemoved()) {
      s += "; removes the VLAN " + e.vlan() + " tag for " + e.out() + ", which carries VLAN " + e.vlan() + " untagged";
    }
    return s;
  }

  @Override
  public String learned(BridgeEvent.Learned e) {
    return (e.moved() ? "relearns " : "learns ") + e.mac() + " is behind port " + e.port() + inVlan(e.vlan());
  }

  @Override
  public String flooded(BridgeEvent.Flooded e) {
    String s = "floods frame " + e.srcMac() + " > " + e.dstMac() + inVlan(e.vlan()) + " from " + e.in() + " to "
        + (e.out().isEmpty() ? "no port" : String.join(", ", e.out())) + " (" + Words.destinationKind(e.dstMac())
        + (e.vlan() != null ? ", the VLAN's other ports" : "") + ")";
    if (e.vlan() == null || e.taggedOut() == null) {
      return s;
    }
    if (e.fromPriorityTag()) { // it came with VID 0: every port changed it, setting the VID or removing the tag
      List<String> trunks = e.out().stream().filter(e.taggedOut()::contains).toList();
      List<String> untagged = e.out().stream().filter(p -> !e.taggedOut().contains(p)).toList();
      if (!trunks.isEmpty()) {
        s += "; sets VLAN " + e.vlan() + " in its priority tag (VID 0) on trunk" + (trunks.size() == 1 ? " " : "s ")
            + String.join(", ", trunks);
      }
      if (!untagged.isEmpty()) {
        s += "; removes its priority tag (VID 0) for " + String.join(", ", untagged) + ", which carr"
            + (untagged.size() == 1 ? "ies" : "y") + " VLAN " + e.vlan() + " untagged";
      }
      return s;
    }
    // The ports whose form differs from how the frame came in: the switch added or removed the tag there.
    List<String> changed = e.out().stream().filter(p -> e.taggedOut().contains(p) != Boolean.TRUE.equals(e.taggedIn()))
        .toList();
    if (!changed.isEmpty() && Boolean.TRUE.equals(e.taggedIn())) {
      s += "; removes the VLAN " + e.vlan() + " tag for " + String.join(", ", changed) + ", which carr"
          + (changed.size() == 1 ? "ies" : "y") + " VLAN " + e.vlan() + " untagged";
    } else if (!changed.isEmpty()) {
      s += "; tags the frame with VLAN " + e.vlan() + " on trunk" + (changed.size() == 1 ? " " : "s ")
          + String.join(", ", changed);
    }
    return s;
  }

  @Override
  public String vlanDropped(BridgeEvent.VlanDropped e) {
    return switch (e.reason()) {
      case "tagged-on-access" -> "drops a frame tagged VLAN " + e.vlan() + " arriving on access port " + e.port()
          + " (an access port takes untagged frames only)";
      case "double-tagged" -> "drops a double-tagged frame (outer VLAN " + e.vlan() + ") arriving on access port "
          + e.port() + ": VLAN hopping, the inner tag would carry it into another VLAN";
      case "priority-tagged" -> "drops a priority-tagged frame (VID 0) arriving on trunk " + e.port()
          + ", which has no native VLAN to put it in";
      case "reserved-vid" -> "drops a frame tagged VLAN 4095 arriving on " + e.port() + ": that VID is reserved";
      case "not-allowed" -> "drops a frame tagged VLAN " + e.vlan() + " arriving on trunk " + e.port()
          + ", which does not carry VLAN " + e.vlan();
      case "untagged-on-trunk" -> "drops an untagged frame arriving on trunk " + e.port() + ", which has no native"
          + " VLAN";
      case "truncated-tag" -> "drops a frame arriving on " + e.port() + " that ends inside its 802.1Q tag";
      default -> "drops a frame arriving on " + e.port() + " (" + e.reason() + ")";
    };
  }

  /** " in VLAN 10" on a VLAN-aware switch, else "". */
  private static String inVlan(Integer vlan) {
    return vlan == null ? "" : " in VLAN " + vlan;
  }

  // ---- spanning tree: told by StpStory ----

  @Override
  public String stpRoot(BridgeEvent.StpRoot e) {
    return stp.root(e);
  }

  @Override
  public String stpPort(BridgeEvent.StpPort e) {
    return stp.port(e);
  }

  @Override
  public String stpEdgeLost(BridgeEvent.StpEdgeLost e) {
    return stp.edgeLost(e);
  }

  @Override
  public String stpLegacy(BridgeEvent.StpLegacy e) {
    return stp.legacy(e);
  }

  @Override
  public String stpTopologyChange(BridgeEvent.StpTopologyChange e) {
    return stp.topologyChange(e);
  }

  @Override
  public String stpAged(BridgeEvent.StpAged e) {
    return stp.aged(e);
  }

  @Override
  public String stpDropped(BridgeEvent.StpDropped e) {
    return stp.dropped(e);
  }

  /**
   * {@code " is in NET; DST masked with MASK gives X"}: the comparison a host makes, or null if
   * the addresses do not parse (an event not written by an emu node).
   */
  private static String masked(String ownCidr, String dst) {
    try {
      Ipv4Cidr mine = Ipv4Cidr.parse(ownCidr);
      int mask = mine.mask();
      return " is in " + mine.networkCidr() + "; " + dst + " masked with " + Ipv4Address.format(mask) + " gives "
          + Ipv4Address.format(Ipv4Address.parse(dst) & mask);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String hex16(int v) {
    return String.format(Locale.ROOT, "0x%04x", v);
  }
}
