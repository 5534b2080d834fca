package emu.link.impair;

/**
 * netem's {@code loss gemodel p [r [1-h [1-k]]]}: a two-state (Good / Bad) Markov chain that
 * makes losses come in bursts, as on a radio link. Per frame: in Good the frame is lost with
 * probability {@code oneMinusK}, in Bad with {@code oneMinusH}; then the state moves Good to
 * Bad with probability {@code p} and Bad to Good with {@code r}. All values are probabilities
 * in 0..1. The chain starts in Good.
 */
public record GilbertElliott(double p, double r, double oneMinusH, double oneMinusK) {
  public GilbertElliott {
    Impairment.requireProbability("p", p);
    Impairment.requireProbability("r", r);
    Impairment.requireProbability("oneMinusH", oneMinusH);
    Impairment.requireProbability("oneMinusK", oneMinusK);
  }

  /** netem's defaults when only p is given: r = 1 - p, 1-h = 100%, 1-k = 0% (Gilbert's model). */
  public static GilbertElliott of(double p) {
    return new GilbertElliott(p, 1 - p, 1, 0);
  }

  /** Long-run share of frames in the Bad state: p / (p + r) (0 if the chain never leaves Good). */
  public double badShare() {
    return p + r == 0 ? 0 : p / (p + r);
  }

  /** Long-run loss rate: share(Good) * (1-k) + share(Bad) * (1-h). */
  public double stationaryLoss() {
    double bad = badShare();
    return (1 - bad) * oneMinusK + bad * oneMinusH;
  }

  /** True if no frame can ever be lost: the chain starts in Good, and Good loses nothing and is never left. */
  public boolean losesNothing() {
    return oneMinusK == 0 && (p == 0 || oneMinusH == 0);
  }
}
