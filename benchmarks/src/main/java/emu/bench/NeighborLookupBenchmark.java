package emu.bench;

import emu.link.DisconnectedEndpoint;
import emu.link.time.VirtualTime;
import emu.node.stack.NeighborCache;
import emu.node.stack.NeighborState;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.stack.StackObserver;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The ARP cache's per-packet question, in memory on one core: {@link NeighborCache#resolve} for
 * a next hop whose entry is REACHABLE, which is what the output and forwarding paths ask before
 * every frame they send. The cache belongs to an interface of a real {@link NetworkStack} and
 * holds 64 neighbours resolved the way the stack resolves them (a packet queued, the ARP request
 * sent, the reply confirming); the benchmark asks for them in a shuffled order. Virtual time
 * stands still, so the entries stay REACHABLE. Run with {@code -prof gc}: nothing is allocated.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", "-XX:+UseParallelGC"})
public class NeighborLookupBenchmark {
  private static final int NEIGHBORS = 64;

  private NeighborCache cache;
  private final int[] order = new int[NEIGHBORS];
  private ByteBuf packet;
  private int i;

  @Setup(Level.Trial)
  public void setup() {
    NetworkStack stack = new NetworkStack("r1", new VirtualTime(), new SplittableRandom(1), StackObserver.OFF,
        PooledByteBufAllocator.DEFAULT, true, NeighborCache.Params.LINUX);
    // no cable: what the stack sends (ARP requests, released packets) is dropped
    Nic nic = stack.addNic("eth0", 0x020000000400L, Ipv4Cidr.parse("10.0.0.1/16"),
        new DisconnectedEndpoint("r1:eth0", 1500));
    cache = nic.neighbors();
    int first = Ipv4Address.parse("10.0.1.0");
    for (int k = 0; k < NEIGHBORS; k++) {
      // An IPv4 packet waiting for the neighbour, with the headroom the stack leaves for Ethernet.
      ByteBuf queued = PooledByteBufAllocator.DEFAULT.directBuffer(NetworkStack.HEADROOM + 64)
          .writerIndex(NetworkStack.HEADROOM + 64).readerIndex(NetworkStack.HEADROOM);
      if (cache.resolve(first + k, queued) != -1) {
        throw new IllegalStateException("neighbour " + k + " resolved before its ARP reply");
      }
      cache.confirm(first + k, 0x020000000500L + k);
      if (cache.lookup(first + k).state() != NeighborState.REACHABLE) {
        throw new IllegalStateException("neighbour " + k + " not reachable after its ARP reply");
      }
      order[k] = first + k;
    }
    SplittableRandom shuffle = new SplittableRandom(42);
    for (int k = NEIGHBORS - 1; k > 0; k--) {
      int j = shuffle.nextInt(k + 1);
      int t = order[k];
      order[k] = order[j];
      order[j] = t;
    }
    packet = PooledByteBufAllocator.DEFAULT.directBuffer(64).writeZero(64);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    packet.release();
  }

  @Benchmark
  public long resolve() {
    // A REACHABLE entry answers with its MAC and leaves the packet with the caller.
    return cache.resolve(order[i++ & (NEIGHBORS - 1)], packet);
  }
}
