package emu.bench;

import emu.node.wire.Checksum;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The stack's checksums ({@link Checksum}), in memory on one core, on a direct buffer as frames
 * arrive from the link:
 *
 * <ul>
 *   <li>{@code verify}, RFC 1071 over {@code length} bytes that include their checksum: 20 is
 *       the IPv4 header check every received packet gets; 1480 is a full-size UDP or TCP payload
 *       (the transport checksum of a 1500-byte packet);</li>
 *   <li>{@code update}, RFC 1624's incremental update after one 16-bit word changes: what a
 *       router does to the header checksum when it decrements the TTL.</li>
 * </ul>
 *
 * Run with {@code -prof gc}: neither allocates.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", "-XX:+UseParallelGC"})
public class ChecksumBenchmark {
  /** Random bytes whose first word is their checksum, so they verify. */
  @State(Scope.Thread)
  public static class Bytes {
    @Param({"20", "1480"})
    int length;

    ByteBuf buf;

    @Setup(Level.Trial)
    public void setup() {
      byte[] random = new byte[length];
      new SplittableRandom(7).nextBytes(random);
      random[0] = 0;
      random[1] = 0;
      buf = PooledByteBufAllocator.DEFAULT.directBuffer(length);
      buf.writeBytes(random);
      buf.setShort(0, Checksum.compute(buf, 0, length));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      buf.release();
    }
  }

  /** An IPv4 header's TTL/protocol word and checksum, carried from one update to the next. */
  @State(Scope.Thread)
  public static class Header {
    int ttlWord = (64 << 8) | 17;
    int checksum = 0xB1E6;
  }

  @Benchmark
  public boolean verify(Bytes b) {
    return Checksum.verify(b.buf, 0, b.length);
  }

  @Benchmark
  public int update(Header h) {
    int oldWord = h.ttlWord;
    int newWord = (oldWord - 0x100) & 0xFFFF;
    h.checksum = Checksum.update(h.checksum, oldWord, newWord);
    h.ttlWord = newWord;
    return h.checksum;
  }
}
