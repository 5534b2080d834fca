package emu.node.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import emu.node.stack.DropReason;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The JSON lines of events files: every record has its own type and survives the round trip. */
class EventCodecTest {
  @Test
  void everyRecordHasItsOwnType() {
    Set<String> seen = new HashSet<>();
    for (Class<? extends TraceEvent> c : Samples.recordClasses()) {
      String type = EventCodec.typeOf(c);
      assertTrue(type.matches("[a-z][a-z0-9]*(\\.[a-z_0-9]+)?"), c + ": " + type);
      assertTrue(seen.add(type), "two records named " + type);
      assertEquals(c, EventCodec.classOf(type));
    }
    assertEquals(seen, EventCodec.types());
    assertTrue(seen.containsAll(List.of("eth.tx", "ip.rx", "ip.forward", "arp.request", "tcp.state", "drop")));
  }

  @Test
  void everyRecordComesBackEqualFromItsLine() throws IOException {
    for (int variant = 0; variant < 2; variant++) {
      for (TraceEvent e : Samples.all(variant)) {
        Stamped s = new Stamped(1_796_000_000_000_000_000L + variant, 42, "r1", e);
        String line = EventCodec.toJson(s, null);
        assertFalse(line.contains("\n"), "one line: " + line);
        Stamped back = EventCodec.read(line);
        assertEquals(s, back, line);
        JsonNode j = EventCodec.mapper().readTree(line);
        assertEquals(e.type(), j.path("type").asText(), "jq filters on .type: " + line);
        // the line holds the envelope and the record's components, nothing else
        java.util.Set<String> fields = new java.util.TreeSet<>();
        j.fieldNames().forEachRemaining(fields::add);
        java.util.Set<String> expected = new java.util.TreeSet<>(List.of("ts", "seq", "node", "type"));
        for (java.lang.reflect.RecordComponent rc : e.getClass().getRecordComponents()) {
          expected.add(new com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy()
              .translate(rc.getName()));
        }
        assertEquals(expected, fields, line);
        assertEquals("r1", j.path("node").asText());
      }
    }
  }

  @Test
  void linesAreSnakeCaseWithLowerCaseEnumsAndNoNulls() throws IOException {
    String line = EventCodec.toJson(new Stamped(5, 1, "r1", new IpEvent.Dropped(DropReason.NO_ROUTE, "eth0", null)),
        "dropped on eth0: no route");
    assertEquals("{\"ts\":5,\"seq\":1,\"node\":\"r1\",\"type\":\"drop\",\"msg\":\"dropped on eth0: no route\","
        + "\"reason\":\"no_route\",\"dev\":\"eth0\"}", line);
    String fwd = EventCodec.toJson(new Stamped(5, 2, "r1", new IpEvent.Forwarded("eth0", "eth1", "10.0.1.2",
        new RouteInfo("10.0.1.0/24", null, "eth1", "kernel", "10.0.1.1", 0), "10.0.1.2", 64, 63, 0x3d3e, 0x3e3e)), null);
    assertTrue(fwd.contains("\"ttl_before\":64,\"ttl_after\":63"), fwd);
    assertTrue(fwd.contains("\"route\":{\"prefix\":\"10.0.1.0/24\",\"dev\":\"eth1\",\"proto\":\"kernel\","
        + "\"src\":\"10.0.1.1\",\"metric\":0}"), "a route is its components, not RouteInfo.isDefault(): " + fwd);
    // the sentence is derived: reading ignores it
    assertEquals(EventCodec.read(line).event(), new IpEvent.Dropped(DropReason.NO_ROUTE, "eth0", null));
  }

  @Test
  void linesThatAreNotEventsAreRefusedWithTheReason() {
    IOException unknown = assertThrows(IOException.class,
        () -> EventCodec.read("{\"ts\":1,\"seq\":0,\"node\":\"x\",\"type\":\"no.such\"}"));
    assertTrue(unknown.getMessage().contains("unknown event type 'no.such'"), unknown.getMessage());
    assertThrows(IOException.class, () -> EventCodec.read("[1,2]"));
    assertThrows(IOException.class, () -> EventCodec.read("{\"ts\":1,\"node\":\"x\",\"ty"));
    assertThrows(IOException.class,
        () -> EventCodec.read("{\"ts\":1,\"seq\":0,\"node\":\"x\",\"type\":\"drop\",\"reason\":\"no_such_reason\"}"));
  }

  @Test
  void anOspfPacketKeepsItsHeaderAndOlderLinesReadWithoutIt() throws IOException {
    Packet hello = new Packet(4, "10.0.0.1", "224.0.0.5", 89, 1, 7, 68, 20, 0, false, null, null, null, null,
        new Packet.Ospf(1, "1.1.1.1", null));
    Stamped s = new Stamped(5, 1, "r1", new IpEvent.FrameSent("eth0", "02:00:00:00:00:01", "01:00:5e:00:00:05", 82,
        hello));
    String line = EventCodec.toJson(s, null);
    assertTrue(line.contains("\"ospf\":{\"type\":1,\"router_id\":\"1.1.1.1\"}"), line);
    assertEquals(s, EventCodec.read(line));
    // written before packets carried their OSPF header
    String old = line.replace(",\"ospf\":{\"type\":1,\"router_id\":\"1.1.1.1\"}", "");
    assertFalse(old.contains("ospf"), old);
    IpEvent.FrameSent back = (IpEvent.FrameSent) EventCodec.read(old).event();
    assertEquals(null, back.packet().ospf());
    assertEquals("224.0.0.5", back.packet().dst());
  }

  @Test
  void samplesOfOneRecordDifferInEveryField() {
    assertNotEquals(Samples.all(0), Samples.all(1));
  }
}
