package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.TestLocks.KernelNetwork;
import emu.control.lab.Tools.Cli;
import emu.control.linux.LinuxNamespaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Linux kernel's IPv6 against emu's (lab {@code labs/linux-ipv6.yml}): a linux node with
 * {@code ipv6: auto} takes its address and default route from an emu router's advertisement
 * (SLAAC), the kernel's ping crosses the emu router to an emu host and back, emu's ping reaches
 * the kernel's SLAAC address, a second linux node with a static address and a link-local
 * gateway written {@code fe80::...%eth0} pings across too, and every capture passes tshark's
 * checks. The kernel's MLDv2 reports reach the emu router, which ignores them without a drop
 * event. TCP over IPv6 between the kernel's TCP and emu's across the emu router: curl fetches
 * emu's HTTPS page, a Python peer and emu's {@code bulk} move verified byte streams both ways,
 * and emu's {@code https-get} fetches from openssl's TLS server in a namespace. DNS over IPv6
 * (lab {@code labs/linux-dns6.yml}): dig and glibc's resolver ask emu's IPv6-only DNS server
 * across the emu router, over UDP and TCP. Needs root (CI runs as root); otherwise skipped,
 * saying why.
 */
@KernelNetwork
class LinuxIpv6InteropTest {
  @TempDir
  static Path state;

  static final Path LAB = Path.of("src/test/resources/labs/linux-ipv6.yml");
  /** kern's pinned MAC 02:00:00:00:0a:01, U/L bit flipped, ff:fe in the middle (RFC 4291 2.5.1). */
  static final String KERN_SLAAC = "2001:db8:1::ff:fe00:a01";
  /** r1:eth0's link-local address, from its pinned MAC 02:00:00:00:01:01 the same way. */
  static final String R1_LINK_LOCAL = "fe80::ff:fe00:101";
  static final Path BULK_PY = Path.of("src/test/resources/interop/bulk.py").toAbsolutePath();
  /** MiB each way in the TCP transfers: a few MB, seconds under the test's leak detector. */
  static final int BULK_MIB = 4;
  static final String BULK_BYTES = BULK_MIB + "M";

  @BeforeAll
  static void requirements() {
    System.setProperty("emu.stateDir", state.toString());
    String why = !LinuxNamespaces.isRoot() ? "linux nodes need root (network namespaces, veth, VXLAN)" : null;
    if (why != null) {
      if ("1".equals(System.getenv("EMU_REQUIRE_TOOLS"))) {
        throw new AssertionError(why + ", and EMU_REQUIRE_TOOLS=1");
      }
      System.err.println("SKIPPED: " + why);
      Assumptions.abort(why);
    }
    for (String tool : List.of("ip", "ethtool", "ping", "sysctl", "tshark", "curl", "openssl", "python3", "dig",
        "getent")) {
      Tools.require(tool);
    }
  }

  @AfterAll
  static void nothingLeft() throws Exception {
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
    assertTrue(LinuxNamespaces.namespaces().stream().noneMatch(n -> n.startsWith("emu-v6interop")
        || n.startsWith("emu-dns6interop")),
        "namespaces left behind: " + LinuxNamespaces.namespaces());
  }

  @Test
  void theKernelsIpv6TalksToEmus(@TempDir Path out) throws Exception {
    Cli run = emu("run", LAB.toString(), "--out", out.toString(), "--seed", "1");
    String o = run.out();
    assertEquals(0, run.exit(), () -> "run failed:\n" + o + "\n" + run.err());
    assertTrue(o.contains("12/12 steps succeeded"), o);
    assertFalse(LinuxNamespaces.exists("emu-v6interop-kern"), "the run removes its namespaces");
    Map<Integer, String> step = stepOutputs(o);

    // (a) The kernel took an address from r1's advertisement: the prefix plus its MAC's EUI-64,
    // "dynamic" (it has lifetimes), checked (not tentative); its default route is r1's
    // link-local address, learned from the same message (proto ra).
    String addr = step.get(1);
    assertTrue(addr.matches("(?s).*inet6 " + KERN_SLAAC + "/64 scope global dynamic .*"), addr);
    assertTrue(addr.contains("inet6 fe80::ff:fe00:a01/64 scope link"), addr);
    assertFalse(addr.contains("tentative") || addr.contains("dadfailed"), addr);
    String route = step.get(2);
    assertTrue(route.matches("(?s).*default via " + R1_LINK_LOCAL + " dev eth0 proto ra metric \\d+ expires .*"), route);
    assertTrue(route.matches("(?s).*2001:db8:1::/64 dev eth0 proto (kernel|ra) .*"), route);

    // (b) The kernel's ping across the emu router: every reply one hop away (64 - 1).
    String ping = step.get(3);
    assertTrue(ping.contains("3 packets transmitted, 3 received"), ping);
    assertEquals(3, count(ping, "ttl=63"), ping);

    // (c) emu's ping to the kernel's SLAAC address: emu resolves it by neighbour discovery.
    String emuPing = step.get(4);
    assertTrue(emuPing.contains("3 packets transmitted, 3 received"), emuPing);
    assertEquals(3, count(emuPing, "from " + KERN_SLAAC + ": icmp_seq="), emuPing);
    assertEquals(3, count(emuPing, "ttl=63"), emuPing);

    // (d) kern2: a static address that went through the kernel's duplicate address detection,
    // the gateway written fe80::ff:fe00:101%eth0 as iproute2 takes it (via ... dev eth0), and
    // no second default route from the advertisements.
    String addr2 = step.get(5);
    assertTrue(addr2.contains("inet6 2001:db8:1::20/64 scope global"), addr2);
    assertFalse(addr2.contains("tentative") || addr2.contains("dadfailed") || addr2.contains("dynamic"), addr2);
    String route2 = step.get(6);
    assertTrue(route2.contains("default via " + R1_LINK_LOCAL + " dev eth0 metric 1024"), route2);
    assertFalse(route2.contains("proto ra"), route2);
    String ping2 = step.get(7);
    assertTrue(ping2.contains("3 packets transmitted, 3 received"), ping2);
    assertEquals(3, count(ping2, "ttl=63"), ping2);
    assertTrue(step.get(8).contains("2 packets transmitted, 2 received"), step.get(8)); // IPv4 beside

    // (f) Fragments both ways: the kernel's 3000-byte requests leave in fragments, payroll
    // reassembles them and answers 3008 bytes of ICMPv6 in fragments, which the kernel
    // reassembles; then payroll's own 3000-byte ping to the kernel, the same the other way.
    String bigPing = step.get(9);
    assertTrue(bigPing.contains("3 packets transmitted, 3 received"), bigPing);
    assertEquals(3, count(bigPing, "3008 bytes from 2001:db8:5::100: icmp_seq="), bigPing);
    String emuBigPing = step.get(10);
    assertTrue(emuBigPing.contains("3 packets transmitted, 3 received"), emuBigPing);
    assertEquals(3, count(emuBigPing, "3008 bytes from " + KERN_SLAAC + ": icmp_seq="), emuBigPing);
    assertTrue(o.contains("reassembles the packet from " + KERN_SLAAC), o);
    assertTrue(o.contains("the packet for " + KERN_SLAAC + " is 3048 bytes, more than the path MTU 1500: sends it "
        + "in 3 fragments"), o);

    // (g) traceroute -6 both ways across r1: the kernel's sees r1 (time exceeded from its address
    // on the kernel's link) and then payroll (port unreachable); emu's sees r1 and then the kernel.
    String trace = step.get(11);
    assertTrue(trace.matches("(?s).*\\n ?1 +2001:db8:1::1 +[0-9.]+ ms\\n ?2 +2001:db8:5::100 +[0-9.]+ ms.*"), trace);
    String emuTrace = step.get(12);
    assertTrue(emuTrace.matches("(?s).* 1 +[^\\n]*\\(2001:db8:5::1\\).*\\n 2 +[^\\n]*\\(" + KERN_SLAAC + "\\).*"),
        emuTrace);

    // The kernel's MLDv2 reports (to ff02::16) reached r1, which is no multicast router: ignored,
    // not dropped as an error, not told in the narrative. No emu node dropped anything the kernels sent.
    Path tshark = Tools.require("tshark");
    var mld = Tools.run(List.of(tshark.toString(), "-r", out.resolve("r1-eth0.pcap").toString(), "-Y",
        "icmpv6.type==143 && ipv6.dst==ff02::16", "-T", "fields", "-e", "eth.src"), 60);
    assertTrue(mld.output().contains("02:00:00:00:0a:01") && mld.output().contains("02:00:00:00:0a:02"),
        "both kernels' MLD reports reach r1: " + mld.output() + mld.errors());
    String events = Files.readString(out.resolve("events.jsonl"));
    // (traceroute's probes are meant to die: at r1 with hop limit 1, at payroll on a closed port)
    List<String> drops = events.lines().filter(l -> l.contains("\"type\":\"drop\"")
        && !l.contains("\"reason\":\"hop_limit_expired\"") && !l.contains("\"reason\":\"no_listener\"")).toList();
    assertEquals(List.of(), drops, "emu nodes dropped packets");
    assertTrue(events.lines().anyMatch(l -> l.contains("\"node\":\"payroll\"") && l.contains("no_listener")),
        "the kernel's traceroute probes reach payroll's closed ports");
    String narrative = Files.readString(out.resolve("narrative.txt"));
    assertTrue(narrative.lines().noneMatch(l -> l.contains("ff02::16")), "MLD in the narrative beyond the switch");

    // (e) Every capture passes tshark's checks (ICMPv6 checksums included: tshark checks them).
    List<Path> pcaps = Tools.assertCapturesClean(out);
    assertEquals(6, pcaps.size(), "one capture per emu interface: " + pcaps);
    // kern's side of the switch shows the whole exchange: its router solicitation, r1's
    // advertisement of 2001:db8:1::/64, the kernel's check of its new address (from ::, with
    // the nonce of RFC 7527), and the echo replies coming back with hop limit 63.
    Path p1 = out.resolve("sw1-p1.pcap");
    assertTrue(fields(tshark, p1, "icmpv6.type==133", "ipv6.src").contains("fe80::ff:fe00:a01"));
    assertTrue(fields(tshark, p1, "icmpv6.type==134", "icmpv6.opt.prefix").contains("2001:db8:1::"));
    assertTrue(fields(tshark, p1, "icmpv6.type==135 && ipv6.src==:: && icmpv6.nd.ns.target_address=="
        + KERN_SLAAC, "icmpv6.opt.nonce").strip().length() > 0, "the kernel's DAD probe for its SLAAC address");
    assertEquals(List.of("63", "63", "63"), List.of(fields(tshark, p1, "icmpv6.type==129 && ipv6.dst==" + KERN_SLAAC
        + " && ipv6.src==2001:db8:5::100 && !ipv6.fraghdr", "ipv6.hlim").strip().split("\\s+")));
    // Wireshark reassembles both sides' fragments (three per packet, at most 1500 bytes of IPv6
    // on these links) into ICMPv6 echoes whose checksums verify
    assertEquals(6, fields(tshark, p1, "icmpv6.type==129 && ipv6.src==2001:db8:5::100 && ipv6.reassembled.length",
        "ipv6.reassembled.length").lines().filter(l -> l.strip().equals("3008")).count()
        + fields(tshark, p1, "icmpv6.type==128 && ipv6.src==2001:db8:5::100 && ipv6.reassembled.length",
        "ipv6.reassembled.length").lines().filter(l -> l.strip().equals("3008")).count());
    for (String len : fields(tshark, p1, "ipv6.fraghdr && ipv6.src==2001:db8:5::100", "ipv6.plen").strip()
        .split("\\s+")) {
      assertTrue(Integer.parseInt(len) + 40 <= 1500, "a fragment of at most the link MTU: " + len);
    }
  }

  /**
   * The kernel's path MTU discovery against an emu router (lab {@code labs/linux-ipv6-pmtu.yml}):
   * the kernel's 3000-byte ping crosses r1 towards a 1280-byte link; r1 answers its first
   * fragments with packet too big, the kernel lowers its path MTU (its {@code ip -6 route get}
   * shows {@code mtu 1280}) and sends the next requests in fragments that fit, which payroll
   * reassembles and answers in fragments of its own link; payroll's own large ping to the kernel
   * goes the same way back. The captures pass tshark's checks.
   */
  @Test
  void theKernelLearnsThePathMtuFromAnEmuRouterAndFragmentsCrossBothWays(@TempDir Path out) throws Exception {
    Cli run = emu("run", "src/test/resources/labs/linux-ipv6-pmtu.yml", "--out", out.toString(), "--seed", "1");
    String o = run.out();
    assertEquals(0, run.exit(), () -> "run failed:\n" + o + "\n" + run.err());
    assertTrue(o.contains("3/3 steps succeeded"), o);
    Map<Integer, String> step = stepOutputs(o);
    String ping = step.get(1);
    assertTrue(ping.contains("From 2001:db8:1::1 icmp_seq=1 Packet too big: mtu=1280"), ping);
    assertTrue(ping.contains("4 packets transmitted, 3 received"), ping);
    assertEquals(3, count(ping, "3008 bytes from 2001:db8:5::100: icmp_seq="), ping);
    assertTrue(step.get(2).matches("(?s)2001:db8:5::100 from :: via 2001:db8:1::1 dev eth0 .*mtu 1280.*"), step.get(2));
    String emuPing = step.get(3);
    assertTrue(emuPing.contains("3 packets transmitted, 3 received"), emuPing);
    assertEquals(3, count(emuPing, "3008 bytes from 2001:db8:1::10: icmp_seq="), emuPing);
    assertTrue(o.contains("sends ICMPv6 packet too big"), o);
    assertTrue(o.contains("reassembles the packet from 2001:db8:1::10"), o);

    Path tshark = Tools.require("tshark");
    List<Path> pcaps = Tools.assertCapturesClean(out);
    assertEquals(3, pcaps.size(), "one capture per emu interface: " + pcaps);
    // on the 1280-byte link every fragment fits it, and each echo reassembles to 3008 bytes
    Path link = out.resolve("payroll-eth0.pcap");
    for (String len : fields(tshark, link, "ipv6.fraghdr", "ipv6.plen").strip().split("\\s+")) {
      assertTrue(Integer.parseInt(len) + 40 <= 1280, "a fragment over the 1280-byte link: " + len);
    }
    assertEquals(12, fields(tshark, link, "icmpv6.type==128 || icmpv6.type==129", "ipv6.reassembled.length").lines()
        .filter(l -> l.strip().equals("3008")).count(), "3 requests and 3 replies each way, reassembled");
  }

  /**
   * TCP over IPv6 between the real kernel's TCP and emu's, across the emu router r1, with
   * captures on: the kernel's curl fetches payroll's page by address (the certificate names
   * 2001:db8:5::100) and by name (a hosts line in kern's namespace); a Python peer sends
   * {@link #BULK_BYTES} to emu's bulk service and emu's {@code bulk client --verify} sends as many
   * to a Python listener on {@code ::}, each checked by SHA-256; emu's https-get fetches from
   * openssl s_server in kern2's namespace. Then every capture passes tshark's checks, and the
   * SYNs show what both TCPs offered: MSS 1440 (1500 - 40 - 20) and the other options.
   */
  @Test
  void theKernelsTcpOverIpv6TalksToEmus(@TempDir Path out) throws Exception {
    Cli up = emu("up", LAB.toString(), "--out", out.toString());
    assertEquals(0, up.exit(), () -> up.out() + up.err());
    String ca = out.resolve("lab-ca.pem").toString();
    try {
      // (a) curl over IPv6 to emu's HTTPS server, the certificate checked against the lab CA:
      // its subjectAltName holds the address, so curl matches the URL's literal against it.
      Cli curl = ok("exec", "kern", "--", "curl", "-6", "-sS", "--max-time", "20", "--cacert", ca,
          "-w", "\nhttp %{http_code} from %{remote_ip} port %{remote_port} verify %{ssl_verify_result}\n",
          "https://[2001:db8:5::100]/");
      assertTrue(curl.out().contains("Served by emu node payroll."), curl.out());
      assertTrue(curl.out().contains("http 200 from 2001:db8:5::100 port 443 verify 0"), curl.out());

      // (b) by name: the topology's hosts: takes IPv4 only, and the hosts file emu writes for a
      // linux node names its lab's nodes by IPv4; a line added to it (ip netns exec mounts it
      // over /etc/hosts) gives the resolver an IPv6-only name, and curl connects over IPv6.
      Files.writeString(Path.of("/etc/netns/emu-v6interop-kern/hosts"), "2001:db8:5::100 payroll.corp.com\n",
          java.nio.file.StandardOpenOption.APPEND);
      Cli byName = ok("exec", "kern", "--", "curl", "-sS", "--max-time", "20", "--cacert", ca,
          "-w", "\nhttp %{http_code} from %{remote_ip}\n", "https://payroll.corp.com/");
      assertTrue(byName.out().contains("Served by emu node payroll.")
          && byName.out().contains("http 200 from 2001:db8:5::100"), byName.out());

      // Nothing listening, either way: emu's RST refuses the kernel's SYN, the kernel's refuses emu's.
      Cli closed = emu("exec", "kern", "--", "curl", "-sS", "--max-time", "10", "http://[2001:db8:5::100]:81/");
      assertEquals(7, closed.exit(), closed.out() + closed.err()); // curl: "Couldn't connect to server"
      Cli refused = emu("exec", "payroll", "--", "bulk", "client", "2001:db8:1::20", "-p", "5999");
      assertEquals(1, refused.exit(), refused.out() + refused.err());
      assertTrue(refused.out().contains("bulk: connect to [2001:db8:1::20]:5999 failed: Connection refused to "
          + "[2001:db8:1::20]:5999"), refused.out());

      // (c) kernel -> emu: the Python peer sends to payroll's bulk service, which answers the
      // SHA-256 of what it received. The kernel's view of the connection: MSS 1440 less the
      // timestamps (12), SACK, timestamps and window scaling agreed, emu's scale 7 (4 MiB).
      Cli send = ok("exec", "kern", "--", "timeout", "60", "python3", BULK_PY.toString(), "client", "2001:db8:5::100",
          "5201", BULK_BYTES);
      assertTrue(send.out().contains("server MATCH"), "kernel -> emu: " + send.out());
      assertTrue(send.out().contains("mss 1428, options ts,sack,wscale, wscale 7/"), send.out());
      System.out.println("kernel -> emu over IPv6: " + send.out().trim());

      // (d) emu -> kernel: a Python listener on :: in kern's namespace, emu's bulk client across r1
      // to the kernel's SLAAC address; the listener sends back the SHA-256 it computed.
      Process listener = new ProcessBuilder("ip", "netns", "exec", "emu-v6interop-kern", "timeout", "60", "python3",
          BULK_PY.toString(), "server", "5202", "::").redirectErrorStream(true).start();
      try {
        var lines = new java.io.BufferedReader(new java.io.InputStreamReader(listener.getInputStream(),
            java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("listening on 5202", lines.readLine());
        Cli recv = ok("exec", "payroll", "--", "bulk", "client", KERN_SLAAC, "-p", "5202", "--bytes", BULK_BYTES,
            "--verify");
        assertTrue(recv.out().contains("connected to " + KERN_SLAAC + " port 5202"), recv.out());
        assertTrue(recv.out().contains("verified: the server received exactly the bytes sent"), recv.out());
        String got = lines.readLine();
        java.util.regex.Matcher sha = java.util.regex.Pattern.compile("sha256 ([0-9a-f]{64})").matcher(recv.out());
        assertTrue(sha.find(), recv.out());
        assertEquals("received " + (BULK_MIB << 20) + " bytes from 2001:db8:5::100 sha256 " + sha.group(1), got);
        System.out.println("emu -> kernel over IPv6:\n" + recv.out());
      } finally {
        listener.waitFor(10, TimeUnit.SECONDS);
        listener.destroy();
      }

      // (e) emu's https-get against a real TLS server in kern2's namespace, with the certificate
      // the lab issued for its address.
      Path pki = state.resolve("labs/v6interop/pki");
      Process server = new ProcessBuilder("ip", "netns", "exec", "emu-v6interop-kern2", "timeout", "30", "openssl",
          "s_server", "-www", "-6", "-accept", "4443", "-cert", pki.resolve("kern2.pem").toString(),
          "-key", pki.resolve("kern2.key").toString()).redirectErrorStream(true).start();
      try {
        var lines = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream(),
            java.nio.charset.StandardCharsets.UTF_8));
        for (String l = lines.readLine(); l != null && !l.equals("ACCEPT"); l = lines.readLine()) {
          // "Using default temp DH parameters", then ACCEPT once it listens
        }
        Cli get = ok("exec", "payroll", "--", "https-get", "https://[2001:db8:1::20]:4443/");
        assertTrue(get.out().contains("* Connected to 2001:db8:1::20 (2001:db8:1::20) port 4443"), get.out());
        assertTrue(get.out().contains("SSL certificate verify ok") && get.out().contains("< HTTP/1.0 200 ok"),
            get.out());
      } finally {
        server.destroy();
        server.waitFor(5, TimeUnit.SECONDS);
      }
    } finally {
      Cli down = emu("down");
      assertEquals(0, down.exit(), down.err());
    }

    // (f) Every capture passes tshark's checks (TCP checksums over the IPv6 pseudo-header
    // included). The bulk ports are decoded as plain data: random payload otherwise now and then
    // looks like some protocol to tshark's heuristics (Thrift), which then reports its errors.
    Path tshark = Tools.require("tshark");
    List<Path> pcaps = Tools.assertCapturesClean(out, "-d", "tcp.port==5201,data", "-d", "tcp.port==5202,data");
    assertEquals(6, pcaps.size(), "one capture per emu interface: " + pcaps);
    // On kern's port of the switch: emu's SYN-ACK (bulk) and SYN (bulk client) offer MSS 1440,
    // the IPv6 MTU less 60, window scale 7, SACK and timestamps, as the kernel's SYNs do.
    Path p1 = out.resolve("sw1-p1.pcap");
    String emuSyns = fields(tshark, p1, "tcp.flags.syn==1 && ipv6.src==2001:db8:5::100", "tcp.options.mss_val",
        "tcp.options.wscale.shift", "tcp.options.sack_perm", "tcp.options.timestamp.tsval");
    List<String> synLines = emuSyns.lines().toList();
    assertTrue(synLines.size() >= 4, "emu's SYN-ACKs (443 twice, 5201) and SYN (to 5202): " + emuSyns);
    for (String l : synLines) {
      assertTrue(l.matches("1440\t7\t\\S+\t\\d+"), "emu's SYN options: " + emuSyns);
    }
    String kernSyns = fields(tshark, p1, "tcp.flags.syn==1 && ipv6.src==" + KERN_SLAAC, "tcp.options.mss_val");
    assertTrue(kernSyns.lines().allMatch(l -> l.equals("1440")) && kernSyns.lines().count() >= 4, kernSyns);
    // What emu's nodes dropped is only what TCP itself turns away, as Linux does: never a bad
    // checksum, a malformed segment or an IPv6/NDP error. The kernel answers each segment that
    // reaches a socket curl has closed with a RST (RFC 1122 4.2.2.13; emu's close_notify and its
    // FIN cross curl's FIN), SEQ=SEG.ACK: one may fall just left of emu's window once emu has
    // taken curl's FIN (RFC 5961 3.2: dropped), and the second finds only the listener (RFC
    // 9293 3.10.7.2: ignored). A spurious retransmission is out of window too.
    List<String> drops = new ArrayList<>();
    try (var s = Files.list(out)) {
      for (Path f : s.filter(p -> p.toString().endsWith(".events.jsonl")).toList()) {
        Files.readString(f).lines().filter(l -> l.contains("\"type\":\"drop\"")).forEach(drops::add);
      }
    }
    assertTrue(drops.stream().allMatch(l -> l.matches(".*\"reason\":\"tcp_(out_of_window|invalid|no_socket)\".*")),
        "emu nodes dropped: " + drops);
  }

  /**
   * A link down and up (as a fault plan does it): the kernel drops every route through the device
   * and, with IPv6, the addresses it did not keep; emu puts the topology's routes back, kern2's
   * static address is checked again and kept, and kern takes its SLAAC address anew.
   */
  @Test
  void afterALinkFlapBothKernelsHaveTheirIpv6Again(@TempDir Path out) throws Exception {
    Cli up = emu("up", LAB.toString(), "--out", out.toString(), "--no-capture");
    assertEquals(0, up.exit(), () -> up.out() + up.err());
    try {
      for (String end : List.of("kern:eth0", "kern2:eth0")) {
        assertEquals(0, emu("link", "down", end).exit());
      }
      Cli gone = emu("exec", "kern2", "--", "ip", "-6", "route");
      assertFalse(gone.out().contains("default"), "the kernel removed the route with the link: " + gone.out());
      for (String end : List.of("kern:eth0", "kern2:eth0")) {
        Cli c = emu("link", "up", end);
        assertEquals(0, c.exit(), () -> c.out() + c.err());
      }
      Cli route2 = emu("exec", "kern2", "--", "ip", "-6", "route");
      assertTrue(route2.out().contains("default via " + R1_LINK_LOCAL + " dev eth0 metric 1024"), route2.out());
      Cli ping2 = emu("exec", "kern2", "--", "ping", "-6", "-c", "1", "-W", "5", "2001:db8:5::100");
      assertEquals(0, ping2.exit(), ping2.out());
      Cli ping4 = emu("exec", "kern2", "--", "ping", "-c", "1", "-W", "5", "192.168.5.100");
      assertEquals(0, ping4.exit(), "the IPv4 gateway is back too: " + ping4.out());
      // kern solicits again and takes its address from the answer (a few seconds)
      String addr = "";
      for (int i = 0; i < 150 && !addr.matches("(?s).*" + KERN_SLAAC + "/64 scope global dynamic.*"); i++) {
        Thread.sleep(100);
        addr = emu("exec", "kern", "--", "ip", "-6", "addr", "show", "dev", "eth0").out();
      }
      assertTrue(addr.matches("(?s).*" + KERN_SLAAC + "/64 scope global dynamic.*"), addr);
      Cli ping = emu("exec", "kern", "--", "ping", "-6", "-c", "1", "-W", "5", "2001:db8:5::100");
      assertEquals(0, ping.exit(), ping.out());
    } finally {
      Cli down = emu("down");
      assertEquals(0, down.exit(), down.err());
    }
  }

  /**
   * DNS over IPv6 between the real system and emu (lab {@code labs/linux-dns6.yml}): across the
   * emu router r1, the kernel's dig asks emu's IPv6-only DNS server for AAAA and A over UDP and
   * over TCP, takes a truncated answer again over TCP as it does with any server, and finds the
   * server in the resolv.conf emu wrote; glibc's resolver (getent, curl) asks it over IPv6 by
   * itself. Every capture passes tshark's checks and holds DNS over IPv6 only.
   */
  @Test
  void theKernelsResolverAsksEmusDnsServerOverIpv6(@TempDir Path out) throws Exception {
    Cli up = emu("up", "src/test/resources/labs/linux-dns6.yml", "--out", out.toString());
    assertEquals(0, up.exit(), () -> up.out() + up.err());
    String ca = out.resolve("lab-ca.pem").toString();
    try {
      Cli aaaa = ok("exec", "kern", "--", "dig", "AAAA", "payroll.corp.com", "@2001:db8:5::53", "+time=5",
          "+tries=2");
      assertTrue(aaaa.out().contains("status: NOERROR"), aaaa.out());
      assertTrue(aaaa.out().matches("(?s).*payroll\\.corp\\.com\\.\\s+300\\s+IN\\s+AAAA\\s+2001:db8:5::100\n.*"),
          aaaa.out());
      assertTrue(aaaa.out().contains(";; SERVER: 2001:db8:5::53#53(2001:db8:5::53) (UDP)"), aaaa.out());
      assertTrue(aaaa.out().contains("flags: qr aa rd;"), "authoritative, no recursion offered: " + aaaa.out());
      assertEquals("192.168.5.100", ok("exec", "kern", "--", "dig", "+short", "A", "payroll.corp.com",
          "@2001:db8:5::53").out().trim(), "an A answer over IPv6 transport");
      Cli tcp = ok("exec", "kern", "--", "dig", "+tcp", "AAAA", "payroll.corp.com", "@2001:db8:5::53");
      assertTrue(tcp.out().contains(";; SERVER: 2001:db8:5::53#53(2001:db8:5::53) (TCP)"), tcp.out());
      assertTrue(tcp.out().matches("(?s).*IN\\s+AAAA\\s+2001:db8:5::100\n.*"), tcp.out());
      // without EDNS an answer is held to 512 bytes: big.corp.com comes truncated, dig asks over TCP
      Cli big = ok("exec", "kern", "--", "dig", "+noedns", "TXT", "big.corp.com", "@2001:db8:5::53");
      assertTrue(big.out().contains(";; Truncated, retrying in TCP mode."), big.out());
      assertEquals(12, count(big.out(), "IN\tTXT\t\""), big.out());
      assertTrue(big.out().contains("(TCP)"), big.out());
      // with EDNS (dig's 1232 bytes, and its cookie option, which emu's server does not echo) it fits UDP
      Cli edns = ok("exec", "kern", "--", "dig", "TXT", "big.corp.com", "@2001:db8:5::53");
      assertFalse(edns.out().contains("Truncated"), edns.out());
      assertTrue(edns.out().contains("; EDNS: version: 0") && edns.out().contains("(UDP)"), edns.out());
      // no @: the nameserver line emu wrote into the namespace's resolv.conf
      Cli conf = ok("exec", "kern", "--", "cat", "/etc/resolv.conf");
      assertTrue(conf.out().contains("\nnameserver 2001:db8:5::53\n"), conf.out());
      Cli plain = ok("exec", "kern", "--", "dig", "AAAA", "payroll.corp.com");
      assertTrue(plain.out().contains(";; SERVER: 2001:db8:5::53#53(2001:db8:5::53) (UDP)"), plain.out());
      // glibc's own resolver asks over IPv6: getent and curl by name
      Cli getent = ok("exec", "kern", "--", "getent", "ahosts", "payroll.corp.com");
      assertTrue(getent.out().contains("2001:db8:5::100 "), getent.out());
      Cli curl = ok("exec", "kern", "--", "curl", "-6", "-sS", "--max-time", "20", "--cacert", ca,
          "-w", "\nhttp %{http_code} from %{remote_ip}\n", "https://payroll.corp.com/");
      assertTrue(curl.out().contains("Served by emu node payroll.")
          && curl.out().contains("http 200 from 2001:db8:5::100"), curl.out());
      Cli stats = emu("stats", "--node", "ns", "--json");
      assertEquals(0, stats.exit(), stats.err());
      assertTrue(stats.out().contains("emu_dns_server_queries_total"), stats.out());
    } finally {
      Cli down = emu("down");
      assertEquals(0, down.exit(), down.err());
    }
    Path tshark = Tools.require("tshark");
    List<Path> pcaps = Tools.assertCapturesClean(out);
    assertEquals(7, pcaps.size(), "one capture per emu interface: " + pcaps);
    // At the server's switch port, every DNS message is over IPv6, UDP (17) and TCP (6) alike, and
    // the kernel's queries arrive one hop away (hop limit 63).
    String dns = fields(tshark, out.resolve("sw5-p2.pcap"), "dns", "eth.type", "ipv6.nxt", "dns.flags.response",
        "dns.qry.name", "dns.qry.type");
    assertTrue(dns.lines().allMatch(l -> l.startsWith("0x86dd\t")), dns);
    assertTrue(dns.contains("0x86dd\t17\t0\tpayroll.corp.com\t28"), dns);
    assertTrue(dns.contains("0x86dd\t17\t1\tpayroll.corp.com\t1"), dns);
    assertTrue(dns.contains("0x86dd\t6\t1\tbig.corp.com\t16"), dns);
    String hops = fields(tshark, out.resolve("sw5-p2.pcap"), "dns.flags.response==0 && ipv6.src==" + KERN_SLAAC,
        "ipv6.hlim");
    assertTrue(!hops.isBlank() && hops.lines().allMatch(l -> l.equals("63")), hops);
    // The server answered everything: nothing dropped or rejected, as its events say.
    List<String> bad = Files.readString(out.resolve("ns.events.jsonl")).lines()
        .filter(l -> l.contains("\"type\":\"dns.drop\"") || l.contains("\"type\":\"dns.serve_rejected\"")
            || l.contains("\"type\":\"drop\"")).toList();
    assertEquals(List.of(), bad);
  }

  static Cli ok(String... args) {
    Cli c = emu(args);
    assertEquals(0, c.exit(), () -> String.join(" ", args) + ":\n" + c.out() + c.err());
    return c;
  }

  /** What each scenario step printed (its "│ " lines), by step number. */
  static Map<Integer, String> stepOutputs(String out) {
    Map<Integer, String> steps = new LinkedHashMap<>();
    int current = 0;
    StringBuilder b = new StringBuilder();
    for (String line : out.split("\n")) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("^── step (\\d+)/\\d+ ").matcher(line);
      if (m.find()) {
        if (current > 0) {
          steps.put(current, b.toString());
        }
        current = Integer.parseInt(m.group(1));
        b.setLength(0);
      } else if (current > 0 && line.startsWith("   │ ")) {
        b.append(line.substring("   │ ".length())).append('\n');
      }
    }
    if (current > 0) {
      steps.put(current, b.toString());
    }
    return steps;
  }

  static int count(String text, String what) {
    int n = 0;
    for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
      n++;
    }
    return n;
  }

  static String fields(Path tshark, Path pcap, String filter, String... fields) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(tshark.toString(), "-r", pcap.toString(), "-Y", filter, "-T", "fields"));
    for (String f : fields) {
      cmd.add("-e");
      cmd.add(f);
    }
    var r = Tools.run(cmd, 60);
    assertEquals(0, r.exit(), r.errors());
    return r.output();
  }
}
