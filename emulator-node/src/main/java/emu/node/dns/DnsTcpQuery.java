package emu.node.dns;

import emu.link.time.TimeSource;
import emu.node.event.DnsEvent;
import emu.node.tcp.TcpConnection;
import emu.node.tcp.TcpError;
import emu.node.tcp.TcpEvents;
import emu.node.tcp.TcpLayer;
import io.netty.buffer.ByteBuf;

/**
 * One DNS query over the stack's TCP (RFC 7766), to the server its exchange asks now, of either
 * family (a link-local one on its interface): connect to port 53, send the framed query,
 * read framed messages until the one that answers it, close. Reports to its
 * {@link DnsClient.Exchange}, which checks the answer as it does over UDP.
 */
final class DnsTcpQuery implements TcpEvents {
  private final DnsClient.Exchange exchange;
  private final TcpLayer tcp;
  private final TimeSource time;
  private final byte[] wire;
  private final long timeoutNanos;
  private final DnsFramer framer = new DnsFramer();
  private TcpConnection conn;
  private ByteBuf unsent;
  private TimeSource.Timer timer;
  private boolean done;

  DnsTcpQuery(DnsClient.Exchange exchange, TcpLayer tcp, TimeSource time, byte[] wire, long timeoutNanos) {
    this.exchange = exchange;
    this.tcp = tcp;
    this.time = time;
    this.wire = wire;
    this.timeoutNanos = timeoutNanos;
  }

  void start() {
    try {
      conn = tcp.connect(exchange.server().address(), exchange.zone(), DnsClient.PORT, 0, this);
    } catch (IllegalStateException e) {
      fail(DnsReply.Failure.NETWORK, e.getMessage(), DnsEvent.TcpFailure.CONNECT_FAILED, null);
      return;
    }
    timer = time.schedule(() -> {
      if (!done) {
        conn.abort();
        fail(DnsReply.Failure.TIMEOUT, "timed out", DnsEvent.TcpFailure.TIMED_OUT, null);
      }
    }, timeoutNanos);
  }

  @Override
  public void onEstablished(TcpConnection c) {
    if (done) {
      return;
    }
    exchange.traceTcpSend(c.localPort());
    unsent = DnsFramer.frame(wire);
    flush(c);
  }

  @Override
  public void onData(TcpConnection c, ByteBuf data) {
    try {
      framer.add(data);
    } finally {
      data.release();
    }
    byte[] m;
    while (!done && (m = framer.next()) != null) {
      if (exchange.onTcpMessage(this, m)) {
        end();
        c.close();
      }
    }
  }

  @Override
  public void onPeerFin(TcpConnection c) {
    if (!done) {
      c.close();
      fail(DnsReply.Failure.NETWORK, "the server closed the connection without answering",
          DnsEvent.TcpFailure.CLOSED_WITHOUT_ANSWER, null);
    }
  }

  @Override
  public void onWritable(TcpConnection c) {
    flush(c);
  }

  @Override
  public void onClosed(TcpConnection c, TcpError error) {
    releaseUnsent();
    if (!done) {
      fail(error == TcpError.REFUSED ? DnsReply.Failure.REFUSED
          : error == TcpError.TIMEOUT ? DnsReply.Failure.TIMEOUT : DnsReply.Failure.NETWORK,
          error == null ? "the server closed the connection without answering" : error.message(),
          error == null ? DnsEvent.TcpFailure.CLOSED_WITHOUT_ANSWER : DnsEvent.TcpFailure.CONNECTION_ERROR, error);
    }
  }

  private void flush(TcpConnection c) {
    if (unsent == null) {
      return;
    }
    c.write(unsent);
    if (!unsent.isReadable()) {
      releaseUnsent();
    }
  }

  /** {@code failure} and {@code detail} for the caller (as a socket reports it), {@code why} and {@code error} for the trace. */
  private void fail(DnsReply.Failure failure, String detail, DnsEvent.TcpFailure why, TcpError error) {
    end();
    exchange.onTcpFailure(this, failure, detail, why, error);
  }

  private void end() {
    done = true;
    if (timer != null) {
      timer.cancel();
    }
    releaseUnsent();
  }

  private void releaseUnsent() {
    if (unsent != null) {
      unsent.release();
      unsent = null;
    }
  }
}
