package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.lab.Tools.Cli;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ten OSPF routers, each its own process, from cold (lab {@code labs/ospf-ten.yml}): every
 * adjacency becomes Full, every router holds all ten router-LSAs, h1 reaches h10 along the cheapest
 * path; then r4, on that path, is killed outright (SIGKILL: its links keep their carrier, it only
 * falls silent), its neighbours declare it down when their dead interval (4 s) runs out, and the
 * traffic moves to r3 r8 r9 r10. The times are printed, not asserted beyond generous bounds: they
 * are figures for a noisy machine, not a benchmark.
 */
class OspfTenRoutersLabTest {
  @TempDir
  static Path state;

  static final Path LAB = Path.of("src/test/resources/labs/ospf-ten.yml");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Each router's number of OSPF neighbours in the lab: its degree in the picture. */
  private static final Map<String, Integer> DEGREE = Map.of("r1", 2, "r2", 2, "r3", 3, "r4", 2, "r5", 2,
      "r6", 2, "r7", 2, "r8", 3, "r9", 2, "r10", 2);

  @BeforeAll
  static void isolateState() {
    System.setProperty("emu.stateDir", state.toString());
  }

  @AfterAll
  static void noNodeLeft() {
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
  }

  /** Routers whose OSPF summary in {@code emu status --json} is not yet converged: a Full adjacency per link, 10 LSAs. */
  private static List<String> unconverged() throws Exception {
    Cli c = emu("status", "--json");
    if (c.exit() != 0) {
      return List.of("(status failed: " + c.err() + ")");
    }
    JsonNode nodes = JSON.readTree(c.out()).path("nodes");
    return DEGREE.entrySet().stream().filter(e -> {
      JsonNode ospf = node(nodes, e.getKey()).path("ospf");
      long full = 0;
      for (JsonNode n : ospf.path("neighbors")) {
        full += n.path("state").asText().startsWith("Full") ? 1 : 0;
      }
      return full != e.getValue() || ospf.path("lsas").asInt() != 10;
    }).map(Map.Entry::getKey).sorted().toList();
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

  @Test
  void tenRoutersConvergeFromColdAndRouteAroundAKilledOne(@TempDir Path out) throws Exception {
    Cli up = emu("up", LAB.toString(), "--out", out.toString(), "--no-capture", "--seed", "31");
    long started = System.nanoTime();
    try {
      assertEquals(0, up.exit(), up.out() + up.err());
      long deadline = System.currentTimeMillis() + 60_000;
      List<String> waiting = unconverged();
      while (!waiting.isEmpty() && System.currentTimeMillis() < deadline) {
        Thread.sleep(250);
        waiting = unconverged();
      }
      assertEquals(List.of(), waiting, "routers without all their adjacencies Full and all ten router-LSAs: "
          + Tools.ok("status", "--json").out());
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
        got = FaultInjectionTest.received(Tools.ok("exec", "h1", "--", "ping", "-c", "3", "-i", "0.2",
            "10.10.0.10"));
      }
      assertEquals(3, got, "h1 reaches h10 again, around r4");
      String events = Files.readString(out.resolve("r3.events.jsonl"));
      assertTrue(events.contains("\"router_id\":\"4.4.4.4\"") && events.contains("\"event\":\"InactivityTimer\""),
          "r3 declared r4 down when its dead interval ran out");
    } finally {
      Cli down = emu("down");
      assertEquals(0, down.exit(), down.err());
    }
  }
}
