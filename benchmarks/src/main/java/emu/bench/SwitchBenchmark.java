package emu.bench;

import emu.link.FrameReceiver;
import emu.link.LinkCounters;
import emu.link.LinkEndpoint;
import emu.link.time.VirtualTime;
import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.link.wire.VlanTag;
import emu.node.bridge.BridgeObserver;
import emu.node.bridge.BridgePort;
import emu.node.bridge.LearningBridge;
import emu.node.bridge.PortVlans;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import java.util.Map;
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
 * The switch's per-frame path (emu.node.bridge.LearningBridge), in memory on one core, for a
 * unicast frame to a learned MAC: Ethernet check, (VLAN classification and ingress filtering),
 * learning the source, looking up the destination, (the 802.1Q tag added or removed), hand-off to
 * the egress port. Modes: {@code plain}, a switch without VLANs (frames pass unchanged);
 * {@code access}, VLAN-aware, access port to access port of one VLAN (no tag change); {@code tag},
 * access port to trunk, the tag pushed into the frame's headroom (a frame built in the same
 * process, as on virtual time); {@code tag-raw}, the same for a frame as a UDP link delivers it,
 * with no headroom (raw framing, reader index 0) or a slice of a GRO batch: the tag cannot go in place, so
 * VlanTag.push writes a pooled copy with the tag and releases the frame (the benchmark takes a
 * reference before each run for push to drop, so its frame lives on); {@code untag}, trunk to access
 * port, the tag stripped in place; {@code trunk}, trunk to trunk (tagged, unchanged); {@code
 * flood}, a broadcast from an access port to the other access port and the two trunks of its
 * VLAN (two pooled copies, one written tagged; the last trunk takes the original, tagged in place);
 * {@code plain-flood}, a broadcast through a switch without VLANs to its three other ports (two
 * pooled copies too). The egress endpoint keeps the frame, and the benchmark writes the ingress
 * form back before the next run; run with {@code -prof gc} for the allocation per frame.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", "-XX:+UseParallelGC"})
public class SwitchBenchmark {
  private static final long SRC = 0x02_00_00_00_00_01L;
  private static final long DST = 0x02_00_00_00_00_02L;

  @Param({"64", "1500"})
  int frameSize;

  @Param({"plain", "access", "tag", "tag-raw", "untag", "trunk", "plain-flood", "flood"})
  String mode;

  /** Keeps the last frame it is sent; frees the one before unless it is the benchmark's own. */
  static final class Sink implements LinkEndpoint {
    private final String name;
    private final LinkCounters counters = new LinkCounters();
    ByteBuf last;
    ByteBuf keep;

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
      if (last != null && last != keep && last != f) {
        last.release();
      }
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

  private LearningBridge bridge;
  private BridgePort in;
  private Sink out;
  private List<Sink> sinks;
  private ByteBuf frame;
  /** The frame's first bytes as it arrives (addresses, tag if any, EtherType), written back before each run. */
  private byte[] header;
  private int start;
  /** {@code tag-raw}: the frame has no headroom, so the switch's push copies it. */
  private boolean raw;

  @Setup(Level.Trial)
  public void setup() {
    bridge = new LearningBridge("sw1", new VirtualTime(), BridgeObserver.OFF, LearningBridge.DEFAULT_AGEING_NANOS);
    Sink s1 = new Sink("sw1:p1");
    Sink s2 = new Sink("sw1:p2");
    Sink s3 = new Sink("sw1:p3");
    Sink s4 = new Sink("sw1:p4");
    BridgePort p1 = bridge.addPort("p1", s1);
    BridgePort p2 = bridge.addPort("p2", s2);
    BridgePort p3 = bridge.addPort("p3", s3);
    BridgePort p4 = bridge.addPort("p4", s4);
    if (!mode.startsWith("plain")) {
      // p1, p2 access ports of VLAN 10; p3, p4 trunks of 10 and 20.
      bridge.vlans(Map.of("p1", PortVlans.access(10), "p2", PortVlans.access(10),
          "p3", PortVlans.trunk(List.of(10, 20), 0), "p4", PortVlans.trunk(List.of(10, 20), 0)));
    }
    boolean taggedIn = mode.equals("untag") || mode.equals("trunk");
    BridgePort dstPort = switch (mode) {
      case "tag", "tag-raw", "trunk" -> p4;
      default -> p2;
    };
    in = taggedIn ? p3 : p1;
    out = (Sink) dstPort.endpoint();
    sinks = List.of(s1, s2, s3, s4);
    // The destination is learned behind its port: one frame from it, the way any switch learns.
    ByteBuf hello = frame(MacAddress.BROADCAST_BITS, DST, dstPort.vlans() != null && dstPort.vlans().isTrunk(), 0);
    bridge.input(dstPort, hello);
    for (Sink s : sinks) {
      if (s.last != null) {
        s.last.release();
        s.last = null;
      }
    }
    long dst = mode.endsWith("flood") ? MacAddress.BROADCAST_BITS : DST;
    raw = mode.equals("tag-raw");
    frame = frame(dst, SRC, taggedIn, raw ? 0 : VlanTag.LEN);
    start = frame.readerIndex();
    header = new byte[taggedIn ? VlanTag.TAGGED_HEADER_LEN : EthernetFrame.HEADER_LEN];
    frame.getBytes(start, header);
    sinks.forEach(k -> k.keep = frame);
  }

  /** A pooled frame of {@code frameSize} bytes (with {@code headroom} bytes before it), tagged with VLAN 10 or not. */
  private ByteBuf frame(long dst, long src, boolean tagged, int headroom) {
    int len = frameSize;
    ByteBuf f = PooledByteBufAllocator.DEFAULT.directBuffer(headroom + len);
    f.writerIndex(headroom + len).readerIndex(headroom);
    f.setZero(headroom, len);
    MacAddress.write(f, headroom + EthernetFrame.DST, dst);
    MacAddress.write(f, headroom + EthernetFrame.SRC, src);
    if (tagged) {
      f.setShort(headroom + EthernetFrame.ETHERTYPE, VlanTag.TPID);
      f.setShort(headroom + VlanTag.TCI, 10);
      f.setShort(headroom + VlanTag.INNER_ETHERTYPE, 0x88B5);
    } else {
      f.setShort(headroom + EthernetFrame.ETHERTYPE, 0x88B5);
    }
    return f;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (raw) {
      ByteBuf copy = out.last;
      if (copy == null || copy == frame || VlanTag.vid(copy, copy.readerIndex()) != 10 || frame.refCnt() != 1) {
        throw new IllegalStateException("tag-raw: the tagged copy did not reach " + out.name());
      }
      copy.release();
      frame.release();
      return;
    }
    Sink holder = sinks.stream().filter(k -> k.last == frame).findFirst()
        .orElseThrow(() -> new IllegalStateException("the frame did not reach the egress port"));
    boolean tagged = EthernetFrame.etherType(frame, frame.readerIndex()) == VlanTag.TPID;
    boolean wantTag = mode.equals("tag") || mode.equals("trunk") || mode.equals("flood");
    if (tagged != wantTag || tagged && VlanTag.vid(frame, frame.readerIndex()) != 10) {
      throw new IllegalStateException(mode + ": the frame left " + holder.name() + (tagged ? " tagged" : " untagged"));
    }
    for (Sink k : sinks) {
      if (k.last != null && k.last != frame) {
        k.last.release();
      }
    }
    frame.release();
  }

  /** Writes the frame's arriving form back (the last run may have tagged or untagged it) and switches it. */
  @Benchmark
  public ByteBuf forward() {
    frame.setBytes(start, header);
    frame.readerIndex(start);
    if (raw) {
      frame.retain(); // for VlanTag.push to release once it has copied the frame
    }
    bridge.input(in, frame);
    return out.last;
  }
}
