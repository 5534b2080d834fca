package emu.node.wire;

import static emu.node.wire.WireBytes.buf;
import static emu.node.wire.WireBytes.bytes;
import static emu.node.wire.WireBytes.concat;
import static emu.node.wire.WireBytes.hex;
import static emu.node.wire.WireBytes.refChecksum;
import static emu.node.wire.WireBytes.toHex;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** ICMP (RFC 792) view: echo request/reply and error messages both ways; short messages. */
class IcmpPacketTest {
  /** The 32 data bytes Windows ping sends. */
  static final byte[] PING_DATA = "abcdefghijklmnopqrstuvwabcdefghi".getBytes(StandardCharsets.US_ASCII);

  /** Echo request, identifier 1, sequence 7, checksum 0x4d54 (checked by tshark as correct). */
  static final byte[] ECHO_REQUEST = concat(hex("0800 4d54 0001 0007"), PING_DATA);

  /** The matching echo reply: only the type changes, so the checksum goes up by 0x0800. */
  static final byte[] ECHO_REPLY = concat(hex("0000 5554 0001 0007"), PING_DATA);

  @Test
  void goldenChecksumsAreRight() {
    assertEquals(0x4d54, refChecksum(WireBytes.withU16(ECHO_REQUEST, 2, 0)));
    assertEquals(0x5554, refChecksum(WireBytes.withU16(ECHO_REPLY, 2, 0)));
  }

  @Test
  void parseEchoRequest() {
    ByteBuf b = buf(concat(new byte[34], ECHO_REQUEST));
    try {
      IcmpPacket p = new IcmpPacket().wrap(b, 34, 40);
      assertTrue(p.check());
      assertEquals(IcmpPacket.TYPE_ECHO_REQUEST, p.type());
      assertEquals(0, p.code());
      assertEquals(0x4d54, p.checksum());
      assertEquals(1, p.ident());
      assertEquals(7, p.seq());
      assertEquals(40, p.length());
      assertEquals(42, p.dataIndex());
      assertEquals(32, p.dataLength());
      assertTrue(p.checksumValid());
      assertFalse(p.isError());
      IcmpPacket.Repr r = IcmpPacket.Repr.parse(p);
      assertEquals(new IcmpPacket.Repr(8, 0, 0x0001_0007), r);
      assertEquals(IcmpPacket.Repr.echo(8, 1, 7), r);
      assertEquals(8, r.bufferLen());
    } finally {
      b.release();
    }
  }

  @Test
  void emitEchoRequestAndReply() {
    assertEmits(IcmpPacket.Repr.echo(IcmpPacket.TYPE_ECHO_REQUEST, 1, 7), ECHO_REQUEST);
    assertEmits(IcmpPacket.Repr.echo(IcmpPacket.TYPE_ECHO_REPLY, 1, 7), ECHO_REPLY);
  }

  @Test
  void echoWithHighBitIdentAndSequence() {
    IcmpPacket.Repr r = IcmpPacket.Repr.echo(8, 0xBEEF, 0xFFFF);
    byte[] msg = concat(hex("0800 0000 beef ffff"), PING_DATA);
    msg = WireBytes.withU16(msg, 2, refChecksum(msg));
    assertEmits(r, msg);
    ByteBuf b = buf(msg);
    try {
      IcmpPacket p = new IcmpPacket().wrap(b, 0, msg.length);
      assertEquals(0xBEEF, p.ident());
      assertEquals(0xFFFF, p.seq());
      assertEquals(r, IcmpPacket.Repr.parse(p));
    } finally {
      b.release();
    }
  }

  /** Time exceeded in transit, quoting the Wikipedia IPv4 header and 8 bytes of its payload. */
  @Test
  void timeExceededBothWays() {
    byte[] quoted = concat(Ipv4PacketTest.WIKIPEDIA_HEADER, hex("d431 0035 005f 1234"));
    byte[] msg = concat(hex("0b00 0000 0000 0000"), quoted);
    msg = WireBytes.withU16(msg, 2, refChecksum(msg));
    ByteBuf b = buf(msg);
    try {
      IcmpPacket p = new IcmpPacket().wrap(b, 0, msg.length);
      assertTrue(p.check());
      assertEquals(IcmpPacket.TYPE_TIME_EXCEEDED, p.type());
      assertEquals(IcmpPacket.CODE_TTL_EXCEEDED, p.code());
      assertTrue(p.isError());
      assertTrue(p.checksumValid());
      assertEquals(28, p.dataLength());
      assertEquals(new IcmpPacket.Repr(11, 0, 0), IcmpPacket.Repr.parse(p));
    } finally {
      b.release();
    }
    assertEmits(new IcmpPacket.Repr(11, 0, 0), msg);
  }

  /** Destination unreachable, fragmentation needed, next-hop MTU 1400 (RFC 1191). */
  @Test
  void fragmentationNeededBothWays() {
    byte[] quoted = concat(Ipv4PacketTest.WIKIPEDIA_HEADER, hex("d431 0035 005f 1234"));
    byte[] msg = concat(hex("0304 0000 0000 0578"), quoted);
    msg = WireBytes.withU16(msg, 2, refChecksum(msg));
    ByteBuf b = buf(msg);
    try {
      IcmpPacket p = new IcmpPacket().wrap(b, 0, msg.length);
      assertEquals(IcmpPacket.TYPE_DEST_UNREACHABLE, p.type());
      assertEquals(IcmpPacket.CODE_FRAGMENTATION_NEEDED, p.code());
      assertEquals(1400, p.nextHopMtu());
      assertTrue(p.isError());
      assertTrue(p.checksumValid());
      assertEquals(new IcmpPacket.Repr(3, 4, 1400), IcmpPacket.Repr.parse(p));
    } finally {
      b.release();
    }
    assertEmits(new IcmpPacket.Repr(3, 4, 1400), msg);
  }

  /** An odd-length message is checksummed with a zero pad byte (RFC 1071). */
  @Test
  void oddLengthMessage() {
    byte[] msg = concat(hex("0800 0000 0001 0001"), "odd".getBytes(StandardCharsets.US_ASCII));
    byte[] golden = WireBytes.withU16(msg, 2, refChecksum(msg));
    assertEmits(IcmpPacket.Repr.echo(8, 1, 1), golden);
  }

  @Test
  void corruptedMessageFailsChecksum() {
    byte[] msg = ECHO_REQUEST.clone();
    msg[20] ^= 0x01;
    ByteBuf b = buf(msg);
    try {
      IcmpPacket p = new IcmpPacket().wrap(b, 0, msg.length);
      assertTrue(p.check());
      assertFalse(p.checksumValid());
    } finally {
      b.release();
    }
  }

  @Test
  void shorterThanHeader() {
    assertCheck(true, ECHO_REQUEST, 0, 40);
    assertCheck(true, WireBytes.slice(ECHO_REQUEST, 0, 8), 0, 8);
    assertCheck(false, WireBytes.slice(ECHO_REQUEST, 0, 7), 0, 7);
    assertCheck(false, new byte[0], 0, 0);
    assertCheck(false, ECHO_REQUEST, 0, 7); // IP says 7 bytes even though more follow
    assertCheck(false, WireBytes.slice(ECHO_REQUEST, 0, 6), 0, 8); // claims 8, holds 6
    assertCheck(false, WireBytes.slice(ECHO_REQUEST, 0, 39), 0, 40);
    assertCheck(false, concat(new byte[34], WireBytes.slice(ECHO_REQUEST, 0, 5)), 34, 8);
    assertCheck(false, new byte[4], 34, 8); // start beyond the buffer
  }

  private static void assertCheck(boolean want, byte[] bytes, int start, int length) {
    ByteBuf b = buf(bytes);
    try {
      boolean got = assertDoesNotThrow(new IcmpPacket().wrap(b, start, length)::check);
      assertEquals(want, got, toHex(bytes) + " at " + start + " length " + length);
    } finally {
      b.release();
    }
  }

  /** Emits {@code r} over a copy of the golden data with a zeroed header; compares all bytes. */
  private static void assertEmits(IcmpPacket.Repr r, byte[] golden) {
    byte[] start = golden.clone();
    java.util.Arrays.fill(start, 0, 8, (byte) 0);
    ByteBuf b = buf(start);
    try {
      r.emit(new IcmpPacket().wrap(b, 0, golden.length));
      assertEquals(toHex(golden), toHex(bytes(b)));
    } finally {
      b.release();
    }
  }
}
