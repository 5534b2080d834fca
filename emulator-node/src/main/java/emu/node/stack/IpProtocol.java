package emu.node.stack;

import io.netty.buffer.ByteBuf;

/**
 * A protocol above IPv4 (ICMP, UDP, TCP, and whatever comes next: OSPF...), registered with the
 * stack under its IP protocol number ({@link NetworkStack#register}); IPv4 input hands it every
 * packet of that protocol addressed to this node. The way smoltcp's interface and gVisor's
 * netstack dispatch: the stack knows protocols by number, not by name.
 */
@FunctionalInterface
public interface IpProtocol {
  /**
   * A packet for this node: its IPv4 header starts at {@code ipStart} of {@code buf} (checked,
   * not a fragment), which the protocol now owns: it releases it, or drops it through
   * {@link NetworkStack#drop}. {@code noErrors}: it came by broadcast, so no ICMP error may be
   * sent about it (RFC 1122 3.2.2).
   */
  void input(Nic nic, ByteBuf buf, int ipStart, boolean noErrors);
}
