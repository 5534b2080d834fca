package emu.node.stack;

import emu.node.event.IcmpEvent;
import emu.node.event.IpEvent;
import static emu.node.testing.CorporateNetwork.mac;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.node.testing.CorporateNetwork;
import emu.node.testing.PacketBuilder;
import emu.node.testing.VirtualLab;
import emu.node.wire.ArpPacket;
import emu.node.wire.Ipv4Packet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input into the router (the fuzzing classes of conventions.md): each frame is dropped with
 * exactly one named counter, nothing throws, nothing leaks, and r1 keeps forwarding.
 */
class MalformedInputTest {
  private static final long R1 = mac(CorporateNetwork.R1_ETH0_MAC);
  private static final long BCAST = MacAddress.BROADCAST_BITS;
  private static final long ME = PacketBuilder.STRANGER_MAC;
  private static final int IP = EthernetFrame.HEADER_LEN;
  private static final int L4 = IP + Ipv4Packet.MIN_HEADER_LEN;

  private VirtualLab lab;
  private CorporateNetwork net;

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(11);
    net = CorporateNetwork.start(lab);
    net.clearRecords();
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  private static byte[] udpToR1() {
    return PacketBuilder.ipv4("192.168.1.77", "192.168.1.1").eth(R1, ME).udp(40000, 7, new byte[12]).frame();
  }

  private static byte[] echoToR1() {
    return PacketBuilder.ipv4("192.168.1.77", "192.168.1.1").eth(R1, ME).icmpEcho(5, 1, 16).frame();
  }

  private static byte[] arpRequest() {
    return PacketBuilder.arp(BCAST, ArpPacket.OP_REQUEST, ME, "192.168.1.77", 0, "192.168.1.1");
  }

  private static byte[] withIpEdit(byte[] frame, int offset, int value16) {
    return PacketBuilder.refreshIpChecksum(PacketBuilder.corrupt16(frame, offset, value16), IP);
  }

  private static byte[] garbage(int length, long seed) {
    byte[] b = new byte[length];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  static Stream<Arguments> badFrames() {
    byte[] udp = udpToR1();
    byte[] echo = echoToR1();
    byte[] arp = arpRequest();
    byte[] garbageIp = garbage(60, 1);
    garbageIp[0] = (byte) 0xF7; // version 15
    return Stream.of(
        Arguments.of("empty frame", new byte[0], DropReason.RUNT),
        Arguments.of("1-byte frame", new byte[] {0x42}, DropReason.RUNT),
        Arguments.of("13-byte frame", PacketBuilder.truncate(udp, 13), DropReason.RUNT),
        Arguments.of("unicast to another MAC", PacketBuilder.ipv4("192.168.1.77", "192.168.5.100")
            .eth(0x02_00_00_00_12_34L, ME).icmpEcho(1, 1, 8).frame(), DropReason.NOT_FOR_US),
        Arguments.of("unknown EtherType 0x1234", PacketBuilder.ethernet(R1, ME, 0x1234, garbage(46, 2)),
            DropReason.UNKNOWN_ETHERTYPE),
        Arguments.of("IPv6 EtherType", PacketBuilder.ethernet(BCAST, ME, EthernetFrame.ETHERTYPE_IPV6, garbage(46, 3)),
            DropReason.UNKNOWN_ETHERTYPE),
        Arguments.of("garbage IPv4 payload", PacketBuilder.ethernet(R1, ME, EthernetFrame.ETHERTYPE_IPV4, garbageIp),
            DropReason.IP_MALFORMED),
        Arguments.of("garbage ARP payload", PacketBuilder.ethernet(BCAST, ME, EthernetFrame.ETHERTYPE_ARP, garbage(28, 4)),
            DropReason.ARP_MALFORMED),
        Arguments.of("IPv4 header only 14 + 0 bytes", PacketBuilder.truncate(udp, IP), DropReason.IP_MALFORMED),
        Arguments.of("IPv4 header truncated at 19 bytes", PacketBuilder.truncate(udp, IP + 19), DropReason.IP_MALFORMED),
        Arguments.of("IPv4 version 6", PacketBuilder.refreshIpChecksum(PacketBuilder.corrupt(udp, IP, 0x65), IP),
            DropReason.IP_MALFORMED),
        Arguments.of("IHL 4 (< 5)", PacketBuilder.refreshIpChecksum(PacketBuilder.corrupt(udp, IP, 0x44), IP),
            DropReason.IP_MALFORMED),
        Arguments.of("IHL 0", PacketBuilder.corrupt(udp, IP, 0x40), DropReason.IP_MALFORMED),
        Arguments.of("IHL 15, beyond the buffer", PacketBuilder.corrupt(udp, IP, 0x4F), DropReason.IP_MALFORMED),
        Arguments.of("total length beyond the buffer", withIpEdit(udp, IP + Ipv4Packet.TOTAL_LENGTH, 1000),
            DropReason.IP_MALFORMED),
        Arguments.of("total length 65535", withIpEdit(udp, IP + Ipv4Packet.TOTAL_LENGTH, 0xFFFF),
            DropReason.IP_MALFORMED),
        Arguments.of("total length smaller than the header", withIpEdit(udp, IP + Ipv4Packet.TOTAL_LENGTH, 12),
            DropReason.IP_MALFORMED),
        Arguments.of("bad IPv4 header checksum", PacketBuilder.corrupt(udp, IP + Ipv4Packet.CHECKSUM,
            udp[IP + Ipv4Packet.CHECKSUM] ^ 0x5A), DropReason.IP_BAD_CHECKSUM),
        Arguments.of("bad checksum on a packet to forward", PacketBuilder.corrupt(
            PacketBuilder.ipv4("192.168.1.77", "192.168.5.100").eth(R1, ME).icmpEcho(1, 1, 8).frame(),
            IP + Ipv4Packet.TTL, 200), DropReason.IP_BAD_CHECKSUM),
        Arguments.of("loopback source", PacketBuilder.ipv4("127.0.0.1", "192.168.1.1").eth(R1, ME)
            .icmpEcho(1, 1, 8).frame(), DropReason.IP_MARTIAN),
        Arguments.of("multicast source", PacketBuilder.ipv4("224.0.0.5", "192.168.5.100").eth(R1, ME)
            .icmpEcho(1, 1, 8).frame(), DropReason.IP_MARTIAN),
        Arguments.of("broadcast source", PacketBuilder.ipv4("255.255.255.255", "192.168.1.1").eth(R1, ME)
            .icmpEcho(1, 1, 8).frame(), DropReason.IP_MARTIAN),
        Arguments.of("multicast destination is not forwarded", PacketBuilder.ipv4("192.168.1.77", "239.1.2.3")
            .eth(0x01_00_5E_01_02_03L, ME).udp(40000, 5000, new byte[8]).frame(), DropReason.IP_NOT_FOR_US),
        Arguments.of("ARP hlen 7", PacketBuilder.corrupt(arp, IP + ArpPacket.HLEN, 7), DropReason.ARP_MALFORMED),
        Arguments.of("ARP plen 16", PacketBuilder.corrupt(arp, IP + ArpPacket.PLEN, 16), DropReason.ARP_MALFORMED),
        Arguments.of("ARP hardware type 6", PacketBuilder.corrupt16(arp, IP + ArpPacket.HTYPE, 6),
            DropReason.ARP_MALFORMED),
        Arguments.of("ARP protocol type IPv6", PacketBuilder.corrupt16(arp, IP + ArpPacket.PTYPE, 0x86DD),
            DropReason.ARP_MALFORMED),
        Arguments.of("ARP operation 3", PacketBuilder.corrupt16(arp, IP + ArpPacket.OPER, 3), DropReason.ARP_MALFORMED),
        Arguments.of("ARP truncated to 27 bytes", PacketBuilder.truncate(arp, IP + 27), DropReason.ARP_MALFORMED),
        Arguments.of("UDP length 4 (< 8)", PacketBuilder.corrupt16(udp, L4 + 4, 4), DropReason.UDP_MALFORMED),
        Arguments.of("UDP length beyond the IP payload", PacketBuilder.corrupt16(udp, L4 + 4, 300),
            DropReason.UDP_MALFORMED),
        Arguments.of("UDP in a 4-byte IP payload", PacketBuilder.ipv4("192.168.1.77", "192.168.1.1").eth(R1, ME)
            .payload(Ipv4Packet.PROTO_UDP, new byte[4]).frame(), DropReason.UDP_MALFORMED),
        Arguments.of("bad UDP checksum", PacketBuilder.corrupt(udp, L4 + 6, udp[L4 + 6] ^ 0x01),
            DropReason.UDP_BAD_CHECKSUM),
        Arguments.of("ICMP shorter than its header", PacketBuilder.ipv4("192.168.1.77", "192.168.1.1").eth(R1, ME)
            .payload(Ipv4Packet.PROTO_ICMP, new byte[] {8, 0, 0, 0}).frame(), DropReason.ICMP_MALFORMED),
        Arguments.of("bad ICMP checksum", PacketBuilder.corrupt(echo, L4 + 2, echo[L4 + 2] ^ 0x10),
            DropReason.ICMP_BAD_CHECKSUM),
        Arguments.of("fragment for the router", PacketBuilder.ipv4("192.168.1.77", "192.168.1.1").eth(R1, ME)
            .flagsFragment(Ipv4Packet.FLAG_MF).payload(Ipv4Packet.PROTO_UDP, new byte[16]).frame(),
            DropReason.IP_FRAGMENT));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFrames")
  void badFrameIncrementsExactlyItsCounterAndRouterStillForwards(String name, byte[] frame, DropReason reason) {
    long[] before = net.r1.dropSnapshot();
    long rxDropped = net.r1.nic("eth0").rxDropped;
    long forwarded = net.r1.counters().ipForwarded;

    assertDoesNotThrow(() -> net.r1.inject("eth0", frame));
    lab.settle();

    assertEquals(Map.of(reason, 1L), net.r1.dropsSince(before), name);
    assertEquals(rxDropped + 1, net.r1.nic("eth0").rxDropped, "rx dropped on eth0");
    assertEquals(forwarded, net.r1.counters().ipForwarded, "nothing forwarded");
    assertEquals(1, net.r1.events(IpEvent.Dropped.class).size(), "one drop event");
    assertEquals(reason, net.r1.events(IpEvent.Dropped.class).get(0).reason());

    lab.exec(net.client, "ping -c 1 192.168.5.100").assertExit(0);
  }

  @Test
  void paddedShortPacketIsTrimmedAndAnswered() {
    // Ethernet pads to 60 bytes; the IP total length says where the packet ends.
    byte[] echo = PacketBuilder.ipv4("192.168.1.100", "192.168.1.1").eth(R1, ME).icmpEcho(3, 1, 0).frame();
    byte[] padded = java.util.Arrays.copyOf(echo, 60);
    padded[echo.length] = 0x55;
    net.r1.inject("eth0", padded);
    lab.settle();
    assertEquals(0, net.r1.counters().totalDrops());
    assertEquals(1, net.r1.events(IcmpEvent.EchoAnswered.class).size());
    // The reply is as long as the request was, not as the padded frame.
    emu.node.testing.FrameMatcher.ipv4().src("192.168.1.1").dst("192.168.1.100").totalLength(28).checksumValid()
        .icmp(emu.node.wire.IcmpPacket.TYPE_ECHO_REPLY, 0).single(net.r1.sent("eth0"));
  }

  @Test
  void frameOnADownInterfaceIsCountedAsLinkDown() {
    net.r1.nic("eth0").setUp(false);
    long[] before = net.r1.dropSnapshot();
    net.r1.inject("eth0", echoToR1());
    assertEquals(Map.of(DropReason.LINK_DOWN, 1L), net.r1.dropsSince(before));
    net.r1.nic("eth0").setUp(true);
    lab.exec(net.client, "ping -c 1 192.168.5.100").assertExit(0);
  }

  @Test
  void mutationFuzzNeverThrowsNorLeaksAndRouterKeepsForwarding() {
    List<byte[]> seeds = new ArrayList<>(List.of(udpToR1(), echoToR1(), arpRequest(),
        PacketBuilder.ipv4("192.168.1.77", "192.168.5.100").eth(R1, ME).icmpEcho(2, 2, 24).frame(),
        PacketBuilder.ipv4("192.168.1.77", "192.168.5.100").eth(R1, ME).udp(1, 2, new byte[30]).frame(),
        PacketBuilder.arp(R1, ArpPacket.OP_REPLY, ME, "192.168.1.77", R1, "192.168.1.1")));
    SplittableRandom rnd = new SplittableRandom(2026);
    for (int i = 0; i < 3000; i++) {
      byte[] f = seeds.get(rnd.nextInt(seeds.size())).clone();
      int edits = 1 + rnd.nextInt(4);
      for (int e = 0; e < edits; e++) {
        // Mostly headers (the first 42 bytes), where parsing decisions are made.
        int at = rnd.nextInt(Math.min(f.length, rnd.nextBoolean() ? 42 : f.length));
        f[at] = (byte) rnd.nextInt(256);
      }
      if (rnd.nextInt(8) == 0) {
        f = PacketBuilder.truncate(f, rnd.nextInt(f.length + 1));
      }
      if (rnd.nextInt(4) == 0 && f.length >= IP + Ipv4Packet.MIN_HEADER_LEN && f[12] == 8 && f[13] == 0) {
        f = PacketBuilder.refreshIpChecksum(f, IP); // get past the checksum to the deeper checks
      }
      byte[] frame = f;
      assertDoesNotThrow(() -> net.r1.inject("eth0", frame), () -> "frame " + java.util.HexFormat.of().formatHex(frame));
      if (i % 100 == 0) {
        lab.settle();
      }
    }
    lab.settle();
    lab.exec(net.client, "ping -c 2 192.168.5.100").assertExit(0);
  }
}
