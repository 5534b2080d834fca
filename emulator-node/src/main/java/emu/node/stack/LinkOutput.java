package emu.node.stack;

import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Address;
import io.netty.buffer.ByteBuf;

/**
 * The bottom of the IPv4 output path: finds the next hop's MAC through the interface's
 * neighbour cache (queuing the packet while ARP runs), writes the Ethernet header into the
 * headroom in front of the IP header, and hands the frame to the link endpoint.
 */
final class LinkOutput implements NeighborEvents {
  private final NetworkStack stack;
  private final StackObserver observer;
  private final EthernetFrame eth = new EthernetFrame();
  private Arp arp;
  private Icmp icmp;

  LinkOutput(NetworkStack stack, StackObserver observer) {
    this.stack = stack;
    this.observer = observer;
  }

  /** ARP resolves next hops for it; ICMP tells senders about a next hop that never answered. */
  void connect(Arp arp, Icmp icmp) {
    this.arp = arp;
    this.icmp = icmp;
  }

  /**
   * Sends an IPv4 packet (reader index at its header, at least 14 bytes of headroom) to
   * {@code nextHop} on {@code nic}. Takes ownership of {@code packet}.
   */
  void transmit(Nic nic, int nextHop, ByteBuf packet) {
    if (stack.isBroadcast(nextHop)) {
      frame(nic, MacAddress.BROADCAST_BITS, packet);
      return;
    }
    if (Ipv4Address.isMulticast(nextHop)) {
      // RFC 1112 6.4: 01:00:5e followed by the low 23 bits of the group address.
      frame(nic, 0x0100_5E00_0000L | (nextHop & 0x7F_FFFF), packet);
      return;
    }
    long mac = nic.neighbors().resolve(nextHop, packet);
    if (mac >= 0) {
      frame(nic, mac, packet);
    }
  }

  /** Prepends the Ethernet header in place and sends. */
  void frame(Nic nic, long dstMac, ByteBuf packet) {
    int ipStart = packet.readerIndex();
    packet.readerIndex(ipStart - EthernetFrame.HEADER_LEN);
    eth.wrap(packet).dst(dstMac).src(nic.mac()).etherType(EthernetFrame.ETHERTYPE_IPV4);
    if (observer.enabled()) {
      observer.frameSent(nic, dstMac, packet, ipStart);
    }
    send(nic, packet);
  }

  /** Hands a complete frame to the interface's link endpoint. */
  void send(Nic nic, ByteBuf frame) {
    if (!nic.isUp()) {
      nic.txDropped++;
      stack.counters().drop(DropReason.LINK_DOWN);
      frame.release();
      return;
    }
    nic.txFrames++;
    nic.txBytes += frame.readableBytes();
    nic.endpoint().send(frame);
  }

  @Override
  public void solicit(Nic nic, NeighborCache.Entry entry, long unicastMac) {
    arp.sendRequest(nic, entry.ip(), unicastMac);
  }

  @Override
  public void release(Nic nic, long mac, ByteBuf packet) {
    frame(nic, mac, packet);
  }

  @Override
  public void unresolved(Nic nic, NeighborCache.Entry entry, ByteBuf packet) {
    // RFC 1812 4.3.3.1 / Linux: tell the sender the host is unreachable, then drop.
    NatHook nat = stack.nat();
    if (nat != null) {
      nat.undoInbound(packet, packet.readerIndex()); // a port forward to a host that is not there
    }
    icmp.sendError(packet, packet.readerIndex(), false, IcmpPacket.TYPE_DEST_UNREACHABLE,
        IcmpPacket.CODE_HOST_UNREACHABLE, 0);
    if (observer.enabled()) {
      observer.dropped(nic, DropReason.ARP_TIMEOUT, entry.ip());
    }
    packet.release();
  }

  @Override
  public void dropped(Nic nic, NeighborCache.Entry entry, DropReason reason) {
    if (observer.enabled()) {
      observer.dropped(nic, reason, entry.ip());
    }
  }

  @Override
  public void transition(Nic nic, NeighborCache.Entry e, NeighborState from, NeighborState to) {
    if (observer.enabled()) {
      observer.neighborChanged(nic, e.ip(), from, to, e.mac());
    }
  }
}
