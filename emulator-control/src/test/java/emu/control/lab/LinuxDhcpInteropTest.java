package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static emu.control.lab.Tools.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.TestLocks.KernelNetwork;
import emu.control.lab.Tools.Cli;
import emu.control.linux.LinuxNamespaces;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real DHCP client on emu's DHCP server (lab {@code labs/linux-dhcp.yml}): busybox's udhcpc in
 * a linux node's namespace takes a lease across the emu switch (DISCOVER, an OFFER unicast to
 * its MAC as RFC 2131 4.1 asks when the BROADCAST flag is clear, REQUEST, ACK) with the mask,
 * router, DNS server, domain and lease time of the topology, installs it and pings an emu host
 * with it; a second one gets its static binding by node name; the server's {@code dhcp leases}
 * lists both as dnsmasq's lease file would; a renewal (udhcpc unicasts it from its address) is
 * ACKed; every capture passes tshark's checks. Needs root (CI runs as root); otherwise skipped,
 * saying why.
 */
@KernelNetwork
class LinuxDhcpInteropTest {
  @TempDir
  static Path state;

  static final Path LAB = Path.of("src/test/resources/labs/linux-dhcp.yml");
  static final Path SCRIPT = Path.of("src/test/resources/interop/udhcpc-script.sh").toAbsolutePath();

  @BeforeAll
  static void requirements() {
    System.setProperty("emu.stateDir", state.toString());
    Tools.requireRoot();
    for (String tool : List.of("ip", "ping", "busybox", "dnsmasq", "tshark")) {
      Tools.require(tool);
    }
  }

  @AfterAll
  static void nothingLeft() throws Exception {
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
    assertTrue(LinuxNamespaces.namespaces().stream().noneMatch(n -> n.startsWith("emu-dhcpinterop")),
        "namespaces left behind: " + LinuxNamespaces.namespaces());
  }

  /** udhcpc once in the foreground: obtain a lease, run the script, quit (-q); fail if none (-n). */
  private static Cli udhcpc(String node, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("exec", node, "--", "busybox", "udhcpc", "-i", "eth0",
        "-f", "-q", "-n", "-t", "4", "-T", "2", "-s", SCRIPT.toString(), "-x", "hostname:" + node));
    args.addAll(List.of(more));
    return ok(args.toArray(String[]::new));
  }

  @Test
  void udhcpcTakesALeaseFromEmusServer(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out");
    ok("up", LAB.toString(), "--out", out.toString());
    try {
      Cli lease = udhcpc("kern");
      String all = lease.out() + lease.err();
      assertTrue(all.contains("udhcpc bound interface=eth0 ip=192.168.1.100 mask=24 router=192.168.1.1"
          + " dns=192.168.1.53 domain=corp.com lease=3600 serverid=192.168.1.2"), all);
      Cli addr = ok("exec", "kern", "--", "ip", "-4", "addr", "show", "eth0");
      assertTrue(addr.out().contains("inet 192.168.1.100/24"), addr.out());
      Cli ping = ok("exec", "kern", "--", "ping", "-c", "2", "-W", "5", "192.168.1.50");
      assertTrue(ping.out().contains("2 received"), ping.out());

      Cli fixed = udhcpc("fixed");
      assertTrue((fixed.out() + fixed.err()).contains("ip=192.168.1.120 mask=24"), fixed.out() + fixed.err());

      // kern asks again from its address (udhcpc -r: INIT-REBOOT with the address it has)
      Cli again = udhcpc("kern", "-r", "192.168.1.100");
      assertTrue((again.out() + again.err()).contains("ip=192.168.1.100"), again.out() + again.err());

      Cli leases = ok("exec", "dhcpsrv", "--", "dhcp", "leases");
      List<String> lines = leases.out().lines().toList();
      assertEquals(2, lines.size(), leases.out());
      long now = System.currentTimeMillis() / 1000;
      for (String line : lines) {
        String[] f = line.split(" ");
        assertEquals(5, f.length, line);
        long expiry = Long.parseLong(f[0]);
        assertTrue(expiry > now + 3500 && expiry <= now + 3601, "an hour from now: " + line);
      }
      assertTrue(lines.stream().anyMatch(l -> l.matches("\\d+ 02:00:00:00:0a:01 192\\.168\\.1\\.100 kern \\S+")),
          leases.out());
      assertTrue(lines.stream().anyMatch(l -> l.matches("\\d+ 02:00:00:00:0a:02 192\\.168\\.1\\.120 fixed \\S+")),
          leases.out());
      Cli stats = ok("exec", "dhcpsrv", "--", "dhcp", "stats");
      assertTrue(stats.out().contains("acks 3"), stats.out());
      assertTrue(stats.out().contains("naks 0"), stats.out());
    } finally {
      Cli down = emu("down");
      assertEquals(0, down.exit(), down.err());
    }
    Tools.assertCapturesClean(out);
  }

  @Test
  void emuRunNarratesTheServersSide(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out");
    Cli r = emu("run", LAB.toString(), "--out", out.toString(), "--seed", "4");
    String story = r.out();
    System.out.println(story);
    assertEquals(0, r.exit(), story + r.err());
    assertTrue(story.contains("lease of 192.168.1.100 obtained from 192.168.1.2, lease time 3600"), story);
    assertTrue(story.matches("(?s).*\\d+ 02:00:00:00:0a:01 192\\.168\\.1\\.100 kern \\S+.*"), story);
    for (String line : List.of(
        "DHCP server on eth0 for 192.168.1.0/24: pool 192.168.1.100-192.168.1.199, leases of 1h",
        "receives DHCP DISCOVER from 02:00:00:00:0a:01 (kern), sent from 0.0.0.0:68 to 255.255.255.255:67 (it has no"
            + " address yet)",
        "offers 192.168.1.100 for 1h with gateway 192.168.1.1 and DNS 192.168.1.53 to 02:00:00:00:0a:01, unicast to"
            + " 192.168.1.100:68 at its MAC",
        "receives DHCP REQUEST from 02:00:00:00:0a:01 (kern), sent from 0.0.0.0:68 to 255.255.255.255:67 (it has no"
            + " address yet); it asks for 192.168.1.100",
        "acknowledges 192.168.1.100 to 02:00:00:00:0a:01: leased for 1h, renewal from 30m (T1), rebinding from"
            + " 52m30s (T2); sent to 192.168.1.100:68")) {
      assertTrue(story.contains(line), () -> "missing: " + line + "\n" + story);
    }
    Tools.assertCapturesClean(out);
  }

  @Test
  void emusClientTakesALeaseFromDnsmasq(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out");
    Path leases = dir.resolve("dnsmasq.leases");
    ok("up", "src/test/resources/labs/linux-dnsmasq.yml", "--out", out.toString());
    Process dnsmasq = null;
    try {
      dnsmasq = new ProcessBuilder("ip", "netns", "exec", "emu-dnsmasqinterop-srv", Tools.require("dnsmasq").toString(),
          "--no-daemon", "--conf-file=/dev/null", "--user=root", "--port=0", "--interface=eth0", "--bind-interfaces",
          "--dhcp-range=192.168.1.100,192.168.1.150,255.255.255.0,2h", "--dhcp-option=3,192.168.1.2",
          "--dhcp-option=6,192.168.1.2", "--dhcp-leasefile=" + leases, "--dhcp-authoritative", "--log-dhcp")
          .redirectErrorStream(true).redirectOutput(dir.resolve("dnsmasq.log").toFile()).start();
      // the client has been sending DISCOVERs since the lab came up; it retries with backoff
      String addr = "";
      long deadline = System.currentTimeMillis() + 60_000;
      while (!addr.contains("dynamic") && System.currentTimeMillis() < deadline) {
        Thread.sleep(500);
        addr = ok("exec", "client", "--", "ip", "addr").out();
      }
      String log = java.nio.file.Files.readString(dir.resolve("dnsmasq.log"));
      assertTrue(addr.matches("(?s).*inet 192\\.168\\.1\\.1[0-4][0-9]/24 brd 192\\.168\\.1\\.255 scope global dynamic"
          + " eth0.*valid_lft 7[0-9]{3}sec.*"), addr + "\n" + log);
      Cli ping = ok("exec", "client", "--", "ping", "-c", "2", "192.168.1.2");
      assertTrue(ping.out().contains("2 received"), ping.out());
      String lease = java.nio.file.Files.readString(leases);
      assertTrue(lease.matches("(?s)\\d+ 02:00:00:00:00:64 192\\.168\\.1\\.1[0-4][0-9] client 01:02:00:00:00:00:64\\s*"),
          lease + "\n" + log);
      Cli status = ok("status");
      assertTrue(status.out().contains(" (dhcp)"), status.out());
    } finally {
      if (dnsmasq != null) {
        dnsmasq.destroy();
        dnsmasq.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
      }
      Cli down = emu("down");
      assertEquals(0, down.exit(), down.err());
    }
    Tools.assertCapturesClean(out);
  }
}
