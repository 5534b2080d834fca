package emu.node.dns;

/** A DNS server role: what it answers to a well-formed query ({@link Authority}, {@link Forwarder}). */
interface QueryHandler {
  /**
   * Fills {@code q.response} (answer, authority, additional, rcode, flags) and calls
   * {@code q.send()}, now or later. Must not throw for any query.
   */
  void answer(ServerQuery q);

  /** Stops timers and forgets state; queries still waiting get no answer. */
  default void stop() {}
}
