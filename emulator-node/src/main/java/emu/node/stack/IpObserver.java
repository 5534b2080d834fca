package emu.node.stack;

import io.netty.buffer.ByteBuf;

/**
 * What IPv4 input, output and forwarding report as they work, for tracing: values and the
 * buffers they act on, never sentences. Callers ask {@link #enabled()} first, so a node that does
 * not trace computes nothing for it; implementations must not keep or release the buffers.
 */
public interface IpObserver {
  boolean enabled();

  /** A frame carrying the IPv4 packet at {@code ipStart} was built on {@code nic}, to {@code dstMac}. */
  void frameSent(Nic nic, long dstMac, ByteBuf frame, int ipStart);

  /** The IPv4 packet at {@code ipStart} of {@code frame} arrived on {@code nic}; {@code forMe}: addressed to this node. */
  void received(Nic nic, ByteBuf frame, int ipStart, boolean forMe);

  /** This node built the IPv4 packet at {@code ipStart} of {@code packet} around a payload of its own. */
  void encapsulated(ByteBuf packet, int ipStart);

  /** A packet this node originates for {@code dst} will follow {@code route} to {@code nextHop}. */
  void routeChosen(int dst, Route route, int nextHop);

  /** Nothing in the routing table matches {@code dst}. */
  void noRoute(int dst);

  /** A packet for {@code dst} was forwarded from {@code in} out of {@code out}, TTL and header checksum updated. */
  void forwarded(Nic in, Nic out, int dst, Route route, int nextHop, int ttlBefore, int ttlAfter, int checksumBefore,
                 int checksumAfter);

  /** Something was dropped ({@code nic} null: not on an interface; {@code dst} 0: unknown). */
  void dropped(Nic nic, DropReason reason, int dst);
}
