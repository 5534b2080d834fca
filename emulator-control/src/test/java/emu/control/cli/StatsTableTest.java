package emu.control.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stats table's rows for nodes that do not answer. */
class StatsTableTest {
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
    StatsTable.print(stats, new PrintWriter(out));
    List<String> lines = out.toString().lines().toList();
    assertEquals("  h0    running        eth0 (down)  1          60        2          120       0         -          5      -"
        + "                  -        -            no_route 3, ttl_expired 1, runt 1", lines.get(2));
    assertEquals("  h1: not answering: no answer within 2000 ms", lines.get(4));
  }
}
