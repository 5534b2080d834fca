package emu.node.tcp;

import io.netty.buffer.ByteBuf;

/**
 * What an application (typically the Netty channel in emu.node.channel) hears from one
 * connection. Every call happens on the node's event loop.
 */
public interface TcpEvents {
  /** The three-way handshake completed (active or passive open). */
  void onEstablished(TcpConnection c);

  /**
   * In-order bytes from the peer. The callee owns {@code data} and must release it. Only
   * called while the connection is reading ({@link TcpConnection#resumeReading()}); while
   * paused the bytes wait in the receive buffer and the advertised window shrinks.
   */
  void onData(TcpConnection c, ByteBuf data);

  /** The peer closed its sending side (FIN received, after all its data): end of stream. */
  void onPeerFin(TcpConnection c);

  /** The send buffer, which was full, has room again. */
  void onWritable(TcpConnection c);

  /**
   * The connection is gone. {@code error} is null after an orderly close, else why it ended
   * (refused, reset by the peer, timed out, no route...). Called exactly once.
   */
  void onClosed(TcpConnection c, TcpError error);
}
