package emu.control.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading Prometheus text as the nodes write it, and the stats table's rows for nodes that do not answer. */
class PrometheusTextTest {
  @Test
  void samplesWithAndWithoutLabelsEscapesAndSpecialValues() {
    List<PrometheusText.Sample> s = PrometheusText.parse("""
        # HELP emu_drops_total packets and frames the node dropped, by reason
        # TYPE emu_drops_total counter
        emu_drops_total{lab="l",node="r1",reason="no_route"} 3.0
        emu_ip_forwarded_packets_total 6.0
        emu_x{a="q\\"uote\\\\d",b="x,y"} +Inf
        emu_tcp_rtt_seconds_count{lab="l",node="r1"} 0
        not a sample
        """);
    assertEquals(4, s.size(), s.toString());
    assertEquals(new PrometheusText.Sample("emu_drops_total", Map.of("lab", "l", "node", "r1", "reason", "no_route"), 3),
        s.get(0));
    assertEquals(new PrometheusText.Sample("emu_ip_forwarded_packets_total", Map.of(), 6), s.get(1));
    assertEquals(Map.of("a", "q\"uote\\d", "b", "x,y"), s.get(2).labels());
    assertEquals(Double.POSITIVE_INFINITY, s.get(2).value());
    assertEquals(0, s.get(3).value());
  }

  @Test
  void aNodeThatDoesNotAnswerGetsARowAndANote() throws Exception {
    ObjectNode stats = (ObjectNode) new ObjectMapper().readTree("""
        {"lab": "l", "nodes": [
          {"name": "h0", "state": "running", "interfaces": [{"name": "eth0", "up": false, "rx_frames": 1,
            "rx_bytes": 60, "tx_frames": 2, "tx_bytes": 120, "drops": 0}],
           "summary": {"drops": 5, "drops_by_reason": {"no_route": 3, "ttl_expired": 1, "runt": 1, "ip_malformed": 0}}},
          {"name": "h1", "state": "not answering", "reason": "no answer within 2000 ms"}]}
        """);
    StringWriter out = new StringWriter();
    LabStats.print(stats, new PrintWriter(out));
    List<String> lines = out.toString().lines().toList();
    assertEquals("  h0    running        eth0 (down)  1          60        2          120       0         -          5      -"
        + "                  -        -            no_route 3, ttl_expired 1, runt 1", lines.get(2));
    assertEquals("  h1: not answering: no answer within 2000 ms", lines.get(4));
  }
}
