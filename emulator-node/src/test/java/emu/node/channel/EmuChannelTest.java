package emu.node.channel;

import emu.node.stack.StackObserver;
import emu.node.tcp.TcpObserver;
import emu.node.tcp.TcpSettings;
import emu.node.tcp.TcpLayer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.memory.MemoryLink;
import emu.link.time.EventLoopTime;
import emu.link.tunnel.Transports;
import emu.node.ipv6.Ipv6Layer;
import emu.node.ipv6.Ipv6Observer;
import emu.node.stack.NeighborCache;
import emu.node.stack.NetworkStack;
import emu.node.tcp.TcpState;
import emu.node.trace.Tracer;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import emu.node.wire.IpAddress;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Cidr;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The emulated stack as a Netty transport: ordinary pipelines (line codec, strings) over
 * emulated TCP and UDP between two hosts that share one real event loop, as a node's
 * applications do.
 */
class EmuChannelTest {
  EventLoopGroup group;
  EventLoop loop;
  EmuTransport a;
  EmuTransport b;
  MemoryLink wire;
  static final int A = Ipv4Address.parse("10.0.0.1");
  static final int B = Ipv4Address.parse("10.0.0.2");

  @BeforeEach
  void lab() throws Exception {
    group = Transports.singleThreadGroup();
    loop = group.next();
    loop.submit(() -> {
      EventLoopTime time = new EventLoopTime(loop);
      wire = new MemoryLink("a:eth0", "b:eth0", 1500, time, 200_000);
      NetworkStack sa = new NetworkStack("a", time, new SplittableRandom(1), StackObserver.OFF, PooledByteBufAllocator.DEFAULT,
          false, NeighborCache.Params.LINUX);
      sa.addNic("eth0", 0x020000000100L, Ipv4Cidr.parse("10.0.0.1/24"), wire.a());
      NetworkStack sb = new NetworkStack("b", time, new SplittableRandom(2), StackObserver.OFF, PooledByteBufAllocator.DEFAULT,
          false, NeighborCache.Params.LINUX);
      sb.addNic("eth0", 0x020000000200L, Ipv4Cidr.parse("10.0.0.2/24"), wire.b());
      a = new EmuTransport(loop, sa, new TcpLayer(sa, TcpObserver.OFF), Tracer.OFF);
      b = new EmuTransport(loop, sb, new TcpLayer(sb, TcpObserver.OFF), Tracer.OFF);
    }).get(5, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    // Tear down like a node does: connections aborted (their buffers freed), the wire emptied.
    loop.submit(() -> {
      for (EmuTransport t : new EmuTransport[] {a, b}) {
        for (var c : t.tcp().connections()) {
          c.abort();
        }
      }
    }).get(5, TimeUnit.SECONDS);
    Thread.sleep(100);
    loop.submit(() -> wire.close()).get(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  private static InetSocketAddress at(int ip, int port) {
    return new InetSocketAddress(Ipv4Address.toInet(ip), port);
  }

  @Test
  void lineProtocolOverEmulatedTcp() throws Exception {
    Channel server = b.tcpServer().childHandler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline().addLast(new LineBasedFrameDecoder(1024), new StringDecoder(StandardCharsets.UTF_8),
            new StringEncoder(StandardCharsets.UTF_8), new SimpleChannelInboundHandler<String>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, String line) {
                ctx.writeAndFlush(line.toUpperCase() + "\n");
              }
            });
      }
    }).bind(new InetSocketAddress(7000)).sync().channel();
    assertInstanceOf(EmuServerSocketChannel.class, server);
    CompletableFuture<String> reply = new CompletableFuture<>();
    Channel client = a.tcpClient().option(ChannelOption.TCP_NODELAY, true).handler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline().addLast(new LineBasedFrameDecoder(1024), new StringDecoder(StandardCharsets.UTF_8),
            new StringEncoder(StandardCharsets.UTF_8), new SimpleChannelInboundHandler<String>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, String line) {
                reply.complete(line);
              }
            });
      }
    }).connect(at(B, 7000)).sync().channel();
    assertEquals(at(B, 7000), client.remoteAddress());
    assertEquals(Ipv4Address.toInet(A), ((InetSocketAddress) client.localAddress()).getAddress());
    client.writeAndFlush("hello over the emulated network\n");
    assertEquals("HELLO OVER THE EMULATED NETWORK", reply.get(10, TimeUnit.SECONDS));
    EmuSocketChannel c = (EmuSocketChannel) client;
    assertEquals(TcpState.ESTABLISHED, loop.submit(() -> c.connection().state()).get());
    client.close().sync();
    server.close().sync();
  }

  @Test
  void closedPortRefusesTheConnection() throws Exception {
    var f = a.tcpClient().handler(new ChannelInboundHandlerAdapter()).connect(at(B, 9)).await();
    assertTrue(f.cause() instanceof ConnectException, String.valueOf(f.cause()));
    assertTrue(f.cause().getMessage().contains("Connection refused"), f.cause().getMessage());
  }

  @Test
  void slowReaderGetsEverythingAfterAZeroWindow() throws Exception {
    // a 1 MiB receive buffer (the default is 4 MiB) and 3 MiB to send: the window must close
    loop.submit(() -> b.tcp().settings(b.tcp().settings().withBuffers(4 * TcpSettings.MIB, TcpSettings.MIB))).get();
    int total = 3 << 20;
    CompletableFuture<Channel> accepted = new CompletableFuture<>();
    long[] received = new long[1];
    CompletableFuture<Long> done = new CompletableFuture<>();
    b.tcpServer().childOption(ChannelOption.AUTO_READ, false).childHandler(new ChannelInboundHandlerAdapter() {
      @Override
      public void channelActive(ChannelHandlerContext ctx) {
        accepted.complete(ctx.channel());
      }

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        received[0] += ((ByteBuf) msg).readableBytes();
        ((ByteBuf) msg).release();
        if (received[0] == total) {
          done.complete(received[0]);
        }
      }

      @Override
      public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.read();
      }
    }).bind(new InetSocketAddress(7001)).sync();
    Channel client = a.tcpClient().handler(new ChannelInboundHandlerAdapter()).connect(at(B, 7001)).sync().channel();
    byte[] chunk = new byte[64 * 1024];
    for (int sent = 0; sent < total; sent += chunk.length) {
      client.write(Unpooled.wrappedBuffer(chunk));
    }
    client.flush();
    Channel server = accepted.get(10, TimeUnit.SECONDS);
    // Nobody reads yet: after a while the receiver's window is zero and the sender holds data.
    Thread.sleep(1500);
    EmuSocketChannel sender = (EmuSocketChannel) client;
    var info = loop.submit(() -> sender.connection().info()).get();
    assertTrue(info.sendQ() > 0, "the sender still holds data: " + info.ssLine());
    assertEquals(0L, received[0]);
    server.read(); // the reader wakes up and reads to the end
    assertEquals(total, done.get(60, TimeUnit.SECONDS));
  }

  @Test
  void halfCloseIsAnInputShutdownEvent() throws Exception {
    CompletableFuture<Object> event = new CompletableFuture<>();
    b.tcpServer().childOption(ChannelOption.ALLOW_HALF_CLOSURE, true).childHandler(new ChannelInboundHandlerAdapter() {
      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
          event.complete(evt);
          ctx.writeAndFlush(Unpooled.copiedBuffer("bye\n", StandardCharsets.UTF_8));
        }
      }
    }).bind(new InetSocketAddress(7002)).sync();
    CompletableFuture<String> last = new CompletableFuture<>();
    EmuSocketChannel client = (EmuSocketChannel) a.tcpClient().option(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .handler(new SimpleChannelInboundHandler<ByteBuf>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            last.complete(msg.toString(StandardCharsets.UTF_8));
          }
        }).connect(at(B, 7002)).sync().channel();
    client.shutdownOutput().sync();
    assertEquals(ChannelInputShutdownEvent.INSTANCE, event.get(10, TimeUnit.SECONDS));
    assertEquals("bye\n", last.get(10, TimeUnit.SECONDS), "the other direction still works");
    client.close().sync();
  }

  @Test
  void datagramsBothWays() throws Exception {
    b.udp().handler(new SimpleChannelInboundHandler<DatagramPacket>() {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
        ctx.writeAndFlush(new DatagramPacket(p.content().retainedDuplicate(), p.sender()));
      }
    }).bind(new InetSocketAddress(5353)).sync();
    CompletableFuture<String> got = new CompletableFuture<>();
    Channel ch = a.udp().handler(new SimpleChannelInboundHandler<DatagramPacket>() {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
        got.complete(p.content().toString(StandardCharsets.UTF_8) + " from " + p.sender());
      }
    }).bind(new InetSocketAddress(0)).sync().channel();
    ch.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer("ping", StandardCharsets.UTF_8), at(B, 5353)));
    assertEquals("ping from " + at(B, 5353), got.get(10, TimeUnit.SECONDS));
  }

  /** IPv6 on both nodes (2001:db8::1 and ::2), once duplicate address detection has passed. */
  private void ipv6OnBoth() throws Exception {
    loop.submit(() -> {
      int i = 1;
      for (EmuTransport t : new EmuTransport[] {a, b}) {
        Ipv6Layer v6 = new Ipv6Layer(t.stack(), Ipv6Observer.OFF);
        t.tcp().attach(v6);
        v6.enable(t.stack().nics().get(0), List.of(Ipv6Cidr.parse("2001:db8::" + i++ + "/64")), false);
        v6.start();
      }
    }).get(5, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    // localAddress answers once an address is usable
    while (!loop.submit(() -> a.tcp().ipv6().localAddress(Ipv6Address.parse("2001:db8::1")) != null
        && b.tcp().ipv6().localAddress(Ipv6Address.parse("2001:db8::2")) != null).get()) {
      assertTrue(System.nanoTime() < deadline, "duplicate address detection did not end");
      Thread.sleep(50);
    }
  }

  private static InetSocketAddress at6(String ip, int port) {
    return new InetSocketAddress(IpAddress.parse(ip).toInet(), port);
  }

  @Test
  void datagramsAndStreamsOverIpv6() throws Exception {
    ipv6OnBoth();
    // a UDP socket on :: answers over IPv6; one on 0.0.0.0 of the same port is another socket
    b.udp().handler(new SimpleChannelInboundHandler<DatagramPacket>() {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
        ctx.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer("v6 " + p.recipient(), StandardCharsets.UTF_8),
            p.sender()));
      }
    }).bind(at6("::", 5353)).sync();
    b.udp().handler(new SimpleChannelInboundHandler<DatagramPacket>() {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
        ctx.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer("v4", StandardCharsets.UTF_8), p.sender()));
      }
    }).bind(new InetSocketAddress(5353)).sync();
    CompletableFuture<String> got = new CompletableFuture<>();
    Channel ch = a.udp().handler(new SimpleChannelInboundHandler<DatagramPacket>() {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
        got.complete(p.content().toString(StandardCharsets.UTF_8) + " from " + p.sender());
      }
    }).bind(at6("::", 0)).sync().channel();
    assertTrue(((InetSocketAddress) ch.localAddress()).getAddress() instanceof java.net.Inet6Address);
    ch.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer("ping", StandardCharsets.UTF_8),
        at6("2001:db8::2", 5353))).sync();
    assertEquals("v6 " + at6("2001:db8::2", 5353) + " from " + at6("2001:db8::2", 5353), got.get(10, TimeUnit.SECONDS));
    // the IPv6 socket refuses an IPv4 peer, as one with IPV6_V6ONLY does
    Throwable wrongFamily = ch.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer("x", StandardCharsets.UTF_8),
        at(B, 5353))).await().cause();
    assertInstanceOf(IllegalArgumentException.class, wrongFamily);
    // an address the node does not have cannot be bound
    Throwable notMine = a.udp().handler(new ChannelInboundHandlerAdapter()).bind(at6("2001:db8::99", 0)).await().cause();
    assertInstanceOf(java.net.BindException.class, notMine);

    // TCP: a client bound to its IPv6 address connects to a server on ::
    b.tcpServer().childHandler(new ChannelInitializer<EmuSocketChannel>() {
      @Override
      protected void initChannel(EmuSocketChannel c) {
        c.pipeline().addLast(new LineBasedFrameDecoder(100), new StringDecoder(), new StringEncoder(),
            new SimpleChannelInboundHandler<String>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, String line) {
                ctx.writeAndFlush(line + " from " + ctx.channel().remoteAddress() + "\n");
              }
            });
      }
    }).bind(at6("::", 7006)).sync();
    CompletableFuture<String> echoed = new CompletableFuture<>();
    Channel client = a.tcpClient().handler(new ChannelInitializer<EmuSocketChannel>() {
      @Override
      protected void initChannel(EmuSocketChannel c) {
        c.pipeline().addLast(new LineBasedFrameDecoder(200), new StringDecoder(), new StringEncoder(),
            new SimpleChannelInboundHandler<String>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, String line) {
                echoed.complete(line);
              }
            });
      }
    }).connect(at6("2001:db8::2", 7006), at6("2001:db8::1", 0)).sync().channel();
    client.writeAndFlush("hello\n");
    assertTrue(echoed.get(10, TimeUnit.SECONDS).startsWith("hello from /[2001:db8:0:0:0:0:0:1]:"),
        echoed.getNow(""));
    client.close().sync();
  }

  @Test
  void peerCloseEndsTheChannelWithoutHalfClosure() throws Exception {
    b.tcpServer().childHandler(new ChannelInboundHandlerAdapter() {
      @Override
      public void channelActive(ChannelHandlerContext ctx) {
        ctx.close(); // the server hangs up at once
      }
    }).bind(new InetSocketAddress(7003)).sync();
    CompletableFuture<Boolean> inactive = new CompletableFuture<>();
    a.tcpClient().handler(new ChannelInboundHandlerAdapter() {
      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        inactive.complete(true);
      }
    }).connect(at(B, 7003)).sync();
    assertTrue(inactive.get(10, TimeUnit.SECONDS), "the peer's FIN closes a channel that does not allow half-closure");
  }
}
