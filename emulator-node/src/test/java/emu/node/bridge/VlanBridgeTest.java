package emu.node.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.wire.MacAddress;
import emu.node.event.BridgeEvent;
import emu.node.testing.CapturedFrame;
import emu.node.testing.LabSwitch;
import emu.node.testing.PacketBuilder;
import emu.node.testing.Tap;
import emu.node.testing.VirtualLab;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A VLAN-aware switch (802.1Q) on virtual time with a tap on every port: p1 access VLAN 10, p2
 * access VLAN 20, p3 a trunk of 10 and 20 (no native VLAN), p4 a trunk of 10 with native VLAN 20,
 * p5 not configured (so an access port in VLAN 1). Every frame a tap receives is compared byte for
 * byte; the lab's tracking allocator fails the test if any buffer is left referenced (and Netty's
 * detector runs at PARANOID in this build).
 */
class VlanBridgeTest {
  private static final long A = 0x02_00_00_00_00_0AL;
  private static final long B = 0x02_00_00_00_00_0BL;
  private static final long C = 0x02_00_00_00_00_0CL;
  private static final HexFormat HEX = HexFormat.of();

  private VirtualLab lab;
  private LabSwitch sw;
  private Tap p1;
  private Tap p2;
  private Tap p3;
  private Tap p4;
  private Tap p5;

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(1);
    sw = lab.bridge("sw1");
    p1 = lab.tap(sw, "p1");
    p2 = lab.tap(sw, "p2");
    p3 = lab.tap(sw, "p3");
    p4 = lab.tap(sw, "p4");
    p5 = lab.tap(sw, "p5");
    Map<String, PortVlans> v = new LinkedHashMap<>();
    v.put("p1", PortVlans.access(10));
    v.put("p2", PortVlans.access(20));
    v.put("p3", PortVlans.trunk(List.of(10, 20), 0));
    v.put("p4", PortVlans.trunk(List.of(10), 20));
    sw.bridge().vlans(v);
  }

  @AfterEach
  void tearDown() {
    lab.close(); // fails if a buffer is still referenced
  }

  /** An untagged frame with a 46-byte payload whose first byte is {@code mark}. */
  private static byte[] untagged(long dst, long src, int mark) {
    byte[] payload = new byte[46];
    payload[0] = (byte) mark;
    return PacketBuilder.ethernet(dst, src, 0x88B5, payload);
  }

  /** The same frame with an 802.1Q tag (TCI {@code tci}) after the source MAC. */
  private static byte[] tagged(byte[] untagged, int tci) {
    byte[] out = new byte[untagged.length + 4];
    System.arraycopy(untagged, 0, out, 0, 12);
    out[12] = (byte) 0x81;
    out[13] = 0x00;
    out[14] = (byte) (tci >> 8);
    out[15] = (byte) tci;
    System.arraycopy(untagged, 12, out, 16, untagged.length - 12);
    return out;
  }

  private void send(Tap from, byte[] frame) {
    from.inject(frame);
    lab.settle();
  }

  /** The taps that received anything, by port name. */
  private List<String> receivers() {
    return Stream.of(p1, p2, p3, p4, p5).filter(t -> !t.frames().isEmpty())
        .map(t -> t.name().substring(t.name().lastIndexOf(':') + 1)).toList();
  }

  private static byte[] only(Tap t) {
    assertEquals(1, t.frames().size(), t.name() + ": " + t.frames());
    return t.frames().get(0).bytes();
  }

  private void clear() {
    Stream.of(p1, p2, p3, p4, p5).forEach(Tap::clear);
  }

  @Test
  void anAccessPortsBroadcastStaysInItsVlanAndIsTaggedOnTrunks() {
    byte[] f = untagged(MacAddress.BROADCAST_BITS, A, 1);
    send(p1, f);
    assertEquals(List.of("p3", "p4"), receivers(), "VLAN 10: the two trunks, never p2 (20) or p5 (1)");
    // Golden bytes: the addresses, TPID 0x8100, TCI 0x000a (PCP 0, DEI 0, VID 10), then the frame's EtherType.
    String golden = "ffffffffffff" + "02000000000a" + "8100" + "000a" + "88b5" + "01" + "00".repeat(45);
    assertEquals(golden, HEX.formatHex(only(p3)));
    assertEquals(golden, HEX.formatHex(only(p4)));
    clear();
    send(p2, untagged(MacAddress.BROADCAST_BITS, B, 2));
    assertEquals(List.of("p3", "p4"), receivers(), "VLAN 20: trunk p3 tagged, p4's native VLAN untagged");
    assertArrayEquals(tagged(untagged(MacAddress.BROADCAST_BITS, B, 2), 20), only(p3));
    assertArrayEquals(untagged(MacAddress.BROADCAST_BITS, B, 2), only(p4));
    BridgeEvent.Flooded e = sw.tracer().of(BridgeEvent.Flooded.class).get(1);
    assertEquals(20, e.vlan());
    assertEquals(false, e.taggedIn());
    assertEquals(List.of("p3", "p4"), e.out());
    assertEquals(List.of("p3"), e.taggedOut());
  }

  @Test
  void aTaggedFrameLosesItsTagOnAccessPortsOnlyAndKeepsItsPriority() {
    byte[] plain = untagged(MacAddress.BROADCAST_BITS, A, 3);
    byte[] pcp5 = tagged(plain, 5 << 13 | 10);
    send(p3, pcp5);
    assertEquals(List.of("p1", "p4"), receivers());
    assertArrayEquals(plain, only(p1), "stripped for access port p1");
    assertArrayEquals(pcp5, only(p4), "trunk to trunk: unchanged, priority 5 kept");
    clear();
    // Unicast now that A is known in VLAN 10 behind p3: from access port p1, tagged out of p3 only.
    byte[] toA = untagged(A, C, 4);
    send(p1, toA);
    assertEquals(List.of("p3"), receivers());
    assertArrayEquals(tagged(toA, 10), only(p3));
    BridgeEvent.Forwarded fwd = sw.tracer().of(BridgeEvent.Forwarded.class).get(0);
    assertEquals(10, fwd.vlan());
    assertTrue(fwd.tagAdded());
  }

  @Test
  void theNativeVlanIsUntaggedOnTheTrunkAndAcceptedEitherWay() {
    byte[] f = untagged(MacAddress.BROADCAST_BITS, A, 5);
    send(p4, f);
    assertEquals(List.of("p2", "p3"), receivers(), "untagged on p4 is VLAN 20, its native VLAN");
    assertArrayEquals(f, only(p2));
    assertArrayEquals(tagged(f, 20), only(p3));
    clear();
    send(p4, tagged(f, 20)); // as Linux accepts the native VLAN tagged too
    assertEquals(List.of("p2", "p3"), receivers());
    assertArrayEquals(f, only(p2));
    clear();
    send(p4, tagged(f, 10));
    assertEquals(List.of("p1", "p3"), receivers());
    assertArrayEquals(f, only(p1));
    assertArrayEquals(tagged(f, 10), only(p3));
  }

  @Test
  void theSameMacIsLearnedSeparatelyInTwoVlans() {
    send(p1, untagged(MacAddress.BROADCAST_BITS, A, 6)); // A in VLAN 10 behind p1
    send(p2, untagged(MacAddress.BROADCAST_BITS, A, 7)); // A in VLAN 20 behind p2: not a move
    clear();
    send(p3, tagged(untagged(A, C, 8), 10));
    assertEquals(List.of("p1"), receivers());
    clear();
    send(p3, tagged(untagged(A, C, 9), 20));
    assertEquals(List.of("p2"), receivers());
    List<String> fdb = lab.exec(sw, "bridge fdb").assertExit(0).lines();
    assertEquals(List.of("02:00:00:00:00:0a dev p1 vlan 10 master sw1", "02:00:00:00:00:0a dev p2 vlan 20 master sw1",
        "02:00:00:00:00:0c dev p3 vlan 10 master sw1", "02:00:00:00:00:0c dev p3 vlan 20 master sw1"), fdb);
    assertTrue(sw.tracer().of(BridgeEvent.Learned.class).stream().noneMatch(BridgeEvent.Learned::moved));
    assertEquals(List.of(10, 20, 10, 20), sw.tracer().of(BridgeEvent.Learned.class).stream()
        .map(BridgeEvent.Learned::vlan).toList());
  }

  @Test
  void bridgeVlanPrintsEachPortsVlansAsIproute2Does() {
    List<String> out = lab.exec(sw, "bridge vlan show").assertExit(0).lines();
    assertEquals(List.of(
        "port              vlan-id  ",
        "p1                10 PVID Egress Untagged",
        "",
        "p2                20 PVID Egress Untagged",
        "",
        "p3                10",
        "                  20",
        "",
        "p4                10",
        "                  20 PVID Egress Untagged",
        "",
        "p5                1 PVID Egress Untagged",
        ""), out);
  }

  @Test
  void aPriorityTaggedFrameJoinsThePortsVlanWithItsPriority() {
    // On access port p1 (VLAN 10): classified into VLAN 10, the tag's VID set to 10, PCP 5 kept.
    byte[] f = untagged(MacAddress.BROADCAST_BITS, A, 20);
    send(p1, tagged(f, 5 << 13));
    assertEquals(List.of("p3", "p4"), receivers());
    assertArrayEquals(tagged(f, 5 << 13 | 10), only(p3), "never VID 0 on a trunk");
    assertArrayEquals(tagged(f, 5 << 13 | 10), only(p4));
    clear();
    // On trunk p4 (native VLAN 20), with DEI: VLAN 20, untagged out of access port p2.
    byte[] g = untagged(MacAddress.BROADCAST_BITS, B, 21);
    send(p4, tagged(g, 3 << 13 | 0x1000));
    assertEquals(List.of("p2", "p3"), receivers());
    assertArrayEquals(g, only(p2), "stripped for access port p2");
    assertArrayEquals(tagged(g, 3 << 13 | 0x1000 | 20), only(p3));
    clear();
    // Unicast to A, now known in VLAN 10 behind p1, priority-tagged from p1's VLAN: learned and forwarded.
    send(p3, tagged(untagged(B, C, 22), 10)); // C in VLAN 10 behind p3
    clear();
    byte[] toC = untagged(C, A, 23);
    send(p1, tagged(toC, 6 << 13));
    assertEquals(List.of("p3"), receivers());
    assertArrayEquals(tagged(toC, 6 << 13 | 10), only(p3));
    // the events say the tag came with VID 0: set to the VLAN on trunks, removed for access ports
    List<BridgeEvent.Flooded> floods = sw.tracer().of(BridgeEvent.Flooded.class);
    assertTrue(floods.get(0).fromPriorityTag() && floods.get(0).tagChanged(), floods.get(0).toString());
    assertEquals(List.of("p3", "p4"), floods.get(0).taggedOut());
    assertTrue(floods.get(1).fromPriorityTag(), floods.get(1).toString());
    assertEquals(List.of("p3"), floods.get(1).taggedOut(), "p2 untagged");
    BridgeEvent.Forwarded toTrunk = sw.tracer().of(BridgeEvent.Forwarded.class).get(0);
    assertEquals("p1", toTrunk.in());
    assertTrue(toTrunk.fromPriorityTag() && Boolean.TRUE.equals(toTrunk.taggedOut()), toTrunk.toString());
    assertEquals(false, sw.tracer().of(BridgeEvent.Forwarded.class).stream().filter(e -> e.in().equals("p3"))
        .anyMatch(BridgeEvent.Forwarded::fromPriorityTag), "C's frame came with VLAN 10's own tag");
    assertEquals(List.of("02:00:00:00:00:0a dev p1 vlan 10 master sw1", "02:00:00:00:00:0b dev p4 vlan 20 master sw1",
        "02:00:00:00:00:0c dev p3 vlan 10 master sw1"), lab.exec(sw, "bridge fdb").assertExit(0).lines());
    clear();
    // Still refused: priority-tagged on a trunk with no native VLAN, and a second tag behind VID 0 on access.
    send(p3, tagged(f, 5 << 13));
    send(p1, tagged(tagged(f, 20), 0));
    assertEquals(List.of(), receivers());
    assertEquals(1, sw.bridge().vlanDrops(VlanDrop.PRIORITY_TAGGED));
    assertEquals(1, sw.bridge().vlanDrops(VlanDrop.DOUBLE_TAGGED));
    assertEquals(2, sw.bridge().vlanDropsTotal());
  }

  @Test
  void knownUnicastIsStrippedOrLeftUntaggedByteForByte() {
    byte[] fromA = untagged(MacAddress.BROADCAST_BITS, A, 30);
    send(p1, fromA); // A in VLAN 10 behind p1
    send(p4, untagged(MacAddress.BROADCAST_BITS, B, 31)); // B in VLAN 20 (p4's native) behind p4
    clear();
    // Trunk p3 to access p1: the tag stripped in place, PCP and all, the rest unchanged.
    byte[] toA = untagged(A, C, 32);
    send(p3, tagged(toA, 7 << 13 | 10));
    assertEquals(List.of("p1"), receivers());
    assertEquals("02000000000a" + "02000000000c" + "88b5" + "20" + "00".repeat(45), HEX.formatHex(only(p1)));
    clear();
    // Trunk p3 to trunk p4 whose native VLAN is the frame's (20): leaves untagged.
    byte[] toB = untagged(B, C, 33);
    send(p3, tagged(toB, 20));
    assertEquals(List.of("p4"), receivers());
    assertArrayEquals(toB, only(p4));
    BridgeEvent.Forwarded fwd = sw.tracer().of(BridgeEvent.Forwarded.class).get(1);
    assertEquals(20, fwd.vlan());
    assertTrue(fwd.tagRemoved());
  }

  @Test
  void badFramesAreCountedAndDroppedAndForwardingGoesOn() {
    byte[] f = untagged(MacAddress.BROADCAST_BITS, A, 10);
    send(p1, tagged(f, 10));
    send(p1, tagged(tagged(f, 20), 10)); // double-tagged: the VLAN-hopping attack
    send(p3, tagged(f, 0)); // priority-tagged on a trunk with no native VLAN
    send(p3, tagged(f, 4095));
    send(p3, tagged(f, 30)); // not carried by p3
    send(p3, f); // untagged on a trunk without native VLAN
    send(p3, HEX.parseHex("ffffffffffff02000000000a8100000a")); // ends inside the tag
    send(p3, HEX.parseHex("ffffffffffff02000000000a8100000a88")); // ends inside the inner EtherType
    assertEquals(List.of(), receivers(), "nothing leaves");
    assertEquals(1, sw.bridge().vlanDrops(VlanDrop.TAGGED_ON_ACCESS));
    assertEquals(1, sw.bridge().vlanDrops(VlanDrop.DOUBLE_TAGGED));
    assertEquals(1, sw.bridge().vlanDrops(VlanDrop.PRIORITY_TAGGED));
    assertEquals(1, sw.bridge().vlanDrops(VlanDrop.RESERVED_VID));
    assertEquals(1, sw.bridge().vlanDrops(VlanDrop.NOT_ALLOWED));
    assertEquals(1, sw.bridge().vlanDrops(VlanDrop.UNTAGGED_ON_TRUNK));
    assertEquals(2, sw.bridge().vlanDrops(VlanDrop.TRUNCATED_TAG));
    assertEquals(8, sw.bridge().vlanDropsTotal());
    assertEquals(2, sw.port("p1").rxDropped);
    assertEquals(6, sw.port("p3").rxDropped);
    assertTrue(sw.bridge().fdb().isEmpty(), "nothing learned from refused frames");
    assertEquals(List.of("p1 tagged-on-access 10", "p1 double-tagged 10", "p3 priority-tagged 0",
        "p3 reserved-vid 4095", "p3 not-allowed 30", "p3 untagged-on-trunk null", "p3 truncated-tag null",
        "p3 truncated-tag null"), sw.tracer().of(BridgeEvent.VlanDropped.class).stream()
        .map(e -> e.port() + " " + e.reason() + " " + e.vlan()).toList());
    send(p1, f);
    assertEquals(List.of("p3", "p4"), receivers(), "forwarding goes on");
  }

  @Test
  void portsNotConfiguredShareVlanOneOnly() {
    byte[] f = untagged(MacAddress.BROADCAST_BITS, A, 11);
    send(p5, f);
    assertEquals(List.of(), receivers(), "p5 is alone in VLAN 1");
    assertEquals(0, sw.bridge().vlanDropsTotal());
    assertEquals(1, sw.bridge().flooded);
  }

  @Test
  void aSwitchWithoutVlansPassesTaggedFramesUnchanged() {
    LabSwitch plain = lab.bridge("sw2");
    Tap q1 = lab.tap(plain, "q1");
    Tap q2 = lab.tap(plain, "q2");
    byte[] t = tagged(untagged(MacAddress.BROADCAST_BITS, A, 12), 4095);
    send(q1, t);
    assertEquals(1, q2.frames().size());
    assertArrayEquals(t, q2.frames().get(0).bytes());
    assertEquals(0, plain.bridge().fdb().get(0).vid());
    assertEquals(List.of("02:00:00:00:00:0a dev q1 master sw2"), lab.exec(plain, "bridge fdb").lines());
    assertTrue(lab.exec(plain, "bridge vlan").lines().get(0).contains("not VLAN-aware"));
    List<CapturedFrame> none = q1.frames();
    assertEquals(List.of(), none);
  }
}
