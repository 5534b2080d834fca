package emu.node.stack;

/**
 * Neighbour (ARP) entry states, as Linux keeps them and {@code ip neigh} prints them
 * (RFC 4861 section 7.3.2's reachability states, which Linux applies to ARP too).
 */
public enum NeighborState {
  /** Resolution in progress: broadcast requests sent, packets queued. */
  INCOMPLETE,
  /** Confirmed recently (an ARP reply to our request). */
  REACHABLE,
  /** Known but not confirmed lately; still used, and a use starts a re-check. */
  STALE,
  /** Used while stale; a confirmation may still arrive before probing starts. */
  DELAY,
  /** Unicast requests sent to the known MAC to re-confirm it. */
  PROBE,
  /** Resolution gave up; queued packets were dropped. */
  FAILED,
  /** Configured statically; never ages. */
  PERMANENT;

  /** True if frames may be sent to the entry's MAC. */
  public boolean usable() {
    return this == REACHABLE || this == STALE || this == DELAY || this == PROBE || this == PERMANENT;
  }
}
