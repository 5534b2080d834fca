package emu.link.capture;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * One live capture: turns the frames a {@link LiveTap} hands it into classic pcap records (the
 * format of {@link PcapWriter}) for a {@link Sink}, such as an HTTP response being streamed. A
 * sink that cannot take more (a reader slower than the link, or one that stopped reading) never
 * holds up the node: the frame is dropped whole, so the stream stays valid pcap, and counted, as
 * tcpdump counts "packets dropped by kernel". With a count, the capture ends after that many
 * records.
 */
public final class PcapStream implements LiveTap.Subscriber {
  /** Where records go. Called on the node's event loop. */
  public interface Sink {
    /** False while the sink's buffer is at its bound: the frame is dropped and counted. */
    boolean writable();

    /** Takes one whole record (and its ownership). */
    void record(ByteBuf record);

    /** The count asked for was reached; no record follows. */
    void end();
  }

  private final Sink sink;
  private final ByteBufAllocator alloc;
  private final long count;
  private long captured;
  private long dropped;
  private boolean ended;

  /** {@code count}: end after that many records; 0 for no end but {@link #stop}. */
  public PcapStream(Sink sink, ByteBufAllocator alloc, long count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be 0 (no limit) or more, not " + count);
    }
    this.sink = sink;
    this.alloc = alloc;
    this.count = count;
  }

  /** The pcap global header (libpcap 2.4, microseconds, Ethernet), the first bytes of a stream. */
  public static ByteBuf globalHeader(ByteBufAllocator alloc) {
    ByteBuf b = alloc.buffer(PcapWriter.GLOBAL_HEADER_LEN);
    b.writeIntLE(PcapWriter.MAGIC_MICROS);
    b.writeShortLE(2);
    b.writeShortLE(4);
    b.writeIntLE(0); // thiszone
    b.writeIntLE(0); // sigfigs
    b.writeIntLE(PcapWriter.SNAPLEN);
    b.writeIntLE(PcapWriter.LINKTYPE_ETHERNET);
    return b;
  }

  @Override
  public void frame(ByteBuf frame, long epochNanos) {
    if (ended) {
      return;
    }
    if (!sink.writable()) {
      dropped++;
      return;
    }
    int len = frame.readableBytes();
    int caplen = Math.min(len, PcapWriter.SNAPLEN);
    long micros = epochNanos / 1_000;
    ByteBuf r = alloc.buffer(PcapWriter.RECORD_HEADER_LEN + caplen);
    r.writeIntLE((int) (micros / 1_000_000));
    r.writeIntLE((int) (micros % 1_000_000));
    r.writeIntLE(caplen);
    r.writeIntLE(len);
    r.writeBytes(frame, frame.readerIndex(), caplen);
    captured++;
    if (count > 0 && captured >= count) {
      ended = true;
    }
    sink.record(r);
    if (ended) {
      sink.end();
    }
  }

  /** Takes no more frames (the reader went away, or asked to stop). */
  public void stop() {
    ended = true;
  }

  public boolean ended() {
    return ended;
  }

  /** Records handed to the sink. */
  public long captured() {
    return captured;
  }

  /** Frames dropped because the sink was full. */
  public long dropped() {
    return dropped;
  }
}
