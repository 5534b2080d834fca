package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.lab.Tools.Cli;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OSPF labs whose every node is its own process. Five routers in a ring (lab {@code
 * labs/ospf-ring.yml}): every router becomes Full with both ring neighbours, h1 pings h3 across
 * the ring, and when the link r1-r2 goes down (carrier, both ends) r1 reroutes over r5 and r4 and
 * the ping gets through again. Ten routers from cold (lab {@code labs/ospf-ten.yml}): every
 * adjacency becomes Full, every router holds all ten router-LSAs and routes to both host LANs,
 * h1 reaches h10 along the cheapest path; then r4, on that path, is killed outright (SIGKILL: its links keep their
 * carrier, it only falls silent), its neighbours declare it down when their dead interval (4 s)
 * runs out, and the traffic moves to r3 r8 r9 r10. The times are printed, not asserted beyond
 * generous bounds: they are figures for a noisy machine, not a benchmark.
 */
class OspfRingLabTest {
  @TempDir
  static Path state;

  static final Path LAB = Path.of("src/test/resources/labs/ospf-ring.yml");
  static final Path TEN = Path.of("src/test/resources/labs/ospf-ten.yml");
  private static final ObjectMapper JSON = new ObjectMapper();

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

  /**
   * Pings h1 to h3 until three of three come back or 15 s pass. r1's table alone does not make a
   * path: the other routers' SPF runs throttled and may install the way back a little later.
   */
  private static int pingsOnceConverged() throws InterruptedException {
    long deadline = System.currentTimeMillis() + 15_000;
    int got = pings();
    while (got < 3 && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
      got = pings();
    }
    return got;
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
      assertEquals(3, pingsOnceConverged());

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
      assertEquals(3, pingsOnceConverged(), "the ping path recovered over r5 and r4");
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

  /** Each router's number of OSPF neighbours in the lab: its degree in the picture. */
  private static final Map<String, Integer> DEGREE = Map.of("r1", 2, "r2", 2, "r3", 3, "r4", 2, "r5", 2,
      "r6", 2, "r7", 2, "r8", 3, "r9", 2, "r10", 2);

  /**
   * Routers not yet converged: without a Full adjacency per link or all ten router-LSAs (their
   * summary in {@code emu status --json}), or without OSPF routes to both host LANs (SPF runs
   * throttled, up to 5 s after the last LSA of a busy cold start, so a full database is not yet
   * a full table).
   */
  private static List<String> unconverged() throws Exception {
    Cli c = emu("status", "--json");
    if (c.exit() != 0) {
      return List.of("(status failed: " + c.err() + ")");
    }
    JsonNode nodes = JSON.readTree(c.out()).path("nodes");
    List<String> waiting = new ArrayList<>();
    for (Map.Entry<String, Integer> e : new TreeMap<>(DEGREE).entrySet()) {
      String r = e.getKey();
      JsonNode ospf = node(nodes, r).path("ospf");
      long full = 0;
      for (JsonNode n : ospf.path("neighbors")) {
        full += n.path("state").asText().startsWith("Full") ? 1 : 0;
      }
      if (full != e.getValue() || ospf.path("lsas").asInt() != 10) {
        waiting.add(r + " (" + full + " Full, " + ospf.path("lsas").asInt() + " LSAs)");
        continue;
      }
      Cli routes = emu("exec", r, "--", "show", "ip", "route", "ospf");
      for (String lan : List.of("10.1.0.0/24", "10.10.0.0/24")) {
        boolean own = r.equals("r1") && lan.equals("10.1.0.0/24") || r.equals("r10") && lan.equals("10.10.0.0/24");
        if (!own && !routes.out().contains("O>* " + lan + " ")) {
          waiting.add(r + " (no route to " + lan + ")");
        }
      }
    }
    return waiting;
  }

  private static JsonNode node(JsonNode nodes, String name) {
    for (JsonNode n : nodes) {
      if (name.equals(n.path("name").asText())) {
        return n;
      }
    }
    return JSON.missingNode();
  }

  private static String awaitRoute(String router, String line, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    String routes = "";
    while (System.currentTimeMillis() < deadline) {
      routes = Tools.ok("exec", router, "--", "show", "ip", "route", "ospf").out();
      if (routes.contains(line)) {
        break;
      }
      Thread.sleep(100);
    }
    return routes;
  }

  /** Whether the node whose events these are saw the neighbour's dead interval run out. */
  private static boolean declaredDown(Path events, String routerId) throws IOException {
    for (String line : Files.readAllLines(events)) {
      if (line.contains("\"type\":\"ospf.neighbor\"") && line.contains("\"router_id\":\"" + routerId + "\"")
          && line.contains("\"event\":\"InactivityTimer\"")) {
        return true;
      }
    }
    return false;
  }

  @Test
  void tenRoutersConvergeFromColdAndRouteAroundAKilledOne(@TempDir Path out) throws Exception {
    Cli up = emu("up", TEN.toString(), "--out", out.toString(), "--no-capture", "--seed", "31");
    long started = System.nanoTime();
    try {
      assertEquals(0, up.exit(), up.out() + up.err());
      long deadline = System.currentTimeMillis() + 60_000;
      List<String> waiting = unconverged();
      while (!waiting.isEmpty() && System.currentTimeMillis() < deadline) {
        Thread.sleep(250);
        waiting = unconverged();
      }
      assertEquals(List.of(), waiting, "routers not converged after 60 s: " + Tools.ok("status", "--json").out());
      String toH10 = "O>* 10.10.0.0/24 [110/60] via 10.0.1.2, eth1";
      String r1 = awaitRoute("r1", toH10, 15_000);
      assertTrue(r1.contains(toH10), r1);
      String toH1 = "O>* 10.1.0.0/24 [110/60] via 10.0.11.5, eth2";
      String r10 = awaitRoute("r10", toH1, 15_000);
      assertTrue(r10.contains(toH1), r10);
      System.out.printf("ospf-ten: converged %d ms after emu up returned%n", (System.nanoTime() - started) / 1_000_000);
      Cli ping = Tools.ok("exec", "h1", "--", "ping", "-c", "3", "-i", "0.2", "10.10.0.10");
      assertEquals(3, FaultInjectionTest.received(ping), ping.out());
      assertTrue(ping.out().contains("ttl=58"), "six routers on the way: " + ping.out());

      long killed = System.nanoTime();
      assertEquals(0, emu("node", "kill", "r4").exit());
      String around = "O>* 10.10.0.0/24 [110/80] via 10.0.1.2, eth1";
      String after = awaitRoute("r1", around, 20_000);
      assertTrue(after.contains(around), "r1 still reaches h10 via r2, now over r3 r8 r9 r10: " + after);
      String r3 = awaitRoute("r3", "O>* 10.10.0.0/24 [110/60] via 10.0.10.8, eth3", 5_000);
      assertTrue(r3.contains("O>* 10.10.0.0/24 [110/60] via 10.0.10.8, eth3"), r3);
      long rerouted = (System.nanoTime() - killed) / 1_000_000;
      System.out.printf("ospf-ten: routed around the killed r4 %d ms after the kill%n", rerouted);
      // No carrier loss: only the dead interval (4 s) tells r3 and r5 that r4 is gone.
      assertTrue(rerouted >= 3_000, "rerouted after " + rerouted + " ms, before the dead interval could end");
      int got = 0;
      deadline = System.currentTimeMillis() + 10_000;
      while (got < 3 && System.currentTimeMillis() < deadline) {
        // emu, not ok: a round that loses every ping exits 1, and the loop is there to try again
        got = FaultInjectionTest.received(emu("exec", "h1", "--", "ping", "-c", "3", "-i", "0.2", "10.10.0.10"));
      }
      assertEquals(3, got, "h1 reaches h10 again, around r4");
      // r1 reroutes as soon as either of r4's neighbours declares it down (r5's new LSA alone breaks
      // the path through r4), and r3's dead interval may end up to a hello interval after r5's:
      // wait for r3's own verdict rather than read its events at once.
      Path r3Events = out.resolve("r3.events.jsonl");
      deadline = System.currentTimeMillis() + 10_000;
      while (!declaredDown(r3Events, "4.4.4.4") && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(declaredDown(r3Events, "4.4.4.4"), "r3 declared r4 down when its dead interval ran out");
    } finally {
      Cli down = emu("down");
      assertEquals(0, down.exit(), down.err());
    }
  }
}
