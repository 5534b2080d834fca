package emu.node.stack;

import emu.link.time.TimeSource;

/**
 * A token bucket on the node's clock: {@code ratePerSecond} tokens a second, at most
 * {@code burst} saved up. ICMP and ICMPv6 errors are rate limited with one, as Linux's
 * icmp_ratelimit and icmpv6 ratelimit do (1000 a second, burst 50 here).
 */
public final class TokenBucket {
  private final TimeSource time;
  private final double ratePerSecond;
  private final double burst;
  private double tokens;
  private long lastRefill;

  public TokenBucket(TimeSource time, double ratePerSecond, double burst) {
    this.time = time;
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.tokens = burst;
    this.lastRefill = time.nanos();
  }

  /** Takes a token if there is one; false means: rate limited. */
  public boolean take() {
    long now = time.nanos();
    tokens = Math.min(burst, tokens + (now - lastRefill) * ratePerSecond / 1e9);
    lastRefill = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
