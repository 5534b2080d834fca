package emu.node.stack;

import emu.node.trace.PacketSummary;
import emu.node.trace.TraceEvent;
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
  private final Ipv4Packet ip = new Ipv4Packet();
  private int nextIdent;
  /** Only used while tracing: the route last narrated for each destination. */
  private final java.util.Map<Integer, Route> tracedDecisions = new java.util.HashMap<>();

  Ipv4Output(NetworkStack stack) {
    this.stack = stack;
    this.nextIdent = stack.random().nextInt(0x10000);
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
      stack.time().schedule(() -> stack.ipv4Input().deliver(nic, payload, ipStart, false, false), 0);
      return SendResult.SENT;
    }
    Route route = stack.routes().lookup(dst);
    if (route == null) {
      payload.release();
      stack.counters().drop(DropReason.NO_ROUTE);
      traceNoRoute(dst);
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
    if (stack.tracing()) {
      traceDecision(dst, route, nextHop);
    }
    checksum.fill(payload, l4Start, l4Length, from, dst);
    int ipStart = prependHeader(payload, from, dst, protocol, ttl, dontFragment);
    if (stack.tracing()) {
      stack.trace(new TraceEvent("ip.encap").put("src", Ipv4Address.format(from)).put("dst", Ipv4Address.format(dst))
          .put("protocol", protocol).put("ttl", ttl).put("ident", ip.wrap(payload, ipStart).ident())
          .put("bytes", payload.readableBytes())
          .msg("encapsulates: " + PacketSummary.l4(ip.wrap(payload, ipStart)) + " inside an IPv4 header "
              + Ipv4Address.format(from) + " > " + Ipv4Address.format(dst) + " (TTL " + ttl + ", id "
              + ip.ident() + ", " + payload.readableBytes() + " bytes)"));
    }
    stack.counters().ipSent++;
    if (payload.readableBytes() > nic.mtu()) {
      if (dontFragment) {
        payload.release();
        stack.counters().drop(DropReason.MTU_EXCEEDED);
        return SendResult.TOO_BIG;
      }
      Fragmenter.fragment(stack, nic, nextHop, payload);
      return SendResult.SENT;
    }
    stack.linkOutput().transmit(nic, nextHop, payload);
    return SendResult.SENT;
  }

  private int prependHeader(ByteBuf payload, int src, int dst, int protocol, int ttl, boolean df) {
    int l4Length = payload.readableBytes();
    int ipStart = payload.readerIndex() - Ipv4Packet.MIN_HEADER_LEN;
    payload.readerIndex(ipStart);
    new Ipv4Packet.Repr(src, dst, protocol, ttl, nextIdent, df, 0, l4Length).emit(ip.wrap(payload, ipStart));
    nextIdent = (nextIdent + 1) & 0xFFFF;
    return ipStart;
  }

  private void traceDecision(int dst, Route route, int nextHop) {
    // Narrate a destination's routing decision once, and again only if it changes: the
    // kernel decides for every packet, but a reader needs to see each decision once.
    if (tracedDecisions.size() > 1024) {
      tracedDecisions.clear(); // bounded: at worst a decision is narrated again
    }
    if (tracedDecisions.put(dst, route) == route) {
      return;
    }
    Nic nic = route.nic();
    String own = nic.address() == null ? "(no address)" : nic.address().toString();
    boolean direct = route.gateway() == 0;
    String why;
    if (direct) {
      why = Ipv4Address.format(dst) + " is on my own subnet " + route.prefix().networkCidr()
          + " (my address " + own + "): deliver directly, ARP for the destination itself";
    } else if (nic.address() != null) {
      int mask = nic.address().mask();
      why = "my address " + own + " is in " + nic.address().networkCidr() + "; " + Ipv4Address.format(dst)
          + " masked with " + Ipv4Address.format(mask) + " gives " + Ipv4Address.format(dst & mask)
          + ": different subnets, so I cannot reach it directly; send to "
          + (route.isDefault() ? "my default gateway " : "the gateway ") + Ipv4Address.format(route.gateway())
          + " and ARP for the gateway, not for the destination";
    } else {
      why = "send to the gateway " + Ipv4Address.format(route.gateway());
    }
    stack.trace(new TraceEvent("route.decision").put("dst", Ipv4Address.format(dst)).put("own", own)
        .put("route", route.describe()).put("next_hop", Ipv4Address.format(nextHop)).put("direct", direct)
        .put("dev", nic.name())
        .msg("routing decision for " + Ipv4Address.format(dst) + ": matched '" + route.describe() + "'; " + why));
  }

  private void traceNoRoute(int dst) {
    if (stack.tracing()) {
      stack.trace(new TraceEvent("route.decision").put("dst", Ipv4Address.format(dst)).put("route", null)
          .msg("routing decision for " + Ipv4Address.format(dst) + ": no route matches (no default gateway either)"));
    }
  }
}
