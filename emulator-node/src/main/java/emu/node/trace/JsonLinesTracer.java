package emu.node.trace;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import emu.link.time.TimeSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes events as JSON lines: {@code {"ts":<epoch ns>,"seq":n,"node":..,"type":..,"msg":..,...}}.
 * Each line is flushed as it is written, so the control plane can read a step's events as soon
 * as the step ends. A budget bounds the file: past it, one {@code trace.truncated} event is
 * written and the rest are counted, not written.
 */
public final class JsonLinesTracer implements Tracer, AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final JsonGenerator out;
  private final String node;
  private final TimeSource time;
  private final long budget;
  private long seq;
  private long suppressed;

  public JsonLinesTracer(Path file, String node, TimeSource time, long budget) throws IOException {
    JsonFactory f = MAPPER.getFactory();
    this.out = f.createGenerator(file.toFile(), JsonEncoding.UTF8);
    this.out.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString(""));
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
      write(new TraceEvent("trace.truncated").msg("trace budget of " + budget
          + " events reached; later events are not recorded"));
    }
  }

  private void write(TraceEvent event) {
    try {
      out.writeStartObject();
      out.writeNumberField("ts", time.epochNanos());
      out.writeNumberField("seq", seq++);
      out.writeStringField("node", node);
      out.writeStringField("type", event.type());
      out.writeStringField("msg", event.message());
      for (Map.Entry<String, Object> f : event.fields().entrySet()) {
        out.writeFieldName(f.getKey());
        out.writeObject(f.getValue());
      }
      out.writeEndObject();
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
