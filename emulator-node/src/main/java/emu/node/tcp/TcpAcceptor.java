package emu.node.tcp;

/** A listening socket's owner: gets each connection that completes its handshake. */
@FunctionalInterface
public interface TcpAcceptor {
  /**
   * A connection completed its three-way handshake on a listening port. Returns who gets its
   * events (never null). Called on the node's event loop.
   */
  TcpEvents accept(TcpConnection connection);
}
