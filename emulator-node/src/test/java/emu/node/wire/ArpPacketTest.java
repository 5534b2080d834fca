package emu.node.wire;

import static emu.node.wire.WireBytes.buf;
import static emu.node.wire.WireBytes.bytes;
import static emu.node.wire.WireBytes.concat;
import static emu.node.wire.WireBytes.hex;
import static emu.node.wire.WireBytes.toHex;
import static emu.node.wire.WireBytes.zeroed;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.wire.MacAddress;
import emu.node.wire.ArpPacket.Check;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

/** ARP (RFC 826) view: golden request and reply both ways, and malformed packets. */
class ArpPacketTest {
  /** Who has 192.168.1.1? Tell 192.168.1.100 (00:1a:2b:3c:4d:5e). Target MAC unknown: zeros. */
  static final byte[] REQUEST = hex(
      "0001 0800 06 04 0001"
      + "001a 2b3c 4d5e c0a8 0164"
      + "0000 0000 0000 c0a8 0101");

  /** 192.168.1.1 is at 00:11:22:33:44:55 (to 192.168.1.100 at 00:1a:2b:3c:4d:5e). */
  static final byte[] REPLY = hex(
      "0001 0800 06 04 0002"
      + "0011 2233 4455 c0a8 0101"
      + "001a 2b3c 4d5e c0a8 0164");

  static final long HOST_MAC = 0x001a2b3c4d5eL;
  static final long GW_MAC = 0x001122334455L;
  static final int HOST_IP = 0xC0A80164;
  static final int GW_IP = 0xC0A80101;

  @Test
  void parseRequest() {
    ByteBuf b = buf(REQUEST);
    try {
      ArpPacket p = new ArpPacket().wrap(b, 0);
      assertEquals(Check.OK, p.check());
      assertEquals(1, p.htype());
      assertEquals(0x0800, p.ptype());
      assertEquals(6, p.hlen());
      assertEquals(4, p.plen());
      assertEquals(ArpPacket.OP_REQUEST, p.operation());
      assertEquals(HOST_MAC, p.senderMac());
      assertEquals(MacAddress.parse("00:1a:2b:3c:4d:5e").bits(), p.senderMac());
      assertEquals(Ipv4Address.parse("192.168.1.100"), p.senderIp());
      assertEquals(0L, p.targetMac());
      assertEquals(Ipv4Address.parse("192.168.1.1"), p.targetIp());
      ArpPacket.Repr r = ArpPacket.Repr.parse(p);
      assertEquals(new ArpPacket.Repr(1, HOST_MAC, HOST_IP, 0L, GW_IP), r);
      assertFalse(r.isGratuitous());
    } finally {
      b.release();
    }
  }

  @Test
  void emitRequest() {
    var r = new ArpPacket.Repr(ArpPacket.OP_REQUEST, HOST_MAC, HOST_IP, 0L, GW_IP);
    assertEquals(28, r.bufferLen());
    ByteBuf b = zeroed(28);
    try {
      r.emit(new ArpPacket().wrap(b, 0));
      assertEquals(toHex(REQUEST), toHex(bytes(b)));
    } finally {
      b.release();
    }
  }

  @Test
  void parseAndEmitReplyBehindAnEthernetHeader() {
    ByteBuf in = buf(concat(new byte[14], REPLY, new byte[18])); // padded to 60 bytes
    ByteBuf out = zeroed(14 + 28);
    try {
      ArpPacket p = new ArpPacket().wrap(in, 14);
      assertEquals(Check.OK, p.check());
      assertEquals(ArpPacket.OP_REPLY, p.operation());
      assertEquals(GW_MAC, p.senderMac());
      assertEquals(GW_IP, p.senderIp());
      assertEquals(HOST_MAC, p.targetMac());
      assertEquals(HOST_IP, p.targetIp());
      ArpPacket.Repr r = ArpPacket.Repr.parse(p);
      assertEquals(new ArpPacket.Repr(2, GW_MAC, GW_IP, HOST_MAC, HOST_IP), r);
      r.emit(new ArpPacket().wrap(out, 14));
      assertEquals(toHex(concat(new byte[14], REPLY)), toHex(bytes(out)));
    } finally {
      in.release();
      out.release();
    }
  }

  /** A gratuitous ARP (RFC 5227 announcement): sender and target protocol address match. */
  @Test
  void gratuitous() {
    byte[] g = hex("0001 0800 0604 0001 001a 2b3c 4d5e c0a8 0164 0000 0000 0000 c0a8 0164");
    ByteBuf b = buf(g);
    try {
      ArpPacket p = new ArpPacket().wrap(b, 0);
      assertEquals(Check.OK, p.check());
      assertTrue(ArpPacket.Repr.parse(p).isGratuitous());
    } finally {
      b.release();
    }
  }

  @Test
  void malformed() {
    assertCheck(Check.OK, REQUEST, 0);
    assertCheck(Check.TRUNCATED, new byte[0], 0);
    assertCheck(Check.TRUNCATED, WireBytes.slice(REQUEST, 0, 27), 0);
    assertCheck(Check.TRUNCATED, concat(new byte[14], WireBytes.slice(REQUEST, 0, 27)), 14);
    assertCheck(Check.TRUNCATED, new byte[8], 14);
    // hlen != 6 and plen != 4 (e.g. an ARP for a 64-bit hardware address, or for IPv6 lengths).
    assertCheck(Check.UNSUPPORTED_FORMAT, withByte(REQUEST, ArpPacket.HLEN, 8), 0);
    assertCheck(Check.UNSUPPORTED_FORMAT, withByte(REQUEST, ArpPacket.HLEN, 0), 0);
    assertCheck(Check.UNSUPPORTED_FORMAT, withByte(REQUEST, ArpPacket.PLEN, 16), 0);
    assertCheck(Check.UNSUPPORTED_FORMAT, withByte(REQUEST, ArpPacket.PLEN, 0), 0);
    // Hardware type IEEE 802 (6) and protocol type IPv6 are not ours.
    assertCheck(Check.UNSUPPORTED_FORMAT, WireBytes.withU16(REQUEST, ArpPacket.HTYPE, 6), 0);
    assertCheck(Check.UNSUPPORTED_FORMAT, WireBytes.withU16(REQUEST, ArpPacket.PTYPE, 0x86dd), 0);
    // Operations other than request and reply: 0, RARP request (3), InARP (8), 0xFFFF.
    for (int op : new int[] {0, 3, 4, 8, 9, 0xFFFF}) {
      assertCheck(Check.BAD_OPERATION, WireBytes.withU16(REQUEST, ArpPacket.OPER, op), 0);
    }
    assertCheck(Check.OK, WireBytes.withU16(REQUEST, ArpPacket.OPER, 2), 0);
  }

  private static void assertCheck(Check want, byte[] bytes, int start) {
    ByteBuf b = buf(bytes);
    try {
      Check got = assertDoesNotThrow(new ArpPacket().wrap(b, start)::check);
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
