package emu.node.apps.service;

import emu.node.channel.EmuTransport;
import emu.node.shell.CommandIo;
import emu.node.wire.IpAddress;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import java.net.InetSocketAddress;

/**
 * {@code tcpecho server}: the echo service (RFC 862) over the emulated TCP, a Netty pipeline
 * that writes back whatever it reads. Listens in the background until the node stops; one per
 * node.
 */
public final class TcpEchoServer {
  private final EmuTransport transport;
  private Channel server;

  public TcpEchoServer(EmuTransport transport) {
    this.transport = transport;
  }

  /** Listens on {@code port}, or says it already does; reports on {@code io} and exits. */
  public void start(int port, CommandIo io) {
    if (server != null && server.isActive()) {
      io.out("tcpecho server already listening on port " + port);
      io.exit(0);
      return;
    }
    transport.tcpServer().childHandler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
          }

          @Override
          public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
          }

          @Override
          public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
          }
        });
      }
    }).bind(new InetSocketAddress(IpAddress.ANY6.toInet(), port)).addListener(f -> {
      if (f.isSuccess()) {
        server = ((ChannelFuture) f).channel();
        io.out("tcpecho server listening on TCP port " + port);
        io.exit(0);
      } else {
        io.out("tcpecho: cannot listen on port " + port + ": " + f.cause().getMessage());
        io.exit(1);
      }
    });
  }
}
