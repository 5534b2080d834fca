package emu.node.bridge.stp;

import static emu.node.bridge.stp.RstpPortTest.bpdu;
import static emu.node.bridge.stp.RstpPortTest.bpduFrame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.testing.CapturedFrame;
import emu.node.testing.LabSwitch;
import emu.node.testing.Tap;
import emu.node.testing.VirtualLab;
import emu.node.wire.Bpdu;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An RSTP switch beside an 802.1D-1998 bridge that speaks only configuration and TCN BPDUs (the
 * Linux kernel bridge with {@code stp_state 1}), on virtual time: what {@code
 * LinuxStpInteropTest} found against the real kernel, reproduced frame by frame.
 */
class RstpLegacyPeerTest {
  static final long S1 = 0x02_00_00_00_01_00L;
  static final long S2 = 0x02_00_00_00_02_00L;
  static final long K = 0x02_00_00_00_0B_01L;
  /** The legacy bridge's id: default priority, a MAC above s1's (s1 is the root). */
  static final long KERNEL_ID = 0x8000_0000_0000_0000L | K;
  private final VirtualLab lab = new VirtualLab(1);
  /** What the legacy bridge sends every hello (2 s), once set. */
  private byte[] config;

  @AfterEach
  void tearDown() {
    lab.close();
  }

  /** A configuration BPDU from the legacy bridge's port 0x8001, claiming to be root itself. */
  static byte[] legacyRootClaim() {
    return bpduFrame(K, bpdu(new Bpdu.Repr(Bpdu.TYPE_CONFIG, 0, KERNEL_ID, 0, KERNEL_ID, 0x8001, 0, 20 * 256,
        2 * 256, 15 * 256)));
  }

  /** The flags of the BPDUs {@code tap} received (what the switch sent there), after {@code since}. */
  static List<Integer> flagsSince(Tap tap, long since) {
    return tap.frames().stream().filter(f -> f.dstMac() == Bpdu.GROUP_ADDRESS && f.atNanos() > since)
        .map(CapturedFrame::bytes).map(b -> b[14 + Bpdu.FLAGS] & 0xff).toList();
  }

  /**
   * 802.1D-2004 17.31 NOTIFIED_TCN: a TCN received sets tcWhile on that port too (newTcWhile), so
   * the acknowledgment and the configuration BPDUs after it carry the topology change flag for max
   * age + forward delay. A legacy bridge shortens its MAC ageing only on that flag (802.1D-1998
   * 8.5.3.12): answered with TCA alone, the kernel bridge kept stale MAC entries for 300 s.
   */
  @Test
  void aTcnIsAcknowledgedWithTheTopologyChangeFlagForMaxAgePlusForwardDelay() {
    LabSwitch s = lab.stpBridge("s1", StpConfig.DEFAULT, S1);
    Tap k = lab.tap(s, "p1");
    lab.tap(s, "p2");
    lab.startSpanningTree();
    lab.advance(VirtualLab.millis(1));
    k.inject(legacyRootClaim());
    lab.advance(VirtualLab.millis(1));
    StpPort p1 = s.stp("p1");
    assertTrue(p1.legacy());
    assertEquals(PortRole.DESIGNATED, p1.role(), "s1 is the better root");
    // Listening and learning (2 x 15 s), then its own topology change (35 s of TC) runs out.
    lab.advance(VirtualLab.seconds(70));
    assertEquals(PortState.FORWARDING, p1.state());
    long quiet = lab.now();
    lab.advance(VirtualLab.seconds(4));
    List<Integer> before = flagsSince(k, quiet);
    assertTrue(!before.isEmpty() && before.stream().allMatch(f -> f == 0), "no change going on: " + before);

    long tcn = lab.now();
    k.inject(bpduFrame(K, bpdu(Bpdu.Repr.tcn())));
    lab.advance(VirtualLab.millis(1));
    List<Integer> answer = flagsSince(k, tcn);
    assertEquals(List.of(Bpdu.FLAG_TCA | Bpdu.FLAG_TC), answer, "acknowledged at once, with the change");
    assertEquals(1, s.bridge().stp().counters().tcReceived);
    // Every configuration BPDU for max age + forward delay (35 s) says TC, then none does.
    lab.advance(VirtualLab.seconds(34));
    List<Integer> during = flagsSince(k, tcn);
    assertTrue(during.size() >= 17 && during.stream().allMatch(f -> (f & Bpdu.FLAG_TC) != 0), "" + during);
    long after = lab.now() + VirtualLab.seconds(2);
    lab.advance(VirtualLab.seconds(6));
    List<Integer> later = flagsSince(k, after);
    assertTrue(!later.isEmpty() && later.stream().allMatch(f -> f == 0), "" + later);
  }

  /**
   * 17.31: a TCN counts only in ACTIVE (a root or designated port that learns or forwards). One on
   * a designated port that still listens is cleared: not acknowledged, no flush, no TC; once the
   * port forwards, the next one is acknowledged.
   */
  @Test
  void aTcnOnAPortThatStillListensIsNeitherAcknowledgedNorCounted() {
    LabSwitch s = lab.stpBridge("s1", StpConfig.DEFAULT, S1);
    Tap k = lab.tap(s, "p1");
    lab.tap(s, "p2");
    lab.startSpanningTree();
    lab.advance(VirtualLab.millis(1));
    k.inject(legacyRootClaim());
    lab.advance(VirtualLab.millis(1));
    StpPort p1 = s.stp("p1");
    assertEquals(PortRole.DESIGNATED, p1.role());
    assertEquals(PortState.DISCARDING, p1.state(), "listening");
    long tcn = lab.now();
    k.inject(bpduFrame(K, bpdu(Bpdu.Repr.tcn())));
    lab.advance(VirtualLab.seconds(3));
    assertEquals(0, s.bridge().stp().counters().tcReceived);
    List<Integer> flags = flagsSince(k, tcn);
    assertTrue(!flags.isEmpty() && flags.stream().allMatch(f -> f == 0), "no TCA, no TC: " + flags);

    lab.advance(VirtualLab.seconds(70)); // listening, learning, and s1's own TC runs out
    assertEquals(PortState.FORWARDING, p1.state());
    long later = lab.now();
    k.inject(bpduFrame(K, bpdu(Bpdu.Repr.tcn())));
    lab.advance(VirtualLab.millis(1));
    assertEquals(List.of(Bpdu.FLAG_TCA | Bpdu.FLAG_TC), flagsSince(k, later));
    assertEquals(1, s.bridge().stp().counters().tcReceived);
  }

  /**
   * s1 (root) - s2 directly, and s2's p2 to a legacy bridge one hop from s1 (root path cost 100,
   * as the kernel's default port cost): p2 is s2's alternate. Returns the tap on p2 after s1 - s2
   * went down: the legacy bridge's root path is s2's only one.
   */
  private Tap alternateToLegacyBecomesRoot(StpConfig s2Config) {
    LabSwitch s1 = lab.stpBridge("s1", StpConfig.DEFAULT, S1);
    LabSwitch s2 = lab.stpBridge("s2", s2Config, S2);
    lab.connect(s1, "p1", s2, "p1");
    Tap k = lab.tap(s2, "p2");
    lab.startSpanningTree();
    config = bpduFrame(K, bpdu(new Bpdu.Repr(Bpdu.TYPE_CONFIG, 0, 0x8000_0000_0000_0000L | S1, 100,
        KERNEL_ID, 0x8002, 256, 20 * 256, 2 * 256, 15 * 256)));
    k.inject(config);
    lab.advance(VirtualLab.seconds(1));
    assertEquals(PortRole.ROOT, s2.stp("p1").role());
    assertEquals(PortRole.ALTERNATE, s2.stp("p2").role());
    assertTrue(s2Config.forceVersion() < 2 || s2.stp("p2").legacy(), "an RSTP s2 speaks STP on p2");
    assertEquals(PortState.DISCARDING, s2.stp("p2").state());
    s1.bridge().setPortUp(s1.port("p1"), false);
    s2.bridge().setPortUp(s2.port("p1"), false);
    k.inject(config);
    lab.advance(VirtualLab.millis(50));
    assertEquals(PortRole.ROOT, s2.stp("p2").role());
    assertEquals(20100, s2.bridge().stp().rootPathCost());
    return k;
  }

  /**
   * 802.1D-2004 17.29.2 ROOT_LEARN and ROOT_FORWARD: on an RSTP bridge (rstpVersion) a new root
   * port forwards at once when no other port was recently root (reRooted), whatever its neighbour
   * speaks: the legacy bridge's designated port already forwards, and no loop can form through a
   * root port. It tells the legacy bridge with a TCN.
   */
  @Test
  void onAnRstpBridgeANewRootPortTowardALegacyBridgeForwardsAtOnce() {
    Tap k = alternateToLegacyBecomesRoot(StpConfig.DEFAULT);
    assertEquals(PortState.FORWARDING, lab.bridgeNamed("s2").stp("p2").state());
    assertTrue(k.frames().stream().anyMatch(f -> f.dstMac() == Bpdu.GROUP_ADDRESS
        && f.bytes()[14 + Bpdu.TYPE] == (byte) Bpdu.TYPE_TCN), "a TCN to the legacy bridge");
  }

  /**
   * 17.29.2 reRooted and 17.29.3 DESIGNATED_SYNCED: a new root port forwards at once only if no
   * other port has rrWhile running, and a designated port that neither learns nor forwards clears
   * its rrWhile. s2's root port p1 leads to a legacy bridge claiming root; a better root appears
   * on p2 (no proposal): p2 becomes the root port and p1, the old one, designated. Rstp sets p1
   * discarding (listening toward STP) before it sets p2 (reselect's forwardLast), so p2 forwards at
   * once and the two never forward together.
   */
  @Test
  void theOldRootPortTowardALegacyBridgeDiscardsBeforeTheNewOneForwards() {
    LabSwitch s2 = lab.stpBridge("s2", StpConfig.DEFAULT, S2);
    Tap k = lab.tap(s2, "p1");
    Tap b = lab.tap(s2, "p2");
    lab.startSpanningTree();
    lab.advance(VirtualLab.millis(1));
    long kernelRoot = 0x1000_0000_0000_0000L | K;
    k.inject(bpduFrame(K, bpdu(new Bpdu.Repr(Bpdu.TYPE_CONFIG, 0, kernelRoot, 0, kernelRoot, 0x8001, 0, 20 * 256,
        2 * 256, 15 * 256))));
    lab.advance(VirtualLab.seconds(1));
    StpPort p1 = s2.stp("p1");
    StpPort p2 = s2.stp("p2");
    assertEquals(PortRole.ROOT, p1.role());
    assertEquals(PortState.FORWARDING, p1.state());

    long better = 0x0000_0200_0000_0099L;
    b.inject(bpduFrame(0x02_00_00_00_00_99L, bpdu(new Bpdu.Repr(Bpdu.TYPE_RST,
        Bpdu.ROLE_DESIGNATED << Bpdu.ROLE_SHIFT, better, 0, better, 0x8001, 0, 20 * 256, 2 * 256, 15 * 256))));
    lab.advance(VirtualLab.millis(1));
    assertEquals(PortRole.ROOT, p2.role());
    assertEquals(PortState.FORWARDING, p2.state(), "the old root port discards: reRooted holds at once");
    assertEquals(PortRole.DESIGNATED, p1.role());
    assertEquals(PortState.DISCARDING, p1.state(), "listening toward the legacy bridge");
    assertTrue(p1.legacy());
  }

  /** An 802.1D-1998 bridge (force-version 0) listens and learns on its new root port, as STP says. */
  @Test
  void anStpBridgesNewRootPortListensAndLearnsFirst() {
    Tap legacy = alternateToLegacyBecomesRoot(StpConfig.DEFAULT.withForceVersion(0));
    StpPort p2 = lab.bridgeNamed("s2").stp("p2");
    assertEquals(PortState.DISCARDING, p2.state());
    for (int t = 0; t < 31; t += 2) {
      if (t == 14) {
        assertEquals(PortState.DISCARDING, p2.state(), "listening for 15 s");
      }
      if (t == 16) {
        assertEquals(PortState.LEARNING, p2.state());
      }
      legacy.inject(config); // the legacy bridge's hellos keep its information from ageing out
      lab.advance(VirtualLab.seconds(2));
    }
    assertEquals(PortState.FORWARDING, p2.state());
  }
}
