package emu.node.tcp;

/**
 * Node-wide TCP counters (the MIB of RFC 4022 plus Linux's TcpExt names where they exist);
 * plain fields owned by the node's event loop.
 */
public final class TcpCounters {
  /** Segments received that passed the checksum and format checks (InSegs). */
  public long segmentsIn;
  /** Segments sent, retransmissions included (OutSegs). */
  public long segmentsOut;
  /** Segments retransmitted, for any reason (RetransSegs). */
  public long retransmits;
  /** Retransmissions triggered by duplicate ACKs or SACK (fast retransmit, recovery). */
  public long fastRetransmits;
  /** Retransmission timer expirations (TCPTimeouts). */
  public long timeouts;
  /** Retransmissions found lost again during SACK recovery, and resent. */
  public long lostRetransmissions;
  /** Loss-recovery episodes entered: SACK-based (RFC 6675) and NewReno (RFC 6582). */
  public long sackRecoveries;
  public long renoRecoveries;
  /** Duplicate ACKs received. */
  public long dupAcks;
  /** Segments whose checksum failed (InCsumErrors). */
  public long badChecksum;
  /** Segments too short, with a bad data offset, bad options or port 0 (InErrs). */
  public long malformed;
  /** Segments with an impossible flag combination: SYN+FIN, SYN+RST, no flags. */
  public long badFlags;
  /** Segments that found no connection and no listener. */
  public long noSocket;
  public long rstSent;
  public long rstReceived;
  /** RFC 5961 challenge ACKs sent, and those suppressed by the rate limit. */
  public long challengeAcks;
  public long challengeAcksSuppressed;
  /** SYNs dropped because a listener's backlog of half-open connections was full. */
  public long listenOverflows;
  /** SYN cookies (RFC 4987 3.6) sent on backlog overflow, and the ACKs that returned them: valid or not. */
  public long synCookiesSent;
  public long synCookiesValidated;
  public long synCookiesFailed;
  /** SYNs (and SYN-cookie ACKs) refused with RST because a connection cap was reached. */
  public long connectionCapRefusals;
  /** Segments outside the receive window (answered with an ACK unless RST). */
  public long outOfWindow;
  /** Segments rejected by PAWS (RFC 7323 5). */
  public long pawsRejected;
  /** ACKs of data never sent (answered with an ACK, dropped). */
  public long ackUnsent;
  /** ACKs too old to be acceptable (RFC 5961 5.2). */
  public long ackTooOld;
  /** Connections opened by connect (ActiveOpens) and by a SYN to a listener (PassiveOpens). */
  public long activeOpens;
  public long passiveOpens;
  /** Connections handed to a listener's acceptor. */
  public long accepted;
  /** Connections that reached ESTABLISHED. */
  public long established;
  /** Connection attempts that failed (AttemptFails): refused, timed out, unreachable. */
  public long attemptFails;
  /** Established connections reset by the peer (EstabResets). */
  public long estabResets;
  /** Connections ended by retransmission, persist or keepalive timeouts. */
  public long timeoutAborts;
  public long persistProbes;
  public long keepaliveProbes;
  /** Delayed ACKs sent when the 40 ms timer fired. */
  public long delayedAcks;
  /** Out-of-order segments queued for reassembly. */
  public long outOfOrder;
  /** ICMP errors that matched a connection: hard (ended an attempt) and soft (recorded). */
  public long icmpHardErrors;
  public long icmpSoftErrors;
  /** Segments that a connection could not send (no route, interface down). */
  public long sendFailures;
  /** RTT samples taken (RFC 6298, Karn's rule applied) and their sum in nanoseconds. */
  public long rttSamples;
  public long rttSumNanos;
}
