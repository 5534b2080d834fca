package emu.bench;

import emu.node.stack.Nic;
import emu.node.stack.Route;
import emu.node.stack.RouteTable;
import emu.node.wire.Ipv4Cidr;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Longest-prefix match on a small table (a few connected and static routes), random destinations. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RouteLookupBenchmark {
  private final RouteTable table = new RouteTable();
  private final int[] destinations = new int[4096];
  private int i;

  @Setup
  public void setup() {
    String[] prefixes = {"0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "192.168.1.0/24",
        "192.168.5.0/24", "172.16.0.0/12", "203.0.113.0/24"};
    for (String p : prefixes) {
      table.add(new Route(Ipv4Cidr.parse(p), 0, (Nic) null, 0, Route.Kind.STATIC));
    }
    SplittableRandom r = new SplittableRandom(42);
    for (int k = 0; k < destinations.length; k++) {
      destinations[k] = r.nextInt();
    }
  }

  @Benchmark
  public Route lookup() {
    return table.lookup(destinations[i++ & 4095]);
  }
}
