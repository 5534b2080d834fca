package emu.node.tcp;

import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.wire.IpAddress;
import emu.node.wire.Ipv6Address;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * One TCP connection: its transmission control block (RFC 9293 3.3.1) and the application's
 * handle on it. Segment arrival is {@link TcpInput}'s, sending is {@link TcpOutput}'s, loss
 * recovery {@link LossRecovery}'s; this class holds the state they share, the public API, and
 * the one method every state change goes through ({@link #transition}).
 *
 * <p>Events ({@link TcpEvents}) are delivered at the end of the work that caused them (a
 * segment's processing, a timer), never from inside an API call: failures of {@code connect}
 * and the {@code onClosed} after {@code close}/{@code abort}, and data released by
 * {@code resumeReading}, arrive from a task scheduled on the node's clock.
 *
 * <p>{@code onClosed} is called exactly once, when the application's part of the connection
 * ends: on entering CLOSED for any reason (with the error, or null after an orderly close:
 * LAST-ACK acknowledged, or close() in SYN-SENT); on entering TIME-WAIT (null; the connection
 * then lingers for 2*MSL and is removed silently); or on entering FIN-WAIT-2 after
 * {@link #close()} (null: everything was sent and acknowledged, and the application will not
 * read; the connection waits for the peer's FIN silently, at most {@code finTimeout}). An
 * orderly close whose received data or FIN the application has not yet read, because reading
 * is paused, is reported only after that data and {@code onPeerFin}.
 *
 * <p>Threading: everything runs on the node's event loop. Not thread-safe.
 */
public final class TcpConnection implements TcpTimers.Handler {
  /** Most bytes handed to one {@link TcpEvents#onData} call. */
  public static final int MAX_DELIVERY_CHUNK = 64 * 1024;
  /** RFC 9293 3.7.1 / RFC 1122 4.2.2.6: the send MSS when the peer's SYN carries no MSS option. */
  public static final int DEFAULT_MSS = 536;
  /** RFC 6298 5.7: the RTO after a SYN timed out and no RTT sample was taken. */
  static final long SYN_TIMEOUT_FALLBACK_RTO = 3_000_000_000L;
  private static final int HISTORY = 32;

  final TcpLayer layer;
  final NetworkStack stack;
  final TcpSettings settings;
  /** Either family (IPv4 as its mapped form); {@link #localIp} and {@link #remoteIp} are IPv4's, 0 for IPv6. */
  final IpAddress local;
  final IpAddress remote;
  final boolean v6;
  /** For IPv6: the two addresses as IPv6 sends them, made once (null for IPv4). */
  final Ipv6Address local6;
  final Ipv6Address remote6;
  /** For a link-local IPv6 peer: the interface it is reached on; else null. */
  Nic nic6;
  final int localIp;
  final int localPort;
  final int remoteIp;
  final int remotePort;
  final long key;
  /** The next connection with the same key (different local address). */
  TcpConnection nextSameKey;
  /** The listener of a passive open, for backlog accounting while half-open. */
  final TcpListenSocket listener;
  boolean registered;
  boolean halfOpenCounted;
  /** Counted against the connection caps (its listener's and the node's), from ESTABLISHED until TIME-WAIT or gone. */
  boolean capCounted;
  TcpState state = TcpState.CLOSED;
  private final List<TcpState> history = new ArrayList<>();
  TcpEvents events;

  // ---- send sequence space (RFC 9293 3.3.1) ----
  int iss;
  int sndUna;
  /** Next sequence number to send; below {@link #sndMax} while retransmitting after a timeout. */
  int sndNxt;
  /** Highest sequence number sent plus one (RFC 6675 HighData). */
  int sndMax;
  /** Sequence number of the send buffer's first byte. */
  int sndBufSeq;
  /** Send window in bytes, already scaled. */
  int sndWnd;
  int sndWl1;
  int sndWl2;
  int maxSndWnd;
  int sndShift;
  /** End of the last short segment sent (Minshall's Nagle variant, as Linux's snd_sml). */
  int sndSmall;

  // ---- receive sequence space ----
  int irs;
  int rcvNxt;
  /** The right edge of the window we advertised: never moves left (RFC 9293 3.8.6.2.1). */
  int rcvAdv;
  int rcvShift;
  /** Last.ACK.sent of RFC 7323. */
  int lastAckSent;

  // ---- negotiated options ----
  boolean wsOk;
  boolean sackOk;
  boolean tsOk;
  int tsRecent;
  long tsRecentAt;
  final int tsOffset;
  /** What the peer's SYN said (536 if absent). */
  int peerMss;
  /** What our SYN says: the MTU of the route to the peer minus 40 (or the setting). */
  final int advMss;
  /** Data bytes per full-sized segment we send: min(peer MSS, our MTU - 40) minus the timestamps option. */
  int smss;
  /** Largest segment received, for "every second full-sized segment" (RFC 5681 4.2). */
  int rcvMss;

  // ---- closing ----
  boolean finQueued;
  int finSeq;
  boolean finSent;
  boolean peerFinKnown;
  int peerFinSeq;
  boolean peerFinSeen;
  boolean appClosed;
  boolean outputShut;

  final SendBuffer sendBuf;
  final ReceiveBuffer recvBuf;

  // ---- acknowledgments ----
  int pendingAckBytes;
  boolean ackNow;

  // ---- timers and RTT ----
  final TcpTimers timers;
  final RttEstimator rtt;
  /** Consecutive retransmission timeouts without progress. */
  int retries;
  int synRetransmits;
  int persistBackoff;
  int probesUnanswered;
  int keepAliveSent;
  long lastReceived;
  /** One segment timed at a time when timestamps do not give samples (Karn's rule). */
  boolean timing;
  int timedSeq;
  long timedAt;

  // ---- congestion control and loss recovery ----
  final CongestionControl cc;
  boolean ccReady;
  boolean inRecovery;
  /** RFC 6675 RecoveryPoint / RFC 6582 "recover", exclusive: SND.MAX when recovery began. */
  int recoverPoint;
  boolean recoverValid;
  int dupAcks;
  /** NewReno's window inflation during fast recovery (RFC 5681 3.2 steps 2 to 4). */
  long inflation;
  /** RFC 6675 HighRxt, exclusive. */
  int highRxt;
  int rescueRxt;
  boolean rescueValid;
  final SackScoreboard scoreboard = new SackScoreboard();
  /** Retransmissions of this SACK recovery: their sequence numbers and SND.MAX when sent. */
  final int[] rxtSeq = new int[16];
  final int[] rxtMark = new int[16];
  int rxtCount;

  // ---- statistics ----
  long bytesSent;
  long bytesAcked;
  long bytesReceived;
  long retransmits;

  // ---- application side ----
  boolean reading = true;
  boolean noDelay;
  boolean keepAlive;
  boolean wantWritable;
  TcpError softError;
  boolean failPending;

  /** What the application has yet to hear, delivered in order. */
  final PendingEvents pending = new PendingEvents(this);

  TcpConnection(TcpLayer layer, TcpSettings settings, IpAddress local, int localPort, IpAddress remote,
                int remotePort, TcpListenSocket listener, int advMss, int tsOffset) {
    this.layer = layer;
    this.stack = layer.stack();
    this.settings = settings;
    this.local = local;
    this.remote = remote;
    this.v6 = !remote.isV4();
    this.local6 = v6 ? local.v6() : null;
    this.remote6 = v6 ? remote.v6() : null;
    this.localIp = v6 ? 0 : local.v4();
    this.localPort = localPort;
    this.remoteIp = v6 ? 0 : remote.v4();
    this.remotePort = remotePort;
    this.key = layer.key(localPort, remote.hi(), remote.lo(), remotePort);
    this.listener = listener;
    this.advMss = advMss;
    this.tsOffset = tsOffset;
    this.smss = Math.min(advMss, DEFAULT_MSS);
    this.rcvMss = Math.min(advMss, DEFAULT_MSS);
    this.peerMss = DEFAULT_MSS;
    this.sendBuf = new SendBuffer(settings.sendBuffer());
    int shift = settings.windowScaling() ? settings.receiveWindowShift() : 0;
    this.recvBuf = new ReceiveBuffer(settings.receiveBuffer(), 1 << shift);
    this.timers = new TcpTimers(stack.time(), this);
    this.rtt = new RttEstimator(settings.initialRtoNanos(), settings.minRtoNanos(), settings.maxRtoNanos());
    this.cc = CongestionControls.create(settings.congestion());
    this.noDelay = settings.noDelay();
    this.keepAlive = settings.keepAlive();
    this.lastReceived = stack.time().nanos();
  }

  // =========================================================================================
  // Public API
  // =========================================================================================

  /** The local IPv4 address; 0 for a connection over IPv6 (see {@link #local()}). */
  public int localIp() {
    return localIp;
  }

  /** The local address, either family. */
  public IpAddress local() {
    return local;
  }

  /** The peer's address, either family. */
  public IpAddress remote() {
    return remote;
  }

  /** True for a connection over IPv6. */
  public boolean ipv6() {
    return v6;
  }

  public int localPort() {
    return localPort;
  }

  public int remoteIp() {
    return remoteIp;
  }

  public int remotePort() {
    return remotePort;
  }

  public TcpState state() {
    return state;
  }

  /** Every state this connection has been in, oldest first (the first 32). */
  public List<TcpState> stateHistory() {
    return List.copyOf(history);
  }

  /** Replaces the event handler. */
  public void events(TcpEvents e) {
    this.events = e;
  }

  /**
   * Copies as many readable bytes of {@code data} as fit into the send buffer, advances its
   * reader index by that many and returns the count; {@code data} stays the caller's. Output
   * runs at once (Nagle permitting). When not everything fit, {@link TcpEvents#onWritable}
   * follows once a third of the buffer is free again. Data written before the handshake
   * completes is sent once it has.
   *
   * @return bytes taken; 0 if the connection is already closed (its onClosed is on its way)
   * @throws IllegalStateException after {@link #shutdownOutput}, {@link #close} or {@link #abort}
   */
  public int write(ByteBuf data) {
    if (outputShut || appClosed) {
      throw new IllegalStateException("Socket is shut down for writing");
    }
    if (state == TcpState.CLOSED || state == TcpState.TIME_WAIT) {
      return 0;
    }
    int wanted = data.readableBytes();
    int n = sendBuf.write(data);
    if (n < wanted) {
      wantWritable = true;
    }
    if (n > 0 && canSendData()) {
      layer.output().output(this);
    }
    return n;
  }

  /** Room left in the send buffer, bytes. */
  public int sendBufferFree() {
    return sendBuf.free();
  }

  /** Bytes written and not yet acknowledged (unsent included). */
  public int sendQueued() {
    return sendBuf.size();
  }

  /**
   * Half-close (RFC 9293 3.10.4 CLOSE while the application keeps reading): a FIN follows the
   * queued data. ESTABLISHED goes to FIN-WAIT-1, CLOSE-WAIT to LAST-ACK; before the handshake
   * completes the FIN waits for ESTABLISHED. Idempotent.
   */
  public void shutdownOutput() {
    if (outputShut || state == TcpState.CLOSED) {
      outputShut = true;
      return;
    }
    outputShut = true;
    switch (state) {
      case ESTABLISHED -> { // RFC 9293 3.10.4: queue the FIN, enter FIN-WAIT-1
        queueFin();
        transition(TcpState.FIN_WAIT_1, TcpCause.APP_SHUTDOWN_OUTPUT);
      }
      case CLOSE_WAIT -> { // RFC 9293 3.10.4: queue the FIN, enter LAST-ACK
        queueFin();
        transition(TcpState.LAST_ACK, TcpCause.APP_SHUTDOWN_OUTPUT_AFTER_PEER_FIN);
      }
      default -> { } // SYN-SENT, SYN-RECEIVED: the FIN follows ESTABLISHED; later states have sent it
    }
    if (canSendData()) {
      layer.output().output(this);
    }
  }

  /**
   * No more sending or reading: a FIN follows the queued data (RFC 9293 3.10.4). If received
   * data is still unread it is discarded and the connection is reset instead, as Linux does
   * (then {@code onClosed(ABORTED)}). In SYN-SENT the attempt is simply dropped. Data that
   * arrives after close() also resets the connection (Linux: "abort on data"). Idempotent.
   */
  public void close() {
    if (appClosed) {
      return;
    }
    appClosed = true;
    reading = false;
    switch (state) {
      case CLOSED -> {
        scheduleDelivery();
        return;
      }
      case SYN_SENT -> { // RFC 9293 3.10.4 SYN-SENT: delete the TCB
        terminate(null, TcpCause.APP_CLOSE_IN_SYN_SENT);
        scheduleDelivery();
        return;
      }
      default -> { }
    }
    if (recvBuf.readable() > 0) {
      layer.output().sendReset(this);
      terminate(TcpError.ABORTED, TcpCause.APP_CLOSE_WITH_UNREAD_DATA);
      scheduleDelivery();
      return;
    }
    shutdownOutput();
    if (state == TcpState.FIN_WAIT_2) {
      orphanedInFinWait2();
    }
    scheduleDelivery();
  }

  /** RFC 9293 3.10.5 ABORT: RST now (unless still in SYN-SENT), then {@code onClosed(ABORTED)}. */
  public void abort() {
    appClosed = true;
    outputShut = true;
    switch (state) {
      case CLOSED -> {
        scheduleDelivery();
        return;
      }
      case SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT -> layer.output().sendReset(this);
      default -> { } // SYN-SENT, CLOSING, LAST-ACK, TIME-WAIT: just delete the TCB
    }
    terminate(TcpError.ABORTED, TcpCause.APP_ABORT);
    scheduleDelivery();
  }

  /** Stops {@code onData}: bytes stay buffered and the advertised window shrinks (down to zero). */
  public void pauseReading() {
    reading = false;
  }

  /** Delivers what is buffered (from a scheduled task, not from this call) and reopens the window. */
  public void resumeReading() {
    if (reading || appClosed) {
      return;
    }
    reading = true;
    scheduleDelivery();
  }

  public boolean isReading() {
    return reading;
  }

  /** TCP_NODELAY: true turns Nagle's algorithm off (and sends what it was holding back). */
  public void noDelay(boolean on) {
    noDelay = on;
    if (on && canSendData()) {
      layer.output().output(this);
    }
  }

  public boolean noDelay() {
    return noDelay;
  }

  /** SO_KEEPALIVE (RFC 9293 3.8.4), with the layer's idle, interval and probe settings. */
  public void keepAlive(boolean on) {
    keepAlive = on;
    if (on && (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT)) {
      lastReceived = stack.time().nanos();
      timers.keepAlive(settings.keepAliveIdleNanos());
    } else if (!on) {
      timers.cancelKeepAlive();
      keepAliveSent = 0;
    }
  }

  public boolean keepAlive() {
    return keepAlive;
  }

  /** A snapshot for {@code ss -tanoi}. */
  public TcpInfo info() {
    long cwnd = ccReady ? cc.cwnd() : 0;
    long ssthresh = ccReady ? cc.ssthresh() : 0;
    int mss = Math.max(1, smss);
    return new TcpInfo(state, local, localPort, remote, remotePort, recvBuf.readable(), sendBuf.size(),
        rtt.rto() / 1_000_000L, rtt.srtt() < 0 ? 0 : rtt.srtt() / 1e6, rtt.rttvar() / 1e6, cwnd / mss,
        ssthresh >= Integer.MAX_VALUE ? Integer.MAX_VALUE : ssthresh / mss, wsOk ? sndShift : -1,
        wsOk ? rcvShift : -1, smss, retransmits, rtt.backoffCount(), cc.name(), bytesSent, bytesAcked,
        bytesReceived, timers.activeName(), timers.activeRemaining() / 1_000_000L);
  }

  @Override
  public String toString() {
    return "tcp " + local.withPort(localPort) + " > " + remote.withPort(remotePort) + " " + state.ssName();
  }

  // =========================================================================================
  // State machine bookkeeping
  // =========================================================================================

  /** Every state change goes through here: records it (history, observer) and nothing else. */
  void transition(TcpState to, TcpCause cause) {
    transition(to, cause, null);
  }

  private void transition(TcpState to, TcpCause cause, TcpError error) {
    TcpState from = state;
    if (from == to) {
      return;
    }
    state = to;
    if (history.size() < HISTORY) {
      history.add(to);
    }
    TcpObserver observer = layer.observer();
    if (observer.enabled()) {
      observer.stateChanged(this, from, to, cause, error);
    }
  }

  boolean canSendData() {
    return switch (state) {
      case ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, CLOSING, LAST_ACK -> true;
      default -> false;
    };
  }

  /** Our FIN has been sent and acknowledged. */
  boolean finAcked() {
    return finSent && SeqNum.gt(sndUna, finSeq);
  }

  void queueFin() {
    if (!finQueued) {
      finQueued = true;
      finSeq = sndBufSeq + sendBuf.size();
    }
  }

  /** The advertised window right now, bytes: RCV.WND of RFC 9293. */
  int receiveWindow() {
    int w = rcvAdv - rcvNxt;
    return Math.max(w, 0);
  }

  /** cwnd, plus NewReno's inflation during fast recovery. */
  long congestionWindow() {
    long w = ccReady ? cc.cwnd() : smss;
    if (inRecovery && !sackOk) {
      w += inflation;
    }
    return Math.max(w, smss);
  }

  /** Timestamp clock (RFC 7323 5.4): 1 ms ticks with a random per-connection offset. */
  int tsNow() {
    return (int) (stack.time().nanos() / 1_000_000L) + tsOffset;
  }

  /**
   * The handshake completed (RFC 9293 3.10.7.3 / 3.10.7.4 fifth step, SYN-RECEIVED): congestion
   * control starts, the application is told, and a FIN asked for before is queued.
   */
  void enterEstablished(TcpCause cause) {
    transition(TcpState.ESTABLISHED, cause);
    layer.counters().established++;
    if (!ccReady) {
      cc.init(smss, stack.time().nanos());
      ccReady = true;
    }
    if (synRetransmits > 0 && !rtt.hasSample()) {
      rtt.atLeast(SYN_TIMEOUT_FALLBACK_RTO); // RFC 6298 5.7
    }
    retries = 0;
    if (halfOpenCounted) {
      halfOpenCounted = false;
      listener.halfOpen--;
    }
    if (!capCounted) {
      capCounted = true;
      layer.established++;
      if (listener != null) {
        listener.established++;
      }
    }
    if (listener != null) {
      pending.accept = true;
    } else {
      pending.established = true;
    }
    lastReceived = stack.time().nanos();
    if (keepAlive) {
      timers.keepAlive(settings.keepAliveIdleNanos());
    }
    if (outputShut) {
      queueFin();
      transition(TcpState.FIN_WAIT_1, TcpCause.SHUTDOWN_BEFORE_ESTABLISHED);
    }
  }

  /** Entering TIME-WAIT (RFC 9293 3.10.7.4 eighth step): 2*MSL, then the connection is removed. */
  void enterTimeWait(TcpCause cause) {
    transition(TcpState.TIME_WAIT, cause);
    releaseCap(); // TIME-WAIT holds no buffers: it does not count against the caps (as Linux's accept queue)
    timers.cancelRetransmit();
    timers.cancelPersist();
    timers.cancelKeepAlive();
    timers.timeWait(2 * settings.mslNanos());
    sendBuf.clear();
    queueClose(null);
  }

  /** close() left us in FIN-WAIT-2: the application's part is over; wait finTimeout for the FIN. */
  void orphanedInFinWait2() {
    queueClose(null);
    timers.timeWait(settings.finTimeoutNanos());
  }

  /** Enters CLOSED, deletes the TCB and queues onClosed(error). Idempotent. */
  void terminate(TcpError error, TcpCause cause) {
    if (state != TcpState.CLOSED) {
      transition(TcpState.CLOSED, cause, error);
    }
    destroy();
    queueClose(error);
  }

  /** Unregisters and frees everything; no event. */
  void destroy() {
    if (registered) {
      layer.unregister(this);
    }
    if (halfOpenCounted) {
      halfOpenCounted = false;
      listener.halfOpen--;
    }
    releaseCap();
    timers.cancelAll();
    sendBuf.clear();
  }

  private void releaseCap() {
    if (capCounted) {
      capCounted = false;
      layer.established--;
      if (listener != null) {
        listener.established--;
      }
    }
  }

  /** Fails the connection from a later task (from inside output, where unwinding is unsafe). */
  void failLater(TcpError error) {
    if (failPending) {
      return;
    }
    failPending = true;
    stack.time().schedule(() -> {
      if (state != TcpState.CLOSED) {
        terminate(error, TcpCause.SEND_FAILED);
      }
      deliverEvents();
    }, 0);
  }

  // =========================================================================================
  // Event delivery (see PendingEvents)
  // =========================================================================================

  void scheduleDelivery() {
    pending.schedule();
  }

  /** Tells the application what happened, in order; safe against re-entrant calls from it. */
  void deliverEvents() {
    pending.deliver();
  }

  void queueClose(TcpError error) {
    pending.close(error);
  }

  /** Send buffer space freed: wake a writer that found it full once a third is free. */
  void sendSpaceFreed() {
    if (wantWritable && sendBuf.free() >= sendBuf.capacity() / 3) {
      wantWritable = false;
      pending.writable = true;
    }
  }

  // =========================================================================================
  // Timers
  // =========================================================================================

  @Override
  public boolean timersWanted() {
    return state != TcpState.CLOSED;
  }

  @Override
  public void onRetransmitTimer() {
    layer.recovery().onRetransmitTimeout(this);
    deliverEvents();
  }

  @Override
  public void onPersistTimer() {
    layer.output().onPersistTimeout(this);
    deliverEvents();
  }

  @Override
  public void onDelayedAckTimer() {
    if (pendingAckBytes > 0 || ackNow) {
      layer.counters().delayedAcks++;
      layer.output().sendAck(this);
    }
  }

  @Override
  public void onKeepAliveTimer() {
    layer.output().onKeepAliveTimeout(this);
    deliverEvents();
  }

  @Override
  public void onTimeWaitTimer() {
    // RFC 9293 3.10.8: TIME-WAIT timeout deletes the TCB; likewise an orphaned FIN-WAIT-2.
    if (state == TcpState.TIME_WAIT || state == TcpState.FIN_WAIT_2) {
      terminate(null, state == TcpState.TIME_WAIT ? TcpCause.TIME_WAIT_EXPIRED : TcpCause.FIN_WAIT_2_TIMEOUT);
      deliverEvents();
    }
  }

  long nanos() {
    return stack.time().nanos();
  }
}
