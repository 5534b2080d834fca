package emu.node.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * CUBIC (RFC 9438) on a virtual ACK clock: a sender that always fills cwnd, one ACK per
 * segment, about cwnd ACKs per RTT, every call given an explicit fake time.
 */
class CubicTest {
  static final int SMSS = 1448;
  static final long MS = 1_000_000L;
  static final long SECOND = 1_000_000_000L;

  private final Cubic cc = new Cubic();
  private long now = 7 * SECOND;

  CubicTest() {
    cc.init(SMSS, now);
  }

  private double segments() {
    return cc.cwnd() / (double) SMSS;
  }

  /** One ACK for one segment, the window full before it; ACKs spread evenly over an RTT. */
  private void ackOne(long rtt) {
    long segs = Math.max(1, cc.cwnd() / SMSS);
    now += Math.max(1, rtt / segs);
    cc.onAck(SMSS, rtt, (segs - 1) * SMSS, now);
  }

  private void ackUntil(long time, long rtt) {
    while (now < time) {
      ackOne(rtt);
    }
  }

  /** One round trip: every segment of the window at its start is acknowledged. */
  private void roundTrip(long rtt) {
    long segs = Math.max(1, cc.cwnd() / SMSS);
    for (long i = 0; i < segs; i++) {
      ackOne(rtt);
    }
  }

  /** Slow start up to exactly {@code wMax} segments, then a loss and the end of its recovery. */
  private void lossAt(int wMax) {
    while (cc.cwnd() < (long) wMax * SMSS) {
      ackOne(100 * MS);
    }
    assertEquals((long) wMax * SMSS, cc.cwnd());
    cc.onLoss(cc.cwnd(), now);
    cc.onRecoveryEnd(now);
  }

  /** RFC 9438 figure 1, segments. */
  private static double wCubic(double t, double k, double wMax) {
    return Cubic.C * Math.pow(t - k, 3) + wMax;
  }

  /** Loss at W_max, then the first ACK of congestion avoidance; returns its time (t = 0). */
  private long startEpochAfterLossAt(int wMax, long rtt) {
    lossAt(wMax);
    ackOne(rtt);
    return now;
  }

  @Test
  void slowStartIsRenoWithAbc() {
    assertEquals(14_480, cc.cwnd(), "RFC 6928: 10 segments of 1448");
    roundTrip(100 * MS);
    assertEquals(20L * SMSS, cc.cwnd());
    roundTrip(100 * MS);
    assertEquals(40L * SMSS, cc.cwnd());
    cc.onAck(10L * SMSS, 100 * MS, 39L * SMSS, now); // stretch ACK: L = 2*SMSS
    assertEquals(42L * SMSS, cc.cwnd());
  }

  @Test
  void lossMultipliesByBetaAndKFollowsRfc9438() {
    lossAt(100);
    assertEquals(Math.round(0.7 * 100 * SMSS), cc.cwnd());
    assertEquals(cc.cwnd(), cc.ssthresh());
    assertEquals(100.0, cc.wMaxSegments(), 1e-9);
    ackOne(100 * MS); // first ACK of congestion avoidance starts the epoch
    // K = cbrt(W_max * (1 - beta) / C) = cbrt(100 * 0.3 / 0.4) = cbrt(75) = 4.2172 s
    assertEquals(Math.cbrt(75), cc.kSeconds(), 1e-9);
    assertEquals(4.2172, cc.kSeconds(), 1e-4);
  }

  @Test
  void lossAtAnySizeKeepsSeventyPercentAndTwoSegments() {
    for (int w : new int[] {10, 57, 1000}) {
      cc.init(SMSS, now);
      lossAt(w);
      assertEquals(0.7 * w * SMSS, cc.cwnd(), 1.0);
    }
    cc.init(SMSS, now);
    for (int i = 0; i < 10; i++) {
      cc.onLoss(0, now); // 10 -> 7 -> 4.9 -> 3.43 -> 2.4 -> ... but never below 2 segments
    }
    assertEquals(2L * SMSS, cc.cwnd());
    assertEquals(2L * SMSS, cc.ssthresh());
  }

  @Test
  void windowFollowsTheCubicCurve() {
    long rtt = 100 * MS; // W_max 1000 segments: a 116 Mbit/s path, cubic beats Reno here
    long t0 = startEpochAfterLossAt(1000, rtt);
    double k = Math.cbrt(1000 * 0.3 / 0.4);
    assertEquals(k, cc.kSeconds(), 1e-9);
    for (double t : new double[] {0.5, 1, 2, 4, k, 10, 12, 14}) {
      ackUntil(t0 + (long) (t * SECOND), rtt);
      double expected = wCubic(t, k, 1000);
      assertEquals(expected, segments(), 0.005 * expected + 0.5, "t = " + t);
      assertTrue(segments() <= wCubic(t + 0.1, k, 1000) + 1, "ahead of W_cubic(t + RTT)");
    }
  }

  @Test
  void concaveRegionApproachesWMaxAndPlateaus() {
    long rtt = 100 * MS;
    long t0 = startEpochAfterLossAt(1000, rtt);
    double k = cc.kSeconds();
    ackUntil(t0 + SECOND, rtt);
    double first = segments() - 700;
    ackUntil(t0 + (long) ((k - 1) * SECOND), rtt);
    double before = segments();
    ackUntil(t0 + (long) ((k + 1) * SECOND), rtt);
    double after = segments();
    assertTrue(first > 80, "fast growth just after the reduction: " + first);
    assertTrue(before < 1000 && before > 995, "close below W_max: " + before);
    assertTrue(after - before < 2, "plateau around W_max: " + before + " -> " + after);
    assertEquals(1000, after, 2);
  }

  @Test
  void convexRegionAcceleratesBeyondWMax() {
    long rtt = 100 * MS;
    long t0 = startEpochAfterLossAt(1000, rtt);
    double k = cc.kSeconds();
    double[] w = new double[4];
    for (int i = 0; i < w.length; i++) {
      ackUntil(t0 + (long) ((k + 2 + 2 * i) * SECOND), rtt);
      w[i] = segments();
    }
    assertTrue(w[0] > 1000);
    for (int i = 2; i < w.length; i++) {
      assertTrue(w[i] - w[i - 1] > w[i - 1] - w[i - 2], "convex: " + Arrays.toString(w));
    }
    assertEquals(wCubic(k + 8, k, 1000), w[3], 0.01 * w[3]);
  }

  @Test
  void fastConvergenceLowersWMaxWhenLossComesBelowIt() {
    lossAt(100);
    assertEquals(100.0, cc.wMaxSegments(), 1e-9);
    cc.onLoss(cc.cwnd(), now); // the next congestion event at 70 segments, below W_max
    assertEquals(70 * 0.85, cc.wMaxSegments(), 1e-6, "W_max = cwnd * (1 + beta) / 2");
    assertEquals(Math.round(0.49 * 100 * SMSS), cc.cwnd());
    cc.onRecoveryEnd(now);
    ackOne(100 * MS);
    assertEquals(Math.cbrt((59.5 - 49) / 0.4), cc.kSeconds(), 1e-6);

    Cubic fresh = new Cubic(); // loss above the previous W_max: no fast convergence
    fresh.init(SMSS, now);
    fresh.onLoss(0, now); // W_max = 10 segments
    for (int i = 0; i < 200; i++) {
      fresh.onAck(2L * SMSS, 10 * MS, fresh.cwnd(), now += 10 * MS);
    }
    double w = fresh.cwnd() / (double) SMSS;
    assertTrue(w > 10);
    fresh.onLoss(fresh.cwnd(), now);
    assertEquals(w, fresh.wMaxSegments(), 1.0 / SMSS, "W_max = cwnd (cwnd() rounds down)");
  }

  @Test
  void renoFriendlyRegionDominatesForSmallRttAndWindow() {
    long rtt = MS; // 1 ms RTT, W_max 20: CUBIC's curve would take K = 2.47 s, Reno ~6 RTTs
    long t0 = startEpochAfterLossAt(20, rtt);
    double k = cc.kSeconds();
    assertEquals(Math.cbrt(15), k, 1e-6);
    double west0 = cc.wEstSegments();
    for (int i = 0; i < 5; i++) {
      roundTrip(rtt);
    }
    double t = (now - t0) / 1e9;
    assertEquals(west0 + 5 * Cubic.ALPHA, cc.wEstSegments(), 0.3, "alpha = 0.53 per RTT");
    assertEquals(cc.wEstSegments(), segments(), 0.01, "cwnd = W_est");
    assertTrue(segments() > wCubic(t, k, 20) + 2, "W_est above W_cubic(t)");
    while (cc.wEstSegments() < 20) {
      roundTrip(rtt);
    }
    double w = segments();
    for (int i = 0; i < 10; i++) {
      roundTrip(rtt);
    }
    assertEquals(w + 10, segments(), 1.0, "alpha = 1 once W_est passes cwnd_prior");
    assertTrue(cc.wEstSegments() > wCubic((now - t0) / 1e9, k, 20));
  }

  @Test
  void timeoutGoesToOneSegmentThenAConvexEpochFromSsthresh() {
    while (cc.cwnd() < 100L * SMSS) {
      ackOne(100 * MS);
    }
    cc.onTimeout(cc.cwnd(), now);
    assertEquals(SMSS, cc.cwnd());
    assertEquals(70L * SMSS, cc.ssthresh(), "ssthresh = cwnd * beta");
    assertEquals(100.0, cc.wMaxSegments(), 1e-9);
    cc.onTimeout(SMSS, now); // backed-off retransmission: no second reduction
    assertEquals(70L * SMSS, cc.ssthresh());
    assertEquals(SMSS, cc.cwnd());
    while (cc.cwnd() < cc.ssthresh()) {
      ackOne(100 * MS);
    }
    assertEquals(70L * SMSS, cc.cwnd(), "slow start stops at ssthresh");
    ackOne(100 * MS);
    assertEquals(0.0, cc.kSeconds(), "RFC 9438 4.8: K = 0 in the first epoch after a timeout");
    long t0 = now;
    ackUntil(t0 + 2 * SECOND, 100 * MS);
    assertTrue(segments() > 70 + 2 * 10 * Cubic.ALPHA - 1, "grows from cwnd_epoch: " + segments());
  }

  @Test
  void aLossAfterATimeoutFollowsItsOwnCurve() {
    while (cc.cwnd() < 100L * SMSS) {
      ackOne(100 * MS);
    }
    cc.onTimeout(cc.cwnd(), now); // W_max 100, ssthresh 70
    while (cc.cwnd() < 20L * SMSS) {
      ackOne(100 * MS); // slow start, not yet at ssthresh
    }
    cc.onLoss(cc.cwnd(), now);
    assertEquals(20 * 0.85, cc.wMaxSegments(), 1e-9, "fast convergence below W_max 100");
    assertEquals(14L * SMSS, cc.cwnd());
    cc.onRecoveryEnd(now);
    ackOne(100 * MS);
    assertEquals(Math.cbrt((17 - 14) / 0.4), cc.kSeconds(), 1e-9, "4.2, not 4.8's K = 0");
  }

  @Test
  void timeoutDuringRecoveryDoesNotReduceTwice() {
    while (cc.cwnd() < 100L * SMSS) {
      ackOne(100 * MS);
    }
    cc.onLoss(cc.cwnd(), now);
    assertEquals(70L * SMSS, cc.ssthresh());
    cc.onTimeout(cc.cwnd(), now); // the same congestion event, still in its recovery
    assertEquals(70L * SMSS, cc.ssthresh());
    assertEquals(100.0, cc.wMaxSegments(), 1e-9);
    assertEquals(SMSS, cc.cwnd());
    cc.onRecoveryEnd(now);
    assertEquals(SMSS, cc.cwnd(), "a timeout's loss window is not undone");
  }

  @Test
  void doesNotGrowWhenApplicationLimited() {
    lossAt(100);
    long w = cc.cwnd();
    for (int i = 0; i < 1000; i++) {
      cc.onAck(SMSS, 100 * MS, 10L * SMSS, now += MS); // only 11 of 70 segments in flight
    }
    assertEquals(w, cc.cwnd());
    cc.init(SMSS, now);
    cc.onAck(SMSS, 100 * MS, 0, now); // one request-response segment in slow start
    assertEquals(14_480, cc.cwnd());
  }

  @Test
  void edgeInputsNeverGiveNaNNegativeOrRunaway() {
    Random random = new Random(9438);
    long[] bytes = {0, -1, 1, SMSS, 64L * SMSS, Long.MAX_VALUE, Long.MIN_VALUE};
    long[] rtts = {-1, 0, 1, 100 * MS, Long.MAX_VALUE};
    long[] times = {0, -1, 1, now, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE / 2};
    for (int i = 0; i < 20_000; i++) {
      long time = random.nextInt(4) == 0 ? times[random.nextInt(times.length)] : (now += MS);
      long flight = random.nextBoolean() ? cc.cwnd() : bytes[random.nextInt(bytes.length)];
      switch (random.nextInt(20)) {
        case 0 -> cc.onLoss(flight, time);
        case 1 -> cc.onTimeout(flight, time);
        case 2 -> cc.onRecoveryEnd(time);
        default -> cc.onAck(bytes[random.nextInt(bytes.length)], rtts[random.nextInt(rtts.length)],
            flight, time);
      }
      assertTrue(cc.cwnd() >= SMSS && cc.cwnd() <= CongestionControls.MAX_CWND, cc.toString());
      assertTrue(cc.ssthresh() >= 2L * SMSS, cc.toString());
      assertFalse(Double.isNaN(cc.wEstSegments()) || Double.isNaN(cc.kSeconds()), cc.toString());
      assertFalse(cc.toString().contains("NaN"), cc.toString());
    }
    cc.init(SMSS, 0);
    lossAt(50);
    ackOne(100 * MS); // the epoch starts now; next, ACKs 290 years later
    for (int i = 0; i < 100; i++) { // no RTT sample: 1.5 * cwnd per window
      cc.onAck(cc.cwnd(), -1, cc.cwnd(), Long.MAX_VALUE);
    }
    assertEquals(CongestionControls.MAX_CWND, cc.cwnd(), "capped at 1 GiB");
  }

  @Test
  void toStringShowsSegments() {
    lossAt(100);
    assertEquals("cubic cwnd=70.0 ssthresh=70.0 segments of 1448 bytes", cc.toString());
  }
}
