package emu.node.ipv6;

import emu.link.wire.EthernetFrame;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.stack.SendResult;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;

/**
 * IPv6 output for packets this node originates: where to send (a multicast or link-local
 * destination goes out of the interface the caller names; others follow the routing table),
 * which source address to use (RFC 6724's rules, simplified: the destination's scope, then the
 * longest common prefix, preferred before deprecated), the header, then the link: a multicast
 * MAC (RFC 2464 7) or the next hop's, found by neighbour discovery. Packets to this node's own
 * addresses loop back. IPv6 routers never fragment; a packet over the MTU is refused here
 * (source fragmentation is not done yet).
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
    if (payload.readableBytes() > out.mtu()) {
      payload.release();
      return SendResult.TOO_BIG;
    }
    transmit(out, nextHop, payload);
    return SendResult.SENT;
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
