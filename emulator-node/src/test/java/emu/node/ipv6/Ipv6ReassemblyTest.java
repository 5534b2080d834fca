package emu.node.ipv6;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.event.IpEvent;
import emu.node.event.Ipv6Event;
import emu.node.stack.DropReason;
import emu.node.testing.LabNode;
import emu.node.testing.VirtualLab;
import emu.node.wire.Icmpv6Packet;
import emu.node.wire.IpAddress;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Extensions;
import emu.node.wire.Ipv6Packet;
import emu.node.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reassembly on virtual time (RFC 8200 4.5, RFC 5722, RFC 6946, RFC 7112): fragments of an
 * ICMPv6 echo request, built here byte by byte, are handed to h2 as if h1 had sent them; h2's
 * answer (an echo reply, itself in fragments, or an ICMPv6 error) goes back to h1 over the real
 * link and neighbour discovery. Every buffer is tracked by Netty's leak detector (PARANOID in
 * this build) and the lab's allocator: {@link VirtualLab#close()} fails on any left referenced.
 *
 * <pre>
 *   h1 eth0 2001:db8:1::a ------ h2 eth0 2001:db8:1::b   (MTU 1500)
 * </pre>
 */
class Ipv6ReassemblyTest {
  static final long S = 1_000_000_000L;
  static final Ipv6Address A = Ipv6Address.parse("2001:db8:1::a");
  static final Ipv6Address B = Ipv6Address.parse("2001:db8:1::b");

  private final VirtualLab lab = new VirtualLab(44);
  private final LabNode h1 = lab.host("h1");
  private final LabNode h2 = lab.host("h2");
  /** What h1 hears over ICMPv6: type, code, the error's word or the reply's length. */
  private final List<int[]> heard = new ArrayList<>();

  Ipv6ReassemblyTest() {
    lab.connect(h1, "eth0", "02:00:00:00:00:0a", null, h2, "eth0", "02:00:00:00:00:0b", null, 1500);
    h1.ipv6("eth0", false, "2001:db8:1::a/64");
    h2.ipv6("eth0", false, "2001:db8:1::b/64");
    lab.start();
    lab.advance(3 * S); // duplicate address detection
    h1.ipv6().addIcmpListener((ip, icmp) -> heard.add(new int[] {icmp.type(), icmp.code(), (int) icmp.word(),
        icmp.length()}));
    h1.clearRecords();
    h2.clearRecords();
  }

  @AfterEach
  void close() {
    lab.close();
  }

  /** An ICMPv6 echo request from {@code src} to {@code dst} with {@code dataLen} bytes of data, checksum filled. */
  static byte[] echo(Ipv6Address src, Ipv6Address dst, int seq, int dataLen) {
    ByteBuf m = Unpooled.buffer();
    m.writeByte(Icmpv6Packet.TYPE_ECHO_REQUEST).writeByte(0).writeShort(0).writeShort(0x4242).writeShort(seq);
    for (int i = 0; i < dataLen; i++) {
      m.writeByte(i * 7);
    }
    int len = m.readableBytes();
    new Icmpv6Packet().wrap(m, 0, len).fillChecksum(Ipv6Packet.pseudoHeader(src, dst, len, Ipv6Extensions.ICMPV6));
    byte[] out = new byte[len];
    m.readBytes(out);
    return out;
  }

  /**
   * A frame from h1 to h2 carrying bytes {@code from..from+len} of {@code original} as the
   * fragment at that offset, next header {@code nextHeader} ({@code unfragmentable}: extension
   * header bytes before the fragment header, whose first byte must then be 44).
   */
  static byte[] fragment(long srcMac, long dstMac, Ipv6Address src, Ipv6Address dst, byte[] unfragmentable,
                         int nextHeader, int id, byte[] original, int from, int len, boolean more) {
    ByteBuf u = Unpooled.buffer();
    u.writeBytes(unfragmentable);
    int at = u.writerIndex();
    u.writeZero(Ipv6Extensions.FRAGMENT_HEADER_LEN);
    Ipv6Extensions.writeFragmentHeader(u, at, nextHeader, from, more, id);
    u.writeBytes(original, from, len);
    byte[] upper = new byte[u.readableBytes()];
    u.readBytes(upper);
    int first = unfragmentable.length == 0 ? Ipv6Extensions.FRAGMENT : Ipv6Extensions.DESTINATION_OPTIONS;
    return NdpFrames.frame(srcMac, dstMac, src, dst, 64, first, upper);
  }

  private byte[] frag(int id, byte[] original, int from, int len, boolean more) {
    return fragment(h1.mac("eth0"), h2.mac("eth0"), A, B, new byte[0], Ipv6Extensions.ICMPV6, id, original, from,
        len, more);
  }

  /** {@code original} cut at the given offsets (multiples of 8), as fragments in offset order. */
  private List<byte[]> split(int id, byte[] original, int... cuts) {
    List<byte[]> out = new ArrayList<>();
    int from = 0;
    for (int i = 0; i <= cuts.length; i++) {
      int to = i < cuts.length ? cuts[i] : original.length;
      out.add(frag(id, original, from, to - from, i < cuts.length));
      from = to;
    }
    return out;
  }

  private void inject(byte[]... frames) {
    for (byte[] f : frames) {
      h2.inject("eth0", f);
    }
  }

  private List<Integer> heardTypes() {
    return heard.stream().map(h -> h[0]).toList();
  }

  @Test
  void fragmentsInOrderAreReassembledAndTheReplyGoesBackInFragments() {
    byte[] req = echo(A, B, 1, 3000);
    List<byte[]> frags = split(0x01020304, req, 1448, 2896);
    long[] drops = h2.dropSnapshot();
    inject(frags.toArray(byte[][]::new));
    lab.advance(S);
    assertEquals(List.of(Icmpv6Packet.TYPE_ECHO_REPLY), heardTypes(), "h1 hears the reply");
    assertEquals(3008, heard.get(0)[3], "the whole echo reply, reassembled by h1");
    assertEquals(Map.of(), h2.dropsSince(drops));
    Ipv6Counters c = h2.ipv6().counters();
    assertEquals(List.of(3L, 1L, 0L), List.of(c.reassemblyRequired, c.reassembled, c.reassemblyFailed));
    Ipv6Event.Reassembled r = h2.events(Ipv6Event.Reassembled.class).get(0);
    assertEquals(List.of("2001:db8:1::a", "2001:db8:1::b", "3", "3048"), List.of(r.src(), r.dst(),
        String.valueOf(r.fragments()), String.valueOf(r.length())));
    assertEquals(0x01020304L, r.identification());
    // h2's reply is 3048 bytes on a 1500-byte link: three fragments of 1448, 1448 and 112 bytes of data
    Ipv6Event.Fragmented f = h2.events(Ipv6Event.Fragmented.class).get(0);
    assertEquals(List.of(3048, 1500, 3), List.of(f.length(), f.mtu(), f.fragments()));
    assertEquals(List.of(1496, 1496, 160), h2.events(IpEvent.FrameSent.class).stream()
        .filter(e -> e.packet().fragmentId() != null).map(e -> e.packet().length()).toList());
    assertEquals(List.of(3L, 1L), List.of(c.fragmentsCreated, c.fragmented));
    assertEquals(1, h1.ipv6().counters().reassembled);
    assertEquals(0, h2.ipv6().reassemblyQueues());
    assertEquals(0, h2.ipv6().reassemblyMemory(), "nothing held once the packet is complete");
  }

  @Test
  void fragmentsInReverseOrderAndDuplicatesMakeTheSamePacket() {
    byte[] req = echo(A, B, 2, 3000);
    List<byte[]> frags = split(7, req, 1448, 2896);
    long[] drops = h2.dropSnapshot();
    inject(frags.get(2), frags.get(1), frags.get(1), frags.get(0));
    lab.advance(S);
    assertEquals(List.of(Icmpv6Packet.TYPE_ECHO_REPLY), heardTypes());
    assertEquals(Map.of(DropReason.IPV6_FRAGMENT_DUPLICATE, 1L), h2.dropsSince(drops),
        "an exact duplicate is dropped on its own (RFC 8200 4.5)");
    assertEquals(1, h2.ipv6().counters().reassembled);
  }

  @Test
  void overlappingFragmentsGiveTheWholePacketUpSilentlyAndItsLaterFragmentsToo() {
    byte[] req = echo(A, B, 3, 3000);
    long[] drops = h2.dropSnapshot();
    // bytes 0-1447, then 1440-2895: eight bytes claimed twice (RFC 5722)
    inject(frag(9, req, 0, 1448, true), frag(9, req, 1440, 1456, true));
    lab.advance(S);
    inject(frag(9, req, 2896, req.length - 2896, false), frag(9, req, 1448, 1448, true));
    lab.advance(S);
    assertEquals(List.of(), heard, "no reply and no ICMPv6 error");
    assertEquals(Map.of(DropReason.IPV6_FRAGMENT_OVERLAP, 4L), h2.dropsSince(drops));
    Ipv6Event.ReassemblyFailed e = h2.events(Ipv6Event.ReassemblyFailed.class).get(0);
    assertEquals(DropReason.IPV6_FRAGMENT_OVERLAP, e.reason());
    assertEquals(2, e.fragments());
    assertTrue(e.firstArrived());
    assertFalse(e.timeExceededSent());
    assertEquals(1, h2.ipv6().counters().reassemblyFailed);
    assertTrue(h2.ipv6().reassemblyMemory() > 0, "the given-up packet's queue waits for its timer");
    // 60 s after its first fragment: forgotten, and no time exceeded for a packet given up
    lab.advance(60 * S);
    assertEquals(List.of(), heard);
    assertEquals(0, h2.ipv6().reassemblyQueues());
    assertEquals(0, h2.ipv6().reassemblyMemory());
    // a new packet with the same identification afterwards is a new packet
    inject(split(9, req, 1448, 2896).toArray(byte[][]::new));
    lab.advance(S);
    assertEquals(List.of(Icmpv6Packet.TYPE_ECHO_REPLY), heardTypes());
  }

  @Test
  void fragmentsThatDisagreeOnTheEndAreDropped() {
    byte[] req = echo(A, B, 4, 3000);
    long[] drops = h2.dropSnapshot();
    // a last fragment ending at 2000, then one with more to come reaching past it
    inject(frag(11, req, 1000, 1000, false), frag(11, req, 0, 2008, true));
    lab.advance(S);
    assertEquals(List.of(), heard);
    assertEquals(Map.of(DropReason.IPV6_FRAGMENT_INVALID, 2L), h2.dropsSince(drops));
  }

  @Test
  void aFirstFragmentWithoutTheWholeHeaderChainGetsParameterProblemCode3() {
    long[] drops = h2.dropSnapshot();
    // RFC 7112: a first fragment with 16 bytes of a TCP header (20 at least), and one whose
    // destination options header claims 16 bytes where the fragment has 8
    inject(fragment(h1.mac("eth0"), h2.mac("eth0"), A, B, new byte[0], Ipv6Extensions.TCP, 13, new byte[16], 0, 16,
        true));
    inject(fragment(h1.mac("eth0"), h2.mac("eth0"), A, B, new byte[0], Ipv6Extensions.DESTINATION_OPTIONS, 14,
        hexBytes("3a01000000000000"), 0, 8, true));
    lab.advance(S);
    assertEquals(Map.of(DropReason.IPV6_FRAGMENT_INCOMPLETE_CHAIN, 2L), h2.dropsSince(drops));
    assertEquals(2, heard.size());
    for (int[] h : heard) {
      assertEquals(List.of(Icmpv6Packet.TYPE_PARAMETER_PROBLEM, Ipv6Extensions.INCOMPLETE_HEADER_CHAIN, 0),
          List.of(h[0], h[1], h[2]), "code 3, pointer zero (RFC 7112 5)");
    }
    assertEquals(0, h2.ipv6().reassemblyQueues(), "nothing of them is kept");
  }

  @Test
  void aFragmentNotAMultipleOf8GetsParameterProblemAtThePayloadLength() {
    byte[] req = echo(A, B, 6, 3000);
    long[] drops = h2.dropSnapshot();
    inject(frag(15, req, 0, 1445, true));
    lab.advance(S);
    assertEquals(Map.of(DropReason.IPV6_FRAGMENT_INVALID, 1L), h2.dropsSince(drops));
    assertEquals(List.of(Icmpv6Packet.TYPE_PARAMETER_PROBLEM, 0, Ipv6Packet.PAYLOAD_LENGTH),
        List.of(heard.get(0)[0], heard.get(0)[1], heard.get(0)[2]));
  }

  @Test
  void aFragmentReachingPast65535BytesGetsParameterProblemAtItsOffset() {
    byte[] big = new byte[65536];
    long[] drops = h2.dropSnapshot();
    inject(frag(16, big, 65520, 16, false));
    lab.advance(S);
    assertEquals(Map.of(DropReason.IPV6_FRAGMENT_INVALID, 1L), h2.dropsSince(drops));
    assertEquals(List.of(Icmpv6Packet.TYPE_PARAMETER_PROBLEM, 0, Ipv6Packet.HEADER_LEN + 2),
        List.of(heard.get(0)[0], heard.get(0)[1], heard.get(0)[2]), "the fragment offset field");
  }

  @Test
  void anAtomicFragmentIsAWholePacketAndTouchesNoReassemblyState() {
    byte[] req = echo(A, B, 7, 100);
    // a queue with the same identification waits: the atomic fragment must not join it (RFC 6946 4)
    byte[] other = echo(A, B, 8, 3000);
    inject(frag(21, other, 0, 1448, true));
    inject(frag(21, req, 0, req.length, false));
    lab.advance(S);
    assertEquals(List.of(Icmpv6Packet.TYPE_ECHO_REPLY), heardTypes());
    assertEquals(108, heard.get(0)[3]);
    Ipv6Counters c = h2.ipv6().counters();
    assertEquals(1, c.atomicFragments);
    assertEquals(1, c.reassemblyRequired, "only the real fragment");
    assertEquals(1, h2.ipv6().reassemblyQueues());
    assertEquals(List.of(), h2.events(Ipv6Event.Reassembled.class));
  }

  @Test
  void sixtySecondsWithoutTheLastFragmentTellTheSourceTimeExceededCode1() {
    byte[] req = echo(A, B, 9, 3000);
    List<byte[]> frags = split(23, req, 1448, 2896);
    long[] drops = h2.dropSnapshot();
    inject(frags.get(0), frags.get(1));
    lab.advance(59 * S);
    assertEquals(List.of(), heard, "not yet: 60 s after the first fragment");
    lab.advance(2 * S);
    assertEquals(1, heard.size());
    assertEquals(List.of(Icmpv6Packet.TYPE_TIME_EXCEEDED, Icmpv6Packet.CODE_REASSEMBLY_TIME_EXCEEDED),
        List.of(heard.get(0)[0], heard.get(0)[1]));
    assertEquals(Map.of(DropReason.IPV6_REASSEMBLY_TIMEOUT, 2L), h2.dropsSince(drops));
    Ipv6Event.ReassemblyFailed e = h2.events(Ipv6Event.ReassemblyFailed.class).get(0);
    assertEquals(DropReason.IPV6_REASSEMBLY_TIMEOUT, e.reason());
    assertTrue(e.firstArrived() && e.timeExceededSent());
    assertEquals(List.of(1L, 1L), List.of(h2.ipv6().counters().reassemblyTimeouts,
        h2.ipv6().counters().reassemblyFailed));
    // the error quotes the first fragment: fixed header, fragment header at offset 0, the echo header
    Ipv6Event.ErrorSent err = h2.events(Ipv6Event.ErrorSent.class).get(0);
    assertEquals(0, err.about().fragmentOffset());
    assertEquals(23L, err.about().fragmentId());
    assertEquals(0, h2.ipv6().reassemblyMemory());
  }

  @Test
  void withoutTheFirstFragmentATimeoutSaysNothing() {
    byte[] req = echo(A, B, 10, 3000);
    List<byte[]> frags = split(25, req, 1448, 2896);
    long[] drops = h2.dropSnapshot();
    inject(frags.get(2), frags.get(1));
    lab.advance(61 * S);
    assertEquals(List.of(), heard);
    assertEquals(Map.of(DropReason.IPV6_REASSEMBLY_TIMEOUT, 2L), h2.dropsSince(drops));
    Ipv6Event.ReassemblyFailed e = h2.events(Ipv6Event.ReassemblyFailed.class).get(0);
    assertFalse(e.firstArrived() || e.timeExceededSent());
  }

  @Test
  void reassemblyMemoryIsBoundedAndFreedByTheTimer() {
    Ipv6Reassembly reassembly = h2.ipv6().reassembly();
    assertEquals(4L << 20, reassembly.memoryLimit(), "Linux's ip6frag_high_thresh");
    reassembly.memoryLimit(64 * 1024);
    byte[] req = echo(A, B, 11, 3000);
    long[] drops = h2.dropSnapshot();
    int sent = 200;
    for (int id = 0; id < sent; id++) {
      inject(frag(1000 + id, req, 0, 1448, true));
      assertTrue(h2.ipv6().reassemblyMemory() <= 64 * 1024);
    }
    long refused = h2.dropsSince(drops).getOrDefault(DropReason.IPV6_REASSEMBLY_MEMORY, 0L);
    assertTrue(refused > 0 && refused < sent, "some held, the rest refused: " + refused);
    assertEquals(sent - refused, h2.ipv6().reassemblyQueues());
    // a whole packet that does not need reassembly still gets through
    inject(frag(5000, echo(A, B, 12, 56), 0, 64, false));
    lab.advance(S);
    assertEquals(List.of(Icmpv6Packet.TYPE_ECHO_REPLY), heardTypes());
    lab.advance(60 * S);
    assertEquals(0, h2.ipv6().reassemblyMemory(), "every queue timed out");
    assertEquals(sent - refused, h2.dropsSince(drops).get(DropReason.IPV6_REASSEMBLY_TIMEOUT));
    // and the memory is there again for a real packet
    heard.clear();
    inject(split(6000, req, 1448, 2896).toArray(byte[][]::new));
    lab.advance(S);
    assertEquals(List.of(Icmpv6Packet.TYPE_ECHO_REPLY), heardTypes());
  }

  @Test
  void aTcpSynInTwoFragmentsReachesTheListenerAsAWholeOneWould() {
    h2.tcp().listen(IpAddress.ANY6, 80, 0, c -> null);
    // a SYN with 20 bytes of options: the first fragment holds the 20-byte header and 4 option bytes
    ByteBuf m = Unpooled.buffer();
    m.writeZero(20);
    m.writeBytes(hexBytes("020405a00402080a000000010000000001030307"));
    new TcpSegment().wrap(m, 0, 40).srcPort(40000).dstPort(80).seq(1000).headerLength(40).flags(TcpSegment.SYN)
        .window(65535).fillChecksum(Ipv6Packet.pseudoHeader(A, B, 40, Ipv6Extensions.TCP));
    byte[] syn = new byte[40];
    m.readBytes(syn);
    long[] drops = h2.dropSnapshot();
    inject(fragment(h1.mac("eth0"), h2.mac("eth0"), A, B, new byte[0], Ipv6Extensions.TCP, 51, syn, 0, 24, true),
        fragment(h1.mac("eth0"), h2.mac("eth0"), A, B, new byte[0], Ipv6Extensions.TCP, 51, syn, 24, 16, false));
    lab.advance(S);
    assertEquals(Map.of(), h2.dropsSince(drops));
    assertEquals(1, h2.ipv6().counters().reassembled);
    IpEvent.FrameSent synAck = h2.events(IpEvent.FrameSent.class).stream()
        .filter(e -> e.packet().tcp() != null).findFirst().orElseThrow();
    assertEquals("S.", synAck.packet().tcp().flags());
    assertEquals(1001L, synAck.packet().tcp().ack());
  }

  @Test
  void neighbourDiscoveryInFragmentsIsDiscarded() {
    // RFC 6980: a neighbour solicitation for h2's address in an atomic fragment
    ByteBuf m = Unpooled.buffer();
    m.writeByte(Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION).writeZero(7).writeBytes(B.bytes());
    byte[] ns = new byte[m.readableBytes()];
    m.readBytes(ns);
    long[] drops = h2.dropSnapshot();
    inject(fragment(h1.mac("eth0"), h2.mac("eth0"), A, B, new byte[0], Ipv6Extensions.ICMPV6, 1, ns, 0, ns.length,
        false));
    assertEquals(Map.of(DropReason.NDP_INVALID, 1L), h2.dropsSince(drops));
  }

  @Test
  void mutatedFragmentsAreDroppedOrDeliveredNeverThrowNorLeak() {
    byte[] req = echo(A, B, 13, 3000);
    List<byte[]> seeds = new ArrayList<>(split(31, req, 1448, 2896));
    seeds.addAll(split(32, echo(A, B, 14, 100), 16, 48));
    seeds.add(frag(33, req, 0, req.length, false));
    SplittableRandom rnd = new SplittableRandom(17);
    for (int i = 0; i < 3000; i++) {
      byte[] p = seeds.get(rnd.nextInt(seeds.size())).clone();
      int edits = 1 + rnd.nextInt(3);
      for (int e = 0; e < edits; e++) {
        // the IPv6 and fragment headers (after the 14-byte Ethernet header) and the first upper bytes
        int at = 14 + rnd.nextInt(Math.min(p.length - 14, 70));
        p[at] = (byte) rnd.nextInt(256);
      }
      if (rnd.nextInt(6) == 0) {
        p = Arrays.copyOf(p, 14 + rnd.nextInt(p.length - 13));
      }
      byte[] frame = p;
      assertDoesNotThrow(() -> h2.inject("eth0", frame), () -> java.util.HexFormat.of().formatHex(frame));
    }
    lab.advance(61 * S);
    assertEquals(0, h2.ipv6().reassemblyQueues());
    assertEquals(0, h2.ipv6().reassemblyMemory());
    // still answers
    heard.clear();
    inject(split(40, req, 1448, 2896).toArray(byte[][]::new));
    lab.advance(S);
    assertTrue(heardTypes().contains(Icmpv6Packet.TYPE_ECHO_REPLY), heard.toString());
  }

  static byte[] hexBytes(String hex) {
    return java.util.HexFormat.of().parseHex(hex);
  }
}
