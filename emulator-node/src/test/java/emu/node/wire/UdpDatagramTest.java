package emu.node.wire;

import static emu.node.wire.WireBytes.buf;
import static emu.node.wire.WireBytes.bytes;
import static emu.node.wire.WireBytes.concat;
import static emu.node.wire.WireBytes.hex;
import static emu.node.wire.WireBytes.refChecksum;
import static emu.node.wire.WireBytes.refSum;
import static emu.node.wire.WireBytes.toHex;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** UDP (RFC 768) view: a DNS query both ways, checksum edge cases, malformed lengths. */
class UdpDatagramTest {
  static final int SRC_IP = 0xC0A80164; // 192.168.1.100
  static final int DST_IP = 0xC0A80101; // 192.168.1.1

  /** A DNS query for example.com/A, id 0xabcd, recursion desired. */
  static final byte[] DNS_QUERY = hex(
      "abcd 0100 0001 0000 0000 0000"
      + "07 6578616d706c65 03 636f6d 00"
      + "0001 0001");

  /** 192.168.1.100:54321 -> 192.168.1.1:53, length 37, checksum 0x2c4c (tshark: correct). */
  static final byte[] DATAGRAM = concat(hex("d431 0035 0025 2c4c"), DNS_QUERY);

  static byte[] pseudoHeader(int src, int dst, int length) {
    return ByteBuffer.allocate(12).putInt(src).putInt(dst).put((byte) 0).put((byte) 17)
        .putShort((short) length).array();
  }

  @Test
  void goldenChecksumIsRight() {
    assertEquals(29, DNS_QUERY.length);
    assertEquals(0x2c4c, refChecksum(pseudoHeader(SRC_IP, DST_IP, 37), WireBytes.withU16(DATAGRAM, 6, 0)));
  }

  @Test
  void parseDnsQuery() {
    ByteBuf b = buf(concat(new byte[34], DATAGRAM));
    try {
      UdpDatagram d = new UdpDatagram().wrap(b, 34, 37);
      assertTrue(d.check());
      assertEquals(54321, d.srcPort());
      assertEquals(53, d.dstPort());
      assertEquals(37, d.length());
      assertEquals(0x2c4c, d.checksum());
      assertEquals(42, d.payloadIndex());
      assertEquals(29, d.payloadLength());
      assertTrue(d.checksumValid(SRC_IP, DST_IP));
      assertFalse(d.checksumValid(SRC_IP, DST_IP + 1), "pseudo-header covers the addresses");
      assertFalse(d.checksumValid(DST_IP, SRC_IP + 1));
      assertEquals(new UdpDatagram.Repr(54321, 53, 29), UdpDatagram.Repr.parse(d));
      assertEquals(8, UdpDatagram.Repr.parse(d).bufferLen());
    } finally {
      b.release();
    }
  }

  @Test
  void emitDnsQuery() {
    ByteBuf b = buf(concat(new byte[8], DNS_QUERY));
    try {
      new UdpDatagram.Repr(54321, 53, 29).emit(new UdpDatagram().wrap(b, 0, 37), SRC_IP, DST_IP);
      assertEquals(toHex(DATAGRAM), toHex(bytes(b)));
    } finally {
      b.release();
    }
  }

  /** RFC 768: a transmitted checksum of zero means "none computed"; it is accepted. */
  @Test
  void zeroChecksumMeansNone() {
    ByteBuf b = buf(WireBytes.withU16(DATAGRAM, 6, 0));
    try {
      UdpDatagram d = new UdpDatagram().wrap(b, 0, 37);
      assertTrue(d.check());
      assertTrue(d.checksumValid(SRC_IP, DST_IP));
      assertTrue(d.checksumValid(1, 2));
    } finally {
      b.release();
    }
  }

  /** RFC 768: a computed checksum of zero is transmitted as all ones (0xFFFF), and verifies. */
  @Test
  void computedZeroIsSentAsAllOnes() {
    byte[] payload = "zz".getBytes(StandardCharsets.US_ASCII);
    byte[] header = hex("1234 5678 000a 0000");
    // Choose the two payload bytes so that the whole sum is 0xFFFF, i.e. the checksum is 0x0000.
    int rest = refSum(pseudoHeader(SRC_IP, DST_IP, 10), header);
    int word = ~rest & 0xFFFF;
    payload[0] = (byte) (word >>> 8);
    payload[1] = (byte) word;
    assertEquals(0x0000, refChecksum(pseudoHeader(SRC_IP, DST_IP, 10), header, payload), "setup");
    byte[] golden = concat(hex("1234 5678 000a ffff"), payload);
    ByteBuf b = buf(concat(new byte[8], payload));
    try {
      UdpDatagram d = new UdpDatagram().wrap(b, 0, 10);
      new UdpDatagram.Repr(0x1234, 0x5678, 2).emit(d, SRC_IP, DST_IP);
      assertEquals(toHex(golden), toHex(bytes(b)));
      assertEquals(0xFFFF, d.checksum());
      assertTrue(d.checksumValid(SRC_IP, DST_IP));
    } finally {
      b.release();
    }
  }

  @Test
  void oddLengthPayload() {
    byte[] payload = "hello".getBytes(StandardCharsets.US_ASCII);
    byte[] header = hex("0400 0401 000d 0000");
    int sum = refChecksum(pseudoHeader(0x0A000001, 0x0A000002, 13), header, payload);
    byte[] golden = concat(WireBytes.withU16(header, 6, sum == 0 ? 0xFFFF : sum), payload);
    ByteBuf b = buf(concat(new byte[8], payload));
    try {
      UdpDatagram d = new UdpDatagram().wrap(b, 0, 13);
      new UdpDatagram.Repr(1024, 1025, 5).emit(d, 0x0A000001, 0x0A000002);
      assertEquals(toHex(golden), toHex(bytes(b)));
      assertTrue(d.checksumValid(0x0A000001, 0x0A000002));
      b.setByte(12, 'O');
      assertFalse(d.checksumValid(0x0A000001, 0x0A000002));
    } finally {
      b.release();
    }
  }

  @Test
  void malformedLengths() {
    assertCheck(true, DATAGRAM, 0, 37);
    // Length field below the header size.
    assertCheck(false, WireBytes.withU16(DATAGRAM, 4, 7), 0, 37);
    assertCheck(false, WireBytes.withU16(DATAGRAM, 4, 0), 0, 37);
    // Length field beyond the IP payload.
    assertCheck(false, WireBytes.withU16(DATAGRAM, 4, 38), 0, 37);
    assertCheck(false, WireBytes.withU16(DATAGRAM, 4, 0xFFFF), 0, 37);
    assertCheck(false, DATAGRAM, 0, 36); // IP payload shorter than the UDP length
    // IP payload too short to hold a UDP header.
    assertCheck(false, WireBytes.slice(DATAGRAM, 0, 7), 0, 7);
    assertCheck(false, new byte[0], 0, 0);
    // IP payload length claims more than the buffer holds.
    assertCheck(false, WireBytes.slice(DATAGRAM, 0, 36), 0, 37);
    assertCheck(false, concat(new byte[34], WireBytes.slice(DATAGRAM, 0, 4)), 34, 8);
    // UDP length shorter than the IP payload (trailing bytes inside the IP packet) is legal.
    assertCheck(true, concat(DATAGRAM, new byte[3]), 0, 40);
    // Exactly a header, no data.
    assertCheck(true, hex("0001 0002 0008 0000"), 0, 8);
  }

  private static void assertCheck(boolean want, byte[] bytes, int start, int ipPayloadLength) {
    ByteBuf b = buf(bytes);
    try {
      boolean got = assertDoesNotThrow(new UdpDatagram().wrap(b, start, ipPayloadLength)::check);
      assertEquals(want, got, toHex(bytes) + " at " + start + " ip payload " + ipPayloadLength);
    } finally {
      b.release();
    }
  }
}
