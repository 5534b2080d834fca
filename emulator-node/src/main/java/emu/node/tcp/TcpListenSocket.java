package emu.node.tcp;

import emu.node.wire.Ipv4Address;

/**
 * A listening port (RFC 9293 LISTEN): SYNs to it open connections that are handed to its
 * {@link TcpAcceptor} once their handshake completes.
 *
 * <p>Backlog: connections still in SYN-RECEIVED (half-open) count against it; when it is
 * full, further SYNs are dropped and counted ({@link TcpCounters#listenOverflows}) without any
 * answer, so the peer simply retransmits its SYN and gets in once there is room ("degrades
 * cleanly", as Linux without SYN cookies). Completed connections go to the acceptor at once,
 * so there is no accept queue to fill.
 */
public final class TcpListenSocket {
  private final TcpLayer layer;
  private final int localIp;
  private final int port;
  private final int backlog;
  private final TcpAcceptor acceptor;
  int halfOpen;
  boolean closed;
  /** Another listener on the same port (different specific addresses). */
  TcpListenSocket nextOnPort;

  TcpListenSocket(TcpLayer layer, int localIp, int port, int backlog, TcpAcceptor acceptor) {
    this.layer = layer;
    this.localIp = localIp;
    this.port = port;
    this.backlog = backlog;
    this.acceptor = acceptor;
  }

  /** The address it listens on; 0 for every address of the node. */
  public int localIp() {
    return localIp;
  }

  public int port() {
    return port;
  }

  /** Most half-open connections it keeps. */
  public int backlog() {
    return backlog;
  }

  /** Connections in SYN-RECEIVED now. */
  public int halfOpen() {
    return halfOpen;
  }

  public boolean isClosed() {
    return closed;
  }

  TcpAcceptor acceptor() {
    return acceptor;
  }

  /**
   * Stops listening. Half-open connections are reset (as Linux drops its request queue);
   * connections already handed to the acceptor are not affected. Idempotent.
   */
  public void close() {
    layer.closeListener(this);
  }

  @Override
  public String toString() {
    return "LISTEN " + (localIp == 0 ? "0.0.0.0" : Ipv4Address.format(localIp)) + ":" + port + " backlog " + backlog;
  }
}
