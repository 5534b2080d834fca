package emu.node.nat;

import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Puts back what {@link Nat}'s inbound translation changed in a packet, for the router's own ICMP
 * errors about it (RFC 5508 4.2: the error quotes what its sender sent, and no inside address
 * leaves): the packet translated last, remembered as it arrived, while it is still being forwarded
 * (its TTL ran out, no route, too big); one held since for its next hop's address, by its mapping
 * (host unreachable). Runs on the node's event loop, like the translator.
 */
final class NatUndo {
  private static final int PROTO_ICMP = Ipv4Packet.PROTO_ICMP;
  private static final int PROTO_TCP = Ipv4Packet.PROTO_TCP;
  private static final int PROTO_UDP = Ipv4Packet.PROTO_UDP;

  private final List<NatTable> outsides;
  private final Ipv4Packet ip = new Ipv4Packet();
  /** The packet {@link Nat#prerouting} translated inward last, as it arrived, until the next one comes. */
  private ByteBuf undoFrame;
  private int undoStart;
  /** Its protocol (TCP, UDP, ICMP echo), or -1 for a later fragment (address only). */
  private int undoProto;
  private int undoDst;
  private int undoDstPort;
  /** The hairpinned packet's own source (0 if not a hairpin) and port. */
  private int undoSrc;
  private int undoSrcPort;

  NatUndo(List<NatTable> outsides) {
    this.outsides = outsides;
  }

  /** A new packet arrives: the one remembered is no longer being forwarded. */
  void forget() {
    undoFrame = null;
  }

  /** {@link Nat#prerouting} translated this packet inward; it arrived with these addresses and ports. */
  void remember(ByteBuf frame, int ipStart, int proto, int dst, int dstPort, int src, int srcPort) {
    undoFrame = frame;
    undoStart = ipStart;
    undoProto = proto;
    undoDst = dst;
    undoDstPort = dstPort;
    undoSrc = src;
    undoSrcPort = srcPort;
  }

  /** See {@link Nat#undoInbound}. */
  void undo(ByteBuf frame, int ipStart) {
    if (frame != undoFrame || ipStart != undoStart) {
      undoHeld(frame, ipStart);
      return;
    }
    undoFrame = null;
    ip.wrap(frame, ipStart);
    int l4 = ip.payloadIndex();
    int len = ip.payloadLength();
    if (undoProto == PROTO_TCP || undoProto == PROTO_UDP) {
      NatRewrite.rewriteL4(ip, undoProto, l4, len, undoDst, undoDstPort, false);
      if (undoSrc != 0) {
        NatRewrite.rewriteL4(ip, undoProto, l4, len, undoSrc, undoSrcPort, true);
      }
    } else {
      NatRewrite.rewriteDst(ip, undoDst);
      if (undoProto == PROTO_ICMP) {
        NatRewrite.rewriteIcmpIdent(frame, l4, undoDstPort);
      }
    }
  }

  /**
   * {@link #undo} for a packet translated inward earlier and held since: it waited for its
   * next hop's address, which never came, and the error about it (host unreachable) comes seconds
   * later, when other packets have passed. Found by its mapping: the inside endpoint it is
   * addressed to, whose last remote endpoint is its source (set when it was translated), as
   * Linux finds the connection an error relates to. Left as it is when nothing says it was
   * translated: a later fragment, a hairpinned packet (its source was rewritten too, so it is not
   * its mapping's remote), a packet between inside hosts, or one of two outside clients of one
   * port forward when the other's packet came after it.
   */
  private void undoHeld(ByteBuf frame, int ipStart) {
    ip.wrap(frame, ipStart);
    if (ip.fragmentOffset() != 0 || outsides.isEmpty()) {
      return;
    }
    int proto = ip.protocol();
    int l4 = ip.payloadIndex();
    int len = ip.payloadLength();
    int port;
    int srcPort;
    if ((proto == PROTO_TCP || proto == PROTO_UDP) && len >= 4) {
      srcPort = frame.getUnsignedShort(l4);
      port = frame.getUnsignedShort(l4 + 2);
    } else if (proto == PROTO_ICMP && len >= IcmpPacket.HEADER_LEN
        && frame.getUnsignedByte(l4) == IcmpPacket.TYPE_ECHO_REPLY) {
      srcPort = 0;
      port = frame.getUnsignedShort(l4 + IcmpPacket.IDENT);
    } else {
      return;
    }
    long key = Nat.internalKey(proto, ip.dst(), port);
    for (NatTable o : outsides) {
      NatMapping m = o.byInternal.get(key);
      if (m != null && m.remoteIp == ip.src() && m.remotePort == srcPort && o.nic.ip() != 0) {
        if (proto == PROTO_ICMP) {
          NatRewrite.rewriteDst(ip, o.nic.ip());
          NatRewrite.rewriteIcmpIdent(frame, l4, m.externalPort);
        } else {
          NatRewrite.rewriteL4(ip, proto, l4, len, o.nic.ip(), m.externalPort, false);
        }
        return;
      }
    }
  }
}
