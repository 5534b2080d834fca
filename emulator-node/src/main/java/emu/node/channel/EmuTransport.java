package emu.node.channel;

import emu.node.stack.NetworkStack;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.EventLoop;

/**
 * Bootstraps for applications on a node: the same Netty code that would run on real sockets,
 * with the channels of the emulated stack and the node's one event loop.
 */
public final class EmuTransport {
  private final EventLoop loop;
  private final NetworkStack stack;

  public EmuTransport(EventLoop loop, NetworkStack stack) {
    this.loop = loop;
    this.stack = stack;
  }

  /** A client bootstrap for TCP connections from this node. */
  public Bootstrap tcpClient() {
    return new Bootstrap().group(loop).channelFactory(() -> new EmuSocketChannel(loop, stack));
  }

  /** A server bootstrap for TCP listeners on this node. */
  public ServerBootstrap tcpServer() {
    return new ServerBootstrap().group(loop, loop).channelFactory(() -> new EmuServerSocketChannel(loop, stack));
  }

  /** A bootstrap for UDP sockets on this node. */
  public Bootstrap udp() {
    return new Bootstrap().group(loop).channelFactory(() -> new EmuDatagramChannel(loop, stack));
  }

  public EventLoop loop() {
    return loop;
  }

  public NetworkStack stack() {
    return stack;
  }
}
