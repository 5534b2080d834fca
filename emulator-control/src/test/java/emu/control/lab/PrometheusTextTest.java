package emu.control.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading Prometheus text as the nodes write it. */
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

}
