package emu.bench;

import emu.link.capture.LiveTap;
import emu.link.impair.ImpairedEndpoint;
import emu.link.impair.Impairment;
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
 * What the idle wrappers every interface carries cost on the forwarding path: the router path of
 * {@link ForwardingBenchmark} with its egress endpoint bare, wrapped in an {@link ImpairedEndpoint}
 * set to {@link Impairment#NONE}, or wrapped in a {@link LiveTap} with nobody capturing (as every
 * interface is, so that {@code emu capture} needs no restart), side by side in one run. Each
 * wrapper should cost one branch: equal throughput within noise and 0 B/op under {@code -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", "-XX:+UseParallelGC"})
public class ImpairmentBenchmark {
  @Param({"bare", "impaired-none", "tapped-idle"})
  String egress;

  @Param({"64"})
  int frameSize;

  private OneRouter r;

  @Setup(Level.Trial)
  public void setup() {
    VirtualTime time = new VirtualTime();
    r = new OneRouter(frameSize, time, sink -> switch (egress) {
      case "bare" -> sink;
      case "impaired-none" -> {
        ImpairedEndpoint impaired = new ImpairedEndpoint(sink, time, 1);
        impaired.impairment(Impairment.NONE);
        yield impaired;
      }
      case "tapped-idle" -> new LiveTap(sink, time);
      default -> throw new IllegalArgumentException("egress: " + egress);
    });
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
