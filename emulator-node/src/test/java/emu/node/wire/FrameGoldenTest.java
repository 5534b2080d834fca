package emu.node.wire;

import static emu.node.wire.WireBytes.buf;
import static emu.node.wire.WireBytes.bytes;
import static emu.node.wire.WireBytes.hex;
import static emu.node.wire.WireBytes.toHex;
import static emu.node.wire.WireBytes.zeroed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

/**
 * Whole frames, layer by layer, both ways: the bytes a host at 192.168.1.100 (00:1a:2b:3c:4d:5e)
 * puts on the wire to its gateway 192.168.1.1 (00:11:22:33:44:55). The same bytes were written
 * to a pcap file and decoded by tshark, which reported every checksum as correct.
 */
class FrameGoldenTest {
  static final MacAddress HOST = MacAddress.parse("00:1a:2b:3c:4d:5e");
  static final MacAddress GW = MacAddress.parse("00:11:22:33:44:55");
  static final int HOST_IP = Ipv4Address.parse("192.168.1.100");
  static final int GW_IP = Ipv4Address.parse("192.168.1.1");

  static final byte[] ARP_REQUEST_FRAME = hex(
      "ffff ffff ffff 001a 2b3c 4d5e 0806"
      + "0001 0800 0604 0001 001a 2b3c 4d5e c0a8 0164 0000 0000 0000 c0a8 0101");

  static final byte[] PING_FRAME = hex(
      "0011 2233 4455 001a 2b3c 4d5e 0800"
      + "4500 003c 1c46 4000 4001 9ac5 c0a8 0164 c0a8 0101"
      + "0800 4d54 0001 0007"
      + "6162 6364 6566 6768 696a 6b6c 6d6e 6f70 7172 7374 7576 7761 6263 6465 6667 6869");

  static final byte[] DNS_FRAME = hex(
      "0011 2233 4455 001a 2b3c 4d5e 0800"
      + "4500 0039 5a3c 4000 4011 5cc2 c0a8 0164 c0a8 0101"
      + "d431 0035 0025 2c4c"
      + "abcd 0100 0001 0000 0000 0000 0765 7861 6d70 6c65 0363 6f6d 0000 0100 01");

  @Test
  void arpRequestFrame() {
    assertEquals(42, ARP_REQUEST_FRAME.length);
    ByteBuf in = buf(ARP_REQUEST_FRAME);
    try {
      EthernetFrame eth = new EthernetFrame();
      assertTrue(eth.wrapChecked(in));
      assertEquals(new EthernetFrame.Repr(MacAddress.BROADCAST, HOST, EthernetFrame.ETHERTYPE_ARP),
          EthernetFrame.Repr.parse(eth));
      ArpPacket arp = new ArpPacket().wrap(in, eth.payloadIndex());
      assertEquals(ArpPacket.Check.OK, arp.check());
      assertEquals(new ArpPacket.Repr(ArpPacket.OP_REQUEST, HOST.bits(), HOST_IP, 0, GW_IP),
          ArpPacket.Repr.parse(arp));
    } finally {
      in.release();
    }
    ByteBuf out = zeroed(42);
    try {
      EthernetFrame eth = new EthernetFrame().wrap(out);
      new EthernetFrame.Repr(MacAddress.BROADCAST, HOST, EthernetFrame.ETHERTYPE_ARP).emit(eth);
      new ArpPacket.Repr(ArpPacket.OP_REQUEST, HOST.bits(), HOST_IP, 0, GW_IP)
          .emit(new ArpPacket().wrap(out, eth.payloadIndex()));
      assertEquals(toHex(ARP_REQUEST_FRAME), toHex(bytes(out)));
    } finally {
      out.release();
    }
  }

  @Test
  void pingFrame() {
    assertEquals(74, PING_FRAME.length);
    ByteBuf in = buf(PING_FRAME);
    try {
      EthernetFrame eth = new EthernetFrame();
      assertTrue(eth.wrapChecked(in));
      assertEquals(new EthernetFrame.Repr(GW, HOST, EthernetFrame.ETHERTYPE_IPV4), EthernetFrame.Repr.parse(eth));
      Ipv4Packet ip = new Ipv4Packet().wrap(in, eth.payloadIndex());
      assertEquals(Ipv4Packet.Check.OK, ip.check());
      assertTrue(ip.checksumValid());
      assertEquals(new Ipv4Packet.Repr(HOST_IP, GW_IP, Ipv4Packet.PROTO_ICMP, 64, 0x1c46, true, 0, 40),
          Ipv4Packet.Repr.parse(ip));
      IcmpPacket icmp = new IcmpPacket().wrap(in, ip.payloadIndex(), ip.payloadLength());
      assertTrue(icmp.check());
      assertTrue(icmp.checksumValid());
      assertEquals(IcmpPacket.Repr.echo(IcmpPacket.TYPE_ECHO_REQUEST, 1, 7), IcmpPacket.Repr.parse(icmp));
      assertEquals(42, icmp.dataIndex());
      assertEquals(32, icmp.dataLength());
    } finally {
      in.release();
    }
    // Emit: only the ICMP data is copied in; every header byte and checksum comes from the reprs.
    ByteBuf out = zeroed(74);
    try {
      out.setBytes(42, PING_FRAME, 42, 32);
      EthernetFrame eth = new EthernetFrame().wrap(out);
      new EthernetFrame.Repr(GW, HOST, EthernetFrame.ETHERTYPE_IPV4).emit(eth);
      Ipv4Packet ip = new Ipv4Packet().wrap(out, eth.payloadIndex());
      new Ipv4Packet.Repr(HOST_IP, GW_IP, Ipv4Packet.PROTO_ICMP, 64, 0x1c46, true, 0, 40).emit(ip);
      IcmpPacket.Repr.echo(IcmpPacket.TYPE_ECHO_REQUEST, 1, 7)
          .emit(new IcmpPacket().wrap(out, ip.payloadIndex(), ip.payloadLength()));
      assertEquals(toHex(PING_FRAME), toHex(bytes(out)));
    } finally {
      out.release();
    }
  }

  @Test
  void dnsQueryFrame() {
    assertEquals(71, DNS_FRAME.length);
    ByteBuf in = buf(DNS_FRAME);
    try {
      EthernetFrame eth = new EthernetFrame();
      assertTrue(eth.wrapChecked(in));
      assertEquals(EthernetFrame.ETHERTYPE_IPV4, eth.etherType());
      Ipv4Packet ip = new Ipv4Packet().wrap(in, eth.payloadIndex());
      assertEquals(Ipv4Packet.Check.OK, ip.check());
      assertTrue(ip.checksumValid());
      assertEquals(new Ipv4Packet.Repr(HOST_IP, GW_IP, Ipv4Packet.PROTO_UDP, 64, 0x5a3c, true, 0, 37),
          Ipv4Packet.Repr.parse(ip));
      UdpDatagram udp = new UdpDatagram().wrap(in, ip.payloadIndex(), ip.payloadLength());
      assertTrue(udp.check());
      assertTrue(udp.checksumValid(ip.src(), ip.dst()));
      assertEquals(new UdpDatagram.Repr(54321, 53, 29), UdpDatagram.Repr.parse(udp));
    } finally {
      in.release();
    }
    ByteBuf out = zeroed(71);
    try {
      out.setBytes(42, DNS_FRAME, 42, 29);
      EthernetFrame eth = new EthernetFrame().wrap(out);
      new EthernetFrame.Repr(GW, HOST, EthernetFrame.ETHERTYPE_IPV4).emit(eth);
      Ipv4Packet ip = new Ipv4Packet().wrap(out, eth.payloadIndex());
      new Ipv4Packet.Repr(HOST_IP, GW_IP, Ipv4Packet.PROTO_UDP, 64, 0x5a3c, true, 0, 37).emit(ip);
      new UdpDatagram.Repr(54321, 53, 29)
          .emit(new UdpDatagram().wrap(out, ip.payloadIndex(), ip.payloadLength()), HOST_IP, GW_IP);
      assertEquals(toHex(DNS_FRAME), toHex(bytes(out)));
    } finally {
      out.release();
    }
  }

  /** Forwarding edits the frame in place: TTL 64 -> 63 and the incremental checksum. */
  @Test
  void forwardingDecrementMatchesGolden() {
    ByteBuf in = buf(PING_FRAME);
    try {
      Ipv4Packet ip = new Ipv4Packet().wrap(in, 14);
      assertEquals(63, ip.decrementTtl());
      // 0x9ac5 + 0x0100 (the TTL/protocol word fell by 0x0100) = 0x9bc5
      assertEquals(0x9bc5, ip.checksum());
      assertTrue(ip.checksumValid());
    } finally {
      in.release();
    }
  }
}
