package emu.node.bridge.stp;

import static emu.node.bridge.stp.RstpLegacyPeerTest.legacyRootClaim;
import static emu.node.bridge.stp.RstpPortTest.bpdu;
import static emu.node.bridge.stp.RstpPortTest.bpduFrame;
import static emu.node.bridge.stp.RstpTriangleTest.frame;
import static emu.node.bridge.stp.RstpTriangleTest.received;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.event.BridgeEvent;
import emu.node.testing.CapturedFrame;
import emu.node.testing.LabSwitch;
import emu.node.testing.Tap;
import emu.node.testing.VirtualLab;
import emu.node.wire.Bpdu;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A flood of topology changes at one port, on virtual time (the bad input): 10,000 TCNs
 * in a second from an STP neighbour, or 10,000 RST BPDUs with TC from the root's side. Each is
 * counted; the switch's own BPDUs stay within the transmit hold count (6 a second a port, 17.13.12)
 * rather than answering each; hosts on edge ports keep talking (their MACs are never flushed);
 * frames to a MAC behind a flushed port are flooded meanwhile and still arrive once; the change
 * ends a max age + forward delay (STP) or two hellos (RSTP) after the last one; nothing leaks (the
 * lab's allocator is checked when it closes).
 *
 * <pre>
 *   k (tap: an STP bridge) ── p1 s1 p4 ── p1 s2 p2 ── c (tap: a host)
 *                             p2 │ p3
 *                                a   b   (taps: hosts on edge ports)
 * </pre>
 */
class RstpTopologyChangeFloodTest {
  static final long S1 = 0x02_00_00_00_01_00L;
  static final long S2 = 0x02_00_00_00_02_00L;
  static final long A = 0x02_00_00_00_00_0AL;
  static final long B = 0x02_00_00_00_00_0BL;
  static final long C = 0x02_00_00_00_00_0CL;
  static final int FLOOD = 10_000;
  private final VirtualLab lab = new VirtualLab(1);
  private LabSwitch s1;
  private LabSwitch s2;
  private Tap k;
  private Tap a;
  private Tap b;
  private Tap c;

  @AfterEach
  void tearDown() {
    lab.close();
  }

  /** An RST BPDU from k's designated port naming k (0x1000...: better than any switch here) the root. */
  static byte[] rstpRootHello(int flags) {
    long k = 0x1000_0000_0000_0000L | RstpLegacyPeerTest.K;
    return bpduFrame(RstpLegacyPeerTest.K, bpdu(new Bpdu.Repr(Bpdu.TYPE_RST, flags | Bpdu.ROLE_DESIGNATED
        << Bpdu.ROLE_SHIFT | Bpdu.FLAG_LEARNING | Bpdu.FLAG_FORWARDING, k, 0, k, 0x8001, 0, 20 * 256, 2 * 256,
        15 * 256)));
  }

  /** Advances {@code seconds}, {@code hello} arriving from k every 2 s, as its hellos would. */
  private void advanceWithHellos(byte[] hello, int seconds) {
    for (int t = 0; t < seconds; t += 2) {
      k.inject(hello);
      lab.advance(VirtualLab.seconds(2));
    }
  }

  /**
   * The lab above, converged, with every host's MAC learned; k says {@code hello} every 2 s (an
   * inferior configuration BPDU: s1's p1 is a designated STP port; or a superior RST BPDU: p1 is
   * s1's root port).
   */
  private void converged(byte[] hello) {
    s1 = lab.stpBridge("s1", StpConfig.DEFAULT, S1);
    s2 = lab.stpBridge("s2", StpConfig.DEFAULT, S2);
    k = lab.tap(s1, "p1");
    a = lab.tap(s1, "p2");
    b = lab.tap(s1, "p3");
    lab.connect(s1, "p4", s2, "p1");
    c = lab.tap(s2, "p2");
    lab.startSpanningTree();
    advanceWithHellos(hello, 32); // an STP port listens and learns (2 x 15 s), then forwards
    assertEquals(PortState.FORWARDING, s1.stp("p1").state());
    assertEquals(PortRole.ROOT, s2.stp("p1").role());
    a.inject(frame(B, A, 0));
    b.inject(frame(A, B, 0));
    c.inject(frame(A, C, 0));
    advanceWithHellos(hello, 40); // the changes of the start are over
  }

  private static List<CapturedFrame> bpdus(List<CapturedFrame> frames, long since) {
    return frames.stream().filter(f -> f.dstMac() == Bpdu.GROUP_ADDRESS && f.atNanos() > since).toList();
  }

  private static int flags(CapturedFrame bpdu) {
    return bpdu.bytes()[14 + Bpdu.FLAGS] & 0xff;
  }

  /**
   * Injects {@code FLOOD} copies of {@code bpdu} from k, one every 100 us, and among them a
   * unicast every 10 ms from a to b, b to a and a to c (behind s2: s1 forgets c at each change
   * and floods those); then checks that each arrived once.
   */
  private void flood(byte[] bpdu) {
    int tag = 1;
    for (int i = 0; i < FLOOD; i++) {
      k.inject(bpdu);
      if (i % 100 == 0) {
        tag++;
        a.inject(frame(B, A, tag));
        b.inject(frame(A, B, tag));
        a.inject(frame(C, A, tag + 100));
      }
      lab.advance(100_000L); // 100 us
    }
    lab.advance(VirtualLab.millis(10));
    for (int t = 2; t <= tag; t++) {
      assertEquals(1, received(b, t), "a to b, frame " + t);
      assertEquals(1, received(a, t), "b to a, frame " + t);
      assertEquals(1, received(c, t + 100), "a to c, frame " + t + " (flooded, once)");
    }
  }

  @Test
  void aFloodOfTcnsIsCountedAndAnsweredAtTheTransmitHoldRate() {
    byte[] hello = legacyRootClaim();
    converged(hello);
    assertTrue(s1.stp("p1").legacy());
    long t0 = lab.now();
    long tc1 = s1.bridge().stp().counters().tcReceived;
    long tc2 = s2.bridge().stp().counters().tcReceived;
    flood(bpduFrame(RstpLegacyPeerTest.K, bpdu(Bpdu.Repr.tcn())));
    assertEquals(FLOOD, s1.bridge().stp().counters().tcReceived - tc1, "every TCN counted");
    assertEquals(FLOOD, s1.tracer().of(BridgeEvent.StpTopologyChange.class).stream()
        .filter(e -> e.port().equals("p1") && !e.detected()).count(), "and traced");
    // 1 s of flood: s1 answers k at most 6 times (and its tick's hello), not 10,000 times
    List<CapturedFrame> toK = bpdus(k.frames(), t0);
    assertTrue(!toK.isEmpty() && toK.size() <= 6 + 2, "BPDUs to k during the flood: " + toK.size());
    // after a hello that may have left just before the first TCN arrived: acknowledgments, with TC
    List<Integer> answers = toK.stream().map(RstpTopologyChangeFloodTest::flags).toList();
    assertTrue(answers.subList(answers.get(0) == 0 ? 1 : 0, answers.size()).stream()
        .allMatch(f -> f == (Bpdu.FLAG_TC | Bpdu.FLAG_TCA)) && answers.contains(Bpdu.FLAG_TC | Bpdu.FLAG_TCA),
        "acknowledgments, with TC: " + answers);
    List<CapturedFrame> toS2 = bpdus(s1.sent("p4"), t0);
    assertTrue(!toS2.isEmpty() && toS2.size() <= 6 + 2, "BPDUs to s2 during the flood: " + toS2.size());
    assertTrue(s2.bridge().stp().counters().tcReceived > tc2, "s2 was told");
    // The change ends max age + forward delay (35 s) after the last TCN: s1's BPDUs are plain again.
    advanceWithHellos(hello, 36);
    long quiet = lab.now();
    advanceWithHellos(hello, 6);
    List<CapturedFrame> after = bpdus(k.frames(), quiet);
    assertTrue(!after.isEmpty() && after.stream().allMatch(f -> flags(f) == 0), "no TC, no TCA once it is over");
    assertEquals(0, s1.bridge().stp().counters().internalErrors);
  }

  @Test
  void aFloodOfRstTopologyChangesOnTheRootPortIsCountedAndForwardingGoesOn() {
    byte[] hello = rstpRootHello(0);
    converged(hello);
    assertEquals(PortRole.ROOT, s1.stp("p1").role());
    long t0 = lab.now();
    long tc1 = s1.bridge().stp().counters().tcReceived;
    long tc2 = s2.bridge().stp().counters().tcReceived;
    flood(rstpRootHello(Bpdu.FLAG_TC));
    assertEquals(FLOOD, s1.bridge().stp().counters().tcReceived - tc1, "every TC counted");
    List<CapturedFrame> toS2 = bpdus(s1.sent("p4"), t0);
    assertTrue(!toS2.isEmpty() && toS2.size() <= 6 + 2, "BPDUs to s2 during the flood: " + toS2.size());
    assertTrue(toS2.stream().allMatch(f -> (flags(f) & Bpdu.FLAG_TC) != 0), "each with TC");
    long toS2Tc = s2.bridge().stp().counters().tcReceived - tc2;
    assertTrue(toS2Tc >= 1 && toS2Tc <= toS2.size(), "s2 told, once per BPDU: " + toS2Tc);
    assertTrue(bpdus(k.frames(), t0).size() <= 6 + 2, "nothing echoed to the root at the flood's rate");
    // An RSTP port's change lasts hello + 1 s (tcWhile) after the last TC: then s1's BPDUs to s2 are plain.
    advanceWithHellos(hello, 4);
    long quiet = lab.now();
    advanceWithHellos(hello, 6);
    List<CapturedFrame> after = bpdus(s1.sent("p4"), quiet);
    assertTrue(!after.isEmpty() && after.stream().allMatch(f -> (flags(f) & Bpdu.FLAG_TC) == 0), "no TC after");
    assertEquals(0, s1.bridge().stp().counters().internalErrors);
  }
}
