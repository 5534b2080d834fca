package emu.node.apps.load;

import emu.node.shell.UsageException;

/** Byte counts as users write them for iperf: 100M, 64K, 1G (1024-based), or plain bytes. */
final class Sizes {
  private Sizes() {}

  static long parse(String opt, String text) {
    String t = text.trim();
    long mult = 1;
    char last = t.isEmpty() ? ' ' : Character.toUpperCase(t.charAt(t.length() - 1));
    if (last == 'K' || last == 'M' || last == 'G') {
      mult = last == 'K' ? 1L << 10 : last == 'M' ? 1L << 20 : 1L << 30;
      t = t.substring(0, t.length() - 1);
    }
    try {
      long n = Long.parseLong(t);
      if (n < 0 || n > (1L << 40) / mult) {
        throw new UsageException(opt + " must be between 0 and 1T, not '" + text + "'");
      }
      return n * mult;
    } catch (NumberFormatException e) {
      throw new UsageException(opt + " wants a size such as 100M, 64K or 1G, not '" + text + "'");
    }
  }

  static String human(double bytes) {
    if (bytes >= 1 << 30) {
      return String.format(java.util.Locale.ROOT, "%.2f GBytes", bytes / (1 << 30));
    }
    if (bytes >= 1 << 20) {
      return String.format(java.util.Locale.ROOT, "%.1f MBytes", bytes / (1 << 20));
    }
    return String.format(java.util.Locale.ROOT, "%.1f KBytes", bytes / (1 << 10));
  }

  static String bitrate(double bytes, double seconds) {
    double bits = seconds > 0 ? bytes * 8 / seconds : 0;
    if (bits >= 1e9) {
      return String.format(java.util.Locale.ROOT, "%.2f Gbits/sec", bits / 1e9);
    }
    if (bits >= 1e6) {
      return String.format(java.util.Locale.ROOT, "%.1f Mbits/sec", bits / 1e6);
    }
    return String.format(java.util.Locale.ROOT, "%.1f Kbits/sec", bits / 1e3);
  }
}
