package emu.control.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import emu.control.controller.ControlApi;
import emu.control.controller.LabController;
import emu.control.report.Ladder;
import emu.control.report.TopologyDrawing;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The console's routes on the control API. The page and its script and style sheets are public
 * (they hold no secret: the token reaches the page only in the URL's fragment, which a browser
 * never sends); everything that shows or changes the lab needs {@code Authorization: Bearer
 * TOKEN}, as the rest of the API does. No answer carries CORS headers, so a page of another
 * origin can neither read an answer nor pass the preflight a request with that header needs.
 *
 * <pre>
 * GET  /console                          the page (console.html), and /console/console.js|console.css
 * GET  /console/drawing.css              the drawings' styles (as the report inlines them)
 * GET  /labs/LAB/console/topology        the topology drawing (SVG, {@link TopologyDrawing})
 * GET  /labs/LAB/console/feed            the live feed, text/event-stream ({@link ConsoleFeed})
 * POST /labs/LAB/nodes/NODE/exec         {"argv": ["ping", "-c", "3", "payroll"]}: a diagnostic,
 *                                        its output streamed as JSON lines ({@link Diagnostic})
 * </pre>
 */
public final class ConsoleRoutes implements ControlApi.Extension, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * The page's policy: its own script and styles only (no inline script or style), requests only
   * to this origin, no frames, no forms posting elsewhere, no plugins; blob: images for downloads.
   */
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
      + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  private static final Pattern STYLE = Pattern.compile("<style>(.*?)</style>\\s*", Pattern.DOTALL);
  private static final Map<String, String> FILES = Map.of(
      "console.html", "text/html; charset=utf-8",
      "console.js", "text/javascript; charset=utf-8",
      "console.css", "text/css; charset=utf-8");

  private final LabController controller;
  private final ConsoleFeed feed;
  private final Diagnostic diagnostic;
  private final String drawingCss;

  public ConsoleRoutes(LabController controller, Path outDir) {
    this.controller = controller;
    this.feed = new ConsoleFeed(controller, outDir);
    this.diagnostic = new Diagnostic(controller);
    this.drawingCss = styleOf(TopologyDrawing.svg(controller.topology())) + "\n"
        + styleOf(Ladder.svg(controller.topology(), List.of(), List.of(), Map.of()));
  }

  /** The console's address for a lab's API ({@code HOST:PORT}); the token goes in the fragment only. */
  public static String url(String api, String token) {
    return "http://" + api + "/console#token=" + token;
  }

  @Override
  public boolean handle(ChannelHandlerContext ctx, FullHttpRequest req, boolean authorized) {
    String path = req.uri().split("[?#]", 2)[0];
    HttpMethod method = req.method();
    if (path.equals("/console") || path.equals("/console/") || path.startsWith("/console/")) {
      String file = path.equals("/console") || path.equals("/console/") ? "console.html"
          : path.substring("/console/".length());
      if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
        send(ctx, ControlApi.answer(405, Map.of("error", "the console's files are read with GET")));
      } else if (file.equals("drawing.css")) {
        send(ctx, file(drawingCss.getBytes(StandardCharsets.UTF_8), "text/css; charset=utf-8"));
      } else if (FILES.containsKey(file)) {
        send(ctx, file(resource(file), FILES.get(file)));
      } else {
        send(ctx, ControlApi.answer(404, Map.of("error", "no console file " + file)));
      }
      return true;
    }
    List<String> p = List.of(path.replaceAll("^/+|/+$", "").split("/"));
    boolean console = p.size() == 4 && p.get(0).equals("labs") && p.get(2).equals("console");
    boolean exec = p.size() == 5 && p.get(0).equals("labs") && p.get(2).equals("nodes") && p.get(4).equals("exec");
    if (!console && !exec) {
      return false;
    }
    if (!authorized) {
      return false; // the API answers 401, as for any other resource
    }
    if (!p.get(1).equals(controller.topology().name())) {
      send(ctx, ControlApi.answer(404, Map.of("error", "no lab named " + p.get(1) + " here (this is lab "
          + controller.topology().name() + ")")));
      return true;
    }
    if (exec) {
      if (!method.equals(HttpMethod.POST)) {
        send(ctx, ControlApi.answer(405, Map.of("error", "use POST to run a command")));
      } else {
        diagnostic.run(ctx, p.get(3), req.content().toString(StandardCharsets.UTF_8));
      }
      return true;
    }
    if (!method.equals(HttpMethod.GET)) {
      send(ctx, ControlApi.answer(405, Map.of("error", "use GET")));
      return true;
    }
    switch (p.get(3)) {
      case "topology" -> send(ctx, file(withoutStyle(TopologyDrawing.svg(controller.topology()))
          .getBytes(StandardCharsets.UTF_8), "image/svg+xml; charset=utf-8"));
      case "feed" -> {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
            .set(HttpHeaderNames.CACHE_CONTROL, "no-store").set("X-Content-Type-Options", "nosniff")
            .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        HttpUtil.setTransferEncodingChunked(head, true);
        ctx.writeAndFlush(head);
        feed.subscribe(ctx.channel());
      }
      default -> send(ctx, ControlApi.answer(404, Map.of("error", "no console resource " + p.get(3)
          + " (topology, feed)")));
    }
    return true;
  }

  /** The SVG without its style element, which the page's policy would refuse: drawing.css has it. */
  static String withoutStyle(String svg) {
    return STYLE.matcher(svg).replaceFirst("");
  }

  private static String styleOf(String svg) {
    var m = STYLE.matcher(svg);
    return m.find() ? m.group(1) : "";
  }

  private static byte[] resource(String name) {
    try (InputStream in = ConsoleRoutes.class.getResourceAsStream("/emu/console/" + name)) {
      if (in == null) {
        throw new IllegalStateException("the console's " + name + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the console's " + name + ": " + e.getMessage(), e);
    }
  }

  private static FullHttpResponse file(byte[] body, String type) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        Unpooled.wrappedBuffer(body));
    HttpHeaders h = r.headers();
    h.set(HttpHeaderNames.CONTENT_TYPE, type).set(HttpHeaderNames.CACHE_CONTROL, "no-store")
        .set("Content-Security-Policy", CSP).set("X-Content-Type-Options", "nosniff")
        .set("X-Frame-Options", "DENY").set("Referrer-Policy", "no-referrer")
        .set("Cross-Origin-Resource-Policy", "same-origin");
    HttpUtil.setContentLength(r, body.length);
    return r;
  }

  private static void send(ChannelHandlerContext ctx, FullHttpResponse r) {
    ctx.writeAndFlush(r);
  }

  /** Parses a JSON object body, or null. */
  static JsonNode parse(String body) {
    try {
      JsonNode j = JSON.readTree(body.isBlank() ? "{}" : body);
      return j != null && j.isObject() ? j : null;
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public void close() {
    feed.close();
    diagnostic.close();
  }
}
