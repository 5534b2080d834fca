package emu.node.tcp;

import emu.link.time.TimeSource;

/**
 * A connection's timers (RFC 9293 3.8): retransmission (also SYN and SYN-ACK retries, RFC
 * 6298), delayed ACK (RFC 5681 4.2), persist for zero windows (RFC 9293 3.8.6.1), keepalive
 * (RFC 9293 3.8.4), and TIME-WAIT 2*MSL (also an orphaned FIN-WAIT-2's timeout).
 *
 * <p>Each timer is just a deadline. One task on the node's {@link TimeSource} is armed for the
 * earliest of them, and re-armed only when a deadline moves earlier: restarting the
 * retransmission timer on every ACK moves it later, which costs nothing here; when the armed
 * task fires early it simply re-arms for the real deadline. This keeps timer churn off the
 * per-segment path, as Linux's lazy timers do.
 */
final class TcpTimers {
  static final long OFF = Long.MAX_VALUE;

  /** Who handles expirations. */
  interface Handler {
    void onRetransmitTimer();

    void onPersistTimer();

    void onDelayedAckTimer();

    void onKeepAliveTimer();

    void onTimeWaitTimer();

    boolean timersWanted();
  }

  private final TimeSource time;
  private final Handler handler;
  private final Runnable fire = this::fire;
  private long retransmitAt = OFF;
  private long persistAt = OFF;
  private long delayedAckAt = OFF;
  private long keepAliveAt = OFF;
  private long timeWaitAt = OFF;
  private long armedAt = OFF;
  private TimeSource.Timer armed;

  TcpTimers(TimeSource time, Handler handler) {
    this.time = time;
    this.handler = handler;
  }

  void retransmit(long delay) {
    retransmitAt = time.nanos() + delay;
    arm();
  }

  void cancelRetransmit() {
    retransmitAt = OFF;
  }

  boolean retransmitArmed() {
    return retransmitAt != OFF;
  }

  void persist(long delay) {
    persistAt = time.nanos() + delay;
    arm();
  }

  void cancelPersist() {
    persistAt = OFF;
  }

  boolean persistArmed() {
    return persistAt != OFF;
  }

  /** Arms the delayed-ACK timer unless it is already running (the ACK is due at the first deadline). */
  void delayedAck(long delay) {
    if (delayedAckAt == OFF) {
      delayedAckAt = time.nanos() + delay;
      arm();
    }
  }

  void cancelDelayedAck() {
    delayedAckAt = OFF;
  }

  boolean delayedAckArmed() {
    return delayedAckAt != OFF;
  }

  void keepAlive(long delay) {
    keepAliveAt = time.nanos() + delay;
    arm();
  }

  void cancelKeepAlive() {
    keepAliveAt = OFF;
  }

  boolean keepAliveArmed() {
    return keepAliveAt != OFF;
  }

  void timeWait(long delay) {
    timeWaitAt = time.nanos() + delay;
    arm();
  }

  boolean timeWaitArmed() {
    return timeWaitAt != OFF;
  }

  /** Stops everything (the connection is gone); the armed task is cancelled. */
  void cancelAll() {
    retransmitAt = OFF;
    persistAt = OFF;
    delayedAckAt = OFF;
    keepAliveAt = OFF;
    timeWaitAt = OFF;
    if (armed != null) {
      armed.cancel();
      armed = null;
    }
    armedAt = OFF;
  }

  /** The timer {@code ss -o} shows and its deadline: retransmission and persist first. */
  String activeName() {
    if (timeWaitAt != OFF) {
      return "timewait";
    }
    if (retransmitAt != OFF) {
      return "on";
    }
    if (persistAt != OFF) {
      return "persist";
    }
    if (keepAliveAt != OFF) {
      return "keepalive";
    }
    if (delayedAckAt != OFF) {
      return "delack";
    }
    return "off";
  }

  /** Nanoseconds until the timer {@link #activeName()} names fires, 0 if none. */
  long activeRemaining() {
    long at = switch (activeName()) {
      case "timewait" -> timeWaitAt;
      case "on" -> retransmitAt;
      case "persist" -> persistAt;
      case "keepalive" -> keepAliveAt;
      case "delack" -> delayedAckAt;
      default -> OFF;
    };
    return at == OFF ? 0 : Math.max(0, at - time.nanos());
  }

  private long earliest() {
    return Math.min(Math.min(retransmitAt, persistAt), Math.min(Math.min(delayedAckAt, keepAliveAt), timeWaitAt));
  }

  private void arm() {
    long next = earliest();
    if (next >= armedAt) {
      return;
    }
    if (armed != null) {
      armed.cancel();
    }
    armedAt = next;
    armed = time.schedule(fire, next - time.nanos());
  }

  private void fire() {
    armed = null;
    armedAt = OFF;
    long now = time.nanos();
    if (timeWaitAt <= now) {
      timeWaitAt = OFF;
      handler.onTimeWaitTimer();
    }
    if (retransmitAt <= now && handler.timersWanted()) {
      retransmitAt = OFF;
      handler.onRetransmitTimer();
    }
    if (persistAt <= now && handler.timersWanted()) {
      persistAt = OFF;
      handler.onPersistTimer();
    }
    if (delayedAckAt <= now && handler.timersWanted()) {
      delayedAckAt = OFF;
      handler.onDelayedAckTimer();
    }
    if (keepAliveAt <= now && handler.timersWanted()) {
      keepAliveAt = OFF;
      handler.onKeepAliveTimer();
    }
    if (handler.timersWanted()) {
      arm();
    }
  }
}
