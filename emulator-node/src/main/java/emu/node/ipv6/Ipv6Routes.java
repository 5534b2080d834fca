package emu.node.ipv6;

import emu.node.stack.Nic;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Cidr;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The IPv6 routing table: longest-prefix match, then the lowest metric (of equal metrics the
 * route added first); a route whose interface is down, or that a router advertisement taught and
 * whose lifetime has passed, is passed over for the next best.
 *
 * <p><b>Two lookup structures.</b> The routes live in one hash map per prefix length in use
 * ({@link Ipv6PrefixMap}: open addressing on the masked address's two halves, no object per probe),
 * each entry holding the routes of one prefix. A node has a handful of routes: while it has at
 * most {@value #COMPILE_ABOVE} prefixes, a lookup scans them in one flat array, longest first,
 * with each prefix's bits and mask side by side (a few dozen nanoseconds for ten routes). A
 * router with a full table (about 230,000 IPv6 prefixes today, in some thirty distinct lengths)
 * uses binary search on prefix lengths (M. Waldvogel, G. Varghese, J. Turner, B. Plattner,
 * "Scalable High Speed IP Routing Lookups", SIGCOMM 1997): a search tree over the lengths in
 * use; a lookup probes the map of the tree's root length, a hit sends it to the longer subtree, a
 * miss to the shorter. For a hit to mean "something longer may match", every prefix leaves a
 * <i>marker</i> (its bits cut to that length) at each length where the search towards its own
 * length turns longer, and each marker carries the longest real prefix that covers it (its
 * <i>best matching prefix</i>), so a search misled by a marker still ends with the right answer.
 * The tree is not balanced but weighted by how many prefixes each length has (see
 * {@link #buildTree}): /48, 42% of a real table, is probed first. 128-bit keys cost no more
 * than 64-bit ones. Why not IPv4's {@code PoptrieFib}: its 2^16 direct cut of a 32-bit space has
 * no IPv6 counterpart that stays small (real IPv6 prefixes spread from /16 to /64 and beyond),
 * and a multibit trie over 48 significant bits needs eight dependent reads or more.
 *
 * <p><b>Costs</b> (BENCHMARKS.md, the 230,000-prefix {@link SyntheticPrefixes6} table): about
 * 100,000 markers, some 43 MB of heap beyond the routes themselves, a build of 0.1-0.2 s. The
 * markers are rebuilt, not patched, when the table changes: lazily, at the first lookup after a
 * change, so a burst of changes (a bulk load, {@link #addAll}, or a fault that takes an
 * interface's routes away) pays one rebuild; a routing protocol feeding a full table route by
 * route would want incremental markers, which this table does not have. Not thread-safe: like
 * the rest of a node's stack it belongs to the node's event loop.
 */
public final class Ipv6Routes {
  /** Above this many prefixes, lookups use binary search on lengths. */
  static final int COMPILE_ABOVE = 1024;
  /** At or below this many, the table goes back to the flat scan (no flapping at the threshold). */
  static final int DECOMPILE_AT = 512;

  private static final Ipv6Route[] NO_ROUTES = new Ipv6Route[0];

  /** The routes of one prefix, best first; or, with none, only a marker. */
  static final class Entry {
    final long hi;
    final long lo;
    final int length;
    Ipv6Route[] routes = NO_ROUTES;
    /** A real entry's number in the compiled search (from 1). */
    int id;

    Entry(long hi, long lo, int length) {
      this.hi = hi;
      this.lo = lo;
      this.length = length;
    }

    boolean real() {
      return routes.length > 0;
    }
  }

  /** Per prefix length, the entries of that length. */
  private final Ipv6PrefixMap[] byLength = new Ipv6PrefixMap[129];
  private int prefixCount;
  private int routeCount;
  /** Routes with a finite lifetime: {@link #expire} has nothing to do while there are none. */
  private int expiring;
  private boolean compiled;
  private boolean dirty = true;

  // the flat scan's arrays, longest prefix first, then the lowest metric (small tables)
  private long[] scanBits = new long[0];
  private Ipv6Route[] scanRoutes = NO_ROUTES;
  // binary search on lengths (large tables): a search tree over the lengths in use, ascending
  private int[] lengths = new int[0];
  private int root = -1;
  /** Per tree node (an index into {@link #lengths}), the node a hit or a miss goes on to, or -1. */
  private int[] longer = new int[0];
  private int[] shorter = new int[0];
  /** The real entries by the number a search finds in the maps' slots (less one). */
  private Entry[] realById = new Entry[0];
  /** The same entries' best routes: the answer, one read away, when it is usable (the common case). */
  private Ipv6Route[] firstById = NO_ROUTES;
  /** {@link #routes()}, built when asked for after a change. */
  private List<Ipv6Route> listing;

  /** Adds a route; one for the same prefix, gateway and interface replaces the old one. */
  public void add(Ipv6Route r) {
    Ipv6Cidr p = r.prefix();
    int len = p.prefixLength();
    long hi = p.address().hi() & Ipv6Address.maskHi(len);
    long lo = p.address().lo() & Ipv6Address.maskLo(len);
    Ipv6PrefixMap map = byLength[len];
    if (map == null) {
      map = byLength[len] = new Ipv6PrefixMap();
    }
    Entry e = map.get(hi, lo);
    if (e == null) {
      e = new Entry(hi, lo, len);
      map.put(e);
    }
    if (!e.real()) {
      prefixCount++;
    }
    Ipv6Route[] old = e.routes;
    List<Ipv6Route> kept = new ArrayList<>(old.length + 1);
    for (Ipv6Route o : old) {
      if (Objects.equals(o.gateway(), r.gateway()) && o.nic() == r.nic()) {
        forget(o);
      } else {
        kept.add(o);
      }
    }
    int at = 0;
    while (at < kept.size() && kept.get(at).metric() <= r.metric()) {
      at++;
    }
    kept.add(at, r);
    e.routes = kept.toArray(NO_ROUTES);
    routeCount++;
    if (r.expiresAt() != Long.MAX_VALUE) {
      expiring++;
    }
    changed();
  }

  /** Adds many routes: a full table is loaded this way, and pays one rebuild. */
  public void addAll(Collection<Ipv6Route> routes) {
    routes.forEach(this::add);
  }

  private void forget(Ipv6Route r) {
    routeCount--;
    if (r.expiresAt() != Long.MAX_VALUE) {
      expiring--;
    }
  }

  private void changed() {
    dirty = true;
    listing = null;
  }

  /** Removes the routes that {@code which} selects; true if there were any. */
  public boolean removeIf(Predicate<Ipv6Route> which) {
    boolean any = false;
    for (int len = 0; len <= 128; len++) {
      Ipv6PrefixMap map = byLength[len];
      if (map == null) {
        continue;
      }
      for (Entry e : map.entries()) {
        if (!e.real()) {
          continue;
        }
        List<Ipv6Route> kept = new ArrayList<>(e.routes.length);
        for (Ipv6Route r : e.routes) {
          if (which.test(r)) {
            forget(r);
            any = true;
          } else {
            kept.add(r);
          }
        }
        if (kept.size() != e.routes.length) {
          e.routes = kept.toArray(NO_ROUTES);
          if (kept.isEmpty()) {
            prefixCount--; // the entry stays, routeless like a marker, until the rebuild drops it
          }
        }
      }
    }
    if (any) {
      changed();
    }
    return any;
  }

  /**
   * The best usable route for {@code dst} at {@code now}, or null. Allocates nothing, except that
   * the first lookup after a change rebuilds the search structure (see the class comment).
   */
  public Ipv6Route lookup(long dstHi, long dstLo, long now) {
    if (dirty) {
      rebuild();
    }
    if (!compiled) {
      long[] bits = scanBits;
      for (int i = 0, k = 0; i < scanRoutes.length; i++, k += 4) {
        if (((dstHi ^ bits[k]) & bits[k + 2]) == 0 && ((dstLo ^ bits[k + 1]) & bits[k + 3]) == 0) {
          Ipv6Route r = scanRoutes[i];
          if (r.expiresAt() > now && r.nic().isUp()) {
            return r;
          }
        }
      }
      return null;
    }
    int bestId = 0;
    int[] ls = lengths;
    for (int node = root; node >= 0; ) {
      int len = ls[node];
      long found = byLength[len].probe(dstHi & Ipv6Address.maskHi(len), dstLo & Ipv6Address.maskLo(len));
      if (found != 0) {
        bestId = (int) found;
        node = longer[node];
      } else {
        node = shorter[node];
      }
    }
    if (bestId == 0) {
      return null;
    }
    Ipv6Route first = firstById[bestId - 1];
    if (first.expiresAt() > now && first.nic().isUp()) {
      return first;
    }
    Entry best = realById[bestId - 1];
    Ipv6Route r = usable(best, now);
    if (r != null) {
      return r;
    }
    // every route of the longest match is down or lapsed: the next shorter prefixes, in order
    for (int i = ls.length - 1; i >= 0; i--) {
      int len = ls[i];
      if (len >= best.length) {
        continue;
      }
      Entry e = byLength[len].get(dstHi & Ipv6Address.maskHi(len), dstLo & Ipv6Address.maskLo(len));
      r = e == null ? null : usable(e, now);
      if (r != null) {
        return r;
      }
    }
    return null;
  }

  private static Ipv6Route usable(Entry e, long now) {
    for (Ipv6Route r : e.routes) {
      if (r.expiresAt() > now && r.nic().isUp()) {
        return r;
      }
    }
    return null;
  }

  public Ipv6Route lookup(Ipv6Address dst, long now) {
    return lookup(dst.hi(), dst.lo(), now);
  }

  /** Recomputes the lookup structure for the table as it is now. */
  private void rebuild() {
    dirty = false;
    int n = 0;
    for (int len = 0; len <= 128; len++) {
      if (byLength[len] != null) {
        byLength[len].removeMarkers();
        if (byLength[len].size() == 0) {
          byLength[len] = null;
        } else {
          n++;
        }
      }
    }
    lengths = new int[n];
    for (int len = 0, i = 0; len <= 128; len++) {
      if (byLength[len] != null) {
        lengths[i++] = len;
      }
    }
    compiled = compiled ? prefixCount > DECOMPILE_AT : prefixCount > COMPILE_ABOVE;
    if (compiled) {
      scanBits = new long[0];
      scanRoutes = NO_ROUTES;
      placeMarkers();
    } else {
      List<Ipv6Route> all = routes();
      scanRoutes = all.toArray(NO_ROUTES);
      scanBits = new long[4 * scanRoutes.length];
      for (int i = 0; i < scanRoutes.length; i++) {
        Ipv6Cidr p = scanRoutes[i].prefix();
        int len = p.prefixLength();
        scanBits[4 * i] = p.address().hi() & Ipv6Address.maskHi(len);
        scanBits[4 * i + 1] = p.address().lo() & Ipv6Address.maskLo(len);
        scanBits[4 * i + 2] = Ipv6Address.maskHi(len);
        scanBits[4 * i + 3] = Ipv6Address.maskLo(len);
      }
    }
  }

  /**
   * Every prefix leaves a marker at each length where the binary search towards its own length
   * turns longer; then every entry learns its best matching prefix.
   */
  private void placeMarkers() {
    int[] ls = lengths;
    buildTree();
    for (int j = 0; j < ls.length; j++) {
      List<Entry> reals = byLength[ls[j]].entries();
      for (Entry p : reals) {
        for (int node = root; node != j; ) {
          if (node < j) {
            int len = ls[node];
            long hi = p.hi & Ipv6Address.maskHi(len);
            long lo = p.lo & Ipv6Address.maskLo(len);
            if (byLength[len].get(hi, lo) == null) {
              byLength[len].put(new Entry(hi, lo, len));
            }
            node = longer[node];
          } else {
            node = shorter[node];
          }
        }
      }
    }
    List<Entry> reals = new ArrayList<>(prefixCount);
    for (int j = 0; j < ls.length; j++) {
      for (Entry e : byLength[ls[j]].entries()) {
        if (e.real()) {
          e.id = reals.size() + 1;
          reals.add(e);
        }
      }
    }
    realById = reals.toArray(new Entry[0]);
    firstById = new Ipv6Route[realById.length];
    for (int i = 0; i < realById.length; i++) {
      firstById[i] = realById[i].routes[0];
    }
    for (int j = 0; j < ls.length; j++) {
      Ipv6PrefixMap map = byLength[ls[j]];
      for (Entry e : map.entries()) {
        Entry best = e.real() ? e : longestReal(e.hi, e.lo, j - 1);
        map.found(e, best == null ? 0 : best.id);
      }
    }
  }

  /**
   * The search tree over the lengths in use: the binary search tree that minimises the probes
   * summed over the table's prefixes (each prefix's length weighted by how many prefixes have it;
   * Knuth's optimal binary search tree, a cubic dynamic program over at most 129 lengths). A
   * balanced tree would probe /48, the commonest length, last and leave a marker for each /48 at
   * every length on the way; this one probes it first (a hit there is a longest match at once)
   * and needs a fraction of the markers (BENCHMARKS.md).
   */
  private void buildTree() {
    int n = lengths.length;
    long[] weight = new long[n + 1]; // prefix sums of the counts
    for (int i = 0; i < n; i++) {
      weight[i + 1] = weight[i] + byLength[lengths[i]].size();
    }
    long[][] cost = new long[n + 1][n + 1]; // cost[i][j]: lengths i..j-1
    int[][] best = new int[n + 1][n + 1];
    for (int span = 1; span <= n; span++) {
      for (int i = 0; i + span <= n; i++) {
        int j = i + span;
        cost[i][j] = Long.MAX_VALUE;
        for (int r = i; r < j; r++) {
          long c = cost[i][r] + cost[r + 1][j];
          if (c < cost[i][j]) {
            cost[i][j] = c;
            best[i][j] = r;
          }
        }
        cost[i][j] += weight[j] - weight[i];
      }
    }
    longer = new int[n];
    shorter = new int[n];
    root = subtree(best, 0, n);
  }

  private int subtree(int[][] best, int i, int j) {
    if (i >= j) {
      return -1;
    }
    int r = best[i][j];
    shorter[r] = subtree(best, i, r);
    longer[r] = subtree(best, r + 1, j);
    return r;
  }

  /** The longest real prefix covering {@code hi:lo} among the lengths up to {@code ls[last]}. */
  private Entry longestReal(long hi, long lo, int last) {
    for (int i = last; i >= 0; i--) {
      int len = lengths[i];
      Entry e = byLength[len].get(hi & Ipv6Address.maskHi(len), lo & Ipv6Address.maskLo(len));
      if (e != null && e.real()) {
        return e;
      }
    }
    return null;
  }

  /** Drops routes whose lifetime has passed. */
  public void expire(long now) {
    if (expiring > 0) {
      removeIf(r -> r.expiresAt() <= now);
    }
  }

  /**
   * Every route, for {@code ip -6 route}: longest prefix first; within a length by prefix
   * address, and each prefix's routes by metric.
   */
  public List<Ipv6Route> routes() {
    if (listing == null) {
      List<Ipv6Route> all = new ArrayList<>(routeCount);
      for (int len = 128; len >= 0; len--) {
        if (byLength[len] != null) {
          List<Entry> entries = new ArrayList<>();
          for (Entry e : byLength[len].entries()) {
            if (e.real()) {
              entries.add(e);
            }
          }
          entries.sort(Comparator.<Entry>comparingLong(e -> e.hi ^ Long.MIN_VALUE)
              .thenComparingLong(e -> e.lo ^ Long.MIN_VALUE));
          for (Entry e : entries) {
            all.addAll(Arrays.asList(e.routes));
          }
        }
      }
      listing = Collections.unmodifiableList(all);
    }
    return listing;
  }

  /** True if a route for exactly {@code prefix} through {@code nic} exists. */
  public boolean has(Ipv6Cidr prefix, Nic nic) {
    int len = prefix.prefixLength();
    Ipv6PrefixMap map = byLength[len];
    Entry e = map == null ? null
        : map.get(prefix.address().hi() & Ipv6Address.maskHi(len), prefix.address().lo() & Ipv6Address.maskLo(len));
    if (e != null) {
      for (Ipv6Route r : e.routes) {
        if (r.nic() == nic) {
          return true;
        }
      }
    }
    return false;
  }

  /** Distinct prefixes with at least one route. */
  public int prefixCount() {
    return prefixCount;
  }

  /** Routes in the table. */
  public int size() {
    return routeCount;
  }

  /** True while lookups use binary search on lengths (after the next lookup settles any change). */
  boolean compiled() {
    return compiled;
  }

  /** Marker-only entries: what binary search on lengths costs beyond the prefixes themselves. */
  int markers() {
    int m = 0;
    for (int len : lengths) {
      for (Entry e : byLength[len].entries()) {
        m += e.real() ? 0 : 1;
      }
    }
    return m;
  }
}
