package emu.node.stack;

import java.util.Arrays;

/**
 * The compiled longest-prefix-match structure {@link RouteTable} switches to for large tables:
 * DXR's range search (M. Zec, L. Rizzo, M. Mikuc, "DXR: towards a billion routing lookups per
 * second in software", ACM SIGCOMM CCR 42(5), 2012), with the matched {@link Route} itself as
 * the "next hop".
 *
 * <p>The address space is cut into {@code 2^DIRECT_BITS} chunks. Within a chunk, the best route
 * is a step function of the low {@code 32 - DIRECT_BITS} address bits, stored as its steps: a
 * sorted run of range starts ({@code starts}, 16 bits each) beside the route that owns each
 * range ({@code owners}, null where no route matches). The direct table holds, per chunk, where
 * its run begins and how long it is. A lookup reads the direct entry, binary-searches the run
 * when it has more than one range (a run of 1 is a chunk one route covers entirely), and reads
 * the owner: two or three dependent loads, no allocation. Runs are canonical: adjacent ranges
 * never share an owner, whether the run was built in one sweep or edited route by route.
 *
 * <p>Memory is what makes this fit an emulated node: {@code 2^DIRECT_BITS * 8} bytes of direct
 * table plus 6 bytes per range, and a table of {@code n} prefixes has at most about
 * {@code 2n + 2^DIRECT_BITS} ranges. For the 900,000-prefix synthetic table
 * ({@link SyntheticPrefixes}) that is 1.67 million ranges in 11.7 MB, against some 82 MB for
 * DPDK's DIR-24-8 ({@code rte_lpm}: a 64 MB first level of 2^24 four-byte entries plus 1 KB per
 * /24 that holds a longer prefix), which would not fit beside the routes in a node's 128 MB
 * heap. Speed is a different matter: at that size neither structure stays in the cache of the
 * project's machine, and each pays about two trips to memory per lookup (here the chunk's
 * ranges, then the owner; there the first level, then the route). With 2^16 chunks the direct
 * table (512 KB) stays cached and a chunk's run, 25 ranges on average, spans one or two cache
 * lines; 2^18 or 2^20 chunks shorten the runs but push the direct table out of the cache.
 *
 * <p>Updates rewrite the runs of the chunks a prefix covers (one chunk for prefixes of
 * {@code DIRECT_BITS} bits or longer, {@code 2^(DIRECT_BITS - length)} for shorter ones): every
 * range in the prefix's span whose owner is no more specific than the prefix takes the new
 * owner. Rewritten runs that grow move to the end of the range arrays; the holes they leave are
 * reclaimed by compaction when the arrays must grow or when holes outnumber live ranges. Not
 * thread-safe: like the rest of a node's stack it belongs to the node's event loop.
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
  /** Slots in use at the front of {@code starts}/{@code owners}, holes included. */
  private int used;
  /** Slots inside {@code used} that no chunk refers to any more. */
  private int holes;
  private char[] scratchStarts = new char[64];
  private Route[] scratchOwners = new Route[64];

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

  /**
   * The prefix {@code network/length} now resolves to {@code owner}: its best route, or, once it
   * has none, the best route of the longest shorter prefix that covers it (null if none). Ranges
   * in its span owned by a more specific prefix keep their owner.
   */
  void set(int network, int length, Route owner) {
    long first = Integer.toUnsignedLong(network);
    long last = first + (1L << (32 - length)) - 1;
    int firstChunk = (int) (first >>> CHUNK_BITS);
    int lastChunk = (int) (last >>> CHUNK_BITS);
    for (int c = firstChunk; c <= lastChunk; c++) {
      int lo = c == firstChunk ? (int) (first & CHUNK_MASK) : 0;
      int hi = c == lastChunk ? (int) (last & CHUNK_MASK) : CHUNK_MASK;
      rewrite(c, lo, hi, length, owner);
    }
    if (holes > used - holes && used > 2 * CHUNKS) {
      relocate(0);
    }
  }

  /**
   * Gives {@code owner} the addresses {@code lo..hi} of chunk {@code c} whose owner has at most
   * {@code length} bits, and writes the chunk's run back, merged.
   */
  private void rewrite(int c, int lo, int hi, int length, Route owner) {
    long entry = direct[c];
    int offset = (int) entry;
    int n = (int) (entry >>> 32);
    if (scratchStarts.length < n + 2) {
      scratchStarts = new char[Math.max(n + 2, scratchStarts.length * 2)];
      scratchOwners = new Route[scratchStarts.length];
    }
    int m = 0;
    for (int i = 0; i < n; i++) {
      int rangeStart = starts[offset + i];
      int rangeEnd = i + 1 < n ? starts[offset + i + 1] - 1 : CHUNK_MASK;
      Route was = owners[offset + i];
      if (rangeEnd < lo || rangeStart > hi) {
        m = emit(m, rangeStart, was);
        continue;
      }
      if (rangeStart < lo) {
        m = emit(m, rangeStart, was);
      }
      m = emit(m, Math.max(rangeStart, lo), prefixLength(was) <= length ? owner : was);
      if (rangeEnd > hi) {
        m = emit(m, hi + 1, was);
      }
    }
    if (m <= n) {
      Arrays.fill(owners, offset + m, offset + n, null); // holes keep no route reachable
      holes += n - m;
    } else {
      Arrays.fill(owners, offset, offset + n, null);
      holes += n;
      direct[c] = 0; // the old run is abandoned: a relocation need not copy it
      if (used + m > starts.length) {
        relocate(m);
      }
      offset = used;
      used += m;
    }
    System.arraycopy(scratchStarts, 0, starts, offset, m);
    System.arraycopy(scratchOwners, 0, owners, offset, m);
    Arrays.fill(scratchOwners, 0, m, null);
    direct[c] = ((long) m << 32) | offset;
  }

  /** Appends a range to the scratch run unless it continues the previous one's owner. */
  private int emit(int m, int start, Route owner) {
    if (m > 0 && scratchOwners[m - 1] == owner) {
      return m;
    }
    scratchStarts[m] = (char) start;
    scratchOwners[m] = owner;
    return m + 1;
  }

  private static int prefixLength(Route r) {
    return r == null ? -1 : r.prefix().prefixLength();
  }

  /**
   * Copies every live run, in chunk order, into new arrays with room for {@code extra} more
   * slots and half as much again, dropping the holes.
   */
  private void relocate(int extra) {
    int live = used - holes;
    int capacity = live + extra + ((live + extra) >> 1);
    char[] newStarts = new char[capacity];
    Route[] newOwners = new Route[capacity];
    int at = 0;
    for (int c = 0; c < CHUNKS; c++) {
      long entry = direct[c];
      int offset = (int) entry;
      int n = (int) (entry >>> 32);
      System.arraycopy(starts, offset, newStarts, at, n);
      System.arraycopy(owners, offset, newOwners, at, n);
      direct[c] = ((long) n << 32) | at;
      at += n;
    }
    starts = newStarts;
    owners = newOwners;
    used = at;
    holes = 0;
  }

  /** Ranges in use, over all chunks. */
  int ranges() {
    return used - holes;
  }

  /** Heap bytes of the structure's arrays (with compressed references). */
  long bytes() {
    return 3L * ARRAY_HEADER + 8L * direct.length + 2L * starts.length + (long) REFERENCE * owners.length
        + 2L * ARRAY_HEADER + 2L * scratchStarts.length + (long) REFERENCE * scratchOwners.length;
  }
}
