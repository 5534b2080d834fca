package emu.node.testing;

import emu.node.trace.PacketFacts;
import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.node.wire.ArpPacket;
import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;

/**
 * A frame seen on a link, copied out of its buffer (so tests hold no ByteBuf) and decoded once:
 * Ethernet, then ARP or IPv4 with ICMP or UDP. Fields of layers the frame does not have are
 * absent ({@link #isArp()}, {@link #isIpv4()}, ... say which). Decoding uses the project's own
 * checked views, so a malformed frame is simply "not IPv4" rather than an exception.
 */
public final class CapturedFrame {
  /** Which way the frame crossed the endpoint it was recorded at. */
  public enum Direction { TX, RX }

  private final long atNanos;
  private final String where;
  private final Direction direction;
  private final byte[] bytes;

  private final long dstMac;
  private final long srcMac;
  private final int etherType;
  private final ArpPacket.Repr arp;
  private final Ipv4 ip;
  private final Icmp icmp;
  private final Udp udp;

  /** The IPv4 header as it was on the wire, with whether its header checksum verifies. */
  public record Ipv4(int src, int dst, int ttl, int protocol, int ident, int flagsFragment, int totalLength,
                     int headerLength, int checksum, boolean checksumValid) {
    public boolean dontFragment() {
      return (flagsFragment & Ipv4Packet.FLAG_DF) != 0;
    }

    public boolean moreFragments() {
      return (flagsFragment & Ipv4Packet.FLAG_MF) != 0;
    }

    /** Fragment offset in bytes. */
    public int fragmentOffset() {
      return (flagsFragment & Ipv4Packet.FRAG_OFFSET_MASK) * 8;
    }
  }

  /**
   * An ICMP message; for errors, the quoted datagram's addresses, protocol and (for UDP) ports,
   * -1 where the quote is too short to hold them.
   */
  public record Icmp(int type, int code, int ident, int seq, int length, boolean checksumValid,
                     int quotedSrc, int quotedDst, int quotedProtocol, int quotedSrcPort, int quotedDstPort,
                     int quotedIcmpType) {
    public boolean isError() {
      return type == IcmpPacket.TYPE_DEST_UNREACHABLE || type == IcmpPacket.TYPE_TIME_EXCEEDED
          || type == IcmpPacket.TYPE_PARAMETER_PROBLEM;
    }
  }

  /** A UDP header and whether its checksum verifies against the pseudo-header. */
  public record Udp(int srcPort, int dstPort, int length, boolean checksumValid) {}

  public CapturedFrame(long atNanos, String where, Direction direction, ByteBuf frame) {
    this(atNanos, where, direction, copy(frame));
  }

  public CapturedFrame(long atNanos, String where, Direction direction, byte[] bytes) {
    this.atNanos = atNanos;
    this.where = where;
    this.direction = direction;
    this.bytes = bytes;
    ByteBuf buf = Unpooled.wrappedBuffer(bytes);
    try {
      EthernetFrame eth = new EthernetFrame();
      if (!eth.wrapChecked(buf)) {
        dstMac = -1;
        srcMac = -1;
        etherType = -1;
        arp = null;
        ip = null;
        icmp = null;
        udp = null;
        return;
      }
      dstMac = eth.dst();
      srcMac = eth.src();
      etherType = eth.etherType();
      arp = etherType == EthernetFrame.ETHERTYPE_ARP ? decodeArp(buf) : null;
      Ipv4Packet p = new Ipv4Packet().wrap(buf, EthernetFrame.HEADER_LEN);
      if (etherType == EthernetFrame.ETHERTYPE_IPV4 && p.check() == Ipv4Packet.Check.OK) {
        ip = new Ipv4(p.src(), p.dst(), p.ttl(), p.protocol(), p.ident(), p.flagsFragment(), p.totalLength(),
            p.headerLength(), p.checksum(), p.checksumValid());
        boolean first = p.fragmentOffset() == 0;
        icmp = first && p.protocol() == Ipv4Packet.PROTO_ICMP ? decodeIcmp(buf, p) : null;
        udp = first && p.protocol() == Ipv4Packet.PROTO_UDP ? decodeUdp(buf, p) : null;
      } else {
        ip = null;
        icmp = null;
        udp = null;
      }
    } finally {
      buf.release();
    }
  }

  private static byte[] copy(ByteBuf frame) {
    byte[] b = new byte[frame.readableBytes()];
    frame.getBytes(frame.readerIndex(), b);
    return b;
  }

  private static ArpPacket.Repr decodeArp(ByteBuf buf) {
    ArpPacket a = new ArpPacket().wrap(buf, EthernetFrame.HEADER_LEN);
    return a.check() == ArpPacket.Check.OK ? ArpPacket.Repr.parse(a) : null;
  }

  private static Icmp decodeIcmp(ByteBuf buf, Ipv4Packet p) {
    IcmpPacket m = new IcmpPacket().wrap(buf, p.payloadIndex(), p.payloadLength());
    if (!m.check()) {
      return null;
    }
    int qSrc = -1;
    int qDst = -1;
    int qProto = -1;
    int qSport = -1;
    int qDport = -1;
    int qIcmpType = -1;
    if (m.isError() && m.dataLength() >= Ipv4Packet.MIN_HEADER_LEN) {
      Ipv4Packet q = new Ipv4Packet().wrap(buf, m.dataIndex());
      qSrc = q.src();
      qDst = q.dst();
      qProto = q.protocol();
      int qhl = q.headerLength();
      if (m.dataLength() >= qhl + 4) {
        qSport = buf.getUnsignedShort(m.dataIndex() + qhl);
        qDport = buf.getUnsignedShort(m.dataIndex() + qhl + 2);
        qIcmpType = buf.getUnsignedByte(m.dataIndex() + qhl);
      }
    }
    return new Icmp(m.type(), m.code(), m.ident(), m.seq(), m.length(), m.checksumValid(), qSrc, qDst, qProto,
        qProto == Ipv4Packet.PROTO_UDP ? qSport : -1, qProto == Ipv4Packet.PROTO_UDP ? qDport : -1,
        qProto == Ipv4Packet.PROTO_ICMP ? qIcmpType : -1);
  }

  private static Udp decodeUdp(ByteBuf buf, Ipv4Packet p) {
    UdpDatagram d = new UdpDatagram().wrap(buf, p.payloadIndex(), p.payloadLength());
    if (!d.check()) {
      return null;
    }
    return new Udp(d.srcPort(), d.dstPort(), d.length(), d.checksumValid(p.src(), p.dst()));
  }

  /** Virtual time at which the frame was recorded. */
  public long atNanos() {
    return atNanos;
  }

  /** The endpoint it was recorded at, e.g. {@code r1:eth1}. */
  public String where() {
    return where;
  }

  public Direction direction() {
    return direction;
  }

  /** A copy of the frame's bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  public int length() {
    return bytes.length;
  }

  /** -1 for a runt. */
  public long dstMac() {
    return dstMac;
  }

  /** -1 for a runt. */
  public long srcMac() {
    return srcMac;
  }

  /** -1 for a runt. */
  public int etherType() {
    return etherType;
  }

  public boolean isArp() {
    return arp != null;
  }

  /** The ARP packet, or null if this is not a well-formed ARP frame. */
  public ArpPacket.Repr arp() {
    return arp;
  }

  public boolean isArpRequest() {
    return arp != null && arp.operation() == ArpPacket.OP_REQUEST;
  }

  public boolean isArpReply() {
    return arp != null && arp.operation() == ArpPacket.OP_REPLY;
  }

  /** An ARP request for someone else's address (not a gratuitous announcement of our own). */
  public boolean isArpResolution() {
    return isArpRequest() && !arp.isGratuitous();
  }

  public boolean isIpv4() {
    return ip != null;
  }

  /** The IPv4 header, or null if this is not a well-formed IPv4 frame. */
  public Ipv4 ip() {
    return ip;
  }

  public boolean isIcmp() {
    return icmp != null;
  }

  /** The ICMP message, or null. */
  public Icmp icmp() {
    return icmp;
  }

  public boolean isUdp() {
    return udp != null;
  }

  /** The UDP header, or null. */
  public Udp udp() {
    return udp;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%.6f", atNanos / 1e9)).append(' ').append(where).append(' ').append(direction)
        .append(' ');
    if (dstMac < 0) {
      return sb.append("runt ").append(bytes.length).append(" bytes").toString();
    }
    sb.append(MacAddress.format(srcMac)).append(" > ").append(MacAddress.format(dstMac)).append(' ');
    if (arp != null) {
      if (arp.operation() == ArpPacket.OP_REQUEST) {
        sb.append("ARP who-has ").append(Ipv4Address.format(arp.targetIp())).append(" tell ")
            .append(Ipv4Address.format(arp.senderIp())).append(" (").append(MacAddress.format(arp.senderMac())).append(')');
      } else {
        sb.append("ARP reply ").append(Ipv4Address.format(arp.senderIp())).append(" is-at ")
            .append(MacAddress.format(arp.senderMac())).append(" to ").append(Ipv4Address.format(arp.targetIp()));
      }
    } else if (ip != null) {
      ByteBuf buf = Unpooled.wrappedBuffer(bytes);
      try {
        sb.append("IPv4 ttl ").append(ip.ttl()).append(ip.checksumValid() ? "" : " BAD-CKSUM").append(' ')
            .append(PacketFacts.ipv4(buf, EthernetFrame.HEADER_LEN));
      } finally {
        buf.release();
      }
    } else {
      sb.append(String.format("ethertype 0x%04x, %d bytes", etherType, bytes.length));
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CapturedFrame f && f.atNanos == atNanos && f.where.equals(where)
        && f.direction == direction && Arrays.equals(f.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }
}
