package emu.node.trace;

import emu.node.event.Packet;
import emu.node.wire.IcmpPacket;
import emu.node.wire.Icmpv6Packet;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.Ipv6Extensions;
import emu.node.wire.Ipv6Packet;
import emu.node.wire.OspfLsUpdate;
import emu.node.wire.OspfPacket;
import emu.node.wire.TcpOptions;
import emu.node.wire.TcpSegment;
import emu.node.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;

/**
 * Reads a packet's facts off its bytes for an event: the IP header and the transport header's
 * fields, with the checked views (untrusted bytes: a header that does not parse gives
 * {@code malformed}, never an exception). Only called while tracing; allocates freely.
 */
public final class PacketFacts {
  private PacketFacts() {}

  /** The IPv4 packet whose header starts at {@code ipStart} of {@code buf}. */
  public static Packet ipv4(ByteBuf buf, int ipStart) {
    Ipv4Packet ip = new Ipv4Packet().wrap(buf, ipStart);
    if (ip.check() != Ipv4Packet.Check.OK) {
      return new Packet(4, null, null, 0, 0, 0, 0, 0, 0, true, null, null, null, null);
    }
    String src = Ipv4Address.format(ip.src());
    String dst = Ipv4Address.format(ip.dst());
    int at = ip.payloadIndex();
    int len = ip.payloadLength();
    Packet.Icmp icmp = null;
    Packet.Udp udp = null;
    Packet.Tcp tcp = null;
    Packet.Ospf ospf = null;
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
        case OspfPacket.PROTOCOL -> {
          ospf = ospf(buf, at, len);
          malformed = ospf == null;
        }
        default -> { }
      }
    }
    return new Packet(4, src, dst, ip.protocol(), ip.ttl(), ip.ident(), ip.totalLength(), ip.headerLength(),
        ip.fragmentOffset(),
        malformed, icmp, udp, tcp, null, ospf);
  }

  /** The IPv6 packet whose header starts at {@code ipStart} of {@code buf}, its extension headers walked. */
  public static Packet ipv6(ByteBuf buf, int ipStart) {
    Ipv6Packet ip = new Ipv6Packet().wrap(buf, ipStart);
    if (ip.check() != Ipv6Packet.Check.OK) {
      return new Packet(6, null, null, 0, 0, 0, 0, 0, 0, true, null, null, null, null);
    }
    String src = ip.src().toString();
    String dst = ip.dst().toString();
    Ipv6Extensions ext = new Ipv6Extensions();
    if (ext.walk(buf, ipStart, ip.dst().isMulticast()) != Ipv6Extensions.Result.OK) {
      return new Packet(6, src, dst, ip.nextHeader(), ip.hopLimit(), 0, ip.totalLength(), Ipv6Packet.HEADER_LEN, 0,
          true, null, null, null, null);
    }
    int at = ext.payloadIndex();
    int len = ipStart + ip.totalLength() - at;
    int protocol = ext.protocol();
    Packet.Icmp icmp = null;
    Packet.Udp udp = null;
    Packet.Tcp tcp = null;
    int id = 0;
    boolean malformed = false;
    // a first fragment (more to come) holds only the start of its transport header's packet:
    // its fields are read, the lengths and checksums that need the whole packet are not checked
    boolean part = ext.hasFragmentHeader() && !ext.isAtomicFragment();
    if (ext.fragmentOffset() == 0) {
      switch (protocol) {
        case Ipv6Extensions.ICMPV6 -> {
          Icmpv6Packet i = new Icmpv6Packet().wrap(buf, at, len);
          if (i.check()) {
            boolean echo = i.type() == Icmpv6Packet.TYPE_ECHO_REQUEST || i.type() == Icmpv6Packet.TYPE_ECHO_REPLY;
            icmp = new Packet.Icmp(i.type(), i.code(), echo ? i.ident() : null, echo ? i.seq() : null);
            id = i.checksum();
          } else {
            malformed = true;
          }
        }
        case Ipv6Extensions.UDP -> {
          UdpDatagram u = new UdpDatagram().wrap(buf, at, len);
          if (u.check() || part && len >= UdpDatagram.HEADER_LEN) {
            udp = new Packet.Udp(u.srcPort(), u.dstPort(), Math.max(0, u.payloadLength()));
            id = u.checksum();
          } else {
            malformed = true;
          }
        }
        case Ipv6Extensions.TCP -> {
          tcp = tcp(buf, at, len);
          malformed = tcp == null;
          id = malformed ? 0 : new TcpSegment().wrap(buf, at, len).checksum();
        }
        default -> { }
      }
    }
    return new Packet(6, src, dst, protocol, ip.hopLimit(), id, ip.totalLength(), at - ipStart, ext.fragmentOffset(),
        malformed, icmp, udp, tcp, ext.hasFragmentHeader() ? Integer.toUnsignedLong(ext.identification()) : null);
  }

  /** The IP packet at {@code ipStart}, either version. */
  public static Packet ip(ByteBuf buf, int ipStart) {
    return ipStart < buf.writerIndex() && (buf.getUnsignedByte(ipStart) >>> 4) == 6 ? ipv6(buf, ipStart)
        : ipv4(buf, ipStart);
  }

  /** The OSPFv2 header's facts, or null if {@link OspfPacket#check} refuses the packet. */
  private static Packet.Ospf ospf(ByteBuf buf, int at, int len) {
    OspfPacket o = new OspfPacket().wrap(buf, at, len);
    if (o.check() != OspfPacket.Check.OK) {
      return null;
    }
    Integer lsas = o.type() == OspfPacket.TYPE_LS_UPDATE ? new OspfLsUpdate().wrap(o).lsaCount() : null;
    return new Packet.Ospf(o.type(), Ipv4Address.format(o.routerId()), lsas);
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
