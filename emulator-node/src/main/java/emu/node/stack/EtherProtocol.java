package emu.node.stack;

import io.netty.buffer.ByteBuf;

/**
 * A network-layer protocol beside ARP and IPv4 (IPv6, say), registered with the stack under its
 * EtherType ({@link NetworkStack#registerEtherType}): Ethernet input hands it every
 * frame of that type that is for this node.
 */
@FunctionalInterface
public interface EtherProtocol {
  /**
   * A frame for this node (unicast to the interface's MAC, or to a group address:
   * {@code unicastToUs} says which); its payload starts at {@code payloadStart}. The protocol
   * owns the frame: it releases it, or drops it through {@link NetworkStack#drop}.
   */
  void input(Nic nic, ByteBuf frame, int payloadStart, boolean unicastToUs);
}
