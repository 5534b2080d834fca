package emu.node.trace;

/**
 * Where a node's structured events go. The stack asks {@link #enabled()} before building an
 * event, so a node that does not trace pays one branch per step and allocates nothing.
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
