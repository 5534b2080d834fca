package emu.node.channel;

import emu.node.tcp.TcpConnection;
import emu.node.tcp.TcpError;
import emu.node.tcp.TcpEvents;
import emu.node.tcp.TcpLayer;
import emu.node.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.concurrent.TimeUnit;

/**
 * A TCP socket of the emulated stack as a Netty channel, so an application on a node is an
 * ordinary pipeline (codecs, SslHandler, HTTP). Modelled on Netty's LocalChannel, but with no
 * volatile fields or atomics: the channel, its connection and the whole stack live on the
 * node's one event loop.
 *
 * <p>Flow control maps onto TCP: while the channel does not read (autoRead off and no
 * {@code read()} pending) the connection keeps received bytes and its advertised window
 * shrinks; writes beyond the send buffer wait in Netty's outbound buffer (its water marks make
 * the channel unwritable) until the peer's ACKs make room.
 */
public final class EmuSocketChannel extends AbstractChannel implements DuplexChannel {
  private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);

  private enum State { OPEN, CONNECTING, ACTIVE, CLOSED }

  private final EventLoop home;
  private final TcpLayer tcp;
  private final EmuSocketChannelConfig config = new EmuSocketChannelConfig(this);
  private final Events events = new Events();
  private TcpConnection conn;
  private State state;
  private IpAddress bindIp = IpAddress.ANY4;
  private int bindPort;
  private ChannelPromise connectPromise;
  private ScheduledFuture<?> connectTimeout;
  private SocketAddress requestedRemote;
  private boolean inputShutdown;
  private boolean outputShutdown;
  private boolean readCompletePending;

  /** A client socket on the node whose event loop is {@code loop} and TCP {@code tcp}. */
  public EmuSocketChannel(EventLoop loop, TcpLayer tcp) {
    super(null);
    this.home = loop;
    this.tcp = tcp;
    this.state = State.OPEN;
  }

  /** An accepted connection (created by {@link EmuServerSocketChannel}). */
  EmuSocketChannel(EmuServerSocketChannel parent, EventLoop loop, TcpLayer tcp, TcpConnection c) {
    super(parent);
    this.home = loop;
    this.tcp = tcp;
    this.conn = c;
    this.state = State.ACTIVE;
    c.pauseReading(); // until the pipeline is registered and reads
    c.events(events);
  }

  TcpEvents events() {
    return events;
  }

  /** The TCP connection behind the channel (null before connect), e.g. for its {@code info()}. */
  public TcpConnection connection() {
    return conn;
  }

  @Override
  public EmuSocketChannelConfig config() {
    return config;
  }

  @Override
  public ChannelMetadata metadata() {
    return METADATA;
  }

  @Override
  public boolean isOpen() {
    return state != State.CLOSED;
  }

  @Override
  public boolean isActive() {
    return state == State.ACTIVE;
  }

  @Override
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) super.localAddress();
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return (InetSocketAddress) super.remoteAddress();
  }

  @Override
  protected boolean isCompatible(EventLoop loop) {
    return loop == home;
  }

  @Override
  protected SocketAddress localAddress0() {
    if (conn != null) {
      return Addresses.of(conn.local(), conn.localPort());
    }
    return bindPort > 0 || !bindIp.isAny() ? Addresses.of(bindIp, bindPort) : null;
  }

  @Override
  protected SocketAddress remoteAddress0() {
    return conn != null ? Addresses.of(conn.remote(), conn.remotePort()) : null;
  }

  @Override
  protected AbstractUnsafe newUnsafe() {
    return new Unsafe();
  }

  @Override
  protected void doBind(SocketAddress local) {
    // either family: the port is kept; the source address is the one the route gives (a node's
    // addresses are few, and emu's TCP picks the source by the destination, as Linux does for an
    // unbound socket)
    bindIp = Addresses.address(local);
    bindPort = Addresses.port(local);
  }

  @Override
  protected void doDisconnect() {
    doClose();
  }

  @Override
  protected void doClose() {
    State was = state;
    state = State.CLOSED;
    if (connectTimeout != null) {
      connectTimeout.cancel(false);
    }
    if (connectPromise != null) {
      connectPromise.tryFailure(new java.nio.channels.ClosedChannelException());
    }
    if (conn != null && was != State.CLOSED) {
      conn.events(Discard.INSTANCE);
      conn.close();
    }
  }

  @Override
  protected void doBeginRead() {
    if (conn != null && !inputShutdown) {
      conn.resumeReading();
    }
  }

  @Override
  protected void doWrite(ChannelOutboundBuffer in) throws Exception {
    if (outputShutdown && in.current() != null) {
      // As writing to a socket after shutdown(SHUT_WR): the write fails (EPIPE).
      throw new io.netty.channel.socket.ChannelOutputShutdownException("output was shut down");
    }
    for (;;) {
      Object msg = in.current();
      if (msg == null) {
        return;
      }
      ByteBuf b = (ByteBuf) msg;
      if (!b.isReadable()) {
        in.remove();
        continue;
      }
      int n = conn.write(b);
      if (n > 0) {
        in.progress(n);
      }
      if (b.isReadable()) {
        return; // send buffer full: onWritable() flushes again
      }
      in.remove();
    }
  }

  @Override
  protected Object filterOutboundMessage(Object msg) {
    if (msg instanceof ByteBuf) {
      return msg;
    }
    throw new UnsupportedOperationException("emulated TCP channels write ByteBuf, not "
        + msg.getClass().getName());
  }

  /** Pushes the config's TCP options down to the connection. */
  void applyOptions() {
    if (conn != null) {
      conn.noDelay(config.isTcpNoDelay());
      conn.keepAlive(config.isKeepAlive());
    }
  }

  // ---- DuplexChannel ----

  @Override
  public boolean isInputShutdown() {
    return inputShutdown || !isActive();
  }

  @Override
  public ChannelFuture shutdownInput() {
    return shutdownInput(newPromise());
  }

  @Override
  public ChannelFuture shutdownInput(ChannelPromise promise) {
    if (home.inEventLoop()) {
      inputShutdown = true;
      if (conn != null) {
        conn.pauseReading();
      }
      promise.setSuccess();
    } else {
      home.execute(() -> shutdownInput(promise));
    }
    return promise;
  }

  @Override
  public boolean isOutputShutdown() {
    return outputShutdown || !isActive();
  }

  @Override
  public ChannelFuture shutdownOutput() {
    return shutdownOutput(newPromise());
  }

  @Override
  public ChannelFuture shutdownOutput(ChannelPromise promise) {
    if (home.inEventLoop()) {
      if (conn == null || !isActive()) {
        promise.setFailure(new java.nio.channels.NotYetConnectedException());
        return promise;
      }
      flush(); // queued writes first, then the FIN
      outputShutdown = true;
      conn.shutdownOutput();
      promise.setSuccess();
    } else {
      home.execute(() -> shutdownOutput(promise));
    }
    return promise;
  }

  @Override
  public boolean isShutdown() {
    return isInputShutdown() && isOutputShutdown();
  }

  @Override
  public ChannelFuture shutdown() {
    return shutdown(newPromise());
  }

  @Override
  public ChannelFuture shutdown(ChannelPromise promise) {
    shutdownOutput().addListener(f -> shutdownInput(promise));
    return promise;
  }

  private final class Unsafe extends AbstractUnsafe {
    @Override
    public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
      if (!promise.setUncancellable() || !ensureOpen(promise)) {
        return;
      }
      if (state != State.OPEN) {
        promise.setFailure(new java.nio.channels.AlreadyConnectedException());
        return;
      }
      int port;
      IpAddress ip;
      try {
        if (local != null) {
          doBind(local);
        }
        ip = Addresses.address(remote);
        port = Addresses.port(remote);
      } catch (IllegalArgumentException e) {
        promise.setFailure(e);
        return;
      }
      requestedRemote = remote;
      connectPromise = promise;
      state = State.CONNECTING;
      conn = tcp.connect(ip, port, bindPort, events);
      conn.pauseReading();
      applyOptions();
      int timeout = config.getConnectTimeoutMillis();
      if (timeout > 0) {
        connectTimeout = home.schedule(() -> {
          if (state == State.CONNECTING && connectPromise != null) {
            ChannelPromise p = connectPromise;
            connectPromise = null;
            p.tryFailure(new ConnectTimeoutException("connection timed out after " + timeout + " ms: " + remote));
            conn.abort();
            unsafe().close(unsafe().voidPromise());
          }
        }, timeout, TimeUnit.MILLISECONDS);
      }
    }

    void flushNow() {
      flush0();
    }
  }

  private final class Events implements TcpEvents {
    @Override
    public void onEstablished(TcpConnection c) {
      if (state != State.CONNECTING) {
        return;
      }
      state = State.ACTIVE;
      if (connectTimeout != null) {
        connectTimeout.cancel(false);
      }
      ChannelPromise p = connectPromise;
      connectPromise = null;
      boolean promiseSet = p != null && p.trySuccess();
      pipeline().fireChannelActive();
      if (!promiseSet) {
        unsafe().close(unsafe().voidPromise());
      }
    }

    @Override
    public void onData(TcpConnection c, ByteBuf data) {
      if (state != State.ACTIVE || inputShutdown) {
        data.release();
        return;
      }
      pipeline().fireChannelRead(data);
      if (!readCompletePending) {
        readCompletePending = true;
        home.execute(() -> {
          readCompletePending = false;
          if (isActive()) {
            if (!config.isAutoRead() && conn != null) {
              // One read() is one batch, as with Netty's sockets; a handler that wants more
              // calls read() from channelReadComplete, which resumes reading.
              conn.pauseReading();
            }
            pipeline().fireChannelReadComplete();
          }
        });
      }
    }

    @Override
    public void onPeerFin(TcpConnection c) {
      if (state != State.ACTIVE) {
        return;
      }
      inputShutdown = true;
      if (config.isAllowHalfClosure()) {
        pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
      } else {
        unsafe().close(unsafe().voidPromise());
      }
    }

    @Override
    public void onWritable(TcpConnection c) {
      if (isActive()) {
        ((Unsafe) unsafe()).flushNow();
      }
    }

    @Override
    public void onClosed(TcpConnection c, TcpError error) {
      if (state == State.CLOSED) {
        return;
      }
      if (state == State.CONNECTING || connectPromise != null) {
        ChannelPromise p = connectPromise;
        connectPromise = null;
        if (p != null) {
          p.tryFailure(connectFailure(error));
        }
      } else if (error != null) {
        pipeline().fireExceptionCaught(failure(error));
      }
      unsafe().close(unsafe().voidPromise());
    }
  }

  private Throwable connectFailure(TcpError error) {
    // as users write the address: 10.0.0.2:80, [2001:db8::2]:80 (not InetSocketAddress's /2001:db8:0:0:...)
    String to = " to " + (requestedRemote instanceof InetSocketAddress a && a.getAddress() != null
        ? IpAddress.of(a.getAddress()).withPort(a.getPort()) : String.valueOf(requestedRemote));
    if (error == null) {
      return new ConnectException("connection closed before it was established" + to);
    }
    return switch (error) {
      case TIMEOUT -> new ConnectTimeoutException(error.message() + to);
      case NO_ROUTE, UNREACHABLE -> new NoRouteToHostException(error.message() + to);
      default -> new ConnectException(error.message() + to);
    };
  }

  private static IOException failure(TcpError error) {
    return new SocketException(error.message());
  }

  /**
   * Receives what a connection says after its channel has gone (or, in tests, on a connection
   * held open for its own sake): releases data, ignores the rest.
   */
  public enum Discard implements TcpEvents {
    INSTANCE;

    @Override
    public void onEstablished(TcpConnection c) {}

    @Override
    public void onData(TcpConnection c, ByteBuf data) {
      data.release();
    }

    @Override
    public void onPeerFin(TcpConnection c) {}

    @Override
    public void onWritable(TcpConnection c) {}

    @Override
    public void onClosed(TcpConnection c, TcpError error) {}
  }
}
