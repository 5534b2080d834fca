package emu.node.tcp;

import emu.node.wire.TcpOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Received bytes waiting for the application, and out-of-order data waiting for the gap
 * before it to fill (RFC 9293 3.10.7.4 seventh step: segments beyond RCV.NXT are held, not
 * dropped). One ring of bytes indexed by sequence number: the byte with sequence number
 * {@code s} lives {@code s - RCV.NXT} bytes after the last in-order byte, so out-of-order data
 * is written straight to its final place and reassembly is just moving RCV.NXT over it.
 *
 * <p>The ring grows on demand up to the receive buffer plus one window-scale unit of slack
 * (the advertised window is rounded up to that unit so its right edge never moves left, RFC
 * 9293 3.8.6.2.1). The connection trims every segment to its advertised right edge before it
 * gets here, so nothing is ever written outside the ring.
 *
 * <p>Out-of-order ranges are kept as a small list of sequence intervals, each stamped with
 * when it last grew, which gives the SACK blocks of RFC 2018 section 4: the block holding the
 * most recent segment first, then the others most recent first.
 */
final class ReceiveBuffer {
  private static final byte[] EMPTY = new byte[0];
  private static final int MIN_RING = 16 * 1024;
  /** Beyond this many holes a new out-of-order segment is dropped (the sender retransmits it). */
  static final int MAX_INTERVALS = 256;

  private final int capacity;
  private final int maxRing;
  private byte[] ring = EMPTY;
  private int head;
  private int readable;
  private int[] oooStart = new int[8];
  private int[] oooEnd = new int[8];
  private long[] oooStamp = new long[8];
  private int oooCount;
  private long clock;

  /** {@code slack}: one unit of the receive window scale, 2^shift bytes. */
  ReceiveBuffer(int capacity, int slack) {
    this.capacity = capacity;
    this.maxRing = capacity + slack;
  }

  int capacity() {
    return capacity;
  }

  /** In-order bytes not yet delivered to the application. */
  int readable() {
    return readable;
  }

  /** Room for new in-order data: the window before rounding (RFC 9293 RCV.WND). */
  int free() {
    return Math.max(0, capacity - readable);
  }

  boolean hasOutOfOrder() {
    return oooCount > 0;
  }

  /**
   * Stores {@code len} bytes of sequence space {@code [seq, seq+len)}, already trimmed to
   * start at or after {@code rcvNxt} and to end within the advertised window. Returns how far
   * RCV.NXT advances (this segment plus any out-of-order data it joined), 0 for an
   * out-of-order segment, or -1 if it was out of order and there was no room to track it.
   */
  int store(int rcvNxt, int seq, ByteBuf src, int index, int len) {
    int off = seq - rcvNxt;
    if (off > 0 && oooCount >= MAX_INTERVALS && !touchesInterval(seq, seq + len)) {
      return -1;
    }
    ensure(readable + off + len);
    copyIn(readable + off, src, index, len);
    if (off > 0) {
      addInterval(seq, seq + len);
      return 0;
    }
    int next = rcvNxt + len;
    boolean merged = true;
    while (merged) {
      merged = false;
      for (int i = 0; i < oooCount; i++) {
        if (SeqNum.le(oooStart[i], next)) {
          next = SeqNum.max(next, oooEnd[i]);
          removeInterval(i);
          merged = true;
          break;
        }
      }
    }
    int advance = next - rcvNxt;
    readable += advance;
    return advance;
  }

  /**
   * Copies up to {@code max} in-order bytes into a new buffer the caller owns, and forgets them
   * (the window opens by as much).
   */
  ByteBuf read(ByteBufAllocator alloc, int max) {
    int n = Math.min(readable, max);
    ByteBuf out = alloc.heapBuffer(n);
    int first = Math.min(n, ring.length - head);
    out.writeBytes(ring, head, first);
    if (first < n) {
      out.writeBytes(ring, 0, n - first);
    }
    head = (head + n) % ring.length;
    readable -= n;
    return out;
  }

  /** Throws away everything, in order or not (close with unread data, reset). */
  void clear() {
    ring = EMPTY;
    head = 0;
    readable = 0;
    oooCount = 0;
  }

  /**
   * Fills {@code opts} with up to {@code max} SACK blocks (RFC 2018 4): the most recently
   * changed interval first, then the others, most recent first.
   */
  void sackBlocks(TcpOptions opts, int max) {
    opts.clearSack();
    long below = Long.MAX_VALUE;
    for (int b = 0; b < max && b < oooCount; b++) {
      int best = -1;
      for (int i = 0; i < oooCount; i++) {
        if (oooStamp[i] < below && (best < 0 || oooStamp[i] > oooStamp[best])) {
          best = i;
        }
      }
      if (best < 0) {
        return;
      }
      opts.addSack(oooStart[best], oooEnd[best]);
      below = oooStamp[best];
    }
  }

  /** Number of out-of-order intervals (holes waiting to be filled). */
  int intervals() {
    return oooCount;
  }

  /** The highest sequence number held out of order (exclusive), or {@code rcvNxt} if none. */
  int highestOutOfOrder(int rcvNxt) {
    int h = rcvNxt;
    for (int i = 0; i < oooCount; i++) {
      h = SeqNum.max(h, oooEnd[i]);
    }
    return h;
  }

  private boolean touchesInterval(int s, int e) {
    for (int i = 0; i < oooCount; i++) {
      if (SeqNum.le(oooStart[i], e) && SeqNum.ge(oooEnd[i], s)) {
        return true;
      }
    }
    return false;
  }

  private void addInterval(int s, int e) {
    for (int i = 0; i < oooCount; ) {
      if (SeqNum.le(oooStart[i], e) && SeqNum.ge(oooEnd[i], s)) {
        s = SeqNum.min(s, oooStart[i]);
        e = SeqNum.max(e, oooEnd[i]);
        removeInterval(i);
      } else {
        i++;
      }
    }
    if (oooCount == oooStart.length) {
      oooStart = java.util.Arrays.copyOf(oooStart, oooCount * 2);
      oooEnd = java.util.Arrays.copyOf(oooEnd, oooCount * 2);
      oooStamp = java.util.Arrays.copyOf(oooStamp, oooCount * 2);
    }
    oooStart[oooCount] = s;
    oooEnd[oooCount] = e;
    oooStamp[oooCount] = ++clock;
    oooCount++;
  }

  private void removeInterval(int i) {
    oooCount--;
    oooStart[i] = oooStart[oooCount];
    oooEnd[i] = oooEnd[oooCount];
    oooStamp[i] = oooStamp[oooCount];
  }

  /** Writes at {@code offset} bytes after the ring's head. */
  private void copyIn(int offset, ByteBuf src, int index, int len) {
    int to = (head + offset) % ring.length;
    int first = Math.min(len, ring.length - to);
    src.getBytes(index, ring, to, first);
    if (first < len) {
      src.getBytes(index + first, ring, 0, len - first);
    }
  }

  private void ensure(int needed) {
    if (needed <= ring.length) {
      return;
    }
    int len = Math.max(ring.length, MIN_RING);
    while (len < needed) {
      len = len > (1 << 29) ? Integer.MAX_VALUE - 8 : len * 2;
    }
    len = Math.min(len, Math.max(maxRing, needed));
    byte[] grown = new byte[len];
    if (ring.length > 0) {
      // Everything from the head on may hold data (in order, then out of order): keep its place.
      int first = ring.length - head;
      System.arraycopy(ring, head, grown, 0, first);
      System.arraycopy(ring, 0, grown, first, head);
    }
    ring = grown;
    head = 0;
  }
}
