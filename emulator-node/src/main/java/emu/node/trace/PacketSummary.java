package emu.node.trace;

import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.TcpOptions;
import emu.node.wire.TcpSegment;
import emu.node.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;

/**
 * One-line, tcpdump-like descriptions of packets for the narrative. Only called when tracing
 * is on; allocates freely.
 */
public final class PacketSummary {
  private PacketSummary() {}

  /** E.g. {@code 192.168.1.100 > 192.168.5.100: ICMP echo request, id 7, seq 1, length 64}. */
  public static String ipv4(ByteBuf buf, int ipStart) {
    Ipv4Packet ip = new Ipv4Packet().wrap(buf, ipStart);
    if (ip.check() != Ipv4Packet.Check.OK) {
      return "malformed IPv4";
    }
    return Ipv4Address.format(ip.src()) + " > " + Ipv4Address.format(ip.dst()) + ": " + l4(ip);
  }

  /** The transport part: protocol, ports or ICMP type, length. */
  public static String l4(Ipv4Packet ip) {
    ByteBuf buf = ip.buffer();
    int at = ip.payloadIndex();
    int len = ip.payloadLength();
    if (ip.isFragment() && ip.fragmentOffset() != 0) {
      return "IP fragment (proto " + ip.protocol() + "), offset " + ip.fragmentOffset() + ", length " + len;
    }
    switch (ip.protocol()) {
      case Ipv4Packet.PROTO_ICMP -> {
        IcmpPacket icmp = new IcmpPacket().wrap(buf, at, len);
        if (!icmp.check()) {
          return "ICMP (truncated)";
        }
        return "ICMP " + icmpName(icmp.type(), icmp.code())
            + (icmp.type() == IcmpPacket.TYPE_ECHO_REQUEST || icmp.type() == IcmpPacket.TYPE_ECHO_REPLY
                ? ", id " + icmp.ident() + ", seq " + icmp.seq() : "")
            + ", length " + len;
      }
      case Ipv4Packet.PROTO_UDP -> {
        UdpDatagram udp = new UdpDatagram().wrap(buf, at, len);
        if (!udp.check()) {
          return "UDP (malformed)";
        }
        return "UDP " + udp.srcPort() + " > " + udp.dstPort() + ", length " + udp.payloadLength();
      }
      case Ipv4Packet.PROTO_TCP -> {
        return tcp(buf, at, len);
      }
      default -> {
        return "IP protocol " + ip.protocol() + ", length " + len;
      }
    }
  }

  /**
   * A TCP segment as tcpdump prints it (absolute sequence numbers): {@code TCP 40321 > 443 [S],
   * seq 123, win 65535, options [mss 1460,sackOK,TS val 1 ecr 0,wscale 7], length 0}.
   */
  static String tcp(ByteBuf buf, int at, int len) {
    TcpSegment t = new TcpSegment().wrap(buf, at, len);
    if (t.check() != TcpSegment.Check.OK) {
      return "TCP (malformed)";
    }
    StringBuilder sb = new StringBuilder("TCP ").append(t.srcPort()).append(" > ").append(t.dstPort())
        .append(" [").append(TcpSegment.flagString(t.flags())).append("]");
    if (t.sequenceLength() > 0 || t.hasFlags(TcpSegment.SYN)) {
      sb.append(", seq ").append(Integer.toUnsignedString(t.seq()));
      if (t.payloadLength() > 0) {
        sb.append(':').append(Integer.toUnsignedString(t.seq() + t.payloadLength()));
      }
    }
    if (t.hasFlags(TcpSegment.ACK)) {
      sb.append(", ack ").append(Integer.toUnsignedString(t.ack()));
    }
    sb.append(", win ").append(t.window());
    TcpOptions o = new TcpOptions();
    if (t.optionsLength() > 0 && o.parse(buf, t.optionsIndex(), t.optionsLength()) && !o.isEmpty()) {
      java.util.List<String> parts = new java.util.ArrayList<>();
      if (o.hasMss()) {
        parts.add("mss " + o.mss());
      }
      if (o.sackPermitted()) {
        parts.add("sackOK");
      }
      if (o.hasTimestamps()) {
        parts.add("TS val " + Integer.toUnsignedString(o.tsVal()) + " ecr " + Integer.toUnsignedString(o.tsEcr()));
      }
      if (o.hasWindowScale()) {
        parts.add("wscale " + o.windowScale());
      }
      if (o.sackCount() > 0) {
        parts.add("sack " + o.sackCount());
      }
      sb.append(", options [").append(String.join(",", parts)).append(']');
    }
    return sb.append(", length ").append(t.payloadLength()).toString();
  }

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
