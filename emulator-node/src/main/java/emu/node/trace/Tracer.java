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

  /** Flushes buffered events to their destination; the default has nothing buffered. */
  default void flush() {}
}
