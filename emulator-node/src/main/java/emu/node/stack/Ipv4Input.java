package emu.node.stack;

import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.node.trace.PacketSummary;
import emu.node.trace.TraceEvent;
import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;

/**
 * IPv4 ingress (RFC 791, RFC 1122 3.2.1, RFC 1812 5.2.2): validates the header, trims link
 * padding, then delivers to this node or hands the packet to the forwarder.
 */
final class Ipv4Input {
  private final NetworkStack stack;
  private final Ipv4Packet ip = new Ipv4Packet();

  Ipv4Input(NetworkStack stack) {
    this.stack = stack;
  }

  void input(Nic nic, ByteBuf frame, int ipStart, boolean l2Unicast) {
    ip.wrap(frame, ipStart);
    if (ip.check() != Ipv4Packet.Check.OK) {
      stack.drop(nic, frame, DropReason.IP_MALFORMED);
      return;
    }
    if (!ip.checksumValid()) {
      stack.drop(nic, frame, DropReason.IP_BAD_CHECKSUM);
      return;
    }
    stack.counters().ipReceived++;
    // Ethernet pads short frames; the IP total length says where the packet really ends.
    frame.writerIndex(ipStart + ip.totalLength());
    int src = ip.src();
    int dst = ip.dst();
    if (src == Ipv4Address.BROADCAST || Ipv4Address.isMulticast(src) || Ipv4Address.isLoopback(src)) {
      stack.drop(nic, frame, DropReason.IP_MARTIAN);
      return;
    }
    boolean local = stack.isLocal(dst);
    boolean broadcast = !local && stack.isBroadcast(dst);
    if (stack.tracing()) {
      traceDecap(nic, frame, ipStart, local || broadcast);
    }
    if (local || broadcast) {
      deliver(nic, frame, ipStart, broadcast, !l2Unicast);
    } else if (Ipv4Address.isMulticast(dst) || !stack.forwarding() || !l2Unicast) {
      // Hosts do not forward (RFC 1122 3.3.1), and nobody forwards link-layer broadcasts.
      stack.drop(nic, frame, DropReason.IP_NOT_FOR_US);
    } else {
      stack.forwarder().forward(nic, frame, ipStart);
    }
  }

  /**
   * Local delivery to ICMP, UDP or TCP. {@code ipBroadcast}: addressed to a broadcast address;
   * {@code l2Broadcast}: arrived in a link-layer broadcast frame. Either one silences ICMP
   * errors (RFC 1122 3.2.2); only the first makes echo requests go unanswered (Linux decides
   * on the IP destination).
   */
  void deliver(Nic nic, ByteBuf buf, int ipStart, boolean ipBroadcast, boolean l2Broadcast) {
    ip.wrap(buf, ipStart);
    if (ip.isFragment()) {
      stack.drop(nic, buf, DropReason.IP_FRAGMENT);
      return;
    }
    stack.counters().ipDelivered++;
    boolean noErrors = ipBroadcast || l2Broadcast;
    switch (ip.protocol()) {
      case Ipv4Packet.PROTO_ICMP -> stack.icmp().input(nic, buf, ipStart, ipBroadcast);
      case Ipv4Packet.PROTO_UDP -> stack.udp().input(nic, buf, ipStart, noErrors);
      case Ipv4Packet.PROTO_TCP -> stack.tcp().input(nic, buf, ipStart, noErrors);
      default -> {
        if (!noErrors) {
          stack.icmp().sendError(buf, ipStart, false, IcmpPacket.TYPE_DEST_UNREACHABLE,
              IcmpPacket.CODE_PROTOCOL_UNREACHABLE, 0);
        }
        stack.drop(nic, buf, DropReason.UNSUPPORTED_PROTOCOL);
      }
    }
  }

  private void traceDecap(Nic nic, ByteBuf frame, int ipStart, boolean forMe) {
    int frameStart = ipStart - EthernetFrame.HEADER_LEN;
    long srcMac = EthernetFrame.src(frame, frameStart);
    long dstMac = EthernetFrame.dst(frame, frameStart);
    stack.trace(new TraceEvent("ip.rx").put("dev", nic.name())
        .put("src_mac", MacAddress.format(srcMac)).put("dst_mac", MacAddress.format(dstMac))
        .put("src", Ipv4Address.format(ip.src())).put("dst", Ipv4Address.format(ip.dst()))
        .put("ttl", ip.ttl()).put("protocol", ip.protocol()).put("for_me", forMe).put("ip_id", ip.ident())
        .msg("receives a frame on " + nic.name() + " from " + MacAddress.format(srcMac) + " to "
            + (dstMac == nic.mac() ? "its own MAC " : "") + MacAddress.format(dstMac)
            + "; strips the Ethernet header: IPv4 [" + PacketSummary.ipv4(frame, ipStart) + "], TTL " + ip.ttl()
            + (forMe ? "; the destination is this node" : "")));
  }
}
