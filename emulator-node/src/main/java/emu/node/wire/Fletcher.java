package emu.node.wire;

import io.netty.buffer.ByteBuf;

/**
 * The Fletcher checksum of ISO 8473 (RFC 905 annex B, RFC 1008), which OSPF uses for its LSAs
 * (RFC 2328 section 12.1.7, over the LSA from the options field on: the age is left out so that
 * ageing an LSA does not change it) and IS-IS for its LSPs (ISO 10589 7.3.11). The one place the
 * algorithm lives.
 *
 * <p>Two running sums modulo 255 over the octets, C0 = sum of the octets and C1 = sum of the
 * C0s; a range carrying a correct checksum has both sums zero. To fill the two checksum octets X
 * and Y at (1-based) position n of an L-octet range, with those octets counted as zero
 * (RFC 905 B.4): X = ((L - n) * C0 - C1) mod 255, Y = (C1 - (L - n + 1) * C0) mod 255, each 0
 * replaced by 255. A computed checksum is therefore never zero, which ISO 8473 reserves for "not
 * computed" and OSPF never sends: {@link #verify} refuses it.
 */
public final class Fletcher {
  /** Octets summed between reductions: C1 stays below 2^42 in a {@code long}, far from overflow. */
  private static final int BLOCK = 4096;

  private Fletcher() {}

  /**
   * The checksum of the {@code length} octets at {@code index}, whose two checksum octets sit at
   * {@code checksumOffset} from {@code index} and are counted as zero whatever they hold now (so
   * a caller need not clear them first). The returned value is X in the high byte, Y in the low.
   */
  public static int compute(ByteBuf buf, int index, int length, int checksumOffset) {
    long c0 = 0;
    long c1 = 0;
    int end = index + length;
    for (int i = index; i < end; ) {
      int stop = Math.min(end, i + BLOCK);
      for (; i < stop; i++) {
        c0 += buf.getUnsignedByte(i);
        c1 += c0;
      }
      c0 %= 255;
      c1 %= 255;
    }
    // take the checksum octets back out: octet k of the range (0-based) added itself to C0 once
    // and to C1 (length - k) times
    int x0 = buf.getUnsignedByte(index + checksumOffset);
    int y0 = buf.getUnsignedByte(index + checksumOffset + 1);
    c0 = Math.floorMod(c0 - x0 - y0, 255);
    c1 = Math.floorMod(c1 - (long) x0 * (length - checksumOffset) - (long) y0 * (length - checksumOffset - 1), 255);
    int n1 = length - checksumOffset - 1; // L - n, n the 1-based position of X
    int x = (int) Math.floorMod(n1 * c0 - c1, 255);
    int y = (int) Math.floorMod(c1 - (n1 + 1) * c0, 255);
    if (x == 0) {
      x = 255;
    }
    if (y == 0) {
      y = 255;
    }
    return (x << 8) | y;
  }

  /** Computes the checksum and writes it at {@code checksumOffset} from {@code index}. */
  public static void fill(ByteBuf buf, int index, int length, int checksumOffset) {
    buf.setShort(index + checksumOffset, compute(buf, index, length, checksumOffset));
  }

  /**
   * True if the range carries a correct checksum at {@code checksumOffset}: both running sums
   * are zero modulo 255 and the checksum is not the never-computed zero.
   */
  public static boolean verify(ByteBuf buf, int index, int length, int checksumOffset) {
    if (buf.getUnsignedShort(index + checksumOffset) == 0) {
      return false;
    }
    long c0 = 0;
    long c1 = 0;
    int end = index + length;
    for (int i = index; i < end; ) {
      int stop = Math.min(end, i + BLOCK);
      for (; i < stop; i++) {
        c0 += buf.getUnsignedByte(i);
        c1 += c0;
      }
      c0 %= 255;
      c1 %= 255;
    }
    return c0 == 0 && c1 == 0;
  }
}
