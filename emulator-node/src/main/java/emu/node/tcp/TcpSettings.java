package emu.node.tcp;

/**
 * Tunables of the TCP layer, like Linux's {@code net.ipv4.tcp_*} sysctls; a connection copies
 * the settings in force when it is opened. Times are nanoseconds of the node's clock.
 *
 * <p>Defaults and why:
 * <ul>
 * <li>{@code congestion} "cubic" (RFC 9438), as Linux; "newreno" (RFC 5681, 6582) is the other.
 * <li>{@code sendBuffer}, {@code receiveBuffer} 4 MiB. The window scale we offer is the
 *     smallest shift that lets the receive buffer be advertised (7 for 4 MiB, as Linux).
 *     Buffers grow on demand up to these sizes; they are not allocated up front.
 * <li>{@code mss} 0: derived from the outgoing interface's MTU (MTU - 40, RFC 9293 3.7.1).
 * <li>{@code delayedAckNanos} 40 ms (Linux's minimum delayed-ACK timeout; RFC 9293 3.8.6.3 and
 *     RFC 5681 4.2 allow up to 500 ms), with an ACK at least for every second full-sized
 *     segment.
 * <li>{@code minRtoNanos} 200 ms. RFC 6298 2.4 says the RTO SHOULD be rounded up to 1 s but
 *     allows a lower minimum; Linux uses 200 ms (TCP_RTO_MIN) and so do we, so that emulated
 *     hosts recover from loss the way real ones do. {@code initialRtoNanos} 1 s (RFC 6298 2.1),
 *     {@code maxRtoNanos} 60 s (RFC 6298 2.5 allows a maximum of at least 60 s).
 * <li>{@code maxRetries} 15 consecutive retransmission timeouts, about like Linux's
 *     tcp_retries2 (RFC 1122 4.2.3.5 "R2"); {@code synRetries} 6, Linux's tcp_syn_retries
 *     (1+2+4+8+16+32+64 s = 127 s before an unanswered connect fails).
 * <li>{@code mslNanos} 30 s, so TIME-WAIT lasts 2 MSL = 60 s (Linux's TCP_TIMEWAIT_LEN);
 *     RFC 9293 3.4.2's arbitrary 2 minutes is not what users see. {@code finTimeoutNanos} 60 s:
 *     how long a connection the application has closed may wait in FIN-WAIT-2 for the peer's
 *     FIN (Linux tcp_fin_timeout; RFC 9293 has no limit).
 * <li>Keepalive (RFC 9293 3.8.4, RFC 1122 4.2.3.6): off by default, switched per connection;
 *     idle 7200 s, interval 75 s, 9 probes (Linux's defaults).
 * <li>{@code noDelay} false: Nagle's algorithm on (RFC 9293 3.7.4).
 * <li>{@code backlog} 128: half-open connections a listener keeps when {@code listen} is given
 *     0 or less.
 * <li>{@code sack}, {@code timestamps}, {@code windowScaling} true: offered in our SYNs, used
 *     only when both SYNs carry them (RFC 2018, RFC 7323).
 * <li>{@code challengeAckLimit} 1000 per second for the whole node (RFC 5961 7;
 *     Linux's historical tcp_challenge_ack_limit).
 * <li>{@code synCookies} true: when a listener's backlog of half-open connections is full, a SYN
 *     is answered with a SYN cookie (RFC 4987 3.6) instead of being dropped, as Linux's
 *     {@code tcp_syncookies=1} (cookies only on overflow).
 * <li>{@code maxConnectionsPerListener} 4096 and {@code maxConnections} 16384: established
 *     connections (and, for the listener, half-open ones) past which a new SYN to a listener is
 *     refused with a RST, so that a connection flood cannot take the node's memory. 4096 is
 *     Linux's default {@code somaxconn}; the node cap leaves room for four such listeners.
 * </ul>
 */
public record TcpSettings(String congestion, int sendBuffer, int receiveBuffer, int mss, long delayedAckNanos,
                          long minRtoNanos, long initialRtoNanos, long maxRtoNanos, int maxRetries, int synRetries,
                          long mslNanos, long finTimeoutNanos, boolean keepAlive, long keepAliveIdleNanos,
                          long keepAliveIntervalNanos, int keepAliveProbes, boolean noDelay, int backlog,
                          boolean sack, boolean timestamps, boolean windowScaling, int challengeAckLimit,
                          boolean synCookies, int maxConnectionsPerListener, int maxConnections) {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;
  public static final int MIB = 1 << 20;
  /** Largest buffer: the window scale is at most 14 (RFC 7323 2.3), so 2^30 bytes. */
  public static final int MAX_BUFFER = 1 << 30;

  public TcpSettings {
    if (congestion == null || congestion.isBlank()) {
      throw new IllegalArgumentException("congestion: name an algorithm (cubic or newreno)");
    }
    if (sendBuffer < 1 || sendBuffer > MAX_BUFFER || receiveBuffer < 1 || receiveBuffer > MAX_BUFFER) {
      throw new IllegalArgumentException("buffers must be 1 byte to 1 GiB: send " + sendBuffer + ", receive "
          + receiveBuffer);
    }
    if (mss != 0 && (mss < 88 || mss > 65495)) {
      throw new IllegalArgumentException("mss " + mss + ": 0 (from the MTU) or 88..65495");
    }
    if (minRtoNanos <= 0 || initialRtoNanos < minRtoNanos || maxRtoNanos < initialRtoNanos) {
      throw new IllegalArgumentException("need 0 < minRto <= initialRto <= maxRto");
    }
    if (maxRetries < 1 || synRetries < 1 || keepAliveProbes < 1) {
      throw new IllegalArgumentException("retries and keepalive probes must be at least 1");
    }
    if (delayedAckNanos < 0 || mslNanos < 0 || finTimeoutNanos < 0 || keepAliveIdleNanos <= 0
        || keepAliveIntervalNanos <= 0) {
      throw new IllegalArgumentException("times must not be negative");
    }
    if (maxConnectionsPerListener < 1 || maxConnections < 1) {
      throw new IllegalArgumentException("connection caps must be at least 1: per listener "
          + maxConnectionsPerListener + ", per node " + maxConnections);
    }
  }

  /** The defaults described above. */
  public static TcpSettings defaults() {
    return new TcpSettings("cubic", 4 * MIB, 4 * MIB, 0, 40 * MS, 200 * MS, S, 60 * S, 15, 6,
        30 * S, 60 * S, false, 7200 * S, 75 * S, 9, false, 128, true, true, true, 1000, true, 4096, 16384);
  }

  /** The receive window scale offered: the smallest shift that covers the receive buffer, at most 14. */
  public int receiveWindowShift() {
    int shift = 0;
    while (shift < 14 && (65535L << shift) < receiveBuffer) {
      shift++;
    }
    return shift;
  }

  public TcpSettings withCongestion(String name) {
    return new TcpSettings(name, sendBuffer, receiveBuffer, mss, delayedAckNanos, minRtoNanos, initialRtoNanos,
        maxRtoNanos, maxRetries, synRetries, mslNanos, finTimeoutNanos, keepAlive, keepAliveIdleNanos,
        keepAliveIntervalNanos, keepAliveProbes, noDelay, backlog, sack, timestamps, windowScaling,
        challengeAckLimit, synCookies, maxConnectionsPerListener, maxConnections);
  }

  public TcpSettings withBuffers(int send, int receive) {
    return new TcpSettings(congestion, send, receive, mss, delayedAckNanos, minRtoNanos, initialRtoNanos,
        maxRtoNanos, maxRetries, synRetries, mslNanos, finTimeoutNanos, keepAlive, keepAliveIdleNanos,
        keepAliveIntervalNanos, keepAliveProbes, noDelay, backlog, sack, timestamps, windowScaling,
        challengeAckLimit, synCookies, maxConnectionsPerListener, maxConnections);
  }

  public TcpSettings withMss(int value) {
    return new TcpSettings(congestion, sendBuffer, receiveBuffer, value, delayedAckNanos, minRtoNanos,
        initialRtoNanos, maxRtoNanos, maxRetries, synRetries, mslNanos, finTimeoutNanos, keepAlive,
        keepAliveIdleNanos, keepAliveIntervalNanos, keepAliveProbes, noDelay, backlog, sack, timestamps,
        windowScaling, challengeAckLimit,
        synCookies, maxConnectionsPerListener, maxConnections);
  }

  public TcpSettings withDelayedAck(long nanos) {
    return new TcpSettings(congestion, sendBuffer, receiveBuffer, mss, nanos, minRtoNanos, initialRtoNanos,
        maxRtoNanos, maxRetries, synRetries, mslNanos, finTimeoutNanos, keepAlive, keepAliveIdleNanos,
        keepAliveIntervalNanos, keepAliveProbes, noDelay, backlog, sack, timestamps, windowScaling,
        challengeAckLimit, synCookies, maxConnectionsPerListener, maxConnections);
  }

  public TcpSettings withRto(long min, long initial, long max) {
    return new TcpSettings(congestion, sendBuffer, receiveBuffer, mss, delayedAckNanos, min, initial, max,
        maxRetries, synRetries, mslNanos, finTimeoutNanos, keepAlive, keepAliveIdleNanos, keepAliveIntervalNanos,
        keepAliveProbes, noDelay, backlog, sack, timestamps, windowScaling, challengeAckLimit,
        synCookies, maxConnectionsPerListener, maxConnections);
  }

  public TcpSettings withRetries(int max, int syn) {
    return new TcpSettings(congestion, sendBuffer, receiveBuffer, mss, delayedAckNanos, minRtoNanos,
        initialRtoNanos, maxRtoNanos, max, syn, mslNanos, finTimeoutNanos, keepAlive, keepAliveIdleNanos,
        keepAliveIntervalNanos, keepAliveProbes, noDelay, backlog, sack, timestamps, windowScaling,
        challengeAckLimit, synCookies, maxConnectionsPerListener, maxConnections);
  }

  public TcpSettings withMsl(long nanos) {
    return new TcpSettings(congestion, sendBuffer, receiveBuffer, mss, delayedAckNanos, minRtoNanos,
        initialRtoNanos, maxRtoNanos, maxRetries, synRetries, nanos, finTimeoutNanos, keepAlive, keepAliveIdleNanos,
        keepAliveIntervalNanos, keepAliveProbes, noDelay, backlog, sack, timestamps, windowScaling,
        challengeAckLimit, synCookies, maxConnectionsPerListener, maxConnections);
  }

  public TcpSettings withFinTimeout(long nanos) {
    return new TcpSettings(congestion, sendBuffer, receiveBuffer, mss, delayedAckNanos, minRtoNanos,
        initialRtoNanos, maxRtoNanos, maxRetries, synRetries, mslNanos, nanos, keepAlive, keepAliveIdleNanos,
        keepAliveIntervalNanos, keepAliveProbes, noDelay, backlog, sack, timestamps, windowScaling,
        challengeAckLimit, synCookies, maxConnectionsPerListener, maxConnections);
  }

  public TcpSettings withKeepAlive(boolean on, long idle, long interval, int probes) {
    return new TcpSettings(congestion, sendBuffer, receiveBuffer, mss, delayedAckNanos, minRtoNanos,
        initialRtoNanos, maxRtoNanos, maxRetries, synRetries, mslNanos, finTimeoutNanos, on, idle, interval, probes,
        noDelay, backlog, sack, timestamps, windowScaling, challengeAckLimit,
        synCookies, maxConnectionsPerListener, maxConnections);
  }

  public TcpSettings withNoDelay(boolean on) {
    return new TcpSettings(congestion, sendBuffer, receiveBuffer, mss, delayedAckNanos, minRtoNanos,
        initialRtoNanos, maxRtoNanos, maxRetries, synRetries, mslNanos, finTimeoutNanos, keepAlive,
        keepAliveIdleNanos, keepAliveIntervalNanos, keepAliveProbes, on, backlog, sack, timestamps, windowScaling,
        challengeAckLimit, synCookies, maxConnectionsPerListener, maxConnections);
  }

  public TcpSettings withBacklog(int value) {
    return new TcpSettings(congestion, sendBuffer, receiveBuffer, mss, delayedAckNanos, minRtoNanos,
        initialRtoNanos, maxRtoNanos, maxRetries, synRetries, mslNanos, finTimeoutNanos, keepAlive,
        keepAliveIdleNanos, keepAliveIntervalNanos, keepAliveProbes, noDelay, value, sack, timestamps,
        windowScaling, challengeAckLimit,
        synCookies, maxConnectionsPerListener, maxConnections);
  }

  /** Which options our SYNs offer (sysctls tcp_sack, tcp_timestamps, tcp_window_scaling). */
  public TcpSettings withOptions(boolean sackOn, boolean timestampsOn, boolean windowScalingOn) {
    return new TcpSettings(congestion, sendBuffer, receiveBuffer, mss, delayedAckNanos, minRtoNanos,
        initialRtoNanos, maxRtoNanos, maxRetries, synRetries, mslNanos, finTimeoutNanos, keepAlive,
        keepAliveIdleNanos, keepAliveIntervalNanos, keepAliveProbes, noDelay, backlog, sackOn, timestampsOn,
        windowScalingOn, challengeAckLimit,
        synCookies, maxConnectionsPerListener, maxConnections);
  }

  public TcpSettings withChallengeAckLimit(int perSecond) {
    return new TcpSettings(congestion, sendBuffer, receiveBuffer, mss, delayedAckNanos, minRtoNanos,
        initialRtoNanos, maxRtoNanos, maxRetries, synRetries, mslNanos, finTimeoutNanos, keepAlive,
        keepAliveIdleNanos, keepAliveIntervalNanos, keepAliveProbes, noDelay, backlog, sack, timestamps,
        windowScaling, perSecond, synCookies, maxConnectionsPerListener,
        maxConnections);
  }

  /** SYN cookies on backlog overflow (sysctl tcp_syncookies 1, or 0 for off). */
  public TcpSettings withSynCookies(boolean on) {
    return new TcpSettings(congestion, sendBuffer, receiveBuffer, mss, delayedAckNanos, minRtoNanos,
        initialRtoNanos, maxRtoNanos, maxRetries, synRetries, mslNanos, finTimeoutNanos, keepAlive,
        keepAliveIdleNanos, keepAliveIntervalNanos, keepAliveProbes, noDelay, backlog, sack, timestamps,
        windowScaling, challengeAckLimit, on, maxConnectionsPerListener, maxConnections);
  }

  /** The caps on connections of one listener and of the whole node. */
  public TcpSettings withConnectionCaps(int perListener, int perNode) {
    return new TcpSettings(congestion, sendBuffer, receiveBuffer, mss, delayedAckNanos, minRtoNanos,
        initialRtoNanos, maxRtoNanos, maxRetries, synRetries, mslNanos, finTimeoutNanos, keepAlive,
        keepAliveIdleNanos, keepAliveIntervalNanos, keepAliveProbes, noDelay, backlog, sack, timestamps,
        windowScaling, challengeAckLimit, synCookies, perListener, perNode);
  }
}
