package emu.node.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.testing.CapturedFrame;
import emu.node.testing.CommandRun;
import emu.node.testing.FrameMatcher;
import emu.node.testing.VirtualLab;
import emu.node.event.TraceMeta.Legacy;
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
    assertEquals("looks up payroll: found in its hosts table: 192.168.5.100",
        net.client.events("dns.hosts").get(0).message());
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
    assertEquals("short.corp.com A: not in its cache", net.client.events("dns.cache").get(0).message());
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
    List<Legacy> events = net.client.tracer().legacy().stream().filter(e -> e.type().startsWith("dns.")).toList();
    List<String> types = net.client.tracer().events().stream().map(emu.node.event.TraceEvent::type)
        .filter(t -> t.startsWith("dns.") || t.startsWith("app.")).toList();
    assertEquals(List.of("dns.hosts", "dns.cache", "dns.query", "dns.answer", "dns.cache", "dns.resolve", "app.ping"),
        types);
    assertEquals("looks up payroll.corp.com: not in its hosts table", events.get(0).message());
    assertEquals("payroll.corp.com A: not in its cache", events.get(1).message());
    int id = (Integer) events.get(2).fields().get("id");
    int port = (Integer) events.get(2).fields().get("port");
    assertEquals("sends DNS query id " + String.format("0x%04x", id) + " A? payroll.corp.com to 192.168.1.53 from port "
        + port, events.get(2).message());
    assertTrue(port >= 32768 && port <= 60999, "an ephemeral port: " + port);
    assertEquals("DNS answer id " + String.format("0x%04x", id) + ": payroll.corp.com A 192.168.5.100 (TTL 300)",
        events.get(3).message());
    assertEquals("caches the answer for payroll.corp.com A for 300 s", events.get(4).message());
    assertEquals("resolves payroll.corp.com to 192.168.5.100", events.get(5).message());
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
    List<Legacy> q = net.client.events("dns.query");
    assertEquals(3, q.size());
    assertEquals(3, q.stream().map(e -> e.fields().get("id")).distinct().count());
    assertEquals(3, q.stream().map(e -> e.fields().get("port")).distinct().count());
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
    assertTrue(net.client.events("dns.truncated").get(0).message().contains("is truncated (TC"),
        net.client.events("dns.truncated").toString());
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
    assertEquals(VirtualLab.seconds(15), lab.now() - start, "5 s, then 10 s");
    assertEquals(1, net.resolver.counters().retries);
    assertEquals(1, net.resolver.counters().timeouts);
    assertEquals(1, tries.stream().map(f -> f.udp().srcPort()).distinct().count(), "retries keep ID and port");
    assertEquals(1, net.client.events("dns.retry").size());
    assertEquals("no answer to DNS query id " + String.format("0x%04x", net.client.events("dns.query").get(0)
        .fields().get("id")) + " from 192.168.1.53 within 5 s; asks again, waiting 10 s this time",
        net.client.events("dns.retry").get(0).message());
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
  }

  @Test
  void withoutANameserverOnlyTheHostsTableAnswers() {
    StubResolver none = new StubResolver(net.client.stack(), net.client.tcp(), net.client.tracer(), lab.hosts(), 0);
    DnsLookup l = net.await(cb -> none.lookup("payroll.corp.com", Type.A, cb));
    assertEquals(DnsLookup.Source.NONE, l.source());
    assertEquals(DnsLookup.NOT_KNOWN, l.error());
    assertNull(l.message());
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
