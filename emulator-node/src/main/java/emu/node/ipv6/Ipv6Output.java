package emu.node.ipv6;

import emu.link.wire.EthernetFrame;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.stack.SendResult;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Extensions;
import emu.node.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;

/**
 * IPv6 output for packets this node originates: where to send (a multicast or link-local
 * destination goes out of the interface the caller names; others follow the routing table),
 * which source address to use (RFC 6724's rules, simplified: the destination's scope, then the
 * longest common prefix, preferred before deprecated), the header, then the link: a multicast
 * MAC (RFC 2464 7) or the next hop's, found by neighbour discovery. Packets to this node's own
 * addresses loop back.
 *
 * <p>Only the source fragments in IPv6 (RFC 8200 4.5), and only what it originates: a UDP
 * datagram or ICMPv6 message longer than the path MTU ({@link Ipv6PathMtu}: the interface's MTU,
 * or less once a packet too big has said so) leaves as fragments, each with a fragment header
 * (identification from the node's random source), each at most the path MTU, the data split on
 * 8-byte boundaries. TCP is never fragmented: its segments are sized to the path MTU, and one
 * over the interface's MTU is refused ({@link SendResult#TOO_BIG}), as is anything longer than
 * an IPv6 payload can say (65535 bytes).
 */
final class Ipv6Output {
  /** The default hop limit (Linux's net.ipv6.conf.*.hop_limit). */
  static final int DEFAULT_HOP_LIMIT = 64;

  private final Ipv6Layer layer;
  private final NetworkStack stack;
  private final Ipv6Observer observer;
  private final Ipv6Packet ip = new Ipv6Packet();
  private final EthernetFrame eth = new EthernetFrame();

  Ipv6Output(Ipv6Layer layer, NetworkStack stack, Ipv6Observer observer) {
    this.layer = layer;
    this.stack = stack;
    this.observer = observer;
  }

  /**
   * Sends an upper-layer payload (reader index at its header, {@link NetworkStack#HEADROOM} free
   * in front) to {@code dst}. {@code src} null lets the node choose; {@code nic} names the
   * interface for a multicast or link-local destination (ignored otherwise). Takes ownership of
   * {@code payload}.
   */
  SendResult send(Ipv6Address src, Ipv6Address dst, Nic nic, int nextHeader, int hopLimit, ByteBuf payload,
                  Ipv6ChecksumFiller checksum) {
    long now = stack.time().nanos();
    Ipv6Interface out;
    Ipv6Address nextHop;
    Ipv6Route route = null;
    Ipv6InterfaceAddress local = layer.localAddress(dst);
    if (payload.readableBytes() > 0xFFFF) {
      payload.release();
      return SendResult.TOO_BIG; // no jumbograms (RFC 2675)
    }
    if (local != null) {
      Ipv6Address from = src != null ? src : dst;
      int ipStart = header(payload, from, dst, nextHeader, hopLimit, checksum);
      layer.counters().sent++;
      Nic home = layer.interfaceOf(local).nic();
      stack.time().schedule(() -> layer.input().deliver(home, payload, ipStart, false), 0);
      return SendResult.SENT;
    }
    if (dst.isMulticast() || dst.isLinkLocal()) {
      out = nic == null ? null : layer.interfaceOf(nic);
      if (out == null) {
        payload.release();
        return SendResult.NO_ROUTE; // a link-scope destination needs an interface (a zone)
      }
      nextHop = dst;
    } else {
      route = layer.routes().lookup(dst, now);
      if (route == null) {
        payload.release();
        if (observer.enabled()) {
          observer.noRoute(dst);
        }
        return SendResult.NO_ROUTE;
      }
      out = layer.interfaceOf(route.nic());
      nextHop = route.nextHop(dst);
    }
    if (!out.nic().isUp()) {
      payload.release();
      return SendResult.NETWORK_DOWN;
    }
    Ipv6InterfaceAddress chosen = null;
    Ipv6Address from = src;
    if (from == null) {
      chosen = layer.sourceFor(dst, out);
      if (chosen == null) {
        payload.release();
        return SendResult.NO_ADDRESS;
      }
      from = chosen.cidr().address();
    }
    if (route != null && observer.enabled()) {
      observer.routeChosen(dst, route, nextHop, chosen != null ? chosen : layer.addressOf(from));
    }
    int ipStart = header(payload, from, dst, nextHeader, hopLimit, checksum);
    if (observer.enabled()) {
      observer.encapsulated(payload, ipStart);
    }
    layer.counters().sent++;
    int length = payload.readableBytes();
    boolean tcp = nextHeader == Ipv6Extensions.TCP;
    if (length <= out.mtu() && (tcp || length <= Ipv6Packet.MIN_MTU || length <= layer.pathMtu(dst, out))) {
      transmit(out, nextHop, payload);
      return SendResult.SENT;
    }
    int mtu = layer.pathMtu(dst, out);
    if (tcp || mtu < Ipv6Packet.HEADER_LEN + Ipv6Extensions.FRAGMENT_HEADER_LEN + 8) {
      payload.release();
      return SendResult.TOO_BIG;
    }
    fragment(out, nextHop, dst, nextHeader, payload, mtu);
    return SendResult.SENT;
  }

  /**
   * Sends the packet at the reader index of {@code packet} (a fixed header and the upper layer,
   * no extension headers) in fragments of at most {@code mtu} bytes (RFC 8200 4.5): each is the
   * fixed header (next header 44, its own payload length), a fragment header and a share of the
   * upper-layer packet, all but the last a multiple of 8 bytes. Takes ownership of {@code packet}.
   */
  private void fragment(Ipv6Interface out, Ipv6Address nextHop, Ipv6Address dst, int nextHeader, ByteBuf packet,
                        int mtu) {
    int ipStart = packet.readerIndex();
    int fragmentable = packet.readableBytes() - Ipv6Packet.HEADER_LEN;
    int chunk = (mtu - Ipv6Packet.HEADER_LEN - Ipv6Extensions.FRAGMENT_HEADER_LEN) & ~7;
    int id = stack.random().nextInt();
    int count = (fragmentable + chunk - 1) / chunk;
    layer.counters().fragmented++;
    if (observer.enabled()) {
      observer.fragmented(dst, Integer.toUnsignedLong(id), packet.readableBytes(), mtu, count);
    }
    int prefix = Ipv6Packet.HEADER_LEN + Ipv6Extensions.FRAGMENT_HEADER_LEN;
    for (int off = 0; off < fragmentable; off += chunk) {
      int len = Math.min(chunk, fragmentable - off);
      ByteBuf f = stack.allocate(len);
      f.writeBytes(packet, ipStart + Ipv6Packet.HEADER_LEN + off, len);
      int at = f.readerIndex() - prefix;
      f.readerIndex(at);
      f.setBytes(at, packet, ipStart, Ipv6Packet.HEADER_LEN);
      ip.wrap(f, at).payloadLength(Ipv6Extensions.FRAGMENT_HEADER_LEN + len).nextHeader(Ipv6Extensions.FRAGMENT);
      Ipv6Extensions.writeFragmentHeader(f, at + Ipv6Packet.HEADER_LEN, nextHeader, off, off + len < fragmentable,
          id);
      layer.counters().fragmentsCreated++;
      transmit(out, nextHop, f);
    }
    packet.release();
  }

  /** Writes the IPv6 header in front of the payload after filling its checksum; returns where it starts. */
  private int header(ByteBuf payload, Ipv6Address src, Ipv6Address dst, int nextHeader, int hopLimit,
                     Ipv6ChecksumFiller checksum) {
    int upperStart = payload.readerIndex();
    int upperLength = payload.readableBytes();
    checksum.fill(payload, upperStart, upperLength, Ipv6Packet.pseudoHeader(src, dst, upperLength, nextHeader));
    int ipStart = upperStart - Ipv6Packet.HEADER_LEN;
    payload.readerIndex(ipStart);
    new Ipv6Packet.Repr(src, dst, nextHeader, hopLimit, 0, 0, upperLength).emit(ip.wrap(payload, ipStart));
    return ipStart;
  }

  /**
   * Sends a packet (reader index at its IPv6 header, 14 bytes of headroom) to {@code nextHop} on
   * {@code out}: a multicast group's MAC, or the neighbour's (queued while it is resolved). Owns
   * {@code packet}.
   */
  void transmit(Ipv6Interface out, Ipv6Address nextHop, ByteBuf packet) {
    transmit(out, nextHop.hi(), nextHop.lo(), packet);
  }

  /** {@link #transmit(Ipv6Interface, Ipv6Address, ByteBuf)} for a next hop given as its two halves (no allocation). */
  void transmit(Ipv6Interface out, long hi, long lo, ByteBuf packet) {
    if ((hi >>> 56) == 0xFF) {
      frame(out.nic(), 0x3333_0000_0000L | (lo & 0xFFFF_FFFFL), packet);
      return;
    }
    long mac = out.neighbors().resolve(hi, lo, packet);
    if (mac >= 0) {
      frame(out.nic(), mac, packet);
    }
  }

  /** Prepends the Ethernet header in place and hands the frame to the link. */
  void frame(Nic nic, long dstMac, ByteBuf packet) {
    int ipStart = packet.readerIndex();
    packet.readerIndex(ipStart - EthernetFrame.HEADER_LEN);
    eth.wrap(packet).dst(dstMac).src(nic.mac()).etherType(EthernetFrame.ETHERTYPE_IPV6);
    if (observer.enabled()) {
      observer.frameSent(nic, dstMac, packet, ipStart);
    }
    stack.sendFrame(nic, packet);
  }
}
