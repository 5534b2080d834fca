package emu.bench;

import emu.node.stack.Route;
import emu.node.stack.RouteTable;
import emu.node.stack.SyntheticPrefixes;
import emu.node.wire.Ipv4Cidr;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Comparator;
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
 * Longest-prefix match on random destinations, in memory on one core.
 *
 * <ul>
 *   <li>{@code small}: a typical node's table, 8 connected and static routes of 6 lengths, which
 *       {@link RouteTable} looks up in its per-length maps;</li>
 *   <li>{@code 900k}: 900,000 prefixes with the Internet's prefix-length mix
 *       ({@link SyntheticPrefixes}, seed 1), loaded with {@link RouteTable#addAll} and looked up
 *       in the compiled DXR structure.</li>
 * </ul>
 *
 * <p>Destinations are uniform over the whole IPv4 space and drawn before measuring, so the
 * random generator is not timed; there are 2^20 of them, enough that the lookups touch the
 * whole table instead of a corner that stays in cache. The trial setup prints the table's
 * memory: the compiled structure's arrays, and the heap the whole table holds (routes, per-length
 * maps and compiled structure: heap in use after a full GC, after building less before; good to
 * about a megabyte). Run with {@code -prof gc}: a lookup allocates nothing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-XX:+UseParallelGC"})
public class RouteLookupBenchmark {
  private static final int DESTINATIONS = 1 << 20;

  @Param({"small", "900k", "900k-dxr"})
  String table;

  private RouteTable routes;
  private DxrFib dxr;
  private final int[] destinations = new int[DESTINATIONS];
  private int i;

  @Setup(Level.Trial)
  public void setup() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    long before = memory.getHeapMemoryUsage().getUsed();
    routes = new RouteTable();
    switch (table) {
      case "small" -> {
        String[] prefixes = {"0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "192.168.1.0/24",
            "192.168.5.0/24", "172.16.0.0/12", "203.0.113.0/24"};
        for (String p : prefixes) {
          routes.add(new Route(Ipv4Cidr.parse(p), 0, null, 0, Route.Kind.STATIC));
        }
      }
      case "900k" -> {
        long start = System.nanoTime();
        routes.addAll(synthetic());
        System.out.printf("%nbuilt in %.2f s (addAll, maps included)", (System.nanoTime() - start) / 1e9);
      }
      case "900k-dxr" -> {
        List<Route> all = synthetic();
        all.sort(Comparator.comparingLong(r -> DxrFib.key(r.prefix().network(), r.prefix().prefixLength())));
        long[] keys = new long[all.size()];
        for (int k = 0; k < keys.length; k++) {
          keys[k] = DxrFib.key(all.get(k).prefix().network(), all.get(k).prefix().prefixLength());
        }
        long start = System.nanoTime();
        dxr = DxrFib.compile(keys, all.toArray(new Route[0]), keys.length);
        System.out.printf("%nDXR built in %.2f s (sorted keys given); %d ranges, %.1f MB", (System.nanoTime() - start) / 1e9,
            dxr.ranges(), dxr.bytes() / 1e6);
      }
      default -> throw new IllegalArgumentException("unknown table " + table);
    }
    System.gc();
    long held = Math.max(0, memory.getHeapMemoryUsage().getUsed() - before);
    if (dxr == null) {
      System.out.printf("%n%s: %d routes; compiled structure %d ranges, %.1f MB; "
          + "whole table about %.0f MB of heap%n",
          table, routes.size(), routes.compiledRanges(), routes.compiledBytes() / 1e6, held / 1e6);
    } else {
      System.out.printf("%n%s: DXR with its routes about %.0f MB of heap%n", table, held / 1e6);
    }
    SplittableRandom random = new SplittableRandom(42);
    for (int k = 0; k < DESTINATIONS; k++) {
      destinations[k] = random.nextInt();
    }
  }

  /** The 900,000 synthetic prefixes (seed 1), each with its own gateway. */
  private static List<Route> synthetic() {
    List<Route> all = new ArrayList<>(900_000);
    int gateway = 1;
    for (Ipv4Cidr p : SyntheticPrefixes.generate(900_000, 1)) {
      all.add(new Route(p, gateway++, null, 0, Route.Kind.STATIC));
    }
    return all;
  }

  @Benchmark
  public Route lookup() {
    int dst = destinations[i++ & (DESTINATIONS - 1)];
    return dxr != null ? dxr.lookup(dst) : routes.lookup(dst);
  }
}
