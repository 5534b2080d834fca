package emu.node.wire;

import static emu.node.wire.WireBytes.buf;
import static emu.node.wire.WireBytes.bytes;
import static emu.node.wire.WireBytes.concat;
import static emu.node.wire.WireBytes.hex;
import static emu.node.wire.WireBytes.refChecksum;
import static emu.node.wire.WireBytes.toHex;
import static emu.node.wire.WireBytes.zeroed;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.wire.Ipv4Packet.Check;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

/** IPv4 header view: golden bytes both ways, options, fragments, and malformed headers. */
class Ipv4PacketTest {
  /** Wikipedia, "IPv4 header checksum": a UDP packet 192.168.0.1 -> 192.168.0.199, 115 bytes. */
  static final byte[] WIKIPEDIA_HEADER = hex("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7");

  /** Echo request 192.168.1.100 -> 192.168.1.1, 60 bytes, ident 0x1c46, DF, TTL 64. */
  static final byte[] ICMP_HEADER = hex("4500 003c 1c46 4000 4001 9ac5 c0a8 0164 c0a8 0101");

  @Test
  void goldenChecksumsAreRight() {
    assertEquals(0xb861, refChecksum(WireBytes.withU16(WIKIPEDIA_HEADER, 10, 0)));
    assertEquals(0x9ac5, refChecksum(WireBytes.withU16(ICMP_HEADER, 10, 0)));
  }

  @Test
  void parseWikipediaHeader() {
    ByteBuf b = buf(concat(WIKIPEDIA_HEADER, new byte[95]));
    try {
      Ipv4Packet p = new Ipv4Packet().wrap(b, 0);
      assertEquals(Check.OK, p.check());
      assertEquals(4, p.version());
      assertEquals(20, p.headerLength());
      assertEquals(0, p.tos());
      assertEquals(115, p.totalLength());
      assertEquals(0, p.ident());
      assertEquals(0x4000, p.flagsFragment());
      assertTrue(p.dontFragment());
      assertFalse(p.moreFragments());
      assertEquals(0, p.fragmentOffset());
      assertFalse(p.isFragment());
      assertEquals(64, p.ttl());
      assertEquals(Ipv4Packet.PROTO_UDP, p.protocol());
      assertEquals(0xb861, p.checksum());
      assertEquals(Ipv4Address.parse("192.168.0.1"), p.src());
      assertEquals(Ipv4Address.parse("192.168.0.199"), p.dst());
      assertEquals(20, p.payloadIndex());
      assertEquals(95, p.payloadLength());
      assertTrue(p.checksumValid());
      assertEquals(Ipv4Address.parse("192.168.0.199"), Ipv4Packet.dst(b, 0));
      assertEquals(new Ipv4Packet.Repr(0xC0A80001, 0xC0A800C7, 17, 64, 0, true, 0, 95),
          Ipv4Packet.Repr.parse(p));
    } finally {
      b.release();
    }
  }

  @Test
  void emitWikipediaHeader() {
    var repr = new Ipv4Packet.Repr(Ipv4Address.parse("192.168.0.1"), Ipv4Address.parse("192.168.0.199"),
        Ipv4Packet.PROTO_UDP, 64, 0, true, 0, 95);
    assertEquals(20, repr.bufferLen());
    ByteBuf b = zeroed(20);
    try {
      repr.emit(new Ipv4Packet().wrap(b, 0));
      assertEquals(toHex(WIKIPEDIA_HEADER), toHex(bytes(b)));
    } finally {
      b.release();
    }
  }

  @Test
  void parseAndEmitEchoRequestHeaderInsideAFrame() {
    // The header starts at offset 14, behind an Ethernet header; the view must honour that.
    byte[] frame = concat(new byte[14], ICMP_HEADER, new byte[40]);
    ByteBuf b = buf(frame);
    ByteBuf out = zeroed(14 + 20);
    try {
      Ipv4Packet p = new Ipv4Packet().wrap(b, 14);
      assertEquals(Check.OK, p.check());
      assertEquals(14, p.start());
      assertEquals(60, p.totalLength());
      assertEquals(0x1c46, p.ident());
      assertTrue(p.dontFragment());
      assertEquals(64, p.ttl());
      assertEquals(Ipv4Packet.PROTO_ICMP, p.protocol());
      assertEquals(0x9ac5, p.checksum());
      assertEquals(0xC0A80164, p.src());
      assertEquals(0xC0A80101, p.dst());
      assertEquals(34, p.payloadIndex());
      assertEquals(40, p.payloadLength());
      assertTrue(p.checksumValid());
      Ipv4Packet.Repr r = Ipv4Packet.Repr.parse(p);
      assertEquals(new Ipv4Packet.Repr(0xC0A80164, 0xC0A80101, 1, 64, 0x1c46, true, 0, 40), r);

      r.emit(new Ipv4Packet().wrap(out, 14));
      assertEquals(toHex(concat(new byte[14], ICMP_HEADER)), toHex(bytes(out)));
    } finally {
      b.release();
      out.release();
    }
  }

  @Test
  void settersWriteTheGoldenBytes() {
    ByteBuf b = zeroed(20);
    try {
      new Ipv4Packet().wrap(b, 0).verIhl(20).tos(0).totalLength(60).ident(0x1c46)
          .flagsFragment(Ipv4Packet.FLAG_DF).ttl(64).protocol(1).src(0xC0A80164).dst(0xC0A80101)
          .fillChecksum();
      assertEquals(toHex(ICMP_HEADER), toHex(bytes(b)));
    } finally {
      b.release();
    }
  }

  /** A non-first fragment with MF set: 0x20b9 = MF | 185 (x 8 = 1480 bytes). */
  @Test
  void parseFragment() {
    byte[] h = hex("4500 05dc abcd 20b9 3f11 0000 0a00 0001 0a00 0002");
    h = WireBytes.withU16(h, 10, refChecksum(h));
    ByteBuf b = buf(concat(h, new byte[1480]));
    try {
      Ipv4Packet p = new Ipv4Packet().wrap(b, 0);
      assertEquals(Check.OK, p.check());
      assertTrue(p.checksumValid());
      assertTrue(p.moreFragments());
      assertFalse(p.dontFragment());
      assertEquals(1480, p.fragmentOffset());
      assertTrue(p.isFragment());
      assertEquals(63, p.ttl());
      assertEquals(1500, p.totalLength());
    } finally {
      b.release();
    }
    // Last fragment: MF clear but offset non-zero is still a fragment.
    ByteBuf last = buf(concat(hex("4500 001c abcd 00b9 3f11 0000 0a00 0001 0a00 0002"), new byte[8]));
    try {
      Ipv4Packet p = new Ipv4Packet().wrap(last, 0);
      assertFalse(p.moreFragments());
      assertTrue(p.isFragment());
      assertEquals(1480, p.fragmentOffset());
    } finally {
      last.release();
    }
  }

  /** IHL 6: one option word (Router Alert, RFC 2113); the payload starts after it. */
  @Test
  void headerWithOptions() {
    byte[] h = hex("4600 0020 0001 0000 0102 0000 0a00 0001 e000 0016 9404 0000");
    h = WireBytes.withU16(h, 10, refChecksum(h));
    ByteBuf b = buf(concat(h, hex("1600 fa04 e000 00fb")));
    try {
      Ipv4Packet p = new Ipv4Packet().wrap(b, 0);
      assertEquals(Check.OK, p.check());
      assertEquals(24, p.headerLength());
      assertEquals(24, p.payloadIndex());
      assertEquals(8, p.payloadLength());
      assertTrue(p.checksumValid());
      assertEquals(2, p.protocol());
      assertEquals(1, p.ttl());
      b.setByte(22, 1); // inside the option: covered by the header checksum
      assertFalse(p.checksumValid());
    } finally {
      b.release();
    }
  }

  /** Link-layer padding after the packet is allowed: lengths come from the header. */
  @Test
  void trailingPaddingIsAllowed() {
    byte[] h = hex("4500 001c 0000 0000 4001 0000 0a00 0001 0a00 0002");
    h = WireBytes.withU16(h, 10, refChecksum(h));
    ByteBuf b = buf(concat(new byte[14], h, new byte[8], new byte[18])); // 60-byte minimum frame
    try {
      Ipv4Packet p = new Ipv4Packet().wrap(b, 14);
      assertEquals(Check.OK, p.check());
      assertEquals(8, p.payloadLength());
      assertTrue(p.checksumValid());
    } finally {
      b.release();
    }
  }

  @Test
  void badChecksumIsSeparateFromCheck() {
    byte[] h = WireBytes.withU16(WIKIPEDIA_HEADER, 10, 0xb862);
    ByteBuf b = buf(concat(h, new byte[95]));
    try {
      Ipv4Packet p = new Ipv4Packet().wrap(b, 0);
      assertEquals(Check.OK, p.check());
      assertFalse(p.checksumValid());
    } finally {
      b.release();
    }
  }

  @Test
  void malformedHeaders() {
    byte[] ok = concat(WIKIPEDIA_HEADER, new byte[95]);
    assertCheck(Check.OK, ok, 0);
    assertCheck(Check.TRUNCATED, new byte[0], 0);
    assertCheck(Check.TRUNCATED, WireBytes.slice(WIKIPEDIA_HEADER, 0, 19), 0);
    assertCheck(Check.TRUNCATED, WireBytes.slice(WIKIPEDIA_HEADER, 0, 1), 0);
    assertCheck(Check.TRUNCATED, concat(new byte[14], WireBytes.slice(WIKIPEDIA_HEADER, 0, 19)), 14);
    // Start past the end of the buffer.
    assertCheck(Check.TRUNCATED, new byte[10], 14);
    // Version 6 (an IPv6 header in an IPv4 frame) and version 0.
    assertCheck(Check.BAD_VERSION, hex("6000 0000 0008 1140 " + "00".repeat(32) + "0000 0000 0000 0000"), 0);
    assertCheck(Check.BAD_VERSION, withByte(ok, 0, 0x05), 0);
    assertCheck(Check.BAD_VERSION, withByte(ok, 0, 0xF5), 0);
    // IHL below 5.
    assertCheck(Check.BAD_IHL, withByte(ok, 0, 0x44), 0);
    assertCheck(Check.BAD_IHL, withByte(ok, 0, 0x40), 0);
    assertCheck(Check.BAD_IHL, withByte(ok, 0, 0x41), 0);
    // IHL beyond the bytes present: 60-byte header in a 40-byte buffer; 24 in 22.
    byte[] fortyBytes = WireBytes.withU16(withByte(concat(WIKIPEDIA_HEADER, new byte[20]), 0, 0x4F), 2, 40);
    assertCheck(Check.BAD_IHL, fortyBytes, 0);
    byte[] twentyTwo = WireBytes.withU16(withByte(concat(WIKIPEDIA_HEADER, new byte[2]), 0, 0x46), 2, 22);
    assertCheck(Check.BAD_IHL, twentyTwo, 0);
    // Total length below the header length.
    assertCheck(Check.BAD_TOTAL_LENGTH, WireBytes.withU16(ok, 2, 19), 0);
    assertCheck(Check.BAD_TOTAL_LENGTH, WireBytes.withU16(ok, 2, 0), 0);
    byte[] ihl6 = withByte(concat(WIKIPEDIA_HEADER, new byte[8]), 0, 0x46);
    assertCheck(Check.BAD_TOTAL_LENGTH, WireBytes.withU16(ihl6, 2, 23), 0);
    assertCheck(Check.OK, WireBytes.withU16(ihl6, 2, 24), 0);
    // Total length beyond the bytes present.
    assertCheck(Check.BAD_TOTAL_LENGTH, WireBytes.withU16(ok, 2, 116), 0);
    assertCheck(Check.BAD_TOTAL_LENGTH, WireBytes.withU16(ok, 2, 0xFFFF), 0);
    assertCheck(Check.BAD_TOTAL_LENGTH, WireBytes.slice(ok, 0, 114), 0);
    // Exactly the header, no payload.
    assertCheck(Check.OK, WireBytes.withU16(WIKIPEDIA_HEADER, 2, 20), 0);
  }

  /** A buffer whose writer index stops short of its capacity: only written bytes count. */
  @Test
  void checkUsesWriterIndexNotCapacity() {
    ByteBuf b = io.netty.buffer.Unpooled.buffer(256);
    try {
      b.writeBytes(WIKIPEDIA_HEADER).writeZero(50); // 70 of the 115 bytes the header claims
      assertEquals(Check.BAD_TOTAL_LENGTH, new Ipv4Packet().wrap(b, 0).check());
    } finally {
      b.release();
    }
  }

  private static void assertCheck(Check want, byte[] bytes, int start) {
    ByteBuf b = buf(bytes);
    try {
      Ipv4Packet p = new Ipv4Packet().wrap(b, start);
      Check got = assertDoesNotThrow(p::check);
      assertEquals(want, got, toHex(bytes) + " at " + start);
    } finally {
      b.release();
    }
  }

  private static byte[] withByte(byte[] b, int index, int value) {
    byte[] c = b.clone();
    c[index] = (byte) value;
    return c;
  }
}
