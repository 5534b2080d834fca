package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import emu.control.lab.Tools.Cli;
import emu.control.state.LabState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metrics of a running multi-process lab (h0 - r1 - h1): each node's {@code GET /metrics} moves as
 * the traffic says (what one end of a lossless link sends the other receives, the router forwards,
 * impairment and no-route drops are counted) and parses with Prometheus' own parser; {@code emu
 * stats} prints the table and JSON, refuses unknown nodes, and reports a paused or killed node
 * without waiting on it.
 */
class StatsTest {
  @TempDir
  static Path state;

  static final Path LAB = Path.of("src/test/resources/labs/metrics.yml");
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void isolateState() {
    System.setProperty("emu.stateDir", state.toString());
  }

  @AfterAll
  static void noProcessLeft() {
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
  }

  static String metrics(String node) throws Exception {
    return metrics("metricslab", node);
  }

  static String metrics(String lab, String node) throws Exception {
    return Lab.attach(lab).client(node).metrics(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
  }

  /** Samples keyed as {@code name{labels}} without the common labels (lab, node). */
  static Map<String, Double> samples(String node) throws Exception {
    return samples("metricslab", node);
  }

  /** As above, of a node of another lab. */
  static Map<String, Double> samples(String lab, String node) throws Exception {
    Map<String, Double> m = new HashMap<>();
    for (PrometheusText.Sample s : PrometheusText.parse(metrics(lab, node))) {
      StringBuilder k = new StringBuilder(s.name());
      StringBuilder l = new StringBuilder();
      s.labels().forEach((key, v) -> {
        if (!key.equals("lab") && !key.equals("node")) {
          l.append(l.length() == 0 ? "" : ",").append(key).append("=\"").append(v).append('"');
        }
      });
      m.put(l.length() == 0 ? k.toString() : k.append('{').append(l).append('}').toString(), s.value());
    }
    return m;
  }

  static double delta(Map<String, Double> after, Map<String, Double> before, String key) {
    assertTrue(after.containsKey(key), key + " not in " + after.keySet());
    return after.get(key) - before.getOrDefault(key, 0.0);
  }

  static int received(Cli ping) {
    Matcher m = Pattern.compile("(\\d+) received").matcher(ping.out() + ping.err());
    assertTrue(m.find(), ping.out() + ping.err());
    return Integer.parseInt(m.group(1));
  }

  static final String TX = "emu_interface_transmit_frames_total{interface=\"eth0\"}";
  static final String RX = "emu_interface_receive_frames_total{interface=\"eth0\"}";

  @Test
  void countersMoveWithTheTrafficAndStatsReportsEveryNode(@TempDir Path out) throws Exception {
    Cli up = emu("up", LAB.toString(), "--out", out.toString(), "--no-capture", "--seed", "5");
    try {
      assertEquals(0, up.exit(), up.out() + up.err());
      // Deltas: a gratuitous ARP sent while the peer's process was still starting is lost for real.
      Map<String, Double> h0a = samples("h0");
      Map<String, Double> r1a = samples("r1");
      Map<String, Double> h1a = samples("h1");
      assertEquals(3, received(emu("exec", "h0", "--", "ping", "-c", "3", "-i", "0.2", "h1")));
      Map<String, Double> h0b = samples("h0");
      Map<String, Double> r1b = samples("r1");
      Map<String, Double> h1b = samples("h1");
      double sent = delta(h0b, h0a, TX);
      assertTrue(sent >= 3, "h0 sent " + sent);
      assertEquals(sent, delta(r1b, r1a, RX), "lossless link: what h0 sent, r1 received");
      assertEquals(delta(r1b, r1a, TX), delta(h0b, h0a, RX));
      assertEquals(delta(r1b, r1a, "emu_interface_transmit_frames_total{interface=\"eth1\"}"), delta(h1b, h1a, RX));
      assertEquals(delta(h1b, h1a, TX), delta(r1b, r1a, "emu_interface_receive_frames_total{interface=\"eth1\"}"));
      assertEquals(delta(h0b, h0a, "emu_interface_transmit_bytes_total{interface=\"eth0\"}"),
          delta(r1b, r1a, "emu_interface_receive_bytes_total{interface=\"eth0\"}"));
      assertEquals(6.0, delta(r1b, r1a, "emu_ip_forwarded_packets_total"), "3 requests and 3 replies crossed r1");

      // The reference parser reads every node's output.
      Path python = Tools.prometheusPython();
      for (String node : List.of("h0", "r1", "h1")) {
        List<String> families = Tools.parsePrometheus(python, metrics(node));
        assertTrue(families.stream().anyMatch(f -> f.startsWith("emu_drops counter ")), families.toString());
        assertTrue(families.stream().anyMatch(f -> f.startsWith("emu_tcp_rtt_seconds summary")), families.toString());
      }

      // Loss 100% on h0's egress: the requests are dropped there and counted as impairment drops.
      assertEquals(0, emu("link", "set", "h0:eth0", "--loss", "100%").exit());
      assertEquals(0, received(emu("exec", "h0", "--", "ping", "-c", "2", "-i", "0.2", "-W", "0.5", "h1")));
      Map<String, Double> h0c = samples("h0");
      assertTrue(delta(h0c, h0b, "emu_impairment_drops_total{interface=\"eth0\",reason=\"loss\"}") >= 2, h0c.toString());
      assertTrue(delta(h0c, h0b, "emu_drops_total{reason=\"impairment_loss\"}") >= 2);
      assertEquals(0, emu("link", "clear", "h0:eth0").exit());

      // No route at the router (it has none to 10.99.0.0/16): counted there.
      emu("exec", "h0", "--", "ping", "-c", "1", "-W", "0.5", "10.99.0.1");
      assertTrue(delta(samples("r1"), r1b, "emu_drops_total{reason=\"no_route\"}") >= 1);

      // The table, and JSON for machines.
      Cli table = emu("stats");
      System.out.println(table.out());
      assertEquals(0, table.exit(), table.err());
      assertTrue(table.out().contains("RX FRAMES") && table.out().contains("FORWARDED"), table.out());
      for (String node : List.of("h0", "r1", "h1")) {
        assertTrue(Pattern.compile("(?m)^  " + node + " +running +eth0 ").matcher(table.out()).find(), table.out());
      }
      assertTrue(table.out().contains("impairment_loss"), "top drop reasons name the loss:\n" + table.out());
      Cli js = emu("stats", "metricslab", "--json");
      assertEquals(0, js.exit(), js.err());
      JsonNode stats = JSON.readTree(js.out());
      JsonNode r1 = node(stats, "r1");
      assertEquals("running", r1.path("state").asText());
      assertTrue(r1.path("summary").path("forwarded").asLong() >= 6, r1.toString());
      assertTrue(r1.path("metrics").path("emu_ip_forwarded_packets_total").path(0).path("value").asLong() >= 6);
      assertEquals(2, r1.path("interfaces").size());

      // The control API serves the same.
      LabState lab = LabState.read(state.resolve("labs/metricslab"));
      HttpResponse<String> api = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
          "http://" + lab.controller().api() + "/labs/metricslab/stats/r1")).header("Authorization", "Bearer "
          + lab.token()).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, api.statusCode(), api.body());
      assertEquals("r1", JSON.readTree(api.body()).path("name").asText());

      // Bad input: an unknown node is named, with the nodes there are.
      Cli ghost = emu("stats", "--node", "ghost");
      assertEquals(2, ghost.exit());
      assertTrue(ghost.err().contains("no node named ghost") && ghost.err().contains("h0, r1, h1"), ghost.err());

      // A paused node (SIGSTOP: its kernel accepts the connection, nobody answers) does not hold up the rest.
      assertEquals(0, emu("node", "pause", "h1").exit());
      long t0 = System.nanoTime();
      Cli paused = emu("stats", "--json", "--timeout", "1000");
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(0, paused.exit(), paused.err());
      assertTrue(ms < 5000, "stats took " + ms + " ms with a paused node");
      JsonNode p = JSON.readTree(paused.out());
      assertEquals("paused", node(p, "h1").path("state").asText(), node(p, "h1").toString());
      assertTrue(node(p, "h1").path("reason").asText().contains("no answer within 1000 ms"), p.toString());
      assertEquals("running", node(p, "h0").path("state").asText());
      assertEquals("running", node(p, "r1").path("state").asText());
      Cli pausedTable = emu("stats", "--timeout", "1000");
      assertTrue(pausedTable.out().contains("h1: paused: no answer within 1000 ms"), pausedTable.out());
      assertEquals(0, emu("node", "resume", "h1").exit());

      // A killed node is down; the others still print.
      assertEquals(0, emu("node", "kill", "h1").exit());
      Cli killed = emu("stats");
      assertEquals(0, killed.exit(), killed.err());
      assertTrue(Pattern.compile("(?m)^  h1 +down ").matcher(killed.out()).find(), killed.out());
      assertTrue(Pattern.compile("(?m)^  r1 +running ").matcher(killed.out()).find(), killed.out());
    } finally {
      emu("down", "metricslab");
    }
    Cli gone = emu("stats", "metricslab");
    assertEquals(1, gone.exit());
    assertTrue(gone.err().contains("no lab named metricslab is up"), gone.err());
  }

  static JsonNode node(JsonNode stats, String name) {
    for (JsonNode n : stats.path("nodes")) {
      if (n.path("name").asText().equals(name)) {
        return n;
      }
    }
    throw new AssertionError(name + " not in " + stats);
  }
}
