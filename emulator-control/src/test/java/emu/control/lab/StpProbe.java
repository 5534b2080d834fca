package emu.control.lab;

import static emu.control.lab.Tools.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the spanning-tree lab tests read from a running lab: a switch's port states as {@code
 * bridge link} prints them, its {@code bridge stp} view, its counters from {@code emu stats
 * --json}; and a wait for a condition with a deadline that says, on failure, what it last saw.
 */
final class StpProbe {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LINK = Pattern.compile("(?m)^\\d+: (\\S+): <[^>]*>.* state (\\w+) ");

  private StpProbe() {}

  /** Each port of switch {@code node} and its state in Linux's words (forwarding, blocking, ...). */
  static Map<String, String> states(String node) {
    String out = ok("exec", node, "--", "bridge", "link").out();
    Map<String, String> states = new LinkedHashMap<>();
    Matcher m = LINK.matcher(out);
    while (m.find()) {
      states.put(m.group(1), m.group(2));
    }
    if (states.isEmpty()) {
      throw new AssertionError(node + ": no port in bridge link's output:\n" + out);
    }
    return states;
  }

  /** {@code bridge stp} on switch {@code node}. */
  static String stp(String node) {
    return ok("exec", node, "--", "bridge", "stp").out();
  }

  /** The designated root switch {@code node} believes in, as {@code 1000.020000000100}. */
  static String root(String node) {
    Matcher m = Pattern.compile("designated root (\\S+)").matcher(stp(node));
    if (!m.find()) {
      throw new AssertionError(node + ": no designated root in bridge stp");
    }
    return m.group(1);
  }

  /** Metric {@code name} of {@code node}, summed over its labels (0 if it has none yet). */
  static long metric(String node, String name) {
    JsonNode stats = stats(node);
    long sum = 0;
    for (JsonNode n : stats.path("nodes")) {
      if (n.path("name").asText().equals(node)) {
        for (JsonNode sample : n.path("metrics").path(name)) {
          sum += sample.path("value").asLong();
        }
        return sum;
      }
    }
    throw new AssertionError(node + " not in " + stats);
  }

  private static JsonNode stats(String node) {
    String out = ok("stats", "--json", "--node", node).out();
    try {
      return JSON.readTree(out);
    } catch (JsonProcessingException e) {
      throw new AssertionError("emu stats --json printed no JSON: " + out, e);
    }
  }

  /**
   * Polls {@code done} every 200 ms until it holds, for at most {@code within}; on timeout fails
   * with {@code what} and what {@code seen} says now.
   */
  static void await(String what, Duration within, BooleanSupplier done, Supplier<String> seen)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + within.toSeconds() + " s: " + what + "\n" + seen.get());
      }
      Thread.sleep(200);
    }
  }

  /** tshark's lines for the frames of {@code pcap} matching {@code filter}. */
  static List<String> tshark(Path pcap, String filter, String... fields) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Tools.require("tshark").toString(), "-r", pcap.toString(), "-Y",
        filter));
    cmd.addAll(List.of(fields));
    Tools.Result r = Tools.run(cmd, 60);
    assertEquals(0, r.exit(), r.errors());
    return r.output().lines().filter(l -> !l.isBlank()).toList();
  }
}
