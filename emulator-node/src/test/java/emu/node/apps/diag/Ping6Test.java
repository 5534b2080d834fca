package emu.node.apps.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.testing.CommandRun;
import emu.node.testing.LabNode;
import emu.node.testing.LabSwitch;
import emu.node.testing.VirtualLab;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Cidr;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ping to IPv6 addresses and {@code ip -6}, as iputils and iproute2 print them, on virtual time:
 * h1 (SLAAC) on a switch with router r1, whose other link has h2 (2001:db8:5::100).
 */
class Ping6Test {
  private static final long S = 1_000_000_000L;
  private final VirtualLab lab = new VirtualLab(29);
  private final LabNode h1 = lab.host("h1");
  private final LabNode r1 = lab.router("r1");
  private final LabNode h2 = lab.host("h2");
  private final LabSwitch sw1 = lab.bridge("sw1");

  Ping6Test() {
    lab.connect(h1, "eth0", "02:00:00:00:01:00", "192.168.1.100/24", sw1, "p1");
    lab.connect(r1, "eth0", "02:00:00:00:05:00", "192.168.1.1/24", sw1, "p2");
    lab.connect(r1, "eth1", "02:00:00:00:05:01", "192.168.5.1/24", h2, "eth0", "02:00:00:00:08:00",
        "192.168.5.100/24", 1500);
    h1.ipv6("eth0", true);
    r1.ipv6("eth0", false, "2001:db8:1::1/64").ipv6("eth1", false, "2001:db8:5::1/64");
    h2.ipv6("eth0", false, "2001:db8:5::100/64");
    lab.start();
    lab.advance(4 * S); // duplicate address detection, router discovery, SLAAC
  }

  @AfterEach
  void close() {
    lab.close();
  }

  @Test
  void pingAcrossTheRouterPrintsAsIputilsDoes() {
    CommandRun ping = lab.exec(h1, "ping -c 2 2001:db8:5::100").assertExit(0);
    List<String> lines = ping.lines();
    assertEquals("PING 2001:db8:5::100(2001:db8:5::100) 56 data bytes", lines.get(0));
    assertTrue(lines.get(1).matches("64 bytes from 2001:db8:5::100: icmp_seq=1 ttl=63 time=\\d+\\.\\d{3} ms"),
        ping.output());
    assertTrue(lines.get(2).matches("64 bytes from 2001:db8:5::100: icmp_seq=2 ttl=63 time=0\\.600 ms"),
        "six 100 µs wires once every neighbour is known:\n" + ping.output());
    assertEquals(List.of("", "--- 2001:db8:5::100 ping statistics ---",
        "2 packets transmitted, 2 received, 0% packet loss, time 1000ms"), lines.subList(3, 6));
  }

  @Test
  void linkLocalDestinationsNameTheirInterface() {
    CommandRun ping = lab.exec(h1, "ping -c 1 fe80::ff:fe00:500%eth0").assertExit(0);
    assertEquals("PING fe80::ff:fe00:500%eth0(fe80::ff:fe00:500%eth0) 56 data bytes", ping.lines().get(0));
    assertTrue(ping.lines().get(1).startsWith("64 bytes from fe80::ff:fe00:500%eth0: icmp_seq=1 ttl=64 time="),
        ping.output());
    lab.exec(h1, "ping -c 1 fe80::1%eth9").assertExit(2).assertOutput("ping: fe80::1%eth9: Name or service not known");
  }

  @Test
  void hopLimitOneEndsAtTheRouter() {
    CommandRun ping = lab.exec(h1, "ping -c 1 -t 1 2001:db8:5::100").assertExit(1);
    assertEquals("From 2001:db8:1::1 icmp_seq=1 Time exceeded: Hop limit", ping.lines().get(1), ping.output());
  }

  @Test
  void noRouteAtTheRouterIsReportedByIt() {
    CommandRun ping = lab.exec(h1, "ping -c 1 2001:db8:99::1").assertExit(1);
    assertEquals("From 2001:db8:1::1 icmp_seq=1 Destination unreachable: No route", ping.lines().get(1),
        ping.output());
  }

  @Test
  void noRouteOnTheHostFailsToConnect() {
    // h2 has a static address and no router advertisement told it a default route on eth0?
    // It did (r1 advertises on eth1), so take the route away first.
    h2.ipv6().routes().removeIf(r -> r.isDefault());
    lab.exec(h2, "ping -c 1 2001:db8:1::1").assertExit(2).assertOutput("ping: connect: Network is unreachable");
  }

  @Test
  void familyOptions() {
    lab.exec(h1, "ping -4 -c 1 2001:db8:5::100").assertExit(2)
        .assertOutput("ping: 2001:db8:5::100: Address family for hostname not supported");
    lab.exec(h1, "ping -6 -c 1 r1").assertExit(2).assertOutput("ping: r1: Address family for hostname not supported");
    lab.exec(h1, "ping -c 1 2001:db8::zz").assertExit(2).assertOutput("ping: 2001:db8::zz: Name or service not known");
  }

  @Test
  void ipSixShowsAddressesRoutesAndNeighbours() {
    lab.exec(h1, "ping -c 1 2001:db8:5::100").assertExit(0);
    CommandRun addr = lab.exec(h1, "ip -6 addr").assertExit(0);
    assertEquals("2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP qlen 1000", addr.lines().get(0));
    assertEquals("    inet6 2001:db8:1::ff:fe00:100/64 scope global dynamic mngtmpaddr ", addr.lines().get(1));
    assertTrue(addr.lines().get(2).matches("       valid_lft \\d+sec preferred_lft \\d+sec"), addr.output());
    assertEquals(List.of("    inet6 fe80::ff:fe00:100/64 scope link ",
        "       valid_lft forever preferred_lft forever"), addr.lines().subList(3, 5));
    CommandRun both = lab.exec(h1, "ip addr").assertExit(0);
    assertTrue(both.output().contains("    inet 192.168.1.100/24 brd 192.168.1.255 scope global eth0\n"), both.output());
    assertTrue(both.output().contains("    inet6 fe80::ff:fe00:100/64 scope link \n"), both.output());
    CommandRun only4 = lab.exec(h1, "ip -4 addr").assertExit(0);
    assertTrue(!only4.output().contains("inet6") && only4.output().contains("inet 192.168.1.100"), only4.output());

    CommandRun routes = lab.exec(h1, "ip -6 route").assertExit(0);
    assertTrue(routes.output().contains("fe80::/64 dev eth0 proto kernel metric 256 pref medium"), routes.output());
    assertTrue(routes.output().matches("(?s).*2001:db8:1::/64 dev eth0 proto ra metric 256 expires \\d+sec pref"
        + " medium.*"), routes.output());
    assertTrue(routes.output().matches("(?s).*default via fe80::ff:fe00:500 dev eth0 proto ra metric 1024 expires"
        + " \\d+sec pref medium.*"), routes.output());
    assertTrue(!lab.exec(h1, "ip route").output().contains("fe80"), "plain ip route is IPv4's");

    lab.exec(h1, "ip -6 route get 2001:db8:5::100").assertExit(0).assertOutput("2001:db8:5::100 from :: via"
        + " fe80::ff:fe00:500 dev eth0 proto ra src 2001:db8:1::ff:fe00:100 metric 1024 pref medium");
    lab.exec(h1, "ip route get 2001:db8:1::ff:fe00:100").assertExit(0).assertOutput("local 2001:db8:1::ff:fe00:100"
        + " dev lo table local proto kernel src 2001:db8:1::ff:fe00:100 metric 0 pref medium");

    CommandRun neigh = lab.exec(h1, "ip -6 neigh").assertExit(0);
    assertTrue(neigh.output().matches("(?s).*fe80::ff:fe00:500 dev eth0 lladdr 02:00:00:00:05:00 router (REACHABLE|STALE|DELAY)"
        + ".*"), neigh.output());
    assertTrue(!neigh.output().contains("192.168."), neigh.output());
  }

  @Test
  void tracerouteSixShowsTheRouterThenTheDestination() {
    CommandRun tr = lab.exec(h1, "traceroute -n -q 1 2001:db8:5::100").assertExit(0);
    assertEquals("traceroute to 2001:db8:5::100 (2001:db8:5::100), 30 hops max, 80 byte packets", tr.lines().get(0));
    assertTrue(tr.lines().get(1).matches(" 1  2001:db8:1::1  \\d+\\.\\d{3} ms"), tr.output());
    assertTrue(tr.lines().get(2).matches(" 2  2001:db8:5::100  \\d+\\.\\d{3} ms"), tr.output());
    assertEquals(3, tr.lines().size(), tr.output());
    CommandRun named = lab.exec(h1, "traceroute -6 -q 1 -m 1 2001:db8:5::100").assertExit(1);
    assertTrue(named.lines().get(1).startsWith(" 1  2001:db8:1::1 (2001:db8:1::1)  "), named.output());
    CommandRun dead = lab.exec(h1, "traceroute -n -q 1 2001:db8:99::1").assertExit(1);
    assertTrue(dead.lines().get(2).matches(" 2  2001:db8:1::1  \\d+\\.\\d{3} ms !N"), dead.output());
    lab.exec(h1, "traceroute -6 r1").assertExit(2);
  }

  @Test
  void udpOverIpv6DeliversAndClosedPortsAnswerUnreachable() {
    java.util.List<String> got = new java.util.ArrayList<>();
    int port = h2.ipv6().udp().bind(5000, (src, sp, dst, dp, payload) ->
        got.add(src + " " + sp + " " + dst + " " + dp + " " + payload.toString(java.nio.charset.StandardCharsets.US_ASCII)));
    assertEquals(5000, port);
    assertEquals(-1, h2.ipv6().udp().bind(5000, (a, b, c, d, e) -> { }), "a bound port is taken");
    io.netty.buffer.ByteBuf data = h1.stack().allocate(5);
    data.writeBytes("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(emu.node.stack.SendResult.SENT,
        h1.ipv6().udp().send(null, 40000, Ipv6Address.parse("2001:db8:5::100"), null, 5000, 64, data));
    lab.advance(S / 10);
    assertEquals(List.of("2001:db8:1::ff:fe00:100 40000 2001:db8:5::100 5000 hello"), got);
    assertEquals(0, h2.drops(emu.node.stack.DropReason.NO_LISTENER));
    io.netty.buffer.ByteBuf closed = h1.stack().allocate(1);
    closed.writeByte(1);
    List<String> heard = new java.util.ArrayList<>();
    h1.ipv6().addIcmpListener((ip, icmp) -> heard.add(ip.src() + " " + Ping6Run.errorText(icmp)));
    h1.ipv6().udp().send(null, 40000, Ipv6Address.parse("2001:db8:5::100"), null, 5001, 64, closed);
    lab.advance(S / 10);
    assertEquals(1, h2.drops(emu.node.stack.DropReason.NO_LISTENER));
    assertEquals(List.of("2001:db8:5::100 Destination unreachable: Port unreachable"), heard,
        "the closed port answers, and the answer crosses the router back");
  }

  @Test
  void staticRoutesShowWithoutProtoAsLinuxDoes() {
    h2.ipv6().addRoute(Ipv6Cidr.parse("2001:db8:77::/64"), Ipv6Address.parse("2001:db8:5::1"), null, 1024);
    assertTrue(lab.exec(h2, "ip -6 route").output().contains("2001:db8:77::/64 via 2001:db8:5::1 dev eth0 metric 1024"
        + " pref medium"));
  }
}
