package emu.node.stack;

import io.netty.buffer.ByteBuf;

/** Gets the datagrams that arrive on a bound UDP port. The payload is valid only during the call. */
@FunctionalInterface
public interface UdpListener {
  void onDatagram(int srcIp, int srcPort, int dstIp, int dstPort, ByteBuf payload);
}
