package emu.node.stack;

import emu.node.trace.TraceEvent;
import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;

/**
 * Router forwarding (RFC 1812 5.2-5.3), done in place on the received buffer: TTL check and
 * decrement with an incremental checksum update (RFC 1624), longest-prefix route lookup, MTU
 * check, then the link layer rewrites the MACs. Nothing is allocated per forwarded packet.
 */
final class Ipv4Forwarder {
  private final NetworkStack stack;
  private final Ipv4Packet ip = new Ipv4Packet();

  Ipv4Forwarder(NetworkStack stack) {
    this.stack = stack;
  }

  /** Forwards the packet at {@code ipStart} of {@code frame} (already validated); owns it. */
  void forward(Nic in, ByteBuf frame, int ipStart) {
    ip.wrap(frame, ipStart);
    int ttl = ip.ttl();
    if (ttl <= 1) {
      stack.icmp().sendError(frame, ipStart, false, IcmpPacket.TYPE_TIME_EXCEEDED, IcmpPacket.CODE_TTL_EXCEEDED, 0);
      stack.drop(in, frame, DropReason.TTL_EXPIRED);
      return;
    }
    int dst = ip.dst();
    Route route = stack.routes().lookup(dst);
    if (route == null || !route.nic().isUp()) {
      stack.icmp().sendError(frame, ipStart, false, IcmpPacket.TYPE_DEST_UNREACHABLE, IcmpPacket.CODE_NET_UNREACHABLE, 0);
      stack.drop(in, frame, route == null ? DropReason.NO_ROUTE : DropReason.LINK_DOWN);
      return;
    }
    Nic out = route.nic();
    int length = ip.totalLength();
    if (length > out.mtu()) {
      if (ip.dontFragment()) {
        // RFC 1191: tell the sender the MTU of the next hop.
        stack.icmp().sendError(frame, ipStart, false, IcmpPacket.TYPE_DEST_UNREACHABLE,
            IcmpPacket.CODE_FRAGMENTATION_NEEDED, out.mtu() & 0xFFFF);
        stack.drop(in, frame, DropReason.MTU_EXCEEDED);
        return;
      }
    }
    int oldChecksum = stack.tracing() ? ip.checksum() : 0;
    int newTtl = ip.decrementTtl();
    int nextHop = route.nextHop(dst);
    stack.counters().ipForwarded++;
    if (stack.tracing()) {
      stack.trace(new TraceEvent("ip.forward").put("in", in.name()).put("out", out.name())
          .put("dst", Ipv4Address.format(dst)).put("route", route.describe())
          .put("next_hop", Ipv4Address.format(nextHop)).put("ttl_before", ttl).put("ttl_after", newTtl)
          .put("checksum_before", String.format("0x%04x", oldChecksum))
          .put("checksum_after", String.format("0x%04x", ip.checksum()))
          .msg("routes " + Ipv4Address.format(dst) + ": longest match '" + route.describe() + "'; TTL "
              + ttl + " -> " + newTtl + ", header checksum 0x" + String.format("%04x", oldChecksum) + " -> 0x"
              + String.format("%04x", ip.checksum()) + " (updated incrementally); forwards out " + out.name()
              + " to " + (route.gateway() != 0 ? "next router " : "the destination itself ")
              + Ipv4Address.format(nextHop)));
    }
    frame.readerIndex(ipStart);
    if (length > out.mtu()) {
      Fragmenter.fragment(stack, out, nextHop, frame);
      return;
    }
    stack.linkOutput().transmit(out, nextHop, frame);
  }
}
