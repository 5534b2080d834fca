package emu.node.trace;

import emu.node.event.Packet;
import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.TcpOptions;
import emu.node.wire.TcpSegment;
import emu.node.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;

/**
 * Reads a packet's facts off its bytes for an event: the IPv4 header and the transport header's
 * fields, with the checked views (untrusted bytes: a header that does not parse gives
 * {@code malformed}, never an exception). Only called while tracing; allocates freely.
 */
public final class PacketFacts {
  private PacketFacts() {}

  /** The IPv4 packet whose header starts at {@code ipStart} of {@code buf}. */
  public static Packet ipv4(ByteBuf buf, int ipStart) {
    Ipv4Packet ip = new Ipv4Packet().wrap(buf, ipStart);
    if (ip.check() != Ipv4Packet.Check.OK) {
      return new Packet(null, null, 0, 0, 0, 0, 0, 0, true, null, null, null);
    }
    String src = Ipv4Address.format(ip.src());
    String dst = Ipv4Address.format(ip.dst());
    int at = ip.payloadIndex();
    int len = ip.payloadLength();
    Packet.Icmp icmp = null;
    Packet.Udp udp = null;
    Packet.Tcp tcp = null;
    boolean malformed = false;
    if (ip.fragmentOffset() == 0) {
      switch (ip.protocol()) {
        case Ipv4Packet.PROTO_ICMP -> {
          IcmpPacket i = new IcmpPacket().wrap(buf, at, len);
          if (i.check()) {
            boolean echo = i.type() == IcmpPacket.TYPE_ECHO_REQUEST || i.type() == IcmpPacket.TYPE_ECHO_REPLY;
            icmp = new Packet.Icmp(i.type(), i.code(), echo ? i.ident() : null, echo ? i.seq() : null);
          } else {
            malformed = true;
          }
        }
        case Ipv4Packet.PROTO_UDP -> {
          UdpDatagram u = new UdpDatagram().wrap(buf, at, len);
          if (u.check()) {
            udp = new Packet.Udp(u.srcPort(), u.dstPort(), u.payloadLength());
          } else {
            malformed = true;
          }
        }
        case Ipv4Packet.PROTO_TCP -> {
          tcp = tcp(buf, at, len);
          malformed = tcp == null;
        }
        default -> { }
      }
    }
    return new Packet(src, dst, ip.protocol(), ip.ttl(), ip.ident(), ip.totalLength(), ip.headerLength(),
        ip.fragmentOffset(),
        malformed, icmp, udp, tcp);
  }

  private static Packet.Tcp tcp(ByteBuf buf, int at, int len) {
    TcpSegment t = new TcpSegment().wrap(buf, at, len);
    if (t.check() != TcpSegment.Check.OK) {
      return null;
    }
    TcpOptions o = new TcpOptions();
    boolean opts = t.optionsLength() > 0 && o.parse(buf, t.optionsIndex(), t.optionsLength());
    return new Packet.Tcp(t.srcPort(), t.dstPort(), TcpSegment.flagString(t.flags()),
        Integer.toUnsignedLong(t.seq()), t.hasFlags(TcpSegment.ACK) ? Integer.toUnsignedLong(t.ack()) : null,
        t.window(), opts && o.hasMss() ? o.mss() : null, opts && o.sackPermitted(),
        opts && o.hasTimestamps() ? Integer.toUnsignedLong(o.tsVal()) : null,
        opts && o.hasTimestamps() ? Integer.toUnsignedLong(o.tsEcr()) : null,
        opts && o.hasWindowScale() ? o.windowScale() : null, opts ? o.sackCount() : 0, t.payloadLength());
  }
}
