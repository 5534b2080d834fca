package emu.node.testing;

import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what Netty's leak detector logs ("LEAK: ByteBuf.release() was not called ..."; the
 * build runs it at PARANOID, so every buffer is tracked), for a test to fail on. Netty reports a
 * leaked buffer only once the garbage collector has found it and another tracked buffer is
 * allocated, which {@link #assertNone()} brings about.
 */
public final class NettyLeakLog extends Handler {
  private final List<String> reports = java.util.Collections.synchronizedList(new ArrayList<>());
  private final Logger log = Logger.getLogger("io.netty.util.ResourceLeakDetector");

  /** Starts listening; what earlier tests in this JVM leaked is theirs, not ours. */
  public void start() {
    collect();
    reports.clear();
    log.addHandler(this);
  }

  public void stop() {
    log.removeHandler(this);
  }

  /** Lets the garbage collector find unreleased buffers and Netty report them. */
  public void collect() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      for (int j = 0; j < 100; j++) {
        PooledByteBufAllocator.DEFAULT.buffer(16).release();
        PooledByteBufAllocator.DEFAULT.directBuffer(16).release();
      }
    }
  }

  /** Fails if Netty reported a leak since {@link #start()}. */
  public void assertNone() {
    collect();
    if (!reports.isEmpty()) {
      throw new AssertionError(reports.size() + " Netty leak report(s):\n" + String.join("\n", reports));
    }
  }

  @Override
  public void publish(LogRecord r) {
    String m = String.valueOf(r.getMessage());
    if (m.contains("LEAK")) {
      reports.add(m);
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
