package emu.node.stack;

import static emu.node.testing.CorporateNetwork.mac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.wire.MacAddress;
import emu.node.testing.CapturedFrame;
import emu.node.testing.CommandRun;
import emu.node.testing.CorporateNetwork;
import emu.node.testing.FrameMatcher;
import emu.node.testing.PacketBuilder;
import emu.node.testing.VirtualLab;
import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import emu.node.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a sender hears when its packet cannot be delivered (RFC 792, RFC 1812 4.3.2), and the
 * cases where it must hear nothing: errors about errors, about broadcasts, about non-initial
 * fragments. Plus the rate limit.
 */
class IcmpErrorsTest {
  private static final long R1_ETH0 = mac(CorporateNetwork.R1_ETH0_MAC);

  private VirtualLab lab;
  private CorporateNetwork net;

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(7);
    net = CorporateNetwork.start(lab);
    net.clearRecords();
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  @Test
  void noRouteOnRouterGivesNetUnreachableFromGateway() {
    CommandRun ping = lab.exec(net.client, "ping -c 2 192.168.9.9").assertExit(1);
    assertEquals(List.of("From 192.168.1.1 icmp_seq=1 Destination Net Unreachable",
        "From 192.168.1.1 icmp_seq=2 Destination Net Unreachable"), ping.linesMatching("^From "));
    assertTrue(ping.output().contains("2 packets transmitted, 0 received, +2 errors, 100% packet loss"), ping.output());
    assertEquals(2, net.r1.drops(DropReason.NO_ROUTE));
    FrameMatcher.ipv4().src("192.168.1.1").dst("192.168.1.100").ttl(64).checksumValid()
        .icmp(IcmpPacket.TYPE_DEST_UNREACHABLE, IcmpPacket.CODE_NET_UNREACHABLE).quoting("192.168.1.100", "192.168.9.9")
        .assertAll(FrameMatcher.ipv4().select(net.r1.sent("eth0")));
  }

  @Test
  void ttlOneGivesTimeExceededFromGateway() {
    CommandRun ping = lab.exec(net.client, "ping -c 1 -t 1 192.168.5.100").assertExit(1);
    assertEquals(List.of("From 192.168.1.1 icmp_seq=1 Time to live exceeded"), ping.linesMatching("^From "));
    assertEquals(1, net.r1.drops(DropReason.TTL_EXPIRED));
    assertTrue(FrameMatcher.ipv4().select(net.r1.sent("eth1")).isEmpty(), "nothing may be forwarded");
    FrameMatcher.ipv4().src("192.168.1.1").dst("192.168.1.100")
        .icmp(IcmpPacket.TYPE_TIME_EXCEEDED, IcmpPacket.CODE_TTL_EXCEEDED).quoting("192.168.1.100", "192.168.5.100")
        .single(net.r1.sent("eth0"));
  }

  @Test
  void ttlTwoReachesServer() {
    lab.exec(net.client, "ping -c 1 -t 2 192.168.5.100").assertExit(0);
  }

  @Test
  void silentNextHopGivesHostUnreachableAfterThreeArpProbes() {
    CommandRun ping = lab.launch(net.client, "ping -c 1 -W 5 192.168.5.200");
    lab.await(ping).assertExit(1);
    assertEquals(List.of("From 192.168.1.1 icmp_seq=1 Destination Host Unreachable"), ping.linesMatching("^From "));
    assertEquals(1, net.r1.drops(DropReason.ARP_TIMEOUT));

    List<CapturedFrame> probes = FrameMatcher.arpRequest().arpTarget("192.168.5.200").ethBroadcast()
        .select(net.r1.sent("eth1"));
    assertEquals(3, probes.size(), probes.toString());
    assertEquals(VirtualLab.seconds(1), probes.get(1).atNanos() - probes.get(0).atNanos());
    assertEquals(VirtualLab.seconds(1), probes.get(2).atNanos() - probes.get(1).atNanos());
    CapturedFrame error = FrameMatcher.ipv4()
        .icmp(IcmpPacket.TYPE_DEST_UNREACHABLE, IcmpPacket.CODE_HOST_UNREACHABLE).src("192.168.1.1")
        .quoting("192.168.1.100", "192.168.5.200").single(net.r1.sent("eth0"));
    assertEquals(VirtualLab.seconds(3), error.atNanos() - probes.get(0).atNanos(), "gives up 3 s after the first probe");
    assertEquals(NeighborState.FAILED, net.r1.neighbor("eth1", "192.168.5.200").state());
  }

  @Test
  void closedUdpPortOnServerGivesPortUnreachable() {
    List<String> heard = new ArrayList<>();
    IcmpListener listener = (ip, icmp) -> heard.add(Ipv4Address.format(ip.src()) + " type " + icmp.type() + " code "
        + icmp.code());
    NetworkStack client = net.client.stack();
    client.icmp().addListener(listener);
    int port = client.udp().bind(0, (s, sp, d, dp, p) -> { });
    ByteBuf data = client.allocate(4);
    data.writeInt(0xCAFE);
    assertEquals(SendResult.SENT, client.udp().send(0, port, Ipv4Address.parse("192.168.5.100"), 9999, 64, data));
    lab.settle();
    client.icmp().removeListener(listener);

    assertEquals(List.of("192.168.5.100 type 3 code 3"), heard);
    assertEquals(1, net.server.drops(DropReason.NO_LISTENER));
    CapturedFrame err = FrameMatcher.ipv4().src("192.168.5.100").dst("192.168.1.100").checksumValid()
        .icmp(IcmpPacket.TYPE_DEST_UNREACHABLE, IcmpPacket.CODE_PORT_UNREACHABLE).quoting("192.168.1.100", "192.168.5.100")
        .single(net.server.sent("eth0"));
    assertEquals(port, err.icmp().quotedSrcPort());
    assertEquals(9999, err.icmp().quotedDstPort());
  }

  @Test
  void hostWithoutGatewayCannotPingOffSubnet() {
    net.client.stack().routes().remove(new Ipv4Cidr(0, 0));
    CommandRun ping = lab.exec(net.client, "ping -c 3 192.168.5.100").assertExit(2);
    // iputils connects its socket first, so it prints no PING line when that fails
    assertEquals(List.of("ping: connect: Network is unreachable"), ping.lines());
    assertTrue(net.client.sent("eth0").isEmpty(), "nothing may reach the wire");
    assertEquals(0, net.client.drops(DropReason.NO_ROUTE), "no packet was even built");
    CommandRun get = lab.exec(net.client, "ip route get 192.168.5.100").assertExit(2);
    assertEquals(List.of("RTNETLINK answers: Network is unreachable"), get.lines());
  }

  @Test
  void tracerouteToUnroutableNetworkStopsAtNetUnreachable() {
    CommandRun tr = lab.exec(net.client, "traceroute -n 192.168.9.9").assertExit(1);
    // Hop 1: r1 reports the TTL expired (it checks TTL before the route); hop 2: r1 has no route.
    assertEquals(3, tr.lines().size(), tr.output());
    assertTrue(tr.lines().get(1).matches(" 1 .*192\\.168\\.1\\.1 .*"), tr.lines().get(1));
    assertTrue(!tr.lines().get(1).contains("!"), tr.lines().get(1));
    assertTrue(tr.lines().get(2).matches(" 2 .*192\\.168\\.1\\.1 .*!N.*"), tr.lines().get(2));
  }

  // ---- when no error may be sent ---------------------------------------------------------

  private static final long BCAST = MacAddress.BROADCAST_BITS;

  private static byte[] icmpErrorPacket() {
    // A port unreachable that 192.168.9.9 supposedly sent: it quotes a UDP datagram.
    byte[] quoted = PacketBuilder.ipv4("192.168.1.100", "192.168.9.9").udp(40000, 53, new byte[4]).packet();
    return quoted;
  }

  static Stream<Arguments> noErrorCases() {
    return Stream.of(
        Arguments.of("ICMP error (dest unreachable) with TTL 1",
            PacketBuilder.ipv4("192.168.1.100", "192.168.5.100").ttl(1).eth(R1_ETH0, PacketBuilder.STRANGER_MAC)
                .icmp(IcmpPacket.TYPE_DEST_UNREACHABLE, IcmpPacket.CODE_PORT_UNREACHABLE, 0, icmpErrorPacket()).frame(),
            DropReason.TTL_EXPIRED),
        Arguments.of("ICMP error (time exceeded) with no route",
            PacketBuilder.ipv4("192.168.1.100", "192.168.9.9").eth(R1_ETH0, PacketBuilder.STRANGER_MAC)
                .icmp(IcmpPacket.TYPE_TIME_EXCEEDED, 0, 0, icmpErrorPacket()).frame(),
            DropReason.NO_ROUTE),
        Arguments.of("ICMP error (parameter problem) to a closed-protocol path: no route",
            PacketBuilder.ipv4("192.168.1.100", "10.1.1.1").eth(R1_ETH0, PacketBuilder.STRANGER_MAC)
                .icmp(IcmpPacket.TYPE_PARAMETER_PROBLEM, 0, 0, icmpErrorPacket()).frame(),
            DropReason.NO_ROUTE),
        Arguments.of("UDP to a closed port, limited broadcast",
            PacketBuilder.ipv4("192.168.1.100", "255.255.255.255").eth(BCAST, PacketBuilder.STRANGER_MAC)
                .udp(40000, 9, new byte[8]).frame(),
            DropReason.NO_LISTENER),
        Arguments.of("UDP to a closed port, directed broadcast of the ingress subnet",
            PacketBuilder.ipv4("192.168.1.100", "192.168.1.255").eth(BCAST, PacketBuilder.STRANGER_MAC)
                .udp(40000, 9, new byte[8]).frame(),
            DropReason.NO_LISTENER),
        Arguments.of("UDP to a closed port, directed broadcast sent L2-unicast to the router",
            PacketBuilder.ipv4("192.168.1.100", "192.168.1.255").eth(R1_ETH0, PacketBuilder.STRANGER_MAC)
                .udp(40000, 9, new byte[8]).frame(),
            DropReason.NO_LISTENER),
        Arguments.of("UDP to a closed port, directed broadcast of the router's other subnet",
            PacketBuilder.ipv4("192.168.1.100", "192.168.5.255").eth(R1_ETH0, PacketBuilder.STRANGER_MAC)
                .udp(40000, 9, new byte[8]).frame(),
            DropReason.NO_LISTENER),
        Arguments.of("UDP to the router's own address but in an Ethernet broadcast",
            PacketBuilder.ipv4("192.168.1.100", "192.168.1.1").eth(BCAST, PacketBuilder.STRANGER_MAC)
                .udp(40000, 9, new byte[8]).frame(),
            DropReason.NO_LISTENER),
        Arguments.of("unknown protocol in a broadcast",
            PacketBuilder.ipv4("192.168.1.100", "192.168.1.255").eth(BCAST, PacketBuilder.STRANGER_MAC)
                .payload(99, new byte[12]).frame(),
            DropReason.UNSUPPORTED_PROTOCOL),
        Arguments.of("non-initial fragment with TTL 1",
            PacketBuilder.ipv4("192.168.1.100", "192.168.5.100").ttl(1).flagsFragment(185)
                .eth(R1_ETH0, PacketBuilder.STRANGER_MAC).payload(Ipv4Packet.PROTO_UDP, new byte[16]).frame(),
            DropReason.TTL_EXPIRED),
        Arguments.of("source 0.0.0.0 with TTL 1",
            PacketBuilder.ipv4("0.0.0.0", "192.168.5.100").ttl(1).eth(R1_ETH0, PacketBuilder.STRANGER_MAC)
                .icmpEcho(1, 1, 8).frame(),
            DropReason.TTL_EXPIRED));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("noErrorCases")
  void routerSendsNoIcmpErrorAbout(String name, byte[] frame, DropReason expectedDrop) {
    long[] before = net.r1.dropSnapshot();
    long errorsBefore = net.r1.counters().icmpErrorsSent;
    long limitedBefore = net.r1.counters().icmpRateLimited;

    net.r1.inject("eth0", frame);
    lab.settle();

    assertEquals(Map.of(expectedDrop, 1L), net.r1.dropsSince(before));
    assertEquals(errorsBefore, net.r1.counters().icmpErrorsSent, "ICMP errors sent");
    assertEquals(limitedBefore, net.r1.counters().icmpRateLimited, "not even considered for sending");
    FrameMatcher.ipv4().protocol(Ipv4Packet.PROTO_ICMP).assertNone(net.r1.sent("eth0"));
    FrameMatcher.ipv4().assertNone(net.r1.sent("eth1"));
  }

  static Stream<Arguments> errorCases() {
    return Stream.of(
        Arguments.of("echo request with TTL 1 (errors about echo requests are allowed)",
            PacketBuilder.ipv4("192.168.1.100", "192.168.5.100").ttl(1).eth(R1_ETH0, PacketBuilder.STRANGER_MAC)
                .icmpEcho(1, 1, 8).frame(),
            DropReason.TTL_EXPIRED, IcmpPacket.TYPE_TIME_EXCEEDED, IcmpPacket.CODE_TTL_EXCEEDED),
        Arguments.of("initial fragment with TTL 1",
            PacketBuilder.ipv4("192.168.1.100", "192.168.5.100").ttl(1).flagsFragment(Ipv4Packet.FLAG_MF)
                .eth(R1_ETH0, PacketBuilder.STRANGER_MAC).payload(Ipv4Packet.PROTO_UDP, new byte[16]).frame(),
            DropReason.TTL_EXPIRED, IcmpPacket.TYPE_TIME_EXCEEDED, IcmpPacket.CODE_TTL_EXCEEDED),
        Arguments.of("unknown protocol unicast to the router",
            PacketBuilder.ipv4("192.168.1.100", "192.168.1.1").eth(R1_ETH0, PacketBuilder.STRANGER_MAC)
                .payload(99, new byte[12]).frame(),
            DropReason.UNSUPPORTED_PROTOCOL, IcmpPacket.TYPE_DEST_UNREACHABLE, IcmpPacket.CODE_PROTOCOL_UNREACHABLE),
        Arguments.of("UDP to a closed port of the router",
            PacketBuilder.ipv4("192.168.1.100", "192.168.1.1").eth(R1_ETH0, PacketBuilder.STRANGER_MAC)
                .udp(40000, 9, new byte[8]).frame(),
            DropReason.NO_LISTENER, IcmpPacket.TYPE_DEST_UNREACHABLE, IcmpPacket.CODE_PORT_UNREACHABLE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errorCases")
  void routerSendsIcmpErrorAbout(String name, byte[] frame, DropReason expectedDrop, int type, int code) {
    long[] before = net.r1.dropSnapshot();
    net.r1.inject("eth0", frame);
    lab.settle();
    assertEquals(Map.of(expectedDrop, 1L), net.r1.dropsSince(before));
    FrameMatcher.ipv4().src("192.168.1.1").dst("192.168.1.100").checksumValid().icmp(type, code)
        .single(net.r1.sent("eth0"));
  }

  @Test
  void echoRequestToBroadcastIsIgnored() {
    byte[] echo = PacketBuilder.ipv4("192.168.1.100", "192.168.1.255").eth(BCAST, PacketBuilder.STRANGER_MAC)
        .icmpEcho(9, 1, 8).frame();
    net.r1.inject("eth0", echo);
    lab.settle();
    FrameMatcher.ipv4().assertNone(net.r1.sent("eth0"));
    assertEquals(0, net.r1.counters().totalDrops());
  }

  @Test
  void errorsAreRateLimitedByTokenBucket() {
    byte[] expiring = PacketBuilder.ipv4("192.168.1.100", "192.168.5.100").ttl(1)
        .eth(R1_ETH0, PacketBuilder.STRANGER_MAC).icmpEcho(1, 1, 8).frame();
    StackCounters c = net.r1.counters();
    for (int i = 0; i < 60; i++) {
      net.r1.inject("eth0", expiring);
    }
    assertEquals(50, c.icmpErrorsSent, "burst of 50");
    assertEquals(10, c.icmpRateLimited);

    lab.advance(VirtualLab.millis(5)); // 1000 per second: 5 new tokens
    for (int i = 0; i < 10; i++) {
      net.r1.inject("eth0", expiring);
    }
    assertEquals(55, c.icmpErrorsSent);
    assertEquals(15, c.icmpRateLimited);

    lab.settle();
    lab.advance(VirtualLab.seconds(1)); // refilled to the burst, never beyond
    for (int i = 0; i < 60; i++) {
      net.r1.inject("eth0", expiring);
    }
    assertEquals(105, c.icmpErrorsSent);
    assertEquals(25, c.icmpRateLimited);
    assertEquals(130, net.r1.drops(DropReason.TTL_EXPIRED));
  }
}
