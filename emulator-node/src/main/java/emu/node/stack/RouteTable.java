package emu.node.stack;

import emu.node.wire.Ipv4Cidr;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap.PrimitiveEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The IPv4 routing table with longest-prefix match. Among routes to the same prefix the lowest
 * metric wins, and of equal metrics the one added first.
 *
 * <p><b>Two lookup structures.</b> Every emulated node is its own JVM that must stay small, and
 * a typical node has fewer than ten routes; a router loaded with an Internet table has 900,000.
 * The table keeps one primitive-keyed hash map per prefix length in use, holding the best route
 * of each prefix (about 30 bytes per prefix, at least 300 bytes per length). While it has at most
 * {@value #COMPILE_ABOVE} prefixes a lookup probes those maps, longest length first: one probe
 * per distinct length present. Above that the table also compiles a {@link PoptrieFib} (a
 * 2^16-chunk direct cut, a 256-bit leaf vector per chunk and a popcount) and lookups go there:
 * two reads side by side in 2.5 MB that stays cached, then the leaf, which is the {@link Route}
 * itself, whatever the table's size. Neither allocates.
 *
 * <p>The compiled structure costs a fixed 2.5 MB (the leaf vectors and chunk heads) plus 4 bytes
 * per leaf, about 1.9 leaves per prefix: 12 MB for the 900,000-prefix {@link SyntheticPrefixes}
 * table, whose 900,000 routes with their maps and compiled structure hold about 86 MB of heap in
 * all. DPDK's DIR-24-8 would need some 82 MB for its arrays alone (2^24 four-byte entries plus
 * 1 KB per /24 that holds a longer prefix): that table would not fit in the 128 MB heap a node
 * runs with.
 *
 * <p>The threshold is a memory choice. The maps slow down with the number of distinct lengths,
 * and a realistic table of 1,024 prefixes already has 20 of them: on the project's machine its
 * map lookups measured about 8 million per second against about 90 million for the compiled
 * structure then in use (DXR, which preceded {@link PoptrieFib}), which at that size fits in the cache. But the compiled structure's fixed 2.5 MB is
 * 80 times what such a table's maps take, and the small tables nodes actually have use a few
 * lengths (8 prefixes of 6 lengths: some 35 million lookups per second on random destinations,
 * well inside the forwarding path's budget). From 1,024 prefixes on, the table is a router's, 2.5 MB is 2%
 * of a node's budget, and the compiled structure pays for itself. The table goes back to the
 * maps alone when it shrinks to {@value #DECOMPILE_AT} prefixes, so one that hovers at the
 * threshold does not compile and drop the structure on every change.
 *
 * <p><b>Costs of updates.</b> On the maps alone, {@link #add} and {@link #remove} change one map
 * entry. On a compiled table they also rewrite the chunks the prefix spans, each decoded and encoded
 * again in a few microseconds: about 12 microseconds per change for a /16 or longer (one chunk;
 * measured on a loaded machine), under a millisecond for a /8 (256 chunks), and for a default
 * route every chunk, a quarter of a second on a 900,000-prefix table. Changes made together ({@link #addAll}, {@link #removeAll}) are
 * applied chunk by chunk while they are few, and by one rebuild when they reach a sixteenth of
 * the table, where a rebuild becomes the cheaper: it sorts the prefixes and sweeps them once,
 * O(n log n + 2^24) (0.45-0.75 s for the whole {@link #addAll} of 900,000 prefixes, maps
 * included, on a loaded machine). So load a large table with {@link #addAll}, not route by route. Not
 * thread-safe: like the rest of the stack, a table belongs to its node's event loop.
 */
public final class RouteTable {
  /** Above this many distinct prefixes, lookups use the compiled {@link PoptrieFib}. */
  static final int COMPILE_ABOVE = 1024;
  /** At or below this many, the compiled structure is dropped again. */
  static final int DECOMPILE_AT = 512;

  /**
   * Slots a per-length map starts with. A lookup's common case is a miss (it probes the lengths
   * longer than the one that matches), and in the few-entry maps of a typical node a miss then
   * usually ends at the first, empty slot: with Netty's default of 8 slots, half full, it walked
   * an unpredictable run of entries and the small table's lookups measured 1.8 times slower.
   */
  private static final int MAP_SLOTS = 32;

  /** Per prefix length, the best route of each prefix, keyed by {@link #key}. */
  @SuppressWarnings("unchecked")
  private final IntObjectHashMap<Route>[] byLength = new IntObjectHashMap[33];
  private int[] lengthsLongestFirst = new int[0];
  /** Every route, in the order added, of each prefix that has more than one. */
  private final Map<Ipv4Cidr, List<Route>> alternates = new HashMap<>();
  private int prefixCount;
  private int routeCount;

  private PoptrieFib fib;
  /** Prefixes whose answer changed since the compiled structure was last brought up to date. */
  private long[] pending = new long[16];
  private int pendingCount;
  private boolean rebuild;

  /** Adds a route; an equal prefix with a lower metric stays preferred. */
  public void add(Route route) {
    put(route);
    commit();
  }

  /**
   * Adds many routes as {@link #add} would one at a time, bringing the lookup structure up to
   * date once: the way to load a large table.
   */
  public void addAll(Collection<Route> routes) {
    for (Route r : routes) {
      put(r);
    }
    commit();
  }

  /** Removes every route to exactly this prefix; returns how many went. */
  public int remove(Ipv4Cidr prefix) {
    int length = prefix.prefixLength();
    int network = prefix.network();
    IntObjectHashMap<Route> map = byLength[length];
    if (map == null || map.remove(key(network, length)) == null) {
      return 0;
    }
    List<Route> all = alternates.remove(new Ipv4Cidr(network, length));
    int removed = all == null ? 1 : all.size();
    routeCount -= removed;
    prefixCount--;
    if (map.isEmpty()) {
      byLength[length] = null;
    }
    changed(network, length);
    commit();
    return removed;
  }

  /** Removes every route through {@code nic} (when it goes away), multipath ones with a path through it included. */
  public void removeAll(Nic nic) {
    removeWhere(r -> r.uses(nic));
    commit();
  }

  /**
   * Puts {@code routes} in place of every route of {@code kind}, bringing the lookup structure up
   * to date once: a routing protocol's new answer after it ran (OSPF's SPF). Routes of other
   * kinds to the same prefixes stay, and the lowest metric still wins among them.
   */
  public void replace(Route.Kind kind, Collection<Route> routes) {
    removeWhere(r -> r.kind() == kind);
    for (Route r : routes) {
      if (r.kind() != kind) {
        throw new IllegalArgumentException("replacing the " + kind + " routes with a " + r.kind() + " one: " + r);
      }
      put(r);
    }
    commit();
  }

  /** Removes the routes {@code gone} picks; the caller commits. */
  private void removeWhere(java.util.function.Predicate<Route> goes) {
    // Prefixes with several routes: keep the others, and the best of them if the best went.
    Iterator<Map.Entry<Ipv4Cidr, List<Route>>> it = alternates.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Ipv4Cidr, List<Route>> e = it.next();
      List<Route> list = e.getValue();
      int before = list.size();
      if (!list.removeIf(goes)) {
        continue;
      }
      routeCount -= before - list.size();
      int length = e.getKey().prefixLength();
      int network = e.getKey().network();
      IntObjectHashMap<Route> map = byLength[length];
      if (list.isEmpty()) {
        it.remove();
        map.remove(key(network, length));
        prefixCount--;
        changed(network, length);
        continue;
      }
      Route best = list.get(0);
      for (Route r : list) {
        if (r.metric() < best.metric()) {
          best = r;
        }
      }
      if (list.size() == 1) {
        it.remove();
      }
      if (map.put(key(network, length), best) != best) {
        changed(network, length);
      }
    }
    // Every best route still to go is now its prefix's only route.
    int[] gone = new int[16];
    for (int length = 0; length <= 32; length++) {
      IntObjectHashMap<Route> map = byLength[length];
      if (map == null) {
        continue;
      }
      int n = 0;
      for (PrimitiveEntry<Route> e : map.entries()) {
        if (goes.test(e.value())) {
          if (n == gone.length) {
            gone = Arrays.copyOf(gone, n * 2);
          }
          gone[n++] = e.key();
        }
      }
      for (int i = 0; i < n; i++) {
        map.remove(gone[i]);
        changed(network(gone[i], length), length);
      }
      routeCount -= n;
      prefixCount -= n;
      if (map.isEmpty()) {
        byLength[length] = null;
      }
    }
  }

  /** Longest-prefix match; null if nothing (not even a default route) matches. Allocates nothing. */
  public Route lookup(int dst) {
    PoptrieFib compiled = fib;
    if (compiled != null) {
      return compiled.lookup(dst);
    }
    long address = Integer.toUnsignedLong(dst);
    for (int length : lengthsLongestFirst) {
      Route r = byLength[length].get((int) (address >>> (32 - length)));
      if (r != null) {
        return r;
      }
    }
    return null;
  }

  /** All routes in the order {@code ip route} prints them: default first, then by prefix. */
  public List<Route> routes() {
    List<Route> sorted = new ArrayList<>(routeCount);
    for (int length = 0; length <= 32; length++) {
      IntObjectHashMap<Route> map = byLength[length];
      if (map == null) {
        continue;
      }
      for (PrimitiveEntry<Route> e : map.entries()) {
        List<Route> all = alternates.isEmpty() ? null
            : alternates.get(new Ipv4Cidr(network(e.key(), length), length));
        if (all == null) {
          sorted.add(e.value());
        } else {
          sorted.addAll(all);
        }
      }
    }
    sorted.sort(Comparator.<Route>comparingInt(r -> r.isDefault() ? 0 : 1)
        .thenComparing(r -> Integer.toUnsignedLong(r.prefix().network()))
        .thenComparingInt(r -> r.prefix().prefixLength())
        .thenComparingInt(Route::metric));
    return sorted;
  }

  /** The number of routes (several routes to one prefix count separately). */
  public int size() {
    return routeCount;
  }

  /**
   * Heap bytes of the compiled lookup structure (its arrays, with compressed references), or 0
   * while the table is small enough to be looked up in its per-length maps.
   */
  public long compiledBytes() {
    return fib == null ? 0 : fib.bytes();
  }

  /**
   * Leaves and cut-block ranges in the compiled structure (see {@link PoptrieFib#ranges}), or 0 while the table is small enough
   * to be looked up in its per-length maps. Edits keep them as few as a fresh build would.
   */
  public int compiledRanges() {
    return fib == null ? 0 : fib.ranges();
  }

  /** A prefix's network bits, right-aligned: dense keys that Netty's identity hash spreads well. */
  private static int key(int network, int length) {
    return (int) (Integer.toUnsignedLong(network) >>> (32 - length));
  }

  private static int network(int key, int length) {
    return (int) (Integer.toUnsignedLong(key) << (32 - length));
  }

  private void put(Route route) {
    int length = route.prefix().prefixLength();
    int network = route.prefix().network();
    IntObjectHashMap<Route> map = byLength[length];
    if (map == null) {
      map = new IntObjectHashMap<>(MAP_SLOTS);
      byLength[length] = map;
    }
    int key = key(network, length);
    Route best = map.get(key);
    routeCount++;
    if (best == null) {
      map.put(key, route);
      prefixCount++;
      changed(network, length);
      return;
    }
    alternates.computeIfAbsent(new Ipv4Cidr(network, length), p -> new ArrayList<>(List.of(best))).add(route);
    if (route.metric() < best.metric()) {
      map.put(key, route);
      changed(network, length);
    }
  }

  /** Notes that the answer for a prefix changed, for the compiled structure if there is one. */
  private void changed(int network, int length) {
    if (fib == null || rebuild) {
      return;
    }
    if (pendingCount >= Math.max(64, prefixCount >>> 4)) {
      rebuild = true; // cheaper than applying this many changes one by one
      return;
    }
    if (pendingCount == pending.length) {
      pending = Arrays.copyOf(pending, pendingCount * 2);
    }
    pending[pendingCount++] = PoptrieFib.key(network, length);
  }

  /** Brings the lookup structures up to date after a change to the maps. */
  private void commit() {
    int n = 0;
    for (IntObjectHashMap<Route> map : byLength) {
      if (map != null) {
        n++;
      }
    }
    int[] lengths = new int[n];
    for (int length = 32, i = 0; length >= 0; length--) {
      if (byLength[length] != null) {
        lengths[i++] = length;
      }
    }
    lengthsLongestFirst = lengths;

    if (fib == null) {
      if (prefixCount > COMPILE_ABOVE) {
        fib = compile();
      }
    } else if (prefixCount <= DECOMPILE_AT) {
      fib = null;
    } else if (rebuild) {
      fib = null; // let the old structure go before the new one is built
      fib = compile();
    } else {
      for (int i = 0; i < pendingCount; i++) {
        int network = (int) (pending[i] >>> 6);
        int length = (int) (pending[i] & 63);
        fib.set(network, length, bestCovering(network, length));
      }
    }
    pendingCount = 0;
    rebuild = false;
    if (pending.length > 16) {
      pending = new long[16];
    }
  }

  /** The best route of the longest prefix of at most {@code length} bits that covers the prefix. */
  private Route bestCovering(int network, int length) {
    for (int len : lengthsLongestFirst) {
      if (len <= length) {
        Route r = byLength[len].get(key(network, len));
        if (r != null) {
          return r;
        }
      }
    }
    return null;
  }

  private PoptrieFib compile() {
    long[] keys = new long[prefixCount];
    int n = 0;
    for (int length = 0; length <= 32; length++) {
      IntObjectHashMap<Route> map = byLength[length];
      if (map != null) {
        for (PrimitiveEntry<Route> e : map.entries()) {
          keys[n++] = PoptrieFib.key(network(e.key(), length), length);
        }
      }
    }
    Arrays.sort(keys);
    Route[] best = new Route[n];
    for (int i = 0; i < n; i++) {
      int length = (int) (keys[i] & 63);
      best[i] = byLength[length].get(key((int) (keys[i] >>> 6), length));
    }
    return PoptrieFib.compile(keys, best, n);
  }
}
