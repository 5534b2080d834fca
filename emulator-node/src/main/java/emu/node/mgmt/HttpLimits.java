package emu.node.mgmt;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The bounds of emu's HTTP servers (a node's management API, the control API), so that no client
 * can hold memory or a connection without end: a request body larger than {@code maxBodyBytes}
 * is answered 413 as soon as its headers say so (or, chunked, once it grows past the bound), and
 * the connection closed, nothing of the body buffered; a connection must bring a whole request
 * within {@code requestTimeoutMillis} of opening or of its previous answer, or it is closed. That
 * deadline runs from the first byte, not from the last: a client trickling its headers a byte at a
 * time (slowloris) is closed as surely as one that sends nothing, which Netty's
 * ReadTimeoutHandler, reset by every read, would not do. Header lines are bounded by the codec
 * (4 KiB request line, 8 KiB of headers: Netty's defaults, answered 400).
 */
public record HttpLimits(int maxBodyBytes, long requestTimeoutMillis) {
  /** 1 MiB of body (the largest request is a command line or a list of nodes), 30 s per request. */
  public static final HttpLimits DEFAULT = new HttpLimits(1 << 20, 30_000);

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Adds the HTTP codec and these bounds to {@code p}; the application's handler goes after. */
  public void install(ChannelPipeline p) {
    p.addLast(new HttpServerCodec(), new BoundedAggregator(maxBodyBytes), new RequestDeadline(requestTimeoutMillis));
  }

  /** Netty's aggregator, but an oversized request always closes its connection (with a JSON error). */
  private static final class BoundedAggregator extends HttpObjectAggregator {
    BoundedAggregator(int maxBodyBytes) {
      super(maxBodyBytes);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      // Netty keeps a keep-alive connection open and reads (and drops) the rest of the body,
      // however long: a client could stream forever. Closing is what RFC 9110 15.5.14 allows.
      byte[] body;
      try {
        body = JSON.writeValueAsBytes(Map.of("error", "request body larger than " + maxContentLength() + " bytes"));
      } catch (java.io.IOException e) {
        body = new byte[0];
      }
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(body));
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      HttpUtil.setContentLength(r, body.length);
      ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /**
   * Closes the connection unless a whole request arrives within the deadline of its opening or
   * of the end of the last answer. No deadline while a request is being answered: a node's
   * {@code /exec} streams for as long as its command runs.
   */
  private static final class RequestDeadline extends ChannelDuplexHandler {
    private final long millis;
    private ScheduledFuture<?> timer;
    /** Requests received and not yet answered in full (HTTP/1.1 pipelining). */
    private int unanswered;

    RequestDeadline(long millis) {
      this.millis = millis;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      arm(ctx);
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof FullHttpRequest) {
        unanswered++;
        disarm();
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof LastHttpContent) {
        ChannelPromise p = promise.unvoid();
        p.addListener(f -> {
          if (--unanswered <= 0) {
            unanswered = 0;
            arm(ctx);
          }
        });
        ctx.write(msg, p);
      } else {
        ctx.write(msg, promise);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      disarm();
      ctx.fireChannelInactive();
    }

    private void arm(ChannelHandlerContext ctx) {
      disarm();
      if (ctx.channel().isActive()) {
        timer = ctx.executor().schedule(() -> {
          ctx.close();
        }, millis, TimeUnit.MILLISECONDS);
      }
    }

    private void disarm() {
      if (timer != null) {
        timer.cancel(false);
        timer = null;
      }
    }
  }
}
