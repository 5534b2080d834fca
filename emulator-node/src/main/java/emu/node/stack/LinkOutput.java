package emu.node.stack;

import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.node.trace.PacketSummary;
import emu.node.trace.TraceEvent;
import emu.node.wire.Ipv4Address;
import io.netty.buffer.ByteBuf;

/**
 * The bottom of the IPv4 output path: finds the next hop's MAC through the interface's
 * neighbour cache (queuing the packet while ARP runs), writes the Ethernet header into the
 * headroom in front of the IP header, and hands the frame to the link endpoint.
 */
final class LinkOutput implements NeighborEvents {
  private final NetworkStack stack;
  private final EthernetFrame eth = new EthernetFrame();

  LinkOutput(NetworkStack stack) {
    this.stack = stack;
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
    if (stack.tracing()) {
      stack.trace(new TraceEvent("eth.tx").put("dev", nic.name())
          .put("src_mac", MacAddress.format(nic.mac())).put("dst_mac", MacAddress.format(dstMac))
          .put("ethertype", "0x0800").put("bytes", packet.readableBytes())
          // the packet's identity, which the receiver's ip.rx repeats: the control plane pairs
          // sends with receives to estimate hosts' clock offsets (emu.control.narrative.ClockOffsets)
          .put("src", Ipv4Address.format(packet.getInt(ipStart + 12)))
          .put("dst", Ipv4Address.format(packet.getInt(ipStart + 16)))
          .put("ip_id", packet.getUnsignedShort(ipStart + 4))
          .msg("frames it: Ethernet " + MacAddress.format(nic.mac()) + " > " + MacAddress.format(dstMac)
              + ", IPv4, " + packet.readableBytes() + " bytes [" + PacketSummary.ipv4(packet, ipStart)
              + "]; transmits on " + nic.name()));
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
  public void solicit(Nic nic, int ip, long unicastMac) {
    stack.arp().sendRequest(nic, ip, unicastMac);
  }

  @Override
  public void release(Nic nic, long mac, ByteBuf packet) {
    frame(nic, mac, packet);
  }

  @Override
  public void unresolved(Nic nic, int ip, ByteBuf packet) {
    // RFC 1812 4.3.3.1 / Linux: tell the sender the host is unreachable, then drop.
    stack.icmp().sendError(packet, packet.readerIndex(), false,
        emu.node.wire.IcmpPacket.TYPE_DEST_UNREACHABLE, emu.node.wire.IcmpPacket.CODE_HOST_UNREACHABLE, 0);
    if (stack.tracing()) {
      stack.trace(new TraceEvent("drop").put("reason", DropReason.ARP_TIMEOUT.label()).put("dev", nic.name())
          .msg("dropped a packet for " + Ipv4Address.format(ip) + ": " + DropReason.ARP_TIMEOUT.description()));
    }
    packet.release();
  }

  @Override
  public void transition(Nic nic, NeighborCache.Entry e, NeighborState from, NeighborState to) {
    if (stack.tracing()) {
      stack.trace(new TraceEvent("neigh").put("dev", nic.name()).put("ip", Ipv4Address.format(e.ip()))
          .put("from", from == null ? "NONE" : from.name()).put("to", to.name())
          .put("mac", e.mac() < 0 ? null : MacAddress.format(e.mac()))
          .msg("ARP cache: " + Ipv4Address.format(e.ip()) + " on " + nic.name() + " "
              + (from == null ? "new" : from.name()) + " -> " + to.name()
              + (e.mac() < 0 ? "" : " (" + MacAddress.format(e.mac()) + ")")));
    }
  }
}
