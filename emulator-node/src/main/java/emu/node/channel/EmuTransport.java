package emu.node.channel;

import emu.link.time.TimeSource;
import emu.node.stack.NetworkStack;
import emu.node.tcp.TcpLayer;
import emu.node.trace.Tracer;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.EventLoop;

/**
 * A node's network as its applications see it: Netty bootstraps whose channels are the emulated
 * stack's sockets (the same code that would run on real sockets, on the node's one event loop),
 * and, for services that speak to the layers directly (DNS over the stack's UDP and TCP), the
 * IPv4 stack, TCP and the node's tracer.
 */
public final class EmuTransport {
  private final EventLoop loop;
  private final NetworkStack stack;
  private final TcpLayer tcp;
  private final Tracer tracer;

  public EmuTransport(EventLoop loop, NetworkStack stack, TcpLayer tcp, Tracer tracer) {
    this.loop = loop;
    this.stack = stack;
    this.tcp = tcp;
    this.tracer = tracer;
  }

  /** A client bootstrap for TCP connections from this node. */
  public Bootstrap tcpClient() {
    return new Bootstrap().group(loop).channelFactory(() -> new EmuSocketChannel(loop, tcp));
  }

  /** A server bootstrap for TCP listeners on this node. */
  public ServerBootstrap tcpServer() {
    return new ServerBootstrap().group(loop, loop).channelFactory(() -> new EmuServerSocketChannel(loop, tcp));
  }

  /**
   * A bootstrap for UDP sockets on this node: bound to an IPv4 address (or 0.0.0.0) a socket
   * speaks IPv4, bound to an IPv6 one (or ::) IPv6, as a Linux socket with IPV6_V6ONLY does.
   */
  public Bootstrap udp() {
    return new Bootstrap().group(loop).channelFactory(() -> new EmuDatagramChannel(loop, stack, tcp.ipv6()));
  }

  public EventLoop loop() {
    return loop;
  }

  public NetworkStack stack() {
    return stack;
  }

  public TcpLayer tcp() {
    return tcp;
  }

  public Tracer tracer() {
    return tracer;
  }

  public TimeSource time() {
    return stack.time();
  }
}
