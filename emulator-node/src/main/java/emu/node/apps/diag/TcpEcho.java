package emu.node.apps.diag;

import emu.node.apps.ResolveThenRun;
import emu.node.apps.service.TcpEchoServer;
import emu.node.channel.EmuTransport;
import emu.node.names.Hosts;
import emu.node.names.HostsResolver;
import emu.node.names.NameResolver;
import emu.node.shell.Args;
import emu.node.shell.Command;
import emu.node.shell.CommandIo;
import emu.node.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code tcpecho}: the echo service (RFC 862) over the emulated TCP, as Netty pipelines.
 * {@code tcpecho server [-p 7]} echoes in the background ({@link TcpEchoServer});
 * {@code tcpecho DEST [-p 7] TEXT...} sends the text and prints what comes back.
 */
public final class TcpEcho implements Command {
  public static final int DEFAULT_PORT = 7;

  private final EmuTransport transport;
  private final NameResolver resolver;
  private final TcpEchoServer server;

  /** {@code resolver} turns DEST into an address (hosts table, cache, DNS), asynchronously. */
  public TcpEcho(EmuTransport transport, NameResolver resolver) {
    this.transport = transport;
    this.resolver = resolver;
    this.server = new TcpEchoServer(transport);
  }

  /** Names resolve through the hosts table only. */
  public TcpEcho(EmuTransport transport, Hosts hosts) {
    this(transport, new HostsResolver(hosts));
  }

  @Override
  public String name() {
    return "tcpecho";
  }

  @Override
  public String summary() {
    return "tcpecho server [-p port] | tcpecho DEST [-p port] TEXT...";
  }

  @Override
  public void run(List<String> argv, CommandIo io) {
    Args a = Args.parse(argv, List.of("-p"), List.of("-h", "--help"));
    if (a.flag("-h") || a.flag("--help") || a.positional().isEmpty()) {
      io.out("usage: " + summary());
      io.exit(a.positional().isEmpty() && !a.flag("-h") && !a.flag("--help") ? 2 : 0);
      return;
    }
    int port = a.intValue("-p", DEFAULT_PORT, 1, 65535);
    if (a.positional().get(0).equals("server")) {
      server.start(port, io);
      return;
    }
    String dest = a.positional().get(0);
    ResolveThenRun.startAddress(resolver, dest, io, "tcpecho", 2, ip -> echo(dest, ip, port, a, io));
  }

  /** Sends the words after DEST to {@code ip} and prints what comes back. */
  private void echo(String dest, IpAddress ip, int port, Args a, CommandIo io) {
    byte[] text = (String.join(" ", a.positional().subList(1, a.positional().size())) + "\n")
        .getBytes(StandardCharsets.UTF_8);
    ByteBuf got = Unpooled.buffer(text.length);
    boolean[] done = new boolean[1];
    transport.tcpClient().handler(new ChannelInboundHandlerAdapter() {
      @Override
      public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(ctx.alloc().buffer(text.length).writeBytes(text));
      }

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        got.writeBytes(in, Math.min(in.readableBytes(), got.writableBytes()));
        in.release();
        if (got.readableBytes() == text.length && !done[0]) {
          done[0] = true;
          io.out(got.toString(StandardCharsets.UTF_8).stripTrailing());
          got.release();
          ctx.close();
          io.exit(0);
        }
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        if (!done[0]) {
          done[0] = true;
          got.release();
          io.out("tcpecho: connection closed before the echo came back");
          io.exit(1);
        }
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
      }
    }).connect(new InetSocketAddress(ip.toInet(), port)).addListener(f -> {
      if (!f.isSuccess() && !done[0]) {
        done[0] = true;
        got.release();
        io.out("tcpecho: connect to " + dest + " port " + port + " failed: " + f.cause().getMessage());
        io.exit(1);
      }
    });
  }
}
