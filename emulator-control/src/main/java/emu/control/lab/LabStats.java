package emu.control.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import emu.control.process.NodeClient;
import emu.control.state.LabState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * {@code emu stats}: every node's {@code GET /metrics}, asked of all nodes at once with a short
 * timeout each, as one JSON document (the full metric set per node, plus a summary), which the
 * command prints as it is or as a table.
 * A node that is down, killed or paused (SIGSTOP: the kernel accepts the connection, nobody
 * answers) is shown as such in its own row and never holds up the others.
 */
public final class LabStats {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(5000);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Labels every node's series carry; the node object says them once. */
  private static final List<String> COMMON_LABELS = List.of("lab", "node");

  private LabStats() {}

  /**
   * Collects every node's metrics.
   *
   * @param only the nodes to ask (null: all); names must be the lab's ({@link #unknown})
   * @param knownState the control plane's word for a node it killed or paused ("killed",
   *     "paused"), or null; may be null itself
   */
  public static ObjectNode collect(Lab lab, java.util.Collection<String> only, Duration timeout,
                                   Function<String, String> knownState) {
    LabState s = lab.state();
    Map<String, CompletableFuture<String>> asked = new LinkedHashMap<>();
    ObjectNode root = JSON.createObjectNode();
    root.put("lab", s.name());
    root.put("timeout_ms", timeout.toMillis());
    ArrayNode nodes = root.putArray("nodes");
    Map<String, ObjectNode> rows = new LinkedHashMap<>();
    for (LabState.NodeState n : s.nodes()) {
      if (only != null && !only.isEmpty() && !only.contains(n.name())) {
        continue;
      }
      ObjectNode o = nodes.addObject();
      o.put("name", n.name());
      o.put("kind", n.kind());
      o.put("pid", n.pid());
      rows.put(n.name(), o);
      String known = knownState == null ? null : knownState.apply(n.name());
      if (lab.isLinux(n.name())) {
        o.put("state", lab.running(n.name()) ? "running" : "down");
        o.put("reason", "a linux node (network namespace " + lab.netns(n.name()) + "): no emu metrics; "
            + "./emu exec " + n.name() + " -- ip -s link shows the kernel's counters");
      } else if ("external".equals(n.kind())) {
        o.put("state", "external");
        o.put("reason", "a peer outside emu: no metrics");
      } else if ("killed".equals(known)) {
        o.put("state", "down");
        o.put("reason", "killed (./emu node restart " + n.name() + " starts it again)");
      } else if (lab.process(n.name()).isEmpty()) {
        o.put("state", "down");
        o.put("reason", n.whyGone() + "; see " + n.log());
      } else {
        // asked even when known to be paused: the answer (none) is the truth, and costs one timeout
        asked.put(n.name(), lab.client(n.name()).metrics(timeout));
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos() + 1_000_000_000L;
    for (Map.Entry<String, CompletableFuture<String>> e : asked.entrySet()) {
      ObjectNode o = rows.get(e.getKey());
      try {
        String text = e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        o.put("state", "running");
        fill(o, PrometheusText.parse(text));
      } catch (ExecutionException | TimeoutException ex) {
        e.getValue().cancel(true);
        Throwable c = ex instanceof ExecutionException && ex.getCause() != null ? ex.getCause() : ex;
        String why = c instanceof TimeoutException ? "no answer within " + timeout.toMillis() + " ms"
            : String.valueOf(c.getMessage()).replaceFirst("^node \\S+: ", "");
        long pid = o.path("pid").asLong();
        boolean stopped = stopped(pid);
        o.put("state", c instanceof NodeClient.Refused ? "error"
            : stopped || "paused".equals(knownState == null ? null : knownState.apply(e.getKey()))
            ? "paused" : "not answering");
        o.put("reason", why + (stopped ? "; process " + pid + " is stopped (SIGSTOP): ./emu node resume "
            + e.getKey() : ""));
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        o.put("state", "not answering");
        o.put("reason", "interrupted");
      }
    }
    return root;
  }

  /** An error naming the nodes of {@code names} the lab does not have, and those it has; null if none. */
  public static String unknown(LabState s, java.util.Collection<String> names) {
    List<String> bad = new ArrayList<>();
    for (String n : names) {
      if (s.node(n) == null) {
        bad.add(n);
      }
    }
    if (bad.isEmpty()) {
      return null;
    }
    return "lab " + s.name() + " has no node named " + String.join(", ", bad) + " (it has: "
        + String.join(", ", s.nodes().stream().map(LabState.NodeState::name).toList()) + ")";
  }

  /** True if the process is stopped (SIGSTOP): state T in /proc/PID/stat. */
  static boolean stopped(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      int close = stat.lastIndexOf(')');
      return close > 0 && close + 2 < stat.length() && (stat.charAt(close + 2) == 'T' || stat.charAt(close + 2) == 't');
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The node's metrics by name, each a list of {labels, value}; and the figures the table shows. */
  private static void fill(ObjectNode o, List<PrometheusText.Sample> samples) {
    Map<String, List<PrometheusText.Sample>> byName = new LinkedHashMap<>();
    for (PrometheusText.Sample s : samples) {
      byName.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(s);
    }
    // interfaces, in the order the node lists them
    ArrayNode ifaces = o.putArray("interfaces");
    Map<String, ObjectNode> byIface = new LinkedHashMap<>();
    for (PrometheusText.Sample s : byName.getOrDefault("emu_interface_up", List.of())) {
      String name = s.labels().get("interface");
      ObjectNode i = ifaces.addObject();
      i.put("name", name);
      i.put("up", s.value() == 1);
      byIface.put(name, i);
    }
    iface(byName, byIface, "emu_interface_receive_frames_total", "rx_frames");
    iface(byName, byIface, "emu_interface_receive_bytes_total", "rx_bytes");
    iface(byName, byIface, "emu_interface_transmit_frames_total", "tx_frames");
    iface(byName, byIface, "emu_interface_transmit_bytes_total", "tx_bytes");
    for (ObjectNode i : byIface.values()) {
      String n = i.path("name").asText();
      long d = sumWhere(byName, "emu_interface_drops_total", "interface", n)
          + sumWhere(byName, "emu_impairment_drops_total", "interface", n);
      i.put("drops", d);
    }
    ObjectNode sum = o.putObject("summary");
    Map<String, Long> drops = new LinkedHashMap<>();
    for (PrometheusText.Sample s : byName.getOrDefault("emu_drops_total", List.of())) {
      if (s.value() > 0) {
        drops.merge(s.labels().getOrDefault("reason", "?"), (long) s.value(), Long::sum);
      }
    }
    sum.put("drops", drops.values().stream().mapToLong(Long::longValue).sum());
    ObjectNode top = sum.putObject("drops_by_reason");
    drops.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
        .thenComparing(Map.Entry.comparingByKey())).forEach(e -> top.put(e.getKey(), e.getValue()));
    if (byName.containsKey("emu_ip_forwarded_packets_total")) {
      sum.put("forwarded", (long) total(byName, "emu_ip_forwarded_packets_total"));
    }
    if (byName.containsKey("emu_bridge_forwarded_frames_total")) {
      sum.put("forwarded", (long) (total(byName, "emu_bridge_forwarded_frames_total")
          + total(byName, "emu_bridge_flooded_frames_total")));
    }
    if (byName.containsKey("emu_tcp_connections")) {
      sum.put("tcp_established", sumWhere(byName, "emu_tcp_connections", "state", "established"));
      sum.put("tcp_listening", sumWhere(byName, "emu_tcp_connections", "state", "listen"));
      sum.put("tcp_retransmits", (long) total(byName, "emu_tcp_retransmitted_segments_total"));
      double n = total(byName, "emu_tcp_rtt_seconds_count");
      if (n > 0) {
        sum.put("tcp_rtt_mean_ms", Math.round(total(byName, "emu_tcp_rtt_seconds_sum") / n * 1e6) / 1e3);
      }
    }
    if (byName.containsKey("emu_dns_client_queries_total")) {
      sum.put("dns_queries", (long) total(byName, "emu_dns_client_queries_total"));
      sum.put("dns_answers", (long) total(byName, "emu_dns_client_answers_total"));
    }
    if (byName.containsKey("emu_dns_server_queries_total")) {
      sum.put("dns_server_queries", (long) total(byName, "emu_dns_server_queries_total"));
      sum.put("dns_server_responses", (long) total(byName, "emu_dns_server_responses_total"));
    }
    if (byName.containsKey("emu_tls_handshakes_total")) {
      sum.put("tls_handshakes", sumWhere(byName, "emu_tls_handshakes_total", "outcome", "success"));
      sum.put("tls_failures", (long) total(byName, "emu_tls_handshakes_total")
          - sumWhere(byName, "emu_tls_handshakes_total", "outcome", "success"));
    }
    ObjectNode metrics = o.putObject("metrics");
    byName.forEach((name, list) -> {
      ArrayNode a = metrics.putArray(name);
      for (PrometheusText.Sample s : list) {
        ObjectNode v = a.addObject();
        ObjectNode labels = v.putObject("labels");
        s.labels().forEach((k, val) -> {
          if (!COMMON_LABELS.contains(k)) {
            labels.put(k, val);
          }
        });
        if (s.value() == Math.rint(s.value()) && !Double.isInfinite(s.value())) {
          v.put("value", (long) s.value());
        } else {
          v.put("value", s.value());
        }
      }
    });
  }

  private static void iface(Map<String, List<PrometheusText.Sample>> byName, Map<String, ObjectNode> byIface,
                            String metric, String field) {
    for (PrometheusText.Sample s : byName.getOrDefault(metric, List.of())) {
      ObjectNode i = byIface.get(s.labels().get("interface"));
      if (i != null) {
        i.put(field, (long) s.value());
      }
    }
  }

  private static double total(Map<String, List<PrometheusText.Sample>> byName, String metric) {
    double t = 0;
    for (PrometheusText.Sample s : byName.getOrDefault(metric, List.of())) {
      t += s.value();
    }
    return t;
  }

  private static long sumWhere(Map<String, List<PrometheusText.Sample>> byName, String metric, String label,
                               String value) {
    long t = 0;
    for (PrometheusText.Sample s : byName.getOrDefault(metric, List.of())) {
      if (value.equals(s.labels().get(label))) {
        t += (long) s.value();
      }
    }
    return t;
  }
}
