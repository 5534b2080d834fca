package emu.bench;

import emu.link.FrameReceiver;
import emu.link.LinkCounters;
import emu.link.LinkEndpoint;
import emu.link.time.VirtualTime;
import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.link.wire.VlanTag;
import emu.node.stack.NeighborCache;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.stack.StackObserver;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.UdpDatagram;
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
 * A router on a stick forwarding between VLAN subinterfaces: one IPv4/UDP frame tagged VLAN 10
 * arrives on eth0 (192.168.10.100 > 192.168.20.100), the demultiplexer hands it to eth0.10 with the
 * tag stripped in place, the router forwards it out of eth0.20, whose endpoint pushes the VLAN 20
 * tag back in place (the 4 bytes stripped on the way in are the headroom it needs), and eth0 sends
 * it. Beside {@link ForwardingBenchmark}'s plain IPv4 forwarding; {@code -prof gc} shows the
 * allocation per frame (0: neither strip nor push copies here).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", "-XX:+UseParallelGC"})
public class VlanForwardingBenchmark {
  /** The untagged frame's size; on the wire it is 4 bytes more. */
  @Param({"64", "1500"})
  int frameSize;

  /** eth0's endpoint: keeps the last frame sent, and hands frames to the receiver the stack set. */
  static final class Trunk implements LinkEndpoint {
    private final LinkCounters counters = new LinkCounters();
    FrameReceiver receiver;
    ByteBuf last;

    @Override
    public String name() {
      return "r1:eth0";
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
    public void receiver(FrameReceiver r) {
      receiver = r;
    }

    @Override
    public LinkCounters counters() {
      return counters;
    }

    @Override
    public void close() {}
  }

  private static final long R1 = 0x020000000400L;
  private final Trunk trunk = new Trunk();
  private ByteBuf frame;
  private int ttlWord;
  private int checksum;

  @Setup(Level.Trial)
  public void setup() {
    NetworkStack router = new NetworkStack("r1", new VirtualTime(), new SplittableRandom(1), StackObserver.OFF,
        PooledByteBufAllocator.DEFAULT, true, NeighborCache.Params.LINUX);
    Nic eth0 = router.addNic("eth0", R1, null, trunk);
    router.addVlan(eth0, "eth0.10", 10, Ipv4Cidr.parse("192.168.10.1/24"));
    Nic out = router.addVlan(eth0, "eth0.20", 20, Ipv4Cidr.parse("192.168.20.1/24"));
    out.neighbors().addPermanent(Ipv4Address.parse("192.168.20.100"), 0x020000000500L);
    // the tagged frame: addresses, tag (VLAN 10), then what an untagged frame of frameSize has after its addresses
    frame = PooledByteBufAllocator.DEFAULT.directBuffer(frameSize + VlanTag.LEN);
    frame.setZero(0, frameSize + VlanTag.LEN);
    frame.writerIndex(frameSize + VlanTag.LEN);
    MacAddress.write(frame, EthernetFrame.DST, R1);
    MacAddress.write(frame, EthernetFrame.SRC, 0x020000000100L);
    frame.setShort(EthernetFrame.ETHERTYPE, VlanTag.TPID);
    frame.setShort(VlanTag.TCI, VlanTag.tci(0, false, 10));
    frame.setShort(VlanTag.INNER_ETHERTYPE, EthernetFrame.ETHERTYPE_IPV4);
    Ipv4Packet ip = new Ipv4Packet().wrap(frame, VlanTag.TAGGED_HEADER_LEN);
    new Ipv4Packet.Repr(Ipv4Address.parse("192.168.10.100"), Ipv4Address.parse("192.168.20.100"),
        Ipv4Packet.PROTO_UDP, 64, 1, true, 0, frameSize - EthernetFrame.HEADER_LEN - 20).emit(ip);
    new UdpDatagram.Repr(40000, 9, ip.payloadLength() - UdpDatagram.HEADER_LEN)
        .emit(new UdpDatagram().wrap(frame, ip.payloadIndex(), ip.payloadLength()), ip.src(), ip.dst());
    ttlWord = frame.getUnsignedShort(VlanTag.TAGGED_HEADER_LEN + Ipv4Packet.TTL);
    checksum = frame.getUnsignedShort(VlanTag.TAGGED_HEADER_LEN + Ipv4Packet.CHECKSUM);
    forward();
    if (trunk.last != frame || VlanTag.vid(frame, frame.readerIndex()) != 20 || frame.readerIndex() != 0) {
      throw new IllegalStateException("the frame did not leave tagged VLAN 20 in place");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (trunk.last != frame) {
      throw new IllegalStateException("the frame did not reach eth0");
    }
    frame.release();
  }

  /** Restores what forwarding changed (VLAN, destination MAC, TTL, checksum, reader index), forwards again. */
  @Benchmark
  public ByteBuf forward() {
    frame.readerIndex(0);
    VlanTag.setVid(frame, 10);
    MacAddress.write(frame, EthernetFrame.DST, R1);
    frame.setShort(VlanTag.TAGGED_HEADER_LEN + Ipv4Packet.TTL, ttlWord);
    frame.setShort(VlanTag.TAGGED_HEADER_LEN + Ipv4Packet.CHECKSUM, checksum);
    trunk.receiver.onFrame(frame);
    return trunk.last;
  }
}
