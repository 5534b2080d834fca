package emu.control.controller;

import emu.link.tunnel.Transports;
import emu.node.mgmt.HttpLimits;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The control plane's HTTP/JSON API, shaped like Toxiproxy's: resources are labs, nodes, links
 * and their impairments; a POST changes only what it names; {@code POST /reset} clears
 * everything; {@code GET /metrics} is Prometheus text. Bound to 127.0.0.1 unless told
 * otherwise; every request must carry the lab token as {@code Authorization: Bearer TOKEN}.
 * Errors are {@code {"error": "..."}} with a 4xx status, and change nothing.
 *
 * <pre>
 * GET    /labs                                  the lab (a list, as Toxiproxy lists proxies)
 * GET    /labs/LAB                              nodes, links, impairments, partition, fault plan
 * GET    /labs/LAB/nodes[/NODE]
 * POST   /labs/LAB/nodes/NODE/kill|restart|pause|resume
 * GET    /labs/LAB/stats[/NODE]                 every node's metrics (as emu stats --json)
 * GET    /labs/LAB/links[/NODE:IF]
 * POST   /labs/LAB/links/NODE:IF/impairment     {"delay": "20ms", "loss": "5%", ...}
 * DELETE /labs/LAB/links/NODE:IF/impairment
 * POST   /labs/LAB/links/NODE:IF/down|up
 * GET    /labs/LAB/links/NODE:IF/capture[?count=N]   a live pcap, streamed (application/vnd.tcpdump.pcap)
 * POST   /labs/LAB/partition                    {"nodes": ["client", "printer"]}
 * POST   /labs/LAB/heal
 * POST   /labs/LAB/shutdown
 * POST   /reset
 * GET    /metrics
 * </pre>
 *
 * <p>An {@link Extension} (the browser console) may serve more paths; it sees each request
 * first, with whether it carries the token, and must refuse data and actions without it.
 */
public final class ControlApi implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Threads answering requests, and requests that may wait for one (see the constructor). */
  private static final int WORKERS = 8;
  private static final int QUEUED = 32;

  private final LabController controller;
  private final byte[] token;
  private final Runnable onShutdown;
  private final ControlMetrics metrics = new ControlMetrics();
  private final EventLoopGroup group = Transports.singleThreadGroup();
  private final HttpLimits limits;
  private final ThreadPoolExecutor workers;
  private Channel server;
  private volatile Extension extension;

  /**
   * More routes on the same server (the console, which lives in a package above this one):
   * asked first for every well-formed request.
   */
  public interface Extension {
    /**
     * Answers {@code req} and returns true, or returns false to leave it to the API. {@code authorized}:
     * the request carries the lab's token; anything but public static files must require it.
     */
    boolean handle(ChannelHandlerContext ctx, FullHttpRequest req, boolean authorized);
  }

  /** Serves {@code e}'s routes too (before binding, or at any time). */
  public void extend(Extension e) {
    this.extension = e;
  }

  public ControlApi(LabController controller, String token, Runnable onShutdown) {
    this(controller, token, onShutdown, HttpLimits.DEFAULT, WORKERS, QUEUED);
  }

  /**
   * {@code limits}: body size and request deadline; {@code workers} threads answer requests (most
   * wait for the controller's one thread), {@code queued} more may wait for one, and any request
   * beyond is answered 503 at once: a stuck controller then costs a bounded number of threads.
   */
  public ControlApi(LabController controller, String token, Runnable onShutdown, HttpLimits limits, int workers,
                    int queued) {
    this.controller = controller;
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.onShutdown = onShutdown;
    this.limits = limits;
    this.workers = new ThreadPoolExecutor(workers, workers, 30, TimeUnit.SECONDS,
        queued == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queued), r -> {
          Thread t = new Thread(r, "emu-api");
          t.setDaemon(true);
          return t;
        });
    this.workers.allowCoreThreadTimeOut(true);
  }

  /** Binds; throws with the reason if the address is taken. Returns the address bound. */
  public InetSocketAddress bind(InetSocketAddress at) throws IOException {
    var f = new ServerBootstrap().group(group).channel(Transports.serverSocketChannel())
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            limits.install(ch.pipeline());
            ch.pipeline().addLast(new Handler());
          }
        }).bind(at).awaitUninterruptibly();
    if (!f.isSuccess()) {
      throw new IOException("control API cannot bind " + at.getHostString() + ":" + at.getPort() + ": "
          + f.cause().getMessage(), f.cause());
    }
    server = f.channel();
    return (InetSocketAddress) server.localAddress();
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().awaitUninterruptibly();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownNow();
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      if (!req.decoderResult().isSuccess()) { // a header line past the codec's bounds, say
        ctx.writeAndFlush(response(400, Map.of("error", "malformed HTTP request"))).addListener(
            io.netty.channel.ChannelFutureListener.CLOSE);
        return;
      }
      Extension ext = extension;
      if (ext != null && ext.handle(ctx, req, authorized(req))) {
        return;
      }
      if (!authorized(req)) {
        respond(ctx, 401, Map.of("error", "missing or wrong lab token (send Authorization: Bearer TOKEN; the "
            + "token is in the lab's state folder)"));
        return;
      }
      String path = req.uri().split("\\?", 2)[0];
      HttpMethod method = req.method();
      List<String> p = List.of(path.replaceAll("^/+|/+$", "").split("/"));
      if (method.equals(HttpMethod.GET) && p.size() == 5 && p.get(0).equals("labs") && p.get(2).equals("links")
          && p.get(4).equals("capture")) {
        capture(ctx, p.get(1), p.get(3), new QueryStringDecoder(req.uri()).parameters().get("count"));
        return;
      }
      String body = req.content().toString(StandardCharsets.UTF_8);
      CompletableFuture<Object> answer;
      try {
        answer = CompletableFuture.supplyAsync(() -> route(method, path, body), workers);
      } catch (RejectedExecutionException e) {
        busy(ctx);
        return;
      }
      answer.whenComplete((result, error) -> {
        if (error == null) {
          respond(ctx, 200, result);
        } else {
          Throwable c = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
          if (c instanceof ApiException a) {
            respond(ctx, a.status(), Map.of("error", a.getMessage()));
          } else {
            respond(ctx, 500, Map.of("error", String.valueOf(c)));
          }
        }
      });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /**
   * {@code GET /labs/LAB/links/NODE:IF/capture[?count=N]}: relays the node's live pcap as it comes,
   * one chunk at a time, asking the node for the next only once the client's socket took the last:
   * a client that reads slowly or not at all backs the stream up to the node, which drops frames
   * and counts them (the node's loop is never held up, nor a thread here). Ends as the node's stream
   * ends, with the counts as trailers ({@code X-Emu-Captured}, {@code X-Emu-Dropped}); a client that
   * goes away ends the node's capture.
   */
  private void capture(ChannelHandlerContext ctx, String lab, String endpoint, List<String> countParam) {
    long count = 0;
    if (countParam != null) {
      try {
        count = Long.parseLong(countParam.get(0));
      } catch (NumberFormatException e) {
        count = -1;
      }
      if (count <= 0) {
        respond(ctx, 400, Map.of("error", "count must be a whole number of frames, 1 or more, not '"
            + countParam.get(0) + "'"));
        return;
      }
    }
    long n = count;
    String iface = endpoint.substring(endpoint.indexOf(':') + 1);
    CompletableFuture<emu.control.process.NodeClient> client;
    try {
      client = CompletableFuture.supplyAsync(() -> {
        if (!lab.equals(controller.topology().name())) {
          throw ApiException.notFound("no lab named " + lab + " here (this is lab " + controller.topology().name()
              + ")");
        }
        return controller.captureClient(endpoint);
      }, workers);
    } catch (RejectedExecutionException e) {
      busy(ctx);
      return;
    }
    client.thenCompose(c -> c.captureAsync(iface, n).thenApply(a -> Map.entry(c, a)))
        .whenComplete((started, error) -> ctx.executor().execute(() -> {
          if (error != null) {
            Throwable c = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
            if (c instanceof ApiException a) {
              respond(ctx, a.status(), Map.of("error", a.getMessage()));
            } else {
              respond(ctx, 502, Map.of("error", "node of " + endpoint + " did not answer: " + c.getMessage()));
            }
            return;
          }
          emu.control.process.NodeClient.CaptureAnswer a = started.getValue();
          if (a.status() != 200) {
            respond(ctx, a.status() >= 400 && a.status() < 500 || a.status() == 503 ? a.status() : 502,
                Map.of("error", endpoint + ": " + a.error()));
            return;
          }
          HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
          head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/vnd.tcpdump.pcap")
              .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
              .set(HttpHeaderNames.TRAILER, CAPTURED + ", " + DROPPED)
              .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
          HttpUtil.setTransferEncodingChunked(head, true);
          ctx.writeAndFlush(head);
          a.body().subscribe(new CaptureRelay(ctx.channel(), started.getKey(), iface, a.id()));
        }));
  }

  static final String CAPTURED = "X-Emu-Captured";
  static final String DROPPED = "X-Emu-Dropped";

  /** Copies the node's pcap chunks to the client, one in flight at a time (see {@link #capture}). */
  private final class CaptureRelay implements Flow.Subscriber<List<ByteBuffer>> {
    private final Channel ch;
    private final emu.control.process.NodeClient node;
    private final String iface;
    private final long id;
    private Flow.Subscription subscription;
    private volatile boolean gone;
    /** Ends the node's capture if the client goes away first; removed once the answer ends. */
    private final ChannelFutureListener onClose = f -> {
      if (!gone) {
        gone = true;
        subscription.cancel();
        try {
          workers.execute(this::stopAtNode);
        } catch (RejectedExecutionException e) {
          // busy: the node ends the capture when the cancelled connection closes
        }
      }
    };

    CaptureRelay(Channel ch, emu.control.process.NodeClient node, String iface, long id) {
      this.ch = ch;
      this.node = node;
      this.iface = iface;
      this.id = id;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      ch.closeFuture().addListener(onClose);
      s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
      ByteBuf b = Unpooled.copiedBuffer(item.toArray(new ByteBuffer[0]));
      ch.writeAndFlush(new DefaultHttpContent(b)).addListener(f -> {
        if (f.isSuccess()) {
          subscription.request(1);
        }
      });
    }

    @Override
    public void onError(Throwable t) {
      if (!gone) {
        gone = true;
        ch.closeFuture().removeListener(onClose);
        ch.close(); // the client sees the chunked answer cut short: the node went away
      }
    }

    @Override
    public void onComplete() {
      // the node ended the stream: the close that follows must not ask it again
      gone = true;
      ch.closeFuture().removeListener(onClose);
      CompletableFuture<JsonNode> counts;
      try {
        counts = CompletableFuture.supplyAsync(this::stopAtNode, workers);
      } catch (RejectedExecutionException e) {
        counts = CompletableFuture.completedFuture(null); // busy: the end without the counts
      }
      counts.whenComplete((c, e) -> ch.eventLoop().execute(() -> {
        LastHttpContent last = new DefaultLastHttpContent();
        if (c != null) {
          last.trailingHeaders().set(CAPTURED, c.path("captured").asLong()).set(DROPPED, c.path("dropped").asLong());
        }
        ch.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE); // the answer said Connection: close
      }));
    }

    /** Ends the node's capture (if it still runs) and returns its counts, or null. */
    private JsonNode stopAtNode() {
      try {
        emu.control.process.NodeClient.Reply r = node.stopCapture(iface, id);
        return r.status() == 200 ? r.body() : null;
      } catch (IOException e) {
        return null;
      }
    }
  }

  /** Every worker busy and the queue full: 503 at once (RFC 9110 15.6.4), and when to retry. */
  private void busy(ChannelHandlerContext ctx) {
    FullHttpResponse r = response(503, Map.of("error", "the control API is busy (" + workers.getActiveCount()
        + " requests in progress, " + workers.getQueue().size() + " waiting); retry shortly"));
    r.headers().set(HttpHeaderNames.RETRY_AFTER, 1);
    ctx.writeAndFlush(r);
  }

  private boolean authorized(FullHttpRequest req) {
    String h = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    return h != null && h.startsWith("Bearer ")
        && MessageDigest.isEqual(token, h.substring(7).trim().getBytes(StandardCharsets.UTF_8));
  }

  /** Dispatches one request; returns the JSON body (or a String for text) or throws ApiException. */
  Object route(HttpMethod method, String path, String body) {
    List<String> p = new ArrayList<>(List.of(path.replaceAll("^/+|/+$", "").split("/")));
    String lab = controller.topology().name();
    boolean get = method.equals(HttpMethod.GET);
    boolean post = method.equals(HttpMethod.POST);
    if (p.equals(List.of("metrics")) && get) {
      return new Text(metrics.scrape(controller.status()));
    }
    if (p.equals(List.of("reset")) && post) {
      return controller.reset();
    }
    if (p.equals(List.of("labs")) && get) {
      Map<String, Object> s = controller.status();
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("name", s.get("lab"));
      summary.put("topology", s.get("topology"));
      summary.put("nodes", ((List<?>) s.get("nodes")).size());
      summary.put("links", ((List<?>) s.get("links")).size());
      return List.of(summary);
    }
    if (p.size() < 2 || !p.get(0).equals("labs")) {
      throw ApiException.notFound("no such resource: " + path + " (see GET /labs)");
    }
    if (!p.get(1).equals(lab)) {
      throw ApiException.notFound("no lab named " + p.get(1) + " here (this is lab " + lab + ")");
    }
    List<String> r = p.subList(2, p.size());
    if (r.isEmpty() && get) {
      return controller.status();
    }
    String what = r.isEmpty() ? "" : r.get(0);
    switch (what) {
      case "nodes" -> {
        if (r.size() == 1 && get) {
          return controller.status().get("nodes");
        }
        if (r.size() == 2 && get) {
          requireNode(r.get(1));
          return controller.nodeJson(r.get(1));
        }
        if (r.size() == 3 && post) {
          return controller.node(r.get(1), r.get(2));
        }
      }
      case "links" -> {
        if (r.size() == 1 && get) {
          return controller.status().get("links");
        }
        if (r.size() == 2 && get) {
          return linkOf(r.get(1));
        }
        if (r.size() == 3 && r.get(2).equals("impairment") && post) {
          return controller.impair(r.get(1), words(body));
        }
        if (r.size() == 3 && r.get(2).equals("impairment") && method.equals(HttpMethod.DELETE)) {
          return controller.clear(r.get(1));
        }
        if (r.size() == 3 && (r.get(2).equals("down") || r.get(2).equals("up")) && post) {
          return controller.linkState(r.get(1), r.get(2).equals("up"));
        }
      }
      case "stats" -> {
        if (r.size() == 1 && get) {
          return controller.stats(null);
        }
        if (r.size() == 2 && get) {
          requireNode(r.get(1));
          return controller.stats(List.of(r.get(1))).path("nodes").path(0);
        }
      }
      case "partition" -> {
        if (r.size() == 1 && post) {
          JsonNode j = parse(body);
          JsonNode nodes = j.get("nodes");
          if (nodes == null || !nodes.isArray()) {
            throw ApiException.badRequest("body must be {\"nodes\": [\"NODE\", ...]}");
          }
          List<String> names = new ArrayList<>();
          nodes.forEach(n -> names.add(n.asText()));
          return controller.partition(names);
        }
      }
      case "heal" -> {
        if (r.size() == 1 && post) {
          return controller.heal();
        }
      }
      case "shutdown" -> {
        if (r.size() == 1 && post) {
          // its own thread: a shutdown is never refused for a busy API
          Thread stop = new Thread(onShutdown, "emu-api-shutdown");
          stop.setDaemon(true);
          stop.start();
          return Map.of("lab", lab, "stopping", true);
        }
      }
      default -> { }
    }
    throw new ApiException(method.equals(HttpMethod.GET) || post || method.equals(HttpMethod.DELETE) ? 404 : 405,
        "no such resource or method: " + method + " " + path);
  }

  private void requireNode(String node) {
    if (controller.topology().node(node) == null) {
      throw ApiException.notFound("no node named " + node + " in lab " + controller.topology().name());
    }
  }

  @SuppressWarnings("unchecked")
  private Object linkOf(String endpoint) {
    for (Object o : (List<Object>) controller.status().get("links")) {
      Map<String, Object> l = (Map<String, Object>) o;
      if (((Map<String, Object>) l.get("impairments")).containsKey(endpoint)) {
        return l;
      }
    }
    throw ApiException.notFound("no link endpoint '" + endpoint + "' in lab " + controller.topology().name());
  }

  private static JsonNode parse(String body) {
    try {
      JsonNode j = JSON.readTree(body.isBlank() ? "{}" : body);
      if (j == null || !j.isObject()) {
        throw ApiException.badRequest("body must be a JSON object");
      }
      return j;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw ApiException.badRequest("body is not JSON: " + e.getOriginalMessage());
    }
  }

  private static Map<String, String> words(String body) {
    Map<String, String> w = new LinkedHashMap<>();
    for (var it = parse(body).fields(); it.hasNext(); ) {
      var e = it.next();
      if (!e.getValue().isValueNode() || e.getValue().isNull()) {
        throw ApiException.badRequest(e.getKey() + ": want a string value such as \"20ms\" or \"5%\"");
      }
      w.put(e.getKey(), e.getValue().asText());
    }
    return w;
  }

  /** A plain-text body (Prometheus exposition). */
  private record Text(String text) {}

  /** A complete JSON (or {@link #text}) answer with the API's headers, for extensions. */
  public static FullHttpResponse answer(int status, Object body) {
    return response(status, body);
  }

  private static void respond(ChannelHandlerContext ctx, int status, Object body) {
    ctx.writeAndFlush(response(status, body));
  }

  private static FullHttpResponse response(int status, Object body) {
    byte[] bytes;
    String type;
    try {
      if (body instanceof Text t) {
        bytes = t.text().getBytes(StandardCharsets.UTF_8);
        type = "text/plain; version=0.0.4; charset=utf-8";
      } else {
        bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
        type = "application/json";
      }
    } catch (IOException e) {
      bytes = ("{\"error\":\"cannot encode the answer\"}").getBytes(StandardCharsets.UTF_8);
      type = "application/json";
      status = 500;
    }
    ByteBuf content = Unpooled.wrappedBuffer(bytes);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), content);
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    // a browser must take JSON as JSON (never sniff it into a page), and keep no copy of lab data
    r.headers().set("X-Content-Type-Options", "nosniff").set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    HttpUtil.setContentLength(r, bytes.length);
    return r;
  }
}
