package emu.link.time;

/**
 * Time as the stack sees it: a monotonic clock, a wall clock for timestamps, and timers.
 * Injected everywhere so that tests run on virtual time and runs can be repeated; nothing in
 * the stack reads the system clock itself.
 */
public interface TimeSource {
  /** Monotonic nanoseconds; only differences mean anything. */
  long nanos();

  /** Nanoseconds since the Unix epoch, for captures and trace events. */
  long epochNanos();

  /** Runs {@code task} on the owning event loop after {@code delayNanos}. */
  Timer schedule(Runnable task, long delayNanos);

  /** A scheduled task that can be cancelled. */
  interface Timer {
    void cancel();
  }
}
