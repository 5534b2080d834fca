package emu.node.ospf;

import emu.node.wire.OspfRouterLsa;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The intra-area shortest-path calculation of RFC 2328 16.1 with equal-cost multipath, for one
 * area, from one calculating router (the root).
 *
 * <p><b>Input.</b> A database of router-LSAs and network-LSAs, fed either as values
 * ({@link #load}) or field by field without allocation ({@link #clear}, {@link #router},
 * {@link #link}, {@link #network}, {@link #attached}), so the protocol machine can feed it
 * straight from its stored LSAs. The caller gives only LSAs that count: not at MaxAge, one
 * instance each (the newest). A router ID given twice keeps its first LSA, as does a network
 * Link State ID (the DR's interface address) given twice; both are database errors.
 *
 * <p><b>Graph.</b> Vertices are routers (one per router-LSA) and transit networks (one per
 * network-LSA), int-indexed: routers first, then networks. Edges come from the LSAs' links:
 * point-to-point (router to router, the link's metric), transit (router to network, the metric)
 * and a network-LSA's attached routers (network to router, cost 0). An edge is used only if the
 * other end advertises the way back (RFC 2328 16.1 (2)(b)-(d), the "two-way check"): the
 * neighbour's router-LSA has a point-to-point link to this router, the network-LSA lists this
 * router, or the attached router's LSA has a transit link to the network. Virtual links (type 4)
 * are ignored: emu runs one area. Stub links become routes after the tree is built (16.1 (2)
 * second stage), as do the transit networks' own prefixes.
 *
 * <p><b>Next hops</b> (RFC 2328 16.1.1), each a pair (the root's outgoing interface address, the
 * gateway): over the root's own point-to-point link, the neighbour's interface address on that
 * link (its back link's Link Data; with parallel links, the back link whose address shares the
 * longest prefix with the root's end, i.e. the same subnet); over the root's own transit network,
 * the network is directly connected (gateway 0) and a router reached through it has its
 * interface address on that network (its transit link's Link Data) as the gateway; past the first
 * router, next hops are inherited from the parents. All parents at equal cost contribute (ECMP),
 * deduplicated. The root's own networks are {@link NextHop#connected}: gateway 0 (and, for its
 * stub networks, interface 0 too), nothing to install.
 *
 * <p><b>Cost.</b> Link metrics are 16-bit; a path of fewer than 32768 hops cannot overflow an
 * int. Metrics of 0 (out of range for an interface cost, RFC 2328 C.3) are used as given, but an
 * equal-cost parent reached only over a zero-cost router link may then be missed in the next-hop
 * sets. Among vertices at equal distance, networks are taken first (16.1 (3)), which puts every
 * network parent of a router (edges of cost 0) before the router.
 *
 * <p><b>Cost of a run.</b> O((V + E) log V) with a binary heap over vertex indices; every array is
 * kept between runs and grown only when a database is larger than any before, so a steady-state
 * run allocates nothing. Not thread-safe: one area's protocol machine owns it.
 */
public final class Spf {
  public static final int POINT_TO_POINT = OspfRouterLsa.LINK_POINT_TO_POINT;
  public static final int TRANSIT = OspfRouterLsa.LINK_TRANSIT;
  public static final int STUB = OspfRouterLsa.LINK_STUB;
  public static final int VIRTUAL = OspfRouterLsa.LINK_VIRTUAL;

  private static final int INF = Integer.MAX_VALUE;

  // ---- the database as given ----
  private int routers;
  private int[] routerId = new int[64];
  /** Links of router r are [linkStart[r], linkStart[r + 1]); the last entry is kept current by {@link #link}. */
  private int[] linkStart = new int[65];
  private int links;
  private int[] linkType = new int[256];
  private int[] linkId = new int[256];
  private int[] linkData = new int[256];
  private int[] linkMetric = new int[256];
  private int networks;
  private int[] networkId = new int[16];
  private int[] networkAdv = new int[16];
  private int[] networkMask = new int[16];
  private int[] attachedStart = new int[17];
  private int attachedCount;
  private int[] attached = new int[64];

  // ---- the graph, compiled at each run ----
  private final IntIntMap routerIndex = new IntIntMap();
  private final IntIntMap networkIndex = new IntIntMap();
  private int[] edgeStart = new int[81];
  private int edges;
  private int[] edgeFrom = new int[256];
  private int[] edgeTo = new int[256];
  private int[] edgeCost = new int[256];
  /** The source router's interface address (its link's Link Data); 0 for a network's edges. */
  private int[] edgeLocal = new int[256];
  /** The target router's interface address on the link or network; 0 for an edge to a network. */
  private int[] edgeRemote = new int[256];
  private int[] inStart = new int[81];
  private int[] inEdge = new int[256];

  // ---- the tree ----
  private int root = -1;
  private int[] dist = new int[80];
  private int[] heap = new int[80];
  private int[] heapPos = new int[80];
  private int heapSize;
  private int[] order = new int[80];
  private int reached;
  private int[] nhStart = new int[80];
  private int[] nhCount = new int[80];
  private long[] nhPool = new long[256];
  private int nhUsed;

  // ---- the routes ----
  private final LongIntMap routeIndex = new LongIntMap();
  private int routeCount;
  private int[] routePrefix = new int[64];
  private int[] routeMask = new int[64];
  private int[] routeCost = new int[64];
  private int[] routeNhStart = new int[64];
  private int[] routeNhCount = new int[64];
  private long[] routePool = new long[256];
  private int routePoolUsed;

  // ---------------------------------------------------------------- input

  /** Forgets the database (keeping the arrays). */
  public Spf clear() {
    routers = 0;
    links = 0;
    networks = 0;
    attachedCount = 0;
    linkStart[0] = 0;
    attachedStart[0] = 0;
    routeCount = 0;
    reached = 0;
    root = -1;
    return this;
  }

  /** Starts the router-LSA of {@code id}; its links follow through {@link #link}. */
  public Spf router(int id) {
    routerId = grow(routerId, routers + 1);
    linkStart = grow(linkStart, routers + 2);
    routerId[routers] = id;
    linkStart[routers] = links;
    routers++;
    linkStart[routers] = links;
    return this;
  }

  /** A link of the router last started: its type (1 to 4), Link ID, Link Data and TOS 0 metric. */
  public Spf link(int type, int id, int data, int metric) {
    if (routers == 0) {
      throw new IllegalStateException("a link before any router");
    }
    int n = links + 1;
    if (n > linkType.length) {
      int cap = Math.max(n, linkType.length * 2);
      linkType = Arrays.copyOf(linkType, cap);
      linkId = Arrays.copyOf(linkId, cap);
      linkData = Arrays.copyOf(linkData, cap);
      linkMetric = Arrays.copyOf(linkMetric, cap);
    }
    linkType[links] = type;
    linkId[links] = id;
    linkData[links] = data;
    linkMetric[links] = metric;
    links = n;
    linkStart[routers] = links;
    return this;
  }

  /** Starts the network-LSA with Link State ID {@code id} (the DR's interface address); its routers follow. */
  public Spf network(int id, int advertisingRouter, int mask) {
    int n = networks + 1;
    if (n > networkId.length) {
      int cap = Math.max(n, networkId.length * 2);
      networkId = Arrays.copyOf(networkId, cap);
      networkAdv = Arrays.copyOf(networkAdv, cap);
      networkMask = Arrays.copyOf(networkMask, cap);
    }
    attachedStart = grow(attachedStart, n + 1);
    networkId[networks] = id;
    networkAdv[networks] = advertisingRouter;
    networkMask[networks] = mask;
    attachedStart[networks] = attachedCount;
    networks = n;
    attachedStart[networks] = attachedCount;
    return this;
  }

  /** An attached router of the network last started. */
  public Spf attached(int routerId) {
    if (networks == 0) {
      throw new IllegalStateException("an attached router before any network");
    }
    attached = grow(attached, attachedCount + 1);
    attached[attachedCount++] = routerId;
    attachedStart[networks] = attachedCount;
    return this;
  }

  /** Replaces the database with these LSAs. */
  public Spf load(List<RouterLsa> routerLsas, List<NetworkLsa> networkLsas) {
    clear();
    for (RouterLsa r : routerLsas) {
      router(r.routerId());
      for (Link l : r.links()) {
        link(l.type(), l.linkId(), l.linkData(), l.metric());
      }
    }
    for (NetworkLsa n : networkLsas) {
      network(n.linkStateId(), n.advertisingRouter(), n.mask());
      for (int a : n.attachedRouters()) {
        attached(a);
      }
    }
    return this;
  }

  // ---------------------------------------------------------------- the run

  /**
   * Builds the shortest-path tree from {@code rootRouterId} and the routes to every prefix
   * reached; false (and no routes) if the root has no router-LSA in the database.
   */
  public boolean run(int rootRouterId) {
    compile();
    routeCount = 0;
    routePoolUsed = 0;
    reached = 0;
    root = routerIndex.get(rootRouterId);
    if (root < 0) {
      return false;
    }
    dijkstra();
    nextHops();
    buildRoutes();
    return true;
  }

  /** Vertex indices, the maps, and the edges that pass the two-way check, forward and reverse. */
  private void compile() {
    int vertices = routers + networks;
    routerIndex.reset(routers);
    for (int r = 0; r < routers; r++) {
      routerIndex.putIfAbsent(routerId[r], r);
    }
    networkIndex.reset(networks);
    for (int n = 0; n < networks; n++) {
      networkIndex.putIfAbsent(networkId[n], n);
    }
    edgeStart = grow(edgeStart, vertices + 1);
    edges = 0;
    for (int v = 0; v < routers; v++) {
      edgeStart[v] = edges;
      if (routerIndex.get(routerId[v]) != v) {
        continue; // a duplicate router ID: the first LSA is the router
      }
      for (int l = linkStart[v]; l < linkStart[v + 1]; l++) {
        int type = linkType[l];
        if (type == POINT_TO_POINT) {
          int w = routerIndex.get(linkId[l]);
          if (w < 0 || w == v) {
            continue;
          }
          int back = backLink(w, POINT_TO_POINT, routerId[v], linkData[l]);
          if (back >= 0) {
            addEdge(v, w, linkMetric[l], linkData[l], linkData[back]);
          }
        } else if (type == TRANSIT) {
          int n = networkIndex.get(linkId[l]);
          if (n >= 0 && lists(n, routerId[v])) {
            addEdge(v, routers + n, linkMetric[l], linkData[l], 0);
          }
        }
        // stub links become routes after the tree; virtual links are not used in one area
      }
    }
    for (int n = 0; n < networks; n++) {
      edgeStart[routers + n] = edges;
      if (networkIndex.get(networkId[n]) != n) {
        continue;
      }
      for (int a = attachedStart[n]; a < attachedStart[n + 1]; a++) {
        int w = routerIndex.get(attached[a]);
        if (w < 0) {
          continue;
        }
        int back = backLink(w, TRANSIT, networkId[n], 0);
        if (back >= 0) {
          addEdge(routers + n, w, 0, 0, linkData[back]);
        }
      }
    }
    edgeStart[vertices] = edges;
    // the reverse adjacency, by counting: the edges into each vertex
    inStart = grow(inStart, vertices + 1);
    Arrays.fill(inStart, 0, vertices + 1, 0);
    for (int e = 0; e < edges; e++) {
      inStart[edgeTo[e] + 1]++;
    }
    for (int v = 0; v < vertices; v++) {
      inStart[v + 1] += inStart[v];
    }
    inEdge = grow(inEdge, edges);
    for (int e = 0; e < edges; e++) {
      inEdge[inStart[edgeTo[e]]++] = e;
    }
    for (int v = vertices; v > 0; v--) {
      inStart[v] = inStart[v - 1];
    }
    inStart[0] = 0;
  }

  /**
   * The link of router {@code w} of {@code type} whose Link ID is {@code id}, -1 if none; among
   * several (parallel point-to-point links), the one whose Link Data shares the longest prefix
   * with {@code near}.
   */
  private int backLink(int w, int type, int id, int near) {
    int best = -1;
    int bestShared = -1;
    for (int l = linkStart[w]; l < linkStart[w + 1]; l++) {
      if (linkType[l] == type && linkId[l] == id) {
        int shared = Integer.numberOfLeadingZeros(linkData[l] ^ near);
        if (shared > bestShared) {
          best = l;
          bestShared = shared;
        }
      }
    }
    return best;
  }

  /** True if network {@code n}'s LSA lists router {@code id} as attached. */
  private boolean lists(int n, int id) {
    for (int a = attachedStart[n]; a < attachedStart[n + 1]; a++) {
      if (attached[a] == id) {
        return true;
      }
    }
    return false;
  }

  private void addEdge(int from, int to, int cost, int local, int remote) {
    int n = edges + 1;
    if (n > edgeTo.length) {
      int cap = Math.max(n, edgeTo.length * 2);
      edgeFrom = Arrays.copyOf(edgeFrom, cap);
      edgeTo = Arrays.copyOf(edgeTo, cap);
      edgeCost = Arrays.copyOf(edgeCost, cap);
      edgeLocal = Arrays.copyOf(edgeLocal, cap);
      edgeRemote = Arrays.copyOf(edgeRemote, cap);
    }
    edgeFrom[edges] = from;
    edgeTo[edges] = to;
    edgeCost[edges] = cost;
    edgeLocal[edges] = local;
    edgeRemote[edges] = remote;
    edges = n;
  }

  private void dijkstra() {
    int vertices = routers + networks;
    dist = grow(dist, vertices);
    heap = grow(heap, vertices);
    heapPos = grow(heapPos, vertices);
    order = grow(order, vertices);
    Arrays.fill(dist, 0, vertices, INF);
    Arrays.fill(heapPos, 0, vertices, -1);
    heapSize = 0;
    dist[root] = 0;
    heapPush(root);
    while (heapSize > 0) {
      int v = heapPop();
      order[reached++] = v;
      int dv = dist[v];
      for (int e = edgeStart[v], end = edgeStart[v + 1]; e < end; e++) {
        int w = edgeTo[e];
        int d = dv + edgeCost[e];
        if (d < dist[w]) {
          boolean queued = dist[w] != INF;
          dist[w] = d;
          if (queued) {
            heapUp(heapPos[w]);
          } else {
            heapPush(w);
          }
        }
      }
    }
  }

  /**
   * Each reached vertex's next hops, in the order the tree took them (so every parent is done
   * before its child): the union over its parents (edges P to V with dist P + cost = dist V) of
   * what that edge passes on (RFC 2328 16.1.1).
   */
  private void nextHops() {
    int vertices = routers + networks;
    nhStart = grow(nhStart, vertices);
    nhCount = grow(nhCount, vertices);
    nhUsed = 0;
    for (int k = 0; k < reached; k++) {
      nhCount[order[k]] = 0; // a parent not yet done (only behind a zero-cost router link) then adds nothing
    }
    for (int k = 0; k < reached; k++) {
      int v = order[k];
      nhStart[v] = nhUsed;
      nhCount[v] = 0;
      if (v == root) {
        continue;
      }
      int dv = dist[v];
      for (int i = inStart[v], end = inStart[v + 1]; i < end; i++) {
        int e = inEdge[i];
        int p = edgeFrom[e];
        if (dist[p] == INF || dist[p] + edgeCost[e] != dv) {
          continue;
        }
        if (p == root) {
          addNextHop(v, nextHop(edgeLocal[e], edgeRemote[e]));
        } else if (p >= routers) {
          // through a network: hops that reach it directly (gateway 0) gain this router's address on it
          for (int h = nhStart[p], hEnd = h + nhCount[p]; h < hEnd; h++) {
            long hop = nhPool[h];
            addNextHop(v, (int) hop == 0 ? nextHop((int) (hop >>> 32), edgeRemote[e]) : hop);
          }
        } else {
          for (int h = nhStart[p], hEnd = h + nhCount[p]; h < hEnd; h++) {
            addNextHop(v, nhPool[h]);
          }
        }
      }
    }
  }

  /** Adds {@code hop} to the set of {@code v}, which is the last one in the pool. */
  private void addNextHop(int v, long hop) {
    int s = nhStart[v];
    for (int h = s, end = s + nhCount[v]; h < end; h++) {
      if (nhPool[h] == hop) {
        return;
      }
    }
    if (nhUsed == nhPool.length) {
      nhPool = Arrays.copyOf(nhPool, nhPool.length * 2);
    }
    nhPool[nhUsed++] = hop;
    nhCount[v]++;
  }

  private static long nextHop(int iface, int gateway) {
    return ((long) iface << 32) | (gateway & 0xFFFF_FFFFL);
  }

  /** The transit networks' prefixes, then every reached router's stub networks (RFC 2328 16.1 (2)). */
  private void buildRoutes() {
    routeIndex.reset(networks + links / 2);
    for (int k = 0; k < reached; k++) {
      int v = order[k];
      if (v >= routers) {
        int n = v - routers;
        addRoute(networkId[n] & networkMask[n], networkMask[n], dist[v], v);
      }
    }
    for (int k = 0; k < reached; k++) {
      int v = order[k];
      if (v >= routers) {
        continue;
      }
      for (int l = linkStart[v]; l < linkStart[v + 1]; l++) {
        if (linkType[l] == STUB) {
          addRoute(linkId[l] & linkData[l], linkData[l], dist[v] + linkMetric[l], v);
        }
      }
    }
  }

  /**
   * A route to {@code prefix/mask} at {@code cost} through vertex {@code via}'s next hops (the
   * root's own: connected): new, better than the one known (replacing it), or as good (adding
   * its next hops).
   */
  private void addRoute(int prefix, int mask, int cost, int via) {
    long key = ((long) prefix << 32) | (mask & 0xFFFF_FFFFL);
    int r = routeIndex.get(key);
    if (r >= 0 && routeCost[r] < cost) {
      return;
    }
    int s = routePoolUsed;
    if (r >= 0 && routeCost[r] == cost) {
      for (int h = routeNhStart[r], end = h + routeNhCount[r]; h < end; h++) {
        addRouteHop(s, routePool[h]);
      }
    }
    if (via == root) {
      addRouteHop(s, 0L);
    } else {
      for (int h = nhStart[via], end = h + nhCount[via]; h < end; h++) {
        addRouteHop(s, nhPool[h]);
      }
    }
    if (r < 0) {
      r = routeCount++;
      if (routeCount > routePrefix.length) {
        int cap = routePrefix.length * 2;
        routePrefix = Arrays.copyOf(routePrefix, cap);
        routeMask = Arrays.copyOf(routeMask, cap);
        routeCost = Arrays.copyOf(routeCost, cap);
        routeNhStart = Arrays.copyOf(routeNhStart, cap);
        routeNhCount = Arrays.copyOf(routeNhCount, cap);
      }
      routeIndex.put(key, r);
      routePrefix[r] = prefix;
      routeMask[r] = mask;
    }
    routeCost[r] = cost;
    routeNhStart[r] = s;
    routeNhCount[r] = routePoolUsed - s;
  }

  /** Appends {@code hop} to the set being built from {@code s} to the end of the route pool, once. */
  private void addRouteHop(int s, long hop) {
    for (int h = s; h < routePoolUsed; h++) {
      if (routePool[h] == hop) {
        return;
      }
    }
    if (routePoolUsed == routePool.length) {
      routePool = Arrays.copyOf(routePool, routePool.length * 2);
    }
    routePool[routePoolUsed++] = hop;
  }

  // ---- the heap: vertex indices ordered by distance, networks before routers at equal distance ----

  private boolean before(int a, int b) {
    int da = dist[a];
    int db = dist[b];
    return da < db || (da == db && a >= routers && b < routers);
  }

  private void heapPush(int v) {
    heap[heapSize] = v;
    heapPos[v] = heapSize;
    heapUp(heapSize++);
  }

  private int heapPop() {
    int top = heap[0];
    heapPos[top] = -1;
    int last = heap[--heapSize];
    if (heapSize > 0) {
      heap[0] = last;
      heapPos[last] = 0;
      heapDown(0);
    }
    return top;
  }

  private void heapUp(int i) {
    int v = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      int p = heap[parent];
      if (!before(v, p)) {
        break;
      }
      heap[i] = p;
      heapPos[p] = i;
      i = parent;
    }
    heap[i] = v;
    heapPos[v] = i;
  }

  private void heapDown(int i) {
    int v = heap[i];
    while (true) {
      int c = 2 * i + 1;
      if (c >= heapSize) {
        break;
      }
      if (c + 1 < heapSize && before(heap[c + 1], heap[c])) {
        c++;
      }
      if (!before(heap[c], v)) {
        break;
      }
      heap[i] = heap[c];
      heapPos[heap[i]] = i;
      i = c;
    }
    heap[i] = v;
    heapPos[v] = i;
  }

  // ---------------------------------------------------------------- output

  /** Number of prefixes reached by the last run. */
  public int routeCount() {
    return routeCount;
  }

  public int routePrefix(int i) {
    return routePrefix[i];
  }

  public int routeMask(int i) {
    return routeMask[i];
  }

  public int routeCost(int i) {
    return routeCost[i];
  }

  public int nextHopCount(int i) {
    return routeNhCount[i];
  }

  /** The root's interface address the {@code k}th next hop of route {@code i} leaves by (0: connected). */
  public int nextHopInterface(int i, int k) {
    return (int) (routePool[routeNhStart[i] + k] >>> 32);
  }

  /** The gateway of the {@code k}th next hop of route {@code i} (0: directly connected). */
  public int nextHopGateway(int i, int k) {
    return (int) routePool[routeNhStart[i] + k];
  }

  /** The cost from the root to router {@code id} in the last run, -1 if unreached. */
  public int costToRouter(int id) {
    int v = root < 0 ? -1 : routerIndex.get(id);
    return v < 0 || dist[v] == INF ? -1 : dist[v];
  }

  /** Number of routers and networks in the last run's tree, the root included. */
  public int verticesReached() {
    return reached;
  }

  /** The last run's routes as values (allocating: for inspection, narration and tests). */
  public List<Route> routes() {
    List<Route> out = new ArrayList<>(routeCount);
    for (int i = 0; i < routeCount; i++) {
      Set<NextHop> hops = new LinkedHashSet<>();
      for (int k = 0; k < routeNhCount[i]; k++) {
        hops.add(new NextHop(nextHopInterface(i, k), nextHopGateway(i, k)));
      }
      out.add(new Route(routePrefix[i], routeMask[i], routeCost[i], hops));
    }
    return out;
  }

  private static int[] grow(int[] a, int n) {
    return n <= a.length ? a : Arrays.copyOf(a, Math.max(n, a.length * 2));
  }

  // ---------------------------------------------------------------- values

  /** A router-LSA's link (RFC 2328 A.4.2), TOS 0 metric only. */
  public record Link(int type, int linkId, int linkData, int metric) {}

  /** A router-LSA: the router's ID (its Link State ID and advertising router) and its links. */
  public record RouterLsa(int routerId, List<Link> links) {
    public RouterLsa {
      links = List.copyOf(links);
    }
  }

  /** A network-LSA (RFC 2328 A.4.3): the DR's interface address, the DR, the mask, the attached routers. */
  public record NetworkLsa(int linkStateId, int advertisingRouter, int mask, List<Integer> attachedRouters) {
    public NetworkLsa {
      attachedRouters = List.copyOf(attachedRouters);
    }
  }

  /**
   * Where a route leaves the root: its interface address, and the next router's address. A
   * gateway of 0 means directly connected: a transit network the root is on (the interface is its
   * address there) or one of the root's own stub networks (interface 0 too: a stub link names no
   * interface address). Such routes are the interfaces' own; there is nothing to install.
   */
  public record NextHop(int interfaceAddress, int gateway) {
    public boolean connected() {
      return gateway == 0;
    }
  }

  /** A route to {@code prefix/mask} at {@code cost} over equal-cost {@code nextHops}. */
  public record Route(int prefix, int mask, int cost, Set<NextHop> nextHops) {
    public Route {
      nextHops = Set.copyOf(nextHops);
    }
  }
}
