package emu.node.ipv6;

import emu.node.stack.Nic;
import io.netty.buffer.ByteBuf;

/**
 * A protocol above IPv6 (UDP, TCP ...), registered with the IPv6 layer under its next-header
 * number ({@link Ipv6Layer#registerProtocol}).
 */
@FunctionalInterface
public interface Ipv6Protocol {
  /**
   * A packet for this node whose upper-layer header starts at {@code at} ({@code length} bytes),
   * in the IPv6 packet at {@code ipStart} of {@code buf}, which the protocol now owns.
   * {@code multicast}: it was sent to a group, so no ICMPv6 error may be sent about it.
   */
  void input(Nic nic, ByteBuf buf, int ipStart, int at, int length, boolean multicast);
}
