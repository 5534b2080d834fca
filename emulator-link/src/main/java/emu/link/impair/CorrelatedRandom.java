package emu.link.impair;

import java.util.SplittableRandom;

/**
 * A correlated random number in [0, 1), the role of netem's {@code get_crandom}: with
 * correlation c > 0 each draw leans towards the previous one, so losses come in bursts and
 * delays drift instead of jumping.
 *
 * <p>netem computes {@code next = (1 - c) * U + c * last} on uniform numbers. That narrows
 * their spread, so a correlated probability stops meaning what it says: "loss 5% 50%" loses
 * almost nothing (under 0.001% of frames), in bursts no longer than without correlation (tc-netem's manual
 * deprecates loss correlation for this "bad behavior"). Here the same recurrence runs in normal
 * space with variance-preserving weights, {@code z = c * zLast + sqrt(1 - c^2) * N(0,1)}, and
 * {@code next = Phi(z)}: every draw is still exactly uniform, so "loss 5% 50%" loses 5% of
 * frames (mean burst about 1.3 frames instead of 1.05) and correlated jitter keeps its
 * standard deviation, while consecutive draws are correlated with coefficient c (in normal
 * space). With c = 0 it is a plain uniform draw.
 */
final class CorrelatedRandom {
  private static final double MAX_BELOW_ONE = 1 - 0x1.0p-53;
  private double last;

  CorrelatedRandom(SplittableRandom random) {
    last = random.nextDouble(); // netem seeds each state with a random value too
  }

  /** The next number in [0, 1) with correlation {@code c} (0..1) to the previous one. */
  double next(SplittableRandom random, double c) {
    double u = random.nextDouble();
    if (c == 0) {
      last = u;
      return u;
    }
    double z = c * Quantiles.normal(last) + Math.sqrt(1 - c * c) * Quantiles.normal(u);
    last = Math.min(Quantiles.normalCdf(z), MAX_BELOW_ONE);
    return last;
  }

  /** True with probability {@code p}, correlated by {@code c}; draws nothing when p is 0. */
  boolean event(SplittableRandom random, double p, double c) {
    return p > 0 && next(random, c) < p;
  }
}
