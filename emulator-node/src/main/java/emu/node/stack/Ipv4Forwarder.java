package emu.node.stack;

import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;

/**
 * Router forwarding (RFC 1812 5.2-5.3), done in place on the received buffer: TTL check and
 * decrement with an incremental checksum update (RFC 1624), longest-prefix route lookup, MTU
 * check, then the link layer rewrites the MACs. Nothing is allocated per forwarded packet.
 */
final class Ipv4Forwarder {
  private final NetworkStack stack;
  private final Icmp icmp;
  private final LinkOutput link;
  private final IpObserver observer;
  private final Ipv4Packet ip = new Ipv4Packet();

  Ipv4Forwarder(NetworkStack stack, Icmp icmp, LinkOutput link, IpObserver observer) {
    this.stack = stack;
    this.icmp = icmp;
    this.link = link;
    this.observer = observer;
  }

  /** An error about a packet the NAT took inside quotes it as it arrived (RFC 5508 4.2). */
  private void undoNat(ByteBuf frame, int ipStart) {
    NatHook nat = stack.nat();
    if (nat != null) {
      nat.undoInbound(frame, ipStart);
    }
  }

  /** Forwards the packet at {@code ipStart} of {@code frame} (already validated); owns it. */
  void forward(Nic in, ByteBuf frame, int ipStart) {
    ip.wrap(frame, ipStart);
    int ttl = ip.ttl();
    if (ttl <= 1) {
      undoNat(frame, ipStart);
      icmp.sendError(frame, ipStart, false, IcmpPacket.TYPE_TIME_EXCEEDED, IcmpPacket.CODE_TTL_EXCEEDED, 0);
      stack.drop(in, frame, DropReason.TTL_EXPIRED);
      return;
    }
    int dst = ip.dst();
    Route route = stack.routes().lookup(dst);
    if (route != null) {
      route = route.path(ip.src(), dst); // one of equal-cost paths, the same for the whole flow
    }
    if (route == null || !route.nic().isUp()) {
      undoNat(frame, ipStart);
      icmp.sendError(frame, ipStart, false, IcmpPacket.TYPE_DEST_UNREACHABLE, IcmpPacket.CODE_NET_UNREACHABLE, 0);
      stack.drop(in, frame, route == null ? DropReason.NO_ROUTE : DropReason.LINK_DOWN);
      return;
    }
    Nic out = route.nic();
    int length = ip.totalLength();
    if (length > out.mtu()) {
      if (ip.dontFragment()) {
        // RFC 1191: tell the sender the MTU of the next hop.
        undoNat(frame, ipStart);
        icmp.sendError(frame, ipStart, false, IcmpPacket.TYPE_DEST_UNREACHABLE,
            IcmpPacket.CODE_FRAGMENTATION_NEEDED, out.mtu() & 0xFFFF);
        stack.drop(in, frame, DropReason.MTU_EXCEEDED);
        return;
      }
    }
    boolean observed = observer.enabled();
    int oldChecksum = observed ? ip.checksum() : 0;
    int newTtl = ip.decrementTtl();
    int nextHop = route.nextHop(dst);
    stack.counters().ipForwarded++;
    if (observed) {
      observer.forwarded(in, out, dst, route, nextHop, ttl, newTtl, oldChecksum, ip.checksum());
    }
    NatHook nat = stack.nat();
    if (nat != null) {
      // POSTROUTING, as in Linux: after the routing decision, before the frame leaves
      DropReason refused = nat.postrouting(in, out, frame, ipStart);
      if (refused != null) {
        stack.drop(in, frame, refused);
        return;
      }
    }
    frame.readerIndex(ipStart);
    if (length > out.mtu()) {
      Fragmenter.fragment(stack, link, out, nextHop, frame);
      return;
    }
    link.transmit(out, nextHop, frame);
  }
}
