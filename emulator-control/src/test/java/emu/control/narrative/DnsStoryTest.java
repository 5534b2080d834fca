package emu.control.narrative;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.node.event.DnsEvent;
import emu.node.event.DnsEvent.Transport;
import emu.node.event.DnsResponse;
import emu.node.event.DnsResponse.Outcome;
import emu.node.event.DnsRrset;
import emu.node.tcp.TcpError;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The words for DNS, from the facts nodes report: the seed's name resolution (hosts table, cache,
 * the query to the designated server, the forwarder, the authoritative answer), negative answers,
 * and what goes wrong (spoofed replies, truncation, retries, unreachable servers, bad queries).
 */
class DnsStoryTest {
  private static final String CLIENT = "192.168.1.100";
  private static final String FORWARDER = "192.168.1.53";
  private static final String NS = "192.168.5.53";
  private static final int ID = 0x1a2b;
  private static final DnsRrset PAYROLL = new DnsRrset("payroll.corp.com", "A", 300, 1, List.of("192.168.5.100"));
  private static final DnsResponse PAYROLL_A = new DnsResponse("NOERROR", Outcome.ANSWER, List.of(PAYROLL), null);
  private static final DnsResponse NXDOMAIN = new DnsResponse("NXDOMAIN", Outcome.NXDOMAIN, List.of(), null);
  private static final DnsResponse NODATA = new DnsResponse("NOERROR", Outcome.NODATA, List.of(), null);

  private static String say(DnsEvent e) {
    return Story.sentence(e);
  }

  @Test
  void theSeedsNameResolutionAtTheClient() {
    assertEquals("looks up payroll.corp.com: not in its hosts table",
        say(new DnsEvent.HostsLookup("payroll.corp.com", null)));
    assertEquals("payroll.corp.com A: not in its cache", say(new DnsEvent.CacheMiss("payroll.corp.com", "A")));
    assertEquals("sends DNS query id 0x1a2b A? payroll.corp.com to 192.168.1.53 from port 41248",
        say(new DnsEvent.QuerySent(ID, FORWARDER, "payroll.corp.com", "A", Transport.UDP, 41248, 1, 2)));
    assertEquals("DNS answer id 0x1a2b: payroll.corp.com A 192.168.5.100 (TTL 300)",
        say(new DnsEvent.Answered(ID, FORWARDER, "payroll.corp.com", "A", Transport.UDP, PAYROLL_A)));
    assertEquals("caches the answer for payroll.corp.com A for 300 s",
        say(new DnsEvent.Cached("payroll.corp.com", "A", 300, false)));
    assertEquals("resolves payroll.corp.com to 192.168.5.100",
        say(new DnsEvent.Resolved("payroll.corp.com", "192.168.5.100")));
  }

  @Test
  void theHostsTableAndTheCacheAnswerWithoutAQuery() {
    assertEquals("looks up payroll: found in its hosts table: 192.168.5.100",
        say(new DnsEvent.HostsLookup("payroll", "192.168.5.100")));
    assertEquals("payroll.corp.com A: found in its cache (stored 100 s ago): payroll.corp.com A 192.168.5.100 (TTL 200)",
        say(new DnsEvent.CacheHit("payroll.corp.com", "A", 100, new DnsResponse("NOERROR", Outcome.ANSWER,
            List.of(new DnsRrset("payroll.corp.com", "A", 200, 1, List.of("192.168.5.100"))), null))));
    assertEquals("nope.corp.com A: found in its cache (stored 59 s ago): no such name (NXDOMAIN)",
        say(new DnsEvent.CacheHit("nope.corp.com", "A", 59, NXDOMAIN)));
    assertEquals("caches the answer for payroll.corp.com MX for 60 s (negative, RFC 2308)",
        say(new DnsEvent.Cached("payroll.corp.com", "MX", 60, true)));
    assertEquals("has no DNS server configured, so it cannot look up payroll.corp.com A",
        say(new DnsEvent.NoServer("payroll.corp.com", "A")));
  }

  @Test
  void theForwarder() {
    assertEquals("starts a DNS server (caching forwarder to 192.168.5.53) on UDP and TCP port 53",
        say(new DnsEvent.Started(DnsEvent.Role.FORWARDER, null, NS, false)));
    assertEquals("A? payroll.corp.com: cache miss; forwards to 192.168.5.53",
        say(new DnsEvent.Forwarded(CLIENT, 41248, Transport.UDP, ID, "payroll.corp.com", "A", NS)));
    assertEquals("A? payroll.corp.com: not in its cache; already asked 192.168.5.53, so it waits for that answer",
        say(new DnsEvent.ForwardJoined(CLIENT, 41248, Transport.UDP, ID, "payroll.corp.com", "A", NS)));
    assertEquals("caches the answer to A? payroll.corp.com for 300 s",
        say(new DnsEvent.ForwarderCached("payroll.corp.com", "A", 300, false)));
    assertEquals("caches the answer to A? nope.corp.com for 60 s (negative, RFC 2308)",
        say(new DnsEvent.ForwarderCached("nope.corp.com", "A", 60, true)));
    assertEquals("does not cache the answer to A? payroll.corp.com",
        say(new DnsEvent.ForwarderCached("payroll.corp.com", "A", 0, false)));
    assertEquals("answers A? payroll.corp.com with the answer from 192.168.5.53: payroll.corp.com A 192.168.5.100"
        + " (TTL 300)", say(new DnsEvent.ServedFromUpstream(CLIENT, 41248, Transport.UDP, ID, "payroll.corp.com", "A",
        NS, PAYROLL_A)));
    assertEquals("answers A? nope.corp.com from its cache (stored 10 s ago, TTLs counted down): no such name (NXDOMAIN)",
        say(new DnsEvent.ServedFromCache(CLIENT, 41248, Transport.UDP, ID, "nope.corp.com", "A", 10, NXDOMAIN)));
    assertEquals("answers A? payroll.corp.com with SERVFAIL: no usable answer from 192.168.5.53 (timed out)",
        say(new DnsEvent.UpstreamFailed(CLIENT, 41248, Transport.UDP, ID, "payroll.corp.com", "A", NS, null,
            "timed out")));
    assertEquals("answers A? payroll.corp.com with SERVFAIL: no usable answer from 192.168.5.53 (it answered REFUSED)",
        say(new DnsEvent.UpstreamFailed(CLIENT, 41248, Transport.UDP, ID, "payroll.corp.com", "A", NS, "REFUSED",
            null)));
  }

  @Test
  void theAuthoritativeServer() {
    assertEquals("starts a DNS server (authoritative for corp.com, 5.168.192.in-addr.arpa) on UDP and TCP port 53",
        say(new DnsEvent.Started(DnsEvent.Role.AUTHORITATIVE, List.of("corp.com", "5.168.192.in-addr.arpa"), null,
            false)));
    assertEquals("answers A? payroll.corp.com from zone corp.com: 192.168.5.100 (authoritative)",
        say(served("payroll.corp.com", "A", true, PAYROLL_A)));
    assertEquals("answers A? nope.corp.com from zone corp.com: no such name (NXDOMAIN), with the SOA in the authority"
        + " section (authoritative)", say(served("nope.corp.com", "A", true, NXDOMAIN)));
    assertEquals("answers MX? payroll.corp.com from zone corp.com: no MX records (NODATA), with the SOA in the authority"
        + " section (authoritative)", say(served("payroll.corp.com", "MX", true, NODATA)));
    DnsRrset ns = new DnsRrset("sub.corp.com", "NS", 300, 1, List.of("ns.sub.corp.com."));
    assertEquals("answers A? host.sub.corp.com from zone corp.com: referral to sub.corp.com NS ns.sub.corp.com. (not"
        + " authoritative)", say(served("host.sub.corp.com", "A", false,
        new DnsResponse("NOERROR", Outcome.REFERRAL, List.of(), ns))));
    assertEquals("refuses A? www.example.org: the name is in no zone it serves (REFUSED; it does not recurse)",
        say(new DnsEvent.OutOfZone(FORWARDER, 52632, Transport.UDP, ID, "www.example.org", "A")));
  }

  @Test
  void answersWithMoreThanOneRrsetNameEachOwnerAndLongDataIsCut() {
    DnsResponse chain = new DnsResponse("NOERROR", Outcome.ANSWER, List.of(
        new DnsRrset("www.corp.com", "CNAME", 300, 1, List.of("web.corp.com.")),
        new DnsRrset("web.corp.com", "CNAME", 300, 1, List.of("payroll.corp.com.")), PAYROLL), null);
    assertEquals("answers A? www.corp.com from zone corp.com: www.corp.com CNAME web.corp.com. (TTL 300); web.corp.com"
        + " CNAME payroll.corp.com. (TTL 300); payroll.corp.com A 192.168.5.100 (TTL 300) (authoritative)",
        say(served("www.corp.com", "A", true, chain)));
    DnsResponse many = new DnsResponse("NOERROR", Outcome.ANSWER, List.of(new DnsRrset("many.corp.com", "A", 300, 40,
        List.of("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"))), null);
    assertEquals("DNS answer id 0x1a2b: many.corp.com A 10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4 and 36 more (TTL 300)"
        + " (over TCP)", say(new DnsEvent.Answered(ID, FORWARDER, "many.corp.com", "A", Transport.TCP, many)));
    assertEquals("answers A? PayRoll.CORP.com from zone corp.com: 192.168.5.100 (authoritative)",
        say(served("PayRoll.CORP.com", "A", true, new DnsResponse("NOERROR", Outcome.ANSWER,
            List.of(new DnsRrset("PayRoll.CORP.com", "A", 300, 1, List.of("192.168.5.100"))), null))),
        "names compare as DNS compares them, without case");
  }

  @Test
  void negativeAnswersAtTheClientRepeatTheQuestion() {
    assertEquals("DNS answer id 0x1a2b to A? nope.corp.com: no such name (NXDOMAIN)",
        say(new DnsEvent.Answered(ID, FORWARDER, "nope.corp.com", "A", Transport.UDP, NXDOMAIN)));
    assertEquals("DNS answer id 0x1a2b to A? v6.corp.com: no A records (NODATA)",
        say(new DnsEvent.Answered(ID, FORWARDER, "v6.corp.com", "A", Transport.UDP, NODATA)));
    assertEquals("DNS answer id 0x1a2b to A? payroll.corp.com: SERVFAIL",
        say(new DnsEvent.Answered(ID, FORWARDER, "payroll.corp.com", "A", Transport.UDP,
            new DnsResponse("SERVFAIL", Outcome.ERROR, List.of(), null))));
    assertEquals("cannot resolve nope.corp.com: Name or service not known",
        say(new DnsEvent.ResolveFailed("nope.corp.com", DnsEvent.GaiError.EAI_NONAME)));
    assertEquals("cannot resolve payroll.corp.com: Temporary failure in name resolution",
        say(new DnsEvent.ResolveFailed("payroll.corp.com", DnsEvent.GaiError.EAI_AGAIN)));
  }

  @Test
  void spoofedRepliesSayWhichRfc5452CheckFailed() {
    String end = " (RFC 5452: possibly spoofed); keeps waiting";
    assertEquals("ignores a DNS reply id 0x1a2c from 192.168.1.53 port 53: its ID 0x1a2c is not 0x1a2b" + end,
        say(spoofed(FORWARDER, 53, 0x1a2c, DnsEvent.Rfc5452Check.ID, null)));
    assertEquals("ignores a DNS reply id 0x1a2b from 192.168.1.53 port 5353: it comes from port 5353, not port 53" + end,
        say(spoofed(FORWARDER, 5353, ID, DnsEvent.Rfc5452Check.SOURCE_PORT, null)));
    assertEquals("ignores a DNS reply id 0x1a2b from 192.168.1.66 port 53: it comes from 192.168.1.66, not from the"
        + " server 192.168.1.53" + end, say(spoofed("192.168.1.66", 53, ID, DnsEvent.Rfc5452Check.SOURCE_ADDRESS, null)));
    assertEquals("ignores a DNS reply id 0x1a2b from 192.168.1.53 port 53: its question A? evil.corp.com is not"
        + " A? payroll.corp.com" + end, say(spoofed(FORWARDER, 53, ID, DnsEvent.Rfc5452Check.QUESTION, "evil.corp.com")));
    assertEquals("ignores a DNS reply id 0x1a2b from 192.168.1.53 port 53: it is a query, not a response" + end,
        say(spoofed(FORWARDER, 53, ID, DnsEvent.Rfc5452Check.RESPONSE, null)));
    assertEquals("ignores a DNS reply from 192.168.1.66 port 53: it comes from 192.168.1.66, not from the server"
        + " 192.168.1.53" + end, say(new DnsEvent.Spoofed(ID, FORWARDER, "payroll.corp.com", "A", Transport.UDP,
        "192.168.1.66", 53, null, DnsEvent.Rfc5452Check.SOURCE_ADDRESS, null, null, null)), "too short for an ID");
    assertEquals("ignores a DNS reply id 0x1a2c from 192.168.1.53 port 53: its ID 0x1a2c is not 0x1a2b (over TCP)" + end,
        say(new DnsEvent.Spoofed(ID, FORWARDER, "payroll.corp.com", "A", Transport.TCP, FORWARDER, 53, 0x1a2c,
            DnsEvent.Rfc5452Check.ID, null, null, null)));
  }

  @Test
  void truncationOnBothSides() {
    assertEquals("DNS answer id 0x1a2b is truncated (TC, 30 bytes): asks TXT? big.corp.com again over TCP to"
        + " 192.168.1.53 port 53", say(new DnsEvent.Truncated(ID, FORWARDER, "big.corp.com", "TXT", 30)));
    assertEquals("the answer to TXT? big.corp.com (906 bytes) exceeds the client's UDP limit of 512 bytes: sends it"
        + " truncated (TC), so the client asks again over TCP",
        say(new DnsEvent.ServedTruncated(CLIENT, 41248, ID, "big.corp.com", "TXT", 906, 512)));
    assertEquals("sends DNS query id 0x1a2b TXT? big.corp.com to 192.168.1.53 over TCP from port 40000",
        say(new DnsEvent.QuerySent(ID, FORWARDER, "big.corp.com", "TXT", Transport.TCP, 40000, 1, 1)));
    assertEquals("closes the idle DNS-over-TCP connection from 192.168.1.100 port 40000 after 10 s without a query",
        say(new DnsEvent.TcpIdleClosed(CLIENT, 40000, 10_000_000_000L)));
  }

  @Test
  void noAnswerRetriesTimeoutsAndUnreachableServers() {
    assertEquals("sends DNS query id 0x1a2b A? payroll.corp.com to 192.168.1.53 from port 41248 (try 2 of 2)",
        say(new DnsEvent.QuerySent(ID, FORWARDER, "payroll.corp.com", "A", Transport.UDP, 41248, 2, 2)));
    assertEquals("no answer to DNS query id 0x1a2b from 192.168.1.53 within 5 s; asks again, waiting 10 s this time",
        say(new DnsEvent.Retried(ID, FORWARDER, "payroll.corp.com", "A", 2, 5_000_000_000L, 10_000_000_000L)));
    assertEquals("no answer to DNS query id 0x1a2b A? payroll.corp.com from 192.168.5.53 after 3 tries (7 s): gives up",
        say(new DnsEvent.TimedOut(ID, NS, "payroll.corp.com", "A", 3, 7_000_000_000L)));
    assertEquals("no answer to DNS query id 0x1a2b from 192.168.5.53 within 1.5 s; asks again, waiting 3 s this time",
        say(new DnsEvent.Retried(ID, NS, "payroll.corp.com", "A", 2, 1_500_000_000L, 3_000_000_000L)));
    assertEquals("192.168.1.53 reports connection refused for DNS query id 0x1a2b to 192.168.1.53 port 53: gives up",
        say(new DnsEvent.Refused(ID, FORWARDER, "payroll.corp.com", "A", FORWARDER)));
    assertEquals("192.168.1.1 reports host unreachable for DNS query id 0x1a2b to 192.168.5.53 port 53: gives up",
        say(new DnsEvent.Unreachable(ID, NS, "payroll.corp.com", "A", "192.168.1.1", 1)));
    assertEquals("192.168.1.1 reports destination unreachable (ICMP code 13) for DNS query id 0x1a2b to 192.168.5.53"
        + " port 53: gives up", say(new DnsEvent.Unreachable(ID, NS, "payroll.corp.com", "A", "192.168.1.1", 13)));
    assertEquals("DNS query id 0x1a2b TXT? big.corp.com over TCP to 192.168.1.53 failed: Connection refused",
        say(new DnsEvent.TcpFailed(ID, FORWARDER, "big.corp.com", "TXT", DnsEvent.TcpFailure.CONNECTION_ERROR,
            TcpError.REFUSED, null)));
    assertEquals("DNS query id 0x1a2b TXT? big.corp.com over TCP to 192.168.1.53 failed: the server closed the"
        + " connection without answering", say(new DnsEvent.TcpFailed(ID, FORWARDER, "big.corp.com", "TXT",
        DnsEvent.TcpFailure.CLOSED_WITHOUT_ANSWER, null, null)));
    assertEquals("ignores a malformed DNS reply (5 bytes) from 192.168.1.53 port 53: end of input",
        say(new DnsEvent.Malformed(ID, FORWARDER, "payroll.corp.com", "A", FORWARDER, 53, 5, "end of input")));
  }

  @Test
  void theGatekeeperNamesWhatIsWrongWithAQuery() {
    assertEquals("answers a malformed query (18 bytes: bad compression) from 192.168.1.100 port 40000 with FORMERR",
        say(rejected("FORMERR", DnsEvent.RejectWhy.MALFORMED, null, null, null, null, null, null, "bad compression")));
    assertEquals("answers opcode NOTIFY, which it does not implement from 192.168.1.100 port 40000 with NOTIMP",
        say(rejected("NOTIMP", DnsEvent.RejectWhy.OPCODE, null, null, null, "NOTIFY", null, null, null)));
    assertEquals("answers a query with 2 questions (it must have exactly one) from 192.168.1.100 port 40000 with FORMERR",
        say(rejected("FORMERR", DnsEvent.RejectWhy.QUESTION_COUNT, null, null, null, null, 2, null, null)));
    assertEquals("answers TXT? version.bind (class CH): it serves class IN only from 192.168.1.100 port 40000 with"
        + " REFUSED", say(rejected("REFUSED", DnsEvent.RejectWhy.CLASS_NOT_SERVED, "version.bind", "TXT", "CH", null,
        null, null, null)));
    assertEquals("answers A? payroll.corp.com (class CLASS42): class 42 does not exist from 192.168.1.100 port 40000"
        + " with FORMERR", say(rejected("FORMERR", DnsEvent.RejectWhy.NO_SUCH_CLASS, "payroll.corp.com", "A", "CLASS42",
        null, null, null, null)));
    assertEquals("answers AXFR? corp.com: zone transfers are not offered from 192.168.1.100 port 40000 with REFUSED",
        say(rejected("REFUSED", DnsEvent.RejectWhy.ZONE_TRANSFER, "corp.com", "AXFR", "IN", null, null, null, null)));
    assertEquals("answers A? payroll.corp.com with EDNS version 1 from 192.168.1.100 port 40000 with BADVERS",
        say(rejected("BADVERS", DnsEvent.RejectWhy.EDNS_VERSION, "payroll.corp.com", "A", "IN", null, null, 1, null)));
    assertEquals("answers A? payroll.corp.com with 2 OPT records from 192.168.1.100 port 40000 with FORMERR",
        say(new DnsEvent.Rejected(CLIENT, 40000, Transport.UDP, ID, "FORMERR", DnsEvent.RejectWhy.OPT_RECORDS,
            "payroll.corp.com", "A", "IN", null, null, 2, null, 40, null)));
    assertEquals("drops a DNS message (5 bytes) from 192.168.1.100 port 40000: shorter than a DNS header",
        say(new DnsEvent.Dropped(CLIENT, 40000, Transport.UDP, 5, DnsEvent.DropWhy.SHORTER_THAN_HEADER, null)));
    assertEquals("drops a DNS message (30 bytes) from 192.168.1.100 port 0: from port 0, which cannot be answered",
        say(new DnsEvent.Dropped(CLIENT, 0, Transport.UDP, 30, DnsEvent.DropWhy.FROM_PORT_ZERO, null)));
    assertEquals("answers A? payroll.corp.com with SERVFAIL: internal error java.lang.IllegalStateException: bug",
        say(new DnsEvent.ServeFailed(CLIENT, 40000, Transport.UDP, ID, "payroll.corp.com", "A",
            "java.lang.IllegalStateException: bug")));
  }

  /** DNS over IPv6 says so wherever the server's address appears; over IPv4 it reads as before. */
  @Test
  void overIpv6TheStorySaysSo() {
    String ns6 = "2001:db8:5::53";
    assertEquals("sends DNS query id 0x1a2b AAAA? payroll.corp.com to 2001:db8:5::53 over UDP/IPv6 from port 41248",
        say(new DnsEvent.QuerySent(ID, ns6, "payroll.corp.com", "AAAA", Transport.UDP, 41248, 1, 2)));
    assertEquals("sends DNS query id 0x1a2b TXT? big.corp.com to 2001:db8:5::53 over TCP/IPv6 from port 40001",
        say(new DnsEvent.QuerySent(ID, ns6, "big.corp.com", "TXT", Transport.TCP, 40001, 1, 1)));
    assertEquals("DNS answer id 0x1a2b: payroll.corp.com A 192.168.5.100 (TTL 300) (over UDP/IPv6)",
        say(new DnsEvent.Answered(ID, ns6, "payroll.corp.com", "A", Transport.UDP, PAYROLL_A)));
    assertEquals("DNS answer id 0x1a2b is truncated (TC, 512 bytes): asks TXT? big.corp.com again over TCP/IPv6 to"
        + " 2001:db8:5::53 port 53", say(new DnsEvent.Truncated(ID, ns6, "big.corp.com", "TXT", 512)));
    assertEquals("DNS query id 0x1a2b TXT? big.corp.com over TCP/IPv6 to 2001:db8:5::53 failed: timed out",
        say(new DnsEvent.TcpFailed(ID, ns6, "big.corp.com", "TXT", DnsEvent.TcpFailure.TIMED_OUT, null, null)));
    assertEquals("2001:db8:1::1 reports address unreachable for DNS query id 0x1a2b to 2001:db8:5::53 port 53:"
        + " gives up", say(new DnsEvent.Unreachable(ID, ns6, "payroll.corp.com", "A", "2001:db8:1::1", 3)));
    assertEquals("starts a DNS server (authoritative for corp.com) on UDP and TCP port 53, over IPv4 and IPv6",
        say(new DnsEvent.Started(DnsEvent.Role.AUTHORITATIVE, List.of("corp.com"), null, true)));
    assertEquals("answers A? payroll.corp.com with 2 OPT records from 2001:db8:1::100 port 40000 with FORMERR",
        say(new DnsEvent.Rejected("2001:db8:1::100", 40000, Transport.UDP, ID, "FORMERR",
            DnsEvent.RejectWhy.OPT_RECORDS, "payroll.corp.com", "A", "IN", null, null, 2, null, 40, null)));
  }

  /** A resolver with several servers goes down its list, as glibc's does, and says why. */
  @Test
  void movingOnToTheNextServer() {
    String ns6 = "2001:db8:5::53";
    assertEquals("no answer to DNS query id 0x1a2b from 192.168.1.53 within 5 s; asks the next server, "
        + "2001:db8:5::53, waiting 5 s", say(next(DnsEvent.NextWhy.TIMEOUT, 5_000_000_000L, null, null, null, null)));
    assertEquals("192.168.1.53 reports connection refused for DNS query id 0x1a2b to 192.168.1.53 port 53; asks the"
        + " next server, 2001:db8:5::53, waiting 5 s", say(next(DnsEvent.NextWhy.REFUSED, null, FORWARDER, null,
        null, null)));
    assertEquals("192.168.1.1 reports host unreachable for DNS query id 0x1a2b to 192.168.1.53 port 53; asks the"
        + " next server, 2001:db8:5::53, waiting 5 s", say(next(DnsEvent.NextWhy.UNREACHABLE, null, "192.168.1.1", 1,
        null, null)));
    assertEquals("cannot send DNS query id 0x1a2b to 192.168.1.53: Network is unreachable; asks the next server, "
        + "2001:db8:5::53, waiting 5 s", say(next(DnsEvent.NextWhy.SEND_FAILED, null, null, null, null,
        "Network is unreachable")));
    assertEquals("192.168.1.53 answers DNS query id 0x1a2b with SERVFAIL; asks the next server, 2001:db8:5::53,"
        + " waiting 5 s", say(next(DnsEvent.NextWhy.ERROR_RCODE, null, null, null, "SERVFAIL", null)));
    assertEquals("DNS query id 0x1a2b over TCP to 192.168.1.53 failed: connection refused; asks the next server,"
        + " 2001:db8:5::53, waiting 5 s", say(next(DnsEvent.NextWhy.TCP_FAILED, null, null, null, null,
        "connection refused")));
    assertEquals("sends DNS query id 0x1a2b A? payroll.corp.com to 2001:db8:5::53 over UDP/IPv6 from port 41249"
        + " (try 2 of 4)", say(new DnsEvent.QuerySent(ID, ns6, "payroll.corp.com", "A", Transport.UDP, 41249, 2, 4)));
  }

  private static DnsEvent.NextServer next(DnsEvent.NextWhy why, Long waited, String reporter, Integer code,
                                          String rcode, String error) {
    return new DnsEvent.NextServer(ID, FORWARDER, "payroll.corp.com", "A", why, waited, reporter, code, rcode, error,
        "2001:db8:5::53", 5_000_000_000L);
  }

  private static DnsEvent.Served served(String qname, String qtype, boolean aa, DnsResponse r) {
    return new DnsEvent.Served(FORWARDER, 52632, Transport.UDP, ID, qname, qtype, "corp.com", aa, r);
  }

  private static DnsEvent.Spoofed spoofed(String from, int fromPort, int replyId, DnsEvent.Rfc5452Check failed,
                                          String replyQname) {
    return new DnsEvent.Spoofed(ID, FORWARDER, "payroll.corp.com", "A", Transport.UDP, from, fromPort, replyId, failed,
        replyQname, replyQname == null ? null : "A", replyQname == null ? null : "IN");
  }

  private static DnsEvent.Rejected rejected(String rcode, DnsEvent.RejectWhy why, String qname, String qtype,
                                            String qclass, String opcode, Integer questions, Integer ednsVersion,
                                            String error) {
    return new DnsEvent.Rejected(CLIENT, 40000, Transport.UDP, ID, rcode, why, qname, qtype, qclass, opcode, questions,
        null, ednsVersion, 18, error);
  }
}
