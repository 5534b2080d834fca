package emu.node.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.testing.CapturedFrame;
import emu.node.testing.FrameMatcher;
import emu.node.testing.VirtualLab;
import emu.node.event.DnsEvent;
import emu.node.event.DnsResponse;
import emu.node.event.DnsRrset;
import emu.node.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Checks on a finished command. */
final class CommandRunAssert {
  private CommandRunAssert() {}

  static void exitWith(emu.node.testing.CommandRun run, int code, String... lines) {
    run.assertExit(code);
    assertEquals(List.of(lines), run.lines());
  }
}

/** client -> forwarder dns1 -> authoritative ns across r1: the seed's designated DNS server. */
class ForwarderTest {
  private VirtualLab lab;
  private DnsLab net;

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(1035);
    net = DnsLab.start(lab);
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  private List<CapturedFrame> upstreamQueries() {
    return FrameMatcher.ipv4().dst(DnsLab.NS).udpDstPort(53).select(net.dns1.sent("eth0"));
  }

  /** client2 asks dns1 directly (no cache of its own in the way). */
  private DnsLookup askForwarderFromClient2(String name, int type) {
    StubResolver r2 = new StubResolver(net.client2.stack(), net.client2.tcp(), net.client2.tracer(), lab.hosts(), Ipv4Address.parse(DnsLab.FORWARDER));
    return net.await(cb -> r2.lookup(name, type, cb));
  }

  @Test
  void forwardsAcrossTheRouterThenAnswersFromItsCacheWithTtlsCountedDown() {
    DnsLookup first = net.lookup("payroll.corp.com", Type.A);
    assertEquals(List.of(Ipv4Address.parse("192.168.5.100")), first.addresses());
    assertTrue(first.message().getHeader().getFlag(Flags.RA), "a forwarder offers recursion");
    assertFalse(first.message().getHeader().getFlag(Flags.AA), "and is not authoritative");
    assertEquals(300, first.message().getSection(Section.ANSWER).get(0).getTTL());
    assertEquals(1, upstreamQueries().size());
    // The upstream query crossed r1: TTL 63 at ns.
    CapturedFrame atNs = FrameMatcher.ipv4().src(DnsLab.FORWARDER).udpDstPort(53).single(net.ns.received("eth0"));
    assertEquals(63, atNs.ip().ttl());
    // RFC 5452 toward the upstream too: the forwarder's own random port, not the client's.
    int clientPort = FrameMatcher.ipv4().udpDstPort(53).single(net.client.sent("eth0")).udp().srcPort();
    assertNotEquals(clientPort, atNs.udp().srcPort());

    lab.advance(VirtualLab.seconds(100));
    net.dns1.clearRecords();
    DnsLookup second = askForwarderFromClient2("payroll.corp.com", Type.A);
    assertEquals(DnsLookup.Source.SERVER, second.source());
    assertEquals(200, second.message().getSection(Section.ANSWER).get(0).getTTL(), "300 s less the 100 s cached");
    assertTrue(upstreamQueries().isEmpty(), "answered from the forwarder's cache");
    assertEquals(1, net.forwarder.counters().cacheHits);
    assertEquals(1, net.forwarder.counters().forwarded);
    assertEquals(1, net.forwarder.cache().size());

    DnsEvent.ServedFromCache hit = net.dns1.events(DnsEvent.ServedFromCache.class).get(0);
    assertEquals("payroll.corp.com", hit.qname());
    assertEquals("192.168.1.101", hit.client());
    assertEquals(100, hit.ageSeconds());
    assertEquals(List.of(new DnsRrset("payroll.corp.com", "A", 200, 1, List.of("192.168.5.100"))),
        hit.response().answer(), "TTLs counted down");
  }

  @Test
  void theNarrativeOfAMiss() {
    net.dns1.clearRecords();
    net.lookup("payroll.corp.com", Type.A);
    List<DnsEvent> events = net.dns1.events(DnsEvent.class);
    assertEquals(List.of("dns.forward", "dns.query", "dns.answer", "dns.forward_cache", "dns.serve_upstream"),
        events.stream().map(DnsEvent::type).toList());
    DnsEvent.Forwarded forward = (DnsEvent.Forwarded) events.get(0);
    assertEquals(DnsLab.NS, forward.upstream());
    assertEquals("192.168.1.100", forward.client());
    DnsEvent.QuerySent up = (DnsEvent.QuerySent) events.get(1);
    assertEquals(DnsLab.NS, up.server());
    assertEquals("payroll.corp.com", up.qname());
    assertEquals(3, up.attempts(), "the forwarder's three tries upstream");
    assertNotEquals(forward.id(), up.id(), "a fresh ID upstream");
    assertEquals(new DnsEvent.ForwarderCached("payroll.corp.com", "A", 300, false), events.get(3));
    DnsResponse answer = new DnsResponse("NOERROR", DnsResponse.Outcome.ANSWER,
        List.of(new DnsRrset("payroll.corp.com", "A", 300, 1, List.of("192.168.5.100"))), null);
    assertEquals(new DnsEvent.ServedFromUpstream("192.168.1.100", forward.port(), DnsEvent.Transport.UDP, forward.id(),
        "payroll.corp.com", "A", DnsLab.NS, answer), events.get(4));
  }

  @Test
  void negativeAnswersAreCachedAtTheForwarder() {
    assertEquals(Rcode.NXDOMAIN, net.lookup("nope.corp.com", Type.A).message().getRcode());
    net.dns1.clearRecords();
    lab.advance(VirtualLab.seconds(10));
    DnsLookup again = askForwarderFromClient2("nope.corp.com", Type.A);
    assertEquals(Rcode.NXDOMAIN, again.message().getRcode());
    assertEquals(50, again.message().getSection(Section.AUTHORITY).get(0).getTTL(), "60 s SOA minimum, 10 s later");
    assertTrue(upstreamQueries().isEmpty());
    lab.advance(VirtualLab.seconds(50));
    askForwarderFromClient2("nope.corp.com", Type.A);
    assertEquals(1, upstreamQueries().size(), "expired after the SOA minimum");
  }

  @Test
  void aSilentUpstreamGivesServfailAfterThreeTriesWhichIsNotCached() {
    net.auth.stop();
    net.ns.stack().udp().bind(53, (src, sport, dst, dport, payload) -> { }); // takes queries, never answers
    StubResolver patient = new StubResolver(net.client2.stack(), net.client2.tcp(), net.client2.tracer(), lab.hosts(), Ipv4Address.parse(DnsLab.FORWARDER),
        new long[] {VirtualLab.seconds(20)});
    long start = lab.now();
    DnsLookup l = net.await(cb -> patient.lookup("payroll.corp.com", Type.A, cb));
    assertNotNull(l.message());
    assertEquals(Rcode.SERVFAIL, l.message().getRcode());
    assertEquals(DnsLookup.TEMPORARY, l.error());
    assertTrue(lab.now() - start >= VirtualLab.seconds(7), "after 1 + 2 + 4 s upstream");
    assertEquals(1, net.forwarder.counters().upstreamFailures);
    assertEquals(3, upstreamQueries().size(), "three tries upstream");
    assertEquals(1, net.forwarder.upstreamCounters().timeouts);
    assertEquals(0, net.forwarder.cache().size());
    DnsEvent.UpstreamFailed servfail = net.dns1.events(DnsEvent.UpstreamFailed.class).get(0);
    assertEquals(DnsLab.NS, servfail.upstream());
    assertNull(servfail.upstreamRcode(), "the upstream never answered");
    assertEquals("timed out", servfail.error());
  }

  @Test
  void anUnreachableUpstreamGivesServfailAndTheClientATemporaryFailure() {
    net.ns.nic("eth0").setUp(false); // r1's ARP for ns fails: ICMP host unreachable to dns1
    CommandRunAssert.exitWith(lab.exec(net.client, "ping payroll.corp.com"), 2,
        "ping: payroll.corp.com: Temporary failure in name resolution");
    assertEquals(1, net.forwarder.counters().upstreamFailures);
    assertEquals(0, net.forwarder.upstreamCounters().timeouts);
    // r1 answers from the address facing dns1, as Linux does.
    DnsEvent.Unreachable unreachable = net.dns1.events(DnsEvent.Unreachable.class).get(0);
    assertEquals("192.168.1.1", unreachable.reporter());
    assertEquals(1, unreachable.icmpCode(), "host unreachable");
    assertEquals(DnsLab.NS, unreachable.server());
    assertEquals("host unreachable", net.dns1.events(DnsEvent.UpstreamFailed.class).get(0).error());
    net.ns.nic("eth0").setUp(true);
    assertEquals(List.of(Ipv4Address.parse("192.168.5.100")), net.lookup("payroll.corp.com", Type.A).addresses());
  }

  @Test
  void identicalQuestionsInFlightShareOneUpstreamQuery() {
    StubResolver r2 = new StubResolver(net.client2.stack(), net.client2.tcp(), net.client2.tracer(), lab.hosts(), Ipv4Address.parse(DnsLab.FORWARDER));
    List<DnsLookup> got = new ArrayList<>();
    net.resolver.lookup("payroll.corp.com", Type.A, got::add);
    r2.lookup("payroll.corp.com", Type.A, got::add);
    lab.runUntil(() -> got.size() == 2, VirtualLab.seconds(10));
    assertEquals(2, got.size());
    assertEquals(1, upstreamQueries().size());
    got.forEach(l -> assertEquals(List.of(Ipv4Address.parse("192.168.5.100")), l.addresses()));
  }

  @Test
  void theForwarderNodeCanResolveThroughItself() {
    StubResolver own = lab.nameserver(net.dns1, DnsLab.FORWARDER); // "nameserver 192.168.1.53" on dns1 itself
    assertEquals(List.of(Ipv4Address.parse("192.168.5.100")),
        net.await(cb -> own.lookup("payroll.corp.com", Type.A, cb)).addresses());
    DnsLookup big = net.await(cb -> own.lookup("big.corp.com", Type.TXT, cb)); // TC, then TCP to itself
    assertTrue(big.reply().tcp());
    assertEquals(12, big.message().getSection(Section.ANSWER).size());
    lab.exec(net.dns1, "ping -c 1 payroll.corp.com").assertExit(0);
  }

  @Test
  void aLargeAnswerGoesUpstreamWithEdnsAndToTheClientOverTcp() {
    DnsLookup l = net.lookup("big.corp.com", Type.TXT);
    assertEquals(12, l.message().getSection(Section.ANSWER).size());
    assertTrue(l.reply().tcp());
    assertEquals(0, net.auth.counters().truncated, "EDNS 1232 toward the upstream: no truncation there");
    assertEquals(1, net.forwarder.counters().truncated, "512 toward the client without EDNS");
    assertEquals(1, net.forwarder.counters().cacheHits, "the TCP retry is a cache hit");
  }
}
