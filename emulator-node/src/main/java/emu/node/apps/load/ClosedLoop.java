package emu.node.apps.load;

import emu.link.time.TimeSource;
import emu.node.shell.CommandIo;

/**
 * The engine of {@code dnsperf} and {@code udpperf}: a closed loop that keeps {@code window}
 * requests in flight, one per slot. An answer frees its slot and the slot sends again at once;
 * a request unanswered after the timeout is lost, and its slot sends a new one. After the run
 * time no new request goes out; the run ends when every slot is answered or lost.
 *
 * <p>Timeouts are found by one periodic sweep (every twentieth of the timeout, at most 100
 * ms), not by a timer per request: at tens of thousands of requests a second, a timer each
 * would cost more than the requests. Everything runs on the node's event loop; nothing blocks.
 */
abstract class ClosedLoop {
  protected final TimeSource time;
  protected final CommandIo io;
  protected final long timeoutNanos;
  private final long durationNanos;
  private final long[] sentAt;
  private final boolean[] busy;
  private int inFlight;

  long sent;
  long completed;
  long lost;
  long late;
  long unmatched;
  final LatencyStats latency = new LatencyStats();

  private boolean sending;
  private boolean finished;
  private boolean interrupted;
  long startNanos;
  private long stopNanos;
  private long lastAnswerNanos;
  private TimeSource.Timer sweeper;
  private TimeSource.Timer deadline;

  ClosedLoop(TimeSource time, CommandIo io, int window, long durationNanos, long timeoutNanos) {
    this.time = time;
    this.io = io;
    this.durationNanos = durationNanos;
    this.timeoutNanos = timeoutNanos;
    this.sentAt = new long[window];
    this.busy = new boolean[window];
  }

  /** Sends the request of {@code slot}; returns null, or why it could not (the run then stops). */
  protected abstract String transmit(int slot, long now);

  /** The request of {@code slot} was declared lost: remember it, to count a late answer. */
  protected abstract void onLost(int slot, long now);

  /** Releases the socket (called once, when the run ends for whatever reason). */
  protected abstract void close();

  /** Prints the statistics (called once, at the end of a run that sent something). */
  protected abstract void report();

  /** Starts sending; call on the node's event loop. */
  final void start() {
    io.onCancel(this::cancel);
    startNanos = time.nanos();
    lastAnswerNanos = startNanos;
    sending = true;
    deadline = time.schedule(this::stopSending, durationNanos);
    sweeper = time.schedule(this::sweep, sweepPeriod());
    for (int i = 0; i < busy.length && sending && !finished; i++) {
      fire(i);
    }
  }

  private long sweepPeriod() {
    return Math.max(1_000_000L, Math.min(100_000_000L, timeoutNanos / 20));
  }

  private void fire(int slot) {
    long now = time.nanos();
    busy[slot] = true;
    inFlight++;
    sentAt[slot] = now;
    sent++;
    String error = transmit(slot, now);
    if (error != null) {
      busy[slot] = false;
      inFlight--;
      sent--;
      abort(error);
    }
  }

  /** Whether {@code slot} waits for an answer. */
  protected final boolean waiting(int slot) {
    return !finished && busy[slot];
  }

  /** The answer to the request of {@code slot} arrived (the caller checked {@link #waiting}). */
  protected final void answered(int slot) {
    long now = time.nanos();
    busy[slot] = false;
    inFlight--;
    completed++;
    latency.add(now - sentAt[slot]);
    lastAnswerNanos = now;
    next(slot);
  }

  /** Whether the run is over (answers arriving now are ignored). */
  protected final boolean finished() {
    return finished;
  }

  private void next(int slot) {
    if (sending) {
      fire(slot);
    } else if (inFlight == 0) {
      finish();
    }
  }

  private void sweep() {
    sweeper = null;
    if (finished) {
      return;
    }
    long now = time.nanos();
    for (int i = 0; i < busy.length && !finished; i++) {
      if (busy[i] && now - sentAt[i] >= timeoutNanos) {
        busy[i] = false;
        inFlight--;
        lost++;
        onLost(i, now);
        next(i);
      }
    }
    if (!finished) {
      sweeper = time.schedule(this::sweep, sweepPeriod());
    }
  }

  private void stopSending() {
    deadline = null;
    if (finished) {
      return;
    }
    sending = false;
    stopNanos = time.nanos();
    if (inFlight == 0) {
      finish();
    }
  }

  private void cancelTimers() {
    if (sweeper != null) {
      sweeper.cancel();
      sweeper = null;
    }
    if (deadline != null) {
      deadline.cancel();
      deadline = null;
    }
  }

  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    cancelTimers();
    close();
    report();
    io.exit(completed > 0 ? 0 : 1);
  }

  private void abort(String error) {
    if (finished) {
      return;
    }
    finished = true;
    if (sending) {
      sending = false;
      stopNanos = time.nanos();
    }
    cancelTimers();
    close();
    io.out(error);
    if (sent > 0) {
      report();
    }
    io.exit(1);
  }

  /** The caller went away: stop at once, free everything; nobody reads a report. */
  private void cancel() {
    if (finished) {
      return;
    }
    finished = true;
    interrupted = true;
    sending = false;
    cancelTimers();
    close();
    io.exit(1);
  }

  long durationNanos() {
    return durationNanos;
  }

  boolean interrupted() {
    return interrupted;
  }

  /**
   * Seconds from the first request to the end of sending or the last answer, whichever is
   * later: the wait for requests that turn out lost is not counted, as they carry no answer.
   */
  double runSeconds() {
    long end = sending ? time.nanos() : Math.max(stopNanos, lastAnswerNanos);
    return Math.max(1e-9, (end - startNanos) / 1e9);
  }

  /** Completed requests per second of {@link #runSeconds}. */
  double rate() {
    return completed / runSeconds();
  }

  static String percent(long part, long whole) {
    return String.format(java.util.Locale.ROOT, "%.2f%%", whole == 0 ? 0.0 : 100.0 * part / whole);
  }
}
