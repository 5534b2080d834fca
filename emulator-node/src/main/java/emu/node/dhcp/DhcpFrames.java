package emu.node.dhcp;

import emu.link.wire.EthernetFrame;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.wire.DhcpMessage;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;

/**
 * DHCP messages as whole Ethernet frames, the way DHCP software sends them on a raw socket: a
 * client has no address to send from yet, and a server answers a client at a MAC and an address
 * no ARP could resolve. {@link #start} gives a buffer to write the message into after the
 * headers; {@link #send} fills the IP and UDP headers in and hands the packet to the link layer,
 * which frames it for the MAC given.
 */
final class DhcpFrames {
  static final int HEADERS = EthernetFrame.HEADER_LEN + Ipv4Packet.MIN_HEADER_LEN + UdpDatagram.HEADER_LEN;

  private final NetworkStack stack;
  private final Ipv4Packet ip = new Ipv4Packet();
  private final UdpDatagram udp = new UdpDatagram();

  DhcpFrames(NetworkStack stack) {
    this.stack = stack;
  }

  /** A buffer whose writer index is where the DHCP message goes. */
  ByteBuf start() {
    ByteBuf b = stack.alloc().buffer(HEADERS + DhcpMessage.MIN_LEN + 128);
    b.writerIndex(HEADERS).readerIndex(0);
    return b;
  }

  /** A buffer for {@link #sendRouted}: the message goes at its writer index, room for every header before it. */
  ByteBuf startRouted() {
    return stack.allocate(DhcpMessage.MIN_LEN + 128);
  }

  /**
   * Sends the message written into {@link #startRouted}'s buffer as an ordinary UDP datagram,
   * routed and ARPed for (a relay's, or a server's answer through one); false if it could not go.
   */
  boolean sendRouted(ByteBuf message, int srcIp, int srcPort, int dstIp, int dstPort) {
    return stack.udp().send(srcIp, srcPort, dstIp, dstPort, 64, message) == emu.node.stack.SendResult.SENT;
  }

  /** Sends the {@code len}-byte message written after {@link #start}'s headers. */
  void send(Nic nic, ByteBuf frame, int len, int srcIp, int srcPort, int dstIp, int dstPort, long dstMac) {
    int ipStart = EthernetFrame.HEADER_LEN;
    int udpStart = ipStart + Ipv4Packet.MIN_HEADER_LEN;
    new Ipv4Packet.Repr(srcIp, dstIp, Ipv4Packet.PROTO_UDP, 64, 0, false, 0, UdpDatagram.HEADER_LEN + len)
        .emit(ip.wrap(frame, ipStart));
    udp.wrap(frame, udpStart, UdpDatagram.HEADER_LEN + len).srcPort(srcPort).dstPort(dstPort)
        .length(UdpDatagram.HEADER_LEN + len).fillChecksum(srcIp, dstIp);
    frame.readerIndex(ipStart);
    stack.sendIpv4(nic, dstMac, frame); // the link layer adds the Ethernet header
  }
}
