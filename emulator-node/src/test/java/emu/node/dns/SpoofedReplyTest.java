package emu.node.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.wire.MacAddress;
import emu.node.testing.CapturedFrame;
import emu.node.testing.FrameMatcher;
import emu.node.testing.PacketBuilder;
import emu.node.testing.VirtualLab;
import emu.node.event.DnsEvent;
import emu.node.wire.Ipv4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * RFC 5452 at the stub: an attacker on the client's LAN (the tap) races the real answer with
 * forged ones. Each gets one thing wrong; each is ignored and counted, and the real answer,
 * which arrives 50 ms later, is the one used.
 */
class SpoofedReplyTest {
  private static final String EVIL = "6.6.6.6";

  private VirtualLab lab;
  private DnsLab net;

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(5452);
    net = DnsLab.start(lab);
    lab.impair(net.dns1, "eth0", Map.of("delay", "50ms")); // the real answer is slow: the forger is first
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  private static byte[] forged(int id, String qname) throws Exception {
    Message m = new Message(id);
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setFlag(Flags.RD);
    m.getHeader().setFlag(Flags.RA);
    Name n = Name.fromString(qname, Name.root);
    m.addRecord(Record.newRecord(n, Type.A, DClass.IN), Section.QUESTION);
    m.addRecord(new ARecord(n, DClass.IN, 86400, InetAddress.getByName(EVIL)), Section.ANSWER);
    return m.toWire();
  }

  private void inject(String src, int srcPort, int dstPort, byte[] dns) {
    net.spare.inject(PacketBuilder.ipv4(src, "192.168.1.100").eth(MacAddress.parse(DnsLab.CLIENT_MAC).bits(),
        PacketBuilder.STRANGER_MAC).udp(srcPort, dstPort, dns).frame());
  }

  @Test
  void forgedRepliesAreIgnoredAndCountedAndTheRealAnswerWins() throws Exception {
    List<Integer> got = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    net.resolver.resolve("payroll.corp.com", got::add, errors::add);
    FrameMatcher query = FrameMatcher.ipv4().dst(DnsLab.FORWARDER).udpDstPort(53);
    lab.runUntil(() -> !query.select(net.client.sent("eth0")).isEmpty(), VirtualLab.seconds(1));
    CapturedFrame q = query.single(net.client.sent("eth0"));
    byte[] b = q.bytes();
    int dnsAt = 14 + q.ip().headerLength() + 8;
    int id = ((b[dnsAt] & 0xFF) << 8) | (b[dnsAt + 1] & 0xFF);
    int port = q.udp().srcPort();

    inject(DnsLab.FORWARDER, 53, port, forged((id + 1) & 0xFFFF, "payroll.corp.com")); // wrong ID
    inject(DnsLab.FORWARDER, 5353, port, forged(id, "payroll.corp.com"));            // wrong source port
    inject("192.168.1.66", 53, port, forged(id, "payroll.corp.com"));               // wrong source address
    inject(DnsLab.FORWARDER, 53, port, forged(id, "evil.corp.com"));                 // wrong question
    lab.runUntil(() -> !got.isEmpty() || !errors.isEmpty(), VirtualLab.seconds(10));

    assertEquals(List.of(), errors);
    assertEquals(List.of(Ipv4Address.parse("192.168.5.100")), got, "the real answer, not " + EVIL);
    assertEquals(4, net.resolver.counters().spoofed);
    assertEquals(1, net.resolver.counters().answers);
    List<DnsEvent.Spoofed> spoofed = net.client.events(DnsEvent.Spoofed.class);
    assertEquals(List.of(DnsEvent.Rfc5452Check.ID, DnsEvent.Rfc5452Check.SOURCE_PORT,
        DnsEvent.Rfc5452Check.SOURCE_ADDRESS, DnsEvent.Rfc5452Check.QUESTION),
        spoofed.stream().map(DnsEvent.Spoofed::failed).toList(), spoofed.toString());
    assertEquals((id + 1) & 0xFFFF, spoofed.get(0).replyId());
    assertEquals(5353, spoofed.get(1).fromPort());
    assertEquals("192.168.1.66", spoofed.get(2).from());
    DnsEvent.Spoofed wrongQuestion = spoofed.get(3);
    assertEquals(List.of("evil.corp.com", "A", "IN"), List.of(wrongQuestion.replyQname(), wrongQuestion.replyQtype(),
        wrongQuestion.replyQclass()));
    for (DnsEvent.Spoofed e : spoofed) {
      assertEquals(id, e.id());
      assertEquals(DnsLab.FORWARDER, e.server());
      assertEquals("payroll.corp.com", e.qname());
      assertEquals(DnsEvent.Transport.UDP, e.transport());
    }
    // Nothing forged reached the cache either.
    DnsLookup again = net.lookup("payroll.corp.com", Type.A);
    assertEquals(DnsLookup.Source.CACHE, again.source());
    assertEquals(List.of(Ipv4Address.parse("192.168.5.100")), again.addresses());
  }

  @Test
  void aForgedReplyToAPortWithNoQueryGetsPortUnreachable() throws Exception {
    net.spare.clear();
    inject(DnsLab.FORWARDER, 53, 40000, forged(1, "payroll.corp.com"));
    lab.settle();
    assertEquals(0, net.resolver.counters().spoofed, "no query waits on that port");
    assertTrue(net.client.sent("eth0").stream().anyMatch(f -> f.isIcmp() && f.icmp().isError()));
  }
}
