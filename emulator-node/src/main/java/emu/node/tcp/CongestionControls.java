package emu.node.tcp;

import java.util.List;
import java.util.Locale;

/**
 * Creates a {@link CongestionControl} by the name {@code ss} prints, and holds the little
 * window arithmetic that NewReno and CUBIC share (initial window, ABC slow start, limits).
 */
public final class CongestionControls {
  /** The names {@link #create} accepts, in the order a CLI should list them. */
  public static final List<String> NAMES = List.of("newreno", "cubic");

  /** Upper bound on cwnd (1 GiB): far above any emulated bandwidth-delay product. */
  static final long MAX_CWND = 1L << 30;

  /** The "arbitrarily high" initial ssthresh of RFC 5681 section 3.1. */
  static final long INITIAL_SSTHRESH = Long.MAX_VALUE / 4;

  private CongestionControls() {}

  /**
   * A fresh algorithm instance for one connection.
   *
   * @throws IllegalArgumentException if {@code name} is not one of {@link #NAMES}
   */
  public static CongestionControl create(String name) {
    if ("newreno".equals(name)) {
      return new NewReno();
    }
    if ("cubic".equals(name)) {
      return new Cubic();
    }
    throw new IllegalArgumentException("unknown congestion control "
        + (name == null ? "null" : "'" + name + "'") + "; allowed: " + String.join(", ", NAMES));
  }

  /** RFC 6928 section 2: IW = min(10*SMSS, max(2*SMSS, 14600)). */
  static long initialWindow(int smss) {
    return Math.min(10L * smss, Math.max(2L * smss, 14_600L));
  }

  /** RFC 3465 section 2.2 with L = 2*SMSS: slow-start growth earned by one ACK. */
  static long slowStartIncrement(long ackedBytes, int smss) {
    return Math.min(ackedBytes, 2L * smss);
  }

  /** Clamps an untrusted byte count from the connection to [0, 2 * MAX_CWND]. */
  static long saneBytes(long bytes) {
    return Math.max(0L, Math.min(bytes, 2 * MAX_CWND));
  }

  static int checkSmss(int smss) {
    if (smss <= 0) {
      throw new IllegalArgumentException("SMSS must be positive: " + smss);
    }
    return smss;
  }

  static void checkInitialised(int smss, String name) {
    if (smss == 0) {
      throw new IllegalStateException(name + ": init(smss, now) must be called first");
    }
  }

  /** "cubic cwnd=10.0 ssthresh=7.0 segments of 1460 bytes", for logs and {@code ss -i}. */
  static String describe(String name, double cwndBytes, long ssthreshBytes, int smss) {
    if (smss == 0) {
      return name + " (not initialised)";
    }
    return String.format(Locale.ROOT, "%s cwnd=%.1f ssthresh=%.1f segments of %d bytes",
        name, cwndBytes / smss, (double) ssthreshBytes / smss, smss);
  }
}
