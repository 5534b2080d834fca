package emu.node.tcp;

/**
 * The retransmission timer's arithmetic (RFC 6298): SRTT and RTTVAR from RTT samples
 * (alpha 1/8, beta 1/4, K = 4, clock granularity G = 1 ms), RTO = SRTT + max(G, K*RTTVAR)
 * clamped to [min, max], and exponential backoff on expiry (5.5) that a new sample undoes.
 * Karn's rule (no samples from retransmitted segments unless timestamps disambiguate) is the
 * caller's: it only passes valid samples.
 */
final class RttEstimator {
  static final long G = 1_000_000L;

  private final long minRto;
  private final long maxRto;
  private long srtt = -1;
  private long rttvar;
  private long baseRto;
  private int backoff;

  RttEstimator(long initialRto, long minRto, long maxRto) {
    this.minRto = minRto;
    this.maxRto = maxRto;
    this.baseRto = initialRto;
  }

  /** RFC 6298 2.2 (first sample) and 2.3 (later ones); also ends any backoff. */
  void sample(long rtt) {
    long r = Math.max(0, rtt);
    if (srtt < 0) {
      srtt = r;
      rttvar = r / 2;
    } else {
      rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
      srtt = (7 * srtt + r) / 8;
    }
    baseRto = clamp(srtt + Math.max(G, 4 * rttvar));
    backoff = 0;
  }

  boolean hasSample() {
    return srtt >= 0;
  }

  /** The current RTO with backoff applied. */
  long rto() {
    long r = baseRto;
    for (int i = 0; i < backoff && r < maxRto; i++) {
      r *= 2;
    }
    return Math.min(r, maxRto);
  }

  /** RFC 6298 5.5: the timer expired, double the RTO (up to the maximum). */
  void backoff() {
    backoff = Math.min(backoff + 1, 64);
  }

  int backoffCount() {
    return backoff;
  }

  /** RFC 6298 5.7: after a SYN timed out with no sample since, the RTO is at least 3 s. */
  void atLeast(long rto) {
    baseRto = Math.max(baseRto, clamp(rto));
    backoff = 0;
  }

  /** Smoothed RTT in ns, or -1 before the first sample. */
  long srtt() {
    return srtt;
  }

  long rttvar() {
    return rttvar;
  }

  private long clamp(long rto) {
    return Math.max(minRto, Math.min(maxRto, rto));
  }
}
