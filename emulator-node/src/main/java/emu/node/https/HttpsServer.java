package emu.node.https;

import emu.link.time.TimeSource;
import emu.node.channel.EmuTransport;
import emu.node.config.HttpsConfig;
import emu.node.event.HttpsEvent;
import emu.node.event.TlsEvent;
import emu.node.tls.PlaintextMeter;
import emu.node.tls.TlsContexts;
import emu.node.tls.TlsFailures;
import emu.node.tls.TlsNarrator;
import emu.node.trace.Tracer;
import emu.node.wire.IpAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's HTTPS service: HTTP/1.1 over TLS on the emulated TCP, as one Netty pipeline per
 * connection: {@link TlsNarrator} (the handshake and records, for the narrative), SslHandler,
 * {@link PlaintextMeter}, HttpServerCodec, HttpObjectAggregator, and a handler that serves
 * {@code HttpsConfig.content} (path to body, "/" required; 404 otherwise; text/html,
 * {@code Server: emu}; keep-alive unless the client says close).
 *
 * <p>A client that does not speak TLS (plain HTTP to port 443, garbage) fails the TLS
 * handshake: that connection is closed and counted, and the server goes on serving others.
 * Trace events: {@link HttpsEvent}: {@code https.listen} (or {@code https.error}), {@code https.request}
 * (the request and the bytes decrypted for it), {@code https.response} (status, body length,
 * the encrypted records it went in), {@code https.rejected}. Everything runs on the node's event loop; read
 * the counters there.
 *
 * <p>Idle timeout: a connection that has gone {@link #DEFAULT_IDLE_TIMEOUT_NANOS} (60 s) without a
 * complete request (counted from the accept, then from each request) is closed and counted
 * ({@link #idleClosed}), so that clients that connect and then say nothing, or keep a connection
 * open after their last request, or trickle a request byte by byte, cannot hold connections (and
 * their TLS state) for ever. 60 s: about nginx's keepalive_timeout (75 s) and Node's headers timeout
 * (60 s), longer than a browser keeps an idle connection to reuse it; timed on the node's clock.
 */
public final class HttpsServer {
  public static final int DEFAULT_PORT = 443;
  static final int MAX_REQUEST = 64 * 1024;
  static final String HTML = "text/html; charset=utf-8";
  public static final long DEFAULT_IDLE_TIMEOUT_NANOS = 60_000_000_000L;

  private final EmuTransport net;
  private final Tracer tracer;
  private final SslContext sslContext;
  private final int port;
  private final String tlsMode;
  private final String providerName;
  private final List<String> names;
  private final Map<String, byte[]> content = new LinkedHashMap<>();
  private final ChannelGroup connections;
  private final long idleTimeoutNanos;
  private ChannelFuture bound;
  private long accepted;
  private long handshakes;
  private long handshakeFailures;
  private long notTls;
  private long requests;
  private long notFound;
  private long idleClosed;

  private HttpsServer(EmuTransport net, HttpsConfig cfg, Tracer tracer, long idleTimeoutNanos) {
    if (idleTimeoutNanos <= 0) {
      throw new IllegalArgumentException("idle timeout must be positive: " + idleTimeoutNanos + " ns");
    }
    this.idleTimeoutNanos = idleTimeoutNanos;
    if (cfg.content() == null || !cfg.content().containsKey("/")) {
      throw new IllegalArgumentException("an HTTPS service needs content for \"/\"");
    }
    this.net = net;
    this.tracer = tracer == null ? Tracer.OFF : tracer;
    this.sslContext = TlsContexts.server(cfg);
    this.port = cfg.port() > 0 ? cfg.port() : DEFAULT_PORT;
    this.tlsMode = cfg.tls() == null ? "1.3" : cfg.tls();
    this.providerName = TlsContexts.Provider.parse(cfg.provider()).displayName();
    this.names = cfg.names() == null ? List.of() : List.copyOf(cfg.names());
    cfg.content().forEach((path, body) -> content.put(path, body.getBytes(StandardCharsets.UTF_8)));
    this.connections = new DefaultChannelGroup("https:" + port, net.loop());
  }

  /**
   * Starts the service on a node: builds the TLS context (bad keys, certificates or modes throw
   * {@link IllegalArgumentException} here) and binds {@code cfg.port} (443 if 0); the bind
   * completes on the node's loop ({@link #bound()}). The idle timeout is the configuration's, else
   * the default.
   */
  public static HttpsServer start(EmuTransport net, HttpsConfig cfg, Tracer tracer) {
    return start(net, cfg, tracer, cfg.idleTimeoutNanos() == null ? DEFAULT_IDLE_TIMEOUT_NANOS
        : cfg.idleTimeoutNanos());
  }

  /** {@link #start(EmuTransport, HttpsConfig, Tracer)} with another idle timeout (node clock ns, positive). */
  public static HttpsServer start(EmuTransport net, HttpsConfig cfg, Tracer tracer, long idleTimeoutNanos) {
    HttpsServer s = new HttpsServer(net, cfg, tracer, idleTimeoutNanos);
    s.bind();
    return s;
  }

  private void bind() {
    // Half-closure on: a client's FIN arrives as an input-shutdown event, and the handler closes
    // once what it wrote is flushed (see ContentHandler.userEventTriggered).
    bound = net.tcpServer().childOption(ChannelOption.ALLOW_HALF_CLOSURE, true).childHandler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        accept(ch);
      }
    }).bind(new InetSocketAddress(IpAddress.ANY6.toInet(), port));
    bound.addListener(f -> {
      if (!f.isSuccess() && tracer.enabled()) {
        String error = f.cause().getMessage();
        tracer.emit(new HttpsEvent.ListenFailed(port, error != null ? error : String.valueOf(f.cause())));
      }
      if (f.isSuccess() && tracer.enabled()) {
        tracer.emit(new HttpsEvent.Listening(port, names, tlsMode, providerName));
      }
    });
  }

  private void accept(Channel ch) {
    accepted++;
    connections.add(ch);
    TlsNarrator narrator = new TlsNarrator(tracer, TlsEvent.Side.SERVER);
    SslHandler ssl = sslContext.newHandler(ch.alloc());
    PlaintextMeter meter = new PlaintextMeter();
    IdleTimer idle = new IdleTimer(ch);
    ch.pipeline().addLast("tls-narrator", narrator).addLast("tls", ssl).addLast("plaintext", meter)
        .addLast("http", new HttpServerCodec()).addLast("http-aggregator", new HttpObjectAggregator(MAX_REQUEST))
        .addLast("content", new ContentHandler(narrator, meter, idle));
    ssl.handshakeFuture().addListener(f -> {
      if (f.isSuccess()) {
        handshakes++;
        return;
      }
      if (idle.fired) {
        return; // closed for idling before the handshake: counted as that, not as a failed handshake
      }
      boolean plain = isNotTls(f.cause());
      if (plain) {
        notTls++;
      } else {
        handshakeFailures++;
      }
      if (tracer.enabled()) {
        tracer.emit(new HttpsEvent.Rejected(peer(ch), TlsFailures.describe(f.cause(), "the client"), plain, notTls,
            handshakeFailures));
      }
      // the SslHandler flushes its alert and closes on its own; this only makes sure, a moment later
      ch.eventLoop().execute(ch::close);
    });
  }

  private static boolean isNotTls(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof NotSslRecordException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Closes its connection once it has gone the idle timeout without a complete request: one timer
   * on the node's clock, re-armed for what is left when it fires early, cancelled on close.
   */
  private final class IdleTimer {
    private final Channel ch;
    private long lastRequest;
    private TimeSource.Timer timer;
    boolean fired;

    IdleTimer(Channel ch) {
      this.ch = ch;
      this.lastRequest = net.stack().time().nanos();
      arm(idleTimeoutNanos);
      ch.closeFuture().addListener(f -> timer.cancel());
    }

    void request() {
      lastRequest = net.stack().time().nanos();
    }

    private void arm(long delay) {
      timer = net.stack().time().schedule(this::fire, delay);
    }

    private void fire() {
      if (!ch.isOpen()) {
        return;
      }
      long idle = net.stack().time().nanos() - lastRequest;
      if (idle < idleTimeoutNanos) {
        arm(idleTimeoutNanos - idle);
        return;
      }
      idleClosed++;
      fired = true;
      ch.close();
    }
  }

  /** Serves the configured pages; one per connection. */
  private final class ContentHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final TlsNarrator narrator;
    private final PlaintextMeter meter;
    private final IdleTimer idle;
    private long plaintextSeen;

    ContentHandler(TlsNarrator narrator, PlaintextMeter meter, IdleTimer idle) {
      this.narrator = narrator;
      this.meter = meter;
      this.idle = idle;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      requests++;
      idle.request();
      long decrypted = meter.received() - plaintextSeen;
      plaintextSeen = meter.received();
      if (!req.decoderResult().isSuccess()) {
        respond(ctx, req, HttpResponseStatus.BAD_REQUEST, page("400 Bad Request", "The request did not parse."), false);
        return;
      }
      String path = new QueryStringDecoder(req.uri()).path();
      if (tracer.enabled()) {
        tracer.emit(new HttpsEvent.Request(peer(ctx.channel()), req.method().name(), path,
            req.headers().get(HttpHeaderNames.HOST), decrypted));
      }
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
        respond(ctx, req, HttpResponseStatus.METHOD_NOT_ALLOWED, page("405 Method Not Allowed",
            "This server only serves pages (GET, HEAD)."), keepAlive);
        return;
      }
      byte[] body = content.get(path);
      if (body == null) {
        notFound++;
        respond(ctx, req, HttpResponseStatus.NOT_FOUND, page("404 Not Found", "There is no page " + escape(path)
            + " on this server."), keepAlive);
      } else {
        respond(ctx, req, HttpResponseStatus.OK, body, keepAlive);
      }
    }

    private void respond(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, byte[] body,
                         boolean keepAlive) {
      boolean head = req.method().equals(HttpMethod.HEAD);
      ByteBuf content = head ? Unpooled.EMPTY_BUFFER : ctx.alloc().buffer(body.length).writeBytes(body);
      FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
      // header names as most HTTP/1.1 servers write them
      resp.headers().set("Content-Type", HTML)
          .set("Content-Length", body.length)
          .set("Server", "emu")
          .set("Date", DateFormatter.format(new Date(net.stack().time().epochNanos() / 1_000_000)));
      if (status == HttpResponseStatus.METHOD_NOT_ALLOWED) {
        resp.headers().set("Allow", "GET, HEAD");
      }
      if (!keepAlive) {
        resp.headers().set("Connection", HttpHeaderValues.CLOSE);
      }
      long recordsBefore = narrator.applicationRecordsSent();
      long plainBefore = meter.sent();
      ChannelFuture w = ctx.writeAndFlush(resp);
      w.addListener(f -> {
        if (f.isSuccess() && tracer.enabled()) {
          long records = narrator.applicationRecordsSent() - recordsBefore;
          tracer.emit(new HttpsEvent.Response(peer(ctx.channel()), status.code(), status.reasonPhrase(),
              head ? 0 : body.length, meter.sent() - plainBefore, records));
        }
      });
      if (!keepAlive) {
        w.addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        // the client sent its FIN: nothing more will come; close after what is already written
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // TLS failures are counted by the handshake listener; any error ends this connection only
      ctx.close();
    }
  }

  private static byte[] page(String title, String text) {
    return ("<!DOCTYPE html>\n<html><head><title>" + title + "</title></head>\n<body><h1>" + title + "</h1>\n<p>"
        + text + "</p></body></html>\n").getBytes(StandardCharsets.UTF_8);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  static String peer(Channel ch) {
    if (ch.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null) {
      return IpAddress.of(a.getAddress()).withPort(a.getPort()); // [v6]:port for IPv6
    }
    return String.valueOf(ch.remoteAddress());
  }

  /** Completes when the port is bound (or failed to bind). */
  public ChannelFuture bound() {
    return bound;
  }

  public int port() {
    return port;
  }

  /** Stops listening and closes the open connections. */
  public void close() {
    if (bound != null) {
      bound.channel().close();
    }
    connections.close();
  }

  /** TCP connections accepted. */
  public long accepted() {
    return accepted;
  }

  /** TLS handshakes completed. */
  public long handshakes() {
    return handshakes;
  }

  /** TLS handshakes that failed for another reason than the peer not speaking TLS (alerts, timeouts). */
  public long handshakeFailures() {
    return handshakeFailures;
  }

  /** Connections closed because what arrived was not TLS (plain HTTP, garbage). */
  public long notTls() {
    return notTls;
  }

  /** HTTP requests answered (any status). */
  public long requests() {
    return requests;
  }

  public long notFound() {
    return notFound;
  }

  /** Connections closed by the idle timeout (no complete request for that long). */
  public long idleClosed() {
    return idleClosed;
  }
}
