package emu.node.stack;

import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;

/**
 * IPv4 ingress (RFC 791, RFC 1122 3.2.1, RFC 1812 5.2.2): validates the header, trims link
 * padding, then delivers to this node (ICMP, or the protocol registered for the packet's
 * number) or hands the packet to the forwarder.
 */
final class Ipv4Input {
  private final NetworkStack stack;
  private final Icmp icmp;
  private final Ipv4Forwarder forwarder;
  /** The stack's registry, by IP protocol number; shared, so later registrations are seen. */
  private final IpProtocol[] protocols;
  private final IpObserver observer;
  private final Ipv4Packet ip = new Ipv4Packet();

  Ipv4Input(NetworkStack stack, Icmp icmp, Ipv4Forwarder forwarder, IpProtocol[] protocols, IpObserver observer) {
    this.stack = stack;
    this.icmp = icmp;
    this.forwarder = forwarder;
    this.protocols = protocols;
    this.observer = observer;
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
    if (src == Ipv4Address.BROADCAST || Ipv4Address.isMulticast(src) || Ipv4Address.isLoopback(src)) {
      stack.drop(nic, frame, DropReason.IP_MARTIAN);
      return;
    }
    NatHook nat = stack.nat() != null && l2Unicast ? stack.nat() : null;
    if (observer.enabled()) {
      // told as it arrived, before any translation; for this node unless the NAT takes it inside
      int original = ip.dst();
      boolean forMe = stack.isLocal(original) || stack.isBroadcast(original)
          || Ipv4Address.isMulticast(original) && nic.joined(original);
      observer.received(nic, frame, ipStart, forMe && (nat == null || !nat.translatesIn(nic, frame, ipStart)));
      ip.wrap(frame, ipStart);
    }
    if (nat != null) {
      DropReason refused = nat.prerouting(nic, frame, ipStart);
      if (refused != null) {
        stack.drop(nic, frame, refused);
        return;
      }
      ip.wrap(frame, ipStart);
    }
    int dst = ip.dst();
    boolean local = stack.isLocal(dst);
    boolean broadcast = !local && stack.isBroadcast(dst);
    // a group this interface joined is delivered like a broadcast: no errors, no echo replies
    boolean group = !local && !broadcast && Ipv4Address.isMulticast(dst) && nic.joined(dst);
    if (local || broadcast || group) {
      deliver(nic, frame, ipStart, broadcast || group, !l2Unicast);
    } else if (Ipv4Address.isMulticast(dst) || !stack.forwarding() || !l2Unicast) {
      // Hosts do not forward (RFC 1122 3.3.1), and nobody forwards link-layer broadcasts.
      stack.drop(nic, frame, DropReason.IP_NOT_FOR_US);
    } else {
      forwarder.forward(nic, frame, ipStart);
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
    int protocol = ip.protocol();
    if (protocol == Ipv4Packet.PROTO_ICMP) {
      icmp.input(nic, buf, ipStart, ipBroadcast);
      return;
    }
    IpProtocol handler = protocols[protocol];
    if (handler != null) {
      handler.input(nic, buf, ipStart, noErrors);
      return;
    }
    if (!noErrors) {
      icmp.sendError(buf, ipStart, false, IcmpPacket.TYPE_DEST_UNREACHABLE, IcmpPacket.CODE_PROTOCOL_UNREACHABLE, 0);
    }
    stack.drop(nic, buf, DropReason.UNSUPPORTED_PROTOCOL);
  }

}
