package emu.node.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.event.DnsEvent;
import emu.node.event.DnsResponse;
import emu.node.event.DnsRrset;
import emu.node.testing.CapturedFrame;
import emu.node.testing.CommandRun;
import emu.node.testing.FrameMatcher;
import emu.node.testing.VirtualLab;
import emu.node.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The client's stub resolver: hosts table, then cache (on the injected clock), then the DNS
 * server, and what getaddrinfo-style callers (ping) see.
 */
class StubResolverTest {
  private VirtualLab lab;
  private DnsLab net;

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(7);
    net = DnsLab.start(lab);
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  private List<CapturedFrame> queriesSent() {
    return FrameMatcher.ipv4().udpDstPort(53).select(net.client.sent("eth0"));
  }

  private static long ttl(DnsLookup l, int section) {
    return l.message().getSection(section).get(0).getTTL();
  }

  @Test
  void theHostsTableAnswersFirstWithoutAPacket() {
    net.client.clearRecords();
    DnsLookup l = net.lookup("payroll", Type.A); // the lab's hosts table knows every node by name
    assertEquals(DnsLookup.Source.HOSTS, l.source());
    assertEquals(List.of(Ipv4Address.parse("192.168.5.100")), l.addresses());
    assertTrue(queriesSent().isEmpty());
    assertEquals(List.of(new DnsEvent.HostsLookup("payroll", "192.168.5.100")),
        net.client.events(DnsEvent.HostsLookup.class));
  }

  @Test
  void aSecondLookupIsACacheHitAndSendsNothing() {
    DnsLookup first = net.lookup("payroll.corp.com", Type.A);
    assertEquals(DnsLookup.Source.SERVER, first.source());
    assertEquals(300, ttl(first, Section.ANSWER));
    assertEquals(1, queriesSent().size());
    lab.advance(VirtualLab.seconds(100));
    net.client.clearRecords();
    DnsLookup second = net.lookup("payroll.corp.com", Type.A);
    assertEquals(DnsLookup.Source.CACHE, second.source());
    assertEquals(100, second.cacheAgeSeconds());
    assertEquals(200, ttl(second, Section.ANSWER), "TTLs count down in the cache");
    assertEquals(List.of(Ipv4Address.parse("192.168.5.100")), second.addresses());
    assertTrue(queriesSent().isEmpty(), "a cache hit sends no packet");
    assertTrue(net.client.sent("eth0").isEmpty());
    assertEquals(1, net.resolver.counters().cacheHits);
  }

  @Test
  void afterTheTtlANewQueryGoesOut() {
    net.lookup("short.corp.com", Type.A); // TTL 60
    lab.advance(VirtualLab.seconds(59));
    DnsLookup cached = net.lookup("short.corp.com", Type.A);
    assertEquals(DnsLookup.Source.CACHE, cached.source());
    assertEquals(1, ttl(cached, Section.ANSWER));
    net.client.clearRecords();
    lab.advance(VirtualLab.seconds(1));
    DnsLookup fresh = net.lookup("short.corp.com", Type.A);
    assertEquals(DnsLookup.Source.SERVER, fresh.source());
    assertEquals(1, queriesSent().size());
    assertEquals(List.of(new DnsEvent.CacheMiss("short.corp.com", "A")), net.client.events(DnsEvent.CacheMiss.class));
  }

  @Test
  void nxdomainIsCachedForTheSoaMinimum() {
    DnsLookup first = net.lookup("nope.corp.com", Type.A);
    assertEquals(DnsLookup.NOT_KNOWN, first.error());
    lab.advance(VirtualLab.seconds(59));
    net.client.clearRecords();
    DnsLookup cached = net.lookup("nope.corp.com", Type.A);
    assertEquals(DnsLookup.Source.CACHE, cached.source());
    assertEquals(DnsLookup.NOT_KNOWN, cached.error());
    assertEquals(1, ttl(cached, Section.AUTHORITY), "the SOA's TTL counts down too");
    assertTrue(queriesSent().isEmpty());
    lab.advance(VirtualLab.seconds(1));
    assertEquals(DnsLookup.Source.SERVER, net.lookup("nope.corp.com", Type.A).source());
    assertEquals(1, queriesSent().size());
  }

  @Test
  void nodataIsCachedNegativelyToo() {
    assertEquals(DnsLookup.NOT_KNOWN, net.lookup("payroll.corp.com", Type.MX).error());
    lab.advance(VirtualLab.seconds(30));
    DnsLookup cached = net.lookup("payroll.corp.com", Type.MX);
    assertEquals(DnsLookup.Source.CACHE, cached.source());
    assertEquals(DnsLookup.NOT_KNOWN, cached.error());
    assertTrue(cached.message().getSection(Section.ANSWER).isEmpty());
  }

  @Test
  void pingResolvesThroughDnsAndTheNarrativeFollowsTheSeed() {
    CommandRun ping = lab.exec(net.client, "ping -c 1 payroll.corp.com").assertExit(0);
    assertEquals("PING payroll.corp.com (192.168.5.100) 56(84) bytes of data.", ping.lines().get(0));
    List<DnsEvent> events = net.client.events(DnsEvent.class);
    List<String> types = net.client.tracer().events().stream().map(emu.node.event.TraceEvent::type)
        .filter(t -> t.startsWith("dns.") || t.startsWith("app.")).toList();
    assertEquals(List.of("dns.hosts", "dns.cache_miss", "dns.query", "dns.answer", "dns.cache", "dns.resolve",
        "app.ping"), types);
    assertEquals(new DnsEvent.HostsLookup("payroll.corp.com", null), events.get(0));
    assertEquals(new DnsEvent.CacheMiss("payroll.corp.com", "A"), events.get(1));
    DnsEvent.QuerySent query = (DnsEvent.QuerySent) events.get(2);
    int id = query.id();
    int port = query.port();
    assertEquals(new DnsEvent.QuerySent(id, "192.168.1.53", "payroll.corp.com", "A", DnsEvent.Transport.UDP, port, 1, 2),
        query, "the first of glibc's two tries");
    assertTrue(port >= 32768 && port <= 60999, "an ephemeral port: " + port);
    assertEquals(new DnsEvent.Answered(id, "192.168.1.53", "payroll.corp.com", "A", DnsEvent.Transport.UDP,
        new DnsResponse("NOERROR", DnsResponse.Outcome.ANSWER,
            List.of(new DnsRrset("payroll.corp.com", "A", 300, 1, List.of("192.168.5.100"))), null)), events.get(3));
    assertEquals(new DnsEvent.Cached("payroll.corp.com", "A", 300, false), events.get(4));
    assertEquals(new DnsEvent.Resolved("payroll.corp.com", "192.168.5.100"), events.get(5));
    // The query on the wire: from that port to the forwarder's port 53.
    CapturedFrame q = queriesSent().get(0);
    assertEquals(port, q.udp().srcPort());
    assertEquals(Ipv4Address.parse("192.168.1.53"), q.ip().dst());
  }

  @Test
  void everyQueryHasItsOwnIdAndPort() {
    net.lookup("payroll.corp.com", Type.A);
    net.lookup("mail.corp.com", Type.A);
    net.lookup("info.corp.com", Type.TXT);
    List<DnsEvent.QuerySent> q = net.client.events(DnsEvent.QuerySent.class);
    assertEquals(3, q.size());
    assertEquals(3, q.stream().map(DnsEvent.QuerySent::id).distinct().count());
    assertEquals(3, q.stream().map(DnsEvent.QuerySent::port).distinct().count());
  }

  @Test
  void unknownNamesFailAsGetaddrinfoDoes() {
    CommandRun ping = lab.exec(net.client, "ping nope.corp.com").assertExit(2);
    assertEquals(List.of("ping: nope.corp.com: Name or service not known"), ping.lines());
    CommandRun nodata = lab.exec(net.client, "ping v6.corp.com").assertExit(2);
    assertEquals(List.of("ping: v6.corp.com: Name or service not known"), nodata.lines());
  }

  @Test
  void concurrentLookupsOfOneNameShareOneQuery() {
    List<DnsLookup> got = new ArrayList<>();
    net.resolver.lookup("payroll.corp.com", Type.A, got::add);
    net.resolver.lookup("payroll.corp.com", Type.A, got::add);
    lab.runUntil(() -> got.size() == 2, VirtualLab.seconds(10));
    assertEquals(2, got.size());
    assertEquals(1, queriesSent().size());
    assertEquals(got.get(0).addresses(), got.get(1).addresses());
  }

  @Test
  void aTruncatedAnswerIsAskedAgainOverTcpTransparently() {
    DnsLookup l = net.lookup("big.corp.com", Type.TXT);
    assertTrue(l.reply().truncatedOverUdp());
    assertTrue(l.reply().tcp());
    assertEquals(12, l.message().getSection(Section.ANSWER).size());
    assertEquals(1, net.resolver.counters().truncated);
    assertEquals(1, net.resolver.counters().tcpQueries);
    // On the wire: one UDP query, then a TCP connection to port 53.
    assertEquals(1, queriesSent().size());
    assertFalse(FrameMatcher.ipv4().dst(DnsLab.FORWARDER).protocol(6).select(net.client.sent("eth0")).isEmpty());
    assertEquals(1, net.forwarder.counters().truncated);
    assertEquals(1, net.forwarder.counters().tcpQueries);
    DnsEvent.Truncated tc = net.client.events(DnsEvent.Truncated.class).get(0);
    assertEquals("big.corp.com", tc.qname());
    assertEquals(DnsLab.FORWARDER, tc.server());
    DnsEvent.QuerySent overTcp = net.client.events(DnsEvent.QuerySent.class).get(1);
    assertEquals(DnsEvent.Transport.TCP, overTcp.transport());
    assertEquals(tc.id(), overTcp.id(), "the same exchange goes on over TCP");
    assertEquals(DnsEvent.Transport.TCP, net.client.events(DnsEvent.Answered.class).get(0).transport());
  }

  @Test
  void aLargeAddressSetResolvesOverTcp() {
    List<Integer> got = new ArrayList<>();
    net.resolver.resolve("many.corp.com", got::add, e -> { throw new AssertionError(e); });
    lab.runUntil(() -> !got.isEmpty(), VirtualLab.seconds(10));
    assertEquals(List.of(Ipv4Address.parse("10.0.0.1")), got);
    assertEquals(1, net.resolver.counters().truncated);
  }

  @Test
  void directlyFromTheAuthoritativeServerTcTooThenTcp() {
    DnsLookup l = net.ask("big.corp.com", Type.TXT, DnsLab.NS);
    assertTrue(l.reply().truncatedOverUdp() && l.reply().tcp());
    assertEquals(12, l.message().getSection(Section.ANSWER).size());
    assertEquals(1, net.auth.counters().truncated);
    assertEquals(1, net.auth.counters().tcpQueries);
  }

  @Test
  void ednsClientAdvertising4096GetsTheWholeAnswerOverUdp() {
    DnsLookup l = net.await(cb -> net.resolver.query("big.corp.com", Type.TXT, Ipv4Address.parse(DnsLab.NS), false,
        4096, cb));
    assertFalse(l.reply().truncatedOverUdp());
    assertFalse(l.reply().tcp());
    assertEquals(12, l.message().getSection(Section.ANSWER).size());
    assertEquals(DnsServer.MAX_UDP_PAYLOAD, l.message().getOPT().getPayloadSize(), "the server echoes an OPT");
    assertEquals(0, net.auth.counters().truncated);
    assertTrue(l.message().numBytes() > 512);
  }

  @Test
  void aSilentServerMeansRetriesWithBackoffThenTemporaryFailure() {
    lab.exec(net.client, "ping -c 1 " + DnsLab.FORWARDER).assertExit(0); // ARP is warm: times are exact
    net.forwarder.stop();
    net.dns1.stack().udp().bind(53, (src, sport, dst, dport, payload) -> { }); // takes queries, never answers
    net.client.clearRecords();
    long start = lab.now();
    CommandRun ping = lab.exec(net.client, "ping payroll.corp.com").assertExit(2);
    assertEquals(List.of("ping: payroll.corp.com: Temporary failure in name resolution"), ping.lines());
    List<CapturedFrame> tries = queriesSent();
    assertEquals(2, tries.size(), "glibc's defaults: two tries");
    assertEquals(VirtualLab.seconds(5), tries.get(1).atNanos() - tries.get(0).atNanos());
    // glibc's send_dg waits retrans << ns (ns: the server's index, 0 for a lone server): 5 s per try
    assertEquals(VirtualLab.seconds(10), lab.now() - start, "5 s, then 5 s");
    assertEquals(1, net.resolver.counters().retries);
    assertEquals(1, net.resolver.counters().timeouts);
    assertEquals(1, tries.stream().map(f -> f.udp().srcPort()).distinct().count(), "retries keep ID and port");
    int id = net.client.events(DnsEvent.QuerySent.class).get(0).id();
    assertEquals(List.of(new DnsEvent.Retried(id, DnsLab.FORWARDER, "payroll.corp.com", "A", 2, VirtualLab.seconds(5),
        VirtualLab.seconds(5))), net.client.events(DnsEvent.Retried.class));
    assertEquals(List.of(new DnsEvent.TimedOut(id, DnsLab.FORWARDER, "payroll.corp.com", "A", 2, VirtualLab.seconds(10))),
        net.client.events(DnsEvent.TimedOut.class));
    assertEquals(List.of(new DnsEvent.ResolveFailed("payroll.corp.com", DnsEvent.GaiError.EAI_AGAIN)),
        net.client.events(DnsEvent.ResolveFailed.class));
    // Failures are not cached: the next lookup asks again.
    net.client.clearRecords();
    lab.exec(net.client, "ping payroll.corp.com").assertExit(2);
    assertEquals(2, queriesSent().size());
  }

  @Test
  void nothingListeningOnPort53FailsAtOnce() {
    net.forwarder.stop(); // the host answers with ICMP port unreachable, as Linux does
    long start = lab.now();
    CommandRun ping = lab.exec(net.client, "ping payroll.corp.com").assertExit(2);
    assertEquals(List.of("ping: payroll.corp.com: Temporary failure in name resolution"), ping.lines());
    assertTrue(lab.now() - start < VirtualLab.millis(10), "no waiting for timeouts");
    assertEquals(1, net.resolver.counters().refused);
    assertEquals(0, net.resolver.counters().retries);
    DnsEvent.Refused refused = net.client.events(DnsEvent.Refused.class).get(0);
    assertEquals(DnsLab.FORWARDER, refused.reporter(), "the server's host says nothing listens there");
    assertEquals(DnsLab.FORWARDER, refused.server());
  }

  @Test
  void withoutANameserverOnlyTheHostsTableAnswers() {
    StubResolver none = new StubResolver(net.client.stack(), net.client.tcp(), net.client.tracer(), lab.hosts(), 0);
    DnsLookup l = net.await(cb -> none.lookup("payroll.corp.com", Type.A, cb));
    assertEquals(DnsLookup.Source.NONE, l.source());
    assertEquals(DnsLookup.NOT_KNOWN, l.error());
    assertNull(l.message());
    assertEquals(List.of(new DnsEvent.NoServer("payroll.corp.com", "A")), net.client.events(DnsEvent.NoServer.class));
    List<Integer> got = new ArrayList<>();
    none.resolve("ns", got::add, e -> { });
    none.resolve("192.168.7.7", got::add, e -> { });
    assertEquals(List.of(Ipv4Address.parse("192.168.5.53"), Ipv4Address.parse("192.168.7.7")), got);
  }

  @Test
  void invalidNamesAreNotKnown() {
    List<String> errors = new ArrayList<>();
    net.resolver.resolve("a..b", a -> { }, errors::add);
    net.resolver.resolve("x".repeat(64) + ".corp.com", a -> { }, errors::add);
    assertEquals(List.of(DnsLookup.NOT_KNOWN, DnsLookup.NOT_KNOWN), errors);
  }

  @Test
  void addressesFollowTheCnameChain() {
    DnsLookup l = net.lookup("www.corp.com", Type.A);
    assertEquals(List.of(Ipv4Address.parse("192.168.5.100")), l.addresses());
    assertEquals(List.of(Type.CNAME, Type.CNAME, Type.A),
        l.message().getSection(Section.ANSWER).stream().map(Record::getType).toList());
  }
}
