package emu.node.bridge.stp;

/**
 * A switch's spanning-tree settings, checked against IEEE 802.1D-2004 table 17-1 and 17.14: times
 * in whole seconds, bridge priority a multiple of 4096 in 0..61440, and 2 x (forward delay - 1) >=
 * max age >= 2 x (hello + 1), so that information ages out before a port may forward again.
 *
 * @param enabled false for a plain learning bridge that floods BPDUs like any multicast (a Linux
 *     bridge with {@code stp_state 0})
 * @param forceVersion 2 for RSTP, 0 to speak only 802.1D-1998 STP (configuration and TCN BPDUs)
 */
public record StpConfig(boolean enabled, int priority, int hello, int maxAge, int forwardDelay, int forceVersion) {
  public static final int DEFAULT_PRIORITY = 32768;
  public static final StpConfig DEFAULT = new StpConfig(true, DEFAULT_PRIORITY, 2, 20, 15, 2);
  public static final StpConfig OFF = new StpConfig(false, DEFAULT_PRIORITY, 2, 20, 15, 2);

  public StpConfig {
    if (priority < 0 || priority > 61440 || priority % 4096 != 0) {
      throw new IllegalArgumentException("stp priority must be a multiple of 4096 from 0 to 61440, not " + priority);
    }
    if (hello < 1 || hello > 10) {
      throw new IllegalArgumentException("stp hello must be 1 to 10 seconds, not " + hello);
    }
    if (maxAge < 6 || maxAge > 40) {
      throw new IllegalArgumentException("stp max-age must be 6 to 40 seconds, not " + maxAge);
    }
    if (forwardDelay < 4 || forwardDelay > 30) {
      throw new IllegalArgumentException("stp forward-delay must be 4 to 30 seconds, not " + forwardDelay);
    }
    if (2 * (forwardDelay - 1) < maxAge || maxAge < 2 * (hello + 1)) {
      throw new IllegalArgumentException("stp times must satisfy 2 x (forward-delay - 1) >= max-age >= 2 x (hello + 1)"
          + " (802.1D-2004 17.14); got hello " + hello + ", max-age " + maxAge + ", forward-delay " + forwardDelay);
    }
    if (forceVersion != 0 && forceVersion != 2) {
      throw new IllegalArgumentException("stp force-version must be 0 (STP) or 2 (RSTP), not " + forceVersion);
    }
  }

  public StpConfig withPriority(int p) {
    return new StpConfig(enabled, p, hello, maxAge, forwardDelay, forceVersion);
  }

  public StpConfig withForceVersion(int v) {
    return new StpConfig(enabled, priority, hello, maxAge, forwardDelay, v);
  }

  /** Checks a port priority: a multiple of 16 from 0 to 240 (802.1D-2004 17.13.10). */
  public static int checkPortPriority(int p) {
    if (p < 0 || p > 240 || p % 16 != 0) {
      throw new IllegalArgumentException("port priority must be a multiple of 16 from 0 to 240, not " + p);
    }
    return p;
  }

  /** Checks a port path cost: 1 to 200,000,000 (802.1D-2004 17.14). */
  public static int checkPortCost(long c) {
    if (c < 1 || c > 200_000_000L) {
      throw new IllegalArgumentException("port cost must be 1 to 200000000, not " + c);
    }
    return (int) c;
  }
}
