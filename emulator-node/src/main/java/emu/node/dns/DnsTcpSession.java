package emu.node.dns;

import emu.link.time.TimeSource;
import emu.node.event.DnsEvent;
import emu.node.tcp.TcpConnection;
import emu.node.tcp.TcpError;
import emu.node.tcp.TcpEvents;
import emu.node.trace.Tracer;
import emu.node.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/**
 * The server side of one DNS-over-TCP connection (RFC 7766): length-framed queries in, each
 * handed to the {@link DnsServer}; framed answers out, in the order they are ready. Several
 * queries per connection; closed when the client has finished and every answer is out, or
 * after an idle timeout with nothing outstanding.
 */
final class DnsTcpSession implements TcpEvents, ServerQuery.Responder {
  private final DnsServer server;
  private final TimeSource time;
  private final Tracer tracer;
  private final TcpConnection conn;
  private final long idleNanos;
  private final DnsFramer framer = new DnsFramer();
  /** Framed answers the send buffer could not take yet; ours to release. */
  private final ArrayDeque<ByteBuf> unsent = new ArrayDeque<>();
  private TimeSource.Timer idleTimer;
  private int outstanding;
  private boolean peerDone;
  private boolean closed;

  DnsTcpSession(DnsServer server, TimeSource time, Tracer tracer, TcpConnection conn, long idleNanos) {
    this.server = server;
    this.time = time;
    this.tracer = tracer;
    this.conn = conn;
    this.idleNanos = idleNanos;
  }

  @Override
  public void onEstablished(TcpConnection c) {
    armIdle();
  }

  @Override
  public void onData(TcpConnection c, ByteBuf data) {
    try {
      framer.add(data);
    } finally {
      data.release();
    }
    armIdle();
    byte[] m;
    while (!closed && (m = framer.next()) != null) {
      server.countTcpQuery(conn.ipv6());
      outstanding++;
      if (!server.handle(m, this)) {
        outstanding--;
      }
    }
    closeIfFinished();
  }

  @Override
  public void onPeerFin(TcpConnection c) {
    peerDone = true;
    closeIfFinished();
  }

  @Override
  public void onWritable(TcpConnection c) {
    flush();
    closeIfFinished();
  }

  @Override
  public void onClosed(TcpConnection c, TcpError error) {
    end(false);
  }

  // ---- Responder ---------------------------------------------------------------------------

  @Override
  public void send(byte[] wire) {
    if (closed) {
      return; // the client went away before its answer was ready
    }
    outstanding--;
    unsent.add(DnsFramer.frame(wire));
    flush();
    closeIfFinished();
  }

  @Override
  public boolean tcp() {
    return true;
  }

  @Override
  public IpAddress client() {
    return conn.remote();
  }

  @Override
  public int clientPort() {
    return conn.remotePort();
  }

  // ---- internals ---------------------------------------------------------------------------

  private void flush() {
    while (!closed && !unsent.isEmpty()) {
      ByteBuf b = unsent.peek();
      conn.write(b);
      if (b.isReadable()) {
        return; // send buffer full: onWritable() continues
      }
      unsent.poll().release();
    }
  }

  private void closeIfFinished() {
    if (!closed && peerDone && outstanding <= 0 && unsent.isEmpty()) {
      conn.close();
      end(false);
    }
  }

  private void armIdle() {
    if (idleTimer != null) {
      idleTimer.cancel();
    }
    if (!closed) {
      idleTimer = time.schedule(this::onIdle, idleNanos);
    }
  }

  private void onIdle() {
    if (closed) {
      return;
    }
    if (outstanding > 0 || !unsent.isEmpty()) {
      armIdle();
      return;
    }
    if (tracer.enabled()) {
      tracer.emit(new DnsEvent.TcpIdleClosed(conn.remote().toString(), conn.remotePort(), idleNanos));
    }
    conn.close();
    end(true);
  }

  /** Closes from the server's side (it is stopping). */
  void close() {
    if (!closed) {
      conn.close();
      end(false);
    }
  }

  private void end(boolean idle) {
    if (closed) {
      return;
    }
    closed = true;
    if (idleTimer != null) {
      idleTimer.cancel();
    }
    ByteBuf b;
    while ((b = unsent.poll()) != null) {
      b.release();
    }
    server.sessionClosed(this, idle);
  }
}
