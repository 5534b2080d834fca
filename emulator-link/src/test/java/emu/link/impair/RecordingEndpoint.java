package emu.link.impair;

import emu.link.FrameReceiver;
import emu.link.LinkCounters;
import emu.link.LinkEndpoint;
import emu.link.time.VirtualTime;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inner endpoint for impairment tests: records each frame it is sent (virtual time,
 * sequence number, bytes) and releases it, unless asked to keep the buffers (then
 * {@link #releaseKept()} must be called).
 */
final class RecordingEndpoint implements LinkEndpoint {
  /** Where {@link #frame} writes the sequence number: just after the Ethernet header. */
  static final int SEQ_OFFSET = 14;

  record Arrival(long time, int seq, byte[] bytes) {}

  final List<Arrival> arrivals = new ArrayList<>();
  final List<ByteBuf> kept = new ArrayList<>();
  final LinkCounters counters = new LinkCounters();
  private final VirtualTime time;
  private final int mtu;
  boolean keep;
  /** Copy each frame's bytes into its {@link Arrival} (off for long statistical runs). */
  boolean recordBytes = true;
  boolean closed;
  FrameReceiver receiver;

  RecordingEndpoint(VirtualTime time) {
    this(time, 1500);
  }

  RecordingEndpoint(VirtualTime time, int mtu) {
    this.time = time;
    this.mtu = mtu;
  }

  /**
   * A frame of {@code length} bytes (at least 18): a fixed Ethernet header, the sequence number
   * at byte 14, then bytes counting up. Allocated from the pooled allocator so that the leak
   * detector tracks it: Netty tracks pooled and direct buffers, not unpooled heap ones
   * ({@code Unpooled.buffer}).
   */
  static ByteBuf frame(int seq, int length) {
    // One bulk write: at PARANOID every access to a tracked buffer records a stack trace.
    return PooledByteBufAllocator.DEFAULT.heapBuffer(length).writeBytes(pattern(seq, length));
  }

  /** The bytes of {@link #frame}. */
  static byte[] pattern(int seq, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (i < SEQ_OFFSET ? 0xA0 + i : seq + i);
    }
    b[SEQ_OFFSET] = (byte) (seq >>> 24);
    b[SEQ_OFFSET + 1] = (byte) (seq >>> 16);
    b[SEQ_OFFSET + 2] = (byte) (seq >>> 8);
    b[SEQ_OFFSET + 3] = (byte) seq;
    return b;
  }

  /**
   * Like {@link #frame} but not tracked by the leak detector (a wrapped array): for statistical
   * runs of hundreds of thousands of frames, which PARANOID tracking would slow to a crawl.
   * Ownership is checked by the other tests, which use tracked frames.
   */
  static ByteBuf untrackedFrame(int seq, int length) {
    return Unpooled.wrappedBuffer(pattern(seq, length));
  }

  static byte[] frameBytes(int seq, int length) {
    return pattern(seq, length);
  }

  /**
   * An impaired endpoint around this one, on its virtual time: the impairment from netem words
   * given as pairs ("delay", "10ms", ...) and the random seed.
   */
  ImpairedEndpoint impaired(long seed, String... pairs) {
    Map<String, String> words = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      words.put(pairs[i], pairs[i + 1]);
    }
    ImpairedEndpoint e = new ImpairedEndpoint(this, time, seed);
    e.impairment(ImpairmentParser.apply(Impairment.NONE, words));
    return e;
  }

  /** Sequence numbers in arrival order. */
  List<Integer> seqs() {
    List<Integer> out = new ArrayList<>();
    for (Arrival a : arrivals) {
      out.add(a.seq());
    }
    return out;
  }

  void releaseKept() {
    kept.forEach(ByteBuf::release);
    kept.clear();
  }

  @Override
  public String name() {
    return "r1:eth0";
  }

  @Override
  public int mtu() {
    return mtu;
  }

  @Override
  public void send(ByteBuf frame) {
    if (closed) {
      frame.release();
      return;
    }
    counters.txFrames++;
    counters.txBytes += frame.readableBytes();
    int seq = frame.readableBytes() >= SEQ_OFFSET + 4 ? frame.getInt(frame.readerIndex() + SEQ_OFFSET) : -1;
    arrivals.add(new Arrival(time.nanos(), seq, recordBytes ? ByteBufUtil.getBytes(frame) : null));
    if (keep) {
      kept.add(frame);
    } else {
      frame.release();
    }
  }

  @Override
  public void receiver(FrameReceiver receiver) {
    this.receiver = receiver;
  }

  @Override
  public LinkCounters counters() {
    return counters;
  }

  @Override
  public void close() {
    closed = true;
  }
}
