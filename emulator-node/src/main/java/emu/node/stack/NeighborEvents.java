package emu.node.stack;

import io.netty.buffer.ByteBuf;

/** What a {@link NeighborCache} asks of the stack around it. */
public interface NeighborEvents {
  /** Send an ARP request for {@code ip}: broadcast if {@code unicastMac} is -1, else unicast. */
  void solicit(Nic nic, int ip, long unicastMac);

  /** A queued IPv4 packet (reader index at its header) can now go to {@code mac}. */
  void release(Nic nic, long mac, ByteBuf packet);

  /** A queued IPv4 packet whose next hop never answered: drop it (and say so to its sender). */
  void unresolved(Nic nic, int ip, ByteBuf packet);

  /** An entry changed state (for tracing). */
  void transition(Nic nic, NeighborCache.Entry entry, NeighborState from, NeighborState to);
}
