package emu.control.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import emu.control.state.LabState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The nodes' state and counters for a report, taken before the nodes stop. Every node is asked at
 * once, each on its own thread, and the whole snapshot waits at most a deadline: a node that is
 * down says so, and one that hangs (stopped, overloaded) is reported as not answering instead of
 * holding up the report.
 */
public final class LabSnapshot {
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final Duration DEADLINE = Duration.ofSeconds(4);

  private LabSnapshot() {}

  /** Each node of the lab, as {@code describe} says (the control plane's description of a node). */
  public static List<JsonNode> take(LabState lab, Function<String, Map<String, Object>> describe) {
    Map<String, String> kinds = new LinkedHashMap<>();
    lab.nodes().forEach(n -> kinds.put(n.name(), n.kind()));
    return take(kinds, describe, DEADLINE);
  }

  /** {@code ask} each node of {@code kinds} (name to kind), in parallel, within {@code deadline}. */
  static List<JsonNode> take(Map<String, String> kinds, Function<String, Map<String, Object>> ask, Duration deadline) {
    Map<String, CompletableFuture<Map<String, Object>>> asked = new LinkedHashMap<>();
    for (String name : kinds.keySet()) {
      CompletableFuture<Map<String, Object>> f = new CompletableFuture<>();
      Thread t = new Thread(() -> {
        try {
          f.complete(ask.apply(name));
        } catch (RuntimeException e) {
          f.completeExceptionally(e);
        }
      }, "emu-report-" + name);
      t.setDaemon(true); // a node that never answers must not keep the control process alive
      t.start();
      asked.put(name, f);
    }
    long end = System.nanoTime() + deadline.toNanos();
    List<JsonNode> out = new ArrayList<>();
    for (var e : asked.entrySet()) {
      String name = e.getKey();
      try {
        long left = Math.max(0, end - System.nanoTime());
        out.add(JSON.valueToTree(e.getValue().get(left, TimeUnit.NANOSECONDS)));
      } catch (TimeoutException ex) {
        out.add(down(name, kinds.get(name), "not answering", "no status within " + deadline.toSeconds() + " s"));
      } catch (ExecutionException ex) {
        out.add(down(name, kinds.get(name), "not answering", String.valueOf(ex.getCause().getMessage())));
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        out.add(down(name, kinds.get(name), "not asked", "interrupted"));
      }
    }
    return out;
  }

  private static JsonNode down(String name, String kind, String state, String reason) {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", name);
    o.put("kind", kind);
    o.put("state", state);
    o.put("reason", reason);
    return o;
  }
}
