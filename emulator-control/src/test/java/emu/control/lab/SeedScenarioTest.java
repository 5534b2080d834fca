package emu.control.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.cli.EmuCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job: {@code ./emu run} with no argument tells the seed's whole connection process
 * with the real values of the run, phase after phase, and the captures agree with the story: the
 * classic IPv4 story with {@code --family 4}, what a dual-stack laptop does by default (IPv6
 * first), and an IPv6-only network with {@code --family 6}. And the configs beside it run as their
 * comments promise: the Internet case behind a home NAT, the OSPF campus healing round a cut link.
 */
class SeedScenarioTest {
  @TempDir
  static Path state;

  @BeforeAll
  static void isolateState() {
    System.setProperty("emu.stateDir", state.toString());
    System.setProperty("emu.home", Path.of("..").toAbsolutePath().normalize().toString());
  }

  @AfterAll
  static void noProcessLeft() {
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
    System.clearProperty("emu.home");
  }

  static String emu(int expectExit, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = EmuCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    assertEquals(expectExit, code, () -> out + "\n" + err);
    return out.toString();
  }

  /** Finds each phase after the previous one in the narrative, failing with the phase's name. */
  static final class Story {
    final String text;
    int at;

    Story(String text) {
      this.text = text;
    }

    Matcher next(String phase, String regex) {
      Matcher m = Pattern.compile(regex).matcher(text);
      assertTrue(m.find(at), "phase '" + phase + "' (" + regex + ") not found after position " + at + " in:\n" + text);
      at = m.end();
      return m;
    }

    /** A phase that must be in the text, wherever it is (the position stays). */
    void anywhere(String phase, String regex) {
      assertTrue(Pattern.compile(regex).matcher(text).find(), "phase '" + phase + "' (" + regex + ") not in:\n" + text);
    }
  }

  @Test
  void theSeedConnectionProcessIsNarratedInOrderAndMatchesTheCaptures(@TempDir Path out) throws Exception {
    String console = emu(0, "run", "--family", "4", "--out", out.toString(), "--seed", "3");
    assertTrue(console.contains("1/1 steps succeeded"), console);
    String narrative = Files.readString(out.resolve("narrative.txt"));
    // Phase 0, in the lab's start: the client takes its address by DHCP, through r1's relay.
    Story start = new Story(narrative.substring(0, narrative.indexOf("step 1/1")));
    start.next("DISCOVER", "client +broadcasts DHCP DISCOVER .*from 0\\.0\\.0\\.0:68 to 255\\.255\\.255\\.255:67");
    start.next("relayed", "r1 +relays 02:00:00:00:01:00 \\(client\\)'s DHCP DISCOVER heard on eth0\\.10 to"
        + " 192\\.168\\.5\\.53:67, from 192\\.168\\.5\\.1:67: giaddr 192\\.168\\.1\\.1 \\(its address on eth0\\.10");
    start.next("server hears", "dns +receives DHCP DISCOVER from 02:00:00:00:01:00 \\(client\\), relayed by 192\\.168\\.5\\.1:67");
    start.next("OFFER", "dns +offers 192\\.168\\.1\\.100 for 1h with gateway 192\\.168\\.1\\.1 and DNS 192\\.168\\.1\\.53 to"
        + " 02:00:00:00:01:00, sent to the relay agent at 192\\.168\\.1\\.1:67");
    start.next("OFFER passed on", "r1 +passes server 192\\.168\\.5\\.53's DHCP OFFER of 192\\.168\\.1\\.100 to"
        + " 02:00:00:00:01:00 on eth0\\.10, broadcast");
    start.next("REQUEST", "client +broadcasts DHCP REQUEST");
    start.next("REQUEST relayed", "r1 +relays 02:00:00:00:01:00 \\(client\\)'s DHCP REQUEST");
    start.next("ACK", "dns +acknowledges 192\\.168\\.1\\.100 to 02:00:00:00:01:00");
    start.next("ACK passed on", "r1 +passes server 192\\.168\\.5\\.53's DHCP ACK of 192\\.168\\.1\\.100");
    start.next("bound", "client +configures 192\\.168\\.1\\.100/24 on eth0 from 192\\.168\\.5\\.53's lease, default route"
        + " via 192\\.168\\.1\\.1");
    Story s = new Story(narrative.substring(narrative.indexOf("step 1/1")));

    // Phase I.A: name resolution by DNS (hosts, cache, query to the designated server, answer).
    s.next("hosts table", "client +looks up payroll\\.corp\\.com: not in its hosts table");
    s.next("cache", "client +payroll\\.corp\\.com A: not in its cache");
    String dnsId = s.next("DNS query", "client +sends DNS query id 0x([0-9a-f]{4}) A\\? payroll\\.corp\\.com to 192\\.168\\.1\\.53")
        .group(1);
    s.next("forwarder", "resolver +A\\? payroll\\.corp\\.com: cache miss; forwards to 192\\.168\\.5\\.53");
    s.next("authoritative answer", "dns +answers A\\? payroll\\.corp\\.com from zone corp\\.com: 192\\.168\\.5\\.100");
    s.next("DNS answer", "client +DNS answer id 0x" + dnsId + ": payroll\\.corp\\.com A 192\\.168\\.5\\.100");
    // Phase I.B and sections 1-2: routing decision, ARP for the gateway, encapsulation.
    s.next("routing decision", "client +routing decision for 192\\.168\\.5\\.100: matched 'default via 192\\.168\\.1\\.1"
        + " dev eth0'; my address 192\\.168\\.1\\.100/24 is in 192\\.168\\.1\\.0/24; 192\\.168\\.5\\.100 masked with"
        + " 255\\.255\\.255\\.0 gives 192\\.168\\.5\\.0: different subnets");
    String syn = s.next("TCP SYN built", "client +encapsulates: TCP (\\d+) > 443 \\[S\\], seq \\d+").group(1);
    s.next("ARP broadcast", "client +ARP request on eth0: who-has 192\\.168\\.1\\.1 tell 192\\.168\\.1\\.100 \\(broadcast");
    String r1Mac = s.next("ARP reply", "client +hears ARP reply on eth0: 192\\.168\\.1\\.1 is-at ([0-9a-f:]{17})").group(1);
    s.next("Ethernet frame", "client +frames it: Ethernet 02:00:00:00:01:00 > " + r1Mac + ", IPv4, \\d+ bytes "
        + "\\[192\\.168\\.1\\.100 > 192\\.168\\.5\\.100: TCP " + syn + " > 443 \\[S\\]");
    // The users' access switch tags the frame for the trunk (VLAN 10); the router takes the tag off.
    s.next("tagged on the trunk", "sw1 +switches frame 02:00:00:00:01:00 > " + r1Mac + " in VLAN 10 from p1 to p[34]"
        + "[^\\n]*tags the frame with VLAN 10 on trunk p[34]");
    // Section 4: the router decapsulates, routes, decrements the TTL and forwards.
    s.next("router decapsulates", "r1 +receives a frame on eth0\\.10 from 02:00:00:00:01:00 to its own MAC " + r1Mac
        + " tagged VLAN 10 on eth0; removes the 802\\.1Q tag");
    s.next("router forwards", "r1 +routes 192\\.168\\.5\\.100: longest match '192\\.168\\.5\\.0/24 dev eth1[^']*'; TTL 64 -> 63");
    // Phase II.A: the three-way handshake.
    s.next("SYN-ACK", "payroll +encapsulates: TCP 443 > " + syn + " \\[S\\.\\]");
    s.next("ACK", "client +TCP 192\\.168\\.1\\.100:" + syn + " > 192\\.168\\.5\\.100:443 SYN-SENT -> ESTAB");
    // Phase II.B: the TLS handshake, then the encrypted request and response.
    s.next("ClientHello", "client +sends ClientHello \\(\\d+ bytes\\): offers TLS 1\\.3");
    assertTrue(narrative.contains("SNI payroll.corp.com") || narrative.contains("server_name payroll.corp.com")
        || narrative.matches("(?s).*ClientHello[^\\n]*payroll\\.corp\\.com.*"), "the ClientHello names the server");
    s.next("ServerHello", "client +receives ServerHello \\(\\d+ bytes\\): the server picks TLS 1\\.3 and cipher suite TLS_");
    s.next("Finished", "client +sends the client's Finished");
    s.next("certificate", "CN=payroll\\.corp\\.com, issued by CN=emu lab corporate CA");
    s.next("request", "payroll +receives GET / over TLS");
    s.next("response", "payroll +answers 200 OK");
    assertTrue(console.contains("< HTTP/1.1 200 OK") && console.contains("<h1>Payroll</h1>"), console);

    // The captures tell the same story, and tshark finds nothing wrong in any of them.
    Path tshark = Tools.require("tshark");
    List<Path> pcaps = new ArrayList<>();
    try (var st = Files.list(out)) {
      st.filter(p -> p.toString().endsWith(".pcap")).forEach(pcaps::add);
    }
    assertEquals(22, pcaps.size(), pcaps.toString());
    for (Path pcap : pcaps) {
      var check = Tools.run(List.of(tshark.toString(), "-r", pcap.toString(), "-o", "ip.check_checksum:TRUE",
          "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
          "-Y", "_ws.malformed || _ws.expert.severity==error"), 60);
      assertEquals("", check.output().trim(), "tshark found problems in " + pcap);
    }
    String client = out.resolve("client-eth0.pcap").toString();
    var protocols = Tools.run(List.of(tshark.toString(), "-r", client, "-T", "fields", "-e", "frame.protocols"), 60);
    for (String p : List.of("arp", "dns", "tcp", "tls")) {
      assertTrue(protocols.output().contains(":" + p), p + " decodes in " + client + ":\n" + protocols.output());
    }
    var dns = Tools.run(List.of(tshark.toString(), "-r", client, "-Y", "dns.flags.response==0", "-T", "fields",
        "-e", "dns.id", "-e", "dns.qry.name"), 60);
    assertTrue(dns.output().contains("0x" + dnsId + "\tpayroll.corp.com"), dns.output());
    var synFrame = Tools.run(List.of(tshark.toString(), "-r", client, "-Y", "tcp.flags.syn==1 && tcp.flags.ack==0",
        "-T", "fields", "-e", "tcp.srcport", "-e", "eth.dst", "-e", "ip.ttl"), 60);
    assertEquals(syn + "\t" + r1Mac + "\t64", synFrame.output().trim().lines().findFirst().orElse(""));
    var hello = Tools.run(List.of(tshark.toString(), "-r", client, "-Y", "tls.handshake.type==1", "-T", "fields",
        "-e", "tls.handshake.extensions_server_name"), 60);
    assertTrue(hello.output().contains("payroll.corp.com"), hello.output());
    var forwarded = Tools.run(List.of(tshark.toString(), "-r", out.resolve("r1-eth1.pcap").toString(),
        "-Y", "tcp.flags.syn==1 && tcp.flags.ack==0", "-T", "fields", "-e", "ip.ttl", "-e", "tcp.srcport"), 60);
    assertEquals("63\t" + syn, forwarded.output().trim().lines().findFirst().orElse(""));
    var trunk = Tools.run(List.of(tshark.toString(), "-r", out.resolve("r1-eth0.pcap").toString(),
        "-Y", "tcp.flags.syn==1 && tcp.flags.ack==0", "-T", "fields", "-e", "vlan.id", "-e", "ip.ttl"), 60);
    assertEquals("10\t64", trunk.output().trim().lines().findFirst().orElse(""), "the SYN reaches r1 tagged VLAN 10");
    assertFalse(narrative.contains("who-has 192.168.5.100 tell 192.168.1.100"), "the client never ARPs for the server");
    assertFalse(narrative.matches("(?s).*printer +hears ARP request[^\\n]*tell 192\\.168\\.1\\..*"),
        "the printers' VLAN never hears the users' broadcasts");

    // The run's report: the ladder labels frames with their steps, counters were taken from
    // live nodes, every capture is linked, and it renders in a real browser.
    Path report = out.resolve("report.html");
    assertTrue(console.contains("report: " + report), console);
    String html = Files.readString(report);
    for (String step : List.of("sends DNS query id 0x" + dnsId, "sends ClientHello", "forwards 192.168.1.100 &gt; "
        + "192.168.5.100: TCP " + syn + " &gt; 443 [S]", "<td>client</td><td>host</td><td>running</td><td>eth0</td>",
        "1/1 steps succeeded")) {
      assertTrue(html.contains(step), step + " in the report");
    }
    for (Path pcap : pcaps) {
      assertTrue(html.contains("href=\"./" + pcap.getFileName() + "\""), pcap + " is linked");
    }
    Browser.assertRenders(report, out.resolve("report.png"), 1400, 1800);
  }

  @Test
  void theDualStackSeedRunConnectsOverIpv6FirstAndSolicitsTheRouter(@TempDir Path out) throws Exception {
    String console = emu(0, "run", "--out", out.toString(), "--seed", "3");
    assertTrue(console.contains("1/1 steps succeeded"), console);
    assertTrue(console.contains("*   Trying [2001:db8:5::100]:443..."), console);
    String narrative = Files.readString(out.resolve("narrative.txt"));
    Story s = new Story(narrative.substring(narrative.indexOf("step 1/1")));
    s.next("AAAA answer", "client +DNS answer id 0x[0-9a-f]{4}: payroll\\.corp\\.com AAAA 2001:db8:5::100");
    s.next("both families", "client +resolves payroll\\.corp\\.com to 2001:db8:5::100, 192\\.168\\.5\\.100; will try "
        + "IPv6 first \\(RFC 6724");
    s.next("routing decision", "client +routing decision for 2001:db8:5::100: matched 'default via 2001:db8:1::1 dev "
        + "eth0[^']*'; my address 2001:db8:1::100/64 is in 2001:db8:1::/64; 2001:db8:5::100 is not");
    String syn = s.next("TCP SYN in IPv6", "client +encapsulates: TCP (\\d+) > 443 \\[S\\], seq \\d+.* inside an IPv6 header "
        + "2001:db8:1::100 > 2001:db8:5::100 \\(hop limit 64").group(1);
    s.next("solicits the router", "client +neighbour solicitation on eth0: who has 2001:db8:1::1 tell 2001:db8:1::100 "
        + "\\(to its solicited-node multicast group ff02::1:ff00:1");
    String r1Mac = s.next("router answers", "client +hears a neighbour advertisement on eth0: 2001:db8:1::1 is at "
        + "([0-9a-f:]{17})").group(1);
    s.next("Ethernet frame", "client +frames it: Ethernet 02:00:00:00:01:00 > " + r1Mac + ", IPv6 \\(EtherType 0x86dd\\), "
        + "\\d+ bytes \\[2001:db8:1::100 > 2001:db8:5::100: TCP " + syn + " > 443 \\[S\\]");
    s.next("router forwards", "r1 +routes 2001:db8:5::100: longest match '2001:db8:5::/64 dev eth1[^']*'; hop limit 64 -> 63 "
        + "\\(IPv6 has no header checksum to update\\)");
    s.next("ESTAB", "client +TCP \\[2001:db8:1::100\\]:" + syn + " > \\[2001:db8:5::100\\]:443 SYN-SENT -> ESTAB");
    s.next("ClientHello", "client +sends ClientHello");
    s.next("response", "payroll +answers 200 OK");
    assertFalse(narrative.contains("who has 2001:db8:5::100 tell 2001:db8:1::100"), "the client never solicits the server");

    Path tshark = Tools.require("tshark");
    try (var st = Files.list(out)) {
      for (Path pcap : st.filter(p -> p.toString().endsWith(".pcap")).toList()) {
        var check = Tools.run(List.of(tshark.toString(), "-r", pcap.toString(), "-o", "ip.check_checksum:TRUE",
            "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
            "-Y", "_ws.malformed || _ws.expert.severity==error"), 60);
        assertEquals("", check.output().trim(), "tshark found problems in " + pcap);
      }
    }
    var forwarded = Tools.run(List.of(tshark.toString(), "-r", out.resolve("r1-eth1.pcap").toString(),
        "-Y", "tcp.flags.syn==1 && tcp.flags.ack==0", "-T", "fields", "-e", "eth.type", "-e", "ipv6.hlim",
        "-e", "tcp.srcport"), 60);
    assertEquals("0x86dd\t63\t" + syn, forwarded.output().trim().lines().findFirst().orElse(""));
    var ns = Tools.run(List.of(tshark.toString(), "-r", out.resolve("client-eth0.pcap").toString(),
        "-Y", "icmpv6.type==135 && icmpv6.nd.ns.target_address==2001:db8:1::1", "-T", "fields", "-e", "eth.dst"), 60);
    assertTrue(ns.output().contains("33:33:ff:00:00:01"), "the solicitation goes to the solicited-node group: " + ns.output());
  }

  @Test
  void anIpv6OnlyRunWithFamily6(@TempDir Path out) throws Exception {
    String console = emu(0, "run", "--family", "6", "--out", out.toString(), "--no-capture");
    assertTrue(console.contains("1/1 steps succeeded"), console);
    assertTrue(console.contains("Host payroll.corp.com resolved to 2001:db8:5::100\n"), console);
    String narrative = Files.readString(out.resolve("narrative.txt"));
    Story s = new Story(narrative.substring(narrative.indexOf("step 1/1")));
    s.next("DNS over IPv6", "client +sends DNS query id 0x[0-9a-f]{4} AAAA\\? payroll\\.corp\\.com to 2001:db8:1::53");
    s.next("forwarder over IPv6", "resolver +AAAA\\? payroll\\.corp\\.com: cache miss; forwards to 2001:db8:5::53");
    s.next("response", "payroll +answers 200 OK");
    assertFalse(narrative.contains("ARP request"), "no IPv4 at all: nobody ARPs");
  }

  /**
   * The seed's Internet case as a real home edge: the home router leases its WAN address from the
   * ISP, the laptop leases its own from the home router, and everything leaves home masqueraded
   * behind 198.51.100.2; the ISP has no route to 192.168.0.0/24, so the answers come back only
   * through the translation. The ISP-side capture holds no inside address.
   */
  @Test
  void theInternetScenarioStartsWithDhcpAndCrossesTheHomeNat(@TempDir Path out) throws Exception {
    String console = emu(0, "run", "configs/internet.yml", "--family", "4", "--out", out.toString());
    assertTrue(console.contains("SSL connection using TLSv1.3"), console);
    assertTrue(console.contains("< HTTP/1.1 200 OK"), console);
    assertTrue(console.contains(" 2  isp (198.51.100.1)  "), "traceroute's hops past the NAT come back: " + console);
    assertTrue(console.contains(" 4  www (203.0.113.15)  "), console);
    String narrative = Files.readString(out.resolve("narrative.txt"));
    Story s = new Story(narrative);
    s.next("home's WAN lease", "home +configures 198\\.51\\.100\\.2/30 on eth1 from 198\\.51\\.100\\.1's lease,"
        + " default route via 198\\.51\\.100\\.1");
    Story lan = new Story(narrative);
    lan.next("laptop's DISCOVER", "laptop +broadcasts DHCP DISCOVER from 0\\.0\\.0\\.0:68 to 255\\.255\\.255\\.255:67");
    lan.next("home's offer", "home +offers 192\\.168\\.0\\.10 for 1d with gateway 192\\.168\\.0\\.1 and DNS 192\\.0\\.2\\.53");
    lan.next("laptop's lease", "laptop +configures 192\\.168\\.0\\.10/24 on eth0 from 192\\.168\\.0\\.1's lease");
    lan.next("DNS query to the ISP", "laptop +sends DNS query id 0x[0-9a-f]{4} A\\? www\\.company\\.com to 192\\.0\\.2\\.53");
    lan.next("NAT on the way out", "home +rewrites 192\\.168\\.0\\.10:\\d+ -> 198\\.51\\.100\\.2:\\d+ \\(new mapping, UDP to"
        + " 192\\.0\\.2\\.53:53\\)");
    lan.next("NAT on the way back", "home +rewrites 198\\.51\\.100\\.2:\\d+ -> 192\\.168\\.0\\.10:\\d+ \\(mapping found, UDP"
        + " from 192\\.0\\.2\\.53:53\\)");
    lan.next("DNS answer", "laptop +DNS answer id 0x[0-9a-f]{4}: www\\.company\\.com A 203\\.0\\.113\\.15");
    lan.next("routing decision", "laptop +routing decision for 203\\.0\\.113\\.15: matched 'default via 192\\.168\\.0\\.1");
    lan.next("home router", "home +routes 203\\.0\\.113\\.15");
    lan.next("the SYN masqueraded", "home +rewrites 192\\.168\\.0\\.10:\\d+ -> 198\\.51\\.100\\.2:\\d+ \\(new mapping,"
        + " TCP SYN to 203\\.0\\.113\\.15:443\\)");
    lan.next("isp router", "isp +routes 203\\.0\\.113\\.15");
    lan.next("dc router", "dc +routes 203\\.0\\.113\\.15");
    lan.next("the SYN-ACK back", "home +rewrites 198\\.51\\.100\\.2:\\d+ -> 192\\.168\\.0\\.10:\\d+ \\(mapping found,"
        + " TCP SYN-ACK from 203\\.0\\.113\\.15:443\\)");
    lan.next("TLS", "laptop +sends ClientHello");
    lan.next("response", "www +answers 200 OK");
    lan.next("traceroute's errors translated", "home +translates an ICMP time exceeded \\(code 0\\) for 198\\.51\\.100\\.2"
        + " back to 192\\.168\\.0\\.10");

    Tools.assertCapturesClean(out);
    Path tshark = Tools.require("tshark");
    String isp = out.resolve("isp-eth0.pcap").toString();
    var inside = Tools.run(List.of(tshark.toString(), "-r", isp, "-Y", "ip.addr == 192.168.0.0/24"), 60);
    assertEquals("", inside.output().trim(), "the ISP's side sees only the home router's public address");
    var fromHome = Tools.run(List.of(tshark.toString(), "-r", isp, "-Y", "tcp.flags.syn==1 && tcp.flags.ack==0",
        "-T", "fields", "-e", "ip.src", "-e", "tcp.dstport"), 60);
    assertEquals("198.51.100.2\t443", fromHome.output().trim(), "the masqueraded SYN");
    var dhcp = Tools.run(List.of(tshark.toString(), "-r", isp, "-Y", "dhcp.option.dhcp == 5", "-T", "fields",
        "-e", "dhcp.ip.your"), 60);
    assertEquals("198.51.100.2", dhcp.output().trim(), "the ISP's ACK leased the WAN address");
  }

  /**
   * {@code ./emu run configs/campus.yml}, as its comment promises: five OSPF routers in a ring come
   * up from nothing, a1 pings c1 across the ring for 15 s, and the fault plan takes the core link
   * r1-r2 down during the ping and brings it back. The run shows the reroute (r1's SPF moves
   * 10.3.0.0/24 to r5 and r4, the replies come back one hop longer), a loss window of at most a
   * second (carrier loss: the routers reroute at once) and the recovery (the route moves back).
   */
  @Test
  void theCampusRingReroutesAroundTheCutLinkAndBack(@TempDir Path out) throws Exception {
    String console = emu(0, "run", "configs/campus.yml", "--out", out.toString());
    assertTrue(console.contains("O>* 10.3.0.0/24 [110/30] via 10.0.12.2, eth1"), "before the ping: " + console);

    // The ping's replies, in order: the TTL tells the path (61 via r2, 60 via r5 and r4).
    Matcher m = Pattern.compile("icmp_seq=(\\d+) ttl=(\\d+)").matcher(console);
    List<int[]> replies = new ArrayList<>();
    while (m.find()) {
      replies.add(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
    }
    assertTrue(replies.size() >= 56, "at most a second (4 requests at 0.25 s) lost: " + replies.size() + "\n" + console);
    StringBuilder paths = new StringBuilder();
    int looped = 0;
    for (int[] r : replies) {
      if (r[1] != 61 && r[1] != 60) {
        looped++; // a reply caught between r2 and r3 for the few ms before r3's SPF: a transient loop
        continue;
      }
      String p = r[1] == 61 ? "r2 " : "r5r4 ";
      if (paths.length() == 0 || !paths.toString().endsWith(p)) {
        paths.append(p);
      }
    }
    assertEquals("r2 r5r4 r2 ", paths.toString(), "via r2, around the cut link, back via r2: " + console);
    assertTrue(looped <= 2, looped + " replies went round a loop: " + console);

    String narrative = Files.readString(out.resolve("narrative.txt"));
    Story s = new Story(narrative);
    s.next("the fault", "control +at 14\\.000s: down r1:eth1");
    s.next("r1 loses the adjacency", "r1 +OSPF neighbour 2\\.2\\.2\\.2 \\(10\\.0\\.12\\.2\\) on eth1: Full -> Down \\(LLDown\\)");
    s.next("r1's new router-LSA", "r1 +originates its router-LSA 1\\.1\\.1\\.1 0x8000000[0-9a-f]");
    s.next("the reroute", "r1 +SPF[^\\n]*10\\.3\\.0\\.0/24 now via 10\\.0\\.15\\.5 cost 40 \\(was via 10\\.0\\.12\\.2 cost 30\\)");
    s.next("the link back", "control +at 18\\.000s: up r1:eth1");
    s.next("the adjacency again", "r1 +OSPF neighbour 2\\.2\\.2\\.2 \\(10\\.0\\.12\\.2\\) on eth1: (Loading|Exchange) -> Full");
    // r3 reroutes the replies at the first of r1's and r2's new LSAs to reach it (r2's, one hop
    // away, or r1's round the ring over r5 and r4: whichever comes first)
    Story r3 = new Story(narrative);
    r3.next("the fault", "control +at 14\\.000s: down r1:eth1");
    r3.next("r3 reroutes the replies", "r3 +SPF after [12]\\.[12]\\.[12]\\.[12]'s router-LSA[^\\n]*10\\.1\\.0\\.0/24 now via"
        + " 10\\.0\\.34\\.4");
    s.next("the route back", "r1 +SPF[^\\n]*10\\.3\\.0\\.0/24 now via 10\\.0\\.12\\.2 cost 30 \\(was via 10\\.0\\.15\\.5 cost 40\\)");

    // Every capture decodes in tshark without an error or a malformed packet, OSPF included.
    Tools.assertCapturesClean(out);
    Path tshark = Tools.require("tshark");
    // Every OSPF packet type crosses the core links; an LS Request only where a database
    // description showed something newer, so it is looked for on all of them together.
    StringBuilder kinds = new StringBuilder();
    for (String core : List.of("r1-eth1", "r1-eth2", "r2-eth2", "r3-eth2", "r4-eth2")) {
      kinds.append(Tools.run(List.of(tshark.toString(), "-r", out.resolve(core + ".pcap").toString(), "-Y", "ospf",
          "-T", "fields", "-e", "ospf.msg"), 60).output()).append('\n');
    }
    for (String type : List.of("1", "2", "3", "4", "5")) {
      assertTrue(kinds.toString().lines().anyMatch(type::equals), "OSPF packet type " + type + " on the core links");
    }
  }

  /**
   * {@code ./emu run configs/campus-lan.yml}, as its comment promises: spanning tree makes dist
   * the root and blocks one uplink of each access switch; u1 (VLAN 10) pings the printer (VLAN 20)
   * through the router on a stick, the frames tagged on the trunks; the fault plan takes acc1's
   * active uplink down during the ping, the alternate takes over at once, and the uplink's return
   * puts the tree back as it was. The printer's VLAN never hears the users' broadcasts.
   */
  @Test
  void theCampusEdgeMovesToTheAlternateUplinkAndBack(@TempDir Path out) throws Exception {
    String console = emu(0, "run", "configs/campus-lan.yml", "--out", out.toString());
    Story before = new Story(console);
    before.next("acc1's tree before", "p2 +root +forwarding");
    before.next("its alternate", "p3 +alternate +blocking");
    Matcher sent = Pattern.compile("40 packets transmitted, (\\d+) received").matcher(console);
    assertTrue(sent.find(), console);
    assertTrue(Integer.parseInt(sent.group(1)) >= 37, "at most 3 of 40 lost across the failover: " + console);

    String narrative = Files.readString(out.resolve("narrative.txt"));
    Story s = new Story(narrative);
    s.next("the root", "dist +is the root bridge \\(priority 4096");
    s.next("acc1's alternate", "acc1 +p3 blocks: it is the alternate path to root dist");
    s.next("a tag on the trunk",
        "acc1 +switches frame [^\\n]* in VLAN 10 from p1 to p2[^\\n]*tags the frame with VLAN 10");
    s.next("the router takes it off",
        "r1 +receives a frame on eth0\\.10 [^\\n]*tagged VLAN 10 on eth0; removes the 802\\.1Q tag");
    s.next("the fault", "control +at 4\\.000s: down acc1:p2");
    s.next("the alternate takes over", "acc1 +p3 forwards: it is now the root port, the best path to root dist; it was the"
        + " alternate");
    s.next("the uplink back", "control +at 7\\.000s: up acc1:p2");
    s.next("the tree as before", "acc1 +p3 blocks: it is the alternate path to root dist");
    assertFalse(Pattern.compile("prn +hears ARP request[^\\n]*tell 10\\.10\\.").matcher(narrative).find(),
        "VLAN 20 never hears VLAN 10's broadcasts");

    Tools.assertCapturesClean(out);
    Path tshark = Tools.require("tshark");
    String vids = Tools.run(List.of(tshark.toString(), "-r", out.resolve("dist-p5.pcap").toString(), "-Y", "icmp",
        "-T", "fields", "-e", "vlan.id"), 60).output();
    assertTrue(vids.lines().anyMatch("10"::equals) && vids.lines().anyMatch("20"::equals),
        "the router's trunk carries the ping tagged VLAN 10 one way and VLAN 20 the other: " + vids);
  }
}
