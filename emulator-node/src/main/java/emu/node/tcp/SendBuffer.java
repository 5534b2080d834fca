package emu.node.tcp;

import io.netty.buffer.ByteBuf;

/**
 * The bytes a connection has accepted from the application and not yet had acknowledged: the
 * unacknowledged bytes from SND.UNA, then the unsent ones. A ring of bytes that grows on
 * demand (doubling) up to the configured send buffer, so idle connections stay small.
 * Segments copy out of it; acknowledgments consume from its head.
 */
final class SendBuffer {
  private static final byte[] EMPTY = new byte[0];
  private static final int MIN_RING = 16 * 1024;

  private final int capacity;
  private byte[] ring = EMPTY;
  private int head;
  private int size;

  SendBuffer(int capacity) {
    this.capacity = capacity;
  }

  int capacity() {
    return capacity;
  }

  /** Bytes held: unacknowledged plus unsent. */
  int size() {
    return size;
  }

  int free() {
    return capacity - size;
  }

  /** Copies as many readable bytes of {@code src} as fit; advances its reader index; returns the count. */
  int write(ByteBuf src) {
    int n = Math.min(src.readableBytes(), free());
    if (n == 0) {
      return 0;
    }
    ensure(size + n);
    int tail = (head + size) % ring.length;
    int first = Math.min(n, ring.length - tail);
    src.readBytes(ring, tail, first);
    if (first < n) {
      src.readBytes(ring, 0, n - first);
    }
    size += n;
    return n;
  }

  /** Copies {@code length} bytes starting {@code offset} bytes after the head into {@code dst} at {@code index}. */
  void copyTo(int offset, int length, ByteBuf dst, int index) {
    int from = (head + offset) % ring.length;
    int first = Math.min(length, ring.length - from);
    dst.setBytes(index, ring, from, first);
    if (first < length) {
      dst.setBytes(index + first, ring, 0, length - first);
    }
  }

  /** Drops {@code n} acknowledged bytes from the head. */
  void consume(int n) {
    if (n <= 0) {
      return;
    }
    head = (head + n) % ring.length;
    size -= n;
    if (size == 0) {
      head = 0;
    }
  }

  /** Forgets everything (abort, reset) and gives the memory back. */
  void clear() {
    ring = EMPTY;
    head = 0;
    size = 0;
  }

  private void ensure(int needed) {
    if (needed <= ring.length) {
      return;
    }
    int len = Math.max(ring.length, MIN_RING);
    while (len < needed) {
      len = len > (1 << 29) ? Integer.MAX_VALUE - 8 : len * 2;
    }
    len = Math.min(len, Math.max(capacity, needed));
    byte[] grown = new byte[len];
    if (size > 0) {
      int first = Math.min(size, ring.length - head);
      System.arraycopy(ring, head, grown, 0, first);
      System.arraycopy(ring, 0, grown, first, size - first);
    }
    ring = grown;
    head = 0;
  }
}
