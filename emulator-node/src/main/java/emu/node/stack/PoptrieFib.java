package emu.node.stack;

import emu.node.wire.Ipv4Cidr;
import io.netty.util.collection.IntObjectHashMap;
import java.util.Arrays;

/**
 * The compiled longest-prefix-match structure {@link RouteTable} switches to for large tables:
 * a two-level cut of Poptrie (H. Asai, Y. Ohara, "Poptrie: A Compressed Trie with Population
 * Count for Fast and Scalable Software IP Routing Table Lookup", ACM SIGCOMM 2015), with the
 * matched {@link Route} itself as the leaf.
 *
 * <p><b>Layout.</b> The address space is cut into 2^16 chunks (the top 16 bits, Poptrie's
 * "direct pointing") and each chunk into 256 blocks of 256 addresses (a /24 each). Every chunk
 * has a fixed 256-bit leaf vector in one flat array, {@code bits}, indexed by the address itself
 * ({@code dst >>> 14} picks the 64-bit word): bit {@code b} is set where a new leaf starts at
 * block {@code b}. A chunk's leaves are consecutive in {@code leaves}, from the offset its
 * {@code head} entry holds beside the set bits of its first three words, so the leaf of an
 * address is {@code leaves[offset + bits before the word + popcount(word up to the block) - 1]}:
 * Poptrie's leaf compression (runs of blocks with one owner share a leaf) and its popcount
 * indexing. A block that some range boundary cuts (a prefix longer than /24 starts or ends inside
 * it) has the marker leaf {@link #SPLIT}; its ranges, at most 256 starts of one byte each, live
 * in a small {@link Sub} found by the block's number in a hash map, and are binary-searched.
 *
 * <p><b>Why this and not DXR or full Poptrie.</b> On the project's machine a dependent read
 * costs about 17 ns while the data fits in 2 MB and 140-210 ns beyond 4 MB, and a lookup's cost
 * is how many of those far reads follow each other. {@link RouteTable}'s previous structure, DXR
 * (a 2^16 direct table, then a binary search over the chunk's 16-bit range starts, then the
 * owner in a parallel array), made two or three: the starts of a chunk (3.3 MB of them in all,
 * one or two cache lines per search), then the owner (6.7 MB). Here the part that locates the
 * leaf is 2.5 MB whatever the table (the leaf vectors, 2 MB, and the chunk heads, 0.5 MB, read
 * side by side, not one after the other), so a lookup makes one far read: the leaf, which is the
 * answer. It also takes a dozen instructions and no data-dependent branch, where the binary
 * search took five rounds, so more lookups overlap in the CPU. Full Poptrie (6-bit strides under
 * the direct table) wins on real tables, whose prefixes cluster and share a few next hops so
 * that leaves compress away; on a table where every route is its own next hop and prefixes are
 * spread over the space (as in {@link SyntheticPrefixes}) its nodes (24 bytes per 64 slots) would
 * not be smaller than these leaf vectors and would add a dependent read per level. Addresses in
 * a cut block (at most about one in 500 at random on the 900k table, whose 2% of prefixes longer
 * than /24 cut at most two blocks each) take a hash probe and a short search.
 *
 * <p><b>Memory.</b> A fixed 2.5 MB (leaf vectors and heads), plus 4 bytes per leaf (about one per
 * DXR range: 1.7 million for the 900,000-prefix synthetic table) and about 60 bytes per cut block
 * plus 5 bytes per range in it.
 *
 * <p><b>Updates</b> rewrite the chunks a prefix covers, one for a /16 or longer, 2^(16 - length)
 * for shorter ones: each chunk is decoded into its ranges, every range in the prefix's span whose
 * owner is no more specific than the prefix takes the new owner, and the chunk is encoded again
 * (a few microseconds per chunk). A chunk whose leaves grow moves them to the end of
 * {@code leaves}; the holes are reclaimed by compaction when the array must grow or when holes
 * outnumber live leaves. Edits leave the structure exactly as a fresh build would (see
 * {@link #ranges}). Not thread-safe: like the rest of a node's stack it belongs to the node's
 * event loop.
 */
final class PoptrieFib {
  private static final int CHUNKS = 1 << 16;
  private static final int BLOCKS = 256;
  /** Bytes per array header, object header, and reference, with compressed oops (heaps under 32 GB). */
  private static final int ARRAY_HEADER = 16;
  private static final int OBJECT_HEADER = 12;
  private static final int REFERENCE = 4;

  /** The leaf of a block cut by a range boundary: look in {@link #subs}. Never returned. */
  private static final Route SPLIT =
      new Route(new Ipv4Cidr(0, 0), 0, null, Integer.MAX_VALUE, Route.Kind.STATIC);

  /** The ranges of one cut block: starts (low address byte, the first 0) and their owners. */
  private static final class Sub {
    final byte[] starts;
    final Route[] owners;

    Sub(byte[] starts, Route[] owners) {
      this.starts = starts;
      this.owners = owners;
    }

    long bytes() {
      return align(OBJECT_HEADER + 2 * REFERENCE) + align(ARRAY_HEADER + starts.length)
          + align(ARRAY_HEADER + (long) REFERENCE * owners.length);
    }
  }

  /** Per chunk, 4 words of 64 bits: bit b set where a leaf starts at block b (bit 0 always). */
  private final long[] bits = new long[CHUNKS * 4];
  /**
   * Per chunk: the offset of its first leaf in the low 32 bits; bits 32-39 zero; then one byte
   * each for the set bits in words 0, 0-1 and 0-2 of its leaf vector (at most 192).
   */
  private final long[] head = new long[CHUNKS];
  private Route[] leaves;
  /** Slots in use at the front of {@code leaves}, holes included. */
  private int used;
  /** Slots inside {@code used} that no chunk refers to any more. */
  private int holes;
  /** Cut blocks by block number ({@code address >>> 8}). */
  private final IntObjectHashMap<Sub> subs = new IntObjectHashMap<>();
  private int subRanges;
  private long subBytes;

  /** A chunk's ranges at address granularity: decoded for an edit, or collected by the sweep. */
  private char[] runStarts = new char[64];
  private Route[] runOwners = new Route[64];
  private int runLength;
  /** An edited chunk's ranges. */
  private char[] editStarts = new char[64];
  private Route[] editOwners = new Route[64];
  private final Route[] blockLeaves = new Route[BLOCKS];
  private final long[] words = new long[4];
  private final long[] wasCut = new long[4];

  /** Sweep state of {@link #compile}: the owner in effect so far and the chunk being collected. */
  private Route sweepOwner;
  private int sweepChunk;
  private long pendingAt = -1;
  private Route pendingOwner;

  private PoptrieFib(int capacity) {
    leaves = new Route[capacity];
  }

  /**
   * Builds the structure in one sweep over every prefix in address order, in
   * O(n + 2^16 * 256) after the caller's sort. {@code keys[i]} is {@link #key} of the prefix whose
   * best route is {@code routes[i]}; keys must be sorted ascending and distinct, which orders
   * prefixes by network and then by length: every prefix comes before the more specific ones it
   * contains.
   */
  static PoptrieFib compile(long[] keys, Route[] routes, int n) {
    PoptrieFib fib = new PoptrieFib(CHUNKS + 2 * n + 16);
    fib.sweep(keys, routes, n);
    return fib;
  }

  /** The sort key of a prefix: unsigned network in the high bits, length in the low six. */
  static long key(int network, int length) {
    return (Integer.toUnsignedLong(network) << 6) | length;
  }

  /** The best route for {@code dst}, or null. Allocates nothing. */
  Route lookup(int dst) {
    int word = dst >>> 14; // chunk * 4 + the word holding the block's bit
    long w = bits[word];
    long h = head[dst >>> 16];
    int before = (int) (h >>> (32 + ((word & 3) << 3))) & 0xFF;
    // Set bits at or below the block's: the shift drops the ones above it.
    int i = (int) h + before + Long.bitCount(w << (~(dst >>> 8) & 63)) - 1;
    Route r = leaves[i];
    return r != SPLIT ? r : lookupCut(dst);
  }

  private Route lookupCut(int dst) {
    Sub sub = subs.get(dst >>> 8);
    byte[] s = sub.starts;
    int x = dst & 0xFF;
    int i = 0;
    int n = s.length;
    // The last range starting at or below x, branch-free: (start - x - 1) >>> 31 is 1 when start <= x.
    while (n > 1) {
      int half = n >>> 1;
      i += -(((s[i + half] & 0xFF) - x - 1) >>> 31) & half;
      n -= half;
    }
    return sub.owners[i];
  }

  /**
   * The prefix {@code network/length} now resolves to {@code owner}: its best route, or, once it
   * has none, the best route of the longest shorter prefix that covers it (null if none). Ranges
   * in its span owned by a more specific prefix keep their owner.
   */
  void set(int network, int length, Route owner) {
    long first = Integer.toUnsignedLong(network) & (0xFFFF_FFFFL << (32 - length));
    long last = first + (1L << (32 - length)) - 1;
    int firstChunk = (int) (first >>> 16);
    int lastChunk = (int) (last >>> 16);
    for (int c = firstChunk; c <= lastChunk; c++) {
      int lo = c == firstChunk ? (int) (first & 0xFFFF) : 0;
      int hi = c == lastChunk ? (int) (last & 0xFFFF) : 0xFFFF;
      decode(c);
      rewrite(lo, hi, length, owner);
      encode(c, editStarts, editOwners, runLength, true);
    }
    if (holes > used - holes && used > 2 * CHUNKS) {
      relocate(0);
    }
  }

  /** Leaves plus the ranges of cut blocks: what a fresh build of the same routes has too. */
  int ranges() {
    return used - holes + subRanges;
  }

  /** Heap bytes of the structure: its arrays, the cut blocks and their map (the map estimated). */
  long bytes() {
    long map = 2L * align(ARRAY_HEADER + 4L * 2 * Math.max(8, Integer.highestOneBit(Math.max(1, subs.size())) * 2));
    return align(ARRAY_HEADER + 8L * bits.length) + align(ARRAY_HEADER + 8L * head.length)
        + align(ARRAY_HEADER + (long) REFERENCE * leaves.length) + subBytes + map
        + 2 * align(ARRAY_HEADER + 2L * runStarts.length) + 2 * align(ARRAY_HEADER + (long) REFERENCE * runOwners.length)
        + align(ARRAY_HEADER + (long) REFERENCE * BLOCKS);
  }

  private static long align(long bytes) {
    return (bytes + 7) & ~7L;
  }

  // ---- building ---------------------------------------------------------------------------

  private void sweep(long[] keys, Route[] routes, int n) {
    long[] stackEnd = new long[33];
    Route[] stackOwner = new Route[33];
    int depth = 0;
    sweepOwner = null;
    sweepChunk = 0;
    runLength = 0;
    appendRun(0, null);
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
    advanceTo(CHUNKS - 1);
    encode(sweepChunk, runStarts, runOwners, runLength, false);
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
    advanceTo((int) (pendingAt >>> 16));
    int start = (int) (pendingAt & 0xFFFF);
    if (start == 0) {
      runOwners[runLength - 1] = pendingOwner; // the chunk's first range, opened with the previous owner
    } else {
      appendRun(start, pendingOwner);
    }
    sweepOwner = pendingOwner;
    pendingAt = -1;
  }

  /** Encodes the chunks the sweep has finished, up to (not including) {@code chunk}. */
  private void advanceTo(int chunk) {
    while (sweepChunk < chunk) {
      encode(sweepChunk, runStarts, runOwners, runLength, false);
      sweepChunk++;
      runLength = 0;
      appendRun(0, sweepOwner);
    }
  }

  private void appendRun(int start, Route owner) {
    if (runLength == runStarts.length) {
      runStarts = Arrays.copyOf(runStarts, runLength * 2);
      runOwners = Arrays.copyOf(runOwners, runLength * 2);
    }
    runStarts[runLength] = (char) start;
    runOwners[runLength] = owner;
    runLength++;
  }

  // ---- one chunk --------------------------------------------------------------------------

  /**
   * Writes chunk {@code c} from its ranges ({@code s[0] == 0}, adjacent owners distinct): its
   * leaf vector, its leaves and the cut blocks' ranges. {@code replacing}: the chunk was encoded
   * before (its leaves are reused when they fit, its old cut blocks dropped when no longer cut).
   */
  private void encode(int c, char[] s, Route[] o, int m, boolean replacing) {
    long[] w = words;
    Arrays.fill(w, 0);
    int n = 0;
    int k = 0;
    Route previous = null;
    if (m == 1) { // one owner for the whole chunk, the common case outside the announced space
      w[0] = 1;
      blockLeaves[n++] = o[0];
      if (replacing) {
        for (int b = 0; b < BLOCKS; b++) {
          if ((wasCut[b >>> 6] & (1L << b)) != 0) {
            dropSub((c << 8) | b);
          }
        }
      }
    }
    for (int b = m == 1 ? BLOCKS : 0; b < BLOCKS; b++) {
      int lo = b << 8;
      int hi = lo + 255;
      while (k + 1 < m && s[k + 1] <= lo) {
        k++;
      }
      int key = (c << 8) | b;
      Route leaf;
      if (k + 1 < m && s[k + 1] <= hi) {
        leaf = SPLIT;
        int j = k + 1;
        while (j < m && s[j] <= hi) {
          j++;
        }
        byte[] starts = new byte[j - k];
        Route[] owners = new Route[j - k];
        owners[0] = o[k];
        for (int t = 1; t < j - k; t++) {
          starts[t] = (byte) (s[k + t] - lo);
          owners[t] = o[k + t];
        }
        putSub(key, new Sub(starts, owners));
      } else {
        leaf = o[k];
        if (replacing && (wasCut[b >>> 6] & (1L << b)) != 0) {
          dropSub(key);
        }
      }
      if (b == 0 || leaf != previous) {
        w[b >>> 6] |= 1L << b;
        blockLeaves[n++] = leaf;
        previous = leaf;
      }
    }
    int offset;
    if (!replacing) {
      offset = reserve(n);
    } else {
      offset = (int) head[c];
      int old = leafCount(c);
      if (n <= old) {
        Arrays.fill(leaves, offset + n, offset + old, null); // holes keep no route reachable
        holes += old - n;
      } else {
        Arrays.fill(leaves, offset, offset + old, null);
        holes += old;
        head[c] = 0;
        bits[4 * c] = 0; // the old leaves are abandoned: a relocation need not copy them
        bits[4 * c + 1] = 0;
        bits[4 * c + 2] = 0;
        bits[4 * c + 3] = 0;
        offset = reserve(n);
      }
    }
    System.arraycopy(blockLeaves, 0, leaves, offset, n);
    Arrays.fill(blockLeaves, 0, n, null);
    System.arraycopy(w, 0, bits, 4 * c, 4);
    head[c] = headOf(offset, w);
  }

  private static long headOf(int offset, long[] w) {
    long c1 = Long.bitCount(w[0]);
    long c2 = c1 + Long.bitCount(w[1]);
    long c3 = c2 + Long.bitCount(w[2]);
    return Integer.toUnsignedLong(offset) | c1 << 40 | c2 << 48 | c3 << 56;
  }

  private int leafCount(int c) {
    return Long.bitCount(bits[4 * c]) + Long.bitCount(bits[4 * c + 1]) + Long.bitCount(bits[4 * c + 2])
        + Long.bitCount(bits[4 * c + 3]);
  }

  /** {@code n} fresh slots at the end of {@code leaves}; compacts or grows the array if full. */
  private int reserve(int n) {
    if (used + n > leaves.length) {
      relocate(n);
    }
    int offset = used;
    used += n;
    return offset;
  }

  private void putSub(int key, Sub sub) {
    Sub old = subs.put(key, sub);
    if (old != null) {
      subRanges -= old.owners.length;
      subBytes -= old.bytes();
    }
    subRanges += sub.owners.length;
    subBytes += sub.bytes();
  }

  private void dropSub(int key) {
    Sub old = subs.remove(key);
    if (old != null) {
      subRanges -= old.owners.length;
      subBytes -= old.bytes();
    }
  }

  /** Reads chunk {@code c} back into its ranges ({@code runStarts}, {@code runOwners}). */
  private void decode(int c) {
    runLength = 0;
    Arrays.fill(wasCut, 0);
    int offset = (int) head[c];
    int j = 0;
    Route leaf = null;
    for (int b = 0; b < BLOCKS; b++) {
      if ((bits[4 * c + (b >>> 6)] & (1L << b)) != 0) {
        leaf = leaves[offset + j++];
        if (leaf != SPLIT) {
          emitRun(b << 8, leaf);
        }
      }
      if (leaf == SPLIT) {
        wasCut[b >>> 6] |= 1L << b;
        Sub sub = subs.get((c << 8) | b);
        for (int t = 0; t < sub.owners.length; t++) {
          emitRun((b << 8) + (sub.starts[t] & 0xFF), sub.owners[t]);
        }
      }
    }
  }

  /** Appends a range to the decoded run unless it continues the previous one's owner. */
  private void emitRun(int start, Route owner) {
    if (runLength > 0 && runOwners[runLength - 1] == owner) {
      return;
    }
    appendRun(start, owner);
  }

  /**
   * Gives {@code owner} the addresses {@code lo..hi} of the decoded chunk whose owner has at
   * most {@code length} bits, into {@code editStarts}/{@code editOwners}, merged; the edited
   * run's length is left in {@code runLength}.
   */
  private void rewrite(int lo, int hi, int length, Route owner) {
    int n = runLength;
    if (editStarts.length < n + 2) {
      editStarts = new char[Math.max(n + 2, editStarts.length * 2)];
      editOwners = new Route[editStarts.length];
    }
    int m = 0;
    for (int i = 0; i < n; i++) {
      int rangeStart = runStarts[i];
      int rangeEnd = i + 1 < n ? runStarts[i + 1] - 1 : 0xFFFF;
      Route was = runOwners[i];
      if (rangeEnd < lo || rangeStart > hi) {
        m = emitEdit(m, rangeStart, was);
        continue;
      }
      if (rangeStart < lo) {
        m = emitEdit(m, rangeStart, was);
      }
      m = emitEdit(m, Math.max(rangeStart, lo), prefixLength(was) <= length ? owner : was);
      if (rangeEnd > hi) {
        m = emitEdit(m, hi + 1, was);
      }
    }
    Arrays.fill(runOwners, 0, n, null);
    runLength = m;
  }

  private int emitEdit(int m, int start, Route owner) {
    if (m > 0 && editOwners[m - 1] == owner) {
      return m;
    }
    editStarts[m] = (char) start;
    editOwners[m] = owner;
    return m + 1;
  }

  private static int prefixLength(Route r) {
    return r == null ? -1 : r.prefix().prefixLength();
  }

  /**
   * Copies every chunk's leaves, in chunk order, into a new array with room for {@code extra}
   * more slots and half as much again, dropping the holes.
   */
  private void relocate(int extra) {
    int live = used - holes;
    int capacity = live + extra + ((live + extra) >> 1);
    Route[] fresh = new Route[capacity];
    int at = 0;
    for (int c = 0; c < CHUNKS; c++) {
      int n = leafCount(c);
      System.arraycopy(leaves, (int) head[c], fresh, at, n);
      head[c] = (head[c] & 0xFFFF_FFFF_0000_0000L) | at;
      at += n;
    }
    leaves = fresh;
    used = at;
    holes = 0;
  }
}
