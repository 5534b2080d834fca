package emu.node.wire;

import static emu.node.wire.WireBytes.buf;
import static emu.node.wire.WireBytes.bytes;
import static emu.node.wire.WireBytes.hex;
import static emu.node.wire.WireBytes.slice;
import static emu.node.wire.WireBytes.toHex;
import static emu.node.wire.WireBytes.withU16;
import static emu.node.wire.WireBytes.zeroed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * LSAs (RFC 2328 A.4): the router- and network-LSA golden bytes from their Reprs and back, the
 * Fletcher checksum leaving the age out, malformed lengths and bodies refused by reason, and the
 * instance comparison of RFC 2328 13.1.
 */
class OspfLsaTest {
  private final OspfLsa lsa = new OspfLsa();

  private OspfLsa.Check check(byte[] bytes) {
    ByteBuf b = buf(bytes);
    try {
      return lsa.wrap(b, 0, bytes.length).check();
    } finally {
      b.release();
    }
  }

  /** The LSA with its length set and its Fletcher checksum recomputed, so that only the edit is judged. */
  private static byte[] resummed(byte[] bytes) {
    ByteBuf b = buf(bytes);
    try {
      OspfLsa.fillChecksum(b, 0);
      return bytes(b);
    } finally {
      b.release();
    }
  }

  private static byte[] emit(OspfLsa.Repr r) {
    ByteBuf b = zeroed(r.bufferLen());
    try {
      r.emit(b, 0);
      return bytes(b);
    } finally {
      b.release();
    }
  }

  @Test
  void routerLsaGolden() {
    byte[] golden = hex(OspfGolden.ROUTER_LSA);
    OspfLsa.Repr r = OspfPacketTest.routerLsa();
    assertArrayEquals(golden, emit(r), toHex(golden));
    ByteBuf b = buf(golden);
    try {
      assertEquals(OspfLsa.Check.OK, lsa.wrap(b, 0, golden.length).check());
      assertEquals(1, lsa.age());
      assertEquals(OspfLsa.INITIAL_SEQUENCE, lsa.sequence());
      assertTrue(lsa.sequence() < OspfLsa.INITIAL_SEQUENCE + 1, "signed comparison");
      assertEquals(0xf1de, lsa.checksum());
      assertEquals(60, lsa.length());
      OspfRouterLsa v = new OspfRouterLsa().wrap(lsa);
      assertEquals(3, v.linkCount());
      int at = v.firstLink();
      assertEquals(OspfRouterLsa.LINK_POINT_TO_POINT, v.linkType(at));
      assertEquals(OspfPacketTest.R2, v.linkId(at));
      assertEquals(0x0a000c01, v.linkData(at));
      assertEquals(10, v.metric(at));
      at = v.nextLink(v.nextLink(at));
      assertEquals(OspfRouterLsa.LINK_TRANSIT, v.linkType(at));
      assertEquals(1, v.metric(at));
      assertEquals(r, OspfLsa.Repr.parse(lsa));
      assertEquals(new OspfLsa.Header(1, 2, 1, 0x01010101, 0x01010101, OspfLsa.INITIAL_SEQUENCE, 0xf1de, 60),
          r.header());
    } finally {
      b.release();
    }
  }

  @Test
  void networkLsaGolden() {
    byte[] golden = hex(OspfGolden.NETWORK_LSA);
    OspfLsa.Repr r = OspfPacketTest.networkLsa();
    assertArrayEquals(golden, emit(r));
    ByteBuf b = buf(golden);
    try {
      assertEquals(OspfLsa.Check.OK, lsa.wrap(b, 0, golden.length).check());
      OspfNetworkLsa n = new OspfNetworkLsa().wrap(lsa);
      assertEquals(0xffffff00, n.networkMask());
      assertEquals(3, n.attachedCount());
      assertEquals(0x04040404, n.attached(2));
      assertEquals(r, OspfLsa.Repr.parse(lsa));
    } finally {
      b.release();
    }
  }

  @Test
  void ageingDoesNotTouchTheChecksum() {
    byte[] golden = hex(OspfGolden.ROUTER_LSA);
    ByteBuf b = buf(golden);
    try {
      lsa.wrap(b, 0, golden.length).age(OspfLsa.MAX_AGE);
      assertEquals(OspfLsa.Check.OK, lsa.check(), "RFC 2328 12.1.7: the age is not checksummed");
      assertEquals(OspfLsa.MAX_AGE, lsa.age());
      assertEquals(0xf1de, lsa.checksum());
    } finally {
      b.release();
    }
  }

  @Test
  void malformedLsasAreRefusedByReason() {
    byte[] router = hex(OspfGolden.ROUTER_LSA);
    assertEquals(OspfLsa.Check.TRUNCATED, check(slice(router, 0, 19)));
    assertEquals(OspfLsa.Check.BAD_LENGTH, check(withU16(router, 18, 19)), "shorter than its header");
    assertEquals(OspfLsa.Check.BAD_LENGTH, check(withU16(router, 18, 61)), "past the bytes present");
    assertEquals(OspfLsa.Check.BAD_LENGTH, check(slice(router, 0, 59)));
    byte[] bad = router.clone();
    bad[40] ^= 0x01;
    assertEquals(OspfLsa.Check.BAD_CHECKSUM, check(bad), "a changed stub network");
    assertEquals(OspfLsa.Check.BAD_CHECKSUM, check(withU16(router, 16, 0)), "zero means never computed");
    // the links must end exactly at the length
    assertEquals(OspfLsa.Check.BAD_ROUTER_LINKS, check(resummed(withU16(router, 22, 4))), "one link more than present");
    assertEquals(OspfLsa.Check.BAD_ROUTER_LINKS, check(resummed(withU16(router, 22, 2))), "bytes after the links");
    assertEquals(OspfLsa.Check.BAD_ROUTER_LINKS, check(resummed(withU16(slice(router, 0, 22), 18, 22))),
        "no room for the count");
    byte[] tos = router.clone();
    tos[24 + 9] = 1; // the first link claims a TOS metric: the links now overrun
    assertEquals(OspfLsa.Check.BAD_ROUTER_LINKS, check(resummed(tos)));
    assertEquals(OspfLsa.Check.BAD_ROUTER_LINKS, check(resummed(withU16(slice(router, 0, 58), 18, 58))));
    byte[] network = hex(OspfGolden.NETWORK_LSA);
    assertEquals(OspfLsa.Check.BAD_NETWORK_BODY, check(resummed(withU16(slice(network, 0, 22), 18, 22))));
    assertEquals(OspfLsa.Check.BAD_NETWORK_BODY, check(resummed(withU16(slice(network, 0, 34), 18, 34))));
    // unknown types are framed, not judged
    byte[] opaque = router.clone();
    opaque[3] = 10;
    assertEquals(OspfLsa.Check.OK, check(resummed(opaque)));
  }

  @Test
  void tosMetricsAreSkippedWhenReading() {
    // one point-to-point link carrying a TOS 4 metric, then a stub link
    byte[] raw = hex("0001 02 01 01010101 01010101 80000001 0000 0034" + "00 00 0002"
        + "02020202 0a000c01 01 01 000a" + "04 00 0014" + "0a000c00 fffffffc 03 00 000a");
    byte[] withTos = resummed(raw);
    assertEquals(OspfLsa.Check.OK, check(withTos));
    ByteBuf b = buf(withTos);
    try {
      OspfLsa.Repr r = OspfLsa.Repr.parse(lsa.wrap(b, 0, withTos.length));
      assertEquals(List.of(new OspfRouterLsa.Link(0x02020202, 0x0a000c01, 1, 10),
          new OspfRouterLsa.Link(0x0a000c00, 0xfffffffc, 3, 10)), ((OspfRouterLsa.Repr) r.body()).links());
    } finally {
      b.release();
    }
  }

  @Test
  void instancesCompareAsRfc2328Says() {
    int init = OspfLsa.INITIAL_SEQUENCE;
    assertEquals(1, OspfLsa.compareInstances(init + 1, 5, 10, init, 9, 0), "higher sequence");
    assertEquals(1, OspfLsa.compareInstances(0, 5, 10, -5, 9, 0), "signed: 0 follows 0xfffffffb");
    assertEquals(1, OspfLsa.compareInstances(OspfLsa.MAX_SEQUENCE, 5, 10, init, 9, 0));
    assertEquals(-1, OspfLsa.compareInstances(init, 5, 0, init, 9, 0), "then higher checksum");
    assertEquals(1, OspfLsa.compareInstances(init, 5, OspfLsa.MAX_AGE, init, 5, 0), "then MaxAge");
    assertEquals(1, OspfLsa.compareInstances(init, 5, 10, init, 5, 1000), "then younger by over 900 s");
    assertEquals(0, OspfLsa.compareInstances(init, 5, 10, init, 5, 900), "else the same instance");
  }
}
