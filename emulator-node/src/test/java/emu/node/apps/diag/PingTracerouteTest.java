package emu.node.apps.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * ping and traceroute as a user sees them. On virtual time with 100 µs wires the round-trip
 * times are exact: client -> sw1 -> r1 -> server is three wires each way.
 */
class PingTracerouteTest {
  private VirtualLab lab;
  private CorporateNetwork net;

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(13);
    net = CorporateNetwork.start(lab);
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  @Test
  void roundTripTimesAreExactOnVirtualTime() {
    CommandRun ping = lab.exec(net.client, "ping -c 2 192.168.5.100").assertExit(0);
    // First: ARP for the gateway (0.4 ms), the echo to r1 (0.2), r1's ARP for the server (0.2),
    // to the server (0.1) and back (0.1 + 0.2). Second: 6 wires = 0.6 ms.
    assertEquals(List.of(
        "PING 192.168.5.100 (192.168.5.100) 56(84) bytes of data.",
        "64 bytes from 192.168.5.100: icmp_seq=1 ttl=63 time=1.200 ms",
        "64 bytes from 192.168.5.100: icmp_seq=2 ttl=63 time=0.600 ms",
        "",
        "--- 192.168.5.100 ping statistics ---",
        "2 packets transmitted, 2 received, 0% packet loss, time 1000ms",
        "rtt min/avg/max/mdev = 0.600/0.900/1.200/0.300 ms"), ping.lines());
  }

  @Test
  void quietPrintsOnlyTheSummary() {
    CommandRun ping = lab.exec(net.client, "ping -q -c 3 -i 0.2 server").assertExit(0);
    assertEquals("PING server (192.168.5.100) 56(84) bytes of data.", ping.lines().get(0));
    assertTrue(ping.linesMatching("bytes from").isEmpty(), ping.output());
    assertTrue(ping.output().contains("3 packets transmitted, 3 received, 0% packet loss"), ping.output());
  }

  @Test
  void sizeAndTtlOptionsShapeTheRequest() {
    net.clearRecords();
    lab.exec(net.client, "ping -c 1 -s 100 -t 9 192.168.5.100").assertExit(0);
    FrameMatcher.ipv4().dst("192.168.5.100").ttl(9).totalLength(20 + 8 + 100).checksumValid()
        .icmp(IcmpPacket.TYPE_ECHO_REQUEST, 0).single(net.client.sent("eth0"));
  }

  @Test
  void hangingUpStopsPingAndPrintsStatistics() {
    CommandRun ping = lab.launch(net.client, "ping -c 100 192.168.5.100");
    lab.advance(VirtualLab.millis(2500));
    ping.cancel();
    assertTrue(ping.exited());
    assertEquals(0, ping.exitCode());
    assertTrue(ping.output().contains("3 packets transmitted, 3 received, 0% packet loss"), ping.output());
    net.clearRecords();
    lab.advance(VirtualLab.seconds(5));
    FrameMatcher.ipv4().assertNone(net.client.sent("eth0"));
  }

  @Test
  void unansweredPingExitsOneAfterTheTimeout() {
    net.server.nic("eth0").setUp(false);
    CommandRun ping = lab.launch(net.client, "ping -c 1 -W 2 192.168.5.100");
    lab.advance(VirtualLab.millis(1999));
    assertFalse(ping.exited());
    lab.await(ping).assertExit(1);
    assertTrue(ping.output().contains("1 packets transmitted, 0 received, 100% packet loss"), ping.output());
    net.server.nic("eth0").setUp(true);
  }

  @Test
  void tracerouteShowsStarsForSilentHops() {
    CommandRun tr = lab.exec(net.client, "traceroute -n -m 3 -w 1 192.168.5.200").assertExit(1);
    assertEquals(4, tr.lines().size(), tr.output());
    assertTrue(tr.lines().get(1).matches(" 1  +192\\.168\\.1\\.1 .*"), tr.lines().get(1));
    assertEquals(" 2  * * *", tr.lines().get(2));
    assertEquals(" 3  * * *", tr.lines().get(3));
  }

  @Test
  void tracerouteFirstTtlSkipsHops() {
    CommandRun tr = lab.exec(net.client, "traceroute -n -f 2 192.168.5.100").assertExit(0);
    assertEquals(List.of("2"), tr.extract("^\\s*(\\d+)\\s"));
    assertEquals(List.of("192.168.5.100"), tr.extract("^\\s*\\d+\\s+(\\S+)"));
  }

  @Test
  void tracerouteUsesUdpProbesToIncreasingPorts() {
    net.clearRecords();
    lab.exec(net.client, "traceroute -n -q 2 192.168.5.100").assertExit(0);
    var probes = FrameMatcher.ipv4().dst("192.168.5.100").protocol(17).select(net.client.sent("eth0"));
    assertEquals(List.of(33434, 33435, 33436, 33437), probes.stream().map(f -> f.udp().dstPort()).toList());
    assertEquals(List.of(1, 1, 2, 2), probes.stream().map(f -> f.ip().ttl()).toList());
    FrameMatcher.ipv4().totalLength(60).checksumValid().with("udp checksum valid", true, f -> f.udp().checksumValid())
        .assertAll(probes);
  }
}
