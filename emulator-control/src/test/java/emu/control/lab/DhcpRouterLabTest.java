package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import emu.control.lab.Tools.Cli;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A home router's WAN by DHCP, every node its own process (lab {@code labs/dhcp-router.yml}):
 * the router takes its address and default route from the ISP's server and forwards a host's
 * traffic over it; the ISP's router, the DHCP server, is restarted with {@code node restart}
 * mid-lease, reads its lease back from its lease file, and ACKs the client's next renewal with
 * the same address; the home router restarted asks for its lease again (INIT-REBOOT) from its
 * own lease file, gets it, and forwards again.
 */
class DhcpRouterLabTest {
  @TempDir
  static Path state;

  static final Path LAB = Path.of("src/test/resources/labs/dhcp-router.yml");
  private static final Pattern LEASE = Pattern.compile("(\\d+) ([0-9a-f:]{17}) 100\\.64\\.0\\.10 home (\\S+)");

  @BeforeAll
  static void isolateState() {
    System.setProperty("emu.stateDir", state.toString());
  }

  @AfterAll
  static void noNodeLeft() {
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
  }

  /** Waits until home:eth0 holds 100.64.0.10 by DHCP, as {@code status} shows it. */
  private static void awaitLease(Path out) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    JsonNode eth0 = null;
    while (System.currentTimeMillis() < deadline) {
      eth0 = FaultInjectionTest.iface(FaultInjectionTest.status(), "home", "eth0");
      if ("bound".equals(eth0.path("dhcp").asText()) && "100.64.0.10/24".equals(eth0.path("address").asText())) {
        return;
      }
      Thread.sleep(200);
    }
    StringBuilder events = new StringBuilder();
    for (String node : List.of("home", "isp")) {
      Path f = out.resolve(node + ".events.jsonl");
      if (java.nio.file.Files.exists(f)) {
        List<String> lines = java.nio.file.Files.readAllLines(f);
        events.append("\n").append(node).append(":\n")
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
      }
    }
    throw new AssertionError("home:eth0 has no lease: " + eth0 + events);
  }

  /** The expiry (epoch seconds) of home's lease in the ISP's {@code dhcp leases}. */
  private static long leaseExpiry() {
    Cli leases = Tools.ok("exec", "isp", "--", "dhcp", "leases");
    Matcher m = LEASE.matcher(leases.out());
    assertTrue(m.find(), leases.out());
    return Long.parseLong(m.group(1));
  }

  private static void pcReachesWeb() {
    Cli ping = emu("exec", "pc", "--", "ping", "-c", "2", "-i", "0.2", "203.0.113.80");
    assertEquals(2, FaultInjectionTest.received(ping), ping.out());
  }

  @Test
  void theWanLeaseCarriesTrafficAndSurvivesRestartsOfServerAndClient(@TempDir Path out) throws Exception {
    Cli up = emu("up", LAB.toString(), "--out", out.toString(), "--no-capture", "--seed", "18");
    try {
      assertEquals(0, up.exit(), up.out() + up.err());
      awaitLease(out);
      String routes = Tools.ok("exec", "home", "--", "ip", "route").out();
      assertTrue(routes.contains("default via 100.64.0.1 dev eth0"), routes);
      pcReachesWeb();
      long expiry = leaseExpiry();

      // the server's node is killed and started again: its lease file gives it the lease back
      Tools.ok("node", "restart", "isp");
      assertEquals(expiry, leaseExpiry(), "the restarted server remembers the lease");
      Thread.sleep(1100); // so the renewed lease ends at a later second
      Cli renew = Tools.ok("exec", "home", "--", "dhcp", "renew", "eth0");
      assertTrue(renew.out().contains("renewing 100.64.0.10 on eth0 with 100.64.0.1"), renew.out());
      long deadline = System.currentTimeMillis() + 10_000;
      long renewed = expiry;
      while (renewed == expiry && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
        renewed = leaseExpiry();
      }
      assertTrue(renewed > expiry, "the renewal was ACKed and the lease extended");
      String stats = Tools.ok("exec", "isp", "--", "dhcp", "stats").out();
      assertTrue(stats.contains("acks 1") && !stats.contains("dropped_no_record"), stats);
      awaitLease(out);
      String addr = Tools.ok("exec", "home", "--", "ip", "addr").out();
      assertTrue(addr.matches("(?s).*inet 100\\.64\\.0\\.10/24 .*dynamic eth0.*valid_lft 3[5-6]\\d\\dsec.*"), addr);
      pcReachesWeb();

      // the home router's node is killed and started again: INIT-REBOOT from its lease file
      Tools.ok("node", "restart", "home");
      awaitLease(out);
      String events = java.nio.file.Files.readString(out.resolve("home.events.jsonl"));
      assertTrue(events.contains("\"type\":\"dhcp.client_reboot\""), events);
      assertTrue(events.contains("\"message\":\"REQUEST\",\"state\":\"init-reboot\""), events);
      assertTrue(!events.contains("\"message\":\"DISCOVER\""), "no DISCOVER: " + events);
      assertTrue(java.nio.file.Files.readString(out.resolve("home.dhcp-client.leases"))
          .startsWith("eth0 address=100.64.0.10/24 server=100.64.0.1 "));
      pcReachesWeb();
    } finally {
      Cli down = emu("down");
      assertEquals(0, down.exit(), down.err());
    }
  }

  /** {@code run} waits for the router's lease before the first step, as for a host's, and tells it. */
  @Test
  void runWaitsForTheRoutersLease(@TempDir Path out) {
    Cli r = emu("run", LAB.toString(), "--out", out.toString(), "--seed", "19", "--no-capture");
    String o = r.out();
    assertEquals(0, r.exit(), () -> "run failed:\n" + o + "\n" + r.err());
    assertTrue(!o.contains("no DHCP lease after"), o);
    String bound = "home     configures 100.64.0.10/24 on eth0 from 100.64.0.1's lease, default route via 100.64.0.1,"
        + " resolver 203.0.113.53";
    assertTrue(o.contains(bound), o);
    assertTrue(o.indexOf(bound) < o.indexOf("step 1/3"), "told in the lab's start: " + o);
    assertTrue(o.contains("default via 100.64.0.1 dev eth0"), o);
    assertTrue(o.contains("2 packets transmitted, 2 received"), o);
  }
}
