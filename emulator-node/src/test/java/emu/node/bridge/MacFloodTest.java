package emu.node.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.DisconnectedEndpoint;
import emu.link.time.VirtualTime;
import emu.link.wire.EthernetFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/**
 * A MAC flood (one million source addresses, as macof sends) through the real bridge on virtual
 * time. Its ports are {@link DisconnectedEndpoint}s, which count and release what is sent to them,
 * so the only work is the bridge's own. Fails on the old code, whose table grew by one entry per
 * address (a million entries, some 100 MB in a node with a 128 MB heap).
 */
class MacFloodTest {
  private static final long A = 0x02_00_00_00_00_0AL;
  private static final long B = 0x02_00_00_00_00_0BL;
  private static final long FLOOD_BASE = 0x02_F0_00_00_00_00L;
  private static final int FLOOD = 1_000_000;

  private final VirtualTime time = new VirtualTime();
  private final LearningBridge bridge =
      new LearningBridge("sw1", time, BridgeObserver.OFF, LearningBridge.DEFAULT_AGEING_NANOS);
  private final BridgePort p1 = bridge.addPort("p1", new DisconnectedEndpoint("sw1:p1", 1500));
  private final BridgePort p2 = bridge.addPort("p2", new DisconnectedEndpoint("sw1:p2", 1500));
  private final BridgePort p3 = bridge.addPort("p3", new DisconnectedEndpoint("sw1:p3", 1500));

  /** A minimum-size frame (heap, so Netty's leak detector does not record a million of them). */
  private static ByteBuf frame(long dst, long src) {
    ByteBuf f = Unpooled.buffer(60, 60).writeZero(60);
    new EthernetFrame().wrap(f).dst(dst).src(src).etherType(0x88B5);
    return f;
  }

  private static long sentOn(BridgePort p) {
    return p.endpoint().counters().txErrors; // a DisconnectedEndpoint counts what it drops there
  }

  @Test
  void macFloodKeepsTheTableAtItsCapAndKnownStationsForwarded() {
    bridge.input(p1, frame(B, A));
    bridge.input(p2, frame(A, B));
    Runtime rt = Runtime.getRuntime();
    System.gc();
    long heapBefore = rt.totalMemory() - rt.freeMemory();
    for (int i = 0; i < FLOOD; i++) {
      // Random-looking destinations, none of them known: every frame is flooded.
      bridge.input(p3, frame(FLOOD_BASE + 0x1_0000_0000L + (i * 0x9E37_79B9L & 0xFFFF_FFFFL), FLOOD_BASE + i));
      time.advance(1_000); // 1 us apart: the flood lasts a second, well within the ageing time
    }
    System.gc();
    long heapAfter = rt.totalMemory() - rt.freeMemory();
    System.out.printf("MAC flood of %,d addresses: table %d entries (cap %d), %,d not learned, heap %+,d bytes%n",
        FLOOD, bridge.tableSize(), bridge.maxEntries(), bridge.fdbOverflow, heapAfter - heapBefore);

    assertEquals(LearningBridge.DEFAULT_MAX_ENTRIES, bridge.tableSize());
    assertEquals(FLOOD - (LearningBridge.DEFAULT_MAX_ENTRIES - 2), bridge.fdbOverflow);
    assertTrue(heapAfter - heapBefore < 16 << 20, "heap grew by " + (heapAfter - heapBefore));

    // The stations known before the flood are still forwarded to their port only.
    long flooded = bridge.flooded;
    long toP2 = sentOn(p2);
    long toP3 = sentOn(p3);
    bridge.input(p1, frame(B, A));
    assertEquals(flooded, bridge.flooded, "not flooded");
    assertEquals(toP2 + 1, sentOn(p2));
    assertEquals(toP3, sentOn(p3));

    // Once the flood's addresses have aged out, a full table is swept and learning resumes.
    time.advance(LearningBridge.DEFAULT_AGEING_NANOS);
    long c = 0x02_00_00_00_00_0CL;
    bridge.input(p3, frame(A, c));
    assertEquals(1, bridge.fdb().size());
    assertEquals(c, bridge.fdb().get(0).mac());
    assertEquals(p3, bridge.fdb().get(0).port());
  }
}
