package emu.node.wire;

import io.netty.buffer.ByteBuf;

/**
 * The Internet checksum (RFC 1071) and its incremental update (RFC 1624). Sums are kept
 * unfolded in a {@code long} so that callers can add a pseudo-header and a payload before
 * folding once.
 */
public final class Checksum {
  private Checksum() {}

  /**
   * Adds {@code length} bytes at {@code index} to {@code acc} as big-endian 16-bit words (an odd
   * last byte is padded with zero). 32-bit words are summed into the 64-bit accumulator; the
   * end-around carries are applied by {@link #fold}, which gives the same one's-complement sum.
   */
  public static long add(long acc, ByteBuf buf, int index, int length) {
    int i = index;
    int end = index + length;
    while (end - i >= 8) {
      long w = buf.getLong(i);
      acc += (w >>> 32) + (w & 0xFFFF_FFFFL);
      i += 8;
    }
    if (end - i >= 4) {
      acc += buf.getUnsignedInt(i);
      i += 4;
    }
    if (end - i >= 2) {
      acc += buf.getUnsignedShort(i);
      i += 2;
    }
    if (i < end) {
      acc += (buf.getUnsignedByte(i) << 8);
    }
    return acc;
  }

  /** Folds the carries of an accumulated sum into 16 bits (not complemented). */
  public static int fold(long acc) {
    while ((acc >>> 16) != 0) {
      acc = (acc & 0xFFFF) + (acc >>> 16);
    }
    return (int) acc;
  }

  /** The checksum field value for the bytes summed in {@code acc}. */
  public static int finish(long acc) {
    return ~fold(acc) & 0xFFFF;
  }

  /** Checksum of a byte range: the value to store in its checksum field (when that field is zero). */
  public static int compute(ByteBuf buf, int index, int length) {
    return finish(add(0, buf, index, length));
  }

  /** True if a range that includes its own checksum field sums to all ones. */
  public static boolean verify(ByteBuf buf, int index, int length) {
    return fold(add(0, buf, index, length)) == 0xFFFF;
  }

  /** The TCP/UDP pseudo-header sum (RFC 768, RFC 9293 section 3.1). */
  public static long pseudoHeader(int src, int dst, int protocol, int length) {
    return (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + protocol + length;
  }

  /**
   * RFC 1624 eqn. 3: the new checksum after one 16-bit word of the covered data changes from
   * {@code oldWord} to {@code newWord}: HC' = ~(~HC + ~m + m').
   */
  public static int update(int checksum, int oldWord, int newWord) {
    int sum = (~checksum & 0xFFFF) + (~oldWord & 0xFFFF) + (newWord & 0xFFFF);
    sum = (sum & 0xFFFF) + (sum >>> 16);
    sum = (sum & 0xFFFF) + (sum >>> 16);
    return ~sum & 0xFFFF;
  }
}
