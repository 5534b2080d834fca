package emu.node.trace;

import emu.node.event.TraceEvent;

/**
 * Where a node's events go. Code that reports asks {@link #enabled()} before building an event,
 * so a node that does not trace pays one branch per step and allocates nothing.
 */
public interface Tracer {
  Tracer OFF = new Tracer() {
    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public void emit(TraceEvent event) {}
  };

  boolean enabled();

  void emit(TraceEvent event);

  /** TRANSITIONAL: an untyped event of code not converted yet. */
  default void emit(ProseEvent event) {
    emit(event.event());
  }

  /** Flushes buffered events to their destination; the default has nothing buffered. */
  default void flush() {}
}
