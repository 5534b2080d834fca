package emu.control.narrative;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.node.event.OspfEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** OSPF's sentences: adjacency steps with their meaning, elections, LSAs, SPF route changes, refusals. */
class OspfStoryTest {
  @Test
  void adjacencyStepsSayWhatTheyMean() {
    assertEquals("OSPF neighbour 2.2.2.2 (10.0.12.2) on eth0: Loading -> Full (LoadingDone), adjacency up: databases"
        + " synchronised", Story.sentence(new OspfEvent.Neighbor("eth0", "2.2.2.2", "10.0.12.2", "Loading", "Full",
        "LoadingDone")));
    assertEquals("OSPF neighbour 2.2.2.2 (10.0.12.2) on eth0: Full -> Down (InactivityTimer), no Hello within the dead"
        + " interval", Story.sentence(new OspfEvent.Neighbor("eth0", "2.2.2.2", "10.0.12.2", "Full", "Down",
        "InactivityTimer")));
    assertEquals("OSPF neighbour 2.2.2.2 (10.0.12.2) on eth0: Full -> Down (LLDown), the link lost carrier",
        Story.sentence(new OspfEvent.Neighbor("eth0", "2.2.2.2", "10.0.12.2", "Full", "Down", "LLDown")));
  }

  @Test
  void electionsAndLsas() {
    assertEquals("elects on eth0: DR 3.3.3.3, BDR 2.2.2.2; it is DROther there",
        Story.sentence(new OspfEvent.Elected("eth0", "3.3.3.3", "2.2.2.2", "DROther")));
    assertEquals("originates its router-LSA 1.1.1.1 0x80000003",
        Story.sentence(new OspfEvent.Originated(1, "1.1.1.1", "1.1.1.1", "0x80000003", false)));
    assertEquals("flushes its network-LSA 10.0.0.1 0x80000002 (aged to MaxAge so every router drops it)",
        Story.sentence(new OspfEvent.Originated(2, "10.0.0.1", "1.1.1.1", "0x80000002", true)));
    assertEquals("installs 1.1.1.1's router-LSA 0x80000003, flooded by 3.3.3.3",
        Story.sentence(new OspfEvent.Installed(1, "1.1.1.1", "1.1.1.1", "0x80000003", "3.3.3.3")));
  }

  @Test
  void spfTellsTheRoutesItMoved() {
    assertEquals("SPF after 1.1.1.1's router-LSA 0x80000003 (0.2 ms, 6 routes): 10.3.0.0/24 now via 10.0.12.2 cost 20 (was via 10.0.13.3 cost 10);"
            + " 10.4.0.0/24 new via 10.0.12.2 and 10.0.13.3 cost 30; 10.5.0.0/24 gone (was via 10.0.13.3 cost 20)",
        Story.sentence(new OspfEvent.Spf(210, 6, 1, "1.1.1.1", "1.1.1.1", "0x80000003", List.of(
            new OspfEvent.Change("10.3.0.0/24", 10, List.of("10.0.13.3"), 20, List.of("10.0.12.2")),
            new OspfEvent.Change("10.4.0.0/24", -1, List.of(), 30, List.of("10.0.12.2", "10.0.13.3")),
            new OspfEvent.Change("10.5.0.0/24", 20, List.of("10.0.13.3"), -1, List.of())))));
    assertEquals("SPF (0.1 ms, 1 route): no route changed", Story.sentence(new OspfEvent.Spf(90, 1, null, null, null, null, List.of())));
    assertEquals("SPF after network-LSA 10.0.0.1 of 2.2.2.2 0x80000001 (0.1 ms, 1 route): no route changed",
        Story.sentence(new OspfEvent.Spf(90, 1, 2, "10.0.0.1", "2.2.2.2", "0x80000001", List.of())));
  }

  @Test
  void refusalsInFrrsWords() {
    assertEquals("refuses an OSPF Hello from 10.0.12.2 on eth0: Hello interval mismatch (HelloInterval must match,"
        + " RFC 2328 10.5)", Story.sentence(new OspfEvent.Refused("eth0", "10.0.12.2", "Hello",
        "hello_interval_mismatch")));
    assertEquals("refuses an OSPF DB Description from 10.0.12.2 on eth0: MTU mismatch: the neighbour's interface MTU"
        + " is larger than ours", Story.sentence(new OspfEvent.Refused("eth0", "10.0.12.2", "DB Description",
        "mtu_mismatch")));
  }
}
