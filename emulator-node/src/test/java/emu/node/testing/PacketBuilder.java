package emu.node.testing;

import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.node.wire.ArpPacket;
import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Builds raw frames for injection, as byte arrays, through the project's own wire views (so
 * every checksum is right unless a test breaks it on purpose with {@link #corrupt}). Fluent and
 * mutable; {@link #frame()} may be called more than once.
 */
public final class PacketBuilder {
  /** A MAC no lab node uses, for frames from "outside". */
  public static final long STRANGER_MAC = 0x02_00_00_00_99_99L;

  private long ethDst = MacAddress.BROADCAST_BITS;
  private long ethSrc = STRANGER_MAC;
  private final int src;
  private final int dst;
  private int ttl = 64;
  private int ident = 0x1234;
  private int tos;
  private int flagsFragment;
  private int protocol = Ipv4Packet.PROTO_UDP;
  private byte[] l4 = new byte[0];
  private int udpSrcPort = -1;
  private int udpDstPort;
  private byte[] udpPayload;

  private PacketBuilder(int src, int dst) {
    this.src = src;
    this.dst = dst;
  }

  public static PacketBuilder ipv4(String src, String dst) {
    return new PacketBuilder(Ipv4Address.parse(src), Ipv4Address.parse(dst));
  }

  public PacketBuilder eth(long dstMac, long srcMac) {
    this.ethDst = dstMac;
    this.ethSrc = srcMac;
    return this;
  }

  public PacketBuilder ttl(int ttl) {
    this.ttl = ttl;
    return this;
  }

  public PacketBuilder ident(int ident) {
    this.ident = ident;
    return this;
  }

  public PacketBuilder tos(int tos) {
    this.tos = tos;
    return this;
  }

  public PacketBuilder dontFragment() {
    this.flagsFragment |= Ipv4Packet.FLAG_DF;
    return this;
  }

  /** The raw flags/fragment-offset word (offset in 8-byte units). */
  public PacketBuilder flagsFragment(int word) {
    this.flagsFragment = word;
    return this;
  }

  /** ICMP echo request with {@code dataLen} bytes of data. */
  public PacketBuilder icmpEcho(int echoIdent, int seq, int dataLen) {
    return icmp(IcmpPacket.TYPE_ECHO_REQUEST, 0, (echoIdent << 16) | seq, new byte[dataLen]);
  }

  /** Any ICMP message; the checksum is filled in. */
  public PacketBuilder icmp(int type, int code, int rest, byte[] data) {
    ByteBuf b = Unpooled.buffer(IcmpPacket.HEADER_LEN + data.length);
    try {
      b.writeZero(IcmpPacket.HEADER_LEN).writeBytes(data);
      new IcmpPacket.Repr(type, code, rest).emit(new IcmpPacket().wrap(b, 0, b.readableBytes()));
      return payload(Ipv4Packet.PROTO_ICMP, toArray(b));
    } finally {
      b.release();
    }
  }

  /** A UDP datagram; its checksum covers the pseudo-header and is computed when built. */
  public PacketBuilder udp(int srcPort, int dstPort, byte[] payload) {
    this.protocol = Ipv4Packet.PROTO_UDP;
    this.udpSrcPort = srcPort;
    this.udpDstPort = dstPort;
    this.udpPayload = payload;
    return this;
  }

  /** Raw transport bytes under {@code protocol}, used as they are. */
  public PacketBuilder payload(int protocol, byte[] bytes) {
    this.protocol = protocol;
    this.l4 = bytes;
    this.udpSrcPort = -1;
    return this;
  }

  /** The IPv4 packet (header and payload), checksums valid. */
  public byte[] packet() {
    byte[] transport = l4;
    if (udpSrcPort >= 0) {
      ByteBuf u = Unpooled.buffer(UdpDatagram.HEADER_LEN + udpPayload.length);
      try {
        u.writeZero(UdpDatagram.HEADER_LEN).writeBytes(udpPayload);
        new UdpDatagram.Repr(udpSrcPort, udpDstPort, udpPayload.length)
            .emit(new UdpDatagram().wrap(u, 0, u.readableBytes()), src, dst);
        transport = toArray(u);
      } finally {
        u.release();
      }
    }
    ByteBuf b = Unpooled.buffer(Ipv4Packet.MIN_HEADER_LEN + transport.length);
    try {
      b.writeZero(Ipv4Packet.MIN_HEADER_LEN).writeBytes(transport);
      Ipv4Packet p = new Ipv4Packet().wrap(b, 0);
      new Ipv4Packet.Repr(src, dst, protocol, ttl, ident, false, tos, transport.length).emit(p);
      p.flagsFragment(flagsFragment).fillChecksum();
      return toArray(b);
    } finally {
      b.release();
    }
  }

  /** The packet in an Ethernet II frame. */
  public byte[] frame() {
    return ethernet(ethDst, ethSrc, EthernetFrame.ETHERTYPE_IPV4, packet());
  }

  /** An Ethernet II frame around any payload. */
  public static byte[] ethernet(long dstMac, long srcMac, int etherType, byte[] payload) {
    ByteBuf b = Unpooled.buffer(EthernetFrame.HEADER_LEN + payload.length);
    try {
      b.writeZero(EthernetFrame.HEADER_LEN).writeBytes(payload);
      new EthernetFrame().wrap(b).dst(dstMac).src(srcMac).etherType(etherType);
      return toArray(b);
    } finally {
      b.release();
    }
  }

  /** An ARP frame (Ethernet/IPv4). */
  public static byte[] arp(long ethDst, int op, long senderMac, String senderIp, long targetMac, String targetIp) {
    ByteBuf b = Unpooled.buffer(ArpPacket.LEN);
    try {
      b.writeZero(ArpPacket.LEN);
      new ArpPacket.Repr(op, senderMac, Ipv4Address.parse(senderIp), targetMac, Ipv4Address.parse(targetIp))
          .emit(new ArpPacket().wrap(b, 0));
      return ethernet(ethDst, senderMac, EthernetFrame.ETHERTYPE_ARP, toArray(b));
    } finally {
      b.release();
    }
  }

  /** A copy of {@code frame} with the byte at {@code offset} set to {@code value}. */
  public static byte[] corrupt(byte[] frame, int offset, int value) {
    byte[] c = frame.clone();
    c[offset] = (byte) value;
    return c;
  }

  /** A copy of {@code frame} with the 16-bit big-endian word at {@code offset} set. */
  public static byte[] corrupt16(byte[] frame, int offset, int value) {
    byte[] c = frame.clone();
    c[offset] = (byte) (value >>> 8);
    c[offset + 1] = (byte) value;
    return c;
  }

  /** The first {@code length} bytes of {@code frame}. */
  public static byte[] truncate(byte[] frame, int length) {
    return java.util.Arrays.copyOf(frame, length);
  }

  /** Recomputes the IPv4 header checksum of the packet at {@code ipStart} (after a deliberate edit). */
  public static byte[] refreshIpChecksum(byte[] frame, int ipStart) {
    ByteBuf b = Unpooled.wrappedBuffer(frame.clone());
    try {
      new Ipv4Packet().wrap(b, ipStart).fillChecksum();
      return toArray(b);
    } finally {
      b.release();
    }
  }

  private static byte[] toArray(ByteBuf b) {
    byte[] a = new byte[b.readableBytes()];
    b.getBytes(b.readerIndex(), a);
    return a;
  }
}
