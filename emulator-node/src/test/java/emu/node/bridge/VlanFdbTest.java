package emu.node.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.link.DisconnectedEndpoint;
import emu.link.time.VirtualTime;
import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.link.wire.VlanTag;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A VLAN-aware switch's MAC table keyed by VLAN and MAC: a station moving within its VLAN, and a
 * full table, where a VLAN's unknown destination floods within that VLAN only. Ports are {@link
 * DisconnectedEndpoint}s, which count (as tx errors) and release what is sent to them: p1 access
 * VLAN 10, p2 access VLAN 20, p3 and p4 trunks of 10 and 20.
 */
class VlanFdbTest {
  private static final long A = 0x02_00_00_00_00_0AL;
  private static final long B = 0x02_00_00_00_00_0BL;
  private static final long C = 0x02_00_00_00_00_0CL;

  private final VirtualTime time = new VirtualTime();
  private final LearningBridge bridge =
      new LearningBridge("sw1", time, BridgeObserver.OFF, LearningBridge.DEFAULT_AGEING_NANOS, 2);
  private final BridgePort p1 = bridge.addPort("p1", new DisconnectedEndpoint("sw1:p1", 1500));
  private final BridgePort p2 = bridge.addPort("p2", new DisconnectedEndpoint("sw1:p2", 1500));
  private final BridgePort p3 = bridge.addPort("p3", new DisconnectedEndpoint("sw1:p3", 1500));
  private final BridgePort p4 = bridge.addPort("p4", new DisconnectedEndpoint("sw1:p4", 1500));

  VlanFdbTest() {
    bridge.vlans(Map.of("p1", PortVlans.access(10), "p2", PortVlans.access(20),
        "p3", PortVlans.trunk(List.of(10, 20), 0), "p4", PortVlans.trunk(List.of(10, 20), 0)));
  }

  /** A minimum-size frame, tagged with {@code vid} unless it is 0. */
  private static ByteBuf frame(long dst, long src, int vid) {
    ByteBuf f = Unpooled.buffer(64).writeZero(vid == 0 ? 60 : 64);
    new EthernetFrame().wrap(f).dst(dst).src(src).etherType(vid == 0 ? 0x88B5 : VlanTag.TPID);
    if (vid != 0) {
      f.setShort(VlanTag.TCI, vid);
      f.setShort(VlanTag.INNER_ETHERTYPE, 0x88B5);
    }
    return f;
  }

  private static long sentOn(BridgePort p) {
    return p.endpoint().counters().txErrors;
  }

  private List<String> fdb() {
    return bridge.fdb().stream().map(e -> MacAddress.format(e.mac()) + " vlan " + e.vid() + " " + e.port().name())
        .toList();
  }

  @Test
  void aStationMovesWithinItsVlanAndOnlyThere() {
    bridge.input(p3, frame(MacAddress.BROADCAST_BITS, A, 10)); // A in VLAN 10, behind trunk p3
    bridge.input(p2, frame(MacAddress.BROADCAST_BITS, A, 0)); // A in VLAN 20, behind p2
    time.advance(1_000_000);
    bridge.input(p4, frame(MacAddress.BROADCAST_BITS, A, 10)); // A moves to p4, in VLAN 10
    assertEquals(List.of("02:00:00:00:00:0a vlan 10 p4", "02:00:00:00:00:0a vlan 20 p2"), fdb(),
        "the VLAN 20 entry stays where it was");
    long toP3 = sentOn(p3);
    long toP4 = sentOn(p4);
    bridge.input(p1, frame(A, C, 0));
    assertEquals(toP4 + 1, sentOn(p4), "unicast to A in VLAN 10 goes to its new port");
    assertEquals(toP3, sentOn(p3));
  }

  @Test
  void aFullTableFloodsUnknownDestinationsWithinTheirVlanOnly() {
    bridge.input(p1, frame(MacAddress.BROADCAST_BITS, A, 0)); // A in VLAN 10
    bridge.input(p2, frame(MacAddress.BROADCAST_BITS, A, 0)); // A in VLAN 20: the table (2) is full
    bridge.input(p3, frame(MacAddress.BROADCAST_BITS, B, 10)); // B in VLAN 10: not learned
    assertEquals(1, bridge.fdbOverflow);
    assertEquals(List.of("02:00:00:00:00:0a vlan 10 p1", "02:00:00:00:00:0a vlan 20 p2"), fdb());
    long toP2 = sentOn(p2);
    long toP3 = sentOn(p3);
    long toP4 = sentOn(p4);
    long flooded = bridge.flooded;
    bridge.input(p1, frame(B, A, 0)); // B unknown in VLAN 10: flooded to the trunks, never to p2 (VLAN 20)
    assertEquals(flooded + 1, bridge.flooded);
    assertEquals(List.of(toP2, toP3 + 1, toP4 + 1), List.of(sentOn(p2), sentOn(p3), sentOn(p4)));
    bridge.input(p4, frame(A, C, 20)); // A known in VLAN 20: forwarded to p2 only, table still full
    assertEquals(List.of(toP2 + 1, toP3 + 1, toP4 + 1), List.of(sentOn(p2), sentOn(p3), sentOn(p4)));
    assertEquals(flooded + 1, bridge.flooded);
    assertEquals(2, bridge.fdbOverflow, "C in VLAN 20 not learned either");
  }
}
