package emu.node.ipv6;

import emu.node.wire.Icmpv6Packet;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Extensions;
import emu.node.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Hand-built Ethernet frames carrying IPv6 (NDP, ICMPv6 ...), for tests that play a forger on the link. */
final class NdpFrames {
  static final long FORGER_MAC = 0x02_66_00_00_00_01L;

  private NdpFrames() {}

  /** A frame from {@code srcMac}: IPv6 {@code src > dst}, then {@code upper}; an ICMPv6 upper gets its checksum. */
  static byte[] frame(long srcMac, long dstMac, Ipv6Address src, Ipv6Address dst, int hopLimit, int nextHeader,
                      byte[] upper) {
    ByteBuf b = Unpooled.buffer();
    writeMac(b, dstMac);
    writeMac(b, srcMac);
    b.writeShort(0x86DD);
    int ip = b.writerIndex();
    b.writeInt(0x6000_0000).writeShort(upper.length).writeByte(nextHeader).writeByte(hopLimit);
    b.writeBytes(src.bytes()).writeBytes(dst.bytes());
    int at = b.writerIndex();
    b.writeBytes(upper);
    int icmpAt = icmpStart(b, ip);
    if (icmpAt >= 0) {
      new Icmpv6Packet().wrap(b, icmpAt, b.writerIndex() - icmpAt)
          .fillChecksum(Ipv6Packet.pseudoHeader(src, dst, b.writerIndex() - icmpAt, Ipv6Extensions.ICMPV6));
    }
    byte[] out = new byte[b.readableBytes()];
    b.readBytes(out);
    return out;
  }

  /** Where ICMPv6 starts behind destination-options headers, or -1. */
  private static int icmpStart(ByteBuf b, int ip) {
    int next = b.getUnsignedByte(ip + Ipv6Packet.NEXT_HEADER);
    int at = ip + Ipv6Packet.HEADER_LEN;
    while (next == Ipv6Extensions.DESTINATION_OPTIONS && at + 2 <= b.writerIndex()) {
      next = b.getUnsignedByte(at);
      at += (b.getUnsignedByte(at + 1) + 1) * 8;
    }
    return next == Ipv6Extensions.ICMPV6 ? at : -1;
  }

  static long multicastMac(Ipv6Address group) {
    return group.multicastMac();
  }

  /** A router solicitation from {@code src} (with its link-layer address unless {@code src} is ::). */
  static byte[] rs(long srcMac, Ipv6Address src) {
    ByteBuf m = Unpooled.buffer();
    m.writeByte(Icmpv6Packet.TYPE_ROUTER_SOLICITATION).writeByte(0).writeShort(0).writeInt(0);
    if (!src.isUnspecified()) {
      lla(m, 1, srcMac);
    }
    return frame(srcMac, multicastMac(Ipv6Address.ALL_ROUTERS), src, Ipv6Address.ALL_ROUTERS, 255,
        Ipv6Extensions.ICMPV6, bytes(m));
  }

  /** One prefix information option. */
  record Prefix(String prefix, int length, boolean onLink, boolean autonomous, long valid, long preferred) {
    static Prefix slaac(String prefix, long valid, long preferred) {
      return new Prefix(prefix, 64, true, true, valid, preferred);
    }
  }

  /** A router advertisement from the link-local {@code router} at {@code mac} to all nodes. */
  static byte[] ra(long mac, Ipv6Address router, int routerLifetime, int curHopLimit, long mtu, Prefix... prefixes) {
    ByteBuf m = Unpooled.buffer();
    m.writeByte(Icmpv6Packet.TYPE_ROUTER_ADVERTISEMENT).writeByte(0).writeShort(0);
    m.writeByte(curHopLimit).writeByte(0).writeShort(routerLifetime).writeInt(0).writeInt(0);
    lla(m, 1, mac);
    if (mtu > 0) {
      m.writeByte(5).writeByte(1).writeShort(0).writeInt((int) mtu);
    }
    for (Prefix p : prefixes) {
      m.writeByte(3).writeByte(4).writeByte(p.length()).writeByte((p.onLink() ? 0x80 : 0) | (p.autonomous() ? 0x40 : 0));
      m.writeInt((int) p.valid()).writeInt((int) p.preferred()).writeInt(0);
      m.writeBytes(Ipv6Address.parse(p.prefix()).bytes());
    }
    return frame(mac, multicastMac(Ipv6Address.ALL_NODES), router, Ipv6Address.ALL_NODES, 255, Ipv6Extensions.ICMPV6,
        bytes(m));
  }

  /** A neighbour advertisement for {@code target} at {@code targetMac} (-1: without the option). */
  static byte[] na(long srcMac, long dstMac, Ipv6Address src, Ipv6Address dst, Ipv6Address target, int flags,
                   long targetMac) {
    ByteBuf m = Unpooled.buffer();
    m.writeByte(Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT).writeByte(0).writeShort(0);
    m.writeByte(flags).writeMedium(0).writeBytes(target.bytes());
    if (targetMac >= 0) {
      lla(m, 2, targetMac);
    }
    return frame(srcMac, dstMac, src, dst, 255, Ipv6Extensions.ICMPV6, bytes(m));
  }

  private static void lla(ByteBuf m, int type, long mac) {
    m.writeByte(type).writeByte(1);
    writeMac(m, mac);
  }

  private static void writeMac(ByteBuf b, long mac) {
    for (int i = 5; i >= 0; i--) {
      b.writeByte((int) (mac >>> (8 * i)));
    }
  }

  private static byte[] bytes(ByteBuf m) {
    byte[] out = new byte[m.readableBytes()];
    m.readBytes(out);
    return out;
  }
}
