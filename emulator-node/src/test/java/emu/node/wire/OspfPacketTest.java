package emu.node.wire;

import static emu.node.wire.WireBytes.buf;
import static emu.node.wire.WireBytes.bytes;
import static emu.node.wire.WireBytes.concat;
import static emu.node.wire.WireBytes.hex;
import static emu.node.wire.WireBytes.refChecksum;
import static emu.node.wire.WireBytes.slice;
import static emu.node.wire.WireBytes.toHex;
import static emu.node.wire.WireBytes.u16;
import static emu.node.wire.WireBytes.zeroed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * OSPFv2 packets (RFC 2328 A.3): each type built from its Repr gives the hand-laid golden bytes
 * of {@link OspfGolden}, parses back to the same value, and every malformation of the header or
 * the body's shape is refused with its reason.
 */
class OspfPacketTest {
  static final int R1 = 0x01010101;
  static final int R2 = 0x02020202;
  static final int DR = 0x0a000001;

  private final OspfPacket p = new OspfPacket();

  static OspfHello.Repr hello() {
    return new OspfHello.Repr(R1, 0, 0xffffff00, 10, OspfPacket.OPTION_E, 1, 40, DR, 0, List.of(R2));
  }

  static OspfLsa.Repr routerLsa() {
    return new OspfLsa.Repr(1, OspfPacket.OPTION_E, OspfLsa.TYPE_ROUTER, R1, R1, OspfLsa.INITIAL_SEQUENCE,
        new OspfRouterLsa.Repr(0, List.of(
            new OspfRouterLsa.Link(R2, 0x0a000c01, OspfRouterLsa.LINK_POINT_TO_POINT, 10),
            new OspfRouterLsa.Link(0x0a000c00, 0xfffffffc, OspfRouterLsa.LINK_STUB, 10),
            new OspfRouterLsa.Link(DR, DR, OspfRouterLsa.LINK_TRANSIT, 1))));
  }

  static OspfLsa.Repr networkLsa() {
    return new OspfLsa.Repr(1, OspfPacket.OPTION_E, OspfLsa.TYPE_NETWORK, DR, R1, OspfLsa.INITIAL_SEQUENCE + 4,
        new OspfNetworkLsa.Repr(0xffffff00, List.of(R1, 0x03030303, 0x04040404)));
  }

  private static byte[] emitted(int len, java.util.function.Consumer<ByteBuf> emit) {
    ByteBuf b = zeroed(len);
    try {
      emit.accept(b);
      return bytes(b);
    } finally {
      b.release();
    }
  }

  private OspfPacket.Check check(byte[] packet) {
    return check(packet, packet.length);
  }

  private OspfPacket.Check check(byte[] packet, int ipPayloadLength) {
    ByteBuf b = buf(packet);
    try {
      return p.wrap(b, 0, ipPayloadLength).check();
    } finally {
      b.release();
    }
  }

  /** The packet with its checksum recomputed after an edit, so that only the edit is judged. */
  private static byte[] resummed(byte[] packet) {
    ByteBuf b = buf(packet);
    try {
      OspfPacket.fillChecksum(b, 0);
      return bytes(b);
    } finally {
      b.release();
    }
  }

  @Test
  void theGoldenChecksumsAgreeWithTheReferenceSumLeavingOutAuthentication() {
    for (String g : List.of(OspfGolden.HELLO, OspfGolden.LS_UPDATE, OspfGolden.DD_INIT, OspfGolden.DD_HEADERS,
        OspfGolden.LS_REQUEST, OspfGolden.LS_ACK)) {
      byte[] pk = hex(g);
      byte[] zeroSum = WireBytes.withU16(pk, OspfPacket.CHECKSUM, 0);
      assertEquals(u16(pk, OspfPacket.CHECKSUM),
          refChecksum(slice(zeroSum, 0, 16), slice(zeroSum, 24, pk.length - 24)), g);
      assertEquals(OspfPacket.Check.OK, check(pk), g);
    }
  }

  @Test
  void helloGolden() {
    byte[] golden = hex(OspfGolden.HELLO);
    OspfHello.Repr r = hello();
    assertEquals(48, r.bufferLen());
    assertArrayEquals(golden, emitted(r.bufferLen(), b -> r.emit(b, 0)), toHex(golden));
    ByteBuf b = buf(golden);
    try {
      assertEquals(OspfPacket.Check.OK, p.wrap(b, 0, golden.length).check());
      assertEquals(OspfPacket.TYPE_HELLO, p.type());
      assertEquals(new OspfPacket.Repr(OspfPacket.TYPE_HELLO, R1, 0), OspfPacket.Repr.parse(p));
      OspfHello h = new OspfHello().wrap(p);
      assertEquals(0xffffff00, h.networkMask());
      assertEquals(10, h.helloInterval());
      assertEquals(40, h.deadInterval());
      assertEquals(1, h.priority());
      assertEquals(DR, h.designatedRouter());
      assertEquals(0, h.backupDesignatedRouter());
      assertEquals(1, h.neighborCount());
      assertTrue(h.lists(R2));
      assertFalse(h.lists(R1));
      assertEquals(r, OspfHello.Repr.parse(h));
    } finally {
      b.release();
    }
  }

  @Test
  void databaseDescriptionGolden() {
    OspfDbDescription.Repr init = new OspfDbDescription.Repr(R1, 0, 1500, OspfPacket.OPTION_E,
        OspfDbDescription.FLAG_I | OspfDbDescription.FLAG_M | OspfDbDescription.FLAG_MS, 0x12345678, List.of());
    assertArrayEquals(hex(OspfGolden.DD_INIT), emitted(init.bufferLen(), b -> init.emit(b, 0)));
    OspfDbDescription.Repr later = new OspfDbDescription.Repr(R1, 0, 1500, OspfPacket.OPTION_E,
        OspfDbDescription.FLAG_M, 0x12345679, List.of(routerLsa().header(), networkLsa().header()));
    byte[] golden = hex(OspfGolden.DD_HEADERS);
    assertArrayEquals(golden, emitted(later.bufferLen(), b -> later.emit(b, 0)));
    ByteBuf b = buf(golden);
    try {
      assertEquals(OspfPacket.Check.OK, p.wrap(b, 0, golden.length).check());
      OspfDbDescription d = new OspfDbDescription().wrap(p);
      assertEquals(1500, d.interfaceMtu());
      assertTrue(d.more());
      assertFalse(d.init());
      assertFalse(d.master());
      assertEquals(0x12345679, d.ddSequence());
      assertEquals(2, d.lsaHeaderCount());
      OspfLsa h = new OspfLsa().wrap(b, d.lsaHeaderIndex(1), OspfLsa.HEADER_LEN);
      assertEquals(OspfLsa.TYPE_NETWORK, h.type());
      assertEquals(DR, h.linkStateId());
      assertEquals(0x988a, h.checksum());
      assertEquals(36, h.length(), "a header alone still says the whole LSA's length");
      assertEquals(later, OspfDbDescription.Repr.parse(d));
    } finally {
      b.release();
    }
  }

  @Test
  void linkStateRequestGolden() {
    OspfLsRequest.Repr r = new OspfLsRequest.Repr(R1, 0, List.of(
        new OspfLsRequest.Entry(OspfLsa.TYPE_ROUTER, R1, R1), new OspfLsRequest.Entry(OspfLsa.TYPE_NETWORK, DR, R1)));
    byte[] golden = hex(OspfGolden.LS_REQUEST);
    assertArrayEquals(golden, emitted(r.bufferLen(), b -> r.emit(b, 0)));
    ByteBuf b = buf(golden);
    try {
      assertEquals(OspfPacket.Check.OK, p.wrap(b, 0, golden.length).check());
      OspfLsRequest q = new OspfLsRequest().wrap(p);
      assertEquals(2, q.entryCount());
      assertEquals(OspfLsa.TYPE_NETWORK, q.type(1));
      assertEquals(DR, q.linkStateId(1));
      assertEquals(R1, q.advertisingRouter(1));
      assertEquals(r, OspfLsRequest.Repr.parse(q));
    } finally {
      b.release();
    }
  }

  @Test
  void linkStateUpdateGolden() {
    OspfLsUpdate.Repr r = new OspfLsUpdate.Repr(R1, 0, List.of(routerLsa(), networkLsa()));
    byte[] golden = hex(OspfGolden.LS_UPDATE);
    assertEquals(124, r.bufferLen());
    assertArrayEquals(golden, emitted(r.bufferLen(), b -> r.emit(b, 0)), toHex(golden));
    ByteBuf b = buf(golden);
    try {
      assertEquals(OspfPacket.Check.OK, p.wrap(b, 0, golden.length).check());
      OspfLsUpdate u = new OspfLsUpdate().wrap(p);
      assertEquals(2, u.lsaCount());
      OspfLsa lsa = new OspfLsa();
      int at = u.firstLsa();
      assertEquals(OspfLsa.Check.OK, lsa.wrap(b, at, u.remaining(at)).check());
      assertEquals(OspfLsa.TYPE_ROUTER, lsa.type());
      at = u.nextLsa(at);
      assertEquals(OspfLsa.Check.OK, lsa.wrap(b, at, u.remaining(at)).check());
      assertEquals(OspfLsa.TYPE_NETWORK, lsa.type());
      assertEquals(golden.length, u.nextLsa(at));
      assertEquals(r, OspfLsUpdate.Repr.parse(u));
    } finally {
      b.release();
    }
  }

  @Test
  void linkStateAckGolden() {
    OspfLsAck.Repr r = new OspfLsAck.Repr(R1, 0, List.of(routerLsa().header(), networkLsa().header()));
    byte[] golden = hex(OspfGolden.LS_ACK);
    assertArrayEquals(golden, emitted(r.bufferLen(), b -> r.emit(b, 0)));
    ByteBuf b = buf(golden);
    try {
      assertEquals(OspfPacket.Check.OK, p.wrap(b, 0, golden.length).check());
      OspfLsAck a = new OspfLsAck().wrap(p);
      assertEquals(2, a.lsaHeaderCount());
      assertEquals(r, OspfLsAck.Repr.parse(a));
    } finally {
      b.release();
    }
  }

  @Test
  void headerMalformationsAreRefusedByReason() {
    byte[] hello = hex(OspfGolden.HELLO);
    assertEquals(OspfPacket.Check.TRUNCATED, check(slice(hello, 0, 23)));
    assertEquals(OspfPacket.Check.TRUNCATED, check(hello, 20), "the IP payload length bounds the view");
    byte[] v3 = hello.clone();
    v3[0] = 3;
    assertEquals(OspfPacket.Check.BAD_VERSION, check(resummed(v3)));
    assertEquals(OspfPacket.Check.BAD_LENGTH, check(WireBytes.withU16(hello, 2, 49)), "past the buffer");
    assertEquals(OspfPacket.Check.BAD_LENGTH, check(hello, 47), "past the IP payload");
    assertEquals(OspfPacket.Check.BAD_LENGTH, check(WireBytes.withU16(hello, 2, 23)), "shorter than the header");
    for (int type : new int[] {0, 6, 255}) {
      byte[] t = hello.clone();
      t[1] = (byte) type;
      assertEquals(OspfPacket.Check.BAD_TYPE, check(resummed(t)), "type " + type);
    }
    assertEquals(OspfPacket.Check.UNSUPPORTED_AUTH, check(resummed(WireBytes.withU16(hello, 14, 1))), "password");
    assertEquals(OspfPacket.Check.UNSUPPORTED_AUTH, check(resummed(WireBytes.withU16(hello, 14, 2))), "cryptographic");
    byte[] flipped = hello.clone();
    flipped[30] ^= 0x40;
    assertEquals(OspfPacket.Check.BAD_CHECKSUM, check(flipped), "a changed option bit");
    assertEquals(OspfPacket.Check.BAD_CHECKSUM, check(WireBytes.withU16(hello, 12, 0xec94)));
  }

  @Test
  void theChecksumLeavesOutTheAuthenticationFieldAndTrailingBytes() {
    byte[] hello = hex(OspfGolden.HELLO);
    byte[] auth = hello.clone();
    for (int i = 16; i < 24; i++) {
      auth[i] = (byte) (0x11 * (i - 15));
    }
    assertEquals(OspfPacket.Check.OK, check(auth), "RFC 2328 D.4.1: the 64-bit field is not summed");
    byte[] lls = concat(hello, hex("fff6 0003 0001 0004 00000001"));
    assertEquals(OspfPacket.Check.OK, check(lls), "LLS data after the packet length is not the packet's");
  }

  @Test
  void bodiesThatDoNotHaveTheirTypesShapeAreRefused() {
    byte[] hello = hex(OspfGolden.HELLO);
    // a Hello without its neighbour is fine; one cut inside the fixed fields or mid-neighbour is not
    assertEquals(OspfPacket.Check.OK, check(resummed(WireBytes.withU16(slice(hello, 0, 44), 2, 44))));
    assertEquals(OspfPacket.Check.BAD_BODY_LENGTH, check(resummed(WireBytes.withU16(slice(hello, 0, 40), 2, 40))));
    assertEquals(OspfPacket.Check.BAD_BODY_LENGTH, check(resummed(WireBytes.withU16(slice(hello, 0, 46), 2, 46))));
    byte[] dd = hex(OspfGolden.DD_HEADERS);
    assertEquals(OspfPacket.Check.BAD_BODY_LENGTH, check(resummed(WireBytes.withU16(slice(dd, 0, 60), 2, 60))));
    assertEquals(OspfPacket.Check.BAD_BODY_LENGTH, check(resummed(WireBytes.withU16(slice(dd, 0, 28), 2, 28))));
    byte[] lsr = hex(OspfGolden.LS_REQUEST);
    assertEquals(OspfPacket.Check.BAD_BODY_LENGTH, check(resummed(WireBytes.withU16(slice(lsr, 0, 40), 2, 40))));
    byte[] ack = hex(OspfGolden.LS_ACK);
    assertEquals(OspfPacket.Check.BAD_BODY_LENGTH, check(resummed(WireBytes.withU16(slice(ack, 0, 50), 2, 50))));
    byte[] lsu = hex(OspfGolden.LS_UPDATE);
    assertEquals(OspfPacket.Check.BAD_BODY_LENGTH, check(resummed(WireBytes.withU16(slice(lsu, 0, 26), 2, 26))));
  }

  @Test
  void updatesWhoseLsasDoNotFrameAreRefused() {
    byte[] lsu = hex(OspfGolden.LS_UPDATE);
    int second = 28 + 60;
    assertEquals(OspfPacket.Check.BAD_LSA_FRAMING, check(resummed(withInt(lsu, 24, 3))), "count above the LSAs");
    assertEquals(OspfPacket.Check.BAD_LSA_FRAMING, check(resummed(withInt(lsu, 24, 1))), "bytes after the LSAs");
    assertEquals(OspfPacket.Check.BAD_LSA_FRAMING, check(resummed(withInt(lsu, 24, -1))), "a count of 2^32-1");
    assertEquals(OspfPacket.Check.BAD_LSA_FRAMING, check(resummed(WireBytes.withU16(lsu, second + 18, 40))),
        "the last LSA runs past the packet");
    assertEquals(OspfPacket.Check.BAD_LSA_FRAMING, check(resummed(WireBytes.withU16(lsu, 28 + 18, 19))),
        "an LSA shorter than its header");
    assertEquals(OspfPacket.Check.BAD_LSA_FRAMING, check(resummed(WireBytes.withU16(lsu, 28 + 18, 0))),
        "an LSA of length 0 would never advance");
    byte[] empty = resummed(WireBytes.withU16(withInt(slice(lsu, 0, 28), 24, 0), 2, 28));
    assertEquals(OspfPacket.Check.OK, check(empty), "an update of no LSAs frames");
    // an LSA with a bad Fletcher checksum still frames: it is dropped alone (RFC 2328 13, step 1)
    byte[] badLsa = lsu.clone();
    badLsa[second + 23] ^= 1;
    byte[] summed = resummed(badLsa);
    assertEquals(OspfPacket.Check.OK, check(summed));
    ByteBuf b = buf(summed);
    try {
      OspfLsUpdate u = new OspfLsUpdate().wrap(p.wrap(b, 0, summed.length));
      assertEquals(OspfLsa.Check.BAD_CHECKSUM, new OspfLsa().wrap(b, second, u.remaining(second)).check());
      assertNull(OspfLsUpdate.Repr.parse(u), "an update with an unparseable LSA has no value");
    } finally {
      b.release();
    }
  }

  static byte[] withInt(byte[] b, int index, int value) {
    return WireBytes.withU16(WireBytes.withU16(b, index, value >>> 16), index + 2, value & 0xFFFF);
  }
}
