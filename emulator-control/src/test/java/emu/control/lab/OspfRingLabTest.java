package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.lab.Tools.Cli;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Five routers in a ring running OSPF, every node its own process (lab {@code labs/ospf-ring.yml}):
 * every router becomes Full with both ring neighbours, h1 pings h3 across the ring, and when the
 * link r1-r2 goes down (carrier, both ends) r1 reroutes over r5 and r4 and the ping gets through
 * again.
 */
class OspfRingLabTest {
  @TempDir
  static Path state;

  static final Path LAB = Path.of("src/test/resources/labs/ospf-ring.yml");

  @BeforeAll
  static void isolateState() {
    System.setProperty("emu.stateDir", state.toString());
  }

  @AfterAll
  static void noNodeLeft() {
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
  }

  private static boolean allFull() {
    for (String r : List.of("r1", "r2", "r3", "r4", "r5")) {
      Cli c = emu("exec", r, "--", "show", "ip", "ospf", "neighbor");
      if (c.exit() != 0 || c.out().split("Full/-", -1).length - 1 != 2) {
        return false;
      }
    }
    return true;
  }

  private static int pings() {
    Cli ping = emu("exec", "h1", "--", "ping", "-c", "3", "-i", "0.2", "10.3.0.10");
    return FaultInjectionTest.received(ping);
  }

  @Test
  void theRingConvergesAndHealsAfterALinkGoesDown(@TempDir Path out) throws Exception {
    Cli up = emu("up", LAB.toString(), "--out", out.toString(), "--no-capture", "--seed", "29");
    try {
      assertEquals(0, up.exit(), up.out() + up.err());
      long deadline = System.currentTimeMillis() + 30_000;
      while (!allFull() && System.currentTimeMillis() < deadline) {
        Thread.sleep(500);
      }
      assertTrue(allFull(), Tools.ok("exec", "r1", "--", "show", "ip", "ospf", "neighbor").out());
      // the last router-LSAs may still be on their way (MinLSInterval): give SPF a moment
      deadline = System.currentTimeMillis() + 15_000;
      String routes = "";
      while (System.currentTimeMillis() < deadline) {
        routes = Tools.ok("exec", "r1", "--", "show", "ip", "route", "ospf").out();
        if (routes.contains("O>* 10.3.0.0/24 [110/30] via 10.0.12.2, eth1")) {
          break;
        }
        Thread.sleep(500);
      }
      assertTrue(routes.contains("O>* 10.3.0.0/24 [110/30] via 10.0.12.2, eth1"), routes);
      assertTrue(Tools.ok("exec", "r1", "--", "ip", "route").out().contains("proto ospf"));
      assertEquals(3, pings());

      assertEquals(0, emu("link", "down", "r1:eth1").exit());
      deadline = System.currentTimeMillis() + 15_000;
      while (System.currentTimeMillis() < deadline) {
        routes = Tools.ok("exec", "r1", "--", "show", "ip", "route", "ospf").out();
        if (routes.contains("O>* 10.3.0.0/24 [110/40] via 10.0.15.5, eth2")) {
          break;
        }
        Thread.sleep(200);
      }
      assertTrue(routes.contains("O>* 10.3.0.0/24 [110/40] via 10.0.15.5, eth2"), routes);
      deadline = System.currentTimeMillis() + 15_000;
      int got = 0;
      while (got < 3 && System.currentTimeMillis() < deadline) {
        got = pings();
      }
      assertEquals(3, got, "the ping path recovered over r5 and r4");
      String events = java.nio.file.Files.readString(out.resolve("r1.events.jsonl"));
      assertTrue(events.contains("\"type\":\"ospf.neighbor\"") && events.contains("\"event\":\"LLDown\""), events);
      assertTrue(events.contains("\"type\":\"ospf.spf\""), events);
      String metrics = Tools.ok("exec", "r1", "--", "show", "ip", "ospf").out();
      assertTrue(metrics.contains("Number of fully adjacent neighbors in this area: 1"), metrics);
    } finally {
      Cli down = emu("down");
      assertEquals(0, down.exit(), down.err());
    }
  }
}
