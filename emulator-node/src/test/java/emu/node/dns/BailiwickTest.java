package emu.node.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.config.DnsConfig;
import emu.node.testing.FrameMatcher;
import emu.node.testing.LabNode;
import emu.node.testing.VirtualLab;
import emu.node.wire.Ipv4Address;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Cache poisoning through a forwarder: dns1 forwards to a hostile upstream (on payroll's
 * address, a real UDP server on the emulated network) that answers for its own names with
 * records about bank.com attached. The forwarder must keep only the records in the bailiwick
 * of the zone it asked about: none of bank.com's reaches a client, the cache, or a later query
 * (before Bailiwick, the first answer handed every planted record on and cached it).
 */
class BailiwickTest {
  private static final String EVIL = "192.168.5.100";

  private VirtualLab lab;
  private DnsLab net;
  private DnsServer forwarder;
  private final List<String> asked = new ArrayList<>();

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(5452);
    net = DnsLab.withoutForwarder(lab);
    hostileUpstream(net.payroll);
    forwarder = lab.dnsServer(net.dns1, new DnsConfig(DnsConfig.FORWARDER, null, EVIL));
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  /** Answers from the zone it serves (evil.com) with bank.com planted; REFUSED for anything else. */
  private void hostileUpstream(LabNode node) {
    node.stack().udp().bind(53, (src, sport, dst, dport, payload) -> {
      Message q = parse(payload);
      Record question = q.getQuestion();
      asked.add(question.getName() + " " + Type.string(question.getType()));
      Message r = new Message(q.getHeader().getID());
      r.getHeader().setFlag(Flags.QR);
      r.getHeader().setFlag(Flags.RA);
      r.addRecord(question, Section.QUESTION);
      switch (question.getName().toString()) {
        case "www.evil.com." -> {
          r.addRecord(a("www.evil.com.", "203.0.113.10"), Section.ANSWER);
          r.addRecord(a("www.bank.com.", "203.0.113.66"), Section.ANSWER); // not on the chain
          r.addRecord(new NSRecord(name("evil.com."), DClass.IN, 300, name("ns.evil.com.")), Section.AUTHORITY);
          r.addRecord(new NSRecord(name("bank.com."), DClass.IN, 300, name("ns.evil.com.")), Section.AUTHORITY);
          r.addRecord(a("ns.evil.com.", "203.0.113.53"), Section.ADDITIONAL);
          r.addRecord(a("bank.com.", "203.0.113.66"), Section.ADDITIONAL);
        }
        case "go.evil.com." -> {
          r.addRecord(new CNAMERecord(name("go.evil.com."), DClass.IN, 300, name("www.bank.com.")), Section.ANSWER);
          r.addRecord(a("www.bank.com.", "203.0.113.66"), Section.ANSWER); // out of the zone asked about
        }
        case "www.bank.com." -> r.addRecord(a("www.bank.com.", "198.51.100.7"), Section.ANSWER); // the truth
        default -> r.getHeader().setRcode(Rcode.REFUSED);
      }
      byte[] wire = r.toWire();
      ByteBuf b = node.stack().allocate(wire.length);
      b.writeBytes(wire);
      node.stack().udp().send(dst, 53, src, sport, 64, b);
    });
  }

  private static Message parse(ByteBuf payload) {
    byte[] b = new byte[payload.readableBytes()];
    payload.getBytes(payload.readerIndex(), b);
    try {
      return new Message(b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Name name(String s) {
    return Name.fromConstantString(s);
  }

  private static ARecord a(String owner, String address) {
    try {
      return new ARecord(name(owner), DClass.IN, 300, InetAddress.getByName(address));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every record of the response's answer, authority and additional sections, as text. */
  private static List<String> records(Message m) {
    List<String> out = new ArrayList<>();
    for (int s : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
      m.getSection(s).stream().filter(r -> r.getType() != Type.OPT)
          .forEach(r -> out.add(r.getName() + " " + Type.string(r.getType()) + " " + r.rdataToString()));
    }
    return out;
  }

  private static boolean mentionsBank(Message m) {
    return records(m).stream().anyMatch(r -> r.contains("bank.com") || r.contains("203.0.113.66"));
  }

  @Test
  void plantedRecordsAreNeitherHandedOnNorCachedNorServedLater() {
    DnsLookup first = net.ask("www.evil.com", Type.A, DnsLab.FORWARDER);
    assertEquals(List.of("www.evil.com. A 203.0.113.10", "evil.com. NS ns.evil.com.", "ns.evil.com. A 203.0.113.53"),
        records(first.message()), "the in-zone answer, its NS and glue stay; bank.com's three records go");
    assertEquals(3, forwarder.counters().outOfBailiwick);

    DnsCache.Hit cached = forwarder.cache().get(name("www.evil.com."), Type.A, DClass.IN);
    assertNotNull(cached);
    assertFalse(mentionsBank(cached.message()), "the cache holds no bank.com record: " + cached.message());
    assertNull(forwarder.cache().get(name("bank.com."), Type.A, DClass.IN));

    lab.advance(VirtualLab.seconds(10));
    DnsLookup again = net.ask("www.evil.com", Type.A, DnsLab.FORWARDER);
    assertEquals(1, asked.size(), "served from the cache: " + asked);
    assertFalse(mentionsBank(again.message()));

    // A later question about bank.com goes upstream (here refused) instead of to the planted address.
    DnsLookup bank = net.ask("bank.com", Type.A, DnsLab.FORWARDER);
    assertEquals(Rcode.SERVFAIL, bank.message().getRcode());
    assertEquals(List.of("www.evil.com. A", "bank.com. A"), asked);
    assertTrue(bank.message().getSection(Section.ANSWER).isEmpty());
  }

  @Test
  void aChainThatLeavesTheZoneIsFollowedByAskingForTheTargetItself() {
    DnsLookup lookup = net.ask("go.evil.com", Type.A, DnsLab.FORWARDER);
    assertEquals(List.of("go.evil.com. CNAME www.bank.com.", "www.bank.com. A 198.51.100.7"),
        records(lookup.message()), "the chain's target from its own answer, not the one planted beside the CNAME");
    assertEquals(List.of("go.evil.com. A", "www.bank.com. A"), asked);
    assertEquals(List.of(Ipv4Address.parse("198.51.100.7")), lookup.addresses());
    assertEquals(2, FrameMatcher.ipv4().dst(EVIL).udpDstPort(53).select(net.dns1.sent("eth0")).size());
  }

  @Test
  void theZoneIsTheQueryNamesParentButNeverATopLevelDomain() {
    assertEquals(name("evil.com."), Bailiwick.zoneOf(name("www.evil.com.")));
    assertEquals(name("b.evil.com."), Bailiwick.zoneOf(name("a.b.evil.com.")));
    assertEquals(name("evil.com."), Bailiwick.zoneOf(name("evil.com.")));
    assertEquals(name("com."), Bailiwick.zoneOf(name("com.")));
  }
}
