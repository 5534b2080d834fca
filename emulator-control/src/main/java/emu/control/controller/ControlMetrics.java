package emu.control.controller;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code GET /metrics} of the control plane, in Prometheus' text format (Micrometer): whether
 * each node and link is up, and each endpoint's impairment counters. Values come from a status
 * snapshot taken at scrape time; label values are node and endpoint names, which the topology
 * bounds.
 */
final class ControlMetrics {
  private static final List<String> DROP_REASONS = List.of("loss", "down", "queue", "mtu");
  private static final List<String> EVENTS = List.of("duplicated", "corrupted", "reordered", "delayed");

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Double> values = new ConcurrentHashMap<>();
  private final Set<String> registered = new HashSet<>();

  /** Refreshes the snapshot from a {@link LabController#status()} and renders it. */
  @SuppressWarnings("unchecked")
  synchronized String scrape(Map<String, Object> status) {
    values.clear();
    for (Object o : (List<Object>) status.get("nodes")) {
      Map<String, Object> n = (Map<String, Object>) o;
      String node = (String) n.get("name");
      gauge("emu.node.up", "1 if the node's process runs and answers", "node", node,
          "running".equals(n.get("state")) ? 1 : 0);
      Object ifaces = n.get("interfaces");
      if (ifaces instanceof List<?> list) {
        for (Object io : list) {
          Map<String, Object> i = (Map<String, Object>) io;
          String ep = node + ":" + i.get("name");
          Object c = i.get("impairment_counters");
          if (c instanceof Map<?, ?> counters) {
            counter("emu.impairment.frames", "frames offered to the endpoint's egress impairment", ep, null,
                num(counters.get("frames")));
            for (String r : DROP_REASONS) {
              counter("emu.impairment.drops", "frames the impairment dropped, by reason", ep, r,
                  num(counters.get(r + "_drops")));
            }
            for (String e : EVENTS) {
              counter("emu.impairment." + e, "frames the impairment " + e, ep, null, num(counters.get(e)));
            }
          }
        }
      }
    }
    for (Object o : (List<Object>) status.get("links")) {
      Map<String, Object> l = (Map<String, Object>) o;
      gauge("emu.link.up", "1 if the link is up at both ends", "link", (String) l.get("name"),
          "up".equals(l.get("state")) ? 1 : 0);
    }
    return registry.scrape();
  }

  private static double num(Object o) {
    return o instanceof Number n ? n.doubleValue() : 0;
  }

  private void gauge(String name, String help, String tag, String value, double v) {
    String key = name + "|" + value;
    values.put(key, v);
    if (registered.add(key)) {
      Gauge.builder(name, values, m -> m.getOrDefault(key, Double.NaN)).description(help).tag(tag, value)
          .register(registry);
    }
  }

  private void counter(String name, String help, String endpoint, String reason, double v) {
    String key = name + "|" + endpoint + "|" + reason;
    values.put(key, v);
    if (registered.add(key)) {
      FunctionCounter.Builder<Map<String, Double>> b = FunctionCounter
          .builder(name, values, m -> m.getOrDefault(key, 0.0)).description(help).tag("endpoint", endpoint);
      if (reason != null) {
        b.tag("reason", reason);
      }
      b.register(registry);
    }
  }
}
