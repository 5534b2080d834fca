package emu.node.stack;

import io.netty.buffer.ByteBuf;

/**
 * Fills a transport header's checksum once routing has chosen the source address, which the
 * UDP and TCP checksums cover through their pseudo-header.
 */
@FunctionalInterface
public interface TransportChecksum {
  TransportChecksum NONE = (buf, start, length, src, dst) -> { };

  void fill(ByteBuf buf, int start, int length, int src, int dst);
}
