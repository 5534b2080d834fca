package emu.node.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.node.event.BridgeEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The spanning tree's root events name the root bridge when the switch was told the lab's switches. */
class BridgeTraceTest {
  @Test
  void theRootIsNamedByItsBridgeAddress() {
    MemoryTracer t = new MemoryTracer();
    BridgeTrace trace = new BridgeTrace(t, Map.of(0x02_00_00_00_01_00L, "s1"));
    trace.rootChanged(0x1000_0200_0000_0100L, null, 0);
    trace.rootChanged(0x8000_0200_0000_0900L, null, 0);
    assertEquals(List.of(new BridgeEvent.StpRoot("1000.020000000100", null, 0, "s1"),
        new BridgeEvent.StpRoot("8000.020000000900", null, 0, null)), t.of(BridgeEvent.StpRoot.class),
        "a bridge the switch was not told of keeps its id only");
  }
}
