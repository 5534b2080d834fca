package emu.node.stack;

import io.netty.buffer.ByteBuf;

/** What ICMP reports as it works, for tracing. Callers ask {@link #enabled()} first. */
public interface IcmpObserver {
  boolean enabled();

  /** An echo request from {@code to} answered. */
  void echoAnswered(int to, int ident, int seq);

  /** An error ({@code type}/{@code code}) sent to {@code to} about the packet at {@code ipStart} of {@code original}. */
  void errorSent(int type, int code, int to, ByteBuf original, int ipStart);
}
