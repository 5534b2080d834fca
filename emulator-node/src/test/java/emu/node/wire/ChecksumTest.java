package emu.node.wire;

import static emu.node.wire.WireBytes.buf;
import static emu.node.wire.WireBytes.concat;
import static emu.node.wire.WireBytes.hex;
import static emu.node.wire.WireBytes.refChecksum;
import static emu.node.wire.WireBytes.refSum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Internet checksum (RFC 1071), its incremental update (RFC 1624) and pseudo-header sums. */
class ChecksumTest {

  /** RFC 1071 section 3, "Numerical Examples": 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
  @Test
  void rfc1071NumericExample() {
    byte[] bytes = hex("00 01 f2 03 f4 f5 f6 f7");
    assertEquals(0xddf2, refSum(bytes), "reference implementation disagrees with RFC 1071");
    ByteBuf b = buf(bytes);
    try {
      assertEquals(0xddf2, Checksum.fold(Checksum.add(0, b, 0, 8)));
      assertEquals(0x220d, Checksum.finish(Checksum.add(0, b, 0, 8)));
      assertEquals(0x220d, Checksum.compute(b, 0, 8));
    } finally {
      b.release();
    }
  }

  /** The header from Wikipedia's "IPv4 header checksum" example: its checksum is b861. */
  @Test
  void wikipediaIpv4HeaderExample() {
    byte[] withZero = hex("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7");
    byte[] withSum = hex("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7");
    assertEquals(0xb861, refChecksum(withZero));
    ByteBuf zero = buf(withZero);
    ByteBuf full = buf(withSum);
    try {
      assertEquals(0xb861, Checksum.compute(zero, 0, 20));
      assertTrue(Checksum.verify(full, 0, 20));
      assertFalse(Checksum.verify(zero, 0, 20));
      full.setByte(19, 0xc8); // one bit flipped in the destination
      assertFalse(Checksum.verify(full, 0, 20));
    } finally {
      zero.release();
      full.release();
    }
  }

  /** An odd last byte is padded with a zero byte on the right (RFC 1071 section 4.1). */
  @Test
  void oddLengthsPadOnTheRight() {
    ByteBuf b = buf(hex("01"));
    ByteBuf c = buf(hex("ab cd ef"));
    try {
      assertEquals(0x0100, Checksum.fold(Checksum.add(0, b, 0, 1)));
      assertEquals(0xabcd + 0xef00 - 0xFFFF, Checksum.fold(Checksum.add(0, c, 0, 3))); // one carry
      assertEquals(0xFFFF, Checksum.compute(c, 0, 0)); // empty range: sum 0, checksum ~0
      assertEquals(~0x9ace & 0xFFFF, Checksum.compute(c, 0, 3));
    } finally {
      b.release();
      c.release();
    }
  }

  /** Every length 0..200 at every alignment 0..7, heap and direct, against the reference sum. */
  @Test
  void matchesReferenceForAllLengthsAndOffsets() {
    Random rnd = new Random(1071);
    for (int trial = 0; trial < 4; trial++) {
      byte[] data = new byte[216];
      rnd.nextBytes(data);
      if (trial == 3) {
        java.util.Arrays.fill(data, (byte) 0xFF); // worst case for carries
      }
      ByteBuf heap = Unpooled.buffer(data.length).writeBytes(data);
      ByteBuf direct = Unpooled.directBuffer(data.length).writeBytes(data);
      try {
        for (int off = 0; off < 8; off++) {
          for (int len = 0; len <= 200; len++) {
            byte[] range = WireBytes.slice(data, off, len);
            int want = refSum(range);
            String what = "trial " + trial + " offset " + off + " length " + len;
            int heapSum = Checksum.fold(Checksum.add(0, heap, off, len));
            int directSum = Checksum.fold(Checksum.add(0, direct, off, len));
            // 0x0000 and 0xFFFF are both zero in one's complement; the reference yields 0x0000
            // only for all-zero input, so compare as one's-complement values.
            assertEquals(norm(want), norm(heapSum), what + " (heap)");
            assertEquals(norm(want), norm(directSum), what + " (direct)");
            assertEquals(~want & 0xFFFF, Checksum.compute(heap, off, len), what);
          }
        }
      } finally {
        heap.release();
        direct.release();
      }
    }
  }

  /** A range that includes its own correct checksum verifies, for many random lengths. */
  @Test
  void computeThenVerify() {
    Random rnd = new Random(42);
    for (int i = 0; i < 500; i++) {
      int len = 2 + 2 * rnd.nextInt(700); // even, so the checksum field is word-aligned
      byte[] data = new byte[len];
      rnd.nextBytes(data);
      int field = 2 * rnd.nextInt(len / 2);
      data[field] = 0;
      data[field + 1] = 0;
      ByteBuf b = buf(data);
      try {
        int sum = Checksum.compute(b, 0, len);
        assertEquals(refChecksum(data), sum);
        b.setShort(field, sum);
        assertTrue(Checksum.verify(b, 0, len), "length " + len);
        int victim = rnd.nextInt(len);
        b.setByte(victim, b.getByte(victim) ^ (1 << rnd.nextInt(8)));
        assertFalse(Checksum.verify(b, 0, len), "a single flipped bit must be detected");
      } finally {
        b.release();
      }
    }
  }

  /** The accumulator does not overflow for a maximal (64 KiB) run of 0xFF bytes. */
  @Test
  void largeBufferAllOnes() {
    byte[] data = new byte[65_535];
    java.util.Arrays.fill(data, (byte) 0xFF);
    ByteBuf b = buf(data);
    try {
      assertEquals(norm(refSum(data)), norm(Checksum.fold(Checksum.add(0, b, 0, data.length))));
      assertEquals(refChecksum(data), Checksum.compute(b, 0, data.length));
    } finally {
      b.release();
    }
  }

  /** The pseudo-header sum equals the reference sum over its 12 bytes (RFC 768). */
  @Test
  void pseudoHeaderMatchesItsBytes() {
    int[][] cases = {
        {0xC0A80164, 0xC0A80101, 17, 37},
        {0xFFFFFFFF, 0xFFFFFFFF, 17, 0xFFFF},
        {0x00000000, 0x00000000, 6, 0},
        {0x80000000, 0x7FFFFFFF, 1, 8},
        {0x0A000001, 0xE0000001, 17, 1480},
    };
    for (int[] c : cases) {
      byte[] ph = new byte[12];
      java.nio.ByteBuffer.wrap(ph).putInt(c[0]).putInt(c[1]).put((byte) 0).put((byte) c[2])
          .putShort((short) c[3]);
      long acc = Checksum.pseudoHeader(c[0], c[1], c[2], c[3]);
      assertEquals(norm(refSum(ph)), norm(Checksum.fold(acc)), java.util.Arrays.toString(c));
    }
    Random rnd = new Random(768);
    for (int i = 0; i < 10_000; i++) {
      int src = rnd.nextInt();
      int dst = rnd.nextInt();
      int proto = rnd.nextInt(256);
      int len = rnd.nextInt(65_536);
      byte[] ph = new byte[12];
      java.nio.ByteBuffer.wrap(ph).putInt(src).putInt(dst).put((byte) 0).put((byte) proto)
          .putShort((short) len);
      assertEquals(norm(refSum(ph)), norm(Checksum.fold(Checksum.pseudoHeader(src, dst, proto, len))));
    }
  }

  /** A pseudo-header accumulator continued over a segment equals the sum over all the bytes. */
  @Test
  void pseudoHeaderThenPayload() {
    Random rnd = new Random(9293);
    for (int i = 0; i < 200; i++) {
      int src = rnd.nextInt();
      int dst = rnd.nextInt();
      byte[] seg = new byte[8 + rnd.nextInt(100)];
      rnd.nextBytes(seg);
      byte[] ph = new byte[12];
      java.nio.ByteBuffer.wrap(ph).putInt(src).putInt(dst).put((byte) 0).put((byte) 17)
          .putShort((short) seg.length);
      ByteBuf b = buf(seg);
      try {
        long acc = Checksum.add(Checksum.pseudoHeader(src, dst, 17, seg.length), b, 0, seg.length);
        assertEquals(refChecksum(concat(ph, seg)), Checksum.finish(acc));
      } finally {
        b.release();
      }
    }
  }

  /**
   * RFC 1624 section 4 (Examples): the sum of the other header words is 0xCD7A, a field changes
   * from 0x5555 to 0x3285; HC = 0xDD2F, and recomputation gives 0x0000. Eqn. 3 must give 0x0000
   * too (RFC 1141's eqn. 2 wrongly gives 0xFFFF).
   */
  @Test
  void rfc1624Section4Example() {
    assertEquals(0xDD2F, ~ones(0xCD7A + 0x5555) & 0xFFFF);
    assertEquals(0x0000, ~ones(0xCD7A + 0x3285) & 0xFFFF);
    assertEquals(0x0000, Checksum.update(0xDD2F, 0x5555, 0x3285));
    // And back again: from +0 to the original value.
    assertEquals(0xDD2F, Checksum.update(0x0000, 0x3285, 0x5555));
  }

  /**
   * The update agrees with recomputation on real data: the checksum of a buffer whose one word
   * changes, for every combination where the recomputed checksum is 0x0000 and many others.
   */
  @Test
  void updateAgreesWithRecomputationIncludingZeroResults() {
    Random rnd = new Random(1624);
    int zeroResults = 0;
    for (int i = 0; i < 200_000; i++) {
      byte[] data = new byte[20];
      rnd.nextBytes(data);
      data[0] = 0x45; // never all-zero, as in any real header
      data[10] = 0;
      data[11] = 0;
      int word = 2 * (1 + rnd.nextInt(9));
      if (word == 10) {
        word = 12;
      }
      int newWord = rnd.nextInt(65_536);
      if (i % 4 == 0) {
        // Force the recomputed checksum to 0x0000: pick the new word that makes the sum 0xFFFF.
        byte[] without = WireBytes.withU16(data, word, 0);
        newWord = ~refSum(without) & 0xFFFF;
      }
      int oldWord = WireBytes.u16(data, word);
      int hc = refChecksum(data);
      byte[] changed = WireBytes.withU16(data, word, newWord);
      int want = refChecksum(changed);
      if (want == 0) {
        zeroResults++;
      }
      assertEquals(want, Checksum.update(hc, oldWord, newWord),
          String.format("hc %04x m %04x m' %04x", hc, oldWord, newWord));
    }
    assertTrue(zeroResults > 1000, "the 0x0000 case was exercised");
  }

  /** With m == m' the checksum must not change (in particular 0x0000 must not become 0xFFFF). */
  @Test
  void updateWithUnchangedWordIsIdentity() {
    for (int hc = 0; hc <= 0xFFFE; hc++) {
      for (int m : new int[] {0x0000, 0x5555, 0xFFFF, 0x4011, 0x0001}) {
        assertEquals(hc, Checksum.update(hc, m, m), String.format("hc %04x m %04x", hc, m));
      }
    }
  }

  /** Incremental result is never 0xFFFF (-0) unless every operand is the degenerate all-zero one. */
  @Test
  void updateNeverProducesMinusZero() {
    Random rnd = new Random(7);
    for (int i = 0; i < 1_000_000; i++) {
      int hc = rnd.nextInt(0xFFFF); // 0..0xFFFE: every value a full computation can produce
      int m = rnd.nextInt(65_536);
      int m2 = rnd.nextInt(65_536);
      assertNotEquals(0xFFFF, Checksum.update(hc, m, m2));
    }
  }

  /** Decrementing TTL patches the checksum exactly as a recomputation would, for random headers. */
  @Test
  void decrementTtlMatchesRecomputation() {
    Random rnd = new Random(20260101);
    Ipv4Packet p = new Ipv4Packet();
    Ipv4Packet q = new Ipv4Packet();
    for (int i = 0; i < 50_000; i++) {
      int ihl = 5 + (i % 7 == 0 ? rnd.nextInt(11) : 0);
      int hl = ihl * 4;
      byte[] header = new byte[hl];
      rnd.nextBytes(header);
      header[0] = (byte) (0x40 | ihl);
      int ttl = 1 + rnd.nextInt(255);
      header[Ipv4Packet.TTL] = (byte) ttl;
      ByteBuf b = buf(header);
      ByteBuf expect = buf(header);
      try {
        p.wrap(b, 0).fillChecksum();
        assertEquals(refChecksum(WireBytes.withU16(header, 10, 0)), p.checksum());
        int newTtl = p.decrementTtl();
        assertEquals(ttl - 1, newTtl);
        assertEquals(ttl - 1, p.ttl());
        q.wrap(expect, 0).ttl(ttl - 1).fillChecksum();
        assertEquals(q.checksum(), p.checksum(), "header " + WireBytes.toHex(header));
        assertTrue(p.checksumValid());
        assertEquals(WireBytes.toHex(WireBytes.bytes(expect)), WireBytes.toHex(WireBytes.bytes(b)));
      } finally {
        b.release();
        expect.release();
      }
    }
  }

  /**
   * RFC 1624's boundary cases on real headers: the checksum is 0x0000 before the decrement, or
   * becomes 0x0000 after it. The identification field is chosen to force each situation.
   */
  @Test
  void decrementTtlAtChecksumBoundaries() {
    Random rnd = new Random(0xFFFF);
    Ipv4Packet p = new Ipv4Packet();
    for (int i = 0; i < 5_000; i++) {
      byte[] h = new byte[20];
      rnd.nextBytes(h);
      h[0] = 0x45;
      h[Ipv4Packet.TTL] = (byte) (2 + rnd.nextInt(254));
      h[10] = 0;
      h[11] = 0;
      h[4] = 0;
      h[5] = 0;
      boolean zeroAfter = i % 2 == 0;
      // Sum of the header as it will be when the checksum is 0x0000 (before or after decrement).
      byte[] target = zeroAfter ? h.clone() : h;
      if (zeroAfter) {
        target[Ipv4Packet.TTL]--;
      }
      int ident = ~refSum(target) & 0xFFFF; // makes that sum 0xFFFF, so the checksum is 0x0000
      h = WireBytes.withU16(h, 4, ident);
      ByteBuf b = buf(h);
      try {
        p.wrap(b, 0).fillChecksum();
        if (!zeroAfter) {
          assertEquals(0x0000, p.checksum(), "setup: checksum 0x0000 before");
        }
        p.decrementTtl();
        byte[] after = WireBytes.withU16(WireBytes.bytes(b), 10, 0);
        int want = refChecksum(after);
        if (zeroAfter) {
          assertEquals(0x0000, want, "setup: checksum 0x0000 after");
        }
        assertEquals(want, p.checksum(), "header " + WireBytes.toHex(h));
        assertTrue(p.checksumValid());
      } finally {
        b.release();
      }
    }
  }

  /** Maps one's-complement zero (0xFFFF or 0x0000) to one value for comparisons. */
  private static int norm(int folded) {
    return folded == 0xFFFF ? 0 : folded;
  }

  private static int ones(int sum) {
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xFFFF) + (sum >>> 16);
    }
    return sum;
  }
}
