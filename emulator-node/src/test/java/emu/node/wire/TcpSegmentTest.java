package emu.node.wire;

import static emu.node.wire.WireBytes.buf;
import static emu.node.wire.WireBytes.bytes;
import static emu.node.wire.WireBytes.concat;
import static emu.node.wire.WireBytes.hex;
import static emu.node.wire.WireBytes.refChecksum;
import static emu.node.wire.WireBytes.toHex;
import static emu.node.wire.WireBytes.zeroed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * TCP segment view and options: golden bytes both ways (a Linux SYN: MSS 1460, SACK-permitted,
 * timestamps, NOP, window scale 7; a data segment with timestamps and two SACK blocks), and a
 * table of malformed headers and options.
 */
class TcpSegmentTest {
  static final int A = 0x0A000001; // 10.0.0.1
  static final int B = 0x0A000002; // 10.0.0.2

  /** 10.0.0.1:41926 > 10.0.0.2:80 SYN seq 0x1a2b3c4d win 64240, options as Linux 6.x sends them. */
  static final byte[] LINUX_SYN = hex(
      "a3c6 0050 1a2b3c4d 00000000 a0 02 faf0 8b19 0000"
      + "020405b4 0402 080a 00a1b2c3 00000000 01 030307");

  /** 10.0.0.2:80 > 10.0.0.1:41926 [P.] seq 16 ack 32 win 501, TS 1000/2000, SACK 3000-4000 5000-6000, "hello". */
  static final byte[] DATA_WITH_SACK = hex(
      "0050 a3c6 00000010 00000020 d0 18 01f5 d070 0000"
      + "0101080a 000003e8 000007d0 01010512 00000bb8 00000fa0 00001388 00001770"
      + "68656c6c6f");

  static byte[] pseudoHeader(int src, int dst, int length) {
    return ByteBuffer.allocate(12).putInt(src).putInt(dst).put((byte) 0).put((byte) 6).putShort((short) length)
        .array();
  }

  @Test
  void goldenChecksumsAreRight() {
    assertEquals(0x8b19, refChecksum(pseudoHeader(A, B, 40), WireBytes.withU16(LINUX_SYN, 16, 0)));
    assertEquals(0xd070, refChecksum(pseudoHeader(B, A, 57), WireBytes.withU16(DATA_WITH_SACK, 16, 0)));
  }

  @Test
  void parseLinuxSyn() {
    ByteBuf b = buf(concat(new byte[34], LINUX_SYN));
    try {
      TcpSegment s = new TcpSegment().wrap(b, 34, 40);
      assertEquals(TcpSegment.Check.OK, s.check());
      assertEquals(41926, s.srcPort());
      assertEquals(80, s.dstPort());
      assertEquals(0x1a2b3c4d, s.seq());
      assertEquals(0, s.ack());
      assertEquals(40, s.headerLength());
      assertEquals(TcpSegment.SYN, s.flags());
      assertEquals(64240, s.window());
      assertEquals(0, s.payloadLength());
      assertEquals(1, s.sequenceLength(), "a SYN occupies one sequence number");
      assertTrue(s.checksumValid(A, B));
      assertFalse(s.checksumValid(A, B + 1), "the pseudo-header covers the addresses");
      TcpOptions o = new TcpOptions();
      assertTrue(o.parse(b, s.optionsIndex(), s.optionsLength()));
      assertEquals(1460, o.mss());
      assertTrue(o.sackPermitted());
      assertTrue(o.hasTimestamps());
      assertEquals(0x00a1b2c3, o.tsVal());
      assertEquals(0, o.tsEcr());
      assertEquals(7, o.windowScale());
      assertEquals(0, o.sackCount());
      assertEquals("<mss 1460,sackOK,TS val 10597059 ecr 0,wscale 7>", o.toString());
    } finally {
      b.release();
    }
  }

  @Test
  void emitLinuxSyn() {
    TcpOptions o = new TcpOptions().mss(1460).sackPermitted(true).timestamps(0x00a1b2c3, 0).windowScale(7);
    assertEquals(20, o.length());
    TcpSegment.Repr r = new TcpSegment.Repr(41926, 80, 0x1a2b3c4d, 0, TcpSegment.SYN, 64240, 0, o, 0);
    assertEquals(40, r.bufferLen());
    ByteBuf b = zeroed(40);
    try {
      r.emit(new TcpSegment().wrap(b, 0, 40), A, B);
      assertEquals(toHex(LINUX_SYN), toHex(bytes(b)));
    } finally {
      b.release();
    }
  }

  @Test
  void dataSegmentWithSackBothWays() {
    ByteBuf b = buf(DATA_WITH_SACK);
    try {
      TcpSegment s = new TcpSegment().wrap(b, 0, DATA_WITH_SACK.length);
      assertEquals(TcpSegment.Check.OK, s.check());
      assertTrue(s.checksumValid(B, A));
      assertEquals(TcpSegment.ACK | TcpSegment.PSH, s.flags());
      assertEquals("P.", TcpSegment.flagString(s.flags()));
      assertEquals(5, s.payloadLength());
      assertEquals(52, s.payloadIndex());
      TcpSegment.Repr r = TcpSegment.Repr.parse(s);
      TcpOptions o = r.options();
      assertEquals(1000, o.tsVal());
      assertEquals(2000, o.tsEcr());
      assertEquals(2, o.sackCount());
      assertEquals(3000, o.sackLeft(0));
      assertEquals(6000, o.sackRight(1));
      assertEquals(-1, o.mss());
      assertEquals(new TcpSegment.Repr(80, 41926, 16, 32, 0x18, 501, 0,
          new TcpOptions().timestamps(1000, 2000).addSack(3000, 4000).addSack(5000, 6000), 5), r);

      ByteBuf out = zeroed(DATA_WITH_SACK.length);
      try {
        out.setBytes(52, "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        r.emit(new TcpSegment().wrap(out, 0, DATA_WITH_SACK.length), B, A);
        assertArrayEquals(DATA_WITH_SACK, bytes(out));
      } finally {
        out.release();
      }
    } finally {
      b.release();
    }
  }

  @Test
  void sackBlocksAreCutToTheFortyOptionBytes() {
    TcpOptions o = new TcpOptions().timestamps(1, 2);
    for (int i = 0; i < 4; i++) {
      o.addSack(i * 100, i * 100 + 50);
    }
    assertEquals(40, o.length(), "timestamps (12) leave room for three blocks (4 + 24)");
    TcpOptions noTs = new TcpOptions();
    for (int i = 0; i < 4; i++) {
      noTs.addSack(i * 100, i * 100 + 50);
    }
    assertEquals(36, noTs.length());
    ByteBuf b = zeroed(40);
    try {
      assertEquals(40, o.emit(b, 0));
      TcpOptions back = new TcpOptions();
      assertTrue(back.parse(b, 0, 40));
      assertEquals(3, back.sackCount());
      assertEquals(200, back.sackLeft(2));
    } finally {
      b.release();
    }
  }

  @Test
  void sackPermittedWithoutTimestampsIsPaddedWithNops() {
    TcpOptions o = new TcpOptions().mss(536).sackPermitted(true);
    ByteBuf b = zeroed(8);
    try {
      assertEquals(8, o.emit(b, 0));
      assertEquals("02040218 01010402", toHex(bytes(b)).replaceAll("(.{8})(.{8})", "$1 $2"));
    } finally {
      b.release();
    }
  }

  @Test
  void unknownOptionsAreSkippedAndEolEnds() {
    // kind 30 (MPTCP) length 4, then MSS, then EOL and garbage that must not be read
    ByteBuf b = buf(hex("1e04aaaa 02040400 00 ff ff ff"));
    try {
      TcpOptions o = new TcpOptions();
      assertTrue(o.parse(b, 0, 12));
      assertEquals(1024, o.mss());
    } finally {
      b.release();
    }
  }

  @Test
  void knownOptionWithWrongLengthIsIgnored() {
    ByteBuf b = buf(hex("0203ff01 080a0000000100000002"));
    try {
      TcpOptions o = new TcpOptions();
      assertTrue(o.parse(b, 0, 14));
      assertEquals(-1, o.mss(), "an MSS option of length 3 is ignored, as Linux does");
      assertEquals(1, o.tsVal());
      assertEquals(2, o.tsEcr());
    } finally {
      b.release();
    }
  }

  static Stream<Arguments> malformedOptions() {
    return Stream.of(
        Arguments.of("length 0", "0200 0000"),
        Arguments.of("length 1", "0201 0000"),
        Arguments.of("runs past the header", "020405b4 080a0000"),
        Arguments.of("kind without a length byte at the end", "01010102"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedOptions")
  void malformedOptionsAreRefused(String name, String options) {
    ByteBuf b = buf(hex(options));
    try {
      assertFalse(new TcpOptions().parse(b, 0, b.readableBytes()), name);
    } finally {
      b.release();
    }
  }

  static Stream<Arguments> malformedSegments() {
    byte[] syn = LINUX_SYN;
    return Stream.of(
        Arguments.of("shorter than 20 bytes", WireBytes.slice(syn, 0, 19), 19, TcpSegment.Check.TRUNCATED),
        Arguments.of("IP says more than is there", syn, 60, TcpSegment.Check.TRUNCATED),
        Arguments.of("data offset 4", WireBytes.withU16(syn, 12, 0x4002), 40, TcpSegment.Check.BAD_DATA_OFFSET),
        Arguments.of("data offset 0", WireBytes.withU16(syn, 12, 0x0002), 40, TcpSegment.Check.BAD_DATA_OFFSET),
        Arguments.of("data offset past the segment", WireBytes.withU16(syn, 12, 0xf002), 40,
            TcpSegment.Check.BAD_DATA_OFFSET),
        Arguments.of("header alone, offset 5", WireBytes.slice(WireBytes.withU16(syn, 12, 0x5002), 0, 20), 20,
            TcpSegment.Check.OK));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedSegments")
  void malformedSegmentsAreCaught(String name, byte[] bytes, int ipPayloadLength, TcpSegment.Check expected) {
    ByteBuf b = buf(bytes);
    try {
      assertEquals(expected, new TcpSegment().wrap(b, 0, ipPayloadLength).check(), name);
    } finally {
      b.release();
    }
  }

  @Test
  void reprParseReturnsNullForMalformedOptions() {
    byte[] bad = WireBytes.withU16(LINUX_SYN, 20, 0x0201); // MSS kind with length 1
    ByteBuf b = buf(bad);
    try {
      assertNull(TcpSegment.Repr.parse(new TcpSegment().wrap(b, 0, 40)));
    } finally {
      b.release();
    }
  }
}
