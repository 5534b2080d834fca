package emu.node.tcp;

import emu.node.wire.IpAddress;

/**
 * A listening port (RFC 9293 LISTEN): SYNs to it open connections that are handed to its
 * {@link TcpAcceptor} once their handshake completes.
 *
 * <p>Backlog: connections still in SYN-RECEIVED (half-open) count against it; when it is
 * full, further SYNs are dropped and counted ({@link TcpCounters#listenOverflows}) without any
 * answer, so the peer simply retransmits its SYN and gets in once there is room ("degrades
 * cleanly", as Linux without SYN cookies) — unless SYN cookies are on ({@link
 * TcpSettings#synCookies}, the default): then the SYN is answered with a cookie and no state is
 * kept ({@link SynCookies}). Completed connections go to the acceptor at once, so there is no
 * accept queue to fill; their number is capped ({@link TcpSettings#maxConnectionsPerListener}).
 */
public final class TcpListenSocket {
  private final TcpLayer layer;
  private final IpAddress local;
  private final int port;
  private final int backlog;
  private final TcpAcceptor acceptor;
  int halfOpen;
  /** Its connections in ESTABLISHED or later, short of TIME-WAIT (the per-listener cap). */
  int established;
  /** When it last sent a SYN cookie; ACKs are checked as cookies only within two slots of it (as Linux). */
  long lastCookieNanos;
  boolean cookieSent;
  boolean closed;
  /** Another listener on the same port (different specific addresses). */
  TcpListenSocket nextOnPort;

  TcpListenSocket(TcpLayer layer, IpAddress local, int port, int backlog, TcpAcceptor acceptor) {
    this.layer = layer;
    this.local = local;
    this.port = port;
    this.backlog = backlog;
    this.acceptor = acceptor;
  }

  /** The IPv4 address it listens on; 0 for every address (or an IPv6 one: see {@link #local()}). */
  public int localIp() {
    return local.isV4() ? local.v4() : 0;
  }

  /**
   * The address it listens on: 0.0.0.0 for every IPv4 address of the node, :: for every address
   * of either family (as a Linux socket bound to :: without IPV6_V6ONLY), else one address.
   */
  public IpAddress local() {
    return local;
  }

  /** True if a segment to {@code hi:lo} is for this listener's address. */
  boolean accepts(long hi, long lo) {
    if (local.equals(IpAddress.ANY6)) {
      return true;
    }
    if (local.equals(IpAddress.ANY4)) {
      return IpAddress.isV4(hi, lo);
    }
    return local.hi() == hi && local.lo() == lo;
  }

  /** True if this listener and one on {@code other} would share some address. */
  boolean overlaps(IpAddress other) {
    return accepts(other.hi(), other.lo()) || other.isAny() && (other.equals(IpAddress.ANY6) || local.isV4());
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

  /** Its established connections now (counted against {@link TcpSettings#maxConnectionsPerListener}). */
  public int established() {
    return established;
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
    return "LISTEN " + local.withPort(port) + " backlog " + backlog;
  }
}
