package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.lab.Tools.Cli;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IPv6 as a user drives it, every node its own process on real UDP sockets: the client takes
 * its address from the router's advertisement, pings across the router and on its own link; the
 * narrative tells duplicate address detection, router discovery, neighbour solicitation and the
 * hop limit; tshark decodes every capture cleanly; status and stats show the IPv6 side.
 */
class Ipv6AcrossProcessesTest {
  @TempDir
  static Path state;

  static final Path LAB = Path.of("src/test/resources/labs/ipv6.yml");
  static final String CLIENT_SLAAC = "2001:db8:1::ff:fe00:100";

  /** The leak detector level before: this class's nodes run at paranoid, and their logs are read for LEAK. */
  static String leakLevel;

  @BeforeAll
  static void isolateState() {
    System.setProperty("emu.stateDir", state.toString());
    leakLevel = Tools.nodesAtParanoidLeakLevel();
  }

  @AfterAll
  static void noNodeLeft() {
    Tools.leakLevel(leakLevel);
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
  }

  @Test
  void runNarratesIpv6AndCapturesPassTshark(@TempDir Path out) throws Exception {
    Cli r = emu("run", LAB.toString(), "--out", out.toString(), "--seed", "3");
    assertEquals(0, r.exit(), () -> "run failed:\n" + r.out() + "\n" + r.err());
    String o = r.out();
    assertTrue(o.contains("lab start: IPv4 addresses announced (gratuitous ARP), IPv6 ones checked (DAD), routers"
        + " found"), o);
    assertFalse(o.contains("IPv6 is not up"), o);
    // the start: DAD for the link-local address, router discovery, SLAAC
    assertTrue(o.contains("client   duplicate address detection on eth0: neighbour solicitation for"
        + " fe80::ff:fe00:100 from the unspecified address ::"), o);
    // router discovery: the client solicits, unless a router's advertisement (to another host's
    // solicitation, all nodes hear it) reaches it first: then it has its router and stops soliciting
    assertTrue(o.contains("client   router solicitation on eth0")
        || o.contains("client   hears a router advertisement on eth0"), o);
    // the seed's steps in IPv6: a destination off the prefix goes to the router, found by NDP
    assertTrue(o.contains("PING 2001:db8:5::100(2001:db8:5::100) 56 data bytes"), o);
    assertTrue(o.contains("64 bytes from 2001:db8:5::100: icmp_seq=2 ttl=63"), o);
    assertTrue(o.contains("routing decision for 2001:db8:5::100"), o);
    assertTrue(o.contains("hop limit 64 -> 63 (IPv6 has no header checksum to update)"), o);
    assertTrue(o.contains("IPv6 (EtherType 0x86dd)"), o);
    assertTrue(o.contains("neighbour solicitation on eth0: who has 2001:db8:1::50 tell " + CLIENT_SLAAC), o);
    assertFalse(o.contains("who has 2001:db8:5::100 tell " + CLIENT_SLAAC), "the client solicits the router, never"
        + " the server:\n" + o);
    assertTrue(o.contains("inet6 " + CLIENT_SLAAC + "/64 scope global dynamic mngtmpaddr"), o);
    assertTrue(o.contains("default via fe80::ff:fe00:400 dev eth0 proto ra metric 1024"), o);
    // multicast for groups a node has not joined is filtered as a NIC would, not reported as a drop
    assertFalse(o.contains("IPv6 packet not for this node"), o);
    assertTrue(o.contains(" 1  2001:db8:1::1 (2001:db8:1::1)  "), "traceroute's first hop is r1:\n" + o);
    assertTrue(o.contains(" 2  2001:db8:5::100 (2001:db8:5::100)  "), o);
    // TCP, TLS and HTTP over IPv6: the certificate names the address, the Host header brackets it
    assertTrue(o.contains("*   Trying [2001:db8:5::100]:443..."), o);
    assertTrue(o.contains("without SNI (the URL names an address)"), o);
    assertTrue(o.contains("subjectAltName: payroll.corp.com, 2001:db8:5::100"), o);
    assertTrue(o.contains("> Host: [2001:db8:5::100]"), o);
    assertTrue(o.contains("< HTTP/1.1 200 OK"), o);
    assertTrue(o.contains("[  5] local " + CLIENT_SLAAC + " port "), o);
    assertTrue(o.contains("verified: the server received exactly the bytes sent"), o);
    assertTrue(o.contains("LISTEN     0      128    *:443"), "servers listen on :: for both families:\n" + o);
    assertTrue(o.contains("[2001:db8:5::100]:5201 [" + CLIENT_SLAAC + "]:"), o);
    assertTrue(o.contains("TCP [2001:db8:1::ff:fe00:100]:"), "TCP state changes name IPv6 sockets:\n" + o);
    assertTrue(o.contains("9/9 steps succeeded"), o);

    List<Path> pcaps = Tools.assertCapturesClean(out);
    assertEquals(8, pcaps.size(), pcaps.toString());
    Path tshark = Tools.require("tshark");
    // on the server's link: the forwarded echo with hop limit 63 from r1's MAC, and the router's
    // advertisement carrying the prefix, decoded by Wireshark's own dissectors
    var echo = Tools.run(List.of(tshark.toString(), "-r", out.resolve("r1-eth1.pcap").toString(),
        "-Y", "icmpv6.type==128", "-T", "fields", "-e", "eth.type", "-e", "ipv6.hlim", "-e", "eth.src"), 60);
    assertTrue(echo.output().contains("0x86dd\t63\t02:00:00:00:04:01"), echo.output());
    var ra = Tools.run(List.of(tshark.toString(), "-r", out.resolve("client-eth0.pcap").toString(),
        "-Y", "icmpv6.type==134", "-T", "fields", "-e", "ipv6.src", "-e", "icmpv6.opt.prefix", "-e",
        "icmpv6.nd.ra.router_lifetime"), 60);
    assertTrue(ra.output().contains("fe80::ff:fe00:400\t2001:db8:1::"), ra.output());

    JsonNode forward = null;
    for (String line : Files.readAllLines(out.resolve("events.jsonl"))) {
      JsonNode e = new ObjectMapper().readTree(line);
      assertEquals(e.path("type").asText(), emu.node.event.EventCodec.read(line).type(), line);
      if (forward == null && e.path("type").asText().equals("ip6.forward")) {
        forward = e;
      }
    }
    assertTrue(forward != null, "merged events hold r1's IPv6 forwarding step");
    assertEquals(64, forward.path("hop_limit_before").asInt(), forward.toString());
    assertEquals(63, forward.path("hop_limit_after").asInt(), forward.toString());
    for (String node : List.of("client", "printer", "r1", "payroll")) {
      assertFalse(Files.readString(out.resolve(node + ".log")).contains("LEAK"), node + " leaked buffers");
    }
  }

  @Test
  void statusAndStatsShowIpv6(@TempDir Path out) throws Exception {
    Cli up = emu("up", LAB.toString(), "--out", out.toString());
    try {
      assertEquals(0, up.exit(), () -> up.out() + up.err());
      // the client's address comes from the router: give it the seconds DAD and SLAAC take
      Cli addr = null;
      for (int i = 0; i < 60; i++) {
        addr = emu("exec", "client", "--", "ip", "-6", "addr");
        if (addr.out().contains(CLIENT_SLAAC) && !addr.out().contains("tentative")) {
          break;
        }
        Thread.sleep(100);
      }
      assertTrue(addr.out().contains(CLIENT_SLAAC + "/64 scope global dynamic"), addr.out());
      Cli ping = emu("exec", "printer", "--", "ping", "-c", "1", CLIENT_SLAAC);
      assertEquals(0, ping.exit(), ping.out() + ping.err());

      Cli status = emu("status");
      assertEquals(0, status.exit(), status.err());
      assertTrue(status.out().contains("192.168.1.50/24"), status.out());
      assertTrue(status.out().contains("2001:db8:1::50/64"), status.out());
      assertTrue(status.out().contains("fe80::ff:fe00:200/64"), status.out());
      JsonNode st = new ObjectMapper().readTree(emu("status", "--json").out());
      JsonNode client = st.path("nodes").get(0);
      assertEquals("client", client.path("name").asText());
      assertTrue(client.path("interfaces").get(0).path("addresses6").toString().contains("\"origin\":\"slaac\""),
          client.toString());
      // the node's IPv6 counters, as its own /status has them
      assertTrue(client.path("ipv6").path("neighbor_solicitations_sent").asLong() > 0, client.toString());
      assertEquals("client", client.path("name").asText(), "the lab's record names the node, not a second field");
      assertTrue(client.path("node").isMissingNode(), client.toString());

      Cli stats = emu("stats", "--node", "r1", "--json");
      assertEquals(0, stats.exit(), stats.err());
      assertTrue(stats.out().contains("emu_ndp_sent_total"), stats.out());
      assertTrue(stats.out().contains("emu_ipv6_forwarded_packets_total"), stats.out());
      // a ping in fragments: the printer fragments, the client reassembles and answers in fragments
      Cli big = emu("exec", "printer", "--", "ping", "-6", "-c", "1", "-s", "3000", CLIENT_SLAAC);
      assertEquals(0, big.exit(), big.out() + big.err());
      assertTrue(big.out().contains("3008 bytes from " + CLIENT_SLAAC), big.out());
      JsonNode client6 = new ObjectMapper().readTree(emu("stats", "--node", "client", "--json").out());
      String c6 = client6.toString();
      assertTrue(c6.contains("emu_ipv6_reassembled_packets_total") && c6.contains("emu_ipv6_fragments_sent_total")
          && c6.contains("emu_ipv6_reassembly_memory_bytes") && c6.contains("emu_ipv6_pmtu_lowered_total"), c6);
    } finally {
      assertEquals(0, emu("down").exit());
    }
  }

  /**
   * Names for both families and Happy Eyeballs across processes: the client asks AAAA and A,
   * connects over IPv6 when it answers, and when the AAAA names an address nobody holds, IPv4
   * joins 250 ms later and wins.
   */
  @Test
  void aDualStackClientConnectsTheWayBrowsersDo(@TempDir Path out) {
    Cli r = emu("run", "src/test/resources/labs/dualstack.yml", "--out", out.toString(), "--seed", "5",
        "--no-capture");
    assertEquals(0, r.exit(), () -> "run failed:\n" + r.out() + "\n" + r.err());
    String o = r.out();
    assertTrue(o.contains("* Host payroll.corp.com resolved to 2001:db8:5::100, 192.168.5.100"), o);
    assertTrue(o.contains("* Connected to payroll.corp.com (2001:db8:5::100) port 443"), o);
    assertTrue(o.contains("resolves payroll.corp.com to 2001:db8:5::100, 192.168.5.100; will try IPv6 first"), o);
    assertTrue(o.contains("* Host stale.corp.com resolved to 2001:db8:5::99, 192.168.5.100"), o);
    assertTrue(o.contains("*   Trying [2001:db8:5::99]:443...\n   │ *   Trying 192.168.5.100:443..."), o);
    assertTrue(o.contains("* Connected to stale.corp.com (192.168.5.100) port 443"), o);
    assertTrue(o.contains("no answer yet after the connection attempt delay: also tries 192.168.5.100:443 (Happy"
        + " Eyeballs, RFC 8305"), o);
    assertTrue(o.contains("connected to stale.corp.com at 192.168.5.100:443; gives up the 1 other attempt"), o);
    assertTrue(o.contains("PING payroll.corp.com(2001:db8:5::100) 56 data bytes"), o);
    assertTrue(o.contains("PING payroll.corp.com (192.168.5.100) 56(84) bytes of data."), o);
    assertTrue(o.contains("4/4 steps succeeded"), o);
  }

  /**
   * DNS over IPv6 transport across processes (lab {@code labs/dns6.yml}): the client's only
   * nameserver is an IPv6-only emu node; AAAA and A go over UDP/IPv6, a truncated answer comes
   * again over TCP/IPv6, resolve asks the server directly with -6 and +tcp, https-get finds
   * payroll by name; the narrative says each query went over IPv6; tshark decodes every capture
   * cleanly, the DNS over IPv6 included.
   */
  @Test
  void dnsOverIpv6AcrossProcesses(@TempDir Path out) throws Exception {
    Cli r = emu("run", "src/test/resources/labs/dns6.yml", "--out", out.toString(), "--seed", "7");
    assertEquals(0, r.exit(), () -> "run failed:\n" + r.out() + "\n" + r.err());
    String o = r.out();
    assertTrue(o.contains("5/5 steps succeeded"), o);
    assertTrue(o.contains("payroll.corp.com.\t300\tIN\tAAAA\t2001:db8:5::100"), o);
    assertTrue(o.contains(";; SERVER: 2001:db8:5::53#53(udp)"), o);
    assertTrue(o.contains(";; Truncated, retrying in TCP mode."), o);
    assertTrue(o.contains(";; SERVER: 2001:db8:5::53#53(tcp)"), o);
    assertTrue(o.contains("payroll.corp.com.\t300\tIN\tA\t192.168.5.100"), "resolve -6 +tcp asks A over IPv6:\n" + o);
    assertTrue(o.contains("* Connected to payroll.corp.com (2001:db8:5::100) port 443"), o);
    assertTrue(o.contains("starts a DNS server (authoritative for corp.com) on UDP and TCP port 53, over IPv4 and"
        + " IPv6"), o);
    assertTrue(o.matches("(?s).*sends DNS query id 0x\\p{XDigit}{4} AAAA\\? payroll\\.corp\\.com to 2001:db8:5::53 over"
        + " UDP/IPv6 from port \\d+.*"), o);
    assertTrue(o.matches("(?s).*asks TXT\\? big\\.corp\\.com again over TCP/IPv6 to 2001:db8:5::53 port 53.*"), o);
    assertTrue(o.matches("(?s).*sends DNS query id 0x\\p{XDigit}{4} TXT\\? big\\.corp\\.com to 2001:db8:5::53 over"
        + " TCP/IPv6 from port \\d+.*"), o);
    assertTrue(o.contains("LISTEN     0      128    *:53"), "the server listens on :: for both families:\n" + o);

    assertEquals(8, Tools.assertCapturesClean(out).size(), "one capture per emu interface");
    Path tshark = Tools.require("tshark");
    // Wireshark's DNS dissector on the server's port: queries and answers over UDP and TCP, IPv6 only
    var dns = Tools.run(List.of(tshark.toString(), "-r", out.resolve("sw5-p2.pcap").toString(), "-Y", "dns",
        "-T", "fields", "-e", "eth.type", "-e", "ip.proto", "-e", "ipv6.nxt", "-e", "dns.flags.response",
        "-e", "dns.flags.truncated", "-e", "dns.qry.name", "-e", "dns.qry.type"), 60);
    List<String> rows = dns.output().lines().toList();
    assertTrue(rows.stream().allMatch(l -> l.startsWith("0x86dd\t\t")), "DNS over IPv6 only:\n" + dns.output());
    assertTrue(rows.contains("0x86dd\t\t17\t0\t0\tpayroll.corp.com\t28"), dns.output());
    assertTrue(rows.contains("0x86dd\t\t17\t1\t1\tbig.corp.com\t16"), "the truncated answer:\n" + dns.output());
    assertTrue(rows.contains("0x86dd\t\t6\t1\t0\tbig.corp.com\t16"), "the whole answer over TCP:\n" + dns.output());
    for (String node : List.of("client", "r1", "ns", "payroll")) {
      assertFalse(Files.readString(out.resolve(node + ".log")).contains("LEAK"), node + " leaked buffers");
    }
  }
}
