package emu.control.narrative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.bridge.stp.StpConfig;
import emu.node.event.BridgeEvent;
import emu.node.testing.LabSwitch;
import emu.node.testing.VirtualLab;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The spanning tree's sentences: the root election, port roles and states, edge lost, topology changes, fallback. */
class StpStoryTest {
  private static final String S1 = "1000.020000000100";

  @Test
  void theRootElection() {
    assertEquals("is the root bridge (priority 4096, lowest bridge id it hears of: 1000.020000000100)",
        Story.sentence(new BridgeEvent.StpRoot(S1, null, 0)));
    assertEquals("takes 1000.020000000100 (priority 4096) as the root bridge; its best path there is port p2, path"
        + " cost 40000", Story.sentence(new BridgeEvent.StpRoot(S1, "p2", 40000)));
    assertEquals("takes s1 (1000.020000000100, priority 4096) as the root bridge; its best path there is port p2,"
        + " path cost 40000", Story.sentence(new BridgeEvent.StpRoot(S1, "p2", 40000, "s1")), "named in an emu lab");
  }

  @Test
  void aNamedRootIsCalledByItsName() {
    assertEquals("p2 blocks: it is the alternate path to root s1 (discarding; if the root port fails it takes over at"
        + " once under RSTP, after twice the forward delay under 802.1D-1998 STP)", Story.sentence(new BridgeEvent.StpPort("p2", "alternate", "discarding", S1, "s1", null, null)));
    assertEquals("p2 forwards: it is now the root port, the best path to root s1; it was the alternate, so traffic"
        + " moves to it at once", Story.sentence(
        new BridgeEvent.StpPort("p2", "root", "forwarding", S1, "s1", "alternate", "discarding")));
  }

  @Test
  void portsSayWhatTheirRoleMeans() {
    assertEquals("p2 blocks: it is the alternate path to root 1000.020000000100 (discarding; if the root port fails it"
        + " takes over at once under RSTP, after twice the forward delay under 802.1D-1998 STP); it was the designated"
        + " port, forwarding", Story.sentence(
        new BridgeEvent.StpPort("p2", "alternate", "discarding", S1, null, "designated", "forwarding")));
    assertEquals("p2 forwards: it is now the root port, the best path to root 1000.020000000100; it was the"
        + " alternate, so traffic moves to it at once", Story.sentence(
        new BridgeEvent.StpPort("p2", "root", "forwarding", S1, null, "alternate", "discarding")));
    assertEquals("p3 forwards: it is the designated port of its link, the way to root 1000.020000000100 for what is"
        + " beyond it",
        Story.sentence(new BridgeEvent.StpPort("p3", "designated", "forwarding", S1, null, null, null)));
    assertEquals("p1 is disabled: its link is down; it was the root port, forwarding",
        Story.sentence(new BridgeEvent.StpPort("p1", "disabled", "discarding", S1, null, "root", "forwarding")));
    assertEquals("p1 learns source MACs but does not forward yet: designated port, forwarding after the forward delay",
        Story.sentence(new BridgeEvent.StpPort("p1", "designated", "learning")));
    assertEquals("p4 blocks: it is a backup port (its own bridge's BPDUs come back on it, a second link to the same"
        + " segment)", Story.sentence(new BridgeEvent.StpPort("p4", "backup", "discarding")));
    assertEquals("p2 blocks: it is the alternate path to the root (discarding; if the root port fails it takes over at"
        + " once under RSTP, after twice the forward delay under 802.1D-1998 STP)", Story.sentence(new BridgeEvent.StpPort("p2", "alternate", "discarding")), "an older event");
  }

  @Test
  void edgeTopologyChangeLegacyAgedDropped() {
    assertEquals("p3 got a BPDU on an edge port: a switch is behind it, so it is no longer an edge port (it now syncs"
        + " with that switch by proposal and agreement, or waits out the forward delay if that switch speaks only"
        + " 802.1D-1998 STP)", Story.sentence(new BridgeEvent.StpEdgeLost("p3")));
    assertEquals("detects a topology change: p2 started forwarding; flushes the MACs learned on its other ports and"
        + " sets TC in its BPDUs so the other switches flush theirs",
        Story.sentence(new BridgeEvent.StpTopologyChange("p2", true)));
    assertEquals("hears of a topology change on p1 (TC in a BPDU): flushes the MACs learned on its other ports and"
        + " passes the TC on", Story.sentence(new BridgeEvent.StpTopologyChange("p1", false)));
    assertEquals("p1 falls back to 802.1D-1998 STP: the neighbour there speaks only that (configuration and TCN"
        + " BPDUs; the port listens and learns for a forward delay each before it forwards)",
        Story.sentence(new BridgeEvent.StpLegacy("p1")));
    assertEquals("ages out what the neighbour on p2 said: no BPDU came in time (3 hellos under RSTP, max age less the"
        + " message age under 802.1D-1998 STP), so it fell silent, and the port's role is chosen again", Story.sentence(new BridgeEvent.StpAged("p2")));
    assertEquals("drops a BPDU on p1 (bad-message-age: message age not below max age)",
        Story.sentence(new BridgeEvent.StpDropped("p1", "bad-message-age")));
  }

  /** What real spanning trees report, told: a triangle with s1 the root, then s3's root port's link down. */
  @Test
  void aTriangleConvergesAndReconvergesInWords() {
    try (VirtualLab lab = new VirtualLab(1)) {
      StpConfig d = StpConfig.DEFAULT;
      LabSwitch s1 = lab.stpBridge("s1", new StpConfig(true, 4096, d.hello(), d.maxAge(), d.forwardDelay(), 2),
          0x02_00_00_00_01_00L);
      LabSwitch s2 = lab.stpBridge("s2", d, 0x02_00_00_00_02_00L);
      LabSwitch s3 = lab.stpBridge("s3", d, 0x02_00_00_00_03_00L);
      lab.connect(s1, "p1", s2, "p1");
      lab.connect(s1, "p2", s3, "p1");
      lab.connect(s2, "p2", s3, "p2");
      lab.startSpanningTree();
      lab.advance(VirtualLab.millis(500));
      List<String> s1Story = sentences(s1);
      List<String> s3Story = sentences(s3);
      assertTrue(s1Story.contains("is the root bridge (priority 4096, lowest bridge id it hears of:"
          + " 1000.020000000100)"), String.join("\n", s1Story));
      assertTrue(s3Story.contains("takes 1000.020000000100 (priority 4096) as the root bridge; its best path there is"
          + " port p1, path cost 20000"), String.join("\n", s3Story));
      assertTrue(s3Story.stream().anyMatch(s -> s.startsWith("p2 blocks: it is the alternate path to root"
          + " 1000.020000000100")), String.join("\n", s3Story));
      assertTrue(s3Story.stream().anyMatch(s -> s.startsWith("p1 got a BPDU on an edge port")), s3Story.toString());

      s3.tracer().clear();
      s1.bridge().setPortUp(s1.port("p2"), false);
      s3.bridge().setPortUp(s3.port("p1"), false);
      lab.advance(VirtualLab.millis(50));
      s3Story = sentences(s3);
      assertTrue(s3Story.contains("p2 forwards: it is now the root port, the best path to root 1000.020000000100;"
          + " it was the alternate, so traffic moves to it at once"), String.join("\n", s3Story));
      assertTrue(s3Story.contains("p1 is disabled: its link is down; it was the root port, forwarding"),
          String.join("\n", s3Story));
      assertTrue(s3Story.stream().anyMatch(s -> s.startsWith("detects a topology change: p2 started forwarding")),
          String.join("\n", s3Story));
    }
  }

  /**
   * Under 802.1D-1998 STP (force-version 0 on every switch) a new root port does not forward at once:
   * it is told as waiting out the forward delay, then as forwarding.
   */
  @Test
  void aLegacyRootPortWaitsTheForwardDelay() {
    try (VirtualLab lab = new VirtualLab(1)) {
      StpConfig d = StpConfig.DEFAULT;
      StpConfig legacy = new StpConfig(true, d.priority(), d.hello(), d.maxAge(), d.forwardDelay(), 0);
      LabSwitch s1 = lab.stpBridge("s1", new StpConfig(true, 4096, d.hello(), d.maxAge(), d.forwardDelay(), 0),
          0x02_00_00_00_01_00L);
      LabSwitch s2 = lab.stpBridge("s2", legacy, 0x02_00_00_00_02_00L);
      LabSwitch s3 = lab.stpBridge("s3", legacy, 0x02_00_00_00_03_00L);
      lab.connect(s1, "p1", s2, "p1");
      lab.connect(s1, "p2", s3, "p1");
      lab.connect(s2, "p2", s3, "p2");
      lab.startSpanningTree();
      lab.advance(VirtualLab.seconds(40)); // two forward delays: every port that will forward does
      s3.tracer().clear();
      s1.bridge().setPortUp(s1.port("p2"), false);
      s3.bridge().setPortUp(s3.port("p1"), false);
      lab.advance(VirtualLab.millis(50));
      List<String> s3Story = sentences(s3);
      assertTrue(s3Story.contains("p2 is the root port, the best path to root 1000.020000000100, and discards for a"
          + " forward delay, then learns for another before it forwards: 802.1D-1998 STP is spoken there (under RSTP a"
          + " new root port forwards at once); it was the alternate port, discarding"), String.join("\n", s3Story));
      assertTrue(s3.port("p2").isUp() && !s3.port("p2").isForwarding(), "p2 waits");
      lab.advance(VirtualLab.seconds(31));
      s3Story = sentences(s3);
      assertTrue(s3Story.contains("p2 forwards: it is now the root port, the best path to root 1000.020000000100"),
          String.join("\n", s3Story));
    }
  }

  private static List<String> sentences(LabSwitch s) {
    return s.tracer().events().stream().filter(e -> e instanceof BridgeEvent).map(Story::sentence).toList();
  }
}
