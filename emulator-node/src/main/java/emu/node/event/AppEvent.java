package emu.node.event;

import com.fasterxml.jackson.annotation.JsonTypeName;

/** What an application on a node asked of the stack, where the narrative needs it. */
public sealed interface AppEvent extends TraceEvent {
  <R> R accept(Visitor<R> v);

  @Override
  default <R> R accept(TraceEvent.Visitor<R> v) {
    return v.app(this);
  }

  interface Visitor<R> {
    R ping(Ping e);
  }

  /** {@code ping} asks the stack to send {@code count} echo requests to {@code target} ({@code dst}). */
  @JsonTypeName("app.ping")
  record Ping(String target, String dst, int ident, int count) implements AppEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.ping(this);
    }
  }
}
