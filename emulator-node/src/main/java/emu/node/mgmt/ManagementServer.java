package emu.node.mgmt;

import emu.link.tunnel.Transports;
import emu.node.host.EmulatedNode;
import emu.node.shell.CommandIo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The node's management API: HTTP/1.1 on the node's own event loop, bound where the control
 * plane says (127.0.0.1 and a port the kernel picks, by default). Every request must be signed
 * with this node's own key and every answer proves the node knows it ({@link MgmtAuth}): the key
 * never crosses the wire, so a program that takes the port of a node that died learns nothing
 * it can use, and its answers are not believed. A request that is not signed is answered 401.
 * Over TLS with client certificates when the node runs on another machine or in a pod
 * ({@link #tls}, {@link ManagementTls}).
 *
 * <ul>
 *   <li>{@code GET /health}: 200 once the node is up.</li>
 *   <li>{@code GET /status}: interfaces, addresses, link ports and counters, as JSON.</li>
 *   <li>{@code GET /metrics}: the node's meters in Prometheus' text format ({@link NodeMetrics}),
 *       read on this loop, which owns every counter.</li>
 *   <li>{@code POST /exec} with {@code {"argv":[...]}}: runs a command; the response streams
 *       JSON lines {@code {"out":"..."}} and ends with {@code {"exit":N}}.</li>
 *   <li>{@code GET /links}; {@code POST|DELETE /links/IF/impairment}; {@code POST /links/IF/down|up}:
 *       the interfaces' state and egress impairments (tc-netem words).</li>
 *   <li>{@code POST /links/IF/peer} with {@code {"port": P}}: the peer restarted on another UDP
 *       port (its own was taken); send to and accept only that one from now on.</li>
 *   <li>{@code GET /links/IF/capture[?count=N]}: a live pcap of what the interface sends and
 *       receives, streamed ({@link LiveCaptures}); {@code DELETE /links/IF/capture/ID} ends it and
 *       answers {@code {"captured":N,"dropped":M}}.</li>
 *   <li>{@code POST /shutdown}: flushes captures and events and exits.</li>
 * </ul>
 * Errors are JSON {@code {"error":"..."}} with a 4xx status.
 */
public final class ManagementServer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final EmulatedNode node;
  private final MgmtAuth.Verifier verifier;
  private final Runnable onShutdown;
  private final HttpLimits limits;
  private final LiveCaptures captures;
  private Channel server;
  /** The port bound: requests signed for another were meant for another server. Set before serving. */
  private volatile int port;
  /** Null: plain HTTP. */
  private SslContext tls;
  /** Bound at the first scrape; touched on the node's loop only. */
  private java.util.concurrent.CompletableFuture<NodeMetrics> metrics;

  /** @param key this node's own key (its configuration's {@code management.token}), never the lab's API token */
  public ManagementServer(EmulatedNode node, String key, Runnable onShutdown) {
    this(node, key, onShutdown, HttpLimits.DEFAULT, System::currentTimeMillis);
  }

  /** {@code limits}: body size and request deadline (tests make the deadline short). */
  public ManagementServer(EmulatedNode node, String key, Runnable onShutdown, HttpLimits limits) {
    this(node, key, onShutdown, limits, System::currentTimeMillis);
  }

  /**
   * @param wallClock milliseconds since the epoch, against which requests' times are checked:
   *     the real clock (the node's emulated one may be skewed on purpose), tests' own
   */
  public ManagementServer(EmulatedNode node, String key, Runnable onShutdown, HttpLimits limits,
                          java.util.function.LongSupplier wallClock) {
    this.node = node;
    this.verifier = new MgmtAuth.Verifier(key.getBytes(StandardCharsets.UTF_8), wallClock);
    this.onShutdown = onShutdown;
    this.limits = limits;
    this.captures = new LiveCaptures(node);
  }

  /**
   * Refuses requests signed before {@code epochMs} (the node's start): see {@link MgmtAuth}. Only
   * for a node signed to on this machine's clock; call before {@link #bind}.
   */
  public ManagementServer notBefore(long epochMs) {
    verifier.notBefore(epochMs);
    return this;
  }

  /**
   * Serves HTTPS with {@code context} (see {@link ManagementTls}) instead of plain HTTP; call
   * before {@link #bind}.
   */
  public ManagementServer tls(SslContext context) {
    this.tls = context;
    return this;
  }

  /** Binds on the node's event loop; throws with the reason if the address is taken. */
  public InetSocketAddress bind(InetSocketAddress at) throws java.io.IOException {
    EventLoop loop = node.loop();
    var f = new ServerBootstrap().group(loop).channel(Transports.serverSocketChannel())
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            if (tls != null) {
              ch.pipeline().addLast(ManagementTls.handler(tls)); // before the codec: it sees only plain text
            }
            limits.install(ch.pipeline());
            // Right after the codec, so that the limits' own refusals (413) carry the proof too.
            ch.pipeline().addAfter(ch.pipeline().context(HttpServerCodec.class).name(), "proof", new Prover());
            ch.pipeline().addLast(new Handler());
          }
        })
        .bind(at).awaitUninterruptibly();
    if (!f.isSuccess()) {
      throw new java.io.IOException("node " + node.config().name() + ": cannot bind management port "
          + at.getHostString() + ":" + at.getPort() + ": " + f.cause().getMessage(), f.cause());
    }
    server = f.channel();
    InetSocketAddress bound = (InetSocketAddress) server.localAddress();
    port = bound.getPort();
    return bound;
  }

  /** Ends the live captures (their answers complete, with their counts) and stops listening. On the node's loop. */
  public void close() {
    captures.closeAll();
    if (server != null) {
      server.close();
    }
  }

  /** Why the request is refused, or null if the control plane signed it for this server. */
  private String refusal(FullHttpRequest req) {
    byte[] body = new byte[req.content().readableBytes()];
    req.content().getBytes(req.content().readerIndex(), body);
    String host = req.headers().get(HttpHeaderNames.HOST, "");
    if (!host.isEmpty() && (host.endsWith("]") || host.indexOf(':') < 0)) {
      // HTTP clients leave the scheme's default port out of Host (RFC 9110 7.2); the client signed
      // host:port as it dialled it
      host = host + ":" + (tls != null ? 443 : 80);
    }
    return verifier.check(req.headers().get(HttpHeaderNames.AUTHORIZATION), req.method().name(), host, req.uri(), body,
        port).refusal();
  }

  /**
   * Puts {@link MgmtAuth#PROOF_HEADER} on every answer, for the mac of the request it answers (the
   * one its Authorization header carries, checked or not) and this server's port: a refusal is
   * proven too, so the control plane can tell "the node refused" from "not the node"; bound to
   * the whole request's mac and to this port, a proof is of no use to anyone who did not send
   * that very request to this very port.
   */
  private final class Prover extends ChannelDuplexHandler {
    private String mac = "";

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest r) {
        mac = MgmtAuth.macOf(r.headers().get(HttpHeaderNames.AUTHORIZATION));
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof HttpResponse r) {
        r.headers().set(MgmtAuth.PROOF_HEADER, verifier.proof(mac, r.status().code(), port));
      }
      ctx.write(msg, promise);
    }
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
      if (!req.decoderResult().isSuccess()) {
        error(ctx, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
        return;
      }
      String refused = refusal(req);
      if (refused != null) {
        error(ctx, HttpResponseStatus.UNAUTHORIZED, refused);
        return;
      }
      String path = req.uri().split("\\?", 2)[0];
      HttpMethod m = req.method();
      switch (path) {
        case "/health" -> {
          if (!m.equals(HttpMethod.GET)) {
            error(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET " + path);
            return;
          }
          json(ctx, HttpResponseStatus.OK, Map.of("node", node.config().name(), "ready", true));
        }
        case "/status" -> {
          if (!m.equals(HttpMethod.GET)) {
            error(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET " + path);
            return;
          }
          json(ctx, HttpResponseStatus.OK, NodeStatus.of(node));
        }
        case "/metrics" -> {
          if (!m.equals(HttpMethod.GET)) {
            error(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET " + path);
            return;
          }
          if (metrics == null) {
            // Building the registry loads Micrometer and registers every meter: seconds on a
            // loaded machine, which must not stall the loop that forwards. It happens on another
            // thread (registering reads no counter); scrapes, which do, stay on this loop.
            metrics = java.util.concurrent.CompletableFuture.supplyAsync(() -> NodeMetrics.bind(node));
          }
          metrics.whenComplete((built, failure) -> ctx.executor().execute(() -> {
            if (failure != null) {
              error(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "metrics unavailable: " + failure);
            } else {
              text(ctx, built.scrape(), NodeMetrics.contentType());
            }
          }));
        }
        case "/exec" -> {
          if (!m.equals(HttpMethod.POST)) {
            error(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "use POST " + path);
            return;
          }
          exec(ctx, req);
        }
        case "/shutdown" -> {
          if (!m.equals(HttpMethod.POST)) {
            error(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "use POST " + path);
            return;
          }
          json(ctx, HttpResponseStatus.OK, Map.of("node", node.config().name(), "stopping", true))
              .addListener(f -> onShutdown.run());
        }
        case "/links" -> {
          if (!m.equals(HttpMethod.GET)) {
            error(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET " + path);
            return;
          }
          json(ctx, HttpResponseStatus.OK, node.linkStates());
        }
        default -> {
          if (path.startsWith("/links/")) {
            link(ctx, req, path.substring("/links/".length()));
            return;
          }
          error(ctx, HttpResponseStatus.NOT_FOUND, "no such endpoint: " + path
              + " (try /health, /status, /metrics, /exec, /links, /shutdown)");
        }
      }
    }

    /**
     * {@code POST /links/IF/impairment} with {"word": "value", ...} changes only those
     * parameters; {@code DELETE /links/IF/impairment} clears them; {@code POST /links/IF/down}
     * and {@code /up} set the link state; {@code POST /links/IF/peer} with {"port": P} moves the peer.
     */
    private void link(ChannelHandlerContext ctx, FullHttpRequest req, String rest) {
      String[] parts = rest.split("/", -1);
      if (parts.length >= 2 && parts[1].equals("capture") && !parts[0].isEmpty()) {
        capture(ctx, req, parts);
        return;
      }
      if (parts.length != 2 || parts[0].isEmpty()) {
        error(ctx, HttpResponseStatus.NOT_FOUND, "want /links/IFACE/impairment, /links/IFACE/down, "
            + "/links/IFACE/up, /links/IFACE/peer or /links/IFACE/capture");
        return;
      }
      String iface = parts[0];
      String what = parts[1];
      HttpMethod m = req.method();
      try {
        if (what.equals("impairment") && m.equals(HttpMethod.POST)) {
          JsonNode body = JSON.readTree(req.content().toString(StandardCharsets.UTF_8));
          if (body == null || !body.isObject()) {
            error(ctx, HttpResponseStatus.BAD_REQUEST, "body must be a JSON object of netem words, e.g. {\"loss\": \"5%\"}");
            return;
          }
          Map<String, String> words = new java.util.LinkedHashMap<>();
          for (var it = body.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
              error(ctx, HttpResponseStatus.BAD_REQUEST, e.getKey() + ": want a string value such as \"20ms\"");
              return;
            }
            words.put(e.getKey(), e.getValue().asText());
          }
          node.impair(iface, words);
        } else if (what.equals("impairment") && m.equals(HttpMethod.DELETE)) {
          node.clearImpairment(iface);
        } else if ((what.equals("down") || what.equals("up")) && m.equals(HttpMethod.POST)) {
          node.setLinkUp(iface, what.equals("up"));
        } else if (what.equals("peer") && m.equals(HttpMethod.POST)) {
          JsonNode body = JSON.readTree(req.content().toString(StandardCharsets.UTF_8));
          if (body == null || !body.path("port").canConvertToInt() || !body.path("port").isIntegralNumber()) {
            error(ctx, HttpResponseStatus.BAD_REQUEST, "body must be {\"port\": P}, the peer's new UDP port");
            return;
          }
          node.peerPort(iface, body.path("port").intValue());
        } else {
          error(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "use POST or DELETE /links/IFACE/impairment, POST "
              + "/links/IFACE/down, /links/IFACE/up or /links/IFACE/peer");
          return;
        }
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        error(ctx, HttpResponseStatus.BAD_REQUEST, "body is not JSON: " + e.getOriginalMessage());
        return;
      } catch (IllegalArgumentException e) {
        boolean missing = e.getMessage() != null && e.getMessage().contains("has no interface");
        error(ctx, missing ? HttpResponseStatus.NOT_FOUND : HttpResponseStatus.BAD_REQUEST, e.getMessage());
        return;
      }
      for (Map<String, Object> l : node.linkStates()) {
        if (l.get("name").equals(iface)) {
          json(ctx, HttpResponseStatus.OK, l);
          return;
        }
      }
    }

    /** {@code GET /links/IF/capture[?count=N]} streams; {@code DELETE /links/IF/capture/ID} ends one. */
    private void capture(ChannelHandlerContext ctx, FullHttpRequest req, String[] parts) {
      String iface = parts[0];
      HttpMethod m = req.method();
      if (parts.length == 2 && m.equals(HttpMethod.GET)) {
        long count = 0;
        List<String> c = new QueryStringDecoder(req.uri()).parameters().get("count");
        if (c != null) {
          try {
            count = Long.parseLong(c.get(0));
          } catch (NumberFormatException e) {
            count = -1;
          }
          if (count <= 0) {
            error(ctx, HttpResponseStatus.BAD_REQUEST, "count must be a whole number of frames, 1 or more, not '"
                + c.get(0) + "'");
            return;
          }
        }
        if (captures.running(iface) >= LiveCaptures.PER_INTERFACE) {
          error(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "interface " + iface + " has "
              + LiveCaptures.PER_INTERFACE + " live captures already, the most it takes; end one first");
          return;
        }
        try {
          captures.start(ctx.channel(), iface, count);
        } catch (IllegalArgumentException e) {
          boolean missing = e.getMessage() != null && e.getMessage().contains("has no interface");
          error(ctx, missing ? HttpResponseStatus.NOT_FOUND : HttpResponseStatus.CONFLICT, e.getMessage());
        }
        return;
      }
      if (parts.length == 3 && m.equals(HttpMethod.DELETE)) {
        Map<String, Object> counts;
        try {
          counts = captures.stop(iface, Long.parseLong(parts[2]));
        } catch (NumberFormatException e) {
          counts = null;
        }
        if (counts == null) {
          error(ctx, HttpResponseStatus.NOT_FOUND, "no capture " + parts[2] + " of interface " + iface);
        } else {
          json(ctx, HttpResponseStatus.OK, counts);
        }
        return;
      }
      error(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET /links/IFACE/capture[?count=N] or DELETE "
          + "/links/IFACE/capture/ID");
    }

    private void exec(ChannelHandlerContext ctx, FullHttpRequest req) {
      List<String> argv = new ArrayList<>();
      try {
        JsonNode body = JSON.readTree(req.content().toString(StandardCharsets.UTF_8));
        JsonNode a = body == null ? null : body.get("argv");
        if (a == null || !a.isArray()) {
          error(ctx, HttpResponseStatus.BAD_REQUEST, "body must be {\"argv\": [\"command\", \"arg\", ...]}");
          return;
        }
        for (JsonNode s : a) {
          if (!s.isTextual()) {
            error(ctx, HttpResponseStatus.BAD_REQUEST, "argv must hold strings only");
            return;
          }
          argv.add(s.asText());
        }
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        error(ctx, HttpResponseStatus.BAD_REQUEST, "body is not JSON: " + e.getOriginalMessage());
        return;
      }
      HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-ndjson");
      HttpUtil.setTransferEncodingChunked(head, true);
      ctx.writeAndFlush(head);
      Channel ch = ctx.channel();
      List<Runnable> cancels = new ArrayList<>();
      boolean[] ended = new boolean[1];
      ChannelFutureListener onClose = f -> {
        if (!ended[0]) {
          ended[0] = true;
          cancels.forEach(Runnable::run);
        }
      };
      ch.closeFuture().addListener(onClose);
      node.shell().run(argv, new CommandIo() {
        @Override
        public void out(String line) {
          if (!ended[0]) {
            ch.writeAndFlush(new DefaultHttpContent(line(Map.of("out", line))));
          }
        }

        @Override
        public void exit(int code) {
          if (ended[0]) {
            return;
          }
          ended[0] = true;
          ch.closeFuture().removeListener(onClose);
          ch.write(new DefaultHttpContent(line(Map.of("exit", code))));
          ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        }

        @Override
        public void onCancel(Runnable action) {
          cancels.add(action);
        }
      });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private static ByteBuf line(Object value) {
    try {
      byte[] b = JSON.writeValueAsBytes(value);
      ByteBuf buf = Unpooled.buffer(b.length + 1);
      buf.writeBytes(b).writeByte('\n');
      return buf;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static io.netty.channel.ChannelFuture json(ChannelHandlerContext ctx, HttpResponseStatus status, Object body) {
    ByteBuf content;
    try {
      content = Unpooled.wrappedBuffer(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    HttpUtil.setContentLength(r, content.readableBytes());
    return ctx.writeAndFlush(r);
  }

  private static void text(ChannelHandlerContext ctx, String body, String type) {
    ByteBuf content = Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8));
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    HttpUtil.setContentLength(r, content.readableBytes());
    ctx.writeAndFlush(r);
  }

  private static void error(ChannelHandlerContext ctx, HttpResponseStatus status, String message) {
    json(ctx, status, Map.of("error", message));
  }
}
