package emu.node.stack;

import emu.node.event.RouteInfo;
import emu.node.event.IpEvent;
import emu.node.event.ArpEvent;
import static emu.node.testing.CorporateNetwork.mac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.wire.MacAddress;
import emu.node.testing.CapturedFrame;
import emu.node.testing.CommandRun;
import emu.node.testing.CorporateNetwork;
import emu.node.testing.FrameMatcher;
import emu.node.testing.VirtualLab;
import emu.node.wire.IcmpPacket;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The seed's walk-through (connection-process.md sections 1-4) on the corporate network: the
 * routing decision, ARP for the gateway and never for the remote server, encapsulation, and
 * r1 forwarding with TTL and MAC rewrite.
 */
class CorporateNetworkTest {
  private VirtualLab lab;
  private CorporateNetwork net;

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(42);
    net = CorporateNetwork.start(lab);
    net.clearRecords();
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  @Test
  void pingAcrossRouterSucceedsWithTtl63() {
    CommandRun ping = lab.exec(net.client, "ping -c 4 192.168.5.100").assertExit(0);

    assertEquals("PING 192.168.5.100 (192.168.5.100) 56(84) bytes of data.", ping.lines().get(0));
    List<String> replies = ping.linesMatching("^64 bytes from 192\\.168\\.5\\.100: icmp_seq=\\d+ ttl=\\d+ time=");
    assertEquals(4, replies.size(), ping.output());
    replies.forEach(l -> assertTrue(l.contains(" ttl=63 "), l));
    assertEquals(List.of("1", "2", "3", "4"), ping.extract("icmp_seq=(\\d+)"));
    assertTrue(ping.output().contains("4 packets transmitted, 4 received, 0% packet loss"), ping.output());
  }

  @Test
  void clientArpsForTheGatewayNeverForTheRemoteServer() {
    lab.exec(net.client, "ping -c 2 192.168.5.100").assertExit(0);

    // On the wire: every ARP request the client sent asks for 192.168.1.1.
    List<CapturedFrame> requests = FrameMatcher.arpRequest().select(net.client.sent("eth0"));
    assertFalse(requests.isEmpty());
    FrameMatcher.arpRequest().arpTarget("192.168.1.1").ethBroadcast().arpSender("192.168.1.100", mac(CorporateNetwork.CLIENT_MAC))
        .assertAll(requests);
    FrameMatcher.any().with("ARP", true, CapturedFrame::isArp).arpTarget("192.168.5.100")
        .assertNone(net.client.sent("eth0"));
    // Nobody on the client's LAN ever asks for the server either.
    FrameMatcher.any().with("ARP", true, CapturedFrame::isArp).arpTarget("192.168.5.100")
        .assertNone(net.spare.frames());

    // In the narrative: the same.
    List<ArpEvent.RequestSent> arp = net.client.events(ArpEvent.RequestSent.class);
    assertFalse(arp.isEmpty());
    arp.forEach(e -> assertEquals("192.168.1.1", e.targetIp(), e.toString()));
  }

  @Test
  void routeDecisionSaysDifferentSubnetsSoUseTheGateway() {
    lab.exec(net.client, "ping -c 1 192.168.5.100").assertExit(0);

    // The facts the narrative states (its words are the control plane's: StoryTest).
    IpEvent.RouteDecision d = net.client.events(IpEvent.RouteDecision.class).get(0);
    assertEquals("192.168.5.100", d.dst());
    assertFalse(d.direct());
    assertEquals("192.168.1.1", d.nextHop());
    assertEquals(new RouteInfo("0.0.0.0/0", "192.168.1.1", "eth0", "static", null, 0), d.route());
    assertEquals("eth0", d.dev());
    assertEquals("192.168.1.100/24", d.ownAddress());
  }

  @Test
  void routerForwardEventShowsTtlDecrement() {
    lab.exec(net.client, "ping -c 1 192.168.5.100").assertExit(0);

    List<IpEvent.Forwarded> fwd = net.r1.events(IpEvent.Forwarded.class);
    // Request out eth1 and reply out eth0.
    assertEquals(2, fwd.size(), fwd.toString());
    IpEvent.Forwarded req = fwd.get(0);
    assertEquals("eth0", req.in());
    assertEquals("eth1", req.out());
    assertEquals("192.168.5.100", req.dst());
    assertEquals("192.168.5.100", req.nextHop());
    assertEquals(64, req.ttlBefore());
    assertEquals(63, req.ttlAfter());
    // RFC 1624: one less in the TTL byte is 0x0100 more in the header checksum (ones' complement)
    assertEquals((req.checksumBefore() + 0x0100) % 0xFFFF, req.checksumAfter());
    IpEvent.Forwarded rep = fwd.get(1);
    assertEquals("eth1", rep.in());
    assertEquals("eth0", rep.out());
    assertEquals(64, rep.ttlBefore());
    assertEquals(63, rep.ttlAfter());
  }

  @Test
  void ipNeighOnClientShowsGatewayReachableAfterPing() {
    lab.exec(net.client, "ping -c 4 192.168.5.100").assertExit(0);

    CommandRun neigh = lab.exec(net.client, "ip neigh").assertExit(0);
    assertEquals(List.of("192.168.1.1 dev eth0 lladdr " + CorporateNetwork.R1_ETH0_MAC + " REACHABLE"), neigh.lines());
  }

  @Test
  void framesLeavingRouterOnEth1AreRewrittenAndValid() {
    lab.exec(net.client, "ping -c 3 192.168.5.100").assertExit(0);

    FrameMatcher forwardedRequest = FrameMatcher.ipv4()
        .ethSrc(mac(CorporateNetwork.R1_ETH1_MAC)).ethDst(mac(CorporateNetwork.SERVER_MAC))
        .src("192.168.1.100").dst("192.168.5.100").ttl(63).checksumValid()
        .icmp(IcmpPacket.TYPE_ECHO_REQUEST, 0);
    List<CapturedFrame> ipOut = FrameMatcher.ipv4().select(net.r1.sent("eth1"));
    assertEquals(3, ipOut.size(), ipOut.toString());
    forwardedRequest.assertAll(ipOut);

    // The same packets as the client sent them: only TTL, checksum and MACs differ.
    List<CapturedFrame> fromClient = FrameMatcher.ipv4().select(net.client.sent("eth0"));
    FrameMatcher.ipv4().ethSrc(mac(CorporateNetwork.CLIENT_MAC)).ethDst(mac(CorporateNetwork.R1_ETH0_MAC))
        .ttl(64).checksumValid().assertAll(fromClient);
    for (int i = 0; i < 3; i++) {
      assertEquals(fromClient.get(i).ip().ident(), ipOut.get(i).ip().ident());
      byte[] a = fromClient.get(i).bytes();
      byte[] b = ipOut.get(i).bytes();
      assertEquals(a.length, b.length);
      for (int k = 14; k < a.length; k++) {
        boolean ttlOrChecksum = k == 14 + 8 || k == 14 + 10 || k == 14 + 11;
        if (!ttlOrChecksum) {
          assertEquals(a[k], b[k], "byte " + k + " of the IP packet changed in forwarding");
        }
      }
    }

    // Replies come back to the client rewritten by r1's eth0.
    FrameMatcher.ipv4().ethSrc(mac(CorporateNetwork.R1_ETH0_MAC)).ethDst(mac(CorporateNetwork.CLIENT_MAC))
        .src("192.168.5.100").dst("192.168.1.100").ttl(63).checksumValid().icmp(IcmpPacket.TYPE_ECHO_REPLY, 0)
        .assertAll(FrameMatcher.ipv4().select(net.r1.sent("eth0")));
  }

  @Test
  void sameSubnetHostIsReachedDirectlyWithoutTheRouter() {
    CommandRun ping = lab.exec(net.client, "ping -c 2 192.168.1.101").assertExit(0);
    ping.linesMatching("bytes from").forEach(l -> assertTrue(l.contains("ttl=64"), l));

    FrameMatcher.arpRequest().arpTarget("192.168.1.101").ethBroadcast()
        .assertAll(FrameMatcher.arpRequest().select(net.client.sent("eth0")));
    FrameMatcher.ipv4().ethDst(mac(CorporateNetwork.CLIENT2_MAC)).dst("192.168.1.101").ttl(64)
        .assertAll(FrameMatcher.ipv4().select(net.client.sent("eth0")));
    IpEvent.RouteDecision d = net.client.events(IpEvent.RouteDecision.class).get(0);
    assertTrue(d.direct());
    assertEquals("192.168.1.101", d.nextHop());
    assertEquals("192.168.1.0/24", d.route().prefix());
    assertEquals("kernel", d.route().proto());
    // r1 took no part: it forwarded nothing and the switch never sent it an IPv4 frame.
    assertEquals(0, net.r1.counters().ipForwarded);
    assertTrue(FrameMatcher.ipv4().select(net.r1.received("eth0")).isEmpty());
    assertTrue(net.r1.events(IpEvent.Forwarded.class).isEmpty());
  }

  @Test
  void tracerouteShowsGatewayThenServer() {
    CommandRun tr = lab.exec(net.client, "traceroute -n 192.168.5.100").assertExit(0);

    assertEquals("traceroute to 192.168.5.100 (192.168.5.100), 30 hops max, 60 byte packets", tr.lines().get(0));
    assertEquals(List.of("192.168.1.1", "192.168.5.100"), tr.extract("^\\s*\\d+\\s+(\\S+)"));
    assertEquals(List.of("1", "2"), tr.extract("^\\s*(\\d+)\\s"));
    assertEquals(3, tr.lines().get(1).split(" ms", -1).length - 1, tr.lines().get(1));
  }

  @Test
  void tracerouteWithNamesPrintsHostsTable() {
    CommandRun tr = lab.exec(net.client, "traceroute server").assertExit(0);
    assertEquals("traceroute to server (192.168.5.100), 30 hops max, 60 byte packets", tr.lines().get(0));
    assertTrue(tr.lines().get(1).contains("r1 (192.168.1.1)"), tr.lines().get(1));
    assertTrue(tr.lines().get(2).contains("server (192.168.5.100)"), tr.lines().get(2));
  }

  @Test
  void tracerouteLinesHaveTracerouteShape() {
    // Linux traceroute prints printf("%2d ", ttl), then " %s (%s)" for a new address and
    // "  %.3f ms" per probe, so the hop number is followed by exactly two spaces:
    // " 1  r1 (192.168.1.1)  0.800 ms  0.800 ms  0.800 ms" (and with -n: " 1  192.168.1.1  0.800 ms ...").
    String ms = "\\d+\\.\\d{3} ms";
    CommandRun tr = lab.exec(net.client, "traceroute 192.168.5.100").assertExit(0);
    assertTrue(tr.lines().get(1).matches(" 1  r1 \\(192\\.168\\.1\\.1\\)  " + ms + "  " + ms + "  " + ms),
        "[" + tr.lines().get(1) + "]");
    assertTrue(tr.lines().get(2).matches(
        " 2  server \\(192\\.168\\.5\\.100\\)  " + ms + "  " + ms + "  " + ms),
        "[" + tr.lines().get(2) + "]");
    CommandRun numeric = lab.exec(net.client, "traceroute -n 192.168.5.100").assertExit(0);
    assertTrue(numeric.lines().get(1).matches(" 1  192\\.168\\.1\\.1  " + ms + "  " + ms + "  " + ms),
        "[" + numeric.lines().get(1) + "]");
  }

  @Test
  void pingOfRoutersFarInterfaceIsAnsweredByTheRouterItself() {
    CommandRun ping = lab.exec(net.client, "ping -c 1 192.168.5.1").assertExit(0);
    assertEquals(1, ping.linesMatching("64 bytes from 192\\.168\\.5\\.1: icmp_seq=1 ttl=64 ").size(), ping.output());
    assertEquals(0, net.r1.counters().ipForwarded);
  }

  @Test
  void pingOfOwnAddressLoopsBack() {
    CommandRun ping = lab.exec(net.client, "ping -c 1 192.168.1.100").assertExit(0);
    assertEquals(1, ping.linesMatching("64 bytes from 192\\.168\\.1\\.100: icmp_seq=1 ttl=64 ").size(), ping.output());
    assertTrue(FrameMatcher.ipv4().select(net.client.sent("eth0")).isEmpty(), "nothing should hit the wire");
  }

  @Test
  void runsAreExactlyRepeatable() {
    String first = lab.exec(net.client, "ping -c 3 192.168.5.100").output();
    List<String> neigh = lab.exec(net.r1, "ip neigh").lines();
    lab.close();

    lab = new VirtualLab(42);
    net = CorporateNetwork.start(lab);
    net.clearRecords();
    assertEquals(first, lab.exec(net.client, "ping -c 3 192.168.5.100").output());
    assertEquals(neigh, lab.exec(net.r1, "ip neigh").lines());
    assertTrue(MacAddress.isBroadcast(FrameMatcher.arpRequest().select(net.client.sent("eth0")).get(0).dstMac()));
  }
}
