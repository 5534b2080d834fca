package emu.node.tcp;

/**
 * A congestion-control algorithm's window arithmetic (RFC 5681 vocabulary). The connection
 * owns loss detection and recovery (fast retransmit, SACK-based recovery per RFC 6675, or
 * NewReno partial acks per RFC 6582) and tells the algorithm what happened; the algorithm
 * owns cwnd and ssthresh. All sizes in bytes; time in nanoseconds from the node's clock.
 * One instance per connection, single-threaded.
 */
public interface CongestionControl {
  /** "newreno" or "cubic", as {@code ss} prints it. */
  String name();

  /** Called once the MSS is known (handshake done): sets the initial window (RFC 6928). */
  void init(int smss, long nowNanos);

  long cwnd();

  long ssthresh();

  /**
   * New data was cumulatively acknowledged outside loss recovery.
   *
   * @param ackedBytes bytes newly acknowledged
   * @param rttNanos an RTT sample for this ACK, or -1 if none
   * @param inFlight bytes still outstanding after this ACK
   */
  void onAck(long ackedBytes, long rttNanos, long inFlight, long nowNanos);

  /**
   * Loss detected by duplicate ACKs or SACK (entering fast recovery, RFC 5681 3.2 step 2 /
   * RFC 6675): reduce ssthresh and cwnd. Called at most once per recovery episode.
   */
  void onLoss(long inFlight, long nowNanos);

  /** Fast recovery ended (RFC 6582 "full acknowledgment"): cwnd is set to ssthresh. */
  void onRecoveryEnd(long nowNanos);

  /** A retransmission timeout (RFC 5681 eq. 4): ssthresh from the flight size, cwnd to one segment. */
  void onTimeout(long inFlight, long nowNanos);
}
