package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.TestLocks.KernelNetwork;
import emu.control.lab.Tools.Cli;
import emu.control.linux.LinuxNamespaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real, unmodified Linux software on the emulated network: two linux nodes (network namespaces
 * joined over VXLAN) talk with the kernel's ARP, IP and TCP to emu's router, DNS server, HTTPS
 * server and bulk service, with ping, traceroute, dig, curl, openssl and a Python TCP peer.
 * Needs root (CI runs as root); otherwise skipped, saying why.
 */
@KernelNetwork
class LinuxInteropTest {
  @TempDir
  static Path state;

  static final Path BULK_PY = Path.of("src/test/resources/interop/bulk.py").toAbsolutePath();

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
    for (String tool : List.of("ip", "ethtool", "ping", "traceroute", "dig", "curl", "openssl", "python3")) {
      Tools.require(tool);
    }
  }

  @AfterAll
  static void nothingLeft() throws Exception {
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
    assertTrue(LinuxNamespaces.namespaces().stream().noneMatch(n -> n.startsWith("emu-interop")),
        "namespaces left behind: " + LinuxNamespaces.namespaces());
  }

  static Cli ok(String... args) {
    Cli c = emu(args);
    assertEquals(0, c.exit(), () -> String.join(" ", args) + ":\n" + c.out() + c.err());
    return c;
  }

  @Test
  void linuxHostsTalkToEmulatedNodes(@TempDir Path dir) throws Exception {
    Path configs = Path.of(System.getProperty("emu.configs", "../configs")).toAbsolutePath();
    Files.writeString(dir.resolve("interop.yml"), """
        name: interop
        topology:
          defaults: {kind: host}
          nodes:
            kern:
              kind: linux
              interfaces: {eth0: {address: 192.168.1.10/24}}
              gateway: 192.168.1.1
              nameserver: 192.168.5.53
            client:
              interfaces: {eth0: {address: 192.168.1.100/24}}
              gateway: 192.168.1.1
              hosts: {real.corp.com: 192.168.5.200}
            sw1: {kind: switch}
            r1:
              kind: router
              interfaces: {eth0: {address: 192.168.1.1/24}, eth1: {address: 192.168.5.1/24}}
            sw2: {kind: switch}
            dns:
              interfaces: {eth0: {address: 192.168.5.53/24}}
              gateway: 192.168.5.1
              dns: {zones: {corp.com: %s/zones/corp.com.zone}}
            payroll:
              interfaces: {eth0: {address: 192.168.5.100/24}}
              gateway: 192.168.5.1
              services: [bulk]
              https: {names: [payroll.corp.com], content: {/: %s/www/payroll.html}}
            real:
              kind: linux
              interfaces: {eth0: {address: 192.168.5.200/24}}
              gateway: 192.168.5.1
              https: {names: [real.corp.com]}
          links:
            - endpoints: ["kern:eth0", "sw1:p1"]
            - endpoints: ["client:eth0", "sw1:p2"]
            - endpoints: ["r1:eth0", "sw1:p3"]
            - endpoints: ["r1:eth1", "sw2:p1"]
            - endpoints: ["dns:eth0", "sw2:p2"]
            - endpoints: ["payroll:eth0", "sw2:p3"]
            - endpoints: ["real:eth0", "sw2:p4"]
        """.formatted(configs, configs));
    Path out = dir.resolve("out");
    // the zone and the page stay in configs/, outside this folder: allowed by name
    ok("up", dir.resolve("interop.yml").toString(), "--out", out.toString(), "--no-capture", "--allow-files",
        configs.toString());
    try {
      assertTrue(LinuxNamespaces.exists("emu-interop-kern"));
      // The kernel's ping and traceroute across the emulated router.
      Cli ping = ok("exec", "kern", "--", "ping", "-c", "2", "-W", "5", "192.168.5.100");
      assertTrue(ping.out().contains("2 received"), ping.out());
      Cli tr = ok("exec", "kern", "--", "traceroute", "-n", "-w", "3", "-q", "1", "192.168.5.100");
      assertTrue(tr.out().matches("(?s).*\\n ?1 +192\\.168\\.1\\.1 .*\\n ?2 +192\\.168\\.5\\.100 .*"), tr.out());
      // dig against emu's DNS server, over UDP and over TCP.
      Cli dig = ok("exec", "kern", "--", "dig", "@192.168.5.53", "payroll.corp.com", "+short", "+time=5");
      assertEquals("192.168.5.100", dig.out().trim());
      Cli digTcp = ok("exec", "kern", "--", "dig", "@192.168.5.53", "payroll.corp.com", "+tcp", "+short");
      assertEquals("192.168.5.100", digTcp.out().trim());
      // curl and openssl verify emu's certificate against the lab CA (the name resolves through emu's DNS).
      String ca = out.resolve("lab-ca.pem").toString();
      Cli curl = ok("exec", "kern", "--", "curl", "-sS", "--max-time", "30", "--cacert", ca, "https://payroll.corp.com/");
      assertTrue(curl.out().contains("<h1>Payroll</h1>"), curl.out());
      Cli sclient = ok("exec", "kern", "--", "sh", "-c", "openssl s_client -connect payroll.corp.com:443 "
          + "-servername payroll.corp.com -verify_return_error -verify_hostname payroll.corp.com -CAfile " + ca
          + " </dev/null");
      assertTrue(sclient.out().contains("Verify return code: 0 (ok)"), sclient.out());

      // Bulk TCP both ways between the Linux kernel's TCP and emu's, clean then lossy.
      transfers("clean");
      ok("link", "set", "sw1:p1", "--loss", "2%", "--reorder", "10%", "--gap", "3", "--delay", "2ms");
      ok("link", "set", "sw1:p3", "--loss", "2%", "--reorder", "10%", "--gap", "3", "--delay", "2ms");
      transfers("lossy");
      ok("link", "clear", "sw1:p1");
      ok("link", "clear", "sw1:p3");

      // emu's https-get against a real TLS server (openssl s_server) in a namespace.
      Path pki = state.resolve("labs/interop/pki");
      Process server = new ProcessBuilder("ip", "netns", "exec", "emu-interop-real", "openssl", "s_server", "-www",
          "-accept", "443", "-cert", pki.resolve("real.pem").toString(), "-key", pki.resolve("real.key").toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("s_server.log").toFile()).start();
      try {
        Thread.sleep(1000);
        Cli get = ok("exec", "client", "--", "https-get", "https://real.corp.com/");
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
    assertTrue(!LinuxNamespaces.exists("emu-interop-kern") && !LinuxNamespaces.exists("emu-interop-real"));
  }

  /**
   * 8 MiB from the kernel to emu, then from emu to the kernel, each checked by SHA-256. Under
   * test the node JVMs run Netty's paranoid leak detector (a stack trace per buffer access), so
   * emu's side is slow and its event loop stalls now and then: expect spurious retransmissions
   * and a few Mbit/s here; what is checked is that every byte arrives, and that with loss both
   * TCPs really did repair it.
   */
  private void transfers(String what) throws Exception {
    Cli up = ok("exec", "kern", "--", "timeout", "120", "python3", BULK_PY.toString(), "client", "192.168.5.100",
        "5201", "8M");
    assertTrue(up.out().contains("MATCH") && !up.out().contains("MISMATCH"), what + ": kernel -> emu " + up.out());
    java.util.regex.Matcher kernelRetr = java.util.regex.Pattern.compile("retransmitted (\\d+) segments")
        .matcher(up.out());
    assertTrue(kernelRetr.find(), up.out());
    if (what.equals("lossy")) {
      // the loss really happened on the path, and the kernel's TCP repaired it
      assertTrue(Integer.parseInt(kernelRetr.group(1)) > 0, "kernel -> emu with loss, no retransmission: " + up.out());
    }
    System.out.println(what + ", kernel -> emu: " + up.out().trim());
    Process server = new ProcessBuilder("ip", "netns", "exec", "emu-interop-kern", "timeout", "120", "python3",
        BULK_PY.toString(), "server", "5202").redirectErrorStream(true).start();
    try {
      // the server listens once python has started in the namespace: wait for its socket, not a fixed time
      long until = System.nanoTime() + 30_000_000_000L;
      while (Tools.run(List.of("ip", "netns", "exec", "emu-interop-kern", "ss", "-Hltn", "sport", "=", ":5202"), 10)
          .output().isBlank()) {
        assertTrue(System.nanoTime() < until, "the kernel-side bulk server never listened on port 5202");
        Thread.sleep(100);
      }
      Cli down = ok("exec", "client", "--", "bulk", "client", "192.168.1.10", "-p", "5202", "--bytes", "8M",
          "--verify");
      assertTrue(down.out().contains("verified"), what + ": emu -> kernel " + down.out());
      System.out.println(what + ", emu -> kernel:\n" + down.out());
      java.util.regex.Matcher emuRetr = java.util.regex.Pattern.compile("sec .* (\\d+) +sender").matcher(down.out());
      assertTrue(emuRetr.find(), down.out());
      if (what.equals("lossy")) {
        assertTrue(Integer.parseInt(emuRetr.group(1)) > 0, "emu -> kernel with loss, no retransmission: " + down.out());
      }
    } finally {
      server.waitFor(30, TimeUnit.SECONDS);
      server.destroy();
    }
  }
}
