// The BEFORE variant (commit ffd43a4, untyped trace events) of benchmarks/src/main/java/emu/bench/
// TracingBenchmark.java: the same measurements written against the stack as it was then (the
// NetworkStack took a Tracer; the datapath built emu.node.trace.TraceEvent with put(..) and a
// sentence, msg(..)). Not compiled by Maven here; benchmarks/e2e/tracing-before-after.sh copies it,
// with before/OneRouter.java, into a worktree of that commit. Keep it the same as the current file
// but for that API (diff them).
package emu.bench;

import emu.link.time.VirtualTime;
import emu.node.stack.Nic;
import emu.node.stack.Route;
import emu.node.trace.JsonLinesTracer;
import emu.node.trace.TraceEvent;
import emu.node.trace.Tracer;
import emu.node.wire.Ipv4Address;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * What tracing costs the node that traces, in memory on one core:
 * <ul>
 *   <li>{@code forward}: the router path of {@link ForwardingBenchmark} (64-byte frames) with
 *       tracing {@code off} ({@link Tracer#OFF}, as a node started with {@code --no-trace})
 *       or {@code on}: a real {@link JsonLinesTracer} writing to {@code /dev/null}, so building the
 *       events, turning them into JSON and the write system call of each line (it flushes every
 *       line) are all measured, and nothing fills the disk. Its budget never runs out. Each
 *       forwarded packet emits what a router in a lab emits for it: {@code ip.rx},
 *       {@code ip.forward}, {@code eth.tx} (checked once at set-up, on a temporary file, and
 *       printed: "... 3 per packet").</li>
 *   <li>{@code emit}: one typical event alone, the {@code ip.forward} of that path (with its
 *       route), built as {@code Ipv4Forwarder} built it and written through the same tracer to
 *       {@code /dev/null}: events per second, and with {@code -prof gc} the bytes one event
 *       allocates.</li>
 * </ul>
 * This is the variant for the stack before typed events (the untyped {@code TraceEvent} with its
 * sentence); {@code benchmarks/e2e/tracing-before-after.sh} runs it and the current one side by
 * side.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", "-XX:+UseParallelGC"})
public class TracingBenchmark {
  /** Where the measured tracers write: every byte is serialized and written, none is kept. */
  static final Path DEV_NULL = Path.of("/dev/null");
  /** The events a forwarded packet makes, in the order the stack reports them. */
  static final List<String> PER_PACKET = List.of("ip.rx", "ip.forward", "eth.tx");

  /** The router, tracing off or on. */
  @State(Scope.Thread)
  public static class Router {
    @Param({"off", "on"})
    String tracing;

    OneRouter r;
    JsonLinesTracer tracer;

    @Setup(Level.Trial)
    public void setup() throws IOException {
      switch (tracing) {
        case "off" -> r = new OneRouter(64, new VirtualTime(), e -> e, Tracer.OFF);
        case "on" -> {
          checkEventsPerPacket();
          tracer = new JsonLinesTracer(DEV_NULL, "r1", new VirtualTime(), Long.MAX_VALUE);
          r = new OneRouter(64, new VirtualTime(), e -> e, tracer);
        }
        default -> throw new IllegalArgumentException("tracing: " + tracing);
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      r.close();
      if (tracer != null) {
        tracer.close();
      }
    }
  }

  /** A tracer and the values of one forwarded packet's {@code ip.forward}. */
  @State(Scope.Thread)
  public static class Emitter {
    OneRouter r;
    JsonLinesTracer tracer;
    int dst;
    Route route;
    int nextHop;
    /** The forwarded packet's TTL and header checksum before and after (fields: not constants to the JIT). */
    int ttl = 64;
    int newTtl = 63;
    int oldChecksum = 0xb86f;
    int newChecksum = 0xb96f;

    @Setup(Level.Trial)
    public void setup() throws IOException {
      r = new OneRouter(64, new VirtualTime(), e -> e, Tracer.OFF);
      r.forward(); // once, untraced: the router works (and close() finds the frame at the egress)
      dst = Ipv4Address.parse("192.168.5.100");
      route = r.router.routes().lookup(dst);
      nextHop = route.nextHop(dst);
      checkOneEvent();
      tracer = new JsonLinesTracer(DEV_NULL, "r1", new VirtualTime(), Long.MAX_VALUE);
    }

    /**
     * What {@code Ipv4Forwarder} traced for the forwarded packet (the values above): its
     * event-building code at ffd43a4, these values in place of the packet's.
     */
    void emit() {
      if (tracer.enabled()) {
        Nic in = r.in;
        Nic out = r.out;
        tracer.emit(new TraceEvent("ip.forward").put("in", in.name()).put("out", out.name())
            .put("dst", Ipv4Address.format(dst)).put("route", route.describe())
            .put("next_hop", Ipv4Address.format(nextHop)).put("ttl_before", ttl).put("ttl_after", newTtl)
            .put("checksum_before", String.format("0x%04x", oldChecksum))
            .put("checksum_after", String.format("0x%04x", newChecksum))
            .msg("routes " + Ipv4Address.format(dst) + ": longest match '" + route.describe() + "'; TTL "
                + ttl + " -> " + newTtl + ", header checksum 0x" + String.format("%04x", oldChecksum) + " -> 0x"
                + String.format("%04x", newChecksum) + " (updated incrementally); forwards out " + out.name()
                + " to " + (route.gateway() != 0 ? "next router " : "the destination itself ")
                + Ipv4Address.format(nextHop)));
      }
    }

    /** One emit writes one line, an {@code ip.forward} with a route; printed once. */
    private void checkOneEvent() throws IOException {
      Path file = Files.createTempFile("tracing-bench", ".jsonl");
      try {
        try (JsonLinesTracer t = new JsonLinesTracer(file, "r1", new VirtualTime(), Long.MAX_VALUE)) {
          tracer = t;
          emit();
        }
        List<String> lines = Files.readAllLines(file);
        if (lines.size() != 1 || !lines.get(0).contains("\"type\":\"ip.forward\"")
            || !lines.get(0).contains("\"route\":")) {
          throw new IllegalStateException("one emit should write one ip.forward with a route, wrote " + lines);
        }
        System.out.println("TracingBenchmark check: emit writes one event of " + lines.get(0).length()
            + " bytes: " + lines.get(0));
      } finally {
        Files.delete(file);
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      tracer.close();
      r.close();
    }
  }

  private static final Pattern TYPE = Pattern.compile("\"type\":\"([^\"]+)\"");

  /**
   * Forwards a few packets through a router tracing into a temporary file and checks that each
   * one wrote exactly {@link #PER_PACKET}; prints the count (the before/after script reads it).
   */
  static void checkEventsPerPacket() throws IOException {
    int packets = 4;
    Path file = Files.createTempFile("tracing-bench", ".jsonl");
    try {
      int setUpLines;
      List<String> lines;
      try (JsonLinesTracer t = new JsonLinesTracer(file, "r1", new VirtualTime(), Long.MAX_VALUE)) {
        OneRouter r = new OneRouter(64, new VirtualTime(), e -> e, t);
        setUpLines = Files.readAllLines(file).size(); // each line is flushed as it is written
        for (int i = 0; i < packets; i++) {
          r.forward();
        }
        r.close();
      }
      lines = Files.readAllLines(file);
      lines = lines.subList(setUpLines, lines.size());
      Map<String, Integer> types = new TreeMap<>();
      for (String line : lines) {
        Matcher m = TYPE.matcher(line);
        types.merge(m.find() ? m.group(1) : "?", 1, Integer::sum);
      }
      Map<String, Integer> expected = new TreeMap<>();
      PER_PACKET.forEach(type -> expected.put(type, packets));
      if (!types.equals(expected)) {
        throw new IllegalStateException(packets + " forwarded packets should write " + expected
            + ", wrote " + types);
      }
      System.out.println("TracingBenchmark check: " + packets + " packets forwarded with tracing on wrote "
          + lines.size() + " events " + types + ": " + lines.size() / packets + " per packet; ip.rx line of "
          + lines.get(0).length() + " bytes: " + lines.get(0));
    } finally {
      Files.delete(file);
    }
  }

  @Benchmark
  public ByteBuf forward(Router s) {
    return s.r.forward();
  }

  @Benchmark
  public void emit(Emitter s) {
    s.emit();
  }
}
