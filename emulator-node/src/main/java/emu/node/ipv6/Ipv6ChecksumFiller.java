package emu.node.ipv6;

import io.netty.buffer.ByteBuf;

/**
 * Fills an upper-layer checksum (ICMPv6, UDP, TCP) once IPv6 has chosen the packet's source:
 * {@code pseudo} is the sum of its pseudo-header (RFC 8200 8.1).
 */
@FunctionalInterface
public interface Ipv6ChecksumFiller {
  void fill(ByteBuf buf, int upperStart, int upperLength, long pseudo);
}
