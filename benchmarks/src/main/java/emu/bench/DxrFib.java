package emu.bench;

import emu.node.stack.Route;
import java.util.Arrays;

/**
 * The baseline of {@link RouteLookupBenchmark}: the DXR range search (M. Zec, L. Rizzo, M. Mikuc,
 * "DXR: towards a billion routing lookups per second in software", ACM SIGCOMM CCR 42(5), 2012)
 * that {@code RouteTable} compiled large tables into before {@code PoptrieFib}, kept here, built
 * but never updated, so that the two can be measured side by side in one run.
 *
 * <p>The address space is cut into {@code 2^16} chunks. Within a chunk, the best route is a step
 * function of the low 16 address bits, stored as its steps: a sorted run of range starts
 * ({@code starts}, 16 bits each) beside the route that owns each range ({@code owners}). The
 * direct table holds, per chunk, where its run begins and how long it is. A lookup reads the
 * direct entry, binary-searches the run (branch-free) and reads the owner.
 */
final class DxrFib {
  /**
   * Address bits resolved by the direct table; the rest are searched within the chunk. At least
   * 16, so that a range start fits in a {@code char}.
   */
  private static final int DIRECT_BITS = 16;
  private static final int CHUNK_BITS = 32 - DIRECT_BITS;
  private static final int CHUNK_SPAN = 1 << CHUNK_BITS;
  private static final int CHUNK_MASK = CHUNK_SPAN - 1;
  private static final int CHUNKS = 1 << DIRECT_BITS;
  /** Bytes per array header, and per reference with compressed oops (heaps under 32 GB). */
  private static final int ARRAY_HEADER = 16;
  private static final int REFERENCE = 4;

  /** Per chunk: range count in the high 32 bits, offset of its first range in the low 32. */
  private final long[] direct = new long[CHUNKS];
  private char[] starts;
  private Route[] owners;
  /** Slots in use at the front of {@code starts}/{@code owners}. */
  private int used;

  /** Sweep state of {@link #compile}: the owner in effect so far and the chunk being written. */
  private Route sweepOwner;
  private int sweepChunk;
  private long pendingAt = -1;
  private Route pendingOwner;

  private DxrFib(int capacity) {
    starts = new char[capacity];
    owners = new Route[capacity];
  }

  /**
   * Builds the structure in one sweep over every prefix in address order, in O(n + 2^DIRECT_BITS)
   * after the caller's sort. {@code keys[i]} is {@link #key} of the prefix whose best route is
   * {@code routes[i]}; keys must be sorted ascending and distinct, which orders prefixes by
   * network and then by length: every prefix comes before the more specific ones it contains.
   */
  static DxrFib compile(long[] keys, Route[] routes, int n) {
    DxrFib fib = new DxrFib(CHUNKS + 2 * n + 16);
    fib.sweep(keys, routes, n);
    return fib;
  }

  /** The sort key of a prefix: unsigned network in the high bits, length in the low six. */
  static long key(int network, int length) {
    return (Integer.toUnsignedLong(network) << 6) | length;
  }

  private void sweep(long[] keys, Route[] routes, int n) {
    long[] stackEnd = new long[33];
    Route[] stackOwner = new Route[33];
    int depth = 0;
    sweepOwner = null;
    sweepChunk = 0;
    openChunk(0);
    for (int i = 0; i < n; i++) {
      long first = keys[i] >>> 6;
      int length = (int) (keys[i] & 63);
      // Every open prefix that ends before this one starts gives way to the one it is nested in.
      while (depth > 0 && stackEnd[depth - 1] < first) {
        depth--;
        boundary(stackEnd[depth] + 1, depth > 0 ? stackOwner[depth - 1] : null);
      }
      boundary(first, routes[i]);
      stackEnd[depth] = first + (1L << (32 - length)) - 1;
      stackOwner[depth] = routes[i];
      depth++;
    }
    while (depth > 0) {
      depth--;
      if (stackEnd[depth] < 0xFFFF_FFFFL) {
        boundary(stackEnd[depth] + 1, depth > 0 ? stackOwner[depth - 1] : null);
      }
    }
    flushBoundary();
    while (sweepChunk < CHUNKS - 1) {
      closeChunk(sweepChunk);
      openChunk(++sweepChunk);
    }
    closeChunk(sweepChunk);
    sweepOwner = null;
    pendingOwner = null;
  }

  /** The owner changes at {@code at}; of several changes at one address the last one holds. */
  private void boundary(long at, Route owner) {
    if (at != pendingAt) {
      flushBoundary();
      pendingAt = at;
    }
    pendingOwner = owner;
  }

  private void flushBoundary() {
    if (pendingAt < 0 || pendingOwner == sweepOwner) {
      pendingAt = -1;
      return;
    }
    int chunk = (int) (pendingAt >>> CHUNK_BITS);
    while (sweepChunk < chunk) {
      closeChunk(sweepChunk);
      openChunk(++sweepChunk);
    }
    int start = (int) (pendingAt & CHUNK_MASK);
    if (start == 0) {
      owners[used - 1] = pendingOwner; // the chunk's first range, opened with the previous owner
    } else {
      append((char) start, pendingOwner);
    }
    sweepOwner = pendingOwner;
    pendingAt = -1;
  }

  private void openChunk(int chunk) {
    direct[chunk] = used;
    append((char) 0, sweepOwner);
  }

  private void closeChunk(int chunk) {
    int offset = (int) direct[chunk];
    direct[chunk] = ((long) (used - offset) << 32) | offset;
  }

  private void append(char start, Route owner) {
    if (used == starts.length) {
      starts = Arrays.copyOf(starts, used + (used >> 1));
      owners = Arrays.copyOf(owners, starts.length);
    }
    starts[used] = start;
    owners[used] = owner;
    used++;
  }

  /** The best route for {@code dst}, or null. Allocates nothing. */
  Route lookup(int dst) {
    long entry = direct[dst >>> CHUNK_BITS];
    int i = (int) entry;
    int n = (int) (entry >>> 32);
    if (n > 1) {
      char[] s = starts;
      int x = dst & CHUNK_MASK;
      // Find the last range starting at or below x (the first range starts at 0). Branch-free:
      // (start - x - 1) >>> 31 is 1 exactly when start <= x. As a branch it would mispredict
      // half the time on a load that often misses the cache, and each misprediction throws
      // away the lookups the CPU had started after it: this form measured 1.5 times as fast.
      while (n > 1) {
        int half = n >>> 1;
        i += -((s[i + half] - x - 1) >>> 31) & half;
        n -= half;
      }
    }
    return owners[i];
  }

  /** Ranges in use, over all chunks. */
  int ranges() {
    return used;
  }

  /** Heap bytes of the structure's arrays (with compressed references). */
  long bytes() {
    return 3L * ARRAY_HEADER + 8L * direct.length + 2L * starts.length + (long) REFERENCE * owners.length;
  }
}
