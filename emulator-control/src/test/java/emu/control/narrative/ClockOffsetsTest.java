package emu.control.narrative;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ordering events of hosts whose clocks differ by their send/receive pairs. */
class ClockOffsetsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MS = 1_000_000;
  private long seq;

  private NodeEvent event(String node, long tsMs, String type, String src, String dst, Integer id) {
    ObjectNode raw = JSON.createObjectNode().put("ts", tsMs * MS).put("node", node).put("seq", seq).put("type", type)
        .put("msg", type);
    if (id != null) {
      raw.put("src", src).put("dst", dst).put("ip_id", id);
    }
    return NodeEvent.of(raw.put("seq", seq++));
  }

  @Test
  void aHostWhoseClockIsAheadIsSetBackSoEveryReceiveFollowsItsSend() {
    // b's host clock is 500 ms ahead; 10 ms each way on the wire.
    NodeEvent aSends = event("a", 1000, "eth.tx", "10.0.0.1", "10.0.0.2", 7);
    NodeEvent bReceives = event("b", 1510, "ip.rx", "10.0.0.1", "10.0.0.2", 7);
    NodeEvent bThinks = event("b", 1550, "app", null, null, null);
    NodeEvent bSends = event("b", 1600, "eth.tx", "10.0.0.2", "10.0.0.1", 9);
    NodeEvent aReceives = event("a", 1110, "ip.rx", "10.0.0.2", "10.0.0.1", 9);
    NodeEvent aLater = event("a", 1200, "app", null, null, null);
    ClockOffsets clocks = new ClockOffsets(Map.of("a", "m1", "b", "m2"), "a");
    List<NodeEvent> ordered = clocks.apply(new ArrayList<>(List.of(aSends, aReceives, aLater, bReceives, bThinks,
        bSends)));
    assertEquals(List.of(aSends.seq(), bReceives.seq(), bThinks.seq(), bSends.seq(), aReceives.seq(), aLater.seq()),
        ordered.stream().map(NodeEvent::seq).toList());
    assertEquals(500 * MS, clocks.offsets().get("m2"));
    assertEquals(1010 * MS, ordered.get(1).ts());
  }

  @Test
  void withoutPairsBothWaysClocksAreKeptButAReceiveStillFollowsItsSend() {
    NodeEvent aSends = event("a", 1000, "eth.tx", "10.0.0.1", "10.0.0.2", 7);
    NodeEvent bReceives = event("b", 700, "ip.rx", "10.0.0.1", "10.0.0.2", 7); // b's clock 310 ms behind
    ClockOffsets clocks = new ClockOffsets(Map.of("a", "m1", "b", "m2"), "a");
    List<NodeEvent> ordered = clocks.apply(new ArrayList<>(List.of(bReceives, aSends)));
    assertEquals(List.of(aSends.seq(), bReceives.seq()), ordered.stream().map(NodeEvent::seq).toList());
  }

  @Test
  void sendsOfAnEarlierPollAreRemembered() {
    ClockOffsets clocks = new ClockOffsets(Map.of("a", "m1", "b", "m2"), "a");
    NodeEvent aSends = event("a", 1000, "eth.tx", "10.0.0.1", "10.0.0.2", 7);
    clocks.apply(new ArrayList<>(List.of(aSends)));
    NodeEvent bReceives = event("b", 900, "ip.rx", "10.0.0.1", "10.0.0.2", 7);
    assertEquals(1000 * MS + 1_000, clocks.apply(new ArrayList<>(List.of(bReceives))).get(0).ts());
  }
}
