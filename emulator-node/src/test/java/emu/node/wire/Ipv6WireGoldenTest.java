package emu.node.wire;

import static emu.node.wire.WireBytes.buf;
import static emu.node.wire.WireBytes.hex;
import static emu.node.wire.WireBytes.zeroed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * IPv6, ICMPv6 and NDP against golden bytes, both ways: the vectors were made with Scapy 2.5
 * (Debian's python3-scapy, an independent implementation), e.g.
 * {@code IPv6(src="2001:db8:1::100",dst="ff02::1:ff00:1",hlim=255)/ICMPv6ND_NS(tgt="2001:db8:1::1")
 * /ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:01:00")}; the views read every field back, the
 * checksums verify with our pseudo-header, and what we build is the same bytes.
 */
class Ipv6WireGoldenTest {
  static final Ipv6Address CLIENT = Ipv6Address.parse("2001:db8:1::100");
  static final Ipv6Address ROUTER = Ipv6Address.parse("2001:db8:1::1");
  static final Ipv6Address SERVER = Ipv6Address.parse("2001:db8:5::100");
  static final long CLIENT_MAC = 0x020000000100L;
  static final long ROUTER_MAC = 0x020000000500L;

  static final String ECHO = "60000000000c3a4020010db800010000000000000000010020010db80005000000000000000001008000357d"
      + "12340001656d7521";
  static final String NS = "6000000000203aff20010db8000100000000000000000100ff0200000000000000000001ff0000018700"
      + "1a290000000020010db80001000000000000000000010101020000000100";
  static final String NA = "6000000000203aff20010db800010000000000000000000120010db800010000000000000000010088000473"
      + "e000000020010db80001000000000000000000010201020000000500";
  /** Router preference medium (RFC 4191), as Linux and radvd send by default: Scapy's prf=0. */
  static final String RA = "6000000000403afffe80000000000000000000fffe000500ff020000000000000000000000000001860"
      + "0e4ea400007080000000000000000010102000000050005010000000005dc030440c000278d0000093a800000000020010db800"
      + "0100000000000000000000";
  static final String RS = "6000000000103afffe80000000000000000000fffe000100ff020000000000000000000000000002850079"
      + "2e000000000101020000000100";
  static final String DAD = "6000000000183aff00000000000000000000000000000000ff0200000000000000000001ff00010087007b"
      + "2700000000fe80000000000000000000fffe000100";
  static final String UDP = "60000000000f114020010db800010000000000000000010020010db8000500000000000000000053cf080035"
      + "000f71ab12347175657279";
  static final String TCP = "600000000018064020010db800010000000000000000010020010db80005000000000000000001009c4001bb"
      + "000003e8000000006002ffff98df0000020405a0";
  static final String FRAG = "6000000000182c4020010db800010000000000000000010020010db80005000000000000000001003a000001"
      + "1234567880000000000100024141414141414141";
  static final String HBH = "6000000000100001fe80000000000000000000fffe000100ff020000000000000000000000000016"
      + "3a000502000001008f00732300000000";
  static final String PTB = "6000000000403a4020010db800010000000000000000000120010db80001000000000000000001000200"
      + "2ae200000500600000000010113f20010db800010000000000000000010020010db8000500000000000000000100000100020010"
      + "c0717878787878787878";

  private final Ipv6Packet ip = new Ipv6Packet();
  private final Icmpv6Packet icmp = new Icmpv6Packet();
  private final Ipv6Extensions ext = new Ipv6Extensions();
  private final Ndp.Options opts = new Ndp.Options();

  /** Wraps a vector; checks the IPv6 header and walks to the upper layer. */
  private ByteBuf read(String vector) {
    ByteBuf b = buf(hex(vector));
    ip.wrap(b, 0);
    assertEquals(Ipv6Packet.Check.OK, ip.check());
    assertEquals(Ipv6Extensions.Result.OK, ext.walk(b, 0, ip.dst().isMulticast()));
    if (ext.protocol() == Ipv6Extensions.ICMPV6) {
      int len = ip.totalLength() - (ext.payloadIndex() - ip.start());
      icmp.wrap(b, ext.payloadIndex(), len);
      assertTrue(icmp.check());
      assertTrue(icmp.checksumValid(Ipv6Packet.pseudoHeader(b, 0, len, Ipv6Extensions.ICMPV6)), vector);
    }
    return b;
  }

  /** Builds a packet: the IPv6 header, then {@code body} writes the ICMPv6 message; checksum filled. */
  private static byte[] icmpPacket(Ipv6Address src, Ipv6Address dst, int hopLimit, int icmpLength,
                                   java.util.function.BiConsumer<ByteBuf, Integer> body) {
    ByteBuf b = zeroed(Ipv6Packet.HEADER_LEN + icmpLength);
    new Ipv6Packet.Repr(src, dst, Ipv6Extensions.ICMPV6, hopLimit, 0, 0, icmpLength).emit(new Ipv6Packet().wrap(b, 0));
    body.accept(b, Ipv6Packet.HEADER_LEN);
    new Icmpv6Packet().wrap(b, Ipv6Packet.HEADER_LEN, icmpLength)
        .fillChecksum(Ipv6Packet.pseudoHeader(src, dst, icmpLength, Ipv6Extensions.ICMPV6));
    byte[] out = ByteBufUtil.getBytes(b);
    b.release();
    return out;
  }

  @Test
  void echoRequest() {
    ByteBuf b = read(ECHO);
    assertEquals(6, ip.version());
    assertEquals(12, ip.payloadLength());
    assertEquals(64, ip.hopLimit());
    assertEquals(CLIENT, ip.src());
    assertEquals(SERVER, ip.dst());
    assertEquals(Icmpv6Packet.TYPE_ECHO_REQUEST, icmp.type());
    assertEquals(0x1234, icmp.ident());
    assertEquals(1, icmp.seq());
    assertEquals(Ipv6Packet.Repr.parse(ip), new Ipv6Packet.Repr(CLIENT, SERVER, 58, 64, 0, 0, 12));
    b.release();
    assertArrayEquals(hex(ECHO), icmpPacket(CLIENT, SERVER, 64, 12, (x, at) -> {
      new Icmpv6Packet().wrap(x, at, 12).type(Icmpv6Packet.TYPE_ECHO_REQUEST).code(0).echo(0x1234, 1);
      x.setBytes(at + 8, "emu!".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }));
  }

  @Test
  void neighborSolicitationAndAdvertisement() {
    ByteBuf b = read(NS);
    assertEquals(Ndp.Check.OK, Ndp.check(ip, icmp, opts));
    assertEquals(ROUTER, Ndp.target(b, icmp.start()));
    assertEquals(CLIENT_MAC, opts.sourceMac());
    assertEquals(-1, opts.targetMac());
    b.release();
    Ndp.NeighborSolicitation ns = new Ndp.NeighborSolicitation(ROUTER, CLIENT_MAC);
    assertArrayEquals(hex(NS), icmpPacket(CLIENT, ROUTER.solicitedNode(), 255, ns.length(), (x, at) -> ns.emit(x, at)));

    b = read(NA);
    assertEquals(Ndp.Check.OK, Ndp.check(ip, icmp, opts));
    assertEquals(Ndp.NA_ROUTER | Ndp.NA_SOLICITED | Ndp.NA_OVERRIDE, Ndp.advertisementFlags(b, icmp.start()));
    assertEquals(ROUTER_MAC, opts.targetMac());
    b.release();
    Ndp.NeighborAdvertisement na = new Ndp.NeighborAdvertisement(Ndp.NA_ROUTER | Ndp.NA_SOLICITED | Ndp.NA_OVERRIDE,
        ROUTER, ROUTER_MAC);
    assertArrayEquals(hex(NA), icmpPacket(ROUTER, CLIENT, 255, na.length(), (x, at) -> na.emit(x, at)));
  }

  @Test
  void duplicateAddressDetectionFromTheUnspecifiedAddress() {
    ByteBuf b = read(DAD);
    assertEquals(Ndp.Check.OK, Ndp.check(ip, icmp, opts));
    assertTrue(ip.src().isUnspecified());
    assertEquals(Ipv6Address.linkLocal(CLIENT_MAC), Ndp.target(b, icmp.start()));
    assertEquals(-1, opts.sourceMac());
    b.release();
    Ipv6Address ll = Ipv6Address.linkLocal(CLIENT_MAC);
    Ndp.NeighborSolicitation dad = new Ndp.NeighborSolicitation(ll, -1);
    assertArrayEquals(hex(DAD), icmpPacket(Ipv6Address.UNSPECIFIED, ll.solicitedNode(), 255, dad.length(),
        (x, at) -> dad.emit(x, at)));
  }

  @Test
  void routerSolicitationAndAdvertisement() {
    ByteBuf b = read(RS);
    assertEquals(Ndp.Check.OK, Ndp.check(ip, icmp, opts));
    assertEquals(CLIENT_MAC, opts.sourceMac());
    b.release();
    Ndp.RouterSolicitation rs = new Ndp.RouterSolicitation(CLIENT_MAC);
    assertArrayEquals(hex(RS), icmpPacket(Ipv6Address.linkLocal(CLIENT_MAC), Ipv6Address.ALL_ROUTERS, 255,
        rs.length(), (x, at) -> rs.emit(x, at)));

    b = read(RA);
    assertEquals(Ndp.Check.OK, Ndp.check(ip, icmp, opts));
    int at = icmp.start();
    assertEquals(64, Ndp.raCurHopLimit(b, at));
    assertEquals(0, Ndp.raFlags(b, at));
    assertEquals(1800, Ndp.raRouterLifetime(b, at));
    assertEquals(ROUTER_MAC, opts.sourceMac());
    assertEquals(1500, opts.mtu());
    assertEquals(1, opts.prefixCount());
    assertEquals(Ipv6Cidr.parse("2001:db8:1::/64"), opts.prefix(0));
    assertEquals(Ndp.PREFIX_ON_LINK | Ndp.PREFIX_AUTONOMOUS, opts.prefixFlags(0));
    assertEquals(2592000, opts.validLifetime(0));
    assertEquals(604800, opts.preferredLifetime(0));
    b.release();
    Ndp.RouterAdvertisement ra = new Ndp.RouterAdvertisement(64, 0, 1800, 0, 0, ROUTER_MAC, 1500,
        List.of(new Ndp.PrefixInfo(Ipv6Cidr.parse("2001:db8:1::/64"), true, true, 2592000, 604800)));
    assertArrayEquals(hex(RA), icmpPacket(Ipv6Address.linkLocal(ROUTER_MAC), Ipv6Address.ALL_NODES, 255,
        ra.length(), (x, a) -> ra.emit(x, a)));
  }

  @Test
  void udpAndTcpChecksumsCoverTheIpv6PseudoHeader() {
    ByteBuf b = read(UDP);
    assertEquals(Ipv6Extensions.UDP, ext.protocol());
    UdpDatagram u = new UdpDatagram().wrap(b, ext.payloadIndex(), ip.payloadLength());
    assertTrue(u.check());
    assertEquals(53000, u.srcPort());
    assertEquals(53, u.dstPort());
    long pseudo = Ipv6Packet.pseudoHeader(b, 0, u.length(), Ipv6Extensions.UDP);
    assertTrue(u.checksumValid(pseudo));
    int sum = u.checksum();
    u.fillChecksum(pseudo);
    assertEquals(sum, u.checksum(), "the same checksum computed here");
    b.setByte(Ipv6Packet.SRC + 15, 0x01); // another source: the pseudo-header no longer matches
    assertFalse(u.checksumValid(Ipv6Packet.pseudoHeader(b, 0, u.length(), Ipv6Extensions.UDP)));
    b.release();

    b = read(TCP);
    assertEquals(Ipv6Extensions.TCP, ext.protocol());
    TcpSegment t = new TcpSegment().wrap(b, ext.payloadIndex(), ip.payloadLength());
    assertEquals(TcpSegment.Check.OK, t.check());
    assertEquals(TcpSegment.SYN, t.flags());
    assertTrue(t.checksumValid(Ipv6Packet.pseudoHeader(CLIENT, SERVER, ip.payloadLength(), Ipv6Extensions.TCP)));
    b.release();
  }

  @Test
  void fragmentAndHopByHopHeadersAreWalkedToTheUpperLayer() {
    ByteBuf b = buf(hex(FRAG));
    ip.wrap(b, 0);
    assertEquals(Ipv6Packet.Check.OK, ip.check());
    assertEquals(Ipv6Extensions.Result.OK, ext.walk(b, 0, false));
    assertTrue(ext.hasFragmentHeader());
    assertFalse(ext.isAtomicFragment());
    assertEquals(0, ext.fragmentOffset());
    assertTrue(ext.moreFragments());
    assertEquals(0x12345678, ext.identification());
    assertEquals(Ipv6Extensions.ICMPV6, ext.protocol());
    assertEquals(48, ext.payloadIndex());
    assertEquals(40, ext.nextHeaderField());
    b.release();

    b = read(HBH);
    assertTrue(ext.hasHopByHop(), "a router alert (RFC 2711) and PadN are understood");
    assertEquals(Ipv6Extensions.ICMPV6, ext.protocol());
    assertEquals(48, ext.payloadIndex());
    assertEquals(143, icmp.type(), "an MLDv2 report");
    b.release();
  }

  @Test
  void aFragmentHeaderIsWrittenAsRfc8200LaysItOut() {
    // the golden first fragment's header: next header 58, offset 0, M set, identification 0x12345678
    ByteBuf b = zeroed(Ipv6Extensions.FRAGMENT_HEADER_LEN);
    Ipv6Extensions.writeFragmentHeader(b, 0, Ipv6Extensions.ICMPV6, 0, true, 0x12345678);
    assertEquals(FRAG.substring(80, 96), ByteBufUtil.hexDump(b));
    // a last fragment at byte 1448 (181 units of 8): 1448 | M clear = 0x05a8
    Ipv6Extensions.writeFragmentHeader(b, 0, Ipv6Extensions.UDP, 1448, false, 0xcafebabe);
    assertEquals("110005a8cafebabe", ByteBufUtil.hexDump(b));
    b.release();
    b = buf(hex(FRAG));
    ip.wrap(b, 0);
    assertEquals(Ipv6Extensions.Result.OK, ext.walk(b, 0, false));
    assertEquals(Ipv6Packet.NEXT_HEADER, ext.fragmentNextHeaderField());
    assertEquals(40, ext.fragmentHeaderIndex());
    b.release();
  }

  @Test
  void packetTooBigQuotesThePacketAndCarriesTheMtu() {
    ByteBuf b = read(PTB);
    assertEquals(Icmpv6Packet.TYPE_PACKET_TOO_BIG, icmp.type());
    assertTrue(icmp.isError());
    assertEquals(1280, icmp.word());
    Ipv6Packet quoted = new Ipv6Packet().wrap(b, icmp.dataIndex());
    assertEquals(CLIENT, quoted.src());
    assertEquals(SERVER, quoted.dst());
    assertEquals(63, quoted.hopLimit());
    b.release();
  }

  @Test
  void forwardingDecrementsTheHopLimitAndNothingElse() {
    ByteBuf b = buf(hex(ECHO));
    assertEquals(63, ip.wrap(b, 0).decrementHopLimit());
    byte[] after = ByteBufUtil.getBytes(b);
    byte[] before = hex(ECHO);
    before[Ipv6Packet.HOP_LIMIT] = 63;
    assertArrayEquals(before, after);
    b.release();
  }
}
