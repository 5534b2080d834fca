package emu.node.ipv6;

import emu.node.stack.DropReason;
import emu.node.stack.Listeners;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.stack.SendResult;
import emu.node.stack.TokenBucket;
import emu.node.wire.Icmpv6Packet;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Extensions;
import emu.node.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;

/**
 * ICMPv6 (RFC 4443): checks what arrives (length, checksum over the pseudo-header), answers echo
 * requests, hands neighbour discovery to {@link NeighborDiscovery}, echo replies and errors to
 * listeners (a packet too big lowers the path MTU first, for every protocol), and sends errors
 * under section 2.4's rules: never about an ICMPv6 error or a
 * redirect, nor about a packet from an address that is not a unicast host; about a multicast
 * packet only "packet too big" and an unrecognized option; quoting as much of the original as
 * fits in the minimum MTU; rate limited by a token bucket (1000 per second, burst 50, as IPv4's).
 */
final class Icmpv6 {
  private static final long RATE_PER_SECOND = 1000;
  private static final long BURST = 50;

  private final Ipv6Layer layer;
  private final NetworkStack stack;
  private final Ipv6Observer observer;
  private final Ipv6Packet ip = new Ipv6Packet();
  private final Ipv6Packet quoted = new Ipv6Packet();
  private final Icmpv6Packet icmp = new Icmpv6Packet();
  private final Icmpv6Packet built = new Icmpv6Packet();
  private final Ipv6Extensions ext = new Ipv6Extensions();
  private final Listeners<Icmpv6Listener> listeners = new Listeners<>(Icmpv6Listener[]::new);
  private final TokenBucket errors;

  Icmpv6(Ipv6Layer layer, NetworkStack stack, Ipv6Observer observer) {
    this.layer = layer;
    this.stack = stack;
    this.observer = observer;
    this.errors = new TokenBucket(stack.time(), RATE_PER_SECOND, BURST);
  }

  void addListener(Icmpv6Listener l) {
    listeners.add(l);
  }

  void removeListener(Icmpv6Listener l) {
    listeners.remove(l);
  }

  /** An ICMPv6 message for this node at {@code at} ({@code length} bytes) in the packet at {@code ipStart}; owns {@code buf}. */
  void input(Nic nic, ByteBuf buf, int ipStart, int at, int length) {
    ip.wrap(buf, ipStart);
    icmp.wrap(buf, at, length);
    if (!icmp.check()) {
      layer.drop(nic, buf, DropReason.ICMPV6_MALFORMED);
      return;
    }
    if (!icmp.checksumValid(Ipv6Packet.pseudoHeader(buf, ipStart, length, Ipv6Extensions.ICMPV6))) {
      layer.drop(nic, buf, DropReason.ICMPV6_BAD_CHECKSUM);
      return;
    }
    int type = icmp.type();
    if (type >= Icmpv6Packet.TYPE_ROUTER_SOLICITATION && type <= Icmpv6Packet.TYPE_REDIRECT) {
      layer.neighborDiscovery().input(nic, buf, ipStart, at, length);
      return;
    }
    if (type == Icmpv6Packet.TYPE_ECHO_REQUEST) {
      echoReply(nic);
    } else if (type == Icmpv6Packet.TYPE_ECHO_REPLY || icmp.isError()) {
      if (type == Icmpv6Packet.TYPE_PACKET_TOO_BIG) {
        layer.packetTooBig(ip.src(), icmp);
      }
      for (Icmpv6Listener l : listeners.array()) {
        try {
          l.onIcmpv6(ip, icmp);
        } catch (RuntimeException e) { // as Icmp: one failing listener must not starve the others
          layer.stack().internalError(nic, null, e, "in an ICMPv6 listener");
        }
      }
    }
    buf.release();
  }

  private void echoReply(Nic nic) {
    int len = icmp.length();
    ByteBuf reply = stack.allocate(len);
    reply.writeBytes(icmp.buffer(), icmp.start(), len);
    built.wrap(reply, reply.readerIndex(), len).type(Icmpv6Packet.TYPE_ECHO_REPLY).code(0);
    Ipv6Address to = ip.src();
    Ipv6Address dst = ip.dst();
    // answer from the address asked; a multicast request is answered from an address of ours
    Ipv6Address from = dst.isMulticast() ? null : dst;
    if (observer.enabled()) {
      observer.echoAnswered(to, icmp.ident(), icmp.seq());
    }
    layer.output().send(from, to, nic, Ipv6Extensions.ICMPV6, layer.hopLimit(), reply,
        (b, s, l, pseudo) -> built.wrap(b, s, l).fillChecksum(pseudo));
  }

  /**
   * Sends an error about the IPv6 packet at {@code ipStart} of {@code original} that arrived on
   * {@code in}, if RFC 4443 2.4 allows; {@code word} is the MTU or pointer field. Does not take
   * ownership of {@code original}. {@code l2Multicast}: it came in a multicast frame.
   */
  void sendError(ByteBuf original, int ipStart, Nic in, boolean l2Multicast, int type, int code, long word) {
    quoted.wrap(original, ipStart);
    Ipv6Address src = quoted.src();
    if (!src.isUnicast() || src.isLoopback()) {
      return;
    }
    boolean multicastPermitted = type == Icmpv6Packet.TYPE_PACKET_TOO_BIG
        || type == Icmpv6Packet.TYPE_PARAMETER_PROBLEM && code == Ipv6Extensions.UNRECOGNIZED_OPTION;
    if ((quoted.dst().isMulticast() || l2Multicast) && !multicastPermitted) {
      return;
    }
    if (isErrorOrRedirect(original, ipStart)) {
      return; // never an error about an error (2.4 e.1) or a redirect
    }
    if (!errors.take()) {
      layer.counters().icmpRateLimited++;
      return;
    }
    int avail = original.writerIndex() - ipStart;
    int quoteLen = Math.min(Math.min(quoted.totalLength(), avail),
        Ipv6Packet.MIN_MTU - Ipv6Packet.HEADER_LEN - Icmpv6Packet.HEADER_LEN);
    ByteBuf msg = stack.allocate(Icmpv6Packet.HEADER_LEN + quoteLen);
    msg.writeZero(Icmpv6Packet.HEADER_LEN);
    msg.writeBytes(original, ipStart, quoteLen);
    built.wrap(msg, msg.readerIndex(), msg.readableBytes()).type(type).code(code).word(word);
    layer.counters().icmpErrorsSent++;
    if (observer.enabled()) {
      observer.errorSent(type, code, src, original, ipStart);
    }
    // from the address the packet was sent to, if it is ours (2.2), else as routing chooses
    Ipv6Address from = layer.localAddress(quoted.dst()) != null ? quoted.dst() : null;
    layer.output().send(from, src, in, Ipv6Extensions.ICMPV6, layer.hopLimit(), msg,
        (b, s, l, pseudo) -> built.wrap(b, s, l).fillChecksum(pseudo));
  }

  /**
   * True if the packet carries an ICMPv6 error or redirect, behind whatever extension headers
   * (followed without judging them: the error may be about the chain itself). A later fragment,
   * whose upper header is elsewhere, or a chain too long or cut short, counts as not one.
   */
  private boolean isErrorOrRedirect(ByteBuf original, int ipStart) {
    int end = original.writerIndex();
    int next = original.getUnsignedByte(ipStart + Ipv6Packet.NEXT_HEADER);
    int at = ipStart + Ipv6Packet.HEADER_LEN;
    for (int i = 0; i <= Ipv6Extensions.MAX_HEADERS && at + 1 < end; i++) {
      switch (next) {
        case Ipv6Extensions.ICMPV6 -> {
          int t = original.getUnsignedByte(at);
          return t < 128 || t == Icmpv6Packet.TYPE_REDIRECT;
        }
        case Ipv6Extensions.HOP_BY_HOP, Ipv6Extensions.ROUTING, Ipv6Extensions.DESTINATION_OPTIONS -> {
          next = original.getUnsignedByte(at);
          at += (original.getUnsignedByte(at + 1) + 1) * 8;
        }
        case Ipv6Extensions.FRAGMENT -> {
          if (at + Ipv6Extensions.FRAGMENT_HEADER_LEN > end || (original.getUnsignedShort(at + 2) & 0xFFF8) != 0) {
            return false;
          }
          next = original.getUnsignedByte(at);
          at += Ipv6Extensions.FRAGMENT_HEADER_LEN;
        }
        default -> {
          return false;
        }
      }
    }
    return false;
  }

  /** Sends an echo request with {@code data} after the 8-byte header (ping). */
  SendResult sendEcho(Ipv6Address dst, Nic nic, int ident, int seq, int hopLimit, ByteBuf data) {
    ByteBuf msg = stack.allocate(Icmpv6Packet.HEADER_LEN + data.readableBytes());
    msg.writeZero(Icmpv6Packet.HEADER_LEN);
    msg.writeBytes(data);
    Icmpv6Packet echo = new Icmpv6Packet().wrap(msg, msg.readerIndex(), msg.readableBytes());
    echo.type(Icmpv6Packet.TYPE_ECHO_REQUEST).code(0).echo(ident, seq);
    return layer.output().send(null, dst, nic, Ipv6Extensions.ICMPV6, hopLimit, msg,
        (b, s, l, pseudo) -> echo.wrap(b, s, l).fillChecksum(pseudo));
  }
}
