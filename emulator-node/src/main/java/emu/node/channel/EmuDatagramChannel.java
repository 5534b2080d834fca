package emu.node.channel;

import emu.node.ipv6.Ipv6Layer;
import emu.node.stack.NetworkStack;
import emu.node.stack.SendResult;
import emu.node.wire.IpAddress;
import emu.node.wire.Ipv6Address;
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
 * datagram out of the frame it came in. Bound to an IPv4 address (or 0.0.0.0, or nothing) it
 * speaks IPv4; bound to an IPv6 address (or ::) IPv6, as a Linux socket with IPV6_V6ONLY does
 * (emu's UDP has a port space per family). Connecting an unbound socket binds it in the family
 * of the peer.
 */
public final class EmuDatagramChannel extends AbstractChannel {
  private static final ChannelMetadata METADATA = new ChannelMetadata(true, 16);

  private final EventLoop home;
  private final NetworkStack stack;
  /** The node's IPv6, or null on an IPv4-only node. */
  private final Ipv6Layer ipv6;
  private final DefaultChannelConfig config = new DefaultChannelConfig(this);
  private boolean open = true;
  /** Bound in IPv6 (to {@link #localIp6}, null for ::), else IPv4 (to {@link #localIp}). */
  private boolean v6;
  private Ipv6Address localIp6;
  private int localIp;
  private int localPort;
  private InetSocketAddress connected;
  private boolean reading;

  public EmuDatagramChannel(EventLoop loop, NetworkStack stack, Ipv6Layer ipv6) {
    super(null);
    this.home = loop;
    this.stack = stack;
    this.ipv6 = ipv6;
  }

  /** A socket of an IPv4-only node. */
  public EmuDatagramChannel(EventLoop loop, NetworkStack stack) {
    this(loop, stack, null);
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
    if (localPort == 0) {
      return null;
    }
    return v6 ? Addresses.of(localIp6 == null ? IpAddress.ANY6 : IpAddress.of(localIp6), localPort)
        : Addresses.of(localIp, localPort);
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
          boolean toV6 = !Addresses.address(remote).isV4();
          if (localPort == 0) {
            doBind(local != null ? local : toV6 ? new InetSocketAddress(IpAddress.ANY6.toInet(), 0)
                : new InetSocketAddress(0));
          }
          if (toV6 != v6) {
            throw new IllegalArgumentException("this socket speaks IPv" + (v6 ? "6" : "4") + " only: " + remote);
          }
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
    IpAddress a = Addresses.address(local);
    if (a.isV4()) {
      int port = stack.udp().bind(Addresses.port(local), this::received);
      if (port < 0) {
        throw new java.net.BindException("Address already in use: " + local);
      }
      localIp = a.v4();
      localPort = port;
      return;
    }
    if (ipv6 == null) {
      throw new java.net.BindException("Address family not supported (the node has no IPv6): " + local);
    }
    Ipv6Address ip = a.isAny() ? null : a.v6();
    if (ip != null && ipv6.localAddress(ip) == null) {
      throw new java.net.BindException("Cannot assign requested address: " + local);
    }
    int port = ipv6.udp().bind(Addresses.port(local), this::received6);
    if (port < 0) {
      throw new java.net.BindException("Address already in use: " + local);
    }
    v6 = true;
    localIp6 = ip;
    localPort = port;
  }

  private void received6(Ipv6Address src, int srcPort, Ipv6Address dst, int dstPort, ByteBuf payload) {
    if (localIp6 != null && !localIp6.equals(dst)) {
      return; // bound to one address: datagrams to the node's others are not this socket's
    }
    deliver(Addresses.of(IpAddress.of(src), srcPort), Addresses.of(IpAddress.of(dst), dstPort), payload);
  }

  private void received(int srcIp, int srcPort, int dstIp, int dstPort, ByteBuf payload) {
    deliver(Addresses.of(srcIp, srcPort), Addresses.of(dstIp, dstPort), payload);
  }

  private void deliver(InetSocketAddress sender, InetSocketAddress recipient, ByteBuf payload) {
    if (connected != null && !connected.equals(sender)) {
      return; // a connected UDP socket hears only its peer
    }
    if (!reading && !config.isAutoRead()) {
      return; // nobody is reading: the datagram is lost, as when a socket buffer is full
    }
    ByteBuf copy = alloc().buffer(payload.readableBytes());
    copy.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
    reading = false;
    pipeline().fireChannelRead(new DatagramPacket(copy, recipient, sender));
    pipeline().fireChannelReadComplete();
  }

  @Override
  protected void doDisconnect() {
    connected = null;
  }

  @Override
  protected void doClose() {
    if (open && localPort > 0) {
      if (v6) {
        ipv6.udp().unbind(localPort);
      } else {
        stack.udp().unbind(localPort);
      }
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
      SendResult r;
      IpAddress dst = Addresses.address(to);
      if (dst.isV4() != !v6) {
        out.release();
        in.remove(new IllegalArgumentException("this socket speaks IPv" + (v6 ? "6" : "4") + " only: " + to));
        continue;
      }
      r = v6 ? ipv6.udp().send(localIp6, localPort, dst.v6(), null, Addresses.port(to), 64, out)
          : stack.udp().send(localIp, localPort, dst.v4(), Addresses.port(to), 64, out);
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
