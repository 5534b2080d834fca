package emu.node.apps.service;

import emu.node.channel.EmuTransport;
import emu.node.shell.CommandIo;
import emu.node.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import java.net.InetSocketAddress;
import java.security.MessageDigest;

/**
 * {@code bulk server}: the receiving end of {@code bulk client}'s transfers ({@link BulkProtocol}),
 * a Netty server over the emulated TCP that listens in the background until the node stops or
 * {@code bulk server --stop}. One per node; starting it again while it listens says so.
 */
public final class BulkServer {
  private final EmuTransport transport;
  private Channel server;

  public BulkServer(EmuTransport transport) {
    this.transport = transport;
  }

  /** Listens on {@code port}, or says it already does; reports on {@code io} and exits. */
  public void start(int port, CommandIo io) {
    if (server != null && server.isActive()) {
      io.out("bulk server already listening on " + server.localAddress());
      io.exit(0);
      return;
    }
    transport.tcpServer().childHandler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline().addLast(new ServerHandler());
      }
    }).bind(new InetSocketAddress(IpAddress.ANY6.toInet(), port)).addListener(f -> {
      if (f.isSuccess()) {
        server = ((ChannelFuture) f).channel();
        io.out("bulk server listening on TCP port " + port + " (runs until the node stops)");
        io.exit(0);
      } else {
        io.out("bulk: cannot listen on port " + port + ": " + f.cause().getMessage());
        io.exit(1);
      }
    });
  }

  /** Stops listening, if it does; reports on {@code io} and exits 0. */
  public void stop(CommandIo io) {
    if (server != null) {
      server.close();
      server = null;
      io.out("bulk server stopped");
    }
    io.exit(0);
  }

  /** Reads the 8-byte length, then that many bytes, hashing them if asked; answers with the digest. */
  private static final class ServerHandler extends ChannelInboundHandlerAdapter {
    private final MessageDigest sha = BulkProtocol.sha256();
    private final ByteBuf header = Unpooled.buffer(BulkProtocol.HEADER_BYTES);
    private long expected = -1;
    private long received;
    private boolean verify;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      try {
        if (expected < 0) {
          int take = Math.min(BulkProtocol.HEADER_BYTES - header.readableBytes(), in.readableBytes());
          in.readBytes(header, take);
          if (header.readableBytes() < BulkProtocol.HEADER_BYTES) {
            return;
          }
          long h = header.readLong();
          verify = (h & BulkProtocol.VERIFY_BIT) != 0;
          expected = h & ~BulkProtocol.VERIFY_BIT;
        }
        int n = (int) Math.min(in.readableBytes(), expected - received);
        if (verify) {
          sha.update(in.nioBuffer(in.readerIndex(), n));
        }
        received += n;
        if (received == expected) {
          ByteBuf digest = ctx.alloc().buffer(BulkProtocol.DIGEST_BYTES)
              .writeBytes(verify ? sha.digest() : new byte[BulkProtocol.DIGEST_BYTES]);
          ctx.writeAndFlush(digest).addListener(ChannelFutureListener.CLOSE);
          expected = Long.MAX_VALUE; // ignore anything after
        }
      } finally {
        in.release();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      header.release();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
