package emu.link.impair;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Frames waiting for their send time: a binary min-heap in parallel arrays keyed by
 * (send time, arrival sequence), so frames leave in time order and ties in arrival order, as
 * netem's tfifo. Nothing is allocated per frame; the arrays grow by doubling. Owns the frames
 * it holds until {@link #poll()} hands one out or {@link #releaseAll()} releases them.
 */
final class FrameHeap {
  private long[] times = new long[16];
  private long[] seqs = new long[16];
  private ByteBuf[] frames = new ByteBuf[16];
  private int size;
  private long nextSeq;

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Send time of the earliest frame; only when not empty. */
  long headTime() {
    return times[0];
  }

  void add(long time, ByteBuf frame) {
    if (size == times.length) {
      int n = size * 2;
      times = Arrays.copyOf(times, n);
      seqs = Arrays.copyOf(seqs, n);
      frames = Arrays.copyOf(frames, n);
    }
    int i = size++;
    long seq = nextSeq++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!less(time, seq, times[parent], seqs[parent])) {
        break;
      }
      move(parent, i);
      i = parent;
    }
    put(i, time, seq, frame);
  }

  /** Removes and returns the earliest frame; only when not empty. The caller owns it. */
  ByteBuf poll() {
    ByteBuf head = frames[0];
    int last = --size;
    long time = times[last];
    long seq = seqs[last];
    ByteBuf frame = frames[last];
    frames[last] = null;
    if (last > 0) {
      int i = 0;
      while (true) {
        int child = 2 * i + 1;
        if (child >= last) {
          break;
        }
        if (child + 1 < last && less(times[child + 1], seqs[child + 1], times[child], seqs[child])) {
          child++;
        }
        if (!less(times[child], seqs[child], time, seq)) {
          break;
        }
        move(child, i);
        i = child;
      }
      put(i, time, seq, frame);
    }
    return head;
  }

  /** Releases every frame held and empties the heap. */
  void releaseAll() {
    for (int i = 0; i < size; i++) {
      frames[i].release();
      frames[i] = null;
    }
    size = 0;
  }

  private static boolean less(long t1, long s1, long t2, long s2) {
    return t1 < t2 || (t1 == t2 && s1 < s2);
  }

  private void move(int from, int to) {
    times[to] = times[from];
    seqs[to] = seqs[from];
    frames[to] = frames[from];
  }

  private void put(int i, long time, long seq, ByteBuf frame) {
    times[i] = time;
    seqs[i] = seq;
    frames[i] = frame;
  }
}
