package emu.node.stack;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exceptions thrown while a frame was handled: a bug of ours, or of an application's listener.
 * One such frame must not take the node down nor unwind the link's receive path (with a UDP
 * tunnel Netty would report it as a socket error and leak the frame); the node counts it by
 * exception class, says so on its standard error (the node's log) the first time a class is seen
 * only, so a frame that keeps coming cannot flood the log, and goes on with the next frame.
 * Owned by the node's event loop, like every counter.
 */
public final class InternalErrors {
  /** Stack frames quoted the first time: where it was thrown, enough to find the bug. */
  private static final int QUOTED_FRAMES = 8;

  private final String node;
  private final PrintStream log;
  private final Map<String, Long> byClass = new LinkedHashMap<>();
  private long total;

  public InternalErrors(String node, PrintStream log) {
    this.node = node;
    this.log = log;
  }

  /** Counts {@code e}, thrown while {@code doing}; the first of its class is logged. */
  public void count(RuntimeException e, String doing) {
    total++;
    String cls = e.getClass().getName();
    long n = byClass.merge(cls, 1L, Long::sum);
    if (n == 1) {
      StringBuilder sb = new StringBuilder(node).append(": internal error ").append(doing).append(": ").append(e)
          .append(" (the frame is dropped, counted as internal_error; further ").append(cls)
          .append(" are counted, not logged)");
      Arrays.stream(e.getStackTrace()).limit(QUOTED_FRAMES).forEach(f -> sb.append("\n    at ").append(f));
      log.println(sb);
      log.flush();
    }
  }

  public long total() {
    return total;
  }

  /** How many of each exception class, in the order first seen. */
  public Map<String, Long> byClass() {
    return Collections.unmodifiableMap(byClass);
  }
}
