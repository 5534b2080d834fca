package emu.node.tcp;

/**
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 section 3.4): numbers are plain
 * {@code int}s, sums wrap, and comparisons look at the sign of the difference, which is right
 * as long as the two numbers are less than 2^31 apart (windows are at most 2^30).
 */
public final class SeqNum {
  private SeqNum() {}

  /** a < b */
  public static boolean lt(int a, int b) {
    return a - b < 0;
  }

  /** a =< b */
  public static boolean le(int a, int b) {
    return a - b <= 0;
  }

  /** a > b */
  public static boolean gt(int a, int b) {
    return a - b > 0;
  }

  /** a >= b */
  public static boolean ge(int a, int b) {
    return a - b >= 0;
  }

  public static int max(int a, int b) {
    return gt(a, b) ? a : b;
  }

  public static int min(int a, int b) {
    return lt(a, b) ? a : b;
  }

  /** from =< x < to */
  public static boolean inRange(int x, int from, int to) {
    return le(from, x) && lt(x, to);
  }

  /** The unsigned distance from {@code from} up to {@code to}, for windows and byte counts. */
  public static long distance(int from, int to) {
    return (to - from) & 0xFFFF_FFFFL;
  }

  public static String format(int seq) {
    return Integer.toUnsignedString(seq);
  }
}
