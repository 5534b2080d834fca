package emu.node.stack;

import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;

/**
 * IPv4 output for packets this node originates: the routing decision (same subnet: deliver
 * directly; otherwise to the gateway, ARPing for the next hop, not the destination), the IP
 * header, then the link layer. Packets to our own addresses loop back.
 */
public final class Ipv4Output {
  public static final int DEFAULT_TTL = 64;

  private final NetworkStack stack;
  private final LinkOutput link;
  private final IpObserver observer;
  private final Ipv4Packet ip = new Ipv4Packet();
  private Ipv4Input loopback;
  private int nextIdent;

  Ipv4Output(NetworkStack stack, LinkOutput link, IpObserver observer) {
    this.stack = stack;
    this.link = link;
    this.observer = observer;
    this.nextIdent = stack.random().nextInt(0x10000);
  }

  /** Packets to one of our own addresses come back in here. */
  void connect(Ipv4Input input) {
    this.loopback = input;
  }

  /**
   * Sends a transport payload (reader index at its header, {@link NetworkStack#HEADROOM} free in
   * front) to {@code dst}. {@code src} 0 lets routing choose. Takes ownership of {@code payload}.
   */
  public SendResult send(int src, int dst, int protocol, int ttl, boolean dontFragment, ByteBuf payload,
                         TransportChecksum checksum) {
    int l4Start = payload.readerIndex();
    int l4Length = payload.readableBytes();
    if (stack.isLocal(dst)) {
      int from = src != 0 ? src : dst;
      checksum.fill(payload, l4Start, l4Length, from, dst);
      int ipStart = prependHeader(payload, from, dst, protocol, ttl, dontFragment);
      Nic nic = stack.nicForNeighbor(dst);
      stack.counters().ipSent++;
      stack.time().schedule(() -> loopback.deliver(nic, payload, ipStart, false, false), 0);
      return SendResult.SENT;
    }
    Route route = stack.routes().lookup(dst);
    if (route != null) {
      route = route.path(src, dst);
    }
    if (route == null) {
      payload.release();
      stack.counters().drop(DropReason.NO_ROUTE);
      if (observer.enabled()) {
        observer.noRoute(dst);
      }
      return SendResult.NO_ROUTE;
    }
    Nic nic = route.nic();
    if (!nic.isUp()) {
      payload.release();
      stack.counters().drop(DropReason.LINK_DOWN);
      return SendResult.NETWORK_DOWN;
    }
    int from = src != 0 ? src : nic.ip();
    // The limited broadcast goes out of the route's interface as an Ethernet broadcast, never
    // to a gateway (Linux: __mkroute_output drops the gateway for it).
    int nextHop = dst == Ipv4Address.BROADCAST ? dst : route.nextHop(dst);
    boolean observed = observer.enabled();
    if (observed) {
      observer.routeChosen(dst, route, nextHop);
    }
    checksum.fill(payload, l4Start, l4Length, from, dst);
    int ipStart = prependHeader(payload, from, dst, protocol, ttl, dontFragment);
    if (observed) {
      observer.encapsulated(payload, ipStart);
    }
    stack.counters().ipSent++;
    if (payload.readableBytes() > nic.mtu()) {
      if (dontFragment) {
        payload.release();
        stack.counters().drop(DropReason.MTU_EXCEEDED);
        return SendResult.TOO_BIG;
      }
      Fragmenter.fragment(stack, link, nic, nextHop, payload);
      return SendResult.SENT;
    }
    link.transmit(nic, nextHop, payload);
    return SendResult.SENT;
  }

  /**
   * Sends a transport payload out of {@code nic} itself, whatever the routing table says, to
   * {@code dst} on that link: a multicast group (its MAC is derived, RFC 1112 6.4) or a neighbour
   * (ARP-resolved). The routing protocols' way out (OSPF's Hellos to 224.0.0.5 with TTL 1, its
   * unicast updates to a neighbour). {@code src} 0 takes the interface's address; {@code tos} is
   * the whole TOS byte (OSPF sends 0xC0, precedence "internetwork control"). Never fragments: a
   * payload the interface's MTU cannot carry is refused. Takes ownership of {@code payload}.
   */
  public SendResult sendOn(Nic nic, int src, int dst, int protocol, int ttl, int tos, ByteBuf payload,
                           TransportChecksum checksum) {
    if (!nic.isUp()) {
      payload.release();
      stack.counters().drop(DropReason.LINK_DOWN);
      return SendResult.NETWORK_DOWN;
    }
    int from = src != 0 ? src : nic.ip();
    int l4Start = payload.readerIndex();
    int l4Length = payload.readableBytes();
    if (l4Length + Ipv4Packet.MIN_HEADER_LEN > nic.mtu()) {
      payload.release();
      stack.counters().drop(DropReason.MTU_EXCEEDED);
      return SendResult.TOO_BIG;
    }
    checksum.fill(payload, l4Start, l4Length, from, dst);
    int ipStart = prependHeader(payload, from, dst, protocol, ttl, false, tos);
    if (observer.enabled()) {
      observer.encapsulated(payload, ipStart);
    }
    stack.counters().ipSent++;
    link.transmit(nic, dst, payload);
    return SendResult.SENT;
  }

  private int prependHeader(ByteBuf payload, int src, int dst, int protocol, int ttl, boolean df) {
    return prependHeader(payload, src, dst, protocol, ttl, df, 0);
  }

  private int prependHeader(ByteBuf payload, int src, int dst, int protocol, int ttl, boolean df, int tos) {
    int l4Length = payload.readableBytes();
    int ipStart = payload.readerIndex() - Ipv4Packet.MIN_HEADER_LEN;
    payload.readerIndex(ipStart);
    new Ipv4Packet.Repr(src, dst, protocol, ttl, nextIdent, df, tos, l4Length).emit(ip.wrap(payload, ipStart));
    nextIdent = (nextIdent + 1) & 0xFFFF;
    return ipStart;
  }

}
