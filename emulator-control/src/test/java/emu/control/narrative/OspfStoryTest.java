package emu.control.narrative;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.node.event.OspfEvent;
import emu.node.event.Packet;
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

  @Test
  void ospfPacketsAreNamedInPacketLines() {
    assertEquals("OSPFv2 Hello from 1.1.1.1, length 48", PacketText.transport(ospf(68, new Packet.Ospf(1, "1.1.1.1",
        null))));
    assertEquals("OSPFv2 DB Description from 2.2.2.2, length 32",
        PacketText.transport(ospf(52, new Packet.Ospf(2, "2.2.2.2", null))));
    assertEquals("OSPFv2 LS Request from 2.2.2.2, length 36",
        PacketText.transport(ospf(56, new Packet.Ospf(3, "2.2.2.2", null))));
    assertEquals("10.0.12.1 > 224.0.0.5: OSPFv2 LS Update from 2.2.2.2 (3 LSAs), length 120",
        PacketText.ipv4(ospf(140, new Packet.Ospf(4, "2.2.2.2", 3))));
    assertEquals("OSPFv2 LS Update from 2.2.2.2 (1 LSA), length 64",
        PacketText.transport(ospf(84, new Packet.Ospf(4, "2.2.2.2", 1))));
    assertEquals("OSPFv2 LS Ack from 1.1.1.1, length 44", PacketText.transport(ospf(64, new Packet.Ospf(5, "1.1.1.1",
        null))));
    // events written before packets carried their OSPF header, and a packet whose header did not check
    assertEquals("OSPFv2, length 44", PacketText.transport(ospf(64, null)));
    assertEquals("OSPFv2 (malformed), length 44", PacketText.transport(new Packet(4, "10.0.12.1", "224.0.0.5", 89,
        1, 0, 64, 20, 0, true, null, null, null, null)));
  }

  /** An OSPF packet 10.0.12.1 > 224.0.0.5 of {@code length} bytes with its IP header. */
  private static Packet ospf(int length, Packet.Ospf header) {
    return new Packet(4, "10.0.12.1", "224.0.0.5", 89, 1, 0, length, 20, 0, false, null, null, null, null, header);
  }
}
