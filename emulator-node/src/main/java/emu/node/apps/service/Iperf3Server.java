package emu.node.apps.service;

import com.fasterxml.jackson.databind.JsonNode;
import emu.link.time.TimeSource;
import emu.node.channel.EmuTransport;
import emu.node.shell.CommandIo;
import emu.node.stack.NetworkStack;
import emu.node.stack.SendResult;
import emu.node.wire.IpAddress;
import emu.node.wire.Ipv4Address;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.util.collection.LongObjectHashMap;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code iperf3 -s}: an iperf3 server on the node's TCP and UDP that real iperf3 clients (and
 * emu's own) measure against, speaking {@link Iperf3Protocol}. It listens in the background
 * until the node stops ({@code -1}: after one test; {@code iperf3 -s --stop} ends it), runs one
 * test at a time as iperf3 does (a client that comes while one runs is told ACCESS_DENIED), and
 * never waits for a client without a limit: the cookie, the parameters, the results and the
 * last word each have {@link #ANSWER_NANOS}, a test with a duration ends by itself 10 s after
 * it should have, and one counted in bytes when nothing has moved for 30 s.
 */
public final class Iperf3Server {
  /** How long the server waits for each of the client's messages on the control connection. */
  public static final long ANSWER_NANOS = 10_000_000_000L;
  private static final long STALL_NANOS = 30_000_000_000L;
  private static final int IEUNIMP = 13;
  private static final int IEMESSAGE = 110;
  private static final int IESTREAMLISTEN = 202;
  private static final int EADDRINUSE = 98;

  private final EmuTransport transport;
  private final NetworkStack stack;
  private final TimeSource time;
  private Channel server;
  private int port;
  private boolean oneOff;
  private Test test;
  private int tests;
  private String last;

  public Iperf3Server(EmuTransport transport) {
    this.transport = transport;
    this.stack = transport.stack();
    this.time = transport.time();
  }

  /** Listens on {@code port}, or says it already does (and how the last test went); exits. */
  public void start(int port, boolean oneOff, CommandIo io) {
    if (server != null && server.isActive()) {
      io.out("iperf3 server already listening on port " + this.port + "; " + tests(tests) + " so far"
          + (last == null ? "" : "; the last: " + last));
      io.exit(0);
      return;
    }
    transport.tcpServer().childHandler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline().addLast(new Conn());
      }
    }).bind(new InetSocketAddress(IpAddress.ANY6.toInet(), port)).addListener(f -> {
      if (f.isSuccess()) {
        server = ((ChannelFuture) f).channel();
        this.port = port;
        this.oneOff = oneOff;
        io.out("-----------------------------------------------------------");
        io.out("Server listening on " + port + " (in the background "
            + (oneOff ? "for one test" : "until the node stops") + ")");
        io.out("-----------------------------------------------------------");
        io.exit(0);
      } else {
        io.out("iperf3: error - unable to start listener for connections: " + f.cause().getMessage());
        io.exit(1);
      }
    });
  }

  /** Stops listening (and ends a test that runs), if it does; exits 0. */
  public void stop(CommandIo io) {
    if (server != null) {
      stopListening();
      io.out("iperf3 server stopped after " + tests(tests));
    }
    io.exit(0);
  }

  private static String tests(int n) {
    return n + (n == 1 ? " test" : " tests");
  }

  private void stopListening() {
    if (test != null) {
      test.abort(null);
    }
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /** One accepted connection: the control connection of a new test, a data stream of the test, or turned away. */
  private final class Conn extends ChannelInboundHandlerAdapter {
    private Iperf3Protocol.Reader reader;
    private Test control;
    private TimeSource.Timer cookieTimer;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      Channel ch = ctx.channel();
      if (test == null) {
        reader = new Iperf3Protocol.Reader(ctx.alloc());
        control = new Test(ch, reader);
        test = control;
      } else if (test.awaitsTcpStreams()) {
        reader = new Iperf3Protocol.Reader(ctx.alloc());
        cookieTimer = time.schedule(ch::close, ANSWER_NANOS);
      } else {
        // as iperf3: do not read from it (that could hold up the running test), just say no
        ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {Iperf3Protocol.ACCESS_DENIED}))
            .addListener(ChannelFutureListener.CLOSE);
      }
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (reader == null) {
        ((ByteBuf) msg).release();
        return;
      }
      reader.add((ByteBuf) msg);
      if (control != null) {
        control.process();
        return;
      }
      byte[] cookie = reader.bytes(Iperf3Protocol.COOKIE_SIZE);
      if (cookie == null) {
        return;
      }
      cookieTimer.cancel();
      ByteBuf rest = reader.rest();
      reader.release();
      reader = null;
      if (test == null || !test.addTcpStream(ctx, this, cookie, rest)) {
        rest.release();
        ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {Iperf3Protocol.ACCESS_DENIED}))
            .addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (cookieTimer != null) {
        cookieTimer.cancel();
      }
      if (control != null && test == control) {
        control.abort("the client has unexpectedly closed the connection");
      }
      if (reader != null && control == null) {
        reader.release();
        reader = null;
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private enum Phase { COOKIE, PARAMS, STREAMS, RUNNING, RESULTS, DONE }

  /** The test that runs, from its control connection's cookie to the client's IPERF_DONE. */
  private final class Test {
    private final Channel control;
    private final Iperf3Protocol.Reader reader;
    private final List<Iperf3Stream> streams = new ArrayList<>();
    private final LongObjectHashMap<Iperf3UdpStream> udpPeers = new LongObjectHashMap<>();
    private final String client;
    private Phase phase = Phase.COOKIE;
    private byte[] cookie;
    private boolean udp;
    private boolean reverse;
    private boolean counters64;
    private int parallel;
    private int len;
    private long rate;
    private long duration;
    private Iperf3Stream.Budget budget;
    private ByteBuf block;
    private int udpPort = -1;
    private TimeSource.Timer timer;
    private long stallBytes = -1;
    private boolean over;

    Test(Channel control, Iperf3Protocol.Reader reader) {
      this.control = control;
      this.reader = reader;
      InetSocketAddress r = (InetSocketAddress) control.remoteAddress();
      this.client = r == null ? "?" : IpAddress.of(r.getAddress()) + " port " + r.getPort();
      await();
    }

    boolean awaitsTcpStreams() {
      return phase == Phase.STREAMS && !udp;
    }

    /** Waits for the client's next message, at most {@link #ANSWER_NANOS}. */
    private void await() {
      cancelTimer();
      Phase waiting = phase;
      timer = time.schedule(() -> abort("no answer from the client within 10 s (" + waiting + ")"), ANSWER_NANOS);
    }

    private void cancelTimer() {
      if (timer != null) {
        timer.cancel();
        timer = null;
      }
    }

    void process() {
      try {
        while (!over && reader.readable() > 0) {
          if (!step()) {
            return;
          }
        }
      } catch (IllegalArgumentException e) {
        abort("the client sent " + e.getMessage());
      }
    }

    /** Takes one awaited message, if it has all arrived; false if not. */
    private boolean step() {
      switch (phase) {
        case COOKIE -> {
          cookie = reader.bytes(Iperf3Protocol.COOKIE_SIZE);
          if (cookie == null) {
            return false;
          }
          phase = Phase.PARAMS;
          state(Iperf3Protocol.PARAM_EXCHANGE);
          await();
        }
        case PARAMS -> {
          JsonNode p = reader.json();
          if (p == null) {
            return false;
          }
          parameters(p);
        }
        case RESULTS -> {
          JsonNode r = reader.json();
          if (r == null) {
            return false;
          }
          control.write(Iperf3Protocol.frame(control.alloc(), Iperf3Stream.results(streams, reverse, udp,
              udp ? null : transport.tcp().settings().congestion())));
          state(Iperf3Protocol.DISPLAY_RESULTS);
          phase = Phase.DONE;
          await();
        }
        default -> {
          byte s = reader.state();
          if (s == Iperf3Protocol.TEST_END && phase == Phase.RUNNING) {
            testEnd();
          } else if (s == Iperf3Protocol.IPERF_DONE && phase == Phase.DONE) {
            finish();
          } else if (s == Iperf3Protocol.CLIENT_TERMINATE) {
            abort("the client has terminated");
          } else if (s != Iperf3Protocol.TEST_START) {
            abort("the client sent " + Iperf3Protocol.stateName(s) + " during " + phase);
          }
        }
      }
      return true;
    }

    private void parameters(JsonNode p) {
      udp = p.path("udp").asBoolean(false);
      boolean tcp = p.path("tcp").asBoolean(false);
      reverse = p.path("reverse").asBoolean(false);
      counters64 = p.path("udp_counters_64bit").asBoolean(false);
      parallel = p.path("parallel").asInt(1);
      duration = p.path("time").asLong(0);
      long num = p.path("num").asLong(0);
      len = p.path("len").asInt(udp ? Iperf3Protocol.DEFAULT_UDP_LEN : Iperf3Protocol.DEFAULT_TCP_LEN);
      rate = p.path("bandwidth").asLong(0);
      String unsupported = !udp && !tcp ? "a protocol other than TCP and UDP"
          : p.path("bidirectional").asBoolean(false) ? "--bidir"
          : p.path("blockcount").asLong(0) != 0 ? "-k (a count of blocks)"
          : p.path("omit").asLong(0) != 0 ? "-O (omitting the first seconds)"
          : parallel < 1 || parallel > Iperf3Protocol.MAX_STREAMS ? "-P " + parallel
          : len < (udp ? 16 : 1) || len > (udp ? Iperf3Protocol.MAX_UDP_LEN : Iperf3Protocol.MAX_TCP_LEN) ? "-l " + len
          : duration < 0 || num < 0 || rate < 0 ? "a negative -t, -n or -b"
          : udp && !(((InetSocketAddress) control.remoteAddress()).getAddress() instanceof Inet4Address)
              ? "UDP over IPv6" : null;
      if (unsupported != null) {
        error(IEUNIMP, 0, "the client asked for " + unsupported + ", which emu's iperf3 does not do");
        return;
      }
      budget = new Iperf3Stream.Budget(num);
      if (reverse && !udp) {
        block = control.alloc().directBuffer(len);
        byte[] b = new byte[len];
        stack.random().nextBytes(b);
        block.writeBytes(b);
      }
      if (udp) {
        udpPort = stack.udp().bind(port, this::datagram);
        if (udpPort < 0) {
          error(IESTREAMLISTEN, EADDRINUSE, "UDP port " + port + " is in use");
          return;
        }
      }
      phase = Phase.STREAMS;
      state(Iperf3Protocol.CREATE_STREAMS);
      await();
    }

    boolean addTcpStream(ChannelHandlerContext ctx, Conn conn, byte[] theirs, ByteBuf rest) {
      if (over || phase != Phase.STREAMS || udp || !Arrays.equals(theirs, cookie) || streams.size() >= parallel) {
        return false;
      }
      Iperf3TcpStream s = new Iperf3TcpStream(Iperf3Stream.idOf(streams.size()), reverse, time, rate, budget, len,
          ctx.channel(), block);
      s.onClosed(() -> {
        if (!reverse) {
          return; // a receiver's stream closing is the sender being done
        }
        abort("a data stream closed during the test");
      });
      ctx.pipeline().replace(conn, "iperf3-stream", s.handler());
      s.received(rest);
      streams.add(s);
      streamAdded();
      return true;
    }

    private void datagram(int srcIp, int srcPort, int dstIp, int dstPort, ByteBuf payload) {
      long key = ((long) srcIp << 16) | srcPort;
      Iperf3UdpStream s = udpPeers.get(key);
      if (s != null) {
        if (payload.readableBytes() == 4) {
          reply(srcIp, srcPort); // the client's hello again: our answer was lost
        } else {
          s.receive(payload);
        }
        return;
      }
      if (phase != Phase.STREAMS || streams.size() >= parallel || payload.readableBytes() != 4) {
        return;
      }
      Iperf3UdpStream u = new Iperf3UdpStream(Iperf3Stream.idOf(streams.size()), reverse, stack, rate, budget, len,
          port, srcIp, srcPort, counters64, () -> udpPeers.remove(key));
      udpPeers.put(key, u);
      streams.add(u);
      reply(srcIp, srcPort);
      streamAdded();
    }

    private void reply(int ip, int p) {
      ByteBuf b = stack.allocate(4).writeBytes(Iperf3Protocol.UDP_CONNECT_REPLY);
      SendResult r = stack.udp().send(0, port, ip, p, 64, b);
      if (r != SendResult.SENT) {
        abort("cannot answer the UDP stream from " + Ipv4Address.format(ip) + ": " + r.message());
      }
    }

    private void streamAdded() {
      if (streams.size() < parallel) {
        return;
      }
      state(Iperf3Protocol.TEST_START);
      state(Iperf3Protocol.TEST_RUNNING);
      phase = Phase.RUNNING;
      for (Iperf3Stream s : streams) {
        s.begin();
      }
      cancelTimer();
      if (duration > 0) {
        timer = time.schedule(() -> abort("no TEST_END from the client 10 s after the test's " + duration + " s"),
            duration * 1_000_000_000L + ANSWER_NANOS);
      } else {
        stallCheck();
      }
    }

    /** A test counted in bytes has no end in time: it ends when nothing has moved for 30 s. */
    private void stallCheck() {
      long moved = 0;
      for (Iperf3Stream s : streams) {
        moved += s.bytes;
      }
      if (moved == stallBytes) {
        abort("nothing moved for 30 s");
        return;
      }
      stallBytes = moved;
      timer = time.schedule(this::stallCheck, STALL_NANOS);
    }

    private void testEnd() {
      for (Iperf3Stream s : streams) {
        s.end();
      }
      for (Iperf3Stream s : streams) {
        s.close();
      }
      phase = Phase.RESULTS;
      state(Iperf3Protocol.EXCHANGE_RESULTS);
      await();
    }

    private void state(byte s) {
      control.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {s}));
    }

    /** SERVER_ERROR with iperf3's error number and errno, as a real server sends it; then the test ends. */
    private void error(int iErrno, int errno, String why) {
      control.writeAndFlush(control.alloc().buffer(9).writeByte(Iperf3Protocol.SERVER_ERROR).writeInt(iErrno)
          .writeInt(errno));
      abort(why);
    }

    private void finish() {
      long bytes = 0;
      double secs = 0;
      for (Iperf3Stream s : streams) {
        bytes += s.bytes;
        secs = Math.max(secs, s.seconds());
      }
      tests++;
      last = String.format(Locale.ROOT, "%s from %s, %d stream%s, %s %d bytes in %.2f s (%.1f Mbits/sec)",
          udp ? "UDP" : "TCP", client, streams.size(), streams.size() == 1 ? "" : "s", reverse ? "sent" : "received",
          bytes, secs, secs > 0 ? bytes * 8 / secs / 1e6 : 0);
      cleanUp();
    }

    /** Ends the test at once (why: for the status line; null when the server stops). */
    void abort(String why) {
      if (over) {
        return;
      }
      if (why != null) {
        tests++;
        last = "from " + client + ", ended early: " + why;
      }
      cleanUp();
    }

    private void cleanUp() {
      if (over) {
        return;
      }
      over = true;
      cancelTimer();
      for (Iperf3Stream s : streams) {
        s.close();
      }
      if (udpPort >= 0) {
        stack.udp().unbind(udpPort);
        udpPort = -1;
      }
      if (block != null) {
        block.release();
        block = null;
      }
      reader.release();
      control.close();
      if (test == this) {
        test = null;
      }
      if (oneOff) {
        stopListening();
      }
    }
  }
}
