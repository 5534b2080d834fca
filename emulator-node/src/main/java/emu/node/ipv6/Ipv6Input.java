package emu.node.ipv6;

import emu.node.stack.DropReason;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.wire.Icmpv6Packet;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Extensions;
import emu.node.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;

/**
 * IPv6 ingress (RFC 8200): checks the header, trims link padding, then delivers what is for
 * this node (one of its addresses, or a multicast group an interface listens to) up the
 * extension headers to ICMPv6 or the protocol registered for the next header, or, on a router,
 * forwards it: hop limit decremented (no header checksum to patch), longest-prefix route, the
 * next hop resolved by neighbour discovery, and ICMPv6 errors where a packet cannot go on
 * (time exceeded, no route, packet too big: routers never fragment). Fragments for this node go to
 * {@link Ipv6Reassembly}; fragments passing through are forwarded as any packet, never
 * reassembled. Forwarding allocates nothing.
 */
final class Ipv6Input {
  private final Ipv6Layer layer;
  private final NetworkStack stack;
  private final Ipv6Observer observer;
  private final Ipv6Packet ip = new Ipv6Packet();
  private final Ipv6Extensions ext = new Ipv6Extensions();

  Ipv6Input(Ipv6Layer layer, NetworkStack stack, Ipv6Observer observer) {
    this.layer = layer;
    this.stack = stack;
    this.observer = observer;
  }

  /** A frame of EtherType 0x86DD for this node; owns it. */
  void input(Nic nic, ByteBuf frame, int ipStart, boolean l2Unicast) {
    Ipv6Interface iface = layer.interfaceOf(nic);
    ip.wrap(frame, ipStart);
    if (iface == null || ip.check() != Ipv6Packet.Check.OK) {
      layer.drop(nic, frame, iface == null ? DropReason.IPV6_NOT_FOR_US : DropReason.IPV6_MALFORMED);
      return;
    }
    layer.counters().received++;
    frame.writerIndex(ipStart + ip.totalLength()); // Ethernet pads short frames
    long srcHi = ip.srcHi();
    // a multicast, loopback or IPv4-mapped source never comes off a wire (RFC 4291 2.5.3, 2.5.5.2)
    if ((srcHi >>> 56) == 0xFF || srcHi == 0 && (ip.srcLo() == 1
        || (ip.srcLo() & 0xFFFF_FFFF_0000_0000L) == 0x0000_FFFF_0000_0000L)) {
      layer.drop(nic, frame, DropReason.IPV6_MARTIAN);
      return;
    }
    long dstHi = ip.dstHi();
    long dstLo = ip.dstLo();
    boolean multicast = (dstHi >>> 56) == 0xFF;
    boolean forMe;
    if (multicast) {
      forMe = iface.listensTo(dstHi, dstLo, stack.forwarding());
      if (!forMe) {
        // A group this interface has not joined: a real NIC's multicast filter never passes it
        // up (the switch floods it to every port), so it is no drop to report, only counted.
        layer.counters().multicastFiltered++;
        frame.release();
        return;
      }
    } else {
      Ipv6InterfaceAddress a = layer.localAddress(dstHi, dstLo);
      // a tentative address takes neighbour discovery only (RFC 4862 5.4)
      forMe = a != null && (a.usable() || isNdp(frame, ipStart));
      if (a != null && !forMe) {
        // to an address of ours that is not in use yet (or duplicate): discarded, never forwarded
        if (observer.enabled()) {
          observer.received(nic, frame, ipStart, false);
        }
        layer.drop(nic, frame, DropReason.IPV6_NOT_FOR_US);
        return;
      }
    }
    if (observer.enabled()) {
      observer.received(nic, frame, ipStart, forMe);
    }
    if (forMe) {
      deliver(nic, frame, ipStart, multicast || !l2Unicast);
    } else if (multicast || !stack.forwarding() || !l2Unicast) {
      layer.drop(nic, frame, DropReason.IPV6_NOT_FOR_US);
    } else {
      forward(nic, frame, ipStart);
    }
  }

  /** Where the hop-by-hop header ends, as an offset in the packet (a header too short to say: everything). */
  private int hopByHopEnd(ByteBuf frame, int ipStart) {
    return ip.payloadLength() < 2 ? Integer.MAX_VALUE
        : Ipv6Packet.HEADER_LEN + (frame.getUnsignedByte(ipStart + Ipv6Packet.HEADER_LEN + 1) + 1) * 8;
  }

  /** True if the packet is ICMPv6 right after the fixed header with a neighbour discovery type. */
  private static boolean isNdp(ByteBuf b, int ipStart) {
    int at = ipStart + Ipv6Packet.HEADER_LEN;
    if (b.getUnsignedByte(ipStart + Ipv6Packet.NEXT_HEADER) != Ipv6Extensions.ICMPV6 || at >= b.writerIndex()) {
      return false;
    }
    int t = b.getUnsignedByte(at);
    return t >= Icmpv6Packet.TYPE_ROUTER_SOLICITATION && t <= Icmpv6Packet.TYPE_REDIRECT;
  }

  /**
   * Local delivery: the extension headers walked to the upper layer; a fragment goes to
   * reassembly, which hands the whole packet back through {@link #deliverReassembled}.
   * {@code multicast}: sent to a group (or in a multicast frame), so errors about it are
   * restricted (RFC 4443 2.4).
   */
  void deliver(Nic nic, ByteBuf buf, int ipStart, boolean multicast) {
    ip.wrap(buf, ipStart);
    Ipv6Extensions.Result r = ext.walk(buf, ipStart, ip.dst().isMulticast());
    if (r != Ipv6Extensions.Result.OK) {
      if (ext.problemCode() >= 0) {
        layer.icmp().sendError(buf, ipStart, nic, multicast, Icmpv6Packet.TYPE_PARAMETER_PROBLEM, ext.problemCode(),
            ext.problemPointer());
      }
      layer.drop(nic, buf, switch (r) {
        case BAD_FRAGMENT -> DropReason.IPV6_FRAGMENT_INVALID;
        case INCOMPLETE_CHAIN -> DropReason.IPV6_FRAGMENT_INCOMPLETE_CHAIN;
        default -> DropReason.IPV6_BAD_EXTENSION;
      });
      return;
    }
    if (ext.hasFragmentHeader()) {
      if (!ext.isAtomicFragment()) {
        layer.reassembly().input(nic, buf, ipStart, multicast, ext);
        return;
      }
      // RFC 6946: offset 0 and no more fragments is a whole packet, whatever its identification;
      // no reassembly state is touched
      layer.counters().atomicFragments++;
    }
    up(nic, buf, ipStart, multicast, ext.hasFragmentHeader());
  }

  /** A packet reassembled from fragments (no fragment header left): up as any other. */
  void deliverReassembled(Nic nic, ByteBuf buf, int ipStart, boolean multicast) {
    ip.wrap(buf, ipStart);
    if (ext.walk(buf, ipStart, ip.dst().isMulticast()) != Ipv6Extensions.Result.OK) {
      // the headers were checked fragment by fragment; what is left is what only the whole
      // packet shows (an option of the destination options in the fragmentable part)
      if (ext.problemCode() >= 0) {
        layer.icmp().sendError(buf, ipStart, nic, multicast, Icmpv6Packet.TYPE_PARAMETER_PROBLEM, ext.problemCode(),
            ext.problemPointer());
      }
      layer.drop(nic, buf, DropReason.IPV6_BAD_EXTENSION);
      return;
    }
    up(nic, buf, ipStart, multicast, true);
  }

  /** To the upper layer {@link #ext} found; {@code fragmented}: the packet had a fragment header. */
  private void up(Nic nic, ByteBuf buf, int ipStart, boolean multicast, boolean fragmented) {
    int protocol = ext.protocol();
    int at = ext.payloadIndex();
    int length = ipStart + ip.totalLength() - at;
    if (fragmented && protocol == Ipv6Extensions.ICMPV6 && at < buf.writerIndex()
        && buf.getUnsignedByte(at) >= Icmpv6Packet.TYPE_ROUTER_SOLICITATION
        && buf.getUnsignedByte(at) <= Icmpv6Packet.TYPE_REDIRECT) {
      layer.drop(nic, buf, DropReason.NDP_INVALID); // RFC 6980: never neighbour discovery in fragments
      return;
    }
    layer.counters().delivered++;
    if (protocol == Ipv6Extensions.ICMPV6) {
      layer.icmp().input(nic, buf, ipStart, at, length);
      return;
    }
    if (protocol == Ipv6Extensions.NO_NEXT_HEADER) {
      buf.release();
      return;
    }
    Ipv6Protocol handler = layer.protocol(protocol);
    if (handler != null) {
      handler.input(nic, buf, ipStart, at, length, multicast);
      return;
    }
    layer.icmp().sendError(buf, ipStart, nic, multicast, Icmpv6Packet.TYPE_PARAMETER_PROBLEM,
        Ipv6Extensions.UNRECOGNIZED_NEXT_HEADER, ext.nextHeaderField());
    layer.drop(nic, buf, DropReason.UNSUPPORTED_PROTOCOL);
  }

  /** RFC 8200 and RFC 4443 3: a router passes a packet on, or says why it cannot. */
  private void forward(Nic in, ByteBuf frame, int ipStart) {
    // addresses read as longs: the forwarding path builds no objects
    long srcHi = ip.srcHi();
    long dstHi = ip.dstHi();
    long dstLo = ip.dstLo();
    if (srcHi == 0 && ip.srcLo() == 0 || dstHi == 0 && (dstLo == 0 || dstLo == 1)) {
      layer.drop(in, frame, DropReason.IPV6_MARTIAN); // never forwarded (RFC 4291 2.5.2, 2.5.3)
      return;
    }
    if (Ipv6Address.isLinkLocal(dstHi)) {
      layer.drop(in, frame, DropReason.IPV6_NOT_FOR_US); // link-local: never beyond its link
      return;
    }
    if (Ipv6Address.isLinkLocal(srcHi)) {
      layer.icmp().sendError(frame, ipStart, in, false, Icmpv6Packet.TYPE_DEST_UNREACHABLE, 2, 0); // beyond scope
      layer.drop(in, frame, DropReason.IPV6_NOT_FOR_US);
      return;
    }
    int hopLimit = ip.hopLimit();
    if (hopLimit <= 1) {
      layer.icmp().sendError(frame, ipStart, in, false, Icmpv6Packet.TYPE_TIME_EXCEEDED,
          Icmpv6Packet.CODE_HOP_LIMIT_EXCEEDED, 0);
      layer.drop(in, frame, DropReason.HOP_LIMIT_EXPIRED);
      return;
    }
    // the hop-by-hop header is the one every router reads (RFC 8200 4.3); a fault further down the
    // chain is the destination's business
    if (ip.nextHeader() == Ipv6Extensions.HOP_BY_HOP && ext.walk(frame, ipStart, false) != Ipv6Extensions.Result.OK
        && ext.problemPointer() < hopByHopEnd(frame, ipStart)) {
      if (ext.problemCode() >= 0) {
        layer.icmp().sendError(frame, ipStart, in, false, Icmpv6Packet.TYPE_PARAMETER_PROBLEM, ext.problemCode(),
            ext.problemPointer());
      }
      layer.drop(in, frame, DropReason.IPV6_BAD_EXTENSION);
      return;
    }
    long now = stack.time().nanos();
    Ipv6Route route = layer.routes().lookup(dstHi, dstLo, now);
    if (route == null) {
      layer.icmp().sendError(frame, ipStart, in, false, Icmpv6Packet.TYPE_DEST_UNREACHABLE,
          Icmpv6Packet.CODE_NO_ROUTE, 0);
      layer.drop(in, frame, DropReason.NO_ROUTE);
      return;
    }
    Ipv6Interface out = layer.interfaceOf(route.nic());
    int length = ip.totalLength();
    if (length > out.mtu()) {
      layer.icmp().sendError(frame, ipStart, in, false, Icmpv6Packet.TYPE_PACKET_TOO_BIG, 0, out.mtu());
      layer.drop(in, frame, DropReason.MTU_EXCEEDED);
      return;
    }
    int newHopLimit = ip.decrementHopLimit();
    layer.counters().forwarded++;
    if (observer.enabled()) {
      observer.forwarded(in, route.nic(), ip.dst(), route, route.nextHop(ip.dst()), hopLimit, newHopLimit);
    }
    frame.readerIndex(ipStart);
    if (route.gateway() != null) {
      layer.output().transmit(out, route.gateway().hi(), route.gateway().lo(), frame);
    } else {
      layer.output().transmit(out, dstHi, dstLo, frame);
    }
  }
}
