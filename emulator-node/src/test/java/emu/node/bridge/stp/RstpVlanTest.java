package emu.node.bridge.stp;

import static emu.node.bridge.stp.RstpTriangleTest.H2;
import static emu.node.bridge.stp.RstpTriangleTest.H3;
import static emu.node.bridge.stp.RstpTriangleTest.S1;
import static emu.node.bridge.stp.RstpTriangleTest.S2;
import static emu.node.bridge.stp.RstpTriangleTest.S3;
import static emu.node.bridge.stp.RstpTriangleTest.frame;
import static emu.node.bridge.stp.RstpTriangleTest.received;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.wire.MacAddress;
import emu.node.bridge.LearningBridge;
import emu.node.bridge.PortVlans;
import emu.node.testing.CapturedFrame;
import emu.node.testing.LabSwitch;
import emu.node.testing.Tap;
import emu.node.testing.VirtualLab;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RSTP on VLAN-aware switches (one spanning tree for all VLANs, BPDUs untagged, as a Linux bridge
 * runs 802.1Q with RSTP), on virtual time: the triangle of {@link RstpTriangleTest} with every
 * inter-switch link a trunk of VLANs 10 and 20 with no native VLAN, so a BPDU is an untagged frame
 * on a port that refuses untagged frames, and a host (tap) in access VLAN 10 on s2 and on s3.
 *
 * <pre>
 *          s1 (root)
 *        p1/  \p2          every inter-switch port: trunk [10, 20], no native VLAN
 *      p1/    \p1
 *      s2 ---- s3          s3:p2 alternate, discarding
 *    p3|  p2  p2 |p3       p3: access VLAN 10
 *      h2        h3
 * </pre>
 */
class RstpVlanTest {
  private static final PortVlans TRUNK = PortVlans.trunk(List.of(10, 20), 0);

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
    s1.bridge().vlans(Map.of("p1", TRUNK, "p2", TRUNK));
    s2.bridge().vlans(Map.of("p1", TRUNK, "p2", TRUNK, "p3", PortVlans.access(10)));
    s3.bridge().vlans(Map.of("p1", TRUNK, "p2", TRUNK, "p3", PortVlans.access(10)));
    lab.startSpanningTree();
    lab.advance(VirtualLab.millis(500));
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  private static String portOf(LearningBridge b, long mac, int vid) {
    return b.fdb().stream().filter(e -> e.mac() == mac && e.vid() == vid).map(e -> e.port().name()).findFirst()
        .orElse(null);
  }

  /** Frames other than BPDUs (LLC, no EtherType) that {@code sw} sent out of {@code port}. */
  private static long dataSent(LabSwitch sw, String port) {
    return sw.sent(port).stream().filter(f -> f.length() > 14 && f.etherType() >= 0x0600).count();
  }

  @Test
  void theTrunkLoopConvergesWithOnePortDiscardingAndBpdusAreNoVlanDrops() {
    for (LabSwitch s : List.of(s1, s2, s3)) {
      assertEquals(s1.bridge().stp().bridgeId(), s.bridge().stp().rootId(), s + " takes s1 as root");
      assertTrue(s.bridge().stp().counters().bpduIn > 0, s + " heard BPDUs on its trunks");
      assertEquals(0, s.bridge().vlanDropsTotal(), s + ": an untagged BPDU on a trunk is for the spanning tree");
    }
    assertEquals(PortRole.ALTERNATE, s3.stp("p2").role());
    assertEquals(PortState.DISCARDING, s3.stp("p2").state());
    int blocked = 0;
    for (LabSwitch s : List.of(s1, s2, s3)) {
      for (StpPort p : s.bridge().stp().ports()) {
        blocked += p.state() != PortState.FORWARDING ? 1 : 0;
      }
    }
    assertEquals(1, blocked, "exactly one port discards");
  }

  @Test
  void theDiscardingTrunkNeitherLearnsNorFloods() {
    lab.advance(VirtualLab.seconds(10)); // the start-up topology changes over: no flush empties the tables below
    long discardedBefore = s3.bridge().discarded;
    h2.inject(frame(MacAddress.BROADCAST_BITS, H2, 1));
    h3.inject(frame(MacAddress.BROADCAST_BITS, H3, 2));
    lab.advance(VirtualLab.millis(50));
    assertEquals(1, received(h3, 1), "h3 gets h2's broadcast once, by way of s1");
    assertEquals(1, received(h2, 2), "h2 gets h3's broadcast once");
    assertEquals(0, received(h2, 1) + received(h3, 2), "nothing comes back around the loop");
    assertTrue(s3.bridge().discarded > discardedBefore, "s2's flood reached s3:p2 and was discarded there");
    assertEquals("p1", portOf(s3.bridge(), H2, 10), "s3 learned h2 on its root port, not on the discarding one");
    assertEquals("p1", portOf(s2.bridge(), H3, 10), "s2 learned h3 by way of s1: s3 flooded nothing to p2");
    assertEquals(0, dataSent(s3, "p2"), "no data frame left the discarding trunk");
    assertTrue(s2.sent("p2").stream().anyMatch(f -> f.etherType() == 0x8100),
        "s2:p2 forwards, tagged: the frames were there to be refused");
    CapturedFrame onTrunk = s1.sent("p2").stream().filter(f -> f.etherType() == 0x8100).findFirst().orElseThrow();
    assertEquals(10, onTrunk.bytes()[15], "h2's broadcast crosses s1's trunk tagged with VLAN 10");
    for (LabSwitch s : List.of(s1, s2, s3)) {
      assertEquals(0, s.bridge().vlanDropsTotal(), s.toString());
    }
  }
}
