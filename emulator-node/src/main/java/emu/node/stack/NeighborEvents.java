package emu.node.stack;

import io.netty.buffer.ByteBuf;

/** What a {@link NeighborCache} asks of the protocol around it (ARP, or IPv6 neighbour discovery). */
public interface NeighborEvents {
  /**
   * Solicit the neighbour {@code entry} (an ARP request, an IPv6 neighbour solicitation):
   * broadcast or multicast if {@code unicastMac} is -1, else unicast to it.
   */
  void solicit(Nic nic, NeighborCache.Entry entry, long unicastMac);

  /** A queued packet (reader index at its network header) can now go to {@code mac}. */
  void release(Nic nic, long mac, ByteBuf packet);

  /** A queued packet whose next hop never answered: drop it (and say so to its sender). */
  void unresolved(Nic nic, NeighborCache.Entry entry, ByteBuf packet);

  /**
   * A packet waiting for {@code entry} was dropped for {@code reason} (its queue, or the node's
   * budget for all queues, was full), already counted and released: for tracing.
   */
  default void dropped(Nic nic, NeighborCache.Entry entry, DropReason reason) {}

  /** An entry changed state (for tracing). */
  void transition(Nic nic, NeighborCache.Entry entry, NeighborState from, NeighborState to);
}
