package emu.node.channel;

import emu.node.stack.NetworkStack;
import emu.node.stack.SendResult;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;

/**
 * A UDP socket of the emulated stack as a Netty channel: it reads and writes Netty
 * {@link DatagramPacket}s (or plain ByteBufs once connected to one peer). Each read copies the
 * datagram out of the frame it came in.
 */
public final class EmuDatagramChannel extends AbstractChannel {
  private static final ChannelMetadata METADATA = new ChannelMetadata(true, 16);

  private final EventLoop home;
  private final NetworkStack stack;
  private final DefaultChannelConfig config = new DefaultChannelConfig(this);
  private boolean open = true;
  private int localIp;
  private int localPort;
  private InetSocketAddress connected;
  private boolean reading;

  public EmuDatagramChannel(EventLoop loop, NetworkStack stack) {
    super(null);
    this.home = loop;
    this.stack = stack;
  }

  @Override
  public DefaultChannelConfig config() {
    return config;
  }

  @Override
  public ChannelMetadata metadata() {
    return METADATA;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public boolean isActive() {
    return open && localPort > 0;
  }

  @Override
  protected boolean isCompatible(EventLoop loop) {
    return loop == home;
  }

  @Override
  protected SocketAddress localAddress0() {
    return localPort > 0 ? Addresses.of(localIp, localPort) : null;
  }

  @Override
  protected SocketAddress remoteAddress0() {
    return connected;
  }

  @Override
  protected AbstractUnsafe newUnsafe() {
    return new AbstractUnsafe() {
      @Override
      public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
        if (!promise.setUncancellable() || !ensureOpen(promise)) {
          return;
        }
        try {
          boolean wasActive = isActive();
          if (localPort == 0) {
            doBind(local != null ? local : new InetSocketAddress(0));
          }
          Addresses.ip(remote);
          connected = (InetSocketAddress) remote;
          promise.setSuccess();
          if (!wasActive && isActive()) {
            pipeline().fireChannelActive();
          }
        } catch (Exception e) {
          promise.setFailure(e);
        }
      }
    };
  }

  @Override
  protected void doBind(SocketAddress local) throws Exception {
    int ip = Addresses.ip(local);
    int port = stack.udp().bind(Addresses.port(local), this::received);
    if (port < 0) {
      throw new java.net.BindException("Address already in use: " + local);
    }
    localIp = ip;
    localPort = port;
  }

  private void received(int srcIp, int srcPort, int dstIp, int dstPort, ByteBuf payload) {
    InetSocketAddress sender = Addresses.of(srcIp, srcPort);
    if (connected != null && !connected.equals(sender)) {
      return; // a connected UDP socket hears only its peer
    }
    if (!reading && !config.isAutoRead()) {
      return; // nobody is reading: the datagram is lost, as when a socket buffer is full
    }
    ByteBuf copy = alloc().buffer(payload.readableBytes());
    copy.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
    reading = false;
    pipeline().fireChannelRead(new DatagramPacket(copy, Addresses.of(dstIp, dstPort), sender));
    pipeline().fireChannelReadComplete();
  }

  @Override
  protected void doDisconnect() {
    connected = null;
  }

  @Override
  protected void doClose() {
    if (open && localPort > 0) {
      stack.udp().unbind(localPort);
    }
    open = false;
  }

  @Override
  protected void doBeginRead() {
    reading = true;
  }

  @Override
  protected void doWrite(ChannelOutboundBuffer in) throws Exception {
    for (;;) {
      Object msg = in.current();
      if (msg == null) {
        return;
      }
      ByteBuf data;
      InetSocketAddress to;
      if (msg instanceof DatagramPacket p) {
        data = p.content();
        to = p.recipient();
      } else {
        data = (ByteBuf) msg;
        to = connected;
      }
      int len = data.readableBytes();
      ByteBuf out = stack.allocate(len);
      out.writeBytes(data, data.readerIndex(), len);
      SendResult r = stack.udp().send(localIp, localPort, Addresses.ip(to), Addresses.port(to), 64, out);
      if (r == SendResult.SENT) {
        in.remove();
      } else {
        in.remove(new PortUnreachableException(r.message() + ": " + to));
      }
    }
  }

  @Override
  protected Object filterOutboundMessage(Object msg) {
    if (msg instanceof DatagramPacket p) {
      if (p.recipient() == null) {
        throw new IllegalArgumentException("a DatagramPacket needs a recipient");
      }
      return msg;
    }
    if (msg instanceof ByteBuf && connected != null) {
      return msg;
    }
    throw new UnsupportedOperationException("write DatagramPacket (or ByteBuf once connected), not "
        + msg.getClass().getName());
  }
}
