package emu.bench;

import emu.link.FrameReceiver;
import emu.link.LinkCounters;
import emu.link.LinkEndpoint;
import emu.link.impair.ImpairedEndpoint;
import emu.link.impair.Impairment;
import emu.link.time.VirtualTime;
import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.node.stack.NeighborCache;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.trace.Tracer;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import emu.node.wire.Ipv4Packet;
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
 * What an idle impairment wrapper costs on the forwarding path: the router path of
 * {@link ForwardingBenchmark} with its egress endpoint either bare or wrapped in an
 * {@link ImpairedEndpoint} set to {@link Impairment#NONE}, side by side in one run. The wrapper
 * should cost one branch: equal throughput within noise and 0 B/op for both under
 * {@code -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", "-XX:+UseParallelGC"})
public class ImpairmentBenchmark {
  @Param({"bare", "impaired-none"})
  String egress;

  @Param({"64"})
  int frameSize;

  private NetworkStack router;
  private Nic in;
  private ByteBuf frame;
  private int ttlWord;
  private int checksum;
  private final Sink sink = new Sink("r1:eth1");
  private final Sink ingress = new Sink("r1:eth0");

  /** An endpoint that keeps what it is sent, so the benchmark can reuse the buffer. */
  static final class Sink implements LinkEndpoint {
    private final String name;
    private final LinkCounters counters = new LinkCounters();
    ByteBuf last;

    Sink(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public int mtu() {
      return 1500;
    }

    @Override
    public void send(ByteBuf f) {
      last = f;
    }

    @Override
    public void receiver(FrameReceiver r) {}

    @Override
    public LinkCounters counters() {
      return counters;
    }

    @Override
    public void close() {}
  }

  @Setup(Level.Trial)
  public void setup() {
    VirtualTime time = new VirtualTime();
    LinkEndpoint out = switch (egress) {
      case "bare" -> sink;
      case "impaired-none" -> {
        ImpairedEndpoint impaired = new ImpairedEndpoint(sink, time, 1);
        impaired.impairment(Impairment.NONE);
        yield impaired;
      }
      default -> throw new IllegalArgumentException("egress: " + egress);
    };
    router = new NetworkStack("r1", time, new SplittableRandom(1), Tracer.OFF,
        PooledByteBufAllocator.DEFAULT, true, NeighborCache.Params.LINUX);
    in = router.addNic("eth0", 0x020000000400L, Ipv4Cidr.parse("192.168.1.1/24"), ingress);
    Nic eth1 = router.addNic("eth1", 0x020000000401L, Ipv4Cidr.parse("192.168.5.1/24"), out);
    router.addRoute(Ipv4Cidr.parse("10.0.0.0/8"), Ipv4Address.parse("192.168.5.2"), 0);
    router.addRoute(Ipv4Cidr.parse("0.0.0.0/0"), Ipv4Address.parse("192.168.5.3"), 0);
    eth1.neighbors().addPermanent(Ipv4Address.parse("192.168.5.100"), 0x020000000500L);

    frame = PooledByteBufAllocator.DEFAULT.directBuffer(frameSize);
    frame.writerIndex(frameSize);
    new EthernetFrame.Repr(new MacAddress(0x020000000400L), new MacAddress(0x020000000100L),
        EthernetFrame.ETHERTYPE_IPV4).emit(new EthernetFrame().wrap(frame));
    Ipv4Packet ip = new Ipv4Packet().wrap(frame, EthernetFrame.HEADER_LEN);
    new Ipv4Packet.Repr(Ipv4Address.parse("192.168.1.100"), Ipv4Address.parse("192.168.5.100"),
        Ipv4Packet.PROTO_UDP, 64, 1, true, 0, frameSize - EthernetFrame.HEADER_LEN - 20).emit(ip);
    ttlWord = frame.getUnsignedShort(EthernetFrame.HEADER_LEN + Ipv4Packet.TTL);
    checksum = frame.getUnsignedShort(EthernetFrame.HEADER_LEN + Ipv4Packet.CHECKSUM);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (sink.last != frame) {
      throw new IllegalStateException("the frame did not reach the egress endpoint");
    }
    frame.release();
  }

  @Benchmark
  public ByteBuf forward() {
    // Restore what forwarding changed (destination MAC, TTL, checksum, reader index), forward again.
    MacAddress.write(frame, EthernetFrame.DST, 0x020000000400L);
    frame.setShort(EthernetFrame.HEADER_LEN + Ipv4Packet.TTL, ttlWord);
    frame.setShort(EthernetFrame.HEADER_LEN + Ipv4Packet.CHECKSUM, checksum);
    frame.readerIndex(0);
    router.input(in, frame);
    return sink.last;
  }
}
