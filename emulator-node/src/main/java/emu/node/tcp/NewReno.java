package emu.node.tcp;

import static emu.node.tcp.CongestionControls.INITIAL_SSTHRESH;
import static emu.node.tcp.CongestionControls.MAX_CWND;

/**
 * The standard TCP window arithmetic: RFC 5681 slow start and congestion avoidance, RFC 3465
 * appropriate byte counting, RFC 6582 (NewReno) recovery exit, RFC 6928 initial window.
 *
 * <ul>
 *   <li>Initial window (RFC 6928 section 2): min(10*SMSS, max(2*SMSS, 14600)); initial
 *       ssthresh "arbitrarily high" (RFC 5681 section 3.1), here {@code Long.MAX_VALUE / 4}.
 *   <li>Slow start, cwnd &lt; ssthresh (RFC 5681 3.1, RFC 3465 2.2 with L = 2*SMSS): each ACK
 *       adds min(ackedBytes, 2*SMSS). Growth stops at ssthresh; the rest of that ACK counts
 *       toward congestion avoidance.
 *   <li>Congestion avoidance (RFC 5681 3.1, RFC 3465 2.1): bytes acknowledged are counted; when
 *       the count reaches cwnd it is reduced by cwnd and cwnd grows by one SMSS, which is about
 *       one SMSS per RTT.
 *   <li>Loss (RFC 5681 3.2 step 2, equation 4): ssthresh = max(FlightSize/2, 2*SMSS), and
 *       cwnd = ssthresh. The 3*SMSS inflation of RFC 5681 step 3 is <em>not</em> applied here:
 *       the connection inflates (or, with SACK, uses RFC 6675's pipe, whose "cwnd = ssthresh"
 *       this is).
 *   <li>Recovery end (RFC 6582 section 3.2 step 3, "full acknowledgment"): cwnd = ssthresh.
 *   <li>Timeout (RFC 5681 3.1 equation 4, and the loss window): ssthresh = max(FlightSize/2,
 *       2*SMSS), cwnd = 1*SMSS, then slow start. A second timeout with no new data acknowledged
 *       in between retransmits the same segment again, so ssthresh is left alone (RFC 5681 3.1:
 *       only a segment "not yet resent by way of the retransmission timer" lowers it).
 * </ul>
 *
 * <p>cwnd is an exact byte count and never exceeds 1 GiB. Single-threaded: owned by the
 * connection, on the node's event loop.
 */
public final class NewReno implements CongestionControl {
  private int smss; // 0 until init
  private long cwnd;
  private long ssthresh;
  /** RFC 3465 2.1 "bytes_acked": acknowledged bytes not yet turned into CA growth. */
  private long bytesAcked;
  /** Inside a fast-recovery episode: between onLoss and onRecoveryEnd / onTimeout. */
  private boolean inRecovery;
  /** A timeout happened and no new data has been acknowledged since. */
  private boolean backingOff;

  @Override
  public String name() {
    return "newreno";
  }

  @Override
  public void init(int smss, long nowNanos) {
    this.smss = CongestionControls.checkSmss(smss);
    cwnd = CongestionControls.initialWindow(smss);
    ssthresh = INITIAL_SSTHRESH;
    bytesAcked = 0;
    inRecovery = false;
    backingOff = false;
  }

  /** Bytes; 0 before {@link #init}. */
  @Override
  public long cwnd() {
    return cwnd;
  }

  @Override
  public long ssthresh() {
    return ssthresh;
  }

  /** Slow start or congestion avoidance; RTT and flight size are not needed by Reno. */
  @Override
  public void onAck(long ackedBytes, long rttNanos, long inFlight, long nowNanos) {
    CongestionControls.checkInitialised(smss, name());
    long acked = CongestionControls.saneBytes(ackedBytes);
    if (acked == 0) {
      return;
    }
    backingOff = false;
    if (cwnd < ssthresh) { // RFC 5681 3.1: slow start
      long room = ssthresh - cwnd;
      long increase = CongestionControls.slowStartIncrement(acked, smss);
      if (increase < room) {
        cwnd = Math.min(cwnd + increase, MAX_CWND);
        return;
      }
      cwnd = Math.min(ssthresh, MAX_CWND);
      acked -= room; // what was not needed to reach ssthresh counts toward CA
      if (acked <= 0) {
        return;
      }
    }
    // RFC 3465 2.1: one SMSS each time a full cwnd of bytes has been acknowledged.
    bytesAcked = Math.min(bytesAcked + acked, 2 * MAX_CWND);
    if (bytesAcked >= cwnd) {
      bytesAcked -= cwnd;
      cwnd = Math.min(cwnd + smss, MAX_CWND);
    }
  }

  @Override
  public void onLoss(long inFlight, long nowNanos) {
    CongestionControls.checkInitialised(smss, name());
    ssthresh = halfFlight(inFlight);
    cwnd = ssthresh; // RFC 6675 "cwnd = ssthresh"; any 3*SMSS inflation is the connection's
    bytesAcked = 0;
    inRecovery = true;
    backingOff = false;
  }

  /** Deflates to ssthresh; ignored unless a fast-recovery episode is open (not after a timeout). */
  @Override
  public void onRecoveryEnd(long nowNanos) {
    CongestionControls.checkInitialised(smss, name());
    if (inRecovery) {
      cwnd = ssthresh;
      bytesAcked = 0;
      inRecovery = false;
    }
  }

  @Override
  public void onTimeout(long inFlight, long nowNanos) {
    CongestionControls.checkInitialised(smss, name());
    if (!backingOff) {
      ssthresh = halfFlight(inFlight);
    }
    cwnd = smss; // RFC 5681 3.1: the loss window, LW = 1 full-sized segment
    bytesAcked = 0;
    inRecovery = false; // RFC 6582 section 4: a timeout ends fast recovery
    backingOff = true;
  }

  /** RFC 5681 equation 4: max(FlightSize / 2, 2*SMSS). */
  private long halfFlight(long inFlight) {
    return Math.min(Math.max(CongestionControls.saneBytes(inFlight) / 2, 2L * smss), MAX_CWND);
  }

  @Override
  public String toString() {
    return CongestionControls.describe(name(), cwnd, ssthresh, smss);
  }
}
