package emu.link.capture;

import emu.link.time.TimeSource;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a classic pcap file (libpcap 2.4, microsecond timestamps, linktype 1 = Ethernet)
 * that Wireshark and tshark read. Records go through one reusable staging buffer, so writing
 * a packet allocates nothing. Not thread-safe: one node's event loop owns it.
 *
 * <p>Given a time source, a record reaches the file at most {@code flushAfterNanos} after it was
 * written: the first record staged after a flush arms one timer, so a link that carries nothing
 * wakes nobody. (Nodes flushed every capture every 200 ms before: 5 wake-ups a second of every
 * idle node, nine tenths of its event loop's idle CPU; see BENCHMARKS.md "Many nodes".)
 */
public final class PcapWriter implements AutoCloseable {
  public static final int MAGIC_MICROS = 0xa1b2c3d4;
  public static final int LINKTYPE_ETHERNET = 1;
  public static final int GLOBAL_HEADER_LEN = 24;
  public static final int RECORD_HEADER_LEN = 16;
  public static final int SNAPLEN = 65_535;

  private final FileChannel file;
  /**
   * Room for one record of the largest frame (64 KiB and its header), little more: every capturing link
   * end of every node holds one, zeroed and so resident from the start (256 KiB each before: 0.4 MB
   * of a 50-node tree lab's average node, 1.7 MB of its core router with 7 links).
   */
  private final ByteBuffer staging = ByteBuffer.allocateDirect(68 * 1024) // >= RECORD_HEADER_LEN + SNAPLEN
      .order(ByteOrder.LITTLE_ENDIAN);
  private final TimeSource time;
  private final long flushAfterNanos;
  private TimeSource.Timer flushTimer;
  private long packets;
  private boolean closed;

  /** A writer that writes staged records only when full, asked ({@link #flush}) or closed. */
  public PcapWriter(Path path) throws IOException {
    this(path, null, 0);
  }

  /**
   * A writer whose records reach the file at most {@code flushAfterNanos} after they are
   * written, by a timer on {@code time} armed only while something is staged.
   */
  public PcapWriter(Path path, TimeSource time, long flushAfterNanos) throws IOException {
    this.time = time;
    this.flushAfterNanos = flushAfterNanos;
    file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
    staging.putInt(MAGIC_MICROS);
    staging.putShort((short) 2);
    staging.putShort((short) 4);
    staging.putInt(0); // thiszone
    staging.putInt(0); // sigfigs
    staging.putInt(SNAPLEN);
    staging.putInt(LINKTYPE_ETHERNET);
    flush();
  }

  /** Records the readable bytes of {@code frame} (not consumed, not released). */
  public void write(ByteBuf frame, long epochNanos) {
    if (closed) {
      return;
    }
    int len = frame.readableBytes();
    int caplen = Math.min(len, SNAPLEN);
    if (staging.remaining() < RECORD_HEADER_LEN + caplen) {
      flush();
    }
    long micros = epochNanos / 1_000;
    staging.putInt((int) (micros / 1_000_000));
    staging.putInt((int) (micros % 1_000_000));
    staging.putInt(caplen);
    staging.putInt(len);
    int limit = staging.limit();
    staging.limit(staging.position() + caplen);
    frame.getBytes(frame.readerIndex(), staging);
    staging.limit(limit);
    packets++;
    if (time != null && flushTimer == null) {
      flushTimer = time.schedule(this::timedFlush, flushAfterNanos);
    }
  }

  private void timedFlush() {
    flushTimer = null;
    flush();
  }

  public long packets() {
    return packets;
  }

  /** Writes what is staged to the file. */
  public void flush() {
    if (closed) {
      return;
    }
    staging.flip();
    try {
      while (staging.hasRemaining()) {
        file.write(staging);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      staging.clear();
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    flush();
    closed = true;
    if (flushTimer != null) {
      flushTimer.cancel();
      flushTimer = null;
    }
    try {
      file.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
