package emu.node.trace;

import emu.node.event.TraceEvent;
import java.util.ArrayList;
import java.util.List;

/** Keeps events in memory: for tests, and for nodes that run inside one JVM. */
public final class MemoryTracer implements Tracer {
  private final List<TraceEvent> events = new ArrayList<>();

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public void emit(TraceEvent event) {
    events.add(event);
  }

  public List<TraceEvent> events() {
    return events;
  }

  /** The events of one record type, in order. */
  public <T extends TraceEvent> List<T> of(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  public void clear() {
    events.clear();
  }
}
