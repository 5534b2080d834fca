package emu.link.time;

import io.netty.channel.EventLoop;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** Real time, with timers on a Netty event loop: what a node process runs on. */
public final class EventLoopTime implements TimeSource {
  private final EventLoop loop;
  private final long epochAtStart;
  private final long nanosAtStart;

  public EventLoopTime(EventLoop loop) {
    this(loop, 0);
  }

  /**
   * @param skewNanos added to the wall clock: a clock that is wrong by that much (for tests of
   *     labs across machines whose clocks differ)
   */
  public EventLoopTime(EventLoop loop, long skewNanos) {
    this.loop = loop;
    Instant now = Instant.now();
    this.nanosAtStart = System.nanoTime();
    this.epochAtStart = now.getEpochSecond() * 1_000_000_000L + now.getNano() + skewNanos;
  }

  @Override
  public long nanos() {
    return System.nanoTime();
  }

  /**
   * Wall time derived from the monotonic clock and one reading at start, so that timestamps
   * in captures and traces never go backwards within a process.
   */
  @Override
  public long epochNanos() {
    return epochAtStart + (System.nanoTime() - nanosAtStart);
  }

  @Override
  public Timer schedule(Runnable task, long delayNanos) {
    var future = loop.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }
}
