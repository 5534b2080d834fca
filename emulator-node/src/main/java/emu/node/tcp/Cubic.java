package emu.node.tcp;

import static emu.node.tcp.CongestionControls.INITIAL_SSTHRESH;
import static emu.node.tcp.CongestionControls.MAX_CWND;

/**
 * CUBIC window arithmetic (RFC 9438), the default of Linux, Windows and Apple stacks.
 *
 * <ul>
 *   <li>Slow start while cwnd &lt; ssthresh exactly as {@link NewReno} (RFC 9438 4.10, RFC 3465
 *       with L = 2*SMSS; no HyStart). Initial window per RFC 6928.
 *   <li>Congestion avoidance (4.2): W_cubic(t) = C*(t-K)^3 + W_max with C = 0.4, and
 *       K = cbrt((W_max - cwnd_epoch)/C), which is cbrt(W_max*(1-beta)/C) when
 *       cwnd_epoch = beta*W_max. t counts from the first ACK of the current congestion
 *       avoidance stage, read from the {@code nowNanos} the connection passes. On each ACK
 *       target = W_cubic(t + RTT) clamped to [cwnd, 1.5*cwnd], and cwnd grows by
 *       (target - cwnd)/cwnd per segment acknowledged (concave region 4.4 below W_max, convex
 *       region 4.5 above it), never past target.
 *   <li>Reno-friendly region (4.3): W_est starts at cwnd_epoch and grows by
 *       alpha*segments_acked/cwnd with alpha = 3*(1-beta)/(1+beta), and by 1 instead once
 *       W_est reaches cwnd_prior (the window before the last reduction). While W_cubic(t) &lt;
 *       W_est, cwnd = W_est.
 *   <li>Loss (4.6, 4.7): W_max = cwnd, or cwnd*(1+beta)/2 when cwnd is below the previous W_max
 *       (fast convergence); ssthresh = max(cwnd*beta, 2*SMSS) with beta = 0.7; cwnd = ssthresh.
 *   <li>Timeout (4.8): W_max and ssthresh as for a loss, cwnd = 1*SMSS, slow start; the first
 *       congestion avoidance stage after it uses K = 0 and cwnd_epoch as the curve's plateau.
 *       A timeout during fast recovery, or a repeated one with nothing acknowledged in between,
 *       does not reduce ssthresh or W_max again (the congestion event was already counted; Linux
 *       does the same).
 *   <li>Recovery end (RFC 6582): cwnd = ssthresh, i.e. nothing, as onLoss already set it.
 * </ul>
 *
 * <p>Units: the RFC formulas work in segments (bytes / SMSS) and seconds. cwnd is kept as a
 * double number of bytes so that fractional per-ACK increments accumulate; {@link #cwnd()}
 * rounds down. ssthresh = cwnd*beta is rounded to the nearest byte (so 0.7 * 144800 is
 * 101360, not 101359.99...). cwnd stays within [1*SMSS, 1 GiB].
 *
 * <p>RTT: the RFC's RTT in W_cubic(t + RTT) is the smoothed RTT, so this keeps an RFC 6298 SRTT
 * (gain 1/8) of the samples given to {@link #onAck}; it is 0 until the first sample.
 *
 * <p>Because ssthresh comes from cwnd rather than the flight size, RFC 9438 4.6 requires that
 * cwnd not grow while bytes in flight are below it: an ACK grows cwnd only if the flight before
 * it ({@code inFlight + ackedBytes}) was within one SMSS of cwnd. So pass the true flight size.
 */
public final class Cubic implements CongestionControl {
  /** RFC 9438 4.1: C, in segments per second cubed. */
  static final double C = 0.4;
  /** RFC 9438 4.1: multiplicative decrease factor. */
  static final double BETA = 0.7;
  /** RFC 9438 4.3: additive increase of the Reno-friendly estimate, segments per RTT. */
  static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

  private int smss; // 0 until init
  private double cwnd; // bytes
  private long ssthresh; // bytes
  private long srttNanos = -1;
  private double wMax; // segments; 0 before the first congestion event
  private double cwndPrior; // segments, cwnd just before the last reduction
  private boolean epochStarted;
  private long epochStartNanos;
  private double k; // seconds
  private double plateau; // segments: the W_max of the current curve
  private double wEst; // segments
  private boolean inRecovery;
  private boolean backingOff;
  private boolean afterTimeout;

  @Override
  public String name() {
    return "cubic";
  }

  @Override
  public void init(int smss, long nowNanos) {
    this.smss = CongestionControls.checkSmss(smss);
    cwnd = CongestionControls.initialWindow(smss);
    ssthresh = INITIAL_SSTHRESH;
    srttNanos = -1;
    wMax = 0;
    cwndPrior = 0;
    epochStarted = false;
    inRecovery = false;
    backingOff = false;
    afterTimeout = false;
  }

  /** Bytes, rounded down; 0 before {@link #init}. */
  @Override
  public long cwnd() {
    return (long) cwnd;
  }

  @Override
  public long ssthresh() {
    return ssthresh;
  }

  @Override
  public void onAck(long ackedBytes, long rttNanos, long inFlight, long nowNanos) {
    CongestionControls.checkInitialised(smss, name());
    if (rttNanos >= 0) { // RFC 6298 2.2 / 2.3 smoothing, gain 1/8
      srttNanos = srttNanos < 0 ? rttNanos : srttNanos + (rttNanos - srttNanos) / 8;
    }
    long acked = CongestionControls.saneBytes(ackedBytes);
    if (acked == 0) {
      return;
    }
    backingOff = false;
    long flightBefore = CongestionControls.saneBytes(inFlight) + acked;
    if (flightBefore + smss <= cwnd) {
      return; // not cwnd-limited (RFC 9438 4.6 / 5.8, RFC 7661): do not grow
    }
    if (cwnd < ssthresh) { // RFC 9438 4.10: slow start
      double room = ssthresh - cwnd;
      long increase = CongestionControls.slowStartIncrement(acked, smss);
      if (increase < room) {
        cwnd = Math.min(cwnd + increase, MAX_CWND);
        return;
      }
      cwnd = Math.min(ssthresh, MAX_CWND);
      acked -= (long) Math.ceil(room); // the rest of this ACK counts toward CA
      if (acked <= 0) {
        return;
      }
    }
    congestionAvoidance(acked / (double) smss, nowNanos);
  }

  /** RFC 9438 4.2 to 4.5, for one ACK of {@code segmentsAcked} segments. */
  private void congestionAvoidance(double segmentsAcked, long nowNanos) {
    double w = cwnd / smss;
    if (!epochStarted) {
      startEpoch(w, nowNanos);
    }
    double t = Math.max(0.0, ((double) nowNanos - (double) epochStartNanos) / 1e9);
    double rtt = Math.max(0L, srttNanos) / 1e9;
    double alpha = wEst >= cwndPrior ? 1.0 : ALPHA; // 4.3: Reno's own rate once past cwnd_prior
    wEst = Math.min(wEst + alpha * segmentsAcked / w, (double) MAX_CWND / smss);
    double next;
    if (wCubic(t) < wEst) {
      next = Math.max(w, wEst); // 4.3: Reno-friendly region
    } else {
      double target = wCubic(t + rtt); // 4.2: clamp to [cwnd, 1.5*cwnd]
      target = Double.isFinite(target) ? Math.max(w, Math.min(target, 1.5 * w)) : 1.5 * w;
      next = Math.min(target, w + (target - w) / w * segmentsAcked); // 4.4 / 4.5
    }
    cwnd = Math.min(next * smss, MAX_CWND);
  }

  /** The start of a congestion avoidance stage: t = 0, K, the curve's plateau, W_est. */
  private void startEpoch(double cwndEpoch, long nowNanos) {
    epochStarted = true;
    epochStartNanos = nowNanos;
    if (afterTimeout || wMax <= cwndEpoch) { // 4.8; or already above the old maximum
      k = 0;
      plateau = cwndEpoch;
    } else {
      k = Math.cbrt((wMax - cwndEpoch) / C);
      plateau = wMax;
    }
    wEst = cwndEpoch;
    afterTimeout = false;
  }

  /** RFC 9438 figure 1, in segments; t in seconds. */
  private double wCubic(double t) {
    double d = t - k;
    return C * d * d * d + plateau;
  }

  @Override
  public void onLoss(long inFlight, long nowNanos) {
    CongestionControls.checkInitialised(smss, name());
    reduce();
    cwnd = ssthresh;
    inRecovery = true;
    afterTimeout = false; // the next epoch follows this loss's curve (4.2), not 4.8
  }

  /** Nothing to do beyond onLoss's cwnd = ssthresh; ignored outside fast recovery. */
  @Override
  public void onRecoveryEnd(long nowNanos) {
    CongestionControls.checkInitialised(smss, name());
    if (inRecovery) {
      cwnd = ssthresh;
      inRecovery = false;
    }
  }

  @Override
  public void onTimeout(long inFlight, long nowNanos) {
    CongestionControls.checkInitialised(smss, name());
    if (!inRecovery && !backingOff) {
      reduce();
    }
    cwnd = smss; // RFC 5681 loss window
    inRecovery = false;
    backingOff = true;
    afterTimeout = true;
    epochStarted = false;
  }

  /** RFC 9438 4.6 and 4.7: a congestion event's W_max and ssthresh, and a new epoch. */
  private void reduce() {
    double w = cwnd / smss;
    wMax = w < wMax ? w * (1 + BETA) / 2 : w; // 4.7 fast convergence
    cwndPrior = w;
    ssthresh = Math.min(Math.max(Math.round(cwnd * BETA), 2L * smss), MAX_CWND);
    epochStarted = false;
  }

  /** K of the current epoch, seconds (for tests and {@code ss -i}). */
  double kSeconds() {
    return k;
  }

  /** W_max, segments: the window at the last congestion event after fast convergence. */
  double wMaxSegments() {
    return wMax;
  }

  /** The Reno-friendly estimate W_est of the current epoch, segments. */
  double wEstSegments() {
    return wEst;
  }

  @Override
  public String toString() {
    return CongestionControls.describe(name(), cwnd, ssthresh, smss);
  }
}
