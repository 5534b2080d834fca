package emu.node.stack;

import emu.node.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;

/**
 * IPv4 fragmentation (RFC 791 section 3.2) of a packet larger than the egress MTU whose Don't
 * Fragment bit is clear. Each fragment is a new buffer; options are not copied (only the
 * fixed header is), which RFC 791 permits for options without the "copied" flag and which is
 * the only case emu's own stacks produce.
 */
final class Fragmenter {
  private Fragmenter() {}

  /** Sends {@code packet} (reader index at its IP header) as fragments; takes ownership. */
  static void fragment(NetworkStack stack, LinkOutput link, Nic out, int nextHop, ByteBuf packet) {
    Ipv4Packet ip = new Ipv4Packet().wrap(packet, packet.readerIndex());
    int payloadStart = ip.payloadIndex();
    int payloadLen = ip.payloadLength();
    int baseOffset = ip.fragmentOffset();
    boolean lastHasMf = ip.moreFragments();
    int chunk = ((out.mtu() - Ipv4Packet.MIN_HEADER_LEN) / 8) * 8;
    if (chunk < 8) {
      // An MTU below 28 cannot carry any fragment (links refuse MTUs below 68 anyway).
      stack.counters().drop(DropReason.MTU_EXCEEDED);
      packet.release();
      return;
    }
    for (int off = 0; off < payloadLen; off += chunk) {
      int len = Math.min(chunk, payloadLen - off);
      boolean more = off + len < payloadLen || lastHasMf;
      ByteBuf frag = stack.allocate(len);
      frag.writeBytes(packet, payloadStart + off, len);
      int ipStart = frag.readerIndex() - Ipv4Packet.MIN_HEADER_LEN;
      frag.readerIndex(ipStart);
      frag.setBytes(ipStart, packet, ip.start(), Ipv4Packet.MIN_HEADER_LEN);
      Ipv4Packet f = new Ipv4Packet().wrap(frag, ipStart);
      f.verIhl(Ipv4Packet.MIN_HEADER_LEN).totalLength(Ipv4Packet.MIN_HEADER_LEN + len)
          .flagsFragment((more ? Ipv4Packet.FLAG_MF : 0) | ((baseOffset + off) / 8))
          .fillChecksum();
      link.transmit(out, nextHop, frag);
    }
    packet.release();
  }
}
