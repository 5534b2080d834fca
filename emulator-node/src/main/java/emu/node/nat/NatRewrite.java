package emu.node.nat;

import emu.node.wire.Checksum;
import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;

/**
 * The NAT's rewrites, in place on the packet: addresses and ports with the IP header's and the
 * transport's checksums updated incrementally (RFC 1624; a UDP checksum of zero means none and
 * stays so, RFC 768), an echo identifier, and the packet an ICMP error quotes (RFC 5508).
 */
final class NatRewrite {
  private NatRewrite() {}

  static void rewriteSrc(Ipv4Packet ip, int addr) {
    int old = ip.src();
    ip.src(addr);
    ip.checksum(addressUpdate(ip.checksum(), old, addr));
  }

  static void rewriteDst(Ipv4Packet ip, int addr) {
    int old = ip.dst();
    ip.dst(addr);
    ip.checksum(addressUpdate(ip.checksum(), old, addr));
  }

  /**
   * Rewrites the source ({@code source}) or destination address and port of the TCP or UDP packet
   * in {@code ip}, with the IP header's and the transport's checksums (the pseudo-header holds
   * the address). A UDP checksum of zero means none and stays so (RFC 768).
   */
  static void rewriteL4(Ipv4Packet ip, int proto, int l4, int len, int addr, int port, boolean source) {
    ByteBuf b = ip.buffer();
    int oldAddr = source ? ip.src() : ip.dst();
    int portAt = l4 + (source ? 0 : 2);
    int oldPort = b.getUnsignedShort(portAt);
    if (source) {
      rewriteSrc(ip, addr);
    } else {
      rewriteDst(ip, addr);
    }
    b.setShort(portAt, port);
    int sumAt = l4 + (proto == Ipv4Packet.PROTO_TCP ? 16 : 6);
    int sum = b.getUnsignedShort(sumAt);
    if (proto == Ipv4Packet.PROTO_UDP && sum == 0) {
      return;
    }
    sum = Checksum.update(addressUpdate(sum, oldAddr, addr), oldPort, port);
    b.setShort(sumAt, proto == Ipv4Packet.PROTO_UDP && sum == 0 ? 0xFFFF : sum);
  }

  static void rewriteIcmpIdent(ByteBuf b, int l4, int ident) {
    int old = b.getUnsignedShort(l4 + IcmpPacket.IDENT);
    b.setShort(l4 + IcmpPacket.IDENT, ident);
    b.setShort(l4 + IcmpPacket.CHECKSUM, Checksum.update(b.getUnsignedShort(l4 + IcmpPacket.CHECKSUM), old, ident));
  }

  /**
   * Rewrites the quoted packet of an ICMP error: its source ({@code source}) or destination
   * becomes {@code addr}:{@code port}, its header checksum and, when quoted, its transport
   * checksum follow. Returns the port it had.
   */
  static int translateQuoted(ByteBuf b, int q, int qL4, int end, boolean source, int addr, int port) {
    int addrAt = q + (source ? 12 : 16);
    int oldAddr = b.getInt(addrAt);
    b.setInt(addrAt, addr);
    b.setShort(q + 10, addressUpdate(b.getUnsignedShort(q + 10), oldAddr, addr));
    int proto = b.getUnsignedByte(q + 9);
    int portAt;
    int sumAt;
    if (proto == Ipv4Packet.PROTO_ICMP) {
      portAt = qL4 + IcmpPacket.IDENT;
      sumAt = qL4 + IcmpPacket.CHECKSUM;
    } else {
      portAt = qL4 + (source ? 0 : 2);
      sumAt = qL4 + (proto == Ipv4Packet.PROTO_TCP ? 16 : 6);
    }
    int oldPort = b.getUnsignedShort(portAt);
    b.setShort(portAt, port);
    if (sumAt + 2 <= end) {
      int sum = b.getUnsignedShort(sumAt);
      if (!(proto == Ipv4Packet.PROTO_UDP && sum == 0)) {
        if (proto != Ipv4Packet.PROTO_ICMP) {
          sum = addressUpdate(sum, oldAddr, addr);
        }
        sum = Checksum.update(sum, oldPort, port);
        b.setShort(sumAt, proto == Ipv4Packet.PROTO_UDP && sum == 0 ? 0xFFFF : sum);
      }
    }
    return oldPort;
  }

  /** True if an ICMP error's data from {@code q} to {@code end} holds an IPv4 header and 8 bytes after it. */
  static boolean quotes(ByteBuf b, int q, int end) {
    if (end - q < Ipv4Packet.MIN_HEADER_LEN + 8) {
      return false;
    }
    int verIhl = b.getUnsignedByte(q);
    int ihl = (verIhl & 0x0F) * 4;
    return verIhl >>> 4 == 4 && ihl >= Ipv4Packet.MIN_HEADER_LEN && end - q >= ihl + 8
        && (b.getUnsignedShort(q + 6) & 0x1FFF) == 0; // the quoted packet's start, where the ports are
  }

  static void fillIcmpChecksum(ByteBuf b, int l4, int len) {
    b.setShort(l4 + IcmpPacket.CHECKSUM, 0);
    b.setShort(l4 + IcmpPacket.CHECKSUM, Checksum.compute(b, l4, len));
  }

  static int addressUpdate(int sum, int oldAddr, int newAddr) {
    return Checksum.update(Checksum.update(sum, oldAddr >>> 16, newAddr >>> 16), oldAddr & 0xFFFF, newAddr & 0xFFFF);
  }

  static boolean isError(int type) {
    return type == IcmpPacket.TYPE_DEST_UNREACHABLE || type == IcmpPacket.TYPE_TIME_EXCEEDED
        || type == IcmpPacket.TYPE_PARAMETER_PROBLEM;
  }
}
