package emu.link.impair;

import java.math.BigDecimal;

/**
 * Formats impairment values as the words {@link ImpairmentParser} reads: the largest unit that
 * states the value exactly, so that formatting and parsing round-trip.
 */
final class Words {
  private Words() {}

  static String time(long nanos) {
    if (nanos % 1_000_000_000L == 0) {
      return nanos / 1_000_000_000L + "s";
    }
    if (nanos % 1_000_000L == 0) {
      return nanos / 1_000_000L + "ms";
    }
    if (nanos % 1_000L == 0) {
      return nanos / 1_000L + "us";
    }
    return nanos + "ns";
  }

  /** A probability as a percentage: the shortest decimal that reads back as the same double. */
  static String percent(double p) {
    return plain(BigDecimal.valueOf(p).movePointRight(2)) + "%";
  }

  static String rate(long bitsPerSecond) {
    String[] units = {"tbit", "gbit", "mbit", "kbit"};
    long scale = 1_000_000_000_000L;
    for (String unit : units) {
      if (bitsPerSecond % scale == 0) {
        return bitsPerSecond / scale + unit;
      }
      scale /= 1000;
    }
    return bitsPerSecond + "bit";
  }

  static String bytes(long bytes) {
    if (bytes % (1L << 30) == 0) {
      return (bytes >> 30) + "g";
    }
    if (bytes % (1L << 20) == 0) {
      return (bytes >> 20) + "m";
    }
    if (bytes % (1L << 10) == 0) {
      return (bytes >> 10) + "k";
    }
    return Long.toString(bytes);
  }

  static String plain(BigDecimal d) {
    return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
  }
}
