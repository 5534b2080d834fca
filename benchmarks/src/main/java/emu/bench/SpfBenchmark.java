package emu.bench;

import emu.node.ospf.Spf;
import emu.node.ospf.Spf.Link;
import emu.node.ospf.Spf.NetworkLsa;
import emu.node.ospf.Spf.RouterLsa;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The OSPF shortest-path calculation ({@link Spf}, RFC 2328 16.1) of one router in a synthetic
 * 1,000-router area (seed 19), in memory on one core. The area, as a campus or a provider's
 * metro network is built:
 *
 * <ul>
 *   <li>a core of 10 routers, a full mesh of point-to-point links (45), metric 10;</li>
 *   <li>90 aggregation routers in 45 pairs, each linked to two different core routers (metric
 *       10-20) and to its pair (metric 5);</li>
 *   <li>900 access routers on 180 switched access LANs (transit networks), five per LAN with the
 *       aggregation pair that serves it (each pair serves four LANs; the first aggregation router
 *       is the DR), metric 10;</li>
 *   <li>stub networks: every router's loopback /32, every point-to-point link's /30 from both
 *       ends, and two user /24s on each access router (metrics 1-10).</li>
 * </ul>
 *
 * <p>That is 1,000 router-LSAs with 5,140 links (270 point-to-point links, 1,260 routers on
 * LANs, 3,070 stubs) and 180 network-LSAs; 1,180 vertices and 3,250 prefixes in the result,
 * some over two equal-cost paths (49 from the access router below, 698 from the core router;
 * the trial setup prints the counts). Two measurements:
 *
 * <ul>
 *   <li>{@code run}: {@link Spf#run} on a database already fed: the graph compiled with the
 *       two-way check, Dijkstra, the next hops, the routes;</li>
 *   <li>{@code feedAndRun}: the database fed again field by field from the LSA values first,
 *       as the protocol machine will do from its stored LSAs on each calculation.</li>
 * </ul>
 *
 * <p>{@code root} is the calculating router: an access router (everything but its LAN is past
 * the aggregation layer) or a core router. Run with {@code -prof gc}: a calculation allocates
 * nothing once the arrays have grown to the area.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", "-XX:+UseParallelGC"})
public class SpfBenchmark {
  static final int CORE = 10;
  static final int AGGREGATION = 90;
  static final int ACCESS = 900;
  static final int PER_LAN = 5;

  @Param({"access", "core"})
  String root;

  private final Spf spf = new Spf();
  private List<RouterLsa> routers;
  private List<NetworkLsa> networks;
  private int rootId;

  static int rid(int i) {
    return 0x0100_0000 + i;
  }

  @Setup(Level.Trial)
  public void setup() {
    build(new SplittableRandom(19));
    rootId = root.equals("core") ? rid(3) : rid(CORE + AGGREGATION + 437);
    spf.load(routers, networks);
    if (!spf.run(rootId)) {
      throw new IllegalStateException("the root is not in the database");
    }
    int links = routers.stream().mapToInt(r -> r.links().size()).sum();
    long ecmp = spf.routes().stream().filter(r -> r.nextHops().size() > 1).count();
    System.out.printf("%n%d router-LSAs (%d links), %d network-LSAs; %d vertices reached, %d routes (%d ECMP)%n",
        routers.size(), links, networks.size(), spf.verticesReached(), spf.routeCount(), ecmp);
  }

  private void build(SplittableRandom rnd) {
    int n = CORE + AGGREGATION + ACCESS;
    List<List<Link>> links = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      links.add(new ArrayList<>());
      links.get(i).add(new Link(Spf.STUB, 0xC0A8_0000 + i, 0xFFFF_FFFF, 0)); // loopback 192.168.x.y/32
    }
    int[] subnet = {0};
    for (int a = 0; a < CORE; a++) {
      for (int b = a + 1; b < CORE; b++) {
        p2p(links, subnet, a, b, 10);
      }
    }
    for (int p = 0; p < AGGREGATION / 2; p++) {
      int a = CORE + 2 * p;
      int b = a + 1;
      int c1 = rnd.nextInt(CORE);
      int c2 = (c1 + 1 + rnd.nextInt(CORE - 1)) % CORE;
      p2p(links, subnet, a, c1, 10 + rnd.nextInt(11));
      p2p(links, subnet, a, c2, 10 + rnd.nextInt(11));
      p2p(links, subnet, b, c1, 10 + rnd.nextInt(11));
      p2p(links, subnet, b, c2, 10 + rnd.nextInt(11));
      p2p(links, subnet, a, b, 5);
    }
    networks = new ArrayList<>();
    for (int lan = 0; lan < ACCESS / PER_LAN; lan++) {
      int pair = lan / 4;
      int[] members = new int[PER_LAN + 2];
      members[0] = CORE + 2 * pair;
      members[1] = CORE + 2 * pair + 1;
      for (int k = 0; k < PER_LAN; k++) {
        members[2 + k] = CORE + AGGREGATION + PER_LAN * lan + k;
      }
      int base = 0xAC10_0000 + (lan << 8); // 172.16.lan.0/24
      int dr = base + 1;
      List<Integer> attached = new ArrayList<>();
      for (int k = 0; k < members.length; k++) {
        links.get(members[k]).add(new Link(Spf.TRANSIT, dr, base + 1 + k, 10));
        attached.add(rid(members[k]));
      }
      networks.add(new NetworkLsa(dr, rid(members[0]), 0xFFFF_FF00, attached));
    }
    for (int i = CORE + AGGREGATION; i < n; i++) {
      int user = 0x6400_0000 + ((i - CORE - AGGREGATION) << 9); // 100.x.y.0/24, two per router
      links.get(i).add(new Link(Spf.STUB, user, 0xFFFF_FF00, 1 + rnd.nextInt(10)));
      links.get(i).add(new Link(Spf.STUB, user + 256, 0xFFFF_FF00, 1 + rnd.nextInt(10)));
    }
    routers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      routers.add(new RouterLsa(rid(i), links.get(i)));
    }
  }

  /** A numbered point-to-point link: each end's link to the other, and each end's stub for the /30. */
  private static void p2p(List<List<Link>> links, int[] subnet, int a, int b, int metric) {
    int net = 0x0A00_0000 + 4 * subnet[0]++; // 10.x.y.z/30
    links.get(a).add(new Link(Spf.POINT_TO_POINT, rid(b), net + 1, metric));
    links.get(a).add(new Link(Spf.STUB, net, 0xFFFF_FFFC, metric));
    links.get(b).add(new Link(Spf.POINT_TO_POINT, rid(a), net + 2, metric));
    links.get(b).add(new Link(Spf.STUB, net, 0xFFFF_FFFC, metric));
  }

  @Benchmark
  public int run() {
    spf.run(rootId);
    return spf.routeCount();
  }

  @Benchmark
  public int feedAndRun() {
    spf.clear();
    for (int r = 0, nr = routers.size(); r < nr; r++) {
      RouterLsa lsa = routers.get(r);
      spf.router(lsa.routerId());
      List<Link> ls = lsa.links();
      for (int l = 0, nl = ls.size(); l < nl; l++) {
        Link link = ls.get(l);
        spf.link(link.type(), link.linkId(), link.linkData(), link.metric());
      }
    }
    for (int k = 0, nn = networks.size(); k < nn; k++) {
      NetworkLsa net = networks.get(k);
      spf.network(net.linkStateId(), net.advertisingRouter(), net.mask());
      List<Integer> att = net.attachedRouters();
      for (int a = 0, na = att.size(); a < na; a++) {
        spf.attached(att.get(a));
      }
    }
    spf.run(rootId);
    return spf.routeCount();
  }
}
