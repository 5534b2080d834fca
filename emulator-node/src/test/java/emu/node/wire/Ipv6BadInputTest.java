package emu.node.wire;

import static emu.node.wire.WireBytes.buf;
import static emu.node.wire.WireBytes.hex;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Malformed IPv6, extension headers and NDP: each is refused with the reason (and, where RFC 8200
 * or RFC 4443 asks for one, the parameter problem code and pointer), never an exception; and a
 * mutation fuzz of the golden vectors never makes a parser throw or read past the packet.
 */
class Ipv6BadInputTest {
  private final Ipv6Packet ip = new Ipv6Packet();
  private final Ipv6Extensions ext = new Ipv6Extensions();
  private final Icmpv6Packet icmp = new Icmpv6Packet();
  private final Ndp.Options opts = new Ndp.Options();

  /** An IPv6 packet from 2001:db8:1::100 to 2001:db8:5::100 whose payload is {@code payloadHex}. */
  private static byte[] packet(int nextHeader, String payloadHex) {
    byte[] payload = hex(payloadHex);
    byte[] head = hex("60000000" + String.format("%04x%02x40", payload.length, nextHeader)
        + "20010db8000100000000000000000100" + "20010db8000500000000000000000100");
    byte[] p = new byte[head.length + payload.length];
    System.arraycopy(head, 0, p, 0, head.length);
    System.arraycopy(payload, 0, p, head.length, payload.length);
    return p;
  }

  private Ipv6Extensions.Result walk(byte[] p) {
    ByteBuf b = buf(p);
    try {
      ip.wrap(b, 0);
      assertEquals(Ipv6Packet.Check.OK, ip.check());
      return ext.walk(b, 0, ip.dst().isMulticast());
    } finally {
      b.release();
    }
  }

  @Test
  void headersThatDoNotFitAreRefused() {
    ByteBuf b = buf(hex("6000000000ff3a40"));
    assertEquals(Ipv6Packet.Check.TRUNCATED, ip.wrap(b, 0).check());
    b.release();
    byte[] v4 = packet(59, "");
    v4[0] = 0x45;
    b = buf(v4);
    assertEquals(Ipv6Packet.Check.BAD_VERSION, ip.wrap(b, 0).check());
    b.release();
    byte[] longer = packet(59, "00000000");
    longer[5] = 8; // says 8 bytes of payload, has 4
    b = buf(longer);
    assertEquals(Ipv6Packet.Check.BAD_PAYLOAD_LENGTH, ip.wrap(b, 0).check());
    b.release();
    b = buf(packet(0, ""));
    assertEquals(Ipv6Packet.Check.BAD_PAYLOAD_LENGTH, ip.wrap(b, 0).check(), "a jumbogram's zero length");
    b.release();
  }

  @Test
  void extensionHeaderChainsAreCheckedStepByStep() {
    // a hop-by-hop header after a destination options header: unrecognized next header (code 1),
    // pointing at the destination options header's next header field (offset 40)
    assertEquals(Ipv6Extensions.Result.HOP_BY_HOP_NOT_FIRST, walk(packet(60, "0000010400000000" + "3a00010400000000")));
    assertEquals(Ipv6Extensions.UNRECOGNIZED_NEXT_HEADER, ext.problemCode());
    assertEquals(40, ext.problemPointer());
    // a header longer than the packet
    assertEquals(Ipv6Extensions.Result.TRUNCATED, walk(packet(60, "3a05010400000000")));
    assertEquals(Ipv6Extensions.Result.TRUNCATED, walk(packet(60, "3a00")));
    // an option running past its header
    assertEquals(Ipv6Extensions.Result.TRUNCATED, walk(packet(60, "3a00010900000000")));
    // unknown option types: 00 skip, 01 discard, 10 discard and report (code 2, at the option)
    assertEquals(Ipv6Extensions.Result.OK, walk(packet(60, "3a00070400000000")));
    assertEquals(58, ext.protocol());
    assertEquals(Ipv6Extensions.Result.BAD_OPTION, walk(packet(60, "3a00470400000000")));
    assertEquals(-1, ext.problemCode());
    assertEquals(Ipv6Extensions.Result.BAD_OPTION, walk(packet(60, "3a00870400000000")));
    assertEquals(Ipv6Extensions.UNRECOGNIZED_OPTION, ext.problemCode());
    assertEquals(42, ext.problemPointer());
    // a routing header with segments left: this node does not source-route
    assertEquals(Ipv6Extensions.Result.ROUTING_REFUSED, walk(packet(43, "3a00000100000000")));
    assertEquals(Ipv6Extensions.ERRONEOUS_HEADER_FIELD, ext.problemCode());
    assertEquals(Ipv6Extensions.Result.OK, walk(packet(43, "3a00000000000000")), "segments left 0: skipped");
    // nine destination options headers in a row: refused, bounded work
    assertEquals(Ipv6Extensions.Result.TOO_MANY_HEADERS, walk(packet(60, "3c00010400000000".repeat(9)
        + "3b00010400000000")));
    // a zero-length PadN loop is no loop: each option advances at least two bytes
    assertEquals(Ipv6Extensions.Result.OK, walk(packet(60, "3b00" + "0100".repeat(3))));
  }

  @Test
  void fragmentsThatCannotBeReassembledAreRefused() {
    // M set, 7 bytes of fragment data: not a multiple of 8 (RFC 8200 4.5), pointer at payload length
    assertEquals(Ipv6Extensions.Result.BAD_FRAGMENT, walk(packet(44, "3a00000112345678" + "00112233445566")));
    assertEquals(Ipv6Extensions.ERRONEOUS_HEADER_FIELD, ext.problemCode());
    assertEquals(Ipv6Packet.PAYLOAD_LENGTH, ext.problemPointer());
    // two fragment headers
    assertEquals(Ipv6Extensions.Result.BAD_FRAGMENT, walk(packet(44, "2c00000112345678" + "3a00000112345678")));
    // an atomic fragment (offset 0, M clear: RFC 6946) is a whole packet
    assertEquals(Ipv6Extensions.Result.OK, walk(packet(44, "3a00000012345678" + "8000000000000000")));
    assertEquals(true, ext.isAtomicFragment());
    // a fragment ending past 65535 bytes of reassembled payload: pointer at the fragment offset
    assertEquals(Ipv6Extensions.Result.BAD_FRAGMENT, walk(packet(44, "3a00fff812345678" + "0011223344556677")));
    assertEquals(42, ext.problemPointer());
  }

  @Test
  void aFirstFragmentMustHoldTheWholeHeaderChain() {
    // RFC 7112: the first fragment (offset 0, M set) of a TCP segment with 16 of its 20 header bytes
    assertEquals(Ipv6Extensions.Result.INCOMPLETE_CHAIN, walk(packet(44, "0600000112345678" + "00".repeat(16))));
    assertEquals(Ipv6Extensions.INCOMPLETE_HEADER_CHAIN, ext.problemCode());
    assertEquals(0, ext.problemPointer(), "pointer zero");
    // ... whose destination options header runs past the fragment's end
    assertEquals(Ipv6Extensions.Result.INCOMPLETE_CHAIN, walk(packet(44, "3c00000112345678" + "3a01000000000000")));
    // the same headers complete: fine; TCP's 20 bytes in 24 of fragment data
    assertEquals(Ipv6Extensions.Result.OK, walk(packet(44, "0600000112345678" + "00".repeat(24))));
    assertEquals(Ipv6Extensions.Result.OK, walk(packet(44, "3c00000112345678" + "3a00010400000000"
        + "8000000000000000")));
    assertEquals(6, ext.fragmentNextHeaderField(), "the fixed header's next header names the fragment header");
    // a later fragment is the middle of the payload: nothing to check there
    assertEquals(Ipv6Extensions.Result.OK, walk(packet(44, "0600000912345678" + "00".repeat(8))));
    // a last fragment with less than a TCP header is the whole packet's business after reassembly
    assertEquals(Ipv6Extensions.Result.OK, walk(packet(44, "0600000812345678" + "00".repeat(8))));
    // an unfragmentable destination options header before the fragment header: its field names it
    assertEquals(Ipv6Extensions.Result.OK, walk(packet(60, "2c00010400000000" + "3a00000112345678"
        + "8000000000000000")));
    assertEquals(40, ext.fragmentNextHeaderField());
  }

  private Ndp.Check ndp(byte[] p) {
    ByteBuf b = buf(p);
    try {
      ip.wrap(b, 0);
      assertEquals(Ipv6Packet.Check.OK, ip.check());
      assertEquals(Ipv6Extensions.Result.OK, ext.walk(b, 0, ip.dst().isMulticast()));
      icmp.wrap(b, ext.payloadIndex(), ip.payloadLength());
      return Ndp.check(ip, icmp, opts);
    } finally {
      b.release();
    }
  }

  @Test
  void neighbourDiscoveryThatDidNotComeFromTheLinkOrIsMalformedIsDiscarded() {
    byte[] ns = hex(Ipv6WireGoldenTest.NS);
    assertEquals(Ndp.Check.OK, ndp(ns));
    byte[] forwarded = ns.clone();
    forwarded[Ipv6Packet.HOP_LIMIT] = (byte) 254;
    assertEquals(Ndp.Check.BAD_HOP_LIMIT, ndp(forwarded));
    byte[] zeroLengthOption = ns.clone();
    zeroLengthOption[40 + 24 + 1] = 0;
    assertEquals(Ndp.Check.BAD_OPTION_LENGTH, ndp(zeroLengthOption));
    byte[] multicastTarget = ns.clone();
    multicastTarget[40 + 8] = (byte) 0xff;
    assertEquals(Ndp.Check.MULTICAST_TARGET, ndp(multicastTarget));
    byte[] code = ns.clone();
    code[40 + 1] = 1;
    assertEquals(Ndp.Check.BAD_CODE, ndp(code));

    byte[] ra = hex(Ipv6WireGoldenTest.RA);
    byte[] globalSource = ra.clone();
    globalSource[Ipv6Packet.SRC] = 0x20;
    globalSource[Ipv6Packet.SRC + 1] = 0x01;
    assertEquals(Ndp.Check.SOURCE_NOT_LINK_LOCAL, ndp(globalSource));
    byte[] shortPrefix = ra.clone();
    shortPrefix[40 + 32 + 1] = 3; // the prefix information option claims 24 bytes, not 32
    assertEquals(Ndp.Check.BAD_OPTION_LENGTH, ndp(shortPrefix));

    byte[] dad = hex(Ipv6WireGoldenTest.DAD);
    byte[] dadToAll = dad.clone();
    dadToAll[Ipv6Packet.DST + 11] = 0; // to ff02::ff00:100, not the target's solicited-node address
    dadToAll[Ipv6Packet.DST + 12] = 0;
    assertEquals(Ndp.Check.BAD_UNSPECIFIED_SOURCE, ndp(dadToAll));

    byte[] na = hex(Ipv6WireGoldenTest.NA);
    byte[] solicitedToAll = na.clone();
    System.arraycopy(hex("ff020000000000000000000000000001"), 0, solicitedToAll, Ipv6Packet.DST, 16);
    assertEquals(Ndp.Check.SOLICITED_TO_MULTICAST, ndp(solicitedToAll));
  }

  @Test
  void mutationFuzzNeverThrowsNorReadsPastThePacket() {
    List<byte[]> seeds = List.of(hex(Ipv6WireGoldenTest.ECHO), hex(Ipv6WireGoldenTest.NS),
        hex(Ipv6WireGoldenTest.NA), hex(Ipv6WireGoldenTest.RA), hex(Ipv6WireGoldenTest.RS),
        hex(Ipv6WireGoldenTest.DAD), hex(Ipv6WireGoldenTest.UDP), hex(Ipv6WireGoldenTest.TCP),
        hex(Ipv6WireGoldenTest.FRAG), hex(Ipv6WireGoldenTest.HBH), hex(Ipv6WireGoldenTest.PTB),
        // fragments: a first one behind destination options, a later one, an atomic one, a UDP first one
        packet(60, "2c00010400000000" + "3a00000112345678" + "8000000000000000"),
        packet(44, "3a0005a912345678" + "41".repeat(16)), packet(44, "3a00000012345678" + "8000000000000000"),
        packet(44, "1100000112345678" + "cf0800350bc00000" + "41".repeat(8)));
    SplittableRandom rnd = new SplittableRandom(2026);
    for (int i = 0; i < 20_000; i++) {
      byte[] p = seeds.get(rnd.nextInt(seeds.size())).clone();
      int edits = 1 + rnd.nextInt(4);
      for (int e = 0; e < edits; e++) {
        // mostly the headers, where parsing decides
        int at = rnd.nextInt(Math.min(p.length, rnd.nextBoolean() ? 72 : p.length));
        p[at] = (byte) rnd.nextInt(256);
      }
      if (rnd.nextInt(8) == 0) {
        p = java.util.Arrays.copyOf(p, rnd.nextInt(p.length + 1));
      }
      byte[] packet = p;
      assertDoesNotThrow(() -> parseAll(packet), () -> java.util.HexFormat.of().formatHex(packet));
    }
  }

  /** Everything a receiver would read, guarded as a receiver guards it; a wrapped view has no slack. */
  private void parseAll(byte[] p) {
    ByteBuf b = io.netty.buffer.Unpooled.wrappedBuffer(p); // capacity == length: any over-read throws
    try {
      if (ip.wrap(b, 0).check() != Ipv6Packet.Check.OK) {
        return;
      }
      ip.src();
      ip.dst();
      ip.flowLabel();
      if (ext.walk(b, 0, ip.dst().isMulticast()) != Ipv6Extensions.Result.OK) {
        return;
      }
      int len = ip.totalLength() - ext.payloadIndex();
      if (ext.protocol() == Ipv6Extensions.ICMPV6 && !ext.hasFragmentHeader()) {
        icmp.wrap(b, ext.payloadIndex(), len);
        if (!icmp.check()) {
          return;
        }
        icmp.checksumValid(Ipv6Packet.pseudoHeader(b, 0, len, Ipv6Extensions.ICMPV6));
        icmp.word();
        if (Ndp.check(ip, icmp, opts) == Ndp.Check.OK) {
          for (int i = 0; i < opts.prefixCount(); i++) {
            opts.prefix(i);
            opts.validLifetime(i);
            opts.preferredLifetime(i);
          }
          if (icmp.type() >= Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION) {
            Ndp.target(b, icmp.start());
          }
        }
      } else if (ext.protocol() == Ipv6Extensions.UDP) {
        UdpDatagram u = new UdpDatagram().wrap(b, ext.payloadIndex(), len);
        if (u.check()) {
          u.checksumValid(Ipv6Packet.pseudoHeader(b, 0, u.length(), Ipv6Extensions.UDP));
        }
      } else if (ext.protocol() == Ipv6Extensions.TCP) {
        TcpSegment t = new TcpSegment().wrap(b, ext.payloadIndex(), len);
        if (t.check() == TcpSegment.Check.OK) {
          t.checksumValid(Ipv6Packet.pseudoHeader(b, 0, len, Ipv6Extensions.TCP));
        }
      }
    } finally {
      b.release();
    }
  }
}
