package emu.link.tunnel;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Picks Netty's native epoll transport on Linux and NIO elsewhere (or when
 * {@code -Demu.transport=nio} asks for it), so one node runs the same code everywhere.
 */
public final class Transports {
  private Transports() {}

  public static boolean epoll() {
    return !"nio".equals(System.getProperty("emu.transport")) && Epoll.isAvailable();
  }

  public static String name() {
    return epoll() ? "epoll" : "nio";
  }

  /** One event loop thread: one node is owned by one thread. */
  public static EventLoopGroup singleThreadGroup() {
    IoHandlerFactory factory = epoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(1, factory);
  }

  /**
   * One event loop thread named {@code name}: where one JVM hosts several nodes, a thread dump
   * or a CPU profile says which node's loop is which.
   */
  public static EventLoopGroup singleThreadGroup(String name) {
    IoHandlerFactory factory = epoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(name), factory);
  }

  public static Class<? extends DatagramChannel> datagramChannel() {
    return epoll() ? EpollDatagramChannel.class : NioDatagramChannel.class;
  }

  public static Class<? extends ServerSocketChannel> serverSocketChannel() {
    return epoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  /** Linux's EADDRINUSE, as the epoll transport reports it (negated); it runs on Linux only. */
  private static final int EADDRINUSE_NEGATIVE = -98;

  /**
   * True if a bind failed because the address and port are taken: NIO says so with a
   * {@link java.net.BindException}, the epoll transport with the errno in its own exception.
   */
  public static boolean addressInUse(Throwable bindFailure) {
    return bindFailure instanceof java.net.BindException
        || bindFailure instanceof io.netty.channel.unix.Errors.NativeIoException n
            && n.expectedErr() == EADDRINUSE_NEGATIVE;
  }
}
