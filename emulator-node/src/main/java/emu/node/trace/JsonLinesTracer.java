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

/**
 * Writes a node's events as JSON lines ({@link EventCodec}'s format), stamped with the node's
 * clock and a sequence number. Each line is flushed as it is written, so the control plane can
 * read a step's events as soon as the step ends. A budget bounds the file: past it, one
 * {@code trace.truncated} event is written and the rest are counted, not written.
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

  public JsonLinesTracer(Path file, String node, TimeSource time, long budget) throws IOException {
    this.out = EventCodec.mapper().getFactory().createGenerator(file.toFile(), JsonEncoding.UTF8);
    this.out.setRootValueSeparator(new SerializedString(""));
    this.node = node;
    this.time = time;
    this.budget = budget;
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
      out.flush();
    } catch (IOException e) {
      failed = true;
      suppressed++;
      System.err.println("emu: " + node + ": cannot write its events (" + e.getMessage() + "); tracing stops,"
          + " the node goes on");
    }
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
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
