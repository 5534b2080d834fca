package emu.node.wire;

import static emu.node.wire.WireBytes.buf;
import static emu.node.wire.WireBytes.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The ISO 8473 Fletcher checksum against a plain transcription of RFC 905 annex B (one octet at a
 * time, reduced modulo 255 at every step), on the golden LSAs and on random ranges of every size
 * up to several reduction blocks, with the checksum octets anywhere in the range. tshark checks
 * the same algorithm on an IS-IS LSP in {@link OspfTsharkTest}.
 */
class FletcherTest {
  /**
   * RFC 905 B.4, literally: checksum octets (at 1-based position n) set to zero, C0 and C1 summed
   * modulo 255, X = ((L - n) C0 - C1) mod 255, Y = ((L - n + 1)(-C0) + C1) mod 255, zero as 255.
   */
  static int reference(byte[] range, int offset) {
    byte[] b = range.clone();
    b[offset] = 0;
    b[offset + 1] = 0;
    int c0 = 0;
    int c1 = 0;
    for (byte v : b) {
      c0 = (c0 + (v & 0xFF)) % 255;
      c1 = (c1 + c0) % 255;
    }
    int l = b.length;
    int n = offset + 1;
    int x = Math.floorMod((l - n) * c0 - c1, 255);
    int y = Math.floorMod((l - n + 1) * -c0 + c1, 255);
    return ((x == 0 ? 255 : x) << 8) | (y == 0 ? 255 : y);
  }

  @Test
  void theGoldenLsasChecksumsAreTheReferences() {
    for (String lsa : new String[] {OspfGolden.ROUTER_LSA, OspfGolden.NETWORK_LSA}) {
      byte[] b = hex(lsa);
      byte[] fromOptions = WireBytes.slice(b, 2, b.length - 2);
      assertEquals(WireBytes.u16(b, 16), reference(fromOptions, 14), lsa);
      ByteBuf bb = buf(b);
      try {
        assertEquals(WireBytes.u16(b, 16), Fletcher.compute(bb, 2, b.length - 2, 14));
        assertTrue(Fletcher.verify(bb, 2, b.length - 2, 14));
      } finally {
        bb.release();
      }
    }
  }

  @Test
  void randomRangesAgreeWithTheReferenceAndVerify() {
    SplittableRandom rnd = new SplittableRandom(905);
    for (int i = 0; i < 3000; i++) {
      int len = i < 2900 ? 2 + rnd.nextInt(300) : 2 + rnd.nextInt(20_000);
      byte[] range = new byte[len];
      for (int k = 0; k < len; k++) {
        // runs of 0xff and 0x00 too: the octets that are 0 modulo 255
        range[k] = (byte) (rnd.nextInt(4) == 0 ? (rnd.nextBoolean() ? 0xff : 0) : rnd.nextInt(256));
      }
      int offset = rnd.nextInt(len - 1);
      int expected = reference(range, offset);
      ByteBuf b = buf(range);
      try {
        assertEquals(expected, Fletcher.compute(b, 0, len, offset), "the octets at the offset count as zero");
        Fletcher.fill(b, 0, len, offset);
        assertEquals(expected, b.getUnsignedShort(offset));
        assertTrue(Fletcher.verify(b, 0, len, offset), "len " + len + " offset " + offset);
        // one octet changed by something that is not a multiple of 255 is caught
        int at = rnd.nextInt(len);
        int old = b.getUnsignedByte(at);
        int now = (old + 1 + rnd.nextInt(253)) & 0xFF;
        if (Math.floorMod(now - old, 255) != 0) {
          b.setByte(at, now);
          assertFalse(Fletcher.verify(b, 0, len, offset), "changed octet " + at);
        }
      } finally {
        b.release();
      }
    }
  }

  @Test
  void aZeroChecksumNeverVerifies() {
    byte[] zeros = new byte[40];
    ByteBuf b = buf(zeros);
    try {
      assertFalse(Fletcher.verify(b, 0, 40, 14), "all sums are zero, but 0 means never computed");
      Fletcher.fill(b, 0, 40, 14);
      assertEquals(0xffff, b.getUnsignedShort(14), "X and Y of 0 are written as 255");
      assertTrue(Fletcher.verify(b, 0, 40, 14));
    } finally {
      b.release();
    }
  }
}
