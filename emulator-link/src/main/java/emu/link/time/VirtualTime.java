package emu.link.time;

import java.util.PriorityQueue;

/**
 * Virtual time for tests: nothing happens until the test advances the clock, and then timers
 * fire in deadline order (ties in scheduling order), so a run is exactly repeatable.
 * Single-threaded, like a node's event loop.
 */
public final class VirtualTime implements TimeSource {
  /** 2026-01-01T00:00:00Z: virtual wall time starts here so captures have plausible dates. */
  public static final long EPOCH_START_NANOS = 1_767_225_600L * 1_000_000_000L;

  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private long now;
  private long seq;

  @Override
  public long nanos() {
    return now;
  }

  @Override
  public long epochNanos() {
    return EPOCH_START_NANOS + now;
  }

  @Override
  public Timer schedule(Runnable task, long delayNanos) {
    Task t = new Task(now + Math.max(0, delayNanos), seq++, task);
    queue.add(t);
    return () -> t.cancelled = true;
  }

  /** Runs everything due now, including what those tasks schedule for now. */
  public void runDue() {
    advance(0);
  }

  /** Moves the clock forward by {@code nanos}, running every timer that falls due on the way. */
  public void advance(long nanos) {
    long until = now + nanos;
    Task t;
    while ((t = queue.peek()) != null && t.deadline <= until) {
      queue.poll();
      if (!t.cancelled) {
        now = Math.max(now, t.deadline);
        t.task.run();
      }
    }
    now = until;
  }

  /**
   * Runs timers until none is left before {@code limitNanos} from now, or {@code done} says
   * stop. Returns whether {@code done} became true.
   */
  public boolean runUntil(java.util.function.BooleanSupplier done, long limitNanos) {
    long until = now + limitNanos;
    while (!done.getAsBoolean()) {
      Task t = queue.peek();
      if (t == null || t.deadline > until) {
        now = Math.max(now, until);
        return done.getAsBoolean();
      }
      queue.poll();
      if (!t.cancelled) {
        now = Math.max(now, t.deadline);
        t.task.run();
      }
    }
    return true;
  }

  /** Timers not yet fired (cancelled ones included until they would have fired). */
  public int pending() {
    return queue.size();
  }

  private static final class Task implements Comparable<Task> {
    final long deadline;
    final long seq;
    final Runnable task;
    boolean cancelled;

    Task(long deadline, long seq, Runnable task) {
      this.deadline = deadline;
      this.seq = seq;
      this.task = task;
    }

    @Override
    public int compareTo(Task o) {
      int c = Long.compare(deadline, o.deadline);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
