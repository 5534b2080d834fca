package emu.node.bridge.stp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.impair.ImpairmentParser;
import emu.link.wire.MacAddress;
import emu.node.bridge.LearningBridge;
import emu.node.event.BridgeEvent;
import emu.node.testing.LabSwitch;
import emu.node.testing.PacketBuilder;
import emu.node.testing.Tap;
import emu.node.testing.VirtualLab;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three RSTP switches in a triangle, a host (tap) on s2 and one on s3, on virtual time:
 *
 * <pre>
 *          s1 (root: lowest bridge id)
 *        p1/  \p2
 *      p1/    \p1
 *      s2 ---- s3      s2:p2 designated, s3:p2 alternate (s2's id is lower than s3's)
 *    p3|  p2  p2 |p3
 *      h2        h3
 * </pre>
 */
class RstpTriangleTest {
  static final long S1 = 0x02_00_00_00_01_00L;
  static final long S2 = 0x02_00_00_00_02_00L;
  static final long S3 = 0x02_00_00_00_03_00L;
  static final long H2 = 0x02_00_00_00_00_02L;
  static final long H3 = 0x02_00_00_00_00_03L;

  private VirtualLab lab;
  private LabSwitch s1;
  private LabSwitch s2;
  private LabSwitch s3;
  private Tap h2;
  private Tap h3;

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(1);
    s1 = lab.stpBridge("s1", StpConfig.DEFAULT, S1);
    s2 = lab.stpBridge("s2", StpConfig.DEFAULT, S2);
    s3 = lab.stpBridge("s3", StpConfig.DEFAULT, S3);
    lab.connect(s1, "p1", s2, "p1");
    lab.connect(s1, "p2", s3, "p1");
    lab.connect(s2, "p2", s3, "p2");
    h2 = lab.tap(s2, "p3");
    h3 = lab.tap(s3, "p3");
    lab.startSpanningTree();
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  static byte[] frame(long dst, long src, int tag) {
    byte[] payload = new byte[46];
    payload[0] = (byte) tag;
    return PacketBuilder.ethernet(dst, src, 0x88B5, payload);
  }

  /** Frames on {@code tap} carrying {@code tag} (BPDUs, LLC frames, are not counted). */
  static long received(Tap tap, int tag) {
    return tap.frames().stream().filter(f -> f.length() > 14 && f.etherType() == 0x88B5 && f.bytes()[14] == (byte) tag)
        .count();
  }

  private void converge() {
    lab.advance(VirtualLab.millis(500));
  }

  @Test
  void electsTheLowestBridgeIdAndBlocksExactlyOnePortWellUnderTheForwardDelay() {
    converge(); // half a second: proposal/agreement, not 2 x 15 s of forward delay
    for (LabSwitch s : List.of(s1, s2, s3)) {
      assertEquals(s1.bridge().stp().bridgeId(), s.bridge().stp().rootId(), s + " takes s1 as root");
    }
    assertTrue(s1.bridge().stp().isRoot());
    assertEquals("p1", s2.bridge().stp().rootPort().port().name());
    assertEquals("p1", s3.bridge().stp().rootPort().port().name());
    assertEquals(20000, s3.bridge().stp().rootPathCost());
    assertEquals(PortRole.DESIGNATED, s2.stp("p2").role());
    assertEquals(PortRole.ALTERNATE, s3.stp("p2").role());
    assertEquals(PortState.DISCARDING, s3.stp("p2").state());
    int blocked = 0;
    for (LabSwitch s : List.of(s1, s2, s3)) {
      for (StpPort p : s.bridge().stp().ports()) {
        if (p.state() != PortState.FORWARDING) {
          blocked++;
        }
      }
    }
    assertEquals(1, blocked, "exactly one port discards: the loop is cut there");
    assertEquals(false, s2.stp("p1").operEdge());
    assertTrue(s2.stp("p3").operEdge(), "the port to the host heard no BPDU: still an edge port");
    assertTrue(s2.tracer().of(BridgeEvent.StpEdgeLost.class).size() >= 1);
    assertTrue(s3.tracer().of(BridgeEvent.StpPort.class).stream().anyMatch(e -> e.port().equals("p2")
        && e.role().equals("alternate") && e.state().equals("discarding") && e.root().equals("8000.020000000100")),
        s3.tracer().of(BridgeEvent.StpPort.class).toString());
    assertEquals(List.of("p1: forwarding root", "p2: blocking alternate", "p3: forwarding designated edge"),
        s3.bridge().stp().ports().stream().map(p -> p.port().name() + ": " + p.linuxState() + " " + p.role().word()
            + (p.operEdge() ? " edge" : "")).toList());
  }

  @Test
  void aBroadcastIsReceivedOnceAndUnicastGoesThrough() {
    converge();
    long switchedBefore = switched();
    h2.inject(frame(MacAddress.BROADCAST_BITS, H2, 1));
    lab.advance(VirtualLab.seconds(1));
    assertEquals(1, received(h3, 1), "h3 gets the broadcast once");
    assertEquals(0, received(h2, 1), "it never comes back to h2");
    assertTrue(switched() - switchedBefore <= 4, "the broadcast was switched a bounded number of times: "
        + (switched() - switchedBefore));
    h3.inject(frame(H2, H3, 2));
    lab.advance(VirtualLab.millis(10));
    assertEquals(1, received(h2, 2), "unicast h3 > h2 arrives once");
    h2.inject(frame(H3, H2, 3));
    lab.advance(VirtualLab.millis(10));
    assertEquals(1, received(h3, 3), "unicast h2 > h3 arrives once");
    assertEquals(2, s3.bridge().forwarded, "s3 knew h2 and h3: both unicasts forwarded, not flooded");
  }

  private long switched() {
    long n = 0;
    for (LabSwitch s : List.of(s1, s2, s3)) {
      n += s.bridge().flooded + s.bridge().forwarded;
    }
    return n;
  }

  @Test
  void whenTheRootPortsLinkGoesDownTheAlternateTakesOverAtOnceAndMacsAreFlushed() {
    converge();
    h2.inject(frame(MacAddress.BROADCAST_BITS, H2, 1));
    h3.inject(frame(MacAddress.BROADCAST_BITS, H3, 2));
    lab.advance(VirtualLab.millis(10));
    assertEquals("p1", portOf(s2.bridge(), H3), "s2 learned h3 behind its root port, by way of s1");
    long tcBefore = s2.bridge().stp().counters().tcReceived;

    lab.impairedEnd("s1:p2"); // the wire exists
    s1.bridge().setPortUp(s1.port("p2"), false);
    s3.bridge().setPortUp(s3.port("p1"), false);
    lab.advance(VirtualLab.millis(50)); // a few link latencies, nothing near the 15 s forward delay

    assertEquals(PortRole.ROOT, s3.stp("p2").role());
    assertEquals(PortState.FORWARDING, s3.stp("p2").state());
    assertEquals(PortRole.DISABLED, s3.stp("p1").role());
    assertEquals(40000, s3.bridge().stp().rootPathCost());
    // s3 told s2 at once, or (its transmit hold count of 6 BPDUs a second spent on start-up) at its next tick.
    lab.advance(VirtualLab.seconds(1));
    assertTrue(s2.bridge().stp().counters().tcReceived > tcBefore, "s2 was told of the topology change");
    assertNull(portOf(s2.bridge(), H3), "s2 flushed h3, learned on its root port");
    assertTrue(s3.bridge().stp().counters().topologyChanges >= 1);
    assertTrue(s3.tracer().of(BridgeEvent.StpTopologyChange.class).contains(
        new BridgeEvent.StpTopologyChange("p2", true)));

    h2.inject(frame(H3, H2, 3));
    lab.advance(VirtualLab.millis(10));
    assertEquals(1, received(h3, 3), "traffic takes the new path s2 - s3");
  }

  /**
   * When s3's root port comes back, it does not come back as an edge port (it heard BPDUs before:
   * 17.25 NOT_EDGE): forwarding at once beside the root port now on p2, it would close the loop
   * until BPDUs crossed. It discards, s1 proposes, and the tree moves back within link latencies;
   * a broadcast sent as the link returns arrives once.
   */
  @Test
  void aLinkThatComesBackBetweenSwitchesSyncsBeforeItForwards() {
    converge();
    s1.bridge().setPortUp(s1.port("p2"), false);
    s3.bridge().setPortUp(s3.port("p1"), false);
    lab.advance(VirtualLab.seconds(5));
    assertEquals(PortRole.ROOT, s3.stp("p2").role());
    s1.bridge().setPortUp(s1.port("p2"), true);
    s3.bridge().setPortUp(s3.port("p1"), true);
    h2.inject(frame(MacAddress.BROADCAST_BITS, H2, 9));
    assertFalse(s3.stp("p1").operEdge(), "s3:p1 heard BPDUs before");
    assertFalse(s1.stp("p2").operEdge());
    assertEquals(PortState.DISCARDING, s3.stp("p1").state(), "not forwarding before the handshake");
    assertEquals(PortState.DISCARDING, s1.stp("p2").state());
    lab.advance(VirtualLab.millis(50));
    assertEquals(PortRole.ROOT, s3.stp("p1").role());
    assertEquals(PortState.FORWARDING, s3.stp("p1").state());
    assertEquals(PortState.FORWARDING, s1.stp("p2").state(), "agreed");
    assertEquals(PortRole.ALTERNATE, s3.stp("p2").role());
    assertEquals(PortState.DISCARDING, s3.stp("p2").state());
    assertEquals(1, received(h3, 9), "the broadcast arrived once");
    assertTrue(h2.frames().stream().noneMatch(f -> f.srcMac() == H2), "and never came back");
    assertTrue(s3.stp("p3").operEdge(), "the host's port is an edge port still");
  }

  private static String portOf(LearningBridge b, long mac) {
    return b.fdb().stream().filter(e -> e.mac() == mac).map(e -> e.port().name()).findFirst().orElse(null);
  }

  @Test
  void aSilentNeighbourAgesOutAfterThreeMissedHellos() {
    converge();
    // s1 falls silent towards s3: the link stays up, nothing arrives (a paused node).
    lab.impairment("s1:p2", ImpairmentParser.apply(lab.impairedEnd("s1:p2").impairment(), Map.of("loss", "100%")));
    lab.advance(VirtualLab.seconds(3.5));
    assertEquals(PortRole.ROOT, s3.stp("p1").role(), "under 3 hellos: still the root port");
    assertEquals(0, s3.bridge().stp().counters().infoAged);
    lab.advance(VirtualLab.seconds(4));
    assertEquals(1, s3.bridge().stp().counters().infoAged);
    assertEquals(List.of(new BridgeEvent.StpAged("p1")), s3.tracer().of(BridgeEvent.StpAged.class));
    assertEquals(PortRole.ROOT, s3.stp("p2").role(), "s3 reaches the root through s2 now");
    assertEquals(PortState.FORWARDING, s3.stp("p2").state());
    assertEquals(PortRole.DESIGNATED, s3.stp("p1").role());
    assertFalse(s3.bridge().stp().isRoot());
  }
}
