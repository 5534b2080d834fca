// The BEFORE variant (commit ffd43a4, untyped trace events) of benchmarks/src/main/java/emu/bench/
// OneRouter.java: the same router, built with the Tracer the stack took then. Not compiled by
// Maven here; benchmarks/e2e/tracing-before-after.sh copies it over that commit's OneRouter. Keep
// the two files the same but for the Tracer (diff them).
package emu.bench;

import emu.link.FrameReceiver;
import emu.link.LinkCounters;
import emu.link.LinkEndpoint;
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
import emu.node.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * The router the forwarding benchmarks drive, in memory: eth0 192.168.1.1/24 in, eth1
 * 192.168.5.1/24 out, two routes (10/8 and a default), the destination 192.168.5.100 a
 * permanent neighbour on eth1, and one IPv4/UDP frame from 192.168.1.100 (UDP 40000 > 9, zero
 * payload, checksum filled in) that {@link #forward} sends through the router again and again.
 * The stack traces to a {@link Tracer}: {@link Tracer#OFF} unless given one.
 */
final class OneRouter {
  /** An endpoint that keeps the last frame it is sent, so the benchmark can forward it again. */
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

  final Sink egress = new Sink("r1:eth1");
  private final Sink ingress = new Sink("r1:eth0");
  final NetworkStack router;
  final Nic in;
  final Nic out;
  private final ByteBuf frame;
  private final int ttlWord;
  private final int checksum;

  /** @param wrapEgress what stands between eth1 and the sink (the identity for nothing) */
  OneRouter(int frameSize, VirtualTime time, UnaryOperator<LinkEndpoint> wrapEgress) {
    this(frameSize, time, wrapEgress, Tracer.OFF);
  }

  /**
   * @param wrapEgress what stands between eth1 and the sink (the identity for nothing)
   * @param tracer where the router's stack traces to
   */
  OneRouter(int frameSize, VirtualTime time, UnaryOperator<LinkEndpoint> wrapEgress, Tracer tracer) {
    router = new NetworkStack("r1", time, new SplittableRandom(1), tracer,
        PooledByteBufAllocator.DEFAULT, true, NeighborCache.Params.LINUX);
    in = router.addNic("eth0", 0x020000000400L, Ipv4Cidr.parse("192.168.1.1/24"), ingress);
    out = router.addNic("eth1", 0x020000000401L, Ipv4Cidr.parse("192.168.5.1/24"), wrapEgress.apply(egress));
    router.addRoute(Ipv4Cidr.parse("10.0.0.0/8"), Ipv4Address.parse("192.168.5.2"), 0);
    router.addRoute(Ipv4Cidr.parse("0.0.0.0/0"), Ipv4Address.parse("192.168.5.3"), 0);
    out.neighbors().addPermanent(Ipv4Address.parse("192.168.5.100"), 0x020000000500L);

    frame = PooledByteBufAllocator.DEFAULT.directBuffer(frameSize);
    frame.setZero(0, frameSize);
    frame.writerIndex(frameSize);
    new EthernetFrame.Repr(new MacAddress(0x020000000400L), new MacAddress(0x020000000100L),
        EthernetFrame.ETHERTYPE_IPV4).emit(new EthernetFrame().wrap(frame));
    Ipv4Packet ip = new Ipv4Packet().wrap(frame, EthernetFrame.HEADER_LEN);
    new Ipv4Packet.Repr(Ipv4Address.parse("192.168.1.100"), Ipv4Address.parse("192.168.5.100"),
        Ipv4Packet.PROTO_UDP, 64, 1, true, 0, frameSize - EthernetFrame.HEADER_LEN - 20).emit(ip);
    new UdpDatagram.Repr(40000, 9, ip.payloadLength() - UdpDatagram.HEADER_LEN)
        .emit(new UdpDatagram().wrap(frame, ip.payloadIndex(), ip.payloadLength()), ip.src(), ip.dst());
    ttlWord = frame.getUnsignedShort(EthernetFrame.HEADER_LEN + Ipv4Packet.TTL);
    checksum = frame.getUnsignedShort(EthernetFrame.HEADER_LEN + Ipv4Packet.CHECKSUM);
  }

  /** Restores what forwarding changed (destination MAC, TTL, checksum, reader index), forwards again. */
  ByteBuf forward() {
    MacAddress.write(frame, EthernetFrame.DST, 0x020000000400L);
    frame.setShort(EthernetFrame.HEADER_LEN + Ipv4Packet.TTL, ttlWord);
    frame.setShort(EthernetFrame.HEADER_LEN + Ipv4Packet.CHECKSUM, checksum);
    frame.readerIndex(0);
    router.input(in, frame);
    return egress.last;
  }

  /** Checks that the frame went all the way through, and frees it. */
  void close() {
    if (egress.last != frame) {
      throw new IllegalStateException("the frame did not reach the egress endpoint");
    }
    frame.release();
  }
}
