package emu.node.dns;

import static emu.node.dns.RawDnsPeer.concat;
import static emu.node.dns.RawDnsPeer.header;
import static emu.node.dns.RawDnsPeer.opt;
import static emu.node.dns.RawDnsPeer.question;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.event.DnsEvent;
import emu.node.testing.VirtualLab;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Whatever a client sends, the server answers it with an error or counts it as dropped, never
 * throws, and keeps answering good queries.
 */
class MalformedQueryTest {
  private static final int ID = 0xBEEF;
  private static final int RD = 0x0100;
  private static final int TC = 0x0200;
  private static final int DROPPED = -1;

  private VirtualLab lab;
  private DnsLab net;
  private RawDnsPeer peer;

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(1034);
    net = DnsLab.start(lab);
    peer = new RawDnsPeer(net.client.stack(), DnsLab.NS);
  }

  @AfterEach
  void tearDown() {
    peer.close();
    lab.close();
  }

  static Stream<Arguments> cases() {
    byte[] good = question("payroll.corp.com", Type.A, 1);
    return Stream.of(
        Arguments.of("truncated header", new byte[] {(byte) 0xBE, (byte) 0xEF, 1}, DROPPED),
        Arguments.of("empty datagram", new byte[0], DROPPED),
        Arguments.of("a response, not a query", concat(header(ID, 0x8000, 1, 0, 0, 0), good), DROPPED),
        Arguments.of("QDCOUNT 1 and no question", header(ID, RD, 1, 0, 0, 0), Rcode.FORMERR),
        Arguments.of("QDCOUNT 100 with no data", header(ID, RD, 100, 0, 0, 0), Rcode.FORMERR),
        Arguments.of("QDCOUNT 0", header(ID, RD, 0, 0, 0, 0), Rcode.FORMERR),
        Arguments.of("QDCOUNT 2", concat(header(ID, RD, 2, 0, 0, 0), good, good), Rcode.FORMERR),
        Arguments.of("compression-pointer loop",
            concat(header(ID, RD, 1, 0, 0, 0), new byte[] {(byte) 0xC0, 12, 0, 1, 0, 1}), Rcode.FORMERR),
        Arguments.of("pointers chasing each other",
            concat(header(ID, RD, 1, 0, 0, 0), new byte[] {(byte) 0xC0, 14, (byte) 0xC0, 12, 0, 1, 0, 1}),
            Rcode.FORMERR),
        Arguments.of("label of 80 bytes", concat(header(ID, RD, 1, 0, 0, 0), new byte[] {0x50, 1, 2, 3}), Rcode.FORMERR),
        Arguments.of("question cut short", concat(header(ID, RD, 1, 0, 0, 0), new byte[] {7, 'p', 'a', 'y'}),
            Rcode.FORMERR),
        Arguments.of("ANCOUNT 60000 with nothing", concat(header(ID, RD, 1, 60000, 0, 0), good), Rcode.FORMERR),
        // TC set: dnsjava keeps a cut-short message instead of failing; found by DnsFuzzTest#serverTcp
        // (the server threw a NullPointerException on the missing question and dropped the query)
        Arguments.of("TC set and the question cut short",
            concat(header(ID, RD | TC, 1, 0, 0, 0), new byte[] {7, 'p', 'a', 'y'}), Rcode.FORMERR),
        Arguments.of("opcode 15, TC set and the question cut short",
            concat(header(ID, 15 << 11 | TC, 1, 0, 0, 0), new byte[] {7, 'p', 'a', 'y'}), Rcode.FORMERR),
        Arguments.of("TC set and ANCOUNT 60000 with nothing", concat(header(ID, RD | TC, 1, 60000, 0, 0), good),
            Rcode.FORMERR),
        Arguments.of("unknown class 42", concat(header(ID, RD, 1, 0, 0, 0), question("payroll.corp.com", Type.A, 42)),
            Rcode.FORMERR),
        Arguments.of("class CH", concat(header(ID, RD, 1, 0, 0, 0), question("version.bind", Type.TXT, 3)),
            Rcode.REFUSED),
        Arguments.of("opcode STATUS", concat(header(ID, 2 << 11, 1, 0, 0, 0), good), Rcode.NOTIMP),
        Arguments.of("opcode UPDATE", concat(header(ID, 5 << 11, 1, 0, 0, 0), good), Rcode.NOTIMP),
        Arguments.of("zone transfer", concat(header(ID, 0, 1, 0, 0, 0), question("corp.com", Type.AXFR, 1)),
            Rcode.REFUSED),
        Arguments.of("OPT as the question", concat(header(ID, 0, 1, 0, 0, 0), question("corp.com", Type.OPT, 1)),
            Rcode.FORMERR),
        Arguments.of("two OPT records", concat(header(ID, RD, 1, 0, 0, 2), good, opt(1232, 0), opt(1232, 0)),
            Rcode.FORMERR),
        Arguments.of("EDNS version 1", concat(header(ID, RD, 1, 0, 0, 1), good, opt(1232, 1)), Rcode.BADVERS),
        Arguments.of("an HTTP request", "GET / HTTP/1.1\r\nHost: corp.com\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
            Rcode.FORMERR));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void answeredWithAnErrorOrDroppedThenAGoodQueryStillWorks(String what, byte[] bytes, int expected) throws Exception {
    DnsServerCounters c = net.auth.counters();
    peer.send(bytes);
    lab.settle();
    if (expected == DROPPED) {
      assertEquals(List.of(), peer.replies);
      assertEquals(1, c.dropped);
      assertFalse(net.ns.events(DnsEvent.Dropped.class).isEmpty());
    } else {
      assertEquals(1, peer.replies.size(), what);
      Message reply = new Message(peer.replies.get(0));
      int id = ((bytes[0] & 0xFF) << 8) | (bytes[1] & 0xFF);
      assertEquals(id, reply.getHeader().getID(), "the ID is echoed");
      assertEquals(expected, reply.getRcode(), () -> what + ": " + reply);
      assertTrue(reply.getHeader().getFlag(org.xbill.DNS.Flags.QR));
      assertTrue(reply.getSection(Section.ANSWER).isEmpty());
      assertEquals(1, c.responses(expected));
    }
    peer.replies.clear();
    peer.send(concat(header(0x1234, RD, 1, 0, 0, 0), question("payroll.corp.com", Type.A, 1)));
    lab.settle();
    assertEquals(1, peer.replies.size());
    Message ok = new Message(peer.replies.get(0));
    assertEquals(Rcode.NOERROR, ok.getRcode());
    assertEquals("192.168.5.100", ok.getSection(Section.ANSWER).get(0).rdataToString());
  }

  @Test
  void formerrNamesTheProblemInTheNarrative() {
    peer.send(concat(header(ID, RD, 1, 0, 0, 0), new byte[] {(byte) 0xC0, 12, 0, 1, 0, 1}));
    lab.settle();
    DnsEvent.Rejected e = net.ns.events(DnsEvent.Rejected.class).get(0);
    assertEquals(DnsEvent.RejectWhy.MALFORMED, e.why());
    assertEquals("FORMERR", e.rcode());
    assertEquals(18, e.bytes());
    assertEquals("bad compression", e.error());
    assertEquals("192.168.1.100", e.client());
    assertEquals(ID, e.id());
  }

  @Test
  void thousandsOfRandomDatagramsAreAllAnsweredOrCounted() throws Exception {
    net.ask("payroll.corp.com", Type.A, DnsLab.NS); // ARP warm: nothing waits in a neighbour queue
    long before = net.auth.counters().udpQueries;
    SplittableRandom r = new SplittableRandom(99);
    int n = 1000;
    for (int i = 0; i < n; i++) {
      byte[] b = new byte[r.nextInt(0, 90)];
      r.nextBytes(b);
      if (b.length >= 12 && r.nextBoolean()) { // a plausible header, so parsing gets further
        b[2] &= 0x01;
        b[3] = 0;
        b[4] = 0;
        b[5] = 1;
      }
      peer.send(b);
      if (i % 100 == 99) {
        lab.settle();
      }
    }
    lab.settle();
    DnsServerCounters c = net.auth.counters();
    long answered = -1; // the warm-up query
    for (int rcode = 0; rcode < 24; rcode++) {
      answered += c.responses(rcode);
    }
    assertEquals(n, c.udpQueries - before);
    assertEquals(n, answered + c.dropped, c.toString());
    assertEquals(answered, peer.replies.size());
    assertTrue(c.formerr() > 0 && c.dropped > 0, c.toString());
    peer.replies.clear();
    DnsLookup l = net.ask("payroll.corp.com", Type.A, DnsLab.NS);
    assertEquals(List.of(emu.node.wire.Ipv4Address.parse("192.168.5.100")), l.addresses());
  }

  @Test
  void overTcpGarbageGetsFormerrAndTheConnectionServesTheNextQuery() throws Exception {
    byte[] loop = concat(header(ID, RD, 1, 0, 0, 0), new byte[] {(byte) 0xC0, 12, 0, 1, 0, 1});
    byte[] runt = {1, 2, 3};
    byte[] good = concat(header(0x1234, RD, 1, 0, 0, 0), question("payroll.corp.com", Type.A, 1));
    byte[] stream = concat(RawDnsPeer.framed(loop), RawDnsPeer.framed(runt), RawDnsPeer.framed(good),
        RawDnsPeer.framed(good));
    RawDnsPeer.Tcp tcp = new RawDnsPeer.Tcp(net.client.tcp(), DnsLab.NS, stream);
    lab.runUntil(() -> tcp.messages.size() == 3, VirtualLab.seconds(5));
    assertEquals(3, tcp.messages.size(), "FORMERR, (the runt dropped), two answers");
    assertEquals(Rcode.FORMERR, new Message(tcp.messages.get(0)).getRcode());
    assertEquals(ID, new Message(tcp.messages.get(0)).getHeader().getID());
    assertEquals(Rcode.NOERROR, new Message(tcp.messages.get(1)).getRcode());
    assertEquals(Rcode.NOERROR, new Message(tcp.messages.get(2)).getRcode());
    assertEquals(4, net.auth.counters().tcpQueries);
    assertEquals(1, net.auth.counters().dropped);
    // The client says nothing more: the server closes the connection after its idle timeout.
    long start = lab.now();
    lab.runUntil(() -> tcp.peerFin, VirtualLab.seconds(30));
    assertTrue(tcp.peerFin);
    long waited = lab.now() - start; // counted from the server's last query, a little before start
    assertTrue(waited <= DnsServer.TCP_IDLE_TIMEOUT_NANOS && waited > DnsServer.TCP_IDLE_TIMEOUT_NANOS - VirtualLab.millis(100),
        "closed after " + waited + " ns");
    assertEquals(1, net.auth.counters().tcpIdleClosed);
  }

  @Test
  void aClientThatClosesGetsItsAnswersFirst() throws Exception {
    byte[] good = concat(header(0x4321, RD, 1, 0, 0, 0), question("mail.corp.com", Type.A, 1));
    RawDnsPeer.Tcp tcp = new RawDnsPeer.Tcp(net.client.tcp(), DnsLab.NS, RawDnsPeer.framed(good));
    lab.runUntil(() -> tcp.established, VirtualLab.seconds(5));
    tcp.conn.shutdownOutput(); // half-close right after the query, as a one-shot client may
    lab.runUntil(() -> tcp.closed, VirtualLab.seconds(5));
    assertEquals(1, tcp.messages.size());
    assertEquals("192.168.5.25", new Message(tcp.messages.get(0)).getSection(Section.ANSWER).get(0).rdataToString());
    assertEquals(0, net.auth.counters().tcpIdleClosed);
  }
}
