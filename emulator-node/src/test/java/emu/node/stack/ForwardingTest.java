package emu.node.stack;

import static emu.node.testing.CorporateNetwork.mac;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.wire.EthernetFrame;
import emu.node.testing.CapturedFrame;
import emu.node.testing.CommandRun;
import emu.node.testing.CorporateNetwork;
import emu.node.testing.FrameMatcher;
import emu.node.testing.PacketBuilder;
import emu.node.testing.VirtualLab;
import emu.node.wire.Checksum;
import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * r1's forwarding path (RFC 1812 5.2-5.3): in-place TTL decrement with the RFC 1624 checksum
 * update, MAC rewrite, the MTU check with Don't Fragment, and fragmentation without it.
 */
class ForwardingTest {
  private static final long R1_ETH0 = mac(CorporateNetwork.R1_ETH0_MAC);
  private static final long R1_ETH1 = mac(CorporateNetwork.R1_ETH1_MAC);
  private static final long SERVER = mac(CorporateNetwork.SERVER_MAC);

  private VirtualLab lab;
  private CorporateNetwork net;

  private void start(int serverLinkMtu) {
    lab = new VirtualLab(3);
    net = CorporateNetwork.start(lab, false, serverLinkMtu);
    // Let r1 learn the server so that forwarded frames leave at once.
    lab.exec(net.client, "ping -c 1 192.168.5.100").assertExit(0);
    net.clearRecords();
  }

  @AfterEach
  void tearDown() {
    if (lab != null) {
      lab.close();
    }
  }

  /**
   * An identification that gives the header the checksum {@code target}: the checksum is the
   * complement of the one's-complement sum S, and the identification adds to S, so
   * ident = ~target -' S0 = ~target +' checksum(ident 0). 0 and 0xFFFF are both zero in one's
   * complement, so the other representation is tried too.
   */
  private static int identForChecksum(int ttl, int target) {
    int c0 = checksumOf(ttl, 0);
    int ident = Checksum.fold((~target & 0xFFFF) + (long) c0);
    for (int candidate : new int[] {ident, ident ^ 0xFFFF}) {
      if (checksumOf(ttl, candidate) == target) {
        return candidate;
      }
    }
    throw new IllegalStateException("no identification gives checksum " + Integer.toHexString(target));
  }

  private static int checksumOf(int ttl, int ident) {
    byte[] p = PacketBuilder.ipv4("192.168.1.100", "192.168.5.100").ttl(ttl).ident(ident).icmpEcho(1, 1, 8).packet();
    return ((p[Ipv4Packet.CHECKSUM] & 0xFF) << 8) | (p[Ipv4Packet.CHECKSUM + 1] & 0xFF);
  }

  static Stream<Arguments> ttlAndChecksumEdges() {
    return Stream.of(
        Arguments.of(2, 0x0000), Arguments.of(2, 0x0001), Arguments.of(64, 0x0000), Arguments.of(64, 0x00FF),
        Arguments.of(64, 0xFEFF), Arguments.of(64, 0xFFFE), Arguments.of(128, 0x0100), Arguments.of(255, 0x0000),
        Arguments.of(255, 0xFFFE), Arguments.of(255, 0x7FFF));
  }

  @ParameterizedTest(name = "TTL {0}, checksum 0x{1}")
  @MethodSource("ttlAndChecksumEdges")
  void forwardedHeaderChecksumEqualsFullRecomputation(int ttl, int checksum) {
    start(1500);
    int ident = identForChecksum(ttl, checksum);
    byte[] frame = PacketBuilder.ipv4("192.168.1.100", "192.168.5.100").ttl(ttl).ident(ident)
        .eth(R1_ETH0, mac(CorporateNetwork.CLIENT_MAC)).icmpEcho(1, 1, 8).frame();
    net.r1.inject("eth0", frame);
    lab.settle();
    CapturedFrame out = FrameMatcher.ipv4().ethSrc(R1_ETH1).ethDst(SERVER).ttl(ttl - 1).ident(ident).checksumValid()
        .single(net.r1.sent("eth1"));
    assertEquals(recomputedChecksum(out), out.ip().checksum(), "incremental update must equal recomputation");
  }

  @Test
  void randomHeadersForwardWithValidChecksums() {
    start(1500);
    SplittableRandom rnd = new SplittableRandom(99);
    int n = 200;
    List<byte[]> in = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] frame = PacketBuilder.ipv4("192.168.1.100", "192.168.5.100").ttl(2 + rnd.nextInt(254))
          .ident(rnd.nextInt(0x10000)).tos(rnd.nextInt(256)).eth(R1_ETH0, mac(CorporateNetwork.CLIENT_MAC))
          .icmpEcho(rnd.nextInt(0x10000), i, rnd.nextInt(100)).frame();
      in.add(frame);
      net.r1.inject("eth0", frame);
    }
    lab.settle();
    List<CapturedFrame> out = FrameMatcher.ipv4().src("192.168.1.100").select(net.r1.sent("eth1"));
    assertEquals(n, out.size());
    for (int i = 0; i < n; i++) {
      byte[] before = in.get(i);
      CapturedFrame f = out.get(i);
      int ttl = before[EthernetFrame.HEADER_LEN + Ipv4Packet.TTL] & 0xFF;
      FrameMatcher.ipv4().ethSrc(R1_ETH1).ethDst(SERVER).ttl(ttl - 1).checksumValid().assertMatches(f);
      assertEquals(recomputedChecksum(f), f.ip().checksum());
      // Only TTL and checksum changed in the IP packet.
      byte[] after = f.bytes();
      assertEquals(before.length, after.length);
      for (int k = EthernetFrame.HEADER_LEN; k < before.length; k++) {
        int field = k - EthernetFrame.HEADER_LEN;
        if (field != Ipv4Packet.TTL && field != Ipv4Packet.CHECKSUM && field != Ipv4Packet.CHECKSUM + 1) {
          assertEquals(before[k], after[k], "byte " + field + " of IP packet " + i);
        }
      }
    }
  }

  private static int recomputedChecksum(CapturedFrame f) {
    ByteBuf b = Unpooled.wrappedBuffer(f.bytes());
    try {
      b.setShort(EthernetFrame.HEADER_LEN + Ipv4Packet.CHECKSUM, 0);
      return Checksum.compute(b, EthernetFrame.HEADER_LEN, f.ip().headerLength());
    } finally {
      b.release();
    }
  }

  @Test
  void dontFragmentOverSmallerMtuGivesFragNeeded() {
    start(576);
    CommandRun ping = lab.exec(net.client, "ping -c 1 -s 1000 192.168.5.100").assertExit(1);
    assertEquals(List.of("From 192.168.1.1 icmp_seq=1 Frag needed and DF set (mtu = 576)"), ping.linesMatching("^From "));
    assertEquals(1, net.r1.drops(DropReason.MTU_EXCEEDED));
    CapturedFrame err = FrameMatcher.ipv4().src("192.168.1.1").dst("192.168.1.100")
        .icmp(IcmpPacket.TYPE_DEST_UNREACHABLE, IcmpPacket.CODE_FRAGMENTATION_NEEDED).single(net.r1.sent("eth0"));
    assertEquals(576, err.icmp().seq(), "next-hop MTU field");
    assertTrue(err.ip().totalLength() <= 576, "an ICMP error is at most 576 bytes");
    FrameMatcher.ipv4().assertNone(net.r1.sent("eth1"));
  }

  @Test
  void withoutDontFragmentRouterFragmentsToTheMtu() {
    start(576);
    byte[] payload = new byte[1000];
    new SplittableRandom(5).nextBytes(payload);
    byte[] frame = PacketBuilder.ipv4("192.168.1.100", "192.168.5.100").ident(0xBEEF)
        .eth(R1_ETH0, mac(CorporateNetwork.CLIENT_MAC)).udp(40000, 9, payload).frame();
    net.r1.inject("eth0", frame);
    lab.settle();

    List<CapturedFrame> frags = FrameMatcher.ipv4().select(net.r1.sent("eth1"));
    assertEquals(2, frags.size(), frags.toString());
    FrameMatcher base = FrameMatcher.ipv4().ethSrc(R1_ETH1).ethDst(SERVER).src("192.168.1.100").dst("192.168.5.100")
        .ttl(63).ident(0xBEEF).protocol(Ipv4Packet.PROTO_UDP).checksumValid();
    // (576 - 20) rounded down to a multiple of 8 = 552 bytes of payload per fragment.
    base.fragment(0, true).totalLength(20 + 552).assertMatches(frags.get(0));
    base.fragment(552, false).totalLength(20 + 1008 - 552).assertMatches(frags.get(1));
    frags.forEach(f -> assertTrue(f.length() - EthernetFrame.HEADER_LEN <= 576));

    ByteArrayOutputStream reassembled = new ByteArrayOutputStream();
    for (CapturedFrame f : frags) {
      byte[] b = f.bytes();
      reassembled.write(b, EthernetFrame.HEADER_LEN + 20, f.ip().totalLength() - 20);
    }
    byte[] original = java.util.Arrays.copyOfRange(frame, EthernetFrame.HEADER_LEN + 20, frame.length);
    assertArrayEquals(original, reassembled.toByteArray());
    // The server does not reassemble: it counts both fragments.
    assertEquals(2, net.server.drops(DropReason.IP_FRAGMENT));
  }

  @Test
  void localUdpLargerThanMtuIsFragmentedBySender() {
    start(576);
    NetworkStack server = net.server.stack();
    ByteBuf data = server.allocate(1200);
    data.writeZero(1200);
    assertEquals(SendResult.SENT, server.udp().send(0, 5555, Ipv4Address.parse("192.168.1.100"), 9, 64, data));
    lab.settle();
    List<CapturedFrame> frags = FrameMatcher.ipv4().src("192.168.5.100").select(net.server.sent("eth0"));
    assertEquals(3, frags.size(), frags.toString());
    FrameMatcher.ipv4().checksumValid().ttl(64).assertAll(frags);
    assertEquals(List.of(0, 552, 1104), frags.stream().map(f -> f.ip().fragmentOffset()).toList());
    assertEquals(List.of(true, true, false), frags.stream().map(f -> f.ip().moreFragments()).toList());
  }
}
