package emu.node.channel;

import emu.node.tcp.TcpLayer;
import emu.node.tcp.TcpConnection;
import emu.node.tcp.TcpEvents;
import emu.node.tcp.TcpListenSocket;
import io.netty.channel.AbstractServerChannel;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;

/**
 * A listening TCP port of the emulated stack as a Netty server channel: each connection that
 * completes its handshake becomes a child {@link EmuSocketChannel}, handed to the pipeline
 * (and so to ServerBootstrap's child handler) like any accepted socket. {@code SO_BACKLOG}
 * bounds half-open connections; beyond it new SYNs are dropped and the peer retries.
 */
public final class EmuServerSocketChannel extends AbstractServerChannel {
  private final EventLoop home;
  private final TcpLayer tcp;
  private final Config config = new Config(this);
  private TcpListenSocket listen;
  private boolean open = true;

  public EmuServerSocketChannel(EventLoop loop, TcpLayer tcp) {
    this.home = loop;
    this.tcp = tcp;
  }

  @Override
  public DefaultChannelConfig config() {
    return config;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public boolean isActive() {
    return open && listen != null;
  }

  @Override
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) super.localAddress();
  }

  @Override
  protected boolean isCompatible(EventLoop loop) {
    return loop == home;
  }

  @Override
  protected SocketAddress localAddress0() {
    return listen == null ? null : Addresses.of(listen.local(), listen.port());
  }

  @Override
  protected void doBind(SocketAddress local) throws Exception {
    try {
      listen = tcp.listen(Addresses.address(local), Addresses.port(local), config.backlog, this::accept);
    } catch (IllegalStateException e) {
      throw new BindException(e.getMessage() + ": " + local);
    }
  }

  private TcpEvents accept(TcpConnection c) {
    EmuSocketChannel child = new EmuSocketChannel(this, home, tcp, c);
    pipeline().fireChannelRead(child);
    pipeline().fireChannelReadComplete();
    return child.events();
  }

  @Override
  protected void doClose() {
    open = false;
    if (listen != null) {
      listen.close();
    }
  }

  @Override
  protected void doBeginRead() {
    // Connections are handed over as their handshakes complete.
  }

  /** Netty's options plus SO_BACKLOG. */
  private static final class Config extends DefaultChannelConfig {
    private volatile int backlog = 128;

    Config(EmuServerSocketChannel channel) {
      super(channel);
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
      return getOptions(super.getOptions(), ChannelOption.SO_BACKLOG);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(ChannelOption<T> option) {
      return option == ChannelOption.SO_BACKLOG ? (T) Integer.valueOf(backlog) : super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
      validate(option, value);
      if (option == ChannelOption.SO_BACKLOG) {
        backlog = (Integer) value;
        return true;
      }
      return super.setOption(option, value);
    }
  }
}
