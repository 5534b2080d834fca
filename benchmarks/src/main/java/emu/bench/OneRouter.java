package emu.bench;

import emu.link.FrameReceiver;
import emu.link.LinkCounters;
import emu.link.LinkEndpoint;
import emu.link.time.VirtualTime;
import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.node.ipv6.Ipv6Interface;
import emu.node.ipv6.Ipv6Layer;
import emu.node.ipv6.Ipv6Observer;
import emu.node.stack.NeighborCache;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.stack.StackObserver;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Cidr;
import emu.node.wire.Ipv6Extensions;
import emu.node.wire.Ipv6Packet;
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
 * The stack reports to a {@link StackObserver}: {@link StackObserver#OFF} unless given one.
 *
 * <p>With {@code ipv6} the same in IPv6: eth0 2001:db8:1::1/64, eth1 2001:db8:5::1/64, routes
 * 2001:db8:10::/48 and ::/0, 2001:db8:5::100 a permanent neighbour, and an IPv6/UDP frame from
 * 2001:db8:1::100 (no extension headers) whose hop limit {@link #forward} restores.
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
  private final boolean ipv6;
  private final int ttlWord;
  private final int checksum;
  /** With NAT, the frame's Ethernet, IP and UDP headers as built: the translation rewrites all three. */
  private byte[] headers;

  /** @param wrapEgress what stands between eth1 and the sink (the identity for nothing) */
  OneRouter(int frameSize, VirtualTime time, UnaryOperator<LinkEndpoint> wrapEgress) {
    this(frameSize, time, wrapEgress, StackObserver.OFF);
  }

  /**
   * @param wrapEgress what stands between eth1 and the sink (the identity for nothing)
   * @param observer what the router's stack reports to (e.g. {@code StackTrace.of(tracer)})
   */
  OneRouter(int frameSize, VirtualTime time, UnaryOperator<LinkEndpoint> wrapEgress, StackObserver observer) {
    this(frameSize, time, wrapEgress, observer, false);
  }

  /** @param ipv6 forward IPv6 instead of IPv4 */
  OneRouter(int frameSize, VirtualTime time, UnaryOperator<LinkEndpoint> wrapEgress, StackObserver observer,
            boolean ipv6) {
    this.ipv6 = ipv6;
    router = new NetworkStack("r1", time, new SplittableRandom(1), observer,
        PooledByteBufAllocator.DEFAULT, true, NeighborCache.Params.LINUX);
    in = router.addNic("eth0", 0x020000000400L, Ipv4Cidr.parse("192.168.1.1/24"), ingress);
    out = router.addNic("eth1", 0x020000000401L, Ipv4Cidr.parse("192.168.5.1/24"), wrapEgress.apply(egress));
    router.addRoute(Ipv4Cidr.parse("10.0.0.0/8"), Ipv4Address.parse("192.168.5.2"), 0);
    router.addRoute(Ipv4Cidr.parse("0.0.0.0/0"), Ipv4Address.parse("192.168.5.3"), 0);
    out.neighbors().addPermanent(Ipv4Address.parse("192.168.5.100"), 0x020000000500L);

    frame = PooledByteBufAllocator.DEFAULT.directBuffer(frameSize);
    frame.setZero(0, frameSize);
    frame.writerIndex(frameSize);
    if (ipv6) {
      ipv6Router();
      ttlWord = 64;
      checksum = 0;
      return;
    }
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

  /**
   * The same IPv4 router masquerading out of eth1 (emu.node.nat): every forwarded packet has its
   * source address and port rewritten with incremental checksum updates, after the first has made
   * the mapping (the steady state of a flow).
   */
  static OneRouter withNat(int frameSize, VirtualTime time) {
    OneRouter r = new OneRouter(frameSize, time, e -> e, StackObserver.OFF, false);
    emu.node.nat.Nat nat = new emu.node.nat.Nat(r.router, emu.node.trace.Tracer.OFF, (p, port) -> false);
    r.router.setNat(nat);
    nat.masquerade(r.out, new emu.node.config.NatConfig(emu.node.config.NatConfig.DEFAULT_MAX, null));
    r.headers = new byte[EthernetFrame.HEADER_LEN + 20 + UdpDatagram.HEADER_LEN];
    r.frame.getBytes(0, r.headers);
    return r;
  }

  /** The IPv6 side: the layer, its routes and neighbour, and the frame. */
  private void ipv6Router() {
    Ipv6Layer v6 = new Ipv6Layer(router, Ipv6Observer.OFF);
    v6.enable(in, java.util.List.of(Ipv6Cidr.parse("2001:db8:1::1/64")), false);
    Ipv6Interface eth1 = v6.enable(out, java.util.List.of(Ipv6Cidr.parse("2001:db8:5::1/64")), false);
    v6.addRoute(Ipv6Cidr.parse("2001:db8:10::/48"), Ipv6Address.parse("2001:db8:5::2"), null, 1024);
    v6.addRoute(Ipv6Cidr.parse("::/0"), Ipv6Address.parse("2001:db8:5::3"), null, 1024);
    Ipv6Address dst = Ipv6Address.parse("2001:db8:5::100");
    eth1.neighbors().addPermanent(dst.hi(), dst.lo(), 0x020000000500L);
    v6.start(); // (duplicate address detection never finishes: the clock is not moved; forwarding needs none)
    new EthernetFrame.Repr(new MacAddress(0x020000000400L), new MacAddress(0x020000000100L),
        EthernetFrame.ETHERTYPE_IPV6).emit(new EthernetFrame().wrap(frame));
    Ipv6Packet ip = new Ipv6Packet().wrap(frame, EthernetFrame.HEADER_LEN);
    int payload = frame.writerIndex() - EthernetFrame.HEADER_LEN - Ipv6Packet.HEADER_LEN;
    Ipv6Address src = Ipv6Address.parse("2001:db8:1::100");
    new Ipv6Packet.Repr(src, dst, Ipv6Extensions.UDP, 64, 0, 0, payload).emit(ip);
    UdpDatagram udp = new UdpDatagram().wrap(frame, ip.payloadIndex(), payload);
    udp.srcPort(40000).dstPort(9).length(payload)
        .fillChecksum(Ipv6Packet.pseudoHeader(src, dst, payload, Ipv6Extensions.UDP));
  }

  /** Restores what forwarding changed (destination MAC, TTL or hop limit, checksum, reader index), forwards again. */
  ByteBuf forward() {
    if (ipv6) {
      MacAddress.write(frame, EthernetFrame.DST, 0x020000000400L);
      frame.setByte(EthernetFrame.HEADER_LEN + Ipv6Packet.HOP_LIMIT, ttlWord);
      frame.readerIndex(0);
      router.input(in, frame);
      return egress.last;
    }
    if (headers != null) {
      frame.setBytes(0, headers);
      frame.readerIndex(0);
      router.input(in, frame);
      return egress.last;
    }
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
    if (headers != null && frame.getInt(EthernetFrame.HEADER_LEN + 12) != out.ip()) {
      throw new IllegalStateException("the frame left without the router's address as its source");
    }
    frame.release();
  }
}
