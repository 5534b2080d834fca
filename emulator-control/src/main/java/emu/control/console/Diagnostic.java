package emu.control.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import emu.control.controller.ControlApi;
import emu.control.controller.LabController;
import emu.control.lab.Lab;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /labs/LAB/nodes/NODE/exec}: runs one of the console's diagnostics on a node, as
 * {@code emu exec} does ({@link Lab#exec}), and streams its output as it comes, one JSON object a
 * line: {@code {"line": "..."}} for each output line, then {@code {"exit": N}} (or {@code
 * {"error": "..."}}). Only the diagnostics the console offers are run ({@link #ALLOWED}): the
 * page needs no more, and a stolen page cannot then run anything else on a linux node. At most
 * {@link #AT_ONCE} run at a time; more are answered 503.
 */
final class Diagnostic implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Set<String> ALLOWED = Set.of("ping", "traceroute", "resolve", "https-get");
  static final int AT_ONCE = 4;
  private static final int MAX_ARGS = 32;

  private final LabController controller;
  private final ThreadPoolExecutor runners = new ThreadPoolExecutor(AT_ONCE, AT_ONCE, 30, TimeUnit.SECONDS,
      new SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "emu-console-exec");
        t.setDaemon(true);
        return t;
      });

  Diagnostic(LabController controller) {
    this.controller = controller;
    runners.allowCoreThreadTimeOut(true);
  }

  void run(ChannelHandlerContext ctx, String node, String body) {
    JsonNode j = ConsoleRoutes.parse(body);
    JsonNode a = j == null ? null : j.get("argv");
    if (a == null || !a.isArray() || a.isEmpty() || a.size() > MAX_ARGS) {
      ctx.writeAndFlush(ControlApi.answer(400, Map.of("error", "body must be {\"argv\": [\"ping\", \"-c\", \"3\", "
          + "\"ADDRESS\"]} (1 to " + MAX_ARGS + " words)")));
      return;
    }
    List<String> argv = new ArrayList<>();
    for (JsonNode w : a) {
      if (!w.isTextual()) {
        ctx.writeAndFlush(ControlApi.answer(400, Map.of("error", "argv: every word must be a string")));
        return;
      }
      argv.add(w.asText());
    }
    if (!ALLOWED.contains(argv.get(0))) {
      ctx.writeAndFlush(ControlApi.answer(400, Map.of("error", "the console runs only " + String.join(", ",
          ALLOWED.stream().sorted().toList()) + " (not '" + argv.get(0) + "'); ./emu exec runs anything")));
      return;
    }
    Lab lab = controller.lab();
    if (lab.state().node(node) == null) {
      ctx.writeAndFlush(ControlApi.answer(404, Map.of("error", "no node named " + node + " in lab "
          + lab.state().name())));
      return;
    }
    if (!lab.running(node)) {
      ctx.writeAndFlush(ControlApi.answer(409, Map.of("error", "node " + node + " is not running")));
      return;
    }
    Channel ch = ctx.channel();
    try {
      runners.execute(() -> {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-ndjson; charset=utf-8")
            .set(HttpHeaderNames.CACHE_CONTROL, "no-store").set("X-Content-Type-Options", "nosniff")
            .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        HttpUtil.setTransferEncodingChunked(head, true);
        ch.writeAndFlush(head);
        Object end;
        try {
          int code = lab.exec(node, argv, line -> write(ch, Map.of("line", line)));
          end = Map.of("exit", code);
        } catch (IOException | RuntimeException e) {
          end = Map.of("error", String.valueOf(e.getMessage()));
        }
        write(ch, end);
        ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
      });
    } catch (RejectedExecutionException e) {
      ctx.writeAndFlush(ControlApi.answer(503, Map.of("error", AT_ONCE + " diagnostics are already running; "
          + "retry when one ends")));
    }
  }

  /** One JSON line; dropped if the page went away (the command still runs to its end). */
  private static void write(Channel ch, Object o) {
    if (!ch.isActive()) {
      return;
    }
    try {
      byte[] b = (JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
      ch.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(b)));
    } catch (IOException e) {
      // a String map always encodes
    }
  }

  @Override
  public void close() {
    runners.shutdownNow();
  }
}
