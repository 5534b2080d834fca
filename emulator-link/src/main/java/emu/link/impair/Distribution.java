package emu.link.impair;

import java.util.Locale;

/**
 * The shape of delay jitter, as netem's {@code distribution} option: how a frame's extra delay
 * is spread around the configured delay. Every shape is scaled so that its mean is 0 and its
 * standard deviation is 1 before it is multiplied by the jitter (uniform is the exception, as
 * in netem: it spans exactly +-jitter, so its standard deviation is jitter / sqrt(3)).
 */
public enum Distribution {
  /** Evenly spread over [delay - jitter, delay + jitter), netem's default. */
  UNIFORM,
  /** Gaussian with standard deviation = jitter. */
  NORMAL,
  /** Heavy-tailed (Pareto, shape 3), shifted and scaled to mean 0 and standard deviation = jitter. */
  PARETO,
  /** netem's paretonormal: a quarter normal, three quarters Pareto, scaled to standard deviation = jitter. */
  PARETONORMAL;

  /** The word used in topology files, the HTTP API and the CLI: "uniform", "normal", ... */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The distribution named by {@code word} (case-insensitive), or null if there is none. */
  public static Distribution ofWord(String word) {
    for (Distribution d : values()) {
      if (d.word().equalsIgnoreCase(word.trim())) {
        return d;
      }
    }
    return null;
  }

  /**
   * Maps a (possibly correlated) uniform draw {@code u} in [0, 1) to a deviation in units of
   * the jitter, through this shape's inverse cumulative distribution function, as netem maps
   * its random number through a distribution table.
   */
  double deviation(double u) {
    return switch (this) {
      case UNIFORM -> 2 * u - 1;
      case NORMAL -> Quantiles.normal(u);
      case PARETO -> Quantiles.pareto(u);
      case PARETONORMAL -> Quantiles.paretoNormal(u);
    };
  }
}
