package emu.node.ipv6;

import emu.node.wire.Ipv6Address;
import io.netty.buffer.ByteBuf;

/** Receives the datagrams for one bound UDP port over IPv6. */
@FunctionalInterface
public interface Udp6Listener {
  /** {@code payload} is valid only during the call (retain it to keep it). */
  void onDatagram(Ipv6Address src, int srcPort, Ipv6Address dst, int dstPort, ByteBuf payload);
}
