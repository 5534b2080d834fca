package emu.node.apps.load;

import emu.link.time.TimeSource;
import emu.node.apps.ResolveThenRun;
import emu.node.apps.service.BulkProtocol;
import emu.node.apps.service.BulkServer;
import emu.node.channel.EmuSocketChannel;
import emu.node.channel.EmuTransport;
import emu.node.names.Hosts;
import emu.node.names.HostsResolver;
import emu.node.names.NameResolver;
import emu.node.shell.Args;
import emu.node.shell.Command;
import emu.node.shell.CommandIo;
import emu.node.shell.UsageException;
import emu.node.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code bulk}: an iperf-like bulk TCP transfer over the emulated stack, written as ordinary
 * Netty pipelines. {@code bulk server} listens (in the background, until the node stops);
 * {@code bulk client DEST --bytes 100M --verify} sends that many pseudo-random bytes, reports
 * goodput and retransmissions, and with {@code --verify} checks that the server's SHA-256 of
 * what it received equals the SHA-256 of what was sent.
 *
 * <p>The client is here; the server is {@link BulkServer}, and what they say to each other is
 * {@link BulkProtocol}.
 *
 * <p>Without --verify the client sends one pseudo-random 1 MiB block over and over (as iperf
 * reuses its buffer); with --verify every byte is fresh from the seeded stream and hashed.
 */
public final class Bulk implements Command {
  public static final int DEFAULT_PORT = 5201;
  /** How long the client waits for the server's answer once the server has all the bytes (or nothing moves). */
  static final long ANSWER_NANOS = 10_000_000_000L;

  private final EmuTransport transport;
  private final NameResolver resolver;
  private final TimeSource time;
  private final BulkServer server;

  /** {@code resolver} turns DEST into an address (hosts table, cache, DNS), asynchronously. */
  public Bulk(EmuTransport transport, NameResolver resolver) {
    this.transport = transport;
    this.resolver = resolver;
    this.time = transport.stack().time();
    this.server = new BulkServer(transport);
  }

  /** Names resolve through the hosts table only. */
  public Bulk(EmuTransport transport, Hosts hosts) {
    this(transport, new HostsResolver(hosts));
  }

  @Override
  public String name() {
    return "bulk";
  }

  @Override
  public String summary() {
    return "bulk server [-p port] | bulk client DEST [-p port] [--bytes 100M] [--verify] [--nodelay]";
  }

  @Override
  public void run(List<String> argv, CommandIo io) {
    Args a = Args.parse(argv, List.of("-p", "--bytes", "--seed"), List.of("--verify", "--nodelay", "--stop", "-h",
        "--help"));
    if (a.flag("-h") || a.flag("--help") || a.positional().isEmpty()) {
      io.out("usage: " + summary());
      io.out("  server: listens on the port (default " + DEFAULT_PORT + ") until the node stops (--stop ends it)");
      io.out("  client: sends --bytes (default 10M; K, M, G are 1024-based) and reports goodput and retransmissions;");
      io.out("          --verify compares the SHA-256 the server computed with the one of the bytes sent");
      io.exit(a.positional().isEmpty() && !a.flag("-h") && !a.flag("--help") ? 2 : 0);
      return;
    }
    int port = a.intValue("-p", DEFAULT_PORT, 1, 65535);
    switch (a.positional().get(0)) {
      case "server" -> {
        if (a.flag("--stop")) {
          server.stop(io);
        } else {
          server.start(port, io);
        }
      }
      case "client" -> {
        if (a.positional().size() != 2) {
          throw new UsageException("usage: bulk client DEST [-p port] [--bytes 100M] [--verify]");
        }
        String dest = a.positional().get(1);
        String b = a.value("--bytes");
        long bytes = b == null ? 10L << 20 : Sizes.parse("--bytes", b);
        boolean verify = a.flag("--verify");
        boolean noDelay = a.flag("--nodelay");
        int seed = a.intValue("--seed", 1, Integer.MIN_VALUE, Integer.MAX_VALUE);
        ResolveThenRun.startAddress(resolver, dest, io, "bulk", 2,
            ip -> new Client(ip, port, bytes, verify, noDelay, seed, io).start());
      }
      default -> throw new UsageException("usage: " + summary());
    }
  }

  /** One client transfer. */
  private final class Client extends ChannelInboundHandlerAdapter {
    private final IpAddress ip;
    private final int port;
    private final long total;
    private final boolean verify;
    private final boolean noDelay;
    private final CommandIo io;
    private final StreamData data;
    private final MessageDigest sha = BulkProtocol.sha256();
    /** Without --verify: one block of the stream, sent again and again. */
    private ByteBuf block;
    private final ByteBuf answer = Unpooled.buffer(BulkProtocol.DIGEST_BYTES);
    private long written;
    private long startNanos;
    private long lastReportNanos;
    private long lastReportBytes;
    private long lastReportRetransmits;
    private boolean done;
    private Channel ch;
    private TimeSource.Timer reporter;
    /** Once every byte is written: watches for the server's answer (see {@link #awaitAnswer}). */
    private TimeSource.Timer answerWatch;
    private long ackedSeen = -1;
    private long ackedSince;

    Client(IpAddress ip, int port, long total, boolean verify, boolean noDelay, long seed, CommandIo io) {
      this.ip = ip;
      this.port = port;
      this.total = total;
      this.verify = verify;
      this.noDelay = noDelay;
      this.io = io;
      this.data = new StreamData(seed);
    }

    void start() {
      io.out("Connecting to host " + ip + ", port " + port);
      io.onCancel(() -> finish(1, "bulk: interrupted"));
      transport.tcpClient().option(ChannelOption.TCP_NODELAY, noDelay).handler(this)
          .connect(new InetSocketAddress(ip.toInet(), port)).addListener(f -> {
            if (!f.isSuccess()) {
              finish(1, "bulk: connect to " + ip.withPort(port) + " failed: " + f.cause().getMessage());
            }
          });
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ch = ctx.channel();
      InetSocketAddress l = (InetSocketAddress) ch.localAddress();
      io.out("[  5] local " + IpAddress.of(l.getAddress()) + " port " + l.getPort() + " connected to "
          + ip + " port " + port);
      io.out("[ ID] Interval           Transfer     Bitrate         Retr");
      startNanos = time.nanos();
      lastReportNanos = startNanos;
      reporter = time.schedule(this::report, 1_000_000_000L);
      ByteBuf header = ctx.alloc().buffer(BulkProtocol.HEADER_BYTES)
          .writeLong(verify ? total | BulkProtocol.VERIFY_BIT : total);
      ctx.write(header);
      if (!verify) {
        block = ctx.alloc().directBuffer(BLOCK);
        data.fill(block, BLOCK);
      }
      writeMore(ctx);
    }

    private static final int CHUNK = 64 * 1024;
    private static final int BLOCK = 16 * CHUNK;

    private void writeMore(ChannelHandlerContext ctx) {
      while (written < total && ctx.channel().isWritable()) {
        int n = (int) Math.min(CHUNK, total - written);
        ByteBuf chunk;
        if (verify) {
          chunk = ctx.alloc().buffer(n);
          data.fill(chunk, n);
          sha.update(chunk.nioBuffer());
        } else {
          chunk = block.retainedSlice((int) (written % BLOCK), n);
        }
        written += n;
        ctx.write(chunk);
      }
      ctx.flush();
      if (written == total && answerWatch == null && !done) {
        answerWatch = time.schedule(this::awaitAnswer, 1_000_000_000L);
      }
    }

    /**
     * The server answers once it has every byte; a peer that is not a {@code bulk server} (a
     * plain TCP sink, iperf3) never does. So once every byte is written the client checks, about
     * once a second, what the peer has acknowledged. While bytes are still unacknowledged (a link
     * down, a partition, TCP's retransmission backing off) it leaves them to TCP and keeps waiting;
     * only once the peer has acknowledged every byte does the verdict clock start, and when no
     * answer has come about {@link #ANSWER_NANOS} later it gives up with a clear error instead of
     * waiting forever.
     */
    private void awaitAnswer() {
      if (done) {
        return;
      }
      long acked = ch instanceof EmuSocketChannel s && s.connection() != null
          ? s.connection().info().bytesAcked() : -1;
      long now = time.nanos();
      if (acked < total || ackedSeen < total) {
        // still on its way (TCP retransmits it), or just now all acknowledged: the clock starts at the last ack
        ackedSeen = acked;
        ackedSince = now;
      } else if (now - ackedSince >= ANSWER_NANOS) {
        finish(1, "bulk: no answer from " + ip.withPort(port) + " " + (ANSWER_NANOS / 1_000_000_000L)
            + " s after the last of its " + written + " bytes was acknowledged; is it a bulk server? (bulk client needs 'bulk server' at the "
            + "other end; iperf3 -c measures against iperf3 -s)");
        return;
      }
      answerWatch = time.schedule(this::awaitAnswer, 1_000_000_000L);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        writeMore(ctx);
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      in.readBytes(answer, Math.min(in.readableBytes(), answer.writableBytes()));
      in.release();
      if (answer.readableBytes() == BulkProtocol.DIGEST_BYTES) {
        double secs = (time.nanos() - startNanos) / 1e9;
        long retr = retransmits();
        io.out(String.format(java.util.Locale.ROOT, "[  5] %6.2f-%-6.2f sec  %s  %s  %4d  sender",
            0.0, secs, Sizes.human(total), Sizes.bitrate(total, secs), retr));
        byte[] theirs = new byte[BulkProtocol.DIGEST_BYTES];
        answer.readBytes(theirs);
        String hex = HexFormat.of().formatHex(theirs);
        if (verify) {
          byte[] ours = sha.digest();
          if (MessageDigest.isEqual(ours, theirs)) {
            finish(0, "sha256 " + hex + "  verified: the server received exactly the bytes sent");
          } else {
            finish(1, "bulk: SHA-256 MISMATCH: sent " + HexFormat.of().formatHex(ours) + ", server got " + hex);
          }
        } else {
          finish(0, "done (add --verify to check a SHA-256 of the stream end to end)");
        }
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      finish(1, "bulk: connection closed after " + written + " of " + total + " bytes, before the server's answer");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      finish(1, "bulk: " + cause.getMessage());
      ctx.close();
    }

    private long retransmits() {
      if (ch instanceof EmuSocketChannel s && s.connection() != null) {
        return s.connection().info().retransmitsTotal();
      }
      return 0;
    }

    private void report() {
      if (done) {
        return;
      }
      long now = time.nanos();
      long acked = written; // bytes handed to TCP so far, as iperf3 counts
      long retr = retransmits();
      // an interval's line counts its own retransmissions, as iperf3's do; the sender line the total
      io.out(String.format(java.util.Locale.ROOT, "[  5] %6.2f-%-6.2f sec  %s  %s  %4d",
          (lastReportNanos - startNanos) / 1e9, (now - startNanos) / 1e9, Sizes.human(acked - lastReportBytes),
          Sizes.bitrate(acked - lastReportBytes, (now - lastReportNanos) / 1e9), retr - lastReportRetransmits));
      lastReportNanos = now;
      lastReportBytes = acked;
      lastReportRetransmits = retr;
      reporter = time.schedule(this::report, 1_000_000_000L);
    }

    private void finish(int code, String line) {
      if (done) {
        return;
      }
      done = true;
      if (reporter != null) {
        reporter.cancel();
      }
      if (answerWatch != null) {
        answerWatch.cancel();
      }
      answer.release();
      if (block != null) {
        block.release();
      }
      io.out(line);
      if (ch != null) {
        ch.close();
      }
      io.exit(code);
    }
  }
}
