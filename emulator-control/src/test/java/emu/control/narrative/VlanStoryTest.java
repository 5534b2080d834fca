package emu.control.narrative;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.node.event.BridgeEvent;
import emu.node.event.EventCodec;
import emu.node.event.Stamped;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A VLAN-aware switch's sentences: the 802.1Q tag added on a trunk and removed for an access port. */
class VlanStoryTest {
  @Test
  void theTagIsAddedAndRemovedInWords() {
    assertEquals("switches frame 02:00:00:00:01:00 > 02:00:00:00:03:00 in VLAN 10 from p1 to p3 (destination MAC"
        + " learned there); tags the frame with VLAN 10 on trunk p3", Story.sentence(new BridgeEvent.Forwarded("p1",
            "p3", "02:00:00:00:01:00", "02:00:00:00:03:00", 10, false, true)));
    assertEquals("switches frame 02:00:00:00:01:00 > 02:00:00:00:03:00 in VLAN 10 from p3 to p1 (destination MAC"
        + " learned there); removes the VLAN 10 tag for p1, which carries VLAN 10 untagged",
        Story.sentence(new BridgeEvent.Forwarded("p3", "p1", "02:00:00:00:01:00", "02:00:00:00:03:00", 10, true,
            false)));
    assertEquals("switches frame 02:00:00:00:01:00 > 02:00:00:00:03:00 in VLAN 20 from p3 to p4 (destination MAC"
        + " learned there)", Story.sentence(new BridgeEvent.Forwarded("p3", "p4", "02:00:00:00:01:00",
            "02:00:00:00:03:00", 20, true, true)));
    assertEquals("floods frame 02:00:00:00:01:00 > ff:ff:ff:ff:ff:ff in VLAN 10 from p1 to p2, p3 (broadcast, the"
        + " VLAN's other ports); tags the frame with VLAN 10 on trunk p3", Story.sentence(new BridgeEvent.Flooded("p1",
            List.of("p2", "p3"), "02:00:00:00:01:00", "ff:ff:ff:ff:ff:ff", 10, false, List.of("p3"))));
    assertEquals("floods frame 02:00:00:00:01:00 > ff:ff:ff:ff:ff:ff in VLAN 10 from p3 to p1, p2 (broadcast, the"
        + " VLAN's other ports); removes the VLAN 10 tag for p1, p2, which carry VLAN 10 untagged",
        Story.sentence(new BridgeEvent.Flooded("p3", List.of("p1", "p2"), "02:00:00:00:01:00", "ff:ff:ff:ff:ff:ff",
            10, true, List.of())));
    // a priority tag (VID 0): its VID set on a trunk, the tag removed for an access port
    assertEquals("switches frame 02:00:00:00:01:00 > 02:00:00:00:03:00 in VLAN 10 from p1 to p3 (destination MAC"
        + " learned there); sets VLAN 10 in its priority tag (VID 0) on trunk p3",
        Story.sentence(new BridgeEvent.Forwarded("p1", "p3", "02:00:00:00:01:00", "02:00:00:00:03:00", 10, true, true,
            true)));
    assertEquals("switches frame 02:00:00:00:01:00 > 02:00:00:00:03:00 in VLAN 10 from p1 to p2 (destination MAC"
        + " learned there); removes its priority tag (VID 0) for p2, which carries VLAN 10 untagged",
        Story.sentence(new BridgeEvent.Forwarded("p1", "p2", "02:00:00:00:01:00", "02:00:00:00:03:00", 10, true, true,
            false)));
    assertEquals("floods frame 02:00:00:00:01:00 > ff:ff:ff:ff:ff:ff in VLAN 20 from p4 to p2, p3 (broadcast, the"
        + " VLAN's other ports); sets VLAN 20 in its priority tag (VID 0) on trunk p3; removes its priority tag"
        + " (VID 0) for p2, which carries VLAN 20 untagged", Story.sentence(new BridgeEvent.Flooded("p4",
            List.of("p2", "p3"), "02:00:00:00:01:00", "ff:ff:ff:ff:ff:ff", 20, true, true, List.of("p3"))));
    assertEquals("drops a double-tagged frame (outer VLAN 1) arriving on access port p1: VLAN hopping, the inner tag"
        + " would carry it into another VLAN", Story.sentence(new BridgeEvent.VlanDropped("p1", "double-tagged", 1)));
    assertEquals("drops a frame tagged VLAN 30 arriving on trunk p3, which does not carry VLAN 30",
        Story.sentence(new BridgeEvent.VlanDropped("p3", "not-allowed", 30)));
    assertEquals("drops an untagged frame arriving on trunk p3, which has no native VLAN",
        Story.sentence(new BridgeEvent.VlanDropped("p3", "untagged-on-trunk", null)));
    assertEquals("drops a priority-tagged frame (VID 0) arriving on trunk p3, which has no native VLAN to put it in",
        Story.sentence(new BridgeEvent.VlanDropped("p3", "priority-tagged", 0)));
    assertEquals("learns 02:00:00:00:01:00 is behind port p1 in VLAN 10",
        Story.sentence(new BridgeEvent.Learned("02:00:00:00:01:00", "p1", false, 10)));
    assertEquals("floods frame 02:00:00:00:01:00 > ff:ff:ff:ff:ff:ff from p1 to p2 (broadcast)",
        Story.sentence(new BridgeEvent.Flooded("p1", List.of("p2"), "02:00:00:00:01:00", "ff:ff:ff:ff:ff:ff")),
        "a switch without VLANs says what it said before");
  }

  @Test
  void eventsRoundTripAndKeepTheirFieldNames() throws java.io.IOException {
    BridgeEvent.Flooded e = new BridgeEvent.Flooded("p1", List.of("p3"), "02:00:00:00:01:00", "ff:ff:ff:ff:ff:ff",
        10, false, List.of("p3"));
    Stamped s = new Stamped(1, 2, "sw1", e);
    String json = EventCodec.toJson(s, null);
    assertEquals(s, EventCodec.read(json));
    String plain = EventCodec.toJson(new Stamped(1, 2, "sw1", new BridgeEvent.Forwarded("p1", "p2", "a", "b")), null);
    assertEquals(false, plain.contains("vlan"), plain);
    assertEquals(true, plain.contains("\"in\":\"p1\",\"out\":\"p2\",\"src_mac\":\"a\",\"dst_mac\":\"b\""), plain);
    assertEquals(new BridgeEvent.Forwarded("p1", "p2", "a", "b"), EventCodec.read(plain).event());
  }
}
