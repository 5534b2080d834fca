package emu.control.narrative;

import emu.node.event.Packet;
import emu.node.wire.IcmpPacket;
import emu.node.wire.OspfPacket;
import java.util.ArrayList;
import java.util.List;

/**
 * Packets as tcpdump writes them (absolute sequence numbers):
 * {@code 192.168.1.100 > 192.168.5.100: TCP 40321 > 443 [S], seq 123, win 65535, options [mss
 * 1460,sackOK,TS val 1 ecr 0,wscale 7], length 0}.
 */
public final class PacketText {
  private PacketText() {}

  /** Addresses and the transport: {@code SRC > DST: ...}. */
  public static String ipv4(Packet p) {
    if (p.src() == null) {
      return "malformed IPv4";
    }
    return p.src() + " > " + p.dst() + ": " + transport(p);
  }

  /** The transport part alone: protocol, ports or ICMP type, length. */
  public static String transport(Packet p) {
    int payload = p.payloadLength();
    if (p.version() == 6 && p.fragmentId() != null) {
      // as tcpdump writes an IPv6 fragment: frag (offset|length), then the first one's transport
      String frag = "frag (" + p.fragmentOffset() + "|" + payload + ")";
      return p.fragmentOffset() != 0 ? frag : frag + " " + transport(new Packet(6, p.src(), p.dst(), p.protocol(),
          p.ttl(), p.id(), p.length(), p.headerLength(), 0, p.malformed(), p.icmp(), p.udp(), p.tcp(), null));
    }
    if (p.fragmentOffset() != 0) {
      return "IP fragment (proto " + p.protocol() + "), offset " + p.fragmentOffset() + ", length " + payload;
    }
    if (p.icmp() != null) {
      Packet.Icmp i = p.icmp();
      String echo = i.ident() != null ? ", id " + i.ident() + ", seq " + i.seq() : "";
      return p.version() == 6 ? "ICMP6, " + icmpv6Name(i.type(), i.code()) + echo + ", length " + payload
          : "ICMP " + icmpName(i.type(), i.code()) + echo + ", length " + payload;
    }
    if (p.udp() != null) {
      return "UDP " + p.udp().srcPort() + " > " + p.udp().dstPort() + ", length " + p.udp().length();
    }
    if (p.tcp() != null) {
      return tcp(p.tcp());
    }
    if (p.ospf() != null) {
      return ospf(p.ospf()) + ", length " + payload;
    }
    if (p.version() == 6 && p.protocol() == 58) {
      return "ICMP6 (truncated)";
    }
    return switch (p.protocol()) {
      case 1 -> "ICMP (truncated)";
      case 17 -> "UDP (malformed)";
      case 6 -> "TCP (malformed)";
      // as tcpdump names it; events written before packets carried their OSPF header have no type
      case 89 -> (p.malformed() ? "OSPFv2 (malformed)" : "OSPFv2") + ", length " + payload;
      default -> "IP protocol " + p.protocol() + ", length " + payload;
    };
  }

  /**
   * An OSPFv2 packet by its type, in tcpdump's words, and the router that sent it:
   * {@code OSPFv2 LS Update from 2.2.2.2 (3 LSAs)}.
   */
  static String ospf(Packet.Ospf o) {
    String s = "OSPFv2 " + OspfPacket.typeName(o.type()) + " from " + o.routerId();
    return o.lsas() == null ? s : s + " (" + o.lsas() + (o.lsas() == 1 ? " LSA)" : " LSAs)");
  }

  static String tcp(Packet.Tcp t) {
    StringBuilder sb = new StringBuilder("TCP ").append(t.srcPort()).append(" > ").append(t.dstPort())
        .append(" [").append(t.flags()).append("]");
    boolean syn = t.flags().contains("S");
    if (t.length() > 0 || syn || t.flags().contains("F")) {
      sb.append(", seq ").append(t.seq());
      if (t.length() > 0) {
        sb.append(':').append((t.seq() + t.length()) & 0xFFFFFFFFL);
      }
    }
    if (t.ack() != null) {
      sb.append(", ack ").append(t.ack());
    }
    sb.append(", win ").append(t.window());
    List<String> parts = new ArrayList<>();
    if (t.mss() != null) {
      parts.add("mss " + t.mss());
    }
    if (t.sackOk()) {
      parts.add("sackOK");
    }
    if (t.tsVal() != null) {
      parts.add("TS val " + t.tsVal() + " ecr " + t.tsEcr());
    }
    if (t.wscale() != null) {
      parts.add("wscale " + t.wscale());
    }
    if (t.sackBlocks() > 0) {
      parts.add("sack " + t.sackBlocks());
    }
    if (!parts.isEmpty()) {
      sb.append(", options [").append(String.join(",", parts)).append(']');
    }
    return sb.append(", length ").append(t.length()).toString();
  }

  /** An ICMPv6 type and code as tcpdump names them. */
  public static String icmpv6Name(int type, int code) {
    return switch (type) {
      case 1 -> switch (code) {
        case 0 -> "destination unreachable, unreachable route";
        case 1 -> "destination unreachable, unreachable prohibited";
        case 2 -> "destination unreachable, beyond scope";
        case 3 -> "destination unreachable, unreachable address";
        case 4 -> "destination unreachable, unreachable port";
        default -> "destination unreachable, code " + code;
      };
      case 2 -> "packet too big";
      case 3 -> code == 1 ? "time exceeded in-transit, reassembly timeout" : "time exceeded in-transit";
      case 4 -> "parameter problem";
      case 128 -> "echo request";
      case 129 -> "echo reply";
      case 133 -> "router solicitation";
      case 134 -> "router advertisement";
      case 135 -> "neighbor solicitation";
      case 136 -> "neighbor advertisement";
      case 137 -> "redirect";
      case 143 -> "multicast listener report v2";
      default -> "type " + type + " code " + code;
    };
  }

  /** An ICMP type and code as tcpdump names them. */
  public static String icmpName(int type, int code) {
    return switch (type) {
      case IcmpPacket.TYPE_ECHO_REPLY -> "echo reply";
      case IcmpPacket.TYPE_ECHO_REQUEST -> "echo request";
      case IcmpPacket.TYPE_TIME_EXCEEDED -> "time exceeded in-transit";
      case IcmpPacket.TYPE_DEST_UNREACHABLE -> switch (code) {
        case IcmpPacket.CODE_NET_UNREACHABLE -> "net unreachable";
        case IcmpPacket.CODE_HOST_UNREACHABLE -> "host unreachable";
        case IcmpPacket.CODE_PROTOCOL_UNREACHABLE -> "protocol unreachable";
        case IcmpPacket.CODE_PORT_UNREACHABLE -> "port unreachable";
        case IcmpPacket.CODE_FRAGMENTATION_NEEDED -> "need to frag";
        default -> "unreachable code " + code;
      };
      default -> "type " + type + " code " + code;
    };
  }
}
