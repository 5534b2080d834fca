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
    return seq < budget;
  }

  @Override
  public void emit(TraceEvent event) {
    if (seq >= budget) {
      suppressed++;
      return;
    }
    write(event);
    if (seq == budget) {
      write(new TraceMeta.Truncated(budget));
    }
  }

  private void write(TraceEvent event) {
    try {
      EventCodec.write(out, new Stamped(time.epochNanos(), seq++, node, event), null);
      out.writeRaw('\n');
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public long suppressed() {
    return suppressed;
  }

  @Override
  public void flush() {
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
