package emu.node.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.testing.VirtualLab;
import emu.node.event.DnsEvent;
import emu.node.event.DnsResponse;
import emu.node.wire.Ipv4Address;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The authoritative server answering the client across the router, record type by record
 * type, and its negative answers: what a resolver needs to see in each section.
 */
class AuthoritativeServerTest {
  private VirtualLab lab;
  private DnsLab net;

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(53);
    net = DnsLab.start(lab);
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  private Message ask(String name, int type) {
    DnsLookup l = net.ask(name, type, DnsLab.NS);
    assertNotNull(l.message(), () -> "no answer for " + name + ": " + l.reply());
    return l.message();
  }

  private static List<String> answer(Message m, int section) {
    return m.getSection(section).stream().filter(r -> r.getType() != Type.OPT)
        .map(r -> r.getName() + " " + r.getTTL() + " " + Type.string(r.getType()) + " " + r.rdataToString()).toList();
  }

  @Test
  void aRecordIsAuthoritative() {
    Message m = ask("payroll.corp.com", Type.A);
    assertEquals(Rcode.NOERROR, m.getRcode());
    assertTrue(m.getHeader().getFlag(Flags.AA));
    assertTrue(m.getHeader().getFlag(Flags.QR));
    assertTrue(m.getHeader().getFlag(Flags.RD), "RD is copied from the query");
    assertFalse(m.getHeader().getFlag(Flags.RA), "an authoritative-only server does not recurse");
    assertEquals(List.of("payroll.corp.com. 300 A 192.168.5.100"), answer(m, Section.ANSWER));
    assertEquals(List.of(), answer(m, Section.AUTHORITY));
  }

  @Test
  void aaaaRecord() {
    assertEquals(List.of("v6.corp.com. 300 AAAA 2001:db8:0:0:0:0:0:100"), answer(ask("v6.corp.com", Type.AAAA), Section.ANSWER));
  }

  @Test
  void cnameChainIsFollowedWithinTheZone() {
    Message m = ask("www.corp.com", Type.A);
    assertEquals(List.of("www.corp.com. 300 CNAME web.corp.com.", "web.corp.com. 300 CNAME payroll.corp.com.",
        "payroll.corp.com. 300 A 192.168.5.100"), answer(m, Section.ANSWER));
    assertTrue(m.getHeader().getFlag(Flags.AA));
    DnsLookup l = net.ask("www.corp.com", Type.A, DnsLab.NS);
    assertEquals(List.of(Ipv4Address.parse("192.168.5.100")), l.addresses());
  }

  @Test
  void cnameAskedForItselfIsNotFollowed() {
    assertEquals(List.of("www.corp.com. 300 CNAME web.corp.com."), answer(ask("www.corp.com", Type.CNAME),
        Section.ANSWER));
  }

  @Test
  void nsAtTheApexWithGlue() {
    Message m = ask("corp.com", Type.NS);
    assertEquals(List.of("corp.com. 300 NS ns1.corp.com."), answer(m, Section.ANSWER));
    assertEquals(List.of("ns1.corp.com. 300 A 192.168.5.53"), answer(m, Section.ADDITIONAL));
  }

  @Test
  void soa() {
    Message m = ask("corp.com", Type.SOA);
    SOARecord soa = (SOARecord) m.getSection(Section.ANSWER).get(0);
    assertEquals(2026010101L, soa.getSerial());
    assertEquals(60, soa.getMinimum());
    assertEquals("ns1.corp.com.", soa.getHost().toString());
  }

  @Test
  void mxWithTheMailHostsAddress() {
    Message m = ask("corp.com", Type.MX);
    assertEquals(List.of("corp.com. 300 MX 10 mail.corp.com."), answer(m, Section.ANSWER));
    assertEquals(List.of("mail.corp.com. 300 A 192.168.5.25"), answer(m, Section.ADDITIONAL));
  }

  @Test
  void txt() {
    assertEquals(List.of("info.corp.com. 300 TXT \"payroll lives at 192.168.5.100\""),
        answer(ask("info.corp.com", Type.TXT), Section.ANSWER));
  }

  @Test
  void ptrInTheReverseZone() {
    Message m = ask("100.5.168.192.in-addr.arpa", Type.PTR);
    assertEquals(List.of("100.5.168.192.in-addr.arpa. 300 PTR payroll.corp.com."), answer(m, Section.ANSWER));
    assertTrue(m.getHeader().getFlag(Flags.AA));
  }

  @Test
  void nxdomainCarriesTheSoaWithItsMinimumAsTtl() {
    Message m = ask("nope.corp.com", Type.A);
    assertEquals(Rcode.NXDOMAIN, m.getRcode());
    assertTrue(m.getHeader().getFlag(Flags.AA));
    assertEquals(List.of(), answer(m, Section.ANSWER));
    List<Record> auth = m.getSection(Section.AUTHORITY);
    assertEquals(1, auth.size());
    assertEquals(Type.SOA, auth.get(0).getType());
    assertEquals("corp.com.", auth.get(0).getName().toString());
    assertEquals(60, auth.get(0).getTTL(), "RFC 2308 3: min(SOA TTL 300, MINIMUM 60)");
    DnsLookup l = net.ask("nope.corp.com", Type.A, DnsLab.NS);
    assertEquals(DnsLookup.NOT_KNOWN, l.error());
  }

  @Test
  void nodataIsNoerrorWithAnEmptyAnswerAndTheSoa() {
    Message m = ask("payroll.corp.com", Type.MX);
    assertEquals(Rcode.NOERROR, m.getRcode());
    assertTrue(m.getHeader().getFlag(Flags.AA));
    assertEquals(List.of(), answer(m, Section.ANSWER));
    assertEquals(List.of(Type.SOA), m.getSection(Section.AUTHORITY).stream().map(Record::getType).toList());
    assertEquals(DnsLookup.NOT_KNOWN, net.ask("payroll.corp.com", Type.MX, DnsLab.NS).error());
  }

  @Test
  void otherZonesAreRefusedWithoutAa() {
    Message m = ask("www.example.org", Type.A);
    assertEquals(Rcode.REFUSED, m.getRcode());
    assertFalse(m.getHeader().getFlag(Flags.AA));
    assertEquals(List.of(), answer(m, Section.ANSWER));
    assertEquals(DnsLookup.TEMPORARY, net.ask("www.example.org", Type.A, DnsLab.NS).error());
  }

  @Test
  void wildcardAnswersCarryTheNameAsked() {
    assertEquals(List.of("x.wild.corp.com. 300 A 192.168.5.200"), answer(ask("x.wild.corp.com", Type.A),
        Section.ANSWER));
  }

  @Test
  void belowAZoneCutIsAReferralWithGlueNotAuthoritative() {
    Message m = ask("host.sub.corp.com", Type.A);
    assertEquals(Rcode.NOERROR, m.getRcode());
    assertFalse(m.getHeader().getFlag(Flags.AA));
    assertEquals(List.of("sub.corp.com. 300 NS ns.sub.corp.com."), answer(m, Section.AUTHORITY));
    assertEquals(List.of("ns.sub.corp.com. 300 A 192.168.5.54"), answer(m, Section.ADDITIONAL));
  }

  @Test
  void namesAreCaseInsensitive() {
    assertEquals(List.of("PayRoll.CORP.com. 300 A 192.168.5.100"), answer(ask("PayRoll.CORP.com", Type.A),
        Section.ANSWER));
  }

  @Test
  void theServerTellsTheStoryAndCounts() {
    ask("payroll.corp.com", Type.A);
    ask("nope.corp.com", Type.A);
    ask("www.example.org", Type.A);
    List<DnsEvent.Served> served = net.ns.events(DnsEvent.Served.class);
    assertEquals(2, served.size(), served.toString());
    DnsEvent.Served first = served.get(0);
    assertEquals(List.of("payroll.corp.com", "A", "corp.com"), List.of(first.qname(), first.qtype(), first.zone()));
    assertTrue(first.authoritative());
    assertEquals(DnsResponse.Outcome.ANSWER, first.response().outcome());
    assertEquals(List.of("192.168.5.100"), first.response().answer().get(0).data());
    assertEquals("192.168.1.100", first.client());
    assertEquals(DnsEvent.Transport.UDP, first.transport());
    DnsEvent.Served nx = served.get(1);
    assertEquals("nope.corp.com", nx.qname());
    assertEquals(DnsResponse.Outcome.NXDOMAIN, nx.response().outcome());
    assertTrue(nx.authoritative());
    DnsEvent.OutOfZone refused = net.ns.events(DnsEvent.OutOfZone.class).get(0);
    assertEquals("www.example.org", refused.qname());
    DnsServerCounters c = net.auth.counters();
    assertEquals(3, c.udpQueries);
    assertEquals(1, c.responses(Rcode.NOERROR));
    assertEquals(1, c.responses(Rcode.NXDOMAIN));
    assertEquals(1, c.responses(Rcode.REFUSED));
    assertEquals("authoritative", net.auth.role());
    assertNull(net.auth.cache());
  }
}
