package emu.node.event;

import com.fasterxml.jackson.annotation.JsonTypeName;

/** Events about the trace itself. */
public sealed interface TraceMeta extends TraceEvent {
  <R> R accept(Visitor<R> v);

  @Override
  default <R> R accept(TraceEvent.Visitor<R> v) {
    return v.meta(this);
  }

  interface Visitor<R> {
    R truncated(Truncated e);

    R legacy(Legacy e);
  }

  /** The node's event budget ({@code budget} events) is spent: later events are counted, not written. */
  @JsonTypeName("trace.truncated")
  record Truncated(long budget) implements TraceMeta {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.truncated(this);
    }
  }

  /**
   * TRANSITIONAL: an event still written as a sentence by code not yet converted to typed facts
   * ({@code kind} is its type). Goes away when the last such site does.
   */
  @JsonTypeName("trace.legacy")
  record Legacy(String kind, String msg, java.util.Map<String, Object> fields) implements TraceMeta {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.legacy(this);
    }

    @Override
    public String type() {
      return kind;
    }

    public String message() {
      return msg;
    }
  }
}
