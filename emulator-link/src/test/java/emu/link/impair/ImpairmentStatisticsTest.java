package emu.link.impair;

import static emu.link.impair.RecordingEndpoint.frame;
import static emu.link.impair.RecordingEndpoint.untrackedFrame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.time.VirtualTime;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Long runs on virtual time that check the impairment's statistics against their formulas.
 * Every run is seeded, so it is exactly repeatable; each bound is stated where it is used, as
 * an interval that a correct implementation would leave with probability of about 0.1% for a
 * random seed.
 */
class ImpairmentStatisticsTest {
  static final long MS = 1_000_000L;

  final VirtualTime time = new VirtualTime();
  final RecordingEndpoint inner = new RecordingEndpoint(time);

  ImpairedEndpoint impaired(long seed, String... pairs) {
    inner.recordBytes = false;
    return inner.impaired(seed, pairs);
  }

  /** Sends n back-to-back frames with no delay configured and returns which were lost. */
  boolean[] lossPattern(ImpairedEndpoint e, int n) {
    for (int i = 0; i < n; i++) {
      e.send(untrackedFrame(i, 64));
    }
    boolean[] lost = new boolean[n];
    java.util.Arrays.fill(lost, true);
    for (RecordingEndpoint.Arrival a : inner.arrivals) {
      lost[a.seq()] = false;
    }
    return lost;
  }

  static int count(boolean[] lost) {
    int c = 0;
    for (boolean b : lost) {
      c += b ? 1 : 0;
    }
    return c;
  }

  /** Mean length of runs of consecutive losses. */
  static double meanBurst(boolean[] lost) {
    int bursts = 0;
    for (int i = 0; i < lost.length; i++) {
      if (lost[i] && (i == 0 || !lost[i - 1])) {
        bursts++;
      }
    }
    return (double) count(lost) / bursts;
  }

  /**
   * loss 5% over n = 20,000 frames: binomial mean 1,000, sd sqrt(n p (1-p)) = 30.8; the 99.9%
   * confidence interval is 1,000 +- 3.29 sd = 1,000 +- 101.
   */
  @Test
  void randomLossRate() {
    ImpairedEndpoint e = impaired(1, "loss", "5%");
    boolean[] lost = lossPattern(e, 20_000);
    int drops = count(lost);
    assertTrue(Math.abs(drops - 1000) <= 101, "lost " + drops);
    assertEquals(drops, e.impairmentCounters().lossDrops);
    assertEquals(20_000 - drops, e.impairmentCounters().sent);
    assertEquals(20_000, e.impairmentCounters().frames);
  }

  /**
   * Uncorrelated loss 5%: a burst continues with probability p, so its mean length is
   * 1 / (1 - p) = 1.0526; over ~9,500 bursts (sd of a burst 0.235) the 99.9% interval is
   * +- 0.008. With correlation 50% the mean burst is about 1.32 (the normal-space AR(1) of
   * {@link CorrelatedRandom}; netem's own recurrence would give 1.0 and almost no loss); we
   * ask for more than 1.2, over 10 standard errors below that. The loss rate stays 5%: losses
   * are positively correlated, which inflates the binomial variance about threefold, so the
   * 99.9% interval over 200,000 frames is 10,000 +- 3.29 * sqrt(3 * 9,500) = +- 555.
   */
  @Test
  void correlationMakesLossBurstierAtTheSameRate() {
    boolean[] plain = lossPattern(impaired(3, "loss", "5%"), 200_000);
    inner.arrivals.clear();
    boolean[] correlated = lossPattern(impaired(3, "loss", "5%", "loss-correlation", "50%"), 200_000);
    double plainBurst = meanBurst(plain);
    double correlatedBurst = meanBurst(correlated);
    assertTrue(Math.abs(plainBurst - 1 / 0.95) <= 0.008, "uncorrelated mean burst " + plainBurst);
    assertTrue(correlatedBurst > 1.2, "correlated mean burst " + correlatedBurst);
    assertTrue(Math.abs(count(correlated) - 10_000) <= 555, "correlated losses " + count(correlated));
  }

  /**
   * Gilbert-Elliott p 1%, r 10%, 1-h 50%, 1-k 0.1%: stationary share of Bad = p / (p + r) =
   * 0.0909, loss = 0.909 * 0.001 + 0.0909 * 0.5 = 0.04636, 23,182 of 500,000 frames. The
   * state is sticky (lambda = 1 - p - r = 0.89), so the number of Bad frames has variance
   * ~ n pi_B pi_G (1 + lambda) / (1 - lambda) = 710,000; loss variance ~ 0.25 * 710,000 plus
   * the binomial part 11,800: sd 435, 99.9% interval +- 1,432.
   */
  @Test
  void gilbertElliottLongRunLossMatchesTheStationaryFormula() {
    ImpairedEndpoint e = impaired(9, "loss-gemodel", "1% 10% 50% 0.1%");
    GilbertElliott ge = e.impairment().lossModel();
    assertEquals(0.046364, ge.stationaryLoss(), 1e-6);
    int n = 500_000;
    int drops = count(lossPattern(e, n));
    double expected = ge.stationaryLoss() * n;
    assertTrue(Math.abs(drops - expected) <= 1432, "lost " + drops + ", expected " + expected);
  }

  /**
   * Simple Gilbert (1-h 100%, 1-k 0%), p 1%, r 25%: every Bad frame is lost, so bursts are Bad
   * sojourns, geometric with mean 1 / r = 4 and sd sqrt(1 - r) / r = 3.46. About 4,800 bursts
   * in 500,000 frames: standard error 0.05, 99.9% interval 4 +- 0.165. Loss = p / (p + r) =
   * 3.85%.
   */
  @Test
  void gilbertBurstsLastOneOverR() {
    ImpairedEndpoint e = impaired(4, "loss-gemodel", "1% 25%");
    boolean[] lost = lossPattern(e, 500_000);
    double burst = meanBurst(lost);
    assertTrue(Math.abs(burst - 4) <= 0.165, "mean burst " + burst);
    assertEquals(0.01 / 0.26, count(lost) / 500_000.0, 0.003);
  }

  record Delays(double meanMs, double sdMs, double minMs, double maxMs, double medianMs, int reorderedPairs) {}

  /** Sends n frames 1 us apart and measures each one's delay from its arrival time. */
  Delays delays(ImpairedEndpoint e, int n) {
    long spacing = 1_000L;
    for (int i = 0; i < n; i++) {
      e.send(untrackedFrame(i, 64));
      time.advance(spacing);
    }
    time.advance(10_000 * MS);
    assertEquals(n, inner.arrivals.size());
    double[] d = new double[n];
    int reordered = 0;
    int lastSeq = -1;
    for (RecordingEndpoint.Arrival a : inner.arrivals) {
      d[a.seq()] = (a.time() - a.seq() * spacing) / (double) MS;
      reordered += a.seq() < lastSeq ? 1 : 0;
      lastSeq = Math.max(lastSeq, a.seq());
    }
    double sum = 0;
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    for (double x : d) {
      sum += x;
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    double mean = sum / n;
    double sq = 0;
    for (double x : d) {
      sq += (x - mean) * (x - mean);
    }
    double[] sorted = d.clone();
    java.util.Arrays.sort(sorted);
    return new Delays(mean, Math.sqrt(sq / (n - 1)), min, max, sorted[n / 2], reordered);
  }

  /**
   * Uniform, delay 50 ms, jitter 10 ms, 100,000 frames: mean 50 ms (standard error 5.77 /
   * sqrt(n) = 0.018 ms; bound 0.1 ms), sd 10 / sqrt(3) = 5.774 ms (standard error
   * sd * sqrt(0.8 / n) / 2 = 0.008 ms; bound 2%), every delay within [40, 60) ms.
   */
  @Test
  void uniformJitter() {
    Delays d = delays(impaired(21, "delay", "50ms", "jitter", "10ms"), 100_000);
    assertEquals(50, d.meanMs(), 0.1, d.toString());
    assertEquals(10 / Math.sqrt(3), d.sdMs(), 0.02 * 10 / Math.sqrt(3), d.toString());
    assertTrue(d.minMs() >= 40 && d.maxMs() < 60, d.toString());
    assertTrue(d.reorderedPairs() > 0, "jitter reorders frames");
  }

  /**
   * Normal, delay 50 ms, jitter 10 ms, 100,000 frames: mean standard error 0.032 ms (bound
   * 0.15 ms, 4.7 se), sd standard error sd / sqrt(2n) = 0.022 ms (bound 2% = 0.2 ms, 9 se).
   */
  @Test
  void normalJitter() {
    Delays d = delays(impaired(22, "delay", "50ms", "jitter", "10ms", "distribution", "normal"), 100_000);
    assertEquals(50, d.meanMs(), 0.15, d.toString());
    assertEquals(10, d.sdMs(), 0.2, d.toString());
    assertEquals(50, d.medianMs(), 0.2, "symmetric: " + d);
    assertTrue(d.minMs() < 15 && d.maxMs() > 85, "tails beyond 3.5 sd in 100,000 draws: " + d);
  }

  /**
   * Pareto (shape 3, tail cut at the 99.99th percentile), delay 50 ms, jitter 10 ms, 100,000
   * frames: mean standard error 0.032 ms (bound 0.15 ms). The sample sd of a heavy tail varies
   * more: the cut variable has a fourth central moment of about 190 sd^4, so the sd's standard
   * error is sd * sqrt(190 / n) / 2 = 2.2%; bound 8% (3.6 se). Heavy tail: the median is below
   * the mean, the shortest delay is only 0.62 sd below the mean, the longest many sd above it.
   */
  @Test
  void paretoJitter() {
    Delays d = delays(impaired(23, "delay", "50ms", "jitter", "10ms", "distribution", "pareto"), 100_000);
    assertEquals(50, d.meanMs(), 0.15, d.toString());
    assertEquals(10, d.sdMs(), 0.8, d.toString());
    assertTrue(d.medianMs() < 48, "skewed right: " + d);
    assertTrue(d.minMs() > 43, "bounded below: " + d);
    assertTrue(d.maxMs() > 100, "heavy tail: " + d);
  }

  /** paretonormal: same bounds as pareto (its tail is three quarters of pareto's). */
  @Test
  void paretoNormalJitter() {
    Delays d = delays(impaired(24, "delay", "50ms", "jitter", "10ms", "distribution", "paretonormal"), 100_000);
    assertEquals(50, d.meanMs(), 0.15, d.toString());
    assertEquals(10, d.sdMs(), 0.8, d.toString());
    assertTrue(d.medianMs() < 50, "skewed right: " + d);
  }

  /**
   * Correlated jitter keeps its distribution (normal-space AR(1), see CorrelatedRandom) and
   * makes consecutive delays alike: with 50% correlation the lag-1 correlation of the delays is
   * about 0.5 (0.48 for uniform), standard error 1 / sqrt(n) = 0.003; we ask for > 0.4. The
   * mean and sd bounds are wider than for independent draws (effective sample ~ n / 3).
   */
  @Test
  void correlatedJitterDriftsButKeepsItsSpread() {
    ImpairedEndpoint e = impaired(25, "delay", "50ms", "jitter", "10ms", "delay-correlation", "50%",
        "distribution", "normal");
    int n = 100_000;
    Delays d = delays(e, n);
    assertEquals(50, d.meanMs(), 0.25, d.toString());
    assertEquals(10, d.sdMs(), 0.4, d.toString());
    double[] x = new double[n];
    for (RecordingEndpoint.Arrival a : inner.arrivals) {
      x[a.seq()] = (a.time() - a.seq() * 1_000L) / (double) MS - d.meanMs();
    }
    double lag = 0;
    double var = 0;
    for (int i = 0; i < n; i++) {
      var += x[i] * x[i];
      lag += i > 0 ? x[i] * x[i - 1] : 0;
    }
    assertTrue(lag / var > 0.4, "lag-1 correlation " + lag / var);
  }

  @Test
  void delayIsNeverNegative() {
    Delays d = delays(impaired(26, "jitter", "10ms", "distribution", "normal"), 20_000);
    assertEquals(0, d.minMs(), 0.0, "clamped at 0, never below: " + d);
    assertTrue(d.medianMs() >= 0 && d.medianMs() < 0.5, "about half the draws are clamped: " + d);
  }

  @Test
  void withoutJitterOrderIsKept() {
    Delays d = delays(impaired(27, "delay", "20ms", "loss", "0%"), 20_000);
    assertEquals(0, d.reorderedPairs());
    assertEquals(20, d.minMs(), 0.0);
    assertEquals(20, d.maxMs(), 0.0);
  }

  /**
   * 10 mbit/s, 1500-byte frames offered every ms (12 Mbit/s) for 3 s: the link serialises one
   * frame every 1.2 ms, so between 0.5 s and 2.5 s it delivers 2 s * 10 Mbit/s = 2.5 MB
   * (1,666.7 frames); we ask for 5%. The backlog reaches 500 frames, under the default limit.
   */
  @Test
  void rateLimitsThroughput() {
    ImpairedEndpoint e = impaired(1, "rate", "10mbit");
    for (int i = 0; i < 3000; i++) {
      e.send(untrackedFrame(i, 1500));
      time.advance(MS);
    }
    long bytes = 0;
    List<Long> times = new ArrayList<>();
    for (RecordingEndpoint.Arrival a : inner.arrivals) {
      if (a.time() >= 500 * MS && a.time() < 2_500 * MS) {
        bytes += 1500;
        times.add(a.time());
      }
    }
    double bitsPerSecond = bytes * 8 / 2.0;
    assertEquals(10e6, bitsPerSecond, 0.05 * 10e6, "throughput");
    for (int k = 1; k < times.size(); k++) {
      assertEquals(1_200_000L, times.get(k) - times.get(k - 1), "one frame per 1.2 ms");
    }
    assertEquals(0, e.impairmentCounters().queueDrops);
    assertEquals(0, inner.arrivals.get(0).time() - 1_200_000L, "the first frame waits for its own serialisation");
    time.advance(10_000 * MS);
    assertEquals(3000, inner.arrivals.size());
  }

  @Test
  void queueLimitDropsTheExcessExactly() {
    ImpairedEndpoint e = impaired(1, "rate", "10mbit", "limit", "100");
    List<ByteBuf> sent = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      ByteBuf f = frame(i, 1500);
      sent.add(f);
      e.send(f);
    }
    assertEquals(900, e.impairmentCounters().queueDrops);
    assertEquals(100, e.queuedFrames());
    sent.subList(100, 1000).forEach(f -> assertEquals(0, f.refCnt(), "dropped frames are released"));
    time.advance(1_000 * MS);
    assertEquals(100, inner.arrivals.size());
    assertEquals(120 * MS, inner.arrivals.get(99).time());
    // Once the queue has drained there is room again; half drained, room for half.
    for (int i = 0; i < 150; i++) {
      e.send(frame(1000 + i, 1500));
    }
    assertEquals(950, e.impairmentCounters().queueDrops);
    time.advance(60 * MS);
    for (int i = 0; i < 60; i++) {
      e.send(frame(2000 + i, 1500));
    }
    assertEquals(960, e.impairmentCounters().queueDrops, "50 left, 50 places free");
    time.advance(1_000 * MS);
    assertEquals(250, inner.arrivals.size());
  }

  /** bfifo semantics: a frame is admitted only if the queued bytes plus its own fit in 16k = 16,384. */
  @Test
  void byteLimitDropsTheExcessExactly() {
    ImpairedEndpoint e = impaired(1, "rate", "10mbit", "limit-bytes", "16k");
    for (int i = 0; i < 50; i++) {
      e.send(frame(i, 1500));
    }
    assertEquals(40, e.impairmentCounters().queueDrops, "10 * 1500 = 15,000 fit, 11 * 1500 do not");
    e.send(frame(50, 1000)); // 15,000 + 1,000 fits
    e.send(frame(51, 500)); // 16,000 + 500 does not
    assertEquals(41, e.impairmentCounters().queueDrops);
    time.advance(1_000 * MS);
    assertEquals(11, inner.arrivals.size());
  }

  @Test
  void rateWithDelaySerialisesAfterTheDelay() {
    ImpairedEndpoint e = impaired(1, "delay", "10ms", "rate", "10mbit", "limit", "3");
    for (int i = 0; i < 5; i++) {
      e.send(frame(i, 1500));
    }
    assertEquals(2, e.impairmentCounters().queueDrops, "limit bounds the rate queue, not the delay line");
    time.advance(100 * MS);
    assertEquals(List.of(0, 1, 2), inner.seqs());
    assertEquals(11_200_000L, inner.arrivals.get(0).time());
    assertEquals(13_600_000L, inner.arrivals.get(2).time());
  }

  /** netem's default limit is 1000 packets in flight; here a long delay holds many more without a drop. */
  @Test
  void limitDoesNotBoundTheDelayLine() {
    ImpairedEndpoint e = impaired(1, "delay", "1s", "limit", "10");
    for (int i = 0; i < 5000; i++) {
      e.send(untrackedFrame(i, 64));
    }
    assertEquals(5000, e.queuedFrames());
    assertEquals(0, e.impairmentCounters().queueDrops);
    time.advance(1_000 * MS);
    assertEquals(5000, inner.arrivals.size());
  }
}
