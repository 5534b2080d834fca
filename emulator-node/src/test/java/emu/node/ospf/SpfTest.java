package emu.node.ospf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.ospf.Spf.Link;
import emu.node.ospf.Spf.NetworkLsa;
import emu.node.ospf.Spf.NextHop;
import emu.node.ospf.Spf.Route;
import emu.node.ospf.Spf.RouterLsa;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The SPF against a plain reference: Floyd–Warshall over the same LSAs (two-way checked by hand),
 * next hops taken from their definition in RFC 2328 16.1.1 (the first hop of every shortest path,
 * not the parent-by-parent inheritance {@link Spf} uses), on seeded random databases of up to a
 * few hundred routers with point-to-point links, transit LANs, stubs, one-sided adjacencies and
 * unreachable islands; and small hand-drawn cases for ECMP, the two-way check and parallel links.
 */
class SpfTest {
  static int ip(int a, int b, int c, int d) {
    return (a << 24) | (b << 16) | (c << 8) | d;
  }

  static int rid(int i) {
    return ip(1, 0, 0, 0) + i;
  }

  static Map<String, Route> byPrefix(List<Route> routes) {
    Map<String, Route> m = new HashMap<>();
    for (Route r : routes) {
      assertTrue(m.put(r.prefix() + "/" + r.mask(), r) == null, "one route per prefix");
    }
    return m;
  }

  /** A random database, in the shapes OSPF routers originate. */
  static final class RandomDb {
    final List<List<Link>> links = new ArrayList<>();
    final List<NetworkLsa> networks = new ArrayList<>();
    final int n;

    RandomDb(long seed, int n) {
      this.n = n;
      SplittableRandom rnd = new SplittableRandom(seed);
      for (int i = 0; i < n; i++) {
        links.add(new ArrayList<>());
        links.get(i).add(new Link(Spf.STUB, ip(192, 168, i >> 8, i & 255), -1, 1 + rnd.nextInt(10))); // loopback /32
      }
      // a spanning-ish mesh of point-to-point links among the first 90%, the rest islands of their own
      int main = Math.max(2, n * 9 / 10);
      int subnet = 0;
      Set<Long> pairs = new HashSet<>();
      int p2p = main + rnd.nextInt(main + 1);
      for (int k = 0; k < p2p; k++) {
        int a = k < main - 1 ? k + 1 : rnd.nextInt(main);
        int b = k < main - 1 ? rnd.nextInt(k + 1) : rnd.nextInt(main);
        if (a == b || !pairs.add(Math.min(a, b) * 100_000L + Math.max(a, b))) {
          continue;
        }
        int net = ip(10, 0, 0, 0) + 4 * subnet++;
        int oneSided = rnd.nextInt(25); // 0: b does not advertise the link back
        int ma = 1 + rnd.nextInt(20);
        int mb = rnd.nextInt(3) == 0 ? ma : 1 + rnd.nextInt(20);
        links.get(a).add(new Link(Spf.POINT_TO_POINT, rid(b), net + 1, ma));
        links.get(a).add(new Link(Spf.STUB, net, 0xfffffffc, ma));
        if (oneSided != 0) {
          links.get(b).add(new Link(Spf.POINT_TO_POINT, rid(a), net + 2, mb));
        }
        links.get(b).add(new Link(Spf.STUB, net, 0xfffffffc, mb));
      }
      // transit LANs among the main part, some with an island router or two on them
      int lans = 1 + n / 6;
      for (int l = 0; l < lans; l++) {
        int size = 2 + rnd.nextInt(5);
        List<Integer> members = new ArrayList<>();
        while (members.size() < size) {
          int r = rnd.nextInt(8) == 0 ? rnd.nextInt(n) : rnd.nextInt(main);
          if (!members.contains(r)) {
            members.add(r);
          }
        }
        int base = ip(172, 16 + (l >> 8), l & 255, 0);
        int dr = base + 1;
        List<Integer> attached = new ArrayList<>();
        int metric = 1 + rnd.nextInt(20);
        for (int j = 0; j < members.size(); j++) {
          int r = members.get(j);
          int quirk = j == 0 ? 9 : rnd.nextInt(30);
          if (quirk != 0) { // 0: the DR does not list it (it is not Full)
            attached.add(rid(r));
          }
          if (quirk != 1) { // 1: it does not say it is on the LAN
            links.get(r).add(new Link(Spf.TRANSIT, dr, base + 1 + j, rnd.nextBoolean() ? metric : 1 + rnd.nextInt(20)));
          }
        }
        networks.add(new NetworkLsa(dr, rid(members.get(0)), 0xffffff00, attached));
      }
      // stub networks, a few advertised by several routers (anycast, or a LAN with no adjacency)
      int stubs = n / 2;
      for (int s = 0; s < stubs; s++) {
        int prefix = ip(100, 64 + (s >> 8) % 64, s & 255, 0);
        int holders = rnd.nextInt(5) == 0 ? 2 + rnd.nextInt(3) : 1;
        for (int h = 0; h < holders; h++) {
          links.get(rnd.nextInt(n)).add(new Link(Spf.STUB, prefix, 0xffffff00, 1 + rnd.nextInt(15)));
        }
      }
    }

    List<RouterLsa> routerLsas() {
      List<RouterLsa> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        out.add(new RouterLsa(rid(i), links.get(i)));
      }
      return out;
    }
  }

  /**
   * The reference: vertices are routers 0..n-1 and networks n.., edges the two-way checked ones,
   * distances by Floyd–Warshall, next hops by definition (the first hop of each shortest path).
   */
  static final class Reference {
    static final long INF = Long.MAX_VALUE / 4;
    final List<RouterLsa> routers;
    final List<NetworkLsa> networks;
    final int v;
    final long[][] d;
    final long[][] edge;
    /** edgeLocal[a][b]: a's interface address on the edge; edgeRemote[a][b]: b's. */
    final int[][] edgeLocal;
    final int[][] edgeRemote;
    final Map<Integer, Integer> index = new HashMap<>();

    Reference(List<RouterLsa> routers, List<NetworkLsa> networks) {
      this.routers = routers;
      this.networks = networks;
      int n = routers.size();
      v = n + networks.size();
      d = new long[v][v];
      edge = new long[v][v];
      edgeLocal = new int[v][v];
      edgeRemote = new int[v][v];
      for (long[] row : edge) {
        java.util.Arrays.fill(row, INF);
      }
      for (int i = 0; i < n; i++) {
        index.put(routers.get(i).routerId(), i);
      }
      for (int i = 0; i < n; i++) {
        for (Link l : routers.get(i).links()) {
          if (l.type() == Spf.POINT_TO_POINT && index.containsKey(l.linkId())) {
            int j = index.get(l.linkId());
            for (Link back : routers.get(j).links()) {
              if (back.type() == Spf.POINT_TO_POINT && back.linkId() == routers.get(i).routerId()) {
                set(i, j, l.metric(), l.linkData(), back.linkData());
              }
            }
          }
          if (l.type() == Spf.TRANSIT) {
            for (int k = 0; k < networks.size(); k++) {
              NetworkLsa net = networks.get(k);
              if (net.linkStateId() == l.linkId() && net.attachedRouters().contains(routers.get(i).routerId())) {
                set(i, n + k, l.metric(), l.linkData(), 0);
              }
            }
          }
        }
      }
      for (int k = 0; k < networks.size(); k++) {
        for (int a : networks.get(k).attachedRouters()) {
          Integer j = index.get(a);
          if (j == null) {
            continue;
          }
          for (Link back : routers.get(j).links()) {
            if (back.type() == Spf.TRANSIT && back.linkId() == networks.get(k).linkStateId()) {
              set(n + k, j, 0, 0, back.linkData());
            }
          }
        }
      }
      for (int a = 0; a < v; a++) {
        for (int b = 0; b < v; b++) {
          d[a][b] = a == b ? 0 : edge[a][b];
        }
      }
      for (int k = 0; k < v; k++) {
        for (int a = 0; a < v; a++) {
          if (d[a][k] == INF) {
            continue;
          }
          for (int b = 0; b < v; b++) {
            if (d[a][k] + d[k][b] < d[a][b]) {
              d[a][b] = d[a][k] + d[k][b];
            }
          }
        }
      }
    }

    private void set(int a, int b, long cost, int local, int remote) {
      edge[a][b] = cost;
      edgeLocal[a][b] = local;
      edgeRemote[a][b] = remote;
    }

    /** The first hops of the shortest paths from {@code root} to vertex {@code dst}. */
    Set<NextHop> nextHops(int root, int dst) {
      Set<NextHop> hops = new HashSet<>();
      int n = routers.size();
      for (int x = 0; x < v; x++) {
        if (edge[root][x] == INF || edge[root][x] + d[x][dst] != d[root][dst]) {
          continue;
        }
        if (x < n) {
          hops.add(new NextHop(edgeLocal[root][x], edgeRemote[root][x]));
        } else if (x == dst) {
          hops.add(new NextHop(edgeLocal[root][x], 0));
        } else {
          for (int r = 0; r < n; r++) {
            if (r != root && edge[x][r] != INF && edge[root][x] + edge[x][r] + d[r][dst] == d[root][dst]) {
              hops.add(new NextHop(edgeLocal[root][x], edgeRemote[x][r]));
            }
          }
        }
      }
      return hops;
    }

    Map<String, Route> routes(int root) {
      Map<String, Long> cost = new HashMap<>();
      Map<String, Set<NextHop>> hops = new HashMap<>();
      Map<String, int[]> prefix = new HashMap<>();
      int n = routers.size();
      for (int k = 0; k < networks.size(); k++) {
        NetworkLsa net = networks.get(k);
        if (d[root][n + k] < INF) {
          offer(cost, hops, prefix, net.linkStateId() & net.mask(), net.mask(), d[root][n + k], nextHops(root, n + k));
        }
      }
      for (int r = 0; r < n; r++) {
        if (d[root][r] >= INF) {
          continue;
        }
        for (Link l : routers.get(r).links()) {
          if (l.type() == Spf.STUB) {
            offer(cost, hops, prefix, l.linkId() & l.linkData(), l.linkData(), d[root][r] + l.metric(),
                r == root ? Set.of(new NextHop(0, 0)) : nextHops(root, r));
          }
        }
      }
      Map<String, Route> out = new HashMap<>();
      for (String key : cost.keySet()) {
        out.put(key, new Route(prefix.get(key)[0], prefix.get(key)[1], (int) (long) cost.get(key), hops.get(key)));
      }
      return out;
    }

    private static void offer(Map<String, Long> cost, Map<String, Set<NextHop>> hops, Map<String, int[]> prefix,
                              int p, int mask, long c, Set<NextHop> h) {
      String key = p + "/" + mask;
      Long old = cost.get(key);
      if (old == null || c < old) {
        cost.put(key, c);
        hops.put(key, new HashSet<>(h));
        prefix.put(key, new int[] {p, mask});
      } else if (c == old) {
        hops.get(key).addAll(h);
      }
    }
  }

  @Test
  void randomDatabasesAgreeWithFloydWarshallAndTheNextHopDefinition() {
    Spf spf = new Spf(); // one instance throughout: arrays reused between runs of every size
    SplittableRandom sizes = new SplittableRandom(16_1);
    int ecmpRoutes = 0;
    int unreachable = 0;
    for (int t = 0; t < 40; t++) {
      int n = t < 4 ? 300 - 40 * t : 2 + sizes.nextInt(120);
      RandomDb db = new RandomDb(1000 + t, n);
      List<RouterLsa> routers = db.routerLsas();
      Reference ref = new Reference(routers, db.networks);
      spf.load(routers, db.networks);
      for (int root : new int[] {0, n / 2, n - 1}) {
        assertTrue(spf.run(rid(root)));
        Map<String, Route> expected = ref.routes(root);
        Map<String, Route> actual = byPrefix(spf.routes());
        assertEquals(expected, actual, "seed " + (1000 + t) + " n " + n + " root " + root);
        for (int r = 0; r < n; r++) {
          long want = ref.d[root][r];
          assertEquals(want >= Reference.INF ? -1 : (int) want, spf.costToRouter(rid(r)));
          unreachable += want >= Reference.INF ? 1 : 0;
        }
        ecmpRoutes += (int) actual.values().stream().filter(x -> x.nextHops().size() > 1).count();
      }
    }
    assertTrue(ecmpRoutes > 100, "the random databases exercise ECMP: " + ecmpRoutes);
    assertTrue(unreachable > 50, "and unreachable routers: " + unreachable);
  }

  /**
   * r1 to r4 two ways at cost 20 (over r2 and over r3, point-to-point), and r4's stub 10.4.0.0/24:
   * two next hops; r2's loopback at 10, one.
   */
  @Test
  void equalCostPathsKeepEveryNextHop() {
    List<RouterLsa> db = List.of(
        new RouterLsa(rid(1), List.of(p2p(2, "10.0.12.1", 10), p2p(3, "10.0.13.1", 10))),
        new RouterLsa(rid(2), List.of(p2p(1, "10.0.12.2", 10), p2p(4, "10.0.24.2", 10), stub("2.2.2.2", 32, 0))),
        new RouterLsa(rid(3), List.of(p2p(1, "10.0.13.3", 10), p2p(4, "10.0.34.3", 10))),
        new RouterLsa(rid(4), List.of(p2p(2, "10.0.24.4", 10), p2p(3, "10.0.34.4", 10), stub("10.4.0.0", 24, 5))));
    Spf spf = new Spf().load(db, List.of());
    assertTrue(spf.run(rid(1)));
    Map<String, Route> routes = byPrefix(spf.routes());
    assertEquals(new Route(addr("10.4.0.0"), mask(24), 25, Set.of(
        new NextHop(addr("10.0.12.1"), addr("10.0.12.2")), new NextHop(addr("10.0.13.1"), addr("10.0.13.3")))),
        routes.get(addr("10.4.0.0") + "/" + mask(24)));
    assertEquals(Set.of(new NextHop(addr("10.0.12.1"), addr("10.0.12.2"))),
        routes.get(addr("2.2.2.2") + "/" + mask(32)).nextHops());
    assertEquals(20, spf.costToRouter(rid(4)));
  }

  /**
   * r1, r2 and r3 on the LAN 10.0.0.0/24 (DR r2, 10.0.0.2); r2 and r3 each reach r4 at 10; r4's
   * stub is two next hops on the same interface, through r2's and r3's LAN addresses; the LAN
   * itself is connected.
   */
  @Test
  void equalCostPathsAcrossATransitNetwork() {
    int dr = addr("10.0.0.2");
    List<RouterLsa> db = List.of(
        new RouterLsa(rid(1), List.of(new Link(Spf.TRANSIT, dr, addr("10.0.0.1"), 1))),
        new RouterLsa(rid(2), List.of(new Link(Spf.TRANSIT, dr, dr, 1), p2p(4, "10.0.24.2", 10))),
        new RouterLsa(rid(3), List.of(new Link(Spf.TRANSIT, dr, addr("10.0.0.3"), 1), p2p(4, "10.0.34.3", 10))),
        new RouterLsa(rid(4), List.of(p2p(2, "10.0.24.4", 10), p2p(3, "10.0.34.4", 10), stub("10.4.0.0", 24, 1))));
    List<NetworkLsa> nets = List.of(new NetworkLsa(dr, rid(2), mask(24), List.of(rid(1), rid(2), rid(3))));
    Spf spf = new Spf().load(db, nets);
    assertTrue(spf.run(rid(1)));
    Map<String, Route> routes = byPrefix(spf.routes());
    int lan = addr("10.0.0.1");
    assertEquals(new Route(addr("10.4.0.0"), mask(24), 12,
        Set.of(new NextHop(lan, addr("10.0.0.2")), new NextHop(lan, addr("10.0.0.3")))),
        routes.get(addr("10.4.0.0") + "/" + mask(24)));
    Route connected = routes.get(addr("10.0.0.0") + "/" + mask(24));
    assertEquals(1, connected.cost());
    assertEquals(Set.of(new NextHop(lan, 0)), connected.nextHops());
    assertTrue(connected.nextHops().iterator().next().connected());
  }

  /** A link advertised by one end only is not used; neither is a LAN the DR does not list the router on. */
  @Test
  void theTwoWayCheckDropsOneSidedLinks() {
    int dr = addr("10.0.0.2");
    List<RouterLsa> db = List.of(
        new RouterLsa(rid(1), List.of(p2p(2, "10.0.12.1", 10), new Link(Spf.TRANSIT, dr, addr("10.0.0.1"), 1))),
        new RouterLsa(rid(2), List.of(stub("2.2.2.2", 32, 0))), // r2 does not say it is adjacent to r1
        new RouterLsa(rid(3), List.of(new Link(Spf.TRANSIT, dr, dr, 1), stub("3.3.3.3", 32, 0))));
    List<NetworkLsa> nets = List.of(new NetworkLsa(dr, rid(3), mask(24), List.of(rid(3)))); // r1 not Full
    Spf spf = new Spf().load(db, nets);
    assertTrue(spf.run(rid(1)));
    assertEquals(-1, spf.costToRouter(rid(2)));
    assertEquals(-1, spf.costToRouter(rid(3)));
    assertEquals(1, spf.verticesReached(), "only the root");
    assertFalse(byPrefix(spf.routes()).containsKey(addr("2.2.2.2") + "/" + mask(32)));
    // from r3's side: the LAN is reached (it lists r3) but r1 is not (r1 is not listed)
    assertTrue(spf.run(rid(3)));
    assertEquals(-1, spf.costToRouter(rid(1)));
    assertEquals(Set.of(addr("10.0.0.0") + "/" + mask(24), addr("3.3.3.3") + "/" + mask(32)),
        byPrefix(spf.routes()).keySet());
  }

  @Test
  void aRootWithoutItsLsaReachesNothingAndIslandsAreLeftOut() {
    List<RouterLsa> db = List.of(
        new RouterLsa(rid(1), List.of(p2p(2, "10.0.12.1", 10), stub("1.1.1.1", 32, 0))),
        new RouterLsa(rid(2), List.of(p2p(1, "10.0.12.2", 10))),
        new RouterLsa(rid(5), List.of(p2p(6, "10.0.56.5", 1), stub("5.5.5.5", 32, 0))),
        new RouterLsa(rid(6), List.of(p2p(5, "10.0.56.6", 1))));
    Spf spf = new Spf().load(db, List.of());
    assertFalse(spf.run(rid(9)));
    assertEquals(0, spf.routeCount());
    assertTrue(spf.run(rid(1)));
    assertEquals(Set.of(addr("1.1.1.1") + "/" + mask(32)), byPrefix(spf.routes()).keySet());
    assertEquals(List.of(new NextHop(0, 0)), List.copyOf(spf.routes().get(0).nextHops()), "the root's own stub");
    assertEquals(-1, spf.costToRouter(rid(5)));
    assertEquals(10, spf.costToRouter(rid(2)));
  }

  /** Two point-to-point links between r1 and r2: each next hop pairs the two ends of the same subnet. */
  @Test
  void parallelLinksPairTheirEndsBySubnet() {
    List<RouterLsa> db = List.of(
        new RouterLsa(rid(1), List.of(p2p(2, "10.0.1.1", 10), p2p(2, "10.0.2.1", 10))),
        new RouterLsa(rid(2), List.of(p2p(1, "10.0.2.2", 10), p2p(1, "10.0.1.2", 10), stub("2.2.2.2", 32, 0))));
    Spf spf = new Spf().load(db, List.of());
    assertTrue(spf.run(rid(1)));
    assertEquals(Set.of(new NextHop(addr("10.0.1.1"), addr("10.0.1.2")),
        new NextHop(addr("10.0.2.1"), addr("10.0.2.2"))),
        byPrefix(spf.routes()).get(addr("2.2.2.2") + "/" + mask(32)).nextHops());
  }

  /** The field-by-field feed gives what the values give, and a small database after a large one is clean. */
  @Test
  void theFieldByFieldFeedAndReuseAgreeWithAFreshInstance() {
    RandomDb big = new RandomDb(7, 200);
    RandomDb small = new RandomDb(8, 30);
    Spf reused = new Spf().load(big.routerLsas(), big.networks);
    assertTrue(reused.run(rid(0)));
    reused.clear();
    for (RouterLsa r : small.routerLsas()) {
      reused.router(r.routerId());
      for (Link l : r.links()) {
        reused.link(l.type(), l.linkId(), l.linkData(), l.metric());
      }
    }
    for (NetworkLsa n : small.networks) {
      reused.network(n.linkStateId(), n.advertisingRouter(), n.mask());
      n.attachedRouters().forEach(reused::attached);
    }
    assertTrue(reused.run(rid(3)));
    Spf fresh = new Spf().load(small.routerLsas(), small.networks);
    assertTrue(fresh.run(rid(3)));
    assertEquals(byPrefix(fresh.routes()), byPrefix(reused.routes()));
  }

  static Link p2p(int neighbor, String localAddress, int metric) {
    return new Link(Spf.POINT_TO_POINT, rid(neighbor), addr(localAddress), metric);
  }

  static Link stub(String prefix, int len, int metric) {
    return new Link(Spf.STUB, addr(prefix), mask(len), metric);
  }

  static int addr(String dotted) {
    String[] p = dotted.split("\\.");
    return ip(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3]));
  }

  static int mask(int len) {
    return len == 0 ? 0 : -1 << (32 - len);
  }
}
