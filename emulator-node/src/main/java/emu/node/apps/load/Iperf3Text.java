package emu.node.apps.load;

import java.util.Locale;

/** Figures as iperf3 prints them, so that emu's iperf3 output reads (and parses) like the real one's. */
final class Iperf3Text {
  static final String SEPARATOR = "- - - - - - - - - - - - - - - - - - - - - - - - -";

  private Iperf3Text() {}

  /** Bytes as iperf3 prints them: three significant digits, 1024-based units. */
  static String bytes(double b) {
    String[] units = {"Bytes", "KBytes", "MBytes", "GBytes", "TBytes"};
    int u = 0;
    while (b >= 1024 * 0.99 && u < units.length - 1 && b >= 1024) {
      b /= 1024;
      u++;
    }
    return number(b) + " " + units[u];
  }

  /** Bits per second as iperf3 prints them: three significant digits, 1000-based units. */
  static String bitrate(double bits) {
    String[] units = {"bits/sec", "Kbits/sec", "Mbits/sec", "Gbits/sec", "Tbits/sec"};
    int u = 0;
    while (bits >= 1000 && u < units.length - 1) {
      bits /= 1000;
      u++;
    }
    return number(bits) + " " + units[u];
  }

  static String number(double v) {
    String f = v < 9.995 ? "%4.2f" : v < 99.95 ? "%4.1f" : "%4.0f";
    return String.format(Locale.ROOT, f, v);
  }

  static String span(double from, double to) {
    return String.format(Locale.ROOT, "%6.2f-%-6.2f sec", from, to);
  }

  static String tag(int id) {
    return String.format(Locale.ROOT, "[%3d]", id);
  }
}
