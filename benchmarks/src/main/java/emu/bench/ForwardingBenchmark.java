package emu.bench;

import emu.link.time.VirtualTime;
import io.netty.buffer.ByteBuf;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The router's per-packet forwarding path, in memory on one core: Ethernet check, IPv4
 * validation and header checksum verification, longest-prefix route lookup, TTL decrement with
 * incremental checksum update, neighbour lookup, MAC rewrite, hand-off to the egress endpoint;
 * with {@code family=6} IPv6's (header check, hop limit, no checksum to update); with
 * {@code family=4nat} IPv4 through the masquerade of emu.node.nat (mapping lookup, source
 * address and port rewritten, IP and UDP checksums updated incrementally).
 * The egress endpoint here keeps the frame so the same buffer is forwarded again; run with
 * {@code -prof gc} to see the allocation rate per operation (it should be 0).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", "-XX:+UseParallelGC"})
public class ForwardingBenchmark {
  @Param({"64", "1500"})
  int frameSize;

  /** 4 or 6: the same router forwarding IPv4 or IPv6; 4nat: IPv4 masqueraded out of eth1 (emu.node.nat). */
  @Param({"4", "6", "4nat"})
  String family;

  private OneRouter r;

  @Setup(Level.Trial)
  public void setup() {
    r = "4nat".equals(family) ? OneRouter.withNat(frameSize, new VirtualTime())
        : new OneRouter(frameSize, new VirtualTime(), e -> e, emu.node.stack.StackObserver.OFF, "6".equals(family));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    r.close();
  }

  @Benchmark
  public ByteBuf forward() {
    return r.forward();
  }
}
