package emu.node.mgmt;

import emu.link.capture.LiveTap;
import emu.link.capture.PcapStream;
import emu.node.host.EmulatedNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The node's live captures ({@code GET /links/IF/capture}): each streams a classic pcap of what
 * one interface sends and receives as a chunked HTTP answer, one chunk per frame, flushed once
 * per turn of the node's loop (with the other frames of that turn). The bound per capture is its
 * connection's write buffer (Netty's high water mark, plus what the kernel's socket buffer
 * holds): beyond it, frames are dropped whole and counted, so a
 * reader that is slow or has stopped reading never holds up the node's loop, which forwards.
 *
 * <p>A capture ends after its count, when its client goes away (its frames no longer handed
 * out), when {@code DELETE /links/IF/capture/ID} asks (the answer: how many frames were captured
 * and dropped), or when the node stops. An ended answer carries the same counts as HTTP trailers
 * ({@value #CAPTURED}, {@value #DROPPED}); the last few ended captures' counts are kept for a
 * DELETE that comes after the end (a client that got its count of frames and asks what was
 * dropped). The answer says {@code Connection: close} and the connection closes after the trailers;
 * a DELETE that ends the capture of a reader that is not keeping up closes it at once (its trailers
 * would wait behind what it has not read). Everything here runs on the node's loop.
 */
final class LiveCaptures {
  /** The capture's id, in the answer's head: the DELETE that ends it names it. */
  static final String ID = "X-Emu-Capture";
  static final String CAPTURED = "X-Emu-Captured";
  static final String DROPPED = "X-Emu-Dropped";
  static final String CONTENT_TYPE = "application/vnd.tcpdump.pcap";
  /** Netty's bound on a capture connection's unsent bytes: past the high mark, frames are dropped. */
  static final WriteBufferWaterMark BOUND = new WriteBufferWaterMark(128 * 1024, 256 * 1024);
  /** Live captures of one interface at most: each costs a copy of every frame on the node's loop. */
  static final int PER_INTERFACE = 16;
  private static final int REMEMBERED = 64;

  private final EmulatedNode node;
  private final Map<Long, Session> live = new LinkedHashMap<>();
  private final Map<Long, Map<String, Object>> ended = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Map<String, Object>> eldest) {
      return size() > REMEMBERED;
    }
  };
  private long nextId = 1;

  LiveCaptures(EmulatedNode node) {
    this.node = node;
  }

  /**
   * Starts streaming {@code iface}'s frames on {@code ch} as the answer to its request;
   * {@link IllegalArgumentException} (nothing written) if the node has no such linked interface.
   */
  void start(Channel ch, String iface, long count) {
    LiveTap tap = node.tap(iface);
    Session s = new Session(nextId++, iface, tap, ch);
    s.stream = new PcapStream(s, ch.alloc(), count);
    ch.config().setWriteBufferWaterMark(BOUND);
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE)
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
        .set(ID, s.id)
        .set(HttpHeaderNames.TRAILER, CAPTURED + ", " + DROPPED)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    HttpUtil.setTransferEncodingChunked(head, true);
    ch.write(head);
    ch.writeAndFlush(new DefaultHttpContent(PcapStream.globalHeader(ch.alloc())));
    live.put(s.id, s);
    tap.add(s.stream);
    // attached first: if the writes failed and closed the channel, the listener runs at once and detaches it
    ch.closeFuture().addListener(s.onClose);
  }

  /** Captures running (a test's view). */
  int running() {
    return live.size();
  }

  /** Captures of {@code iface} running. */
  int running(String iface) {
    int n = 0;
    for (Session s : live.values()) {
      if (s.iface.equals(iface)) {
        n++;
      }
    }
    return n;
  }

  /** Ends capture {@code id} of {@code iface}; its counts, or null if there is no such capture. */
  Map<String, Object> stop(String iface, long id) {
    Session s = live.get(id);
    if (s != null && s.iface.equals(iface)) {
      s.finish(true, true);
    }
    Map<String, Object> counts = ended.get(id);
    return counts != null && iface.equals(counts.get("interface")) ? counts : null;
  }

  /** The node stops: every capture ends, with its trailers. */
  void closeAll() {
    for (Session s : live.values().toArray(new Session[0])) {
      s.finish(true, false);
    }
  }

  private final class Session implements PcapStream.Sink {
    final long id;
    final String iface;
    final LiveTap tap;
    final Channel ch;
    final ChannelFutureListener onClose = f -> finish(false, false);
    /** Flushes the records written during one turn of the loop together: one syscall, not one per frame. */
    final Runnable flushTask = this::flushNow;
    PcapStream stream;
    boolean done;
    boolean flushScheduled;

    Session(long id, String iface, LiveTap tap, Channel ch) {
      this.id = id;
      this.iface = iface;
      this.tap = tap;
      this.ch = ch;
    }

    @Override
    public boolean writable() {
      return ch.isWritable();
    }

    @Override
    public void record(ByteBuf record) {
      ch.write(new DefaultHttpContent(record), ch.voidPromise());
      if (!flushScheduled) {
        flushScheduled = true;
        ch.eventLoop().execute(flushTask);
      }
    }

    private void flushNow() {
      flushScheduled = false;
      ch.flush();
    }

    @Override
    public void end() {
      finish(true, false);
    }

    /**
     * {@code answer}: end the HTTP answer too (not when the client has gone), then close the
     * connection (the answer said so); {@code cutIfStuck}: if the reader is not keeping up (the
     * write buffer at its bound), close at once rather than wait for it behind what it has not read.
     */
    void finish(boolean answer, boolean cutIfStuck) {
      if (done) {
        return;
      }
      done = true;
      stream.stop();
      tap.remove(stream);
      live.remove(id);
      Map<String, Object> counts = new LinkedHashMap<>();
      counts.put("capture", id);
      counts.put("interface", iface);
      counts.put("captured", stream.captured());
      counts.put("dropped", stream.dropped());
      ended.put(id, counts);
      ch.closeFuture().removeListener(onClose);
      if (answer && ch.isActive()) {
        LastHttpContent last = new DefaultLastHttpContent();
        last.trailingHeaders().set(CAPTURED, stream.captured()).set(DROPPED, stream.dropped());
        if (cutIfStuck && !ch.isWritable()) {
          last.release();
          ch.close();
        } else {
          ch.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
        }
      }
    }
  }
}
