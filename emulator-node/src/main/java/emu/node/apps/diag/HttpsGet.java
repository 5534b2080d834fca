package emu.node.apps.diag;

import static emu.node.apps.HttpsTarget.DEFAULT_PORT;
import static emu.node.apps.HttpsTarget.MAX_BODY;

import emu.link.time.TimeSource;
import emu.node.apps.HappyEyeballs;
import emu.node.apps.HttpsTarget;
import emu.node.channel.EmuTransport;
import emu.node.event.HttpsEvent;
import emu.node.event.TlsEvent;
import emu.node.names.NameResolver;
import emu.node.shell.Args;
import emu.node.shell.Command;
import emu.node.shell.CommandIo;
import emu.node.shell.UsageException;
import emu.node.tls.Certificates;
import emu.node.tls.Pem;
import emu.node.tls.PlaintextMeter;
import emu.node.tls.TlsContexts;
import emu.node.tls.TlsFailures;
import emu.node.tls.TlsNarrator;
import emu.node.trace.Tracer;
import emu.node.wire.IpAddress;
import emu.node.wire.Ipv4Address;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * {@code https-get URL}: fetches a page over HTTPS from a node, printing what {@code curl -v}
 * would in spirit: the address the name resolved to, the TCP connection, the negotiated TLS
 * version and cipher suite, the server's certificate chain (subject, issuer, validity,
 * names), the request and response headers and the first lines of the body. Exit 0 on a 2xx.
 *
 * <p>The client verifies the chain against the node's trusted CA (the lab CA, or
 * {@code --ca PEMFILE}) and the host name (SNI and endpoint identification HTTPS). A refusal
 * says which check failed ("certificate is not trusted (issuer ... is not the lab CA)", "host
 * name ... does not match the certificate (names: ...)", "certificate expired on ...",
 * self-signed) and no HTTP request is sent. {@code -v} adds each certificate's public
 * key, signature algorithm and serial, and the TLS handshake as {@code curl -v} prints it
 * ({@code * TLSv1.3 (OUT), TLS handshake, Client hello (1):}, see {@link CurlTlsLines}). Runs on
 * the node's event loop; never blocks (but {@code --ca} reads a small file).
 */
public final class HttpsGet implements Command {
  static final int DEFAULT_BODY_LINES = 20;
  static final String USER_AGENT = "emu-https-get/1";

  private final EmuTransport net;
  private final NameResolver resolver;
  private final String trustPem;
  private final emu.node.tls.TlsClientCounters tlsCounters;

  /** The client context for the default options, made in the background when the node starts. */
  private final java.util.concurrent.CompletableFuture<TlsContexts.Client> prepared;

  /**
   * @param trustPem the CA certificates this node trusts (PEM; the lab CA), or null if none is
   *     configured (then only {@code --ca} works)
   */
  public HttpsGet(EmuTransport net, NameResolver resolver, String trustPem) {
    this(net, resolver, trustPem, true);
  }

  /**
   * @param prewarm build the default client context now, in the background: building a TLS
   *     context (and loading the TLS provider) takes a cold JVM about a second, which the first
   *     request then does not pay; but it costs memory a node that never fetches does not need
   */
  public HttpsGet(EmuTransport net, NameResolver resolver, String trustPem, boolean prewarm) {
    this(net, resolver, trustPem, prewarm, new emu.node.tls.TlsClientCounters());
  }

  /** As above, counting the handshakes' outcomes in {@code tlsCounters} (the node's, for its metrics). */
  public HttpsGet(EmuTransport net, NameResolver resolver, String trustPem, boolean prewarm,
                  emu.node.tls.TlsClientCounters tlsCounters) {
    this.tlsCounters = tlsCounters;
    this.net = net;
    this.resolver = resolver;
    this.trustPem = trustPem;
    this.prepared = !prewarm || trustPem == null || trustPem.isBlank() ? null
        : java.util.concurrent.CompletableFuture.supplyAsync(() -> TlsContexts.client(Pem.certificates(trustPem),
            "the lab CA", TlsContexts.Version.parse(null), TlsContexts.Provider.parse(null)));
  }

  @Override
  public String name() {
    return "https-get";
  }

  @Override
  public String summary() {
    return "https-get URL [--tls 1.3|1.2|1.2-rsa] [--provider bc|jdk] [--ca PEMFILE] [-n LINES] [-m SECONDS] [-v]";
  }

  @Override
  public void run(List<String> argv, CommandIo io) {
    Args a = Args.parse(argv, List.of("--tls", "--provider", "--ca", "-n", "-m", "--max-time"),
        List.of("-v", "--verbose", "-h", "--help"));
    if (a.flag("-h") || a.flag("--help") || a.positional().size() != 1) {
      io.out("usage: " + summary());
      io.out("  fetches URL over HTTPS, verifying the certificate chain (the lab CA, or --ca) and the host name;");
      io.out("  --tls picks the versions offered (default: 1.3 and 1.2), --provider the TLS implementation");
      io.out("  (bc = Bouncy Castle JSSE, the default; jdk = SunJSSE); -n body lines shown (default "
          + DEFAULT_BODY_LINES + "); -m gives up after that many seconds (default 30); -v adds the certificates' "
          + "keys and the TLS handshake as curl -v shows it");
      io.exit(a.flag("-h") || a.flag("--help") ? 0 : 2);
      return;
    }
    HttpsTarget t;
    TlsContexts.Client tls;
    try {
      t = HttpsTarget.parse(a.positional().get(0));
      List<X509Certificate> trust;
      String label;
      String ca = a.value("--ca");
      if (ca != null) {
        trust = Pem.certificates(Files.readString(Path.of(ca)));
        label = "a CA in " + ca;
      } else if (trustPem != null && !trustPem.isBlank()) {
        trust = Pem.certificates(trustPem);
        label = "the lab CA";
      } else {
        throw new UsageException("this node trusts no CA (the lab gives none); pass --ca PEMFILE");
      }
      boolean defaults = ca == null && a.value("--tls") == null && a.value("--provider") == null;
      tls = defaults && prepared != null ? prepared.join()
          : TlsContexts.client(trust, label, TlsContexts.Version.parse(a.value("--tls")),
              TlsContexts.Provider.parse(a.value("--provider")));
    } catch (IOException e) {
      io.out("https-get: cannot read " + a.value("--ca") + ": " + e.getMessage());
      io.exit(2);
      return;
    } catch (IllegalArgumentException e) {
      io.out("https-get: " + e.getMessage());
      io.exit(2);
      return;
    }
    int lines = a.intValue("-n", DEFAULT_BODY_LINES, 0, 1_000_000);
    long maxTime = a.secondsValue(a.value("-m") != null ? "-m" : "--max-time", 30, 0.001, 3600);
    new Fetch(t, tls, lines, maxTime, a.flag("-v") || a.flag("--verbose"), io).start();
  }

  /** One fetch: resolve, connect, handshake, request, response. */
  private final class Fetch extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final HttpsTarget t;
    private final TlsContexts.Client tls;
    private final int bodyLines;
    private final long maxTimeNanos;
    private final boolean verbose;
    private final CommandIo io;
    private final Tracer tracer = net.tracer();
    private final TimeSource time = net.stack().time();
    private TimeSource.Timer deadline;
    private Channel ch;
    private TlsNarrator narrator;
    private PlaintextMeter meter;
    private SslHandler ssl;
    private String address;
    /** The connection race while it runs (Happy Eyeballs), or null. */
    private HappyEyeballs race;
    private boolean done;

    Fetch(HttpsTarget t, TlsContexts.Client tls, int bodyLines, long maxTimeNanos, boolean verbose, CommandIo io) {
      this.t = t;
      this.tls = tls;
      this.bodyLines = bodyLines;
      this.maxTimeNanos = maxTimeNanos;
      this.verbose = verbose;
      this.io = io;
    }

    void start() {
      io.onCancel(() -> finish(1, "https-get: interrupted"));
      deadline = time.schedule(() -> finish(1, "https-get: operation timed out after "
          + (maxTimeNanos / 1_000_000) + " ms"), maxTimeNanos);
      resolver.resolveAddresses(t.host(), this::connect, why -> finish(1, "https-get: could not resolve host " + t.host()
          + ": " + why));
    }

    /**
     * Connects as curl does (Happy Eyeballs, RFC 8305: IPv6 first when the node can use it, IPv4
     * 250 ms later if IPv6 has not answered); the TLS and HTTP handlers go on the connection
     * that wins.
     */
    private void connect(List<IpAddress> addresses) {
      if (done) {
        return;
      }
      address = addresses.get(0).toString();
      if (addresses.size() > 1 || !address.equals(t.host())) {
        io.out("* Host " + t.host() + " resolved to "
            + String.join(", ", addresses.stream().map(IpAddress::toString).toList()));
      }
      race = HappyEyeballs.connect(time, tracer, t.host(), t.port(), addresses,
          ip -> net.tcpClient().option(ChannelOption.ALLOW_HALF_CLOSURE, true)
              .handler(new ChannelInboundHandlerAdapter()).connect(new InetSocketAddress(ip.toInet(), t.port())),
          new HappyEyeballs.Listener() {
            @Override
            public void trying(IpAddress ip) {
              io.out("*   Trying " + ip.withPort(t.port()) + "...");
            }

            @Override
            public void connected(Channel c, IpAddress ip) {
              address = ip.toString();
              if (done) {
                c.close();
                return;
              }
              io.out("* Connected to " + t.host() + " (" + address + ") port " + t.port());
              // no SNI for an address (RFC 6066 3: literal addresses are not permitted in it)
              boolean literal = t.host().indexOf(':') >= 0 || Ipv4Address.isValid(t.host());
              io.out("* TLS handshake: offering " + offered() + (literal ? " without SNI (the URL names an address)"
                  : " with SNI " + t.host()) + " (" + tls.provider().displayName() + ")");
              // Half-closure on: the server's FIN arrives as an input-shutdown event (handled below).
              narrator = new TlsNarrator(verbose ? new Echo(tracer) : tracer, TlsEvent.Side.CLIENT);
              ssl = tls.newHandler(c.alloc(), t.host(), t.port());
              meter = new PlaintextMeter();
              c.pipeline().addLast("tls-narrator", narrator).addLast("tls", ssl).addLast("plaintext", meter)
                  .addLast("http", new HttpClientCodec()).addLast("http-aggregator", new HttpObjectAggregator(MAX_BODY))
                  .addLast("response", Fetch.this);
            }

            @Override
            public void failed(Throwable last, IpAddress ip) {
              finish(1, "https-get: failed to connect to " + t.host() + " (" + ip + ") port " + t.port() + ": "
                  + connectFailure(last));
            }
          });
    }

    private String offered() {
      return switch (tls.version()) {
        case AUTO -> "TLS 1.3 and 1.2";
        case TLS13 -> "TLS 1.3 only";
        case TLS12 -> "TLS 1.2 only";
        case TLS12_RSA -> "TLS 1.2 with RSA key transport only";
      };
    }

    private void handshakeDone() {
      if (done) {
        return;
      }
      SSLSession s = ssl.engine().getSession();
      io.out("* SSL connection using " + s.getProtocol() + " / " + s.getCipherSuite());
      printChain(x509(peerCertificates(s)));
      io.out("* SSL certificate verify ok: the chain leads to " + tls.check().trustedLabel() + " and matches "
          + t.host());
      FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, t.path());
      req.headers().set("Host", t.hostHeader())
          .set("User-Agent", USER_AGENT).set("Accept", "*/*");
      io.out("> GET " + t.path() + " HTTP/1.1");
      for (Map.Entry<String, String> h : req.headers()) {
        io.out("> " + h.getKey() + ": " + h.getValue());
      }
      io.out(">");
      long plainBefore = meter.sent();
      long recordsBefore = narrator.applicationRecordsSent();
      ch.writeAndFlush(req).addListener(f -> {
        if (f.isSuccess() && tracer.enabled()) {
          long plain = meter.sent() - plainBefore;
          long records = narrator.applicationRecordsSent() - recordsBefore;
          tracer.emit(new HttpsEvent.ClientRequest(t.host(), req.method().name(), t.path(), plain, records));
        }
      });
    }

    private void handshakeFailed(Throwable cause) {
      if (done) {
        return;
      }
      List<X509Certificate> chain = tls.check().presented();
      if (!chain.isEmpty()) {
        printChain(chain);
      }
      String rejection = tls.check().rejection();
      finish(1, rejection != null ? "https-get: " + rejection
          : "https-get: TLS handshake failed: " + TlsFailures.describe(cause, "the server"));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse resp) {
      if (done) {
        return;
      }
      long decrypted = meter.received();
      io.out("< " + resp.protocolVersion() + " " + resp.status());
      for (Map.Entry<String, String> h : resp.headers()) {
        io.out("< " + h.getKey() + ": " + h.getValue());
      }
      io.out("<");
      String body = resp.content().toString(StandardCharsets.UTF_8);
      String[] lines = body.split("\n", -1);
      int n = body.endsWith("\n") ? lines.length - 1 : lines.length;
      for (int i = 0; i < Math.min(n, bodyLines); i++) {
        io.out(lines[i]);
      }
      if (n > bodyLines) {
        io.out("* (" + (n - bodyLines) + " more lines of the body not shown; -n " + n + " shows them all)");
      }
      if (tracer.enabled()) {
        tracer.emit(new HttpsEvent.ClientResponse(t.host(), resp.status().code(), resp.status().reasonPhrase(),
            resp.content().readableBytes(), decrypted, narrator.applicationRecordsReceived()));
      }
      int code = resp.status().code();
      if (code >= 200 && code < 300) {
        finish(0, null);
      } else {
        finish(1, "https-get: the server answered " + resp.status());
      }
    }

    /** Added to the winning connection, already connected: the handshake has just begun. */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      ch = ctx.channel();
      // registered here, after the narrator's listener (it registered on the ClientHello), so
      // that the narrative's "handshake complete" comes before the request
      ssl.handshakeFuture().addListener(f -> {
        if (f.isSuccess()) {
          tlsCounters.handshakes++;
          handshakeDone();
        } else {
          tlsCounters.failures++;
          handshakeFailed(f.cause());
        }
      });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        // the server closed its side: during the handshake this fails it ("closed during the
        // handshake"); after it, the answer is not coming
        if (ssl.handshakeFuture().isSuccess()) {
          finish(1, "https-get: the server closed the connection before answering");
        }
        ctx.close();
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      // a handshake failure reports itself through the handshake future, usually before this
      ssl.handshakeFuture().addListener(f -> {
        if (f.isSuccess()) {
          finish(1, "https-get: the server closed the connection before answering");
        }
      });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (ssl.handshakeFuture().isSuccess()) {
        finish(1, "https-get: " + TlsFailures.describe(cause, "the server"));
      }
      ctx.close();
    }

    private void printChain(List<X509Certificate> chain) {
      io.out("* Server certificate chain (" + chain.size() + "):");
      for (int i = 0; i < chain.size(); i++) {
        X509Certificate c = chain.get(i);
        io.out("*  " + i + " subject: " + Certificates.subject(c));
        io.out("*    issuer: " + Certificates.issuer(c) + (Certificates.isSelfSigned(c) ? " (self-signed)" : ""));
        io.out("*    start date: " + Certificates.notBefore(c));
        io.out("*    expire date: " + Certificates.notAfter(c));
        List<String> names = Certificates.altNames(c);
        if (!names.isEmpty()) {
          io.out("*    subjectAltName: " + String.join(", ", names));
        }
        if (verbose) {
          io.out("*    public key: " + Certificates.keyDescription(c) + "; signature " + c.getSigAlgName()
              + "; serial " + c.getSerialNumber().toString(16));
        }
      }
    }

    private void finish(int code, String line) {
      if (done) {
        return;
      }
      done = true;
      if (deadline != null) {
        deadline.cancel();
      }
      if (race != null) {
        race.cancel(); // interrupted or out of time mid-race: no more attempts, none left open
      }
      if (line != null) {
        io.out(line);
      }
      if (ch != null) {
        ch.close();
      }
      io.exit(code);
    }

    /** The tracer, plus curl's lines for the TLS records on the terminal (-v). */
    private final class Echo implements Tracer {
      private final Tracer inner;
      private final CurlTlsLines curl = new CurlTlsLines();

      Echo(Tracer inner) {
        this.inner = inner;
      }

      @Override
      public boolean enabled() {
        return true;
      }

      @Override
      public void emit(emu.node.event.TraceEvent event) {
        if (!done && event instanceof TlsEvent e) {
          curl.lines(e).forEach(io::out);
        }
        if (inner.enabled()) {
          inner.emit(event);
        }
      }
    }
  }

  private static String connectFailure(Throwable cause) {
    if (cause instanceof ConnectException && String.valueOf(cause.getMessage()).toLowerCase().contains("refused")) {
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

  private static Certificate[] peerCertificates(SSLSession s) {
    try {
      return s.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return new Certificate[0];
    }
  }

  private static List<X509Certificate> x509(Certificate[] certs) {
    List<X509Certificate> out = new ArrayList<>();
    for (Certificate c : certs) {
      if (c instanceof X509Certificate x) {
        out.add(x);
      }
    }
    return out;
  }
}
