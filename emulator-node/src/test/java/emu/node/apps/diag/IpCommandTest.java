package emu.node.apps.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.testing.CommandRun;
import emu.node.testing.CorporateNetwork;
import emu.node.testing.VirtualLab;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code ip} output in iproute2's shapes, on the corporate network. */
class IpCommandTest {
  private static final String NEIGH_LINE =
      "^\\d{1,3}(\\.\\d{1,3}){3} dev \\S+ lladdr ([0-9a-f]{2}:){5}[0-9a-f]{2} (REACHABLE|STALE|DELAY|PROBE|PERMANENT)$";

  private VirtualLab lab;
  private CorporateNetwork net;

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(3);
    net = CorporateNetwork.start(lab);
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ip route", "ip r", "ip ro show", "ip route list"})
  void routeListsDefaultThenConnectedWithTrailingSpace(String command) {
    CommandRun ip = lab.exec(net.client, command).assertExit(0);
    assertEquals(List.of("default via 192.168.1.1 dev eth0 ",
        "192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.100 "), ip.lines());
  }

  @Test
  void routerListsBothConnectedSubnetsAndNoDefault() {
    assertEquals(List.of("192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.1 ",
        "192.168.5.0/24 dev eth1 proto kernel scope link src 192.168.5.1 "),
        lab.exec(net.r1, "ip route").assertExit(0).lines());
  }

  static Stream<Arguments> routeGet() {
    return Stream.of(
        Arguments.of("client", "192.168.5.100", 0, "192.168.5.100 via 192.168.1.1 dev eth0 src 192.168.1.100"),
        Arguments.of("client", "server", 0, "192.168.5.100 via 192.168.1.1 dev eth0 src 192.168.1.100"),
        Arguments.of("client", "8.8.8.8", 0, "8.8.8.8 via 192.168.1.1 dev eth0 src 192.168.1.100"),
        Arguments.of("client", "192.168.1.101", 0, "192.168.1.101 dev eth0 src 192.168.1.100"),
        Arguments.of("client", "192.168.1.100", 0, "local 192.168.1.100 dev lo src 192.168.1.100"),
        Arguments.of("r1", "192.168.5.100", 0, "192.168.5.100 dev eth1 src 192.168.5.1"),
        Arguments.of("r1", "8.8.8.8", 2, "RTNETLINK answers: Network is unreachable"),
        Arguments.of("client", "nonsense", 1, "Error: any valid prefix is expected rather than \"nonsense\"."));
  }

  @ParameterizedTest(name = "on {0}: ip route get {1}")
  @MethodSource("routeGet")
  void routeGetShowsTheDecision(String node, String target, int exit, String line) {
    CommandRun ip = lab.exec(lab.node(node), "ip route get " + target).assertExit(exit);
    assertEquals(List.of(line), ip.lines());
  }

  @Test
  void routeGetWithoutAddressIsAUsageError() {
    lab.exec(net.client, "ip route get").assertExit(2);
  }

  @Test
  void neighShowsGatewayReachableWithItsMac() {
    lab.exec(net.client, "ping -c 1 192.168.5.100").assertExit(0);
    CommandRun ip = lab.exec(net.client, "ip neigh").assertExit(0);
    assertEquals(List.of("192.168.1.1 dev eth0 lladdr 02:00:00:01:00:01 REACHABLE"), ip.lines());
    ip.lines().forEach(l -> assertTrue(l.matches(NEIGH_LINE), l));

    // r1 learned the client from its ARP request and the server from its ARP reply.
    CommandRun r1 = lab.exec(net.r1, "ip n").assertExit(0);
    assertEquals(2, r1.lines().size(), r1.output());
    r1.lines().forEach(l -> assertTrue(l.matches(NEIGH_LINE), l));
    assertTrue(r1.lines().get(0).startsWith("192.168.1.100 dev eth0 lladdr 02:00:00:01:00:64 "), r1.lines().get(0));
    assertEquals("192.168.5.100 dev eth1 lladdr 02:00:00:05:00:64 REACHABLE", r1.lines().get(1));
  }

  @Test
  void neighShowsIncompleteThenFailedWithoutLladdr() {
    CommandRun ping = lab.launch(net.client, "ping -c 1 -W 5 192.168.1.77");
    lab.advance(VirtualLab.millis(500));
    assertEquals(List.of("192.168.1.77 dev eth0  INCOMPLETE"), lab.exec(net.client, "ip neigh").lines());
    lab.await(ping).assertExit(1);
    assertEquals(List.of("From 192.168.1.100 icmp_seq=1 Destination Host Unreachable"), ping.linesMatching("^From"));
    assertEquals(List.of("192.168.1.77 dev eth0  FAILED"), lab.exec(net.client, "ip neigh").lines());
  }

  @Test
  void neighAfterGatewayStopsAnsweringShowsFailedWithoutLladdr() {
    // iproute2 prints no lladdr for a FAILED entry, even one that once had a MAC.
    lab.exec(net.client, "ping -c 1 192.168.5.100").assertExit(0);
    lab.advance(VirtualLab.seconds(46));
    net.r1.nic("eth0").setUp(false);
    lab.exec(net.client, "ping -c 1 -W 1 192.168.5.100");
    lab.settle();
    assertEquals(List.of("192.168.1.1 dev eth0  FAILED"), lab.exec(net.client, "ip neigh").lines());
    net.r1.nic("eth0").setUp(true);
  }

  @Test
  void linkAndAddrInIproute2Shape() {
    assertEquals(List.of(
        "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000",
        "    link/ether 02:00:00:01:00:64 brd ff:ff:ff:ff:ff:ff"), lab.exec(net.client, "ip link").assertExit(0).lines());
    // ip addr prints no link mode
    assertEquals(List.of(
        "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000",
        "    link/ether 02:00:00:01:00:64 brd ff:ff:ff:ff:ff:ff",
        "    inet 192.168.1.100/24 brd 192.168.1.255 scope global eth0",
        "       valid_lft forever preferred_lft forever"), lab.exec(net.client, "ip addr").assertExit(0).lines());
    CommandRun r1 = lab.exec(net.r1, "ip a").assertExit(0);
    assertEquals(8, r1.lines().size());
    assertTrue(r1.lines().get(4).startsWith("3: eth1: "), r1.lines().get(4));
  }

  @Test
  void aLinkThatIsDownHasNoCarrier() {
    net.client.nic("eth0").setUp(false);
    assertEquals(
        "2: eth0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default qlen 1000",
        lab.exec(net.client, "ip link").assertExit(0).lines().get(0));
    net.client.nic("eth0").setUp(true);
    assertTrue(lab.exec(net.client, "ip link").lines().get(0).contains("<BROADCAST,MULTICAST,UP,LOWER_UP>"));
  }

  @Test
  void switchPortsInIpLinksAndBridgeLinksShapes() {
    lab.exec(net.client, "ping -c 1 192.168.5.100").assertExit(0);
    CommandRun ip = lab.exec(net.sw1, "ip link").assertExit(0);
    assertEquals("2: p1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master sw1 state UP mode DEFAULT "
        + "group default qlen 1000", ip.lines().get(0));
    CommandRun stats = lab.exec(net.sw1, "ip -s link").assertExit(0);
    assertEquals("    RX:  bytes packets errors dropped  missed   mcast", stats.lines().get(1));
    assertEquals("    TX:  bytes packets errors dropped carrier collsns", stats.lines().get(3));
    assertTrue(Long.parseLong(stats.lines().get(2).trim().split("\\s+")[1]) > 0, stats.output());
    CommandRun bridge = lab.exec(net.sw1, "bridge link").assertExit(0);
    assertEquals("2: p1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master sw1 state forwarding priority 32 cost 100 ",
        bridge.lines().get(0));
  }

  @Test
  void linkStatisticsCountFrames() {
    lab.exec(net.client, "ping -c 2 192.168.5.100").assertExit(0);
    CommandRun ip = lab.exec(net.client, "ip -s link").assertExit(0);
    assertEquals(6, ip.lines().size(), ip.output());
    assertEquals("    RX:  bytes packets errors dropped  missed   mcast", ip.lines().get(2));
    String[] rx = ip.lines().get(3).trim().split("\\s+");
    assertEquals(Long.toString(net.client.nic("eth0").rxFrames), rx[1]);
    String[] tx = ip.lines().get(5).trim().split("\\s+");
    assertEquals(Long.toString(net.client.nic("eth0").txFrames), tx[1]);
  }

  @Test
  void unknownObjectExitsOne() {
    CommandRun ip = lab.exec(net.client, "ip foo").assertExit(1);
    assertEquals(List.of("Object \"foo\" is unknown, try \"ip help\"."), ip.lines());
  }

  @Test
  void noObjectIsAUsageError() {
    lab.exec(net.client, "ip").assertExit(2);
    lab.exec(net.client, "ip help").assertExit(0);
  }

  @Test
  void shellReportsUnknownCommandsAndUsageErrors() {
    CommandRun unknown = lab.exec(net.client, "curl http://x").assertExit(127);
    assertTrue(unknown.lines().get(0).startsWith("curl: command not found on client"), unknown.output());
    lab.exec(net.client, "ping").assertExit(2);
    lab.exec(net.client, "ping -c nope 192.168.5.100").assertExit(2);
    CommandRun name = lab.exec(net.client, "ping nosuchhost").assertExit(2);
    assertEquals(List.of("ping: nosuchhost: Name or service not known"), name.lines());
  }
}
