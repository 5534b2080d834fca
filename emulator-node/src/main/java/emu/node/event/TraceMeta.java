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
  }

  /** The node's event budget ({@code budget} events) is spent: later events are counted, not written. */
  @JsonTypeName("trace.truncated")
  record Truncated(long budget) implements TraceMeta {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.truncated(this);
    }
  }

}
