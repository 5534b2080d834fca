package emu.node.event;

/**
 * An event as written to a node's events file: when ({@code ts}, epoch nanoseconds of the
 * writer's clock), its place in that node's stream ({@code seq}), and who reported it.
 */
public record Stamped(long ts, long seq, String node, TraceEvent event) {
  /** The same event at another time (a host's clock corrected). */
  public Stamped at(long newTs) {
    return newTs == ts ? this : new Stamped(newTs, seq, node, event);
  }

  public String type() {
    return event.type();
  }
}
