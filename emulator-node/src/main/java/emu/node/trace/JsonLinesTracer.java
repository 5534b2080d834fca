package emu.node.trace;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import emu.link.time.TimeSource;
import emu.node.event.EventCodec;
import emu.node.event.Stamped;
import emu.node.event.TraceEvent;
import emu.node.event.TraceMeta;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Writes a node's events as JSON lines ({@link EventCodec}'s format), stamped with the node's
 * clock and a sequence number. A budget bounds the file: past it, one {@code trace.truncated}
 * event is written and the rest are counted, not written.
 *
 * <p>What is written reaches the file at once, so the control plane can read a step's events as
 * soon as the step ends: given the node's event loop ({@code flushOn}), in one write at the end
 * of what the loop is doing (a task queued behind the frame being handled), else line by line.
 * A line each was a write system call for each of the three to six events of every hop, made
 * before the frame went on; one a turn took the median of idle pings across the seed lab (0.2 s
 * apart) from 2.15-2.50 to 2.00-2.19 ms, against 1.0-1.4 ms with tracing off: the rest of
 * tracing's cost is the events' JSON (BENCHMARKS.md, "The first ping on the ten-node seed lab").
 */
public final class JsonLinesTracer implements Tracer, AutoCloseable {
  private final JsonGenerator out;
  private final String node;
  private final TimeSource time;
  private final long budget;
  private long seq;
  private long suppressed;
  /** Set once a write failed (a full disk, say): tracing stops, the node goes on. */
  private boolean failed;
  /** Where the queued flush runs (the thread that emits), or null to flush each line. */
  private final Executor flushOn;
  private final Runnable flushQueued = this::flushQueued;
  private boolean flushPending;
  private boolean closed;

  /** Flushes each line as it is written (the control plane's own events, tests, benchmarks). */
  public JsonLinesTracer(Path file, String node, TimeSource time, long budget) throws IOException {
    this(file, node, time, budget, null);
  }

  /**
   * Flushes once per turn of {@code flushOn}, the event loop every event is emitted on: the lines
   * of one frame's handling go out in one write, queued behind it.
   */
  public JsonLinesTracer(Path file, String node, TimeSource time, long budget, Executor flushOn) throws IOException {
    this.out = EventCodec.mapper().getFactory().createGenerator(file.toFile(), JsonEncoding.UTF8);
    this.out.setRootValueSeparator(new SerializedString(""));
    this.node = node;
    this.time = time;
    this.budget = budget;
    this.flushOn = flushOn;
  }

  /** False once the budget is spent, so nodes stop building events nobody will read. */
  @Override
  public boolean enabled() {
    return seq < budget && !failed;
  }

  @Override
  public void emit(TraceEvent event) {
    if (seq >= budget || failed) {
      suppressed++;
      return;
    }
    write(event);
    if (seq == budget) {
      write(new TraceMeta.Truncated(budget));
    }
  }

  /**
   * Writes one line. An I/O error does not reach the caller: tracing only observes, and events
   * are emitted from the middle of packet handling (a frame half handed on to a queue), where an
   * exception would undo work that already happened. The first failure is said on stderr (the
   * node's log), tracing stops, and later events are counted as suppressed.
   */
  private void write(TraceEvent event) {
    try {
      EventCodec.write(out, new Stamped(time.epochNanos(), seq++, node, event), null);
      out.writeRaw('\n');
      if (flushOn == null) {
        out.flush();
      } else if (!flushPending) {
        flushPending = true;
        try {
          flushOn.execute(flushQueued);
        } catch (RejectedExecutionException e) {
          flushPending = false; // the loop has shut down: nothing will run the flush, so now
          out.flush();
        }
      }
    } catch (IOException e) {
      failed(e);
    }
  }

  private void flushQueued() {
    flushPending = false;
    if (failed || closed) {
      return;
    }
    try {
      out.flush();
    } catch (IOException e) {
      failed(e);
    }
  }

  private void failed(IOException e) {
    failed = true;
    suppressed++;
    System.err.println("emu: " + node + ": cannot write its events (" + e.getMessage() + "); tracing stops,"
        + " the node goes on");
  }

  public long suppressed() {
    return suppressed;
  }

  @Override
  public void flush() {
    if (failed) {
      return;
    }
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
