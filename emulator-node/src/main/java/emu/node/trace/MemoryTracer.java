package emu.node.trace;

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

  public List<TraceEvent> ofType(String type) {
    return events.stream().filter(e -> e.type().equals(type)).toList();
  }

  public void clear() {
    events.clear();
  }
}
