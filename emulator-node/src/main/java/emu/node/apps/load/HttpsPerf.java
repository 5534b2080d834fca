package emu.node.apps.load;

import emu.link.time.TimeSource;
import emu.node.apps.HttpsTarget;
import emu.node.channel.EmuTransport;
import emu.node.names.NameResolver;
import emu.node.shell.Args;
import emu.node.shell.Command;
import emu.node.shell.CommandIo;
import emu.node.shell.UsageException;
import emu.node.tls.Pem;
import emu.node.tls.TlsContexts;
import emu.node.tls.TlsFailures;
import emu.node.wire.IpAddress;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLSession;

/**
 * {@code httpsperf URL [-n CONNECTIONS] [-k REQUESTS] [-c CONCURRENCY] [--tls 1.3|1.2|1.2-rsa]}:
 * an HTTPS load generator in the spirit of h2load and ab, over the emulated TCP
 * ({@link EmuTransport#tcpClient()}) with the TLS client of {@code https-get}: the same
 * {@link TlsContexts#client} construction (the lab CA, the chosen versions and provider) and
 * {@link TlsContexts.Client#newHandler} (SNI, host-name verification).
 *
 * <p>It opens CONNECTIONS connections in all, CONCURRENCY at a time, and sends REQUESTS GETs on
 * each, one after the other (HTTP/1.1 keep-alive; the last asks {@code Connection: close}, so
 * that the server closes first and keeps the TIME-WAIT, as with ab). With {@code -k 1} (mode
 * A) every request pays a full TCP and TLS handshake: the figure is TLS handshakes per second.
 * With {@code -k 100} (mode B) the handshake is spread over 100 requests: the figure is HTTPS
 * requests per second. Sessions are not resumed (each is invalidated once established) unless
 * {@code --resume} says so. Prints totals, rates, failures by reason, and latency percentiles
 * of the handshake, of each request and of each connection.
 *
 * <p>Runs on the node's event loop: the TLS context is built on another thread (it takes a cold
 * JVM about a second) and kept for later runs; the handshakes' cryptography runs on the loop,
 * as it does for every TLS connection of the node.
 */
public final class HttpsPerf implements Command {
  static final String USER_AGENT = "emu-httpsperf/1";
  static final double DEFAULT_TIMEOUT = 10;

  private final EmuTransport net;
  private final NameResolver resolver;
  private final String trustPem;
  private final emu.node.tls.TlsClientCounters tlsCounters;
  /** Client contexts by version and provider, built off the loop on first use. */
  private final Map<String, CompletableFuture<TlsContexts.Client>> contexts = new ConcurrentHashMap<>();

  /**
   * @param trustPem the CA certificates this node trusts (PEM; the lab CA), or null if none is
   *     configured (then the command refuses to run)
   */
  public HttpsPerf(EmuTransport net, NameResolver resolver, String trustPem) {
    this(net, resolver, trustPem, new emu.node.tls.TlsClientCounters());
  }

  /** As above, counting the handshakes' outcomes in {@code tlsCounters} (the node's, for its metrics). */
  public HttpsPerf(EmuTransport net, NameResolver resolver, String trustPem,
                   emu.node.tls.TlsClientCounters tlsCounters) {
    this.tlsCounters = tlsCounters;
    this.net = net;
    this.resolver = resolver;
    this.trustPem = trustPem;
  }

  @Override
  public String name() {
    return "httpsperf";
  }

  @Override
  public String summary() {
    return "httpsperf URL [-n CONNECTIONS] [-k REQUESTS_PER_CONNECTION] [-c CONCURRENCY] [--tls 1.3|1.2|1.2-rsa] "
        + "[--provider bc|jdk] [--timeout SECONDS] [--resume]";
  }

  @Override
  public void run(List<String> argv, CommandIo io) {
    Args a = Args.parse(argv, List.of("-n", "-k", "-c", "--tls", "--provider", "--timeout"),
        List.of("--resume", "-h", "--help"));
    if (a.flag("-h") || a.flag("--help")) {
      io.out("usage: " + summary());
      io.out("  opens CONNECTIONS (-n, default 100) HTTPS connections to URL, CONCURRENCY (-c, default 1) at a time,");
      io.out("  and sends REQUESTS (-k, default 1) GETs on each, one after the other (keep-alive).");
      io.out("  -k 1: every request pays a full TCP + TLS handshake (TLS handshakes per second);");
      io.out("  -k 100: keep-alive (HTTPS requests per second). --tls picks the versions offered (default 1.3 and");
      io.out("  1.2), --provider the TLS implementation (bc, the default, or jdk); --resume allows TLS session");
      io.out("  resumption; a connection not done within --timeout (default 10 s) fails.");
      io.exit(0);
      return;
    }
    if (a.positional().size() != 1) {
      throw new UsageException("usage: " + summary());
    }
    HttpsTarget target;
    TlsContexts.Version version;
    TlsContexts.Provider provider;
    try {
      target = HttpsTarget.parse(a.positional().get(0));
      version = TlsContexts.Version.parse(a.value("--tls"));
      provider = TlsContexts.Provider.parse(a.value("--provider"));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    if (trustPem == null || trustPem.isBlank()) {
      throw new UsageException("this node trusts no CA (the lab gives none), so no certificate can be verified");
    }
    int total = a.intValue("-n", 100, 1, 100_000_000);
    int perConnection = a.intValue("-k", 1, 1, 100_000_000);
    int concurrency = Math.min(total, a.intValue("-c", 1, 1, 10_000));
    long timeout = a.secondsValue("--timeout", DEFAULT_TIMEOUT, 0.001, 3600);
    boolean resume = a.flag("--resume");
    Settings s = new Settings(target, version, provider, total, perConnection, concurrency, timeout, resume);

    boolean[] cancelled = new boolean[1];
    boolean[] started = new boolean[1];
    io.onCancel(() -> {
      if (!started[0]) {
        cancelled[0] = true;
        io.exit(1);
      }
    });
    String key = version + "/" + provider;
    CompletableFuture<TlsContexts.Client> f = contexts.computeIfAbsent(key, k -> CompletableFuture.supplyAsync(
        () -> TlsContexts.client(Pem.certificates(trustPem), "the lab CA", version, provider)));
    f.whenComplete((tls, error) -> net.loop().execute(() -> {
      if (cancelled[0]) {
        return;
      }
      if (error != null) {
        contexts.remove(key, f);
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        started[0] = true;
        io.out("httpsperf: " + e.getMessage());
        io.exit(2);
        return;
      }
      resolver.resolveAddress(target.host(), ip -> {
        started[0] = true;
        if (!cancelled[0]) {
          new Run(s, tls, ip, io).start();
        }
      }, why -> {
        started[0] = true;
        if (!cancelled[0]) {
          io.out("httpsperf: could not resolve host " + target.host() + ": " + why);
          io.exit(1);
        }
      });
    }));
  }

  private record Settings(HttpsTarget target, TlsContexts.Version version, TlsContexts.Provider provider,
                          int total, int perConnection, int concurrency, long timeoutNanos, boolean resume) {}

  /** One run: connections started, finished, and what was measured. */
  private final class Run {
    private final Settings s;
    private final TlsContexts.Client tls;
    private final IpAddress ip;
    private final CommandIo io;
    private final TimeSource time = net.stack().time();
    private final InetSocketAddress address;
    private final Set<Conn> open = new HashSet<>();
    private final Map<String, long[]> failures = new LinkedHashMap<>();
    private final Map<String, long[]> negotiated = new LinkedHashMap<>();
    private final Set<String> sessionIds = new HashSet<>();
    private final LatencyStats handshake = new LatencyStats();
    private final LatencyStats request = new LatencyStats();
    private final LatencyStats connection = new LatencyStats();
    private int started;
    private int ended;
    private int succeeded;
    private long responses;
    private long ok2xx;
    private long requestsFailed;
    private long bodyBytes;
    private long resumed;
    private long startNanos;
    private long endNanos;
    private boolean done;

    Run(Settings s, TlsContexts.Client tls, IpAddress ip, CommandIo io) {
      this.s = s;
      this.tls = tls;
      this.ip = ip;
      this.io = io;
      this.address = new InetSocketAddress(ip.toInet(), s.target().port());
    }

    void start() {
      io.onCancel(this::cancel);
      io.out("httpsperf: " + s.target().host() + " (" + ip + ") port " + s.target().port() + " path "
          + s.target().path() + ", " + offered() + " (" + tls.provider().displayName() + ")");
      io.out("  " + s.total() + " connection" + (s.total() == 1 ? "" : "s") + ", " + s.perConnection() + " request"
          + (s.perConnection() == 1 ? "" : "s") + " each, " + s.concurrency() + " at a time: "
          + (s.perConnection() == 1 ? "every request on a new connection (a full TCP + TLS handshake each)"
              : "keep-alive, one TCP + TLS handshake per " + s.perConnection() + " requests")
          + (s.resume() ? "; TLS session resumption allowed" : "; no TLS session resumption"));
      startNanos = time.nanos();
      for (int i = 0; i < s.concurrency() && !done; i++) {
        launch();
      }
    }

    private String offered() {
      return switch (tls.version()) {
        case AUTO -> "offering TLS 1.3 and 1.2";
        case TLS13 -> "TLS 1.3";
        case TLS12 -> "TLS 1.2";
        case TLS12_RSA -> "TLS 1.2 with RSA key transport";
      };
    }

    private void launch() {
      if (done || started >= s.total()) {
        return;
      }
      started++;
      new Conn().connect();
    }

    void ended(Conn c, String failure) {
      open.remove(c);
      ended++;
      if (failure == null) {
        succeeded++;
      } else {
        failures.computeIfAbsent(failure, k -> new long[1])[0]++;
      }
      if (ended == s.total()) {
        finish();
      } else {
        launch();
      }
    }

    private void finish() {
      if (done) {
        return;
      }
      done = true;
      endNanos = time.nanos();
      // connections whose last answer came but whose close has not yet: the server closes them
      // first (Connection: close); whatever is left is closed here
      for (Conn c : new ArrayList<>(open)) {
        c.close();
      }
      report();
      io.exit(ended == succeeded && ok2xx == (long) s.total() * s.perConnection() ? 0 : 1);
    }

    private void cancel() {
      if (done) {
        return;
      }
      done = true;
      for (Conn c : new ArrayList<>(open)) {
        c.abandon();
      }
      io.exit(1);
    }

    private void report() {
      double secs = Math.max(1e-9, (endNanos - startNanos) / 1e9);
      long requests = (long) s.total() * s.perConnection();
      io.out("");
      io.out(String.format(Locale.ROOT, "finished in %.3f s", secs));
      io.out("  connections: " + s.total() + " total, " + succeeded + " succeeded, " + (s.total() - succeeded)
          + " failed");
      io.out("  requests:    " + requests + " total, " + responses + " answered (" + ok2xx + " 2xx, " + (responses - ok2xx)
          + " other), " + requestsFailed + " failed");
      io.out("  handshakes:  " + handshake.count() + " TLS handshakes completed, " + resumed + " resumed sessions");
      negotiated.forEach((what, n) -> io.out("  negotiated:  " + what + " (" + n[0] + ")"));
      io.out("  traffic:     " + bodyBytes + " bytes of response bodies");
      if (!failures.isEmpty()) {
        io.out("  failures:");
        failures.forEach((why, n) -> io.out("    " + n[0] + " x " + why));
      }
      io.out("");
      io.out(String.format(Locale.ROOT, "  %-28s %9s %9s %9s %9s %9s", "latency (ms)", "min", "p50", "p99", "max", "mean"));
      row("TCP + TLS handshake", handshake);
      row("request to response", request);
      row("connection (to last answer)", connection);
      io.out("");
      io.out(String.format(Locale.ROOT, "TLS handshakes per second: %.1f", handshake.count() / secs));
      io.out(String.format(Locale.ROOT, "HTTPS requests per second: %.1f", ok2xx / secs));
    }

    private void row(String what, LatencyStats l) {
      io.out(String.format(Locale.ROOT, "  %-28s %9s %9s %9s %9s %9s", what, LatencyStats.millis(l.min()),
          LatencyStats.millis(l.percentile(50)), LatencyStats.millis(l.percentile(99)), LatencyStats.millis(l.max()),
          LatencyStats.millis(l.mean())));
    }

    /** One connection: connect, handshake, its requests one after the other. */
    private final class Conn extends SimpleChannelInboundHandler<FullHttpResponse> {
      private long connectAt;
      private long requestAt;
      private int answered;
      private Channel ch;
      private SslHandler ssl;
      private TimeSource.Timer deadline;
      /** The outcome is decided (success or failure); later events change nothing. */
      private boolean over;

      void connect() {
        connectAt = time.nanos();
        deadline = time.schedule(() -> fail("timed out after " + (s.timeoutNanos() / 1_000_000) + " ms"),
            s.timeoutNanos());
        ChannelFuture f = net.tcpClient().option(ChannelOption.TCP_NODELAY, true)
            .handler(new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel c) {
                ssl = tls.newHandler(c.alloc(), s.target().host(), s.target().port());
                c.pipeline().addLast("tls", ssl).addLast("http", new HttpClientCodec())
                    .addLast("http-aggregator", new HttpObjectAggregator(HttpsTarget.MAX_BODY)).addLast("perf", Conn.this);
              }
            }).connect(address);
        ch = f.channel();
        open.add(this);
        f.addListener(r -> {
          if (!r.isSuccess()) {
            fail("connect: " + connectFailure(r.cause()));
          }
        });
      }

      @Override
      public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ssl.handshakeFuture().addListener(f -> {
          if (f.isSuccess()) {
            tlsCounters.handshakes++;
            handshakeDone();
          } else {
            tlsCounters.failures++;
            fail("TLS handshake: " + TlsFailures.describe(f.cause(), "the server"));
          }
        });
        super.channelActive(ctx);
      }

      private void handshakeDone() {
        if (over) {
          return;
        }
        handshake.add(time.nanos() - connectAt);
        SSLSession session = ssl.engine().getSession();
        negotiated.computeIfAbsent(session.getProtocol() + " / " + session.getCipherSuite(), k -> new long[1])[0]++;
        byte[] id = session.getId();
        if (id != null && id.length > 0 && !sessionIds.add(HexFormat.of().formatHex(id))) {
          resumed++;
        }
        if (!s.resume()) {
          session.invalidate(); // the next connection cannot resume it: a full handshake each time
        }
        send();
      }

      private void send() {
        requestAt = time.nanos();
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, s.target().path());
        req.headers().set("Host", s.target().port() == HttpsTarget.DEFAULT_PORT ? s.target().host()
            : s.target().host() + ":" + s.target().port()).set("User-Agent", USER_AGENT).set("Accept", "*/*");
        if (answered == s.perConnection() - 1) {
          req.headers().set("Connection", "close");
        }
        ch.writeAndFlush(req).addListener(f -> {
          if (!f.isSuccess()) {
            fail("sending the request: " + TlsFailures.describe(f.cause(), "the server"));
          }
        });
      }

      @Override
      protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse resp) {
        if (over) {
          return;
        }
        long now = time.nanos();
        request.add(now - requestAt);
        answered++;
        responses++;
        bodyBytes += resp.content().readableBytes();
        int code = resp.status().code();
        if (code >= 200 && code < 300) {
          ok2xx++;
        }
        if (answered < s.perConnection()) {
          send();
          return;
        }
        over = true;
        deadline.cancel();
        connection.add(now - connectAt);
        ended(this, null);
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        open.remove(this);
        // a handshake failure reports itself through the handshake future
        ssl.handshakeFuture().addListener(f -> {
          if (f.isSuccess()) {
            fail("the server closed the connection after " + answered + " of " + s.perConnection() + " answers");
          }
        });
        super.channelInactive(ctx);
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (ssl.handshakeFuture().isSuccess()) {
          fail(TlsFailures.describe(cause, "the server"));
        }
        ctx.close();
      }

      private void fail(String why) {
        if (over) {
          return;
        }
        over = true;
        deadline.cancel();
        requestsFailed += s.perConnection() - answered;
        close();
        ended(this, why);
      }

      void close() {
        open.remove(this);
        if (ch != null) {
          ch.close();
        }
      }

      /** The run was cancelled: no outcome, just let go. */
      void abandon() {
        over = true;
        deadline.cancel();
        close();
      }
    }
  }

  private static String connectFailure(Throwable cause) {
    if (cause instanceof ConnectException && String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT)
        .contains("refused")) {
      return "connection refused";
    }
    if (cause instanceof ConnectTimeoutException) {
      return "connection timed out";
    }
    if (cause instanceof NoRouteToHostException) {
      return "no route to host";
    }
    return String.valueOf(cause.getMessage());
  }
}
