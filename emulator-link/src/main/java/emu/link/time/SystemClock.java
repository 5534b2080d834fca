package emu.link.time;

import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Real time with timers on a scheduled executor: for the control plane, which has no event
 * loop of its own. Wall time is derived from one reading at start plus the monotonic clock,
 * exactly as {@link EventLoopTime} does, so control-plane and node timestamps agree.
 */
public final class SystemClock implements TimeSource {
  private final ScheduledExecutorService timers;
  private final long epochAtStart;
  private final long nanosAtStart;

  public SystemClock(ScheduledExecutorService timers) {
    this.timers = timers;
    Instant now = Instant.now();
    this.nanosAtStart = System.nanoTime();
    this.epochAtStart = now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  @Override
  public long nanos() {
    return System.nanoTime();
  }

  @Override
  public long epochNanos() {
    return epochAtStart + (System.nanoTime() - nanosAtStart);
  }

  @Override
  public Timer schedule(Runnable task, long delayNanos) {
    var f = timers.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }
}
