package emu.node.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.wire.MacAddress;
import emu.node.config.DnsConfig;
import emu.node.event.DnsEvent;
import emu.node.names.Hosts;
import emu.node.testing.CapturedFrame;
import emu.node.testing.CommandRun;
import emu.node.testing.LabNode;
import emu.node.testing.VirtualLab;
import emu.node.wire.IpAddress;
import emu.node.wire.Ipv6Address;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * DNS over IPv6 transport, on virtual time: servers answer over UDP and TCP port 53 of their
 * IPv6 addresses, resolvers ask IPv6 servers over IPv6 (TCP after a truncated answer too), go
 * down a list mixing families, and a forwarder forwards over IPv6.
 *
 * <pre>
 *  client  192.168.1.100, 2001:db8:1::100 ─┐                                ┌─ ns6     2001:db8:5::53 (IPv6 only)
 *  client6 2001:db8:1::101 (IPv6 only)    ─┼─ sw1 ── r1 (.1.1 | .5.1) ── sw5 ─┼─ ns      192.168.5.53, 2001:db8:5::35
 *  dns1    192.168.1.53, 2001:db8:1::53   ─┘                                └─ payroll 192.168.5.100, 2001:db8:5::100
 * </pre>
 */
class DnsOverIpv6Test {
  static final long S = 1_000_000_000L;
  static final String NS6 = "2001:db8:5::53";
  static final String ZONE = """
      $TTL 300
      @        IN SOA  ns1.corp.com. hostmaster.corp.com. ( 2026010101 3600 600 86400 60 )
               IN NS   ns1
      ns1      IN AAAA 2001:db8:5::53
      payroll  IN A    192.168.5.100
      payroll  IN AAAA 2001:db8:5::100
      """ + DnsLab.bigTxt();

  final VirtualLab lab = new VirtualLab(31);
  final LabNode client = lab.host("client");
  final LabNode client6 = lab.host("client6");
  final LabNode dns1 = lab.host("dns1");
  final LabNode r1 = lab.router("r1");
  final LabNode ns6 = lab.host("ns6");
  final LabNode ns = lab.host("ns");
  final LabNode payroll = lab.host("payroll");
  final DnsServer auth6;
  final DnsServer auth;
  final Hosts hosts = new Hosts(Map.of("ns", "192.168.5.53"), Map.of("ns6", NS6));

  DnsOverIpv6Test() {
    var sw1 = lab.bridge("sw1");
    var sw5 = lab.bridge("sw5");
    lab.connect(client, "eth0", "02:00:00:01:00:64", "192.168.1.100/24", sw1, "p1");
    lab.connect(client6, "eth0", "02:00:00:01:00:65", null, sw1, "p2");
    lab.connect(dns1, "eth0", "02:00:00:01:00:35", "192.168.1.53/24", sw1, "p3");
    lab.connect(r1, "eth0", "02:00:00:01:00:01", "192.168.1.1/24", sw1, "p4");
    lab.connect(r1, "eth1", "02:00:00:05:00:01", "192.168.5.1/24", sw5, "p1");
    lab.connect(ns6, "eth0", "02:00:00:05:00:35", null, sw5, "p2");
    lab.connect(ns, "eth0", "02:00:00:05:00:36", "192.168.5.53/24", sw5, "p3");
    lab.connect(payroll, "eth0", "02:00:00:05:00:64", "192.168.5.100/24", sw5, "p4");
    client.defaultRoute("192.168.1.1");
    dns1.defaultRoute("192.168.1.1");
    ns.defaultRoute("192.168.5.1");
    payroll.defaultRoute("192.168.5.1");
    client.ipv6("eth0", false, "2001:db8:1::100/64");
    client6.ipv6("eth0", false, "2001:db8:1::101/64");
    dns1.ipv6("eth0", false, "2001:db8:1::53/64");
    r1.ipv6("eth0", false, "2001:db8:1::1/64").ipv6("eth1", false, "2001:db8:5::1/64");
    ns6.ipv6("eth0", false, NS6 + "/64");
    ns.ipv6("eth0", false, "2001:db8:5::35/64");
    payroll.ipv6("eth0", false, "2001:db8:5::100/64");
    DnsConfig corp = new DnsConfig(DnsConfig.AUTHORITATIVE, List.of(new DnsConfig.Zone("corp.com.", "corp.com.zone",
        ZONE)), null);
    auth6 = lab.dnsServer(ns6, corp);
    auth = lab.dnsServer(ns, corp);
    lab.start();
    lab.advance(3 * S); // duplicate address detection; the hosts learn r1 as their IPv6 router
  }

  @AfterEach
  void close() {
    lab.close();
  }

  List<String> addresses(StubResolver r, String name) {
    List<String> out = new ArrayList<>();
    r.resolveAddresses(name, all -> all.forEach(a -> out.add(a.toString())), why -> out.add("error: " + why));
    assertTrue(lab.runUntil(() -> !out.isEmpty(), 60 * S), "an answer");
    return out;
  }

  /** IPv6 frames {@code node} sent on eth0 carrying {@code protocol} (17 UDP, 6 TCP) to port 53. */
  static List<CapturedFrame> dns6(LabNode node, int protocol) {
    return node.sent("eth0").stream().filter(f -> isDns6(f.bytes(), protocol)).toList();
  }

  static boolean isDns6(byte[] b, int protocol) {
    return b.length >= 14 + 40 + 4 && (b[12] & 0xFF) == 0x86 && (b[13] & 0xFF) == 0xDD && (b[14 + 6] & 0xFF) == protocol
        && ((b[14 + 40 + 2] & 0xFF) << 8 | (b[14 + 40 + 3] & 0xFF)) == 53;
  }

  static long dns4(LabNode node) {
    return node.sent("eth0").stream().filter(f -> f.isUdp() && f.udp().dstPort() == 53).count();
  }

  @Test
  void aDualStackHostResolvesThroughAnIpv6OnlyServer() {
    StubResolver r = lab.nameservers(client, hosts, NS6);
    assertEquals(List.of("2001:db8:5::100", "192.168.5.100"), addresses(r, "payroll.corp.com"));
    assertEquals(2, dns6(client, 17).size(), "AAAA and A, both over UDP/IPv6");
    assertEquals(0, dns4(client), "nothing over IPv4");
    List<DnsEvent.QuerySent> sent = client.events(DnsEvent.QuerySent.class);
    assertEquals(List.of(NS6, NS6), sent.stream().map(DnsEvent.QuerySent::server).toList());
    assertEquals(List.of("AAAA", "A"), sent.stream().map(DnsEvent.QuerySent::qtype).toList());
    assertEquals(2, client.events(DnsEvent.Answered.class).size());
    assertEquals(2, auth6.counters().udpQueries);
    assertEquals(2, auth6.counters().udp6Queries);
    assertEquals(2, auth6.counters().responses(Rcode.NOERROR));
    assertTrue(ns6.events(DnsEvent.Started.class).get(0).ipv6(), "the server says it serves IPv6 too");
    assertEquals(List.of("2001:db8:1::100", "2001:db8:1::100"),
        ns6.events(DnsEvent.Served.class).stream().map(DnsEvent.Served::client).toList());
  }

  @Test
  void anIpv6OnlyHostAsksOverIpv6() {
    StubResolver r = lab.nameservers(client6, hosts, NS6);
    assertEquals(List.of("2001:db8:5::100"), addresses(r, "payroll.corp.com"), "AI_ADDRCONFIG: AAAA only");
    CommandRun a = lab.exec(client6, "resolve payroll.corp.com").assertExit(0);
    assertTrue(a.lines().contains("payroll.corp.com.\t300\tIN\tA\t192.168.5.100"), a.output());
    assertTrue(a.lines().contains(";; SERVER: 2001:db8:5::53#53(udp)"), a.output());
    assertEquals(2, dns6(client6, 17).size());
  }

  @Test
  void aTruncatedAnswerIsAskedAgainOverTcpOverIpv6() {
    lab.nameservers(client, hosts, NS6);
    CommandRun r = lab.exec(client, "resolve big.corp.com TXT").assertExit(0);
    assertEquals(";; Truncated, retrying in TCP mode.", r.lines().get(1), r.output());
    assertEquals(12, r.linesMatching("^big\\.corp\\.com\\.\\s+300\\s+IN\\s+TXT\\s+\"\\d\\d-x+\"$").size(), r.output());
    assertTrue(r.lines().contains(";; SERVER: 2001:db8:5::53#53(tcp)"), r.output());
    assertEquals(1, auth6.counters().truncated);
    assertEquals(1, auth6.counters().tcp6Queries);
    assertEquals(1, auth6.counters().tcpConnections);
    assertFalse(dns6(client, 6).isEmpty(), "the TCP segments go over IPv6");
    DnsEvent.Truncated tc = client.events(DnsEvent.Truncated.class).get(0);
    assertEquals(NS6, tc.server());
    assertTrue(tc.bytes() <= 512, "the UDP answer fits the client's 512 bytes");
    DnsEvent.QuerySent tcp = client.events(DnsEvent.QuerySent.class).get(1);
    assertEquals(DnsEvent.Transport.TCP, tcp.transport());
    assertEquals(NS6, tcp.server());
    // dig's +tcp asks over TCP at once
    CommandRun direct = lab.exec(client, "resolve big.corp.com -t TXT +tcp @2001:db8:5::53").assertExit(0);
    assertTrue(direct.lines().contains(";; SERVER: 2001:db8:5::53#53(tcp)"), direct.output());
    assertFalse(direct.lines().contains(";; Truncated, retrying in TCP mode."), direct.output());
  }

  @Test
  void oneServerAnswersBothFamiliesOnEveryAddress() {
    lab.nameservers(client, hosts, "192.168.5.53");
    CommandRun v4 = lab.exec(client, "resolve payroll.corp.com AAAA @192.168.5.53").assertExit(0);
    assertTrue(v4.lines().contains("payroll.corp.com.\t300\tIN\tAAAA\t2001:db8:5::100"), v4.output());
    CommandRun v6 = lab.exec(client, "resolve payroll.corp.com AAAA @2001:db8:5::35").assertExit(0);
    assertTrue(v6.lines().contains(";; SERVER: 2001:db8:5::35#53(udp)"), v6.output());
    CommandRun tcp6 = lab.exec(client, "resolve payroll.corp.com +tcp @[2001:db8:5::35]").assertExit(0);
    assertTrue(tcp6.lines().contains(";; SERVER: 2001:db8:5::35#53(tcp)"), tcp6.output());
    assertEquals(2, auth.counters().udpQueries);
    assertEquals(1, auth.counters().udp6Queries);
    assertEquals(1, auth.counters().tcp6Queries);
    CommandRun ss = lab.exec(client, "resolve -6 payroll.corp.com @ns6").assertExit(0);
    assertTrue(ss.lines().contains(";; SERVER: 2001:db8:5::53#53(udp)"), "a hosts name of the family asked: "
        + ss.output());
  }

  @Test
  void minusFourAndMinusSixKeepToOneFamily() {
    lab.nameservers(client, hosts, "192.168.5.53", NS6);
    CommandRun six = lab.exec(client, "resolve -6 payroll.corp.com").assertExit(0);
    assertTrue(six.lines().contains(";; SERVER: 2001:db8:5::53#53(udp)"), six.output());
    CommandRun four = lab.exec(client, "resolve -4 payroll.corp.com").assertExit(0);
    assertTrue(four.lines().contains(";; SERVER: 192.168.5.53#53(udp)"), four.output());
    lab.nameservers(client6, hosts, NS6);
    CommandRun none = lab.exec(client6, "resolve -4 payroll.corp.com").assertExit(9);
    assertEquals(";; no IPv4 DNS server is configured on this node; name one with @SERVER", none.lines().get(0));
    CommandRun mixed = lab.exec(client, "resolve -6 payroll.corp.com @192.168.5.53").assertExit(2);
    assertTrue(mixed.output().contains("@192.168.5.53 is an IPv4 address, and -6 asks over IPv6 only"),
        mixed.output());
    lab.exec(client, "resolve -4 -6 payroll.corp.com").assertExit(2);
    CommandRun ll = lab.exec(client, "resolve payroll.corp.com @fe80::1").assertExit(2);
    assertTrue(ll.output().contains("fe80::1 is link-local: name its interface"), ll.output());
  }

  /** The first server never answers: after glibc's 5 s the next one, over IPv6, does. */
  @Test
  void aSilentIpv4ServerThenTheIpv6One() {
    payroll.stack().udp().bind(53, (src, sport, dst, dport, payload) -> { }); // takes queries, never answers
    lab.exec(client, "ping -c 1 192.168.5.100").assertExit(0); // ARP is warm: times are exact
    StubResolver r = lab.nameservers(client, hosts, "192.168.5.100", NS6);
    client.clearRecords();
    long start = lab.now();
    List<Integer> got = new ArrayList<>();
    r.lookup("payroll.corp.com", Type.A, l -> got.addAll(l.addresses()));
    assertTrue(lab.runUntil(() -> !got.isEmpty(), 30 * S));
    long took = lab.now() - start;
    assertTrue(took >= 5 * S && took < 5 * S + VirtualLab.millis(50), "5 s for the first server, then an answer: "
        + took);
    int id = client.events(DnsEvent.QuerySent.class).get(0).id();
    assertEquals(List.of(new DnsEvent.NextServer(id, "192.168.5.100", "payroll.corp.com", "A",
        DnsEvent.NextWhy.TIMEOUT, 5 * S, null, null, null, null, NS6, 5 * S)), client.events(DnsEvent.NextServer.class));
    assertEquals(List.of("192.168.5.100", NS6), client.events(DnsEvent.QuerySent.class).stream()
        .map(DnsEvent.QuerySent::server).toList());
    assertEquals(1, r.counters().retries);
    assertEquals(0, r.counters().timeouts);
  }

  /** Nothing listens at the first server: ICMPv6 port unreachable, and the next is asked at once. */
  @Test
  void aRefusingIpv6ServerFailsOverAtOnce() {
    StubResolver r = lab.nameservers(client, hosts, "2001:db8:5::100", "192.168.5.53");
    CommandRun run = lab.exec(client, "resolve payroll.corp.com");
    run.assertExit(0);
    assertEquals(";; communications error to 2001:db8:5::100#53: connection refused", run.lines().get(1),
        run.output());
    assertTrue(run.lines().contains(";; SERVER: 192.168.5.53#53(udp)"), run.output());
    DnsEvent.NextServer next = client.events(DnsEvent.NextServer.class).get(0);
    assertEquals(DnsEvent.NextWhy.REFUSED, next.why());
    assertEquals("2001:db8:5::100", next.reporter());
    assertEquals("192.168.5.53", next.next());
    assertEquals(1, r.counters().failovers);
    assertTrue(lab.exec(client, "resolve payroll.corp.com @2001:db8:5::100").assertExit(9).lines()
        .contains(";; communications error to 2001:db8:5::100#53: connection refused"));
  }

  /** A link-local server is asked on the interface its zone names, over UDP and TCP. */
  @Test
  void aLinkLocalServerOnItsInterface() {
    DnsServer local = lab.dnsServer(dns1, new DnsConfig(DnsConfig.AUTHORITATIVE,
        List.of(new DnsConfig.Zone("corp.com.", "corp.com.zone", ZONE)), null));
    String ll = Ipv6Address.linkLocal(MacAddress.parse("02:00:00:01:00:35").bits()) + "%eth0";
    lab.nameservers(client, hosts, ll);
    CommandRun big = lab.exec(client, "resolve big.corp.com TXT").assertExit(0);
    assertTrue(big.lines().contains(";; SERVER: " + ll + "#53(tcp)"), big.output());
    assertEquals(1, local.counters().udp6Queries);
    assertEquals(1, local.counters().tcp6Queries);
    assertEquals(List.of("fe80::ff:fe01:64"), dns1.events(DnsEvent.ServedTruncated.class).stream()
        .map(DnsEvent.ServedTruncated::client).toList(), "the server answered the client's link-local address");
  }

  /** A forwarder asked over IPv4 forwards over IPv6 to an IPv6-only upstream. */
  @Test
  void aForwarderForwardsOverIpv6() {
    DnsServer fwd = lab.dnsServer(dns1, new DnsConfig(DnsConfig.FORWARDER, null, NS6));
    lab.nameservers(client, hosts, "192.168.1.53");
    CommandRun r = lab.exec(client, "resolve payroll.corp.com AAAA").assertExit(0);
    assertTrue(r.lines().contains("payroll.corp.com.\t300\tIN\tAAAA\t2001:db8:5::100"), r.output());
    assertEquals(1, fwd.counters().forwarded);
    assertEquals(1, dns6(dns1, 17).size(), "the forwarder's upstream query goes over IPv6");
    assertEquals(NS6, dns1.events(DnsEvent.Forwarded.class).get(0).upstream());
    assertEquals(1, auth6.counters().udp6Queries);
  }

  /** What is not a query gets the same treatment over IPv6 as over IPv4: dropped or FORMERR, counted. */
  @Test
  void badInputOverIpv6IsCountedNotFatal() {
    List<byte[]> replies = new ArrayList<>();
    int port = client6.ipv6().udp().bind(0, (src, sp, dst, dp, payload) -> {
      byte[] b = new byte[payload.readableBytes()];
      payload.getBytes(payload.readerIndex(), b);
      replies.add(b);
    });
    send6(port, new byte[] {1, 2, 3});
    send6(port, RawDnsPeer.header(0x4242, 0x0100, 2, 0, 0, 0)); // two questions promised, none there
    lab.settle();
    assertEquals(1, auth6.counters().dropped, "shorter than a header");
    assertEquals(1, auth6.counters().formerr());
    assertEquals(2, auth6.counters().udp6Queries);
    assertEquals(1, replies.size());
    assertEquals(Rcode.FORMERR, replies.get(0)[3] & 0xF);
    assertEquals(List.of("2001:db8:1::101"), ns6.events(DnsEvent.Dropped.class).stream()
        .map(DnsEvent.Dropped::client).toList());
    // the server still answers
    lab.nameservers(client6, hosts, NS6);
    lab.exec(client6, "resolve payroll.corp.com AAAA").assertExit(0);
  }

  private void send6(int port, byte[] payload) {
    ByteBuf b = client6.stack().allocate(payload.length);
    b.writeBytes(payload);
    client6.ipv6().udp().send(null, port, Ipv6Address.parse(NS6), null, 53, 64, b);
  }

  @Test
  void nameserverTextAsResolvConfWritesIt() {
    assertEquals("fe80::53%eth0", Nameserver.parse("fe80::53%eth0").toString());
    assertEquals(new Nameserver(IpAddress.parse("2001:db8:5::53"), null), Nameserver.parse("2001:db8:5:0::53"));
    for (String bad : List.of("fe80::53", "ff02::1", "::", "224.0.0.1", "255.255.255.255", "0.0.0.0", "x", "",
        "2001:db8::1%eth0", "::ffff:10.0.0.1", "10.0.0.1%eth0")) {
      try {
        Nameserver.parse(bad);
        throw new AssertionError("accepted " + bad);
      } catch (IllegalArgumentException expected) {
        assertFalse(expected.getMessage().isEmpty());
      }
    }
  }
}
