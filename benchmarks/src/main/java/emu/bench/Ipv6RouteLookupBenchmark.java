package emu.bench;

import emu.link.memory.MemoryLink;
import emu.link.time.VirtualTime;
import emu.node.ipv6.Ipv6Route;
import emu.node.ipv6.Ipv6Routes;
import emu.node.ipv6.SyntheticPrefixes6;
import emu.node.stack.NeighborCache;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.stack.StackObserver;
import emu.node.wire.Ipv4Cidr;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Cidr;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
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
 * IPv6 longest-prefix match ({@link Ipv6Routes}) on one core, run beside
 * {@link RouteLookupBenchmark}'s IPv4 tables:
 *
 * <ul>
 *   <li>{@code small6}: a typical node's table, 6 routes of 4 lengths (link-local, two LANs, a
 *       host route, a /48 and the default), looked up by the flat scan;</li>
 *   <li>{@code 230k}: 230,000 prefixes with the public IPv6 table's length mix
 *       ({@link SyntheticPrefixes6}, seed 1), loaded with {@link Ipv6Routes#addAll} and looked up
 *       by binary search on prefix lengths.</li>
 * </ul>
 *
 * <p>IPv6 space is too large for uniform destinations to mean anything (almost all would miss),
 * so seven in eight destinations fall inside a prefix of the table picked at random (host bits
 * random, so they often match a longer prefix inside it too) and one in eight anywhere in
 * 2000::/3. There are 2^20 of them, drawn before measuring. The setup prints the build time, the
 * markers and the heap the whole table holds. Run with {@code -prof gc}: a lookup allocates nothing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-XX:+UseParallelGC"})
public class Ipv6RouteLookupBenchmark {
  private static final int DESTINATIONS = 1 << 20;

  /** Named apart from {@link RouteLookupBenchmark}'s {@code table}, so one command can run both with -p. */
  @Param({"small6", "230k"})
  String table6;

  private Ipv6Routes routes;
  private final long[] destinations = new long[2 * DESTINATIONS];
  private int i;

  @Setup(Level.Trial)
  public void setup() {
    NetworkStack stack = new NetworkStack("r1", new VirtualTime(), new SplittableRandom(1), StackObserver.OFF,
        UnpooledByteBufAllocator.DEFAULT, true, NeighborCache.Params.LINUX);
    Nic eth0 = stack.addNic("eth0", 0x020000000400L, Ipv4Cidr.parse("192.168.1.1/24"),
        new MemoryLink("eth0", "peer", 1500, new VirtualTime(), 0).a());
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    List<Ipv6Cidr> prefixes = switch (table6) {
      case "small6" -> List.of("fe80::/64", "2001:db8:1::/64", "2001:db8:5::/64", "2001:db8:5::100/128",
          "2001:db8:ff00::/48", "::/0").stream().map(Ipv6Cidr::parse).toList();
      case "230k" -> SyntheticPrefixes6.generate(230_000, 1);
      default -> throw new IllegalArgumentException("unknown table " + table6);
    };
    List<Ipv6Route> all = new ArrayList<>(prefixes.size());
    long gateway = 1;
    for (Ipv6Cidr p : prefixes) {
      all.add(new Ipv6Route(p, new Ipv6Address(0xFE80_0000_0000_0000L, gateway++), eth0, 1024,
          Ipv6Route.Kind.STATIC, Long.MAX_VALUE));
    }
    System.gc();
    long before = memory.getHeapMemoryUsage().getUsed();
    long start = System.nanoTime();
    routes = new Ipv6Routes();
    routes.addAll(all);
    routes.lookup(0, 0, 0); // the first lookup after a change builds the search structure
    double seconds = (System.nanoTime() - start) / 1e9;
    System.gc();
    long held = Math.max(0, memory.getHeapMemoryUsage().getUsed() - before);
    System.out.printf("%n%s: %d prefixes, built in %.2f s (addAll and first lookup); table about %.0f MB of heap "
        + "beyond its routes%n", table6, routes.prefixCount(), seconds, held / 1e6);
    SplittableRandom random = new SplittableRandom(42);
    for (int k = 0; k < DESTINATIONS; k++) {
      if (random.nextInt(8) == 0) {
        destinations[2 * k] = 0x2000_0000_0000_0000L | random.nextLong() >>> 3;
      } else {
        Ipv6Cidr p = prefixes.get(random.nextInt(prefixes.size()));
        long mask = Ipv6Address.maskHi(p.prefixLength());
        destinations[2 * k] = p.address().hi() & mask | random.nextLong() & ~mask;
      }
      destinations[2 * k + 1] = random.nextLong();
    }
  }

  @Benchmark
  public Ipv6Route lookup() {
    int k = 2 * (i++ & (DESTINATIONS - 1));
    return routes.lookup(destinations[k], destinations[k + 1], 0);
  }
}
