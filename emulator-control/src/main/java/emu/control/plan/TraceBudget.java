package emu.control.plan;

/**
 * How many events a node of a lab records at most ({@code EMU_TRACE_BUDGET}, or the property
 * {@code emu.traceBudget}): past it a node writes one {@code trace.truncated} event and counts the
 * rest without writing them, so a lab left running under load cannot fill its disk with events.
 *
 * <p>The default, 20,000 events, is a few megabytes a node and holds every step of the seed
 * scenarios many times over; a router forwarding a ping stream spends it in a few thousand pings
 * (r1 of the seed lab in about 3,300 pings across it: six events a ping). A measurement that
 * compares a lab's first packets with later ones must not let the budget run out between the two,
 * or it compares tracing with no tracing: raise it there ({@code 0} is no limit), or trace nothing
 * ({@code --no-trace}).
 */
public final class TraceBudget {
  private TraceBudget() {}

  public static final long DEFAULT = 20_000;

  /** The budget a lab planned now gives its nodes; throws with what to write if the setting is not one. */
  public static long get() {
    String v = System.getProperty("emu.traceBudget", System.getenv("EMU_TRACE_BUDGET"));
    if (v == null || v.isBlank()) {
      return DEFAULT;
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n == 0) {
        return Long.MAX_VALUE;
      }
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new IllegalArgumentException("EMU_TRACE_BUDGET must be a whole number of events a node records at most"
        + " (0: no limit; default " + DEFAULT + "), not '" + v + "'");
  }
}
