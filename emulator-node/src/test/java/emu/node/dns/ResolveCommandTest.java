package emu.node.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.testing.CommandRun;
import emu.node.testing.FrameMatcher;
import emu.node.testing.VirtualLab;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code resolve}: dig's shape, and where each answer came from. */
class ResolveCommandTest {
  private static final String HEADER = ";; ->>HEADER<<- opcode: QUERY, status: %s, id: \\d+";

  private VirtualLab lab;
  private DnsLab net;

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(21);
    net = DnsLab.start(lab);
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  @Test
  void anAnswerFromTheServerInDigsShape() {
    CommandRun r = lab.exec(net.client, "resolve payroll.corp.com").assertExit(0);
    List<String> l = r.lines();
    assertEquals("; <<>> resolve <<>> payroll.corp.com A", l.get(0));
    assertEquals(";; Got answer:", l.get(1));
    assertTrue(l.get(2).matches(String.format(HEADER, "NOERROR")), l.get(2));
    assertEquals(List.of(";; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 0", "",
        ";; QUESTION SECTION:", ";payroll.corp.com.\t\tIN\tA", "",
        ";; ANSWER SECTION:", "payroll.corp.com.\t300\tIN\tA\t192.168.5.100", ""), l.subList(3, 11));
    assertTrue(l.get(11).matches(";; Query time: \\d+ msec"), l.get(11));
    assertEquals(";; SERVER: 192.168.1.53#53(udp)", l.get(12));
    assertEquals(";; MSG SIZE  rcvd: 50", l.get(13));
    assertEquals(14, l.size(), r.output());
  }

  @Test
  void theSecondTimeItComesFromTheCache() {
    lab.exec(net.client, "resolve payroll.corp.com").assertExit(0);
    lab.advance(VirtualLab.seconds(42));
    net.client.clearRecords();
    CommandRun r = lab.exec(net.client, "resolve payroll.corp.com").assertExit(0);
    assertTrue(r.lines().contains("payroll.corp.com.\t258\tIN\tA\t192.168.5.100"), r.output());
    assertEquals(List.of(";; Query time: 0 msec", ";; SERVER: 192.168.1.53#53(cache)",
        ";; From this node's cache, stored 42 s ago (TTLs counted down); no DNS query sent"),
        r.lines().subList(r.lines().size() - 3, r.lines().size()));
    FrameMatcher.ipv4().udpDstPort(53).assertNone(net.client.sent("eth0"));
  }

  @Test
  void aHostsTableNameSaysSo() {
    CommandRun r = lab.exec(net.client, "resolve payroll").assertExit(0);
    assertTrue(r.lines().contains("payroll.\t\t0\tIN\tA\t192.168.5.100"), r.output());
    assertEquals(List.of(";; SERVER: hosts table", ";; From this node's hosts table; no DNS query sent"),
        r.lines().subList(r.lines().size() - 2, r.lines().size()));
  }

  @Test
  void atServerAsksItDirectlyWithTypeAndAdditionalSection() {
    CommandRun r = lab.exec(net.client, "resolve -t MX corp.com @192.168.5.53").assertExit(0);
    assertTrue(r.lines().contains(";; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1"), r.output());
    assertTrue(r.lines().contains("corp.com.\t\t300\tIN\tMX\t10 mail.corp.com."), r.output());
    int add = r.lines().indexOf(";; ADDITIONAL SECTION:");
    assertEquals("mail.corp.com.\t\t300\tIN\tA\t192.168.5.25", r.lines().get(add + 1));
    assertTrue(r.lines().contains(";; SERVER: 192.168.5.53#53(udp)"), r.output());
    // dig's word order works too, and a server by hosts-table name.
    CommandRun dig = lab.exec(net.client, "resolve corp.com mx @ns").assertExit(0);
    assertTrue(dig.lines().contains("corp.com.\t\t300\tIN\tMX\t10 mail.corp.com."), dig.output());
  }

  @Test
  void nxdomainShowsTheSoaAndStillExitsZero() {
    CommandRun r = lab.exec(net.client, "resolve nope.corp.com").assertExit(0);
    assertTrue(r.lines().get(2).matches(String.format(HEADER, "NXDOMAIN")), r.output());
    int auth = r.lines().indexOf(";; AUTHORITY SECTION:");
    assertEquals("corp.com.\t\t60\tIN\tSOA\tns1.corp.com. hostmaster.corp.com. 2026010101 3600 600 86400 60",
        r.lines().get(auth + 1));
  }

  @Test
  void aTruncatedAnswerIsRetriedOverTcpAsDigSays() {
    CommandRun r = lab.exec(net.client, "resolve big.corp.com TXT").assertExit(0);
    assertEquals(";; Truncated, retrying in TCP mode.", r.lines().get(1));
    assertEquals(12, r.linesMatching("^big\\.corp\\.com\\.\\s+300\\s+IN\\s+TXT\\s+\"\\d\\d-x+\"$").size(), r.output());
    assertTrue(r.lines().contains(";; SERVER: 192.168.1.53#53(tcp)"), r.output());
    CommandRun tcp = lab.exec(net.client, "resolve big.corp.com -t TXT +tcp @192.168.5.53").assertExit(0);
    assertTrue(tcp.lines().contains(";; SERVER: 192.168.5.53#53(tcp)"), tcp.output());
    assertTrue(!tcp.lines().contains(";; Truncated, retrying in TCP mode."), tcp.output());
  }

  @Test
  void bufsizeAdvertisesEdnsAndTheAnswerFitsInUdp() {
    CommandRun r = lab.exec(net.client, "resolve +bufsize=4096 big.corp.com -t TXT @192.168.5.53").assertExit(0);
    int opt = r.lines().indexOf(";; OPT PSEUDOSECTION:");
    assertEquals("; EDNS: version: 0, flags:; udp: 1232", r.lines().get(opt + 1));
    assertTrue(r.lines().contains(";; SERVER: 192.168.5.53#53(udp)"), r.output());
    assertTrue(r.linesMatching("Truncated").isEmpty());
  }

  @Test
  void reverseLookup() {
    CommandRun r = lab.exec(net.client, "resolve -x 192.168.5.100 @192.168.5.53").assertExit(0);
    assertEquals("; <<>> resolve <<>> 100.5.168.192.in-addr.arpa PTR", r.lines().get(0));
    assertTrue(r.lines().contains("100.5.168.192.in-addr.arpa.\t300\tIN\tPTR\tpayroll.corp.com."), r.output());
  }

  @Test
  void noServerAnsweringExitsNine() {
    net.forwarder.stop();
    net.dns1.stack().udp().bind(53, (src, sport, dst, dport, payload) -> { });
    CommandRun r = lab.exec(net.client, "resolve www.corp.com").assertExit(9);
    assertEquals(List.of("; <<>> resolve <<>> www.corp.com A",
        ";; communications error to 192.168.1.53#53: timed out",
        ";; communications error to 192.168.1.53#53: timed out",
        ";; no servers could be reached"), r.lines());
  }

  @Test
  void usageErrors() {
    lab.exec(net.client, "resolve").assertExit(2);
    lab.exec(net.client, "resolve -t BOGUS corp.com").assertExit(2);
    lab.exec(net.client, "resolve a..b").assertExit(2);
    lab.exec(net.client, "resolve corp.com @nowhere").assertExit(2);
    lab.exec(net.client, "resolve corp.com +bufsize=12").assertExit(2);
    lab.exec(net.client, "resolve --help").assertExit(0);
  }

  @Test
  void withoutADnsServerOnlyHostsNamesResolve() {
    CommandRun r = lab.exec(net.client2, "resolve payroll.corp.com").assertExit(9);
    assertEquals(";; no DNS server is configured on this node, and payroll.corp.com is not in its hosts table",
        r.lines().get(1));
    lab.exec(net.client2, "resolve payroll").assertExit(0);
  }

  @Test
  void otherCommandsResolveThroughDnsToo() {
    CommandRun route = lab.exec(net.client, "ip route get payroll.corp.com").assertExit(0);
    assertEquals(List.of("192.168.5.100 via 192.168.1.1 dev eth0 src 192.168.1.100"), route.lines());
    CommandRun tr = lab.exec(net.client, "traceroute -n -q 1 payroll.corp.com").assertExit(0);
    assertEquals("traceroute to payroll.corp.com (192.168.5.100), 30 hops max, 60 byte packets", tr.lines().get(0));
    CommandRun bad = lab.exec(net.client, "traceroute nope.corp.com").assertExit(2);
    assertEquals(List.of("nope.corp.com: Name or service not known",
        "Cannot handle \"host\" cmdline arg `nope.corp.com' on position 1 (argc 1)"), bad.lines());
    lab.exec(net.client, "ip route get nope.corp.com").assertExit(1);
  }

  @Test
  void hangingUpWhileResolvingEndsTheCommand() {
    net.forwarder.stop();
    net.dns1.stack().udp().bind(53, (src, sport, dst, dport, payload) -> { });
    CommandRun ping = lab.launch(net.client, "ping payroll.corp.com");
    lab.advance(VirtualLab.millis(500));
    ping.cancel();
    assertTrue(ping.exited());
    lab.settle();
    FrameMatcher.ipv4().protocol(1).assertNone(net.client.sent("eth0"));
  }
}
