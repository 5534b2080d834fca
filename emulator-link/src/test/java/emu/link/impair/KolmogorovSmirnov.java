package emu.link.impair;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;

/**
 * The one-sample Kolmogorov-Smirnov test, for checking observed delays against the configured
 * distribution: the statistic D = sup |F_n(x) - F(x)| and its asymptotic p-value
 * Q_KS((sqrt(n) + 0.12 + 0.11 / sqrt(n)) D), with Q_KS(l) = 2 sum_{j>=1} (-1)^(j-1) e^(-2 j^2 l^2)
 * (Numerical Recipes in C, 2nd ed., section 14.3, eqs. 14.3.7 and 14.3.9; the small-n
 * correction is Stephens 1970). Independent samples only: correlated ones make the test
 * meaningless, so correlated delays are thinned first.
 */
final class KolmogorovSmirnov {
  private KolmogorovSmirnov() {}

  /** D for {@code samples} against the continuous (or right-continuous) CDF {@code cdf}. */
  static double statistic(double[] samples, DoubleUnaryOperator cdf) {
    double[] x = samples.clone();
    Arrays.sort(x);
    int n = x.length;
    double d = 0;
    for (int i = 0; i < n; i++) {
      double f = cdf.applyAsDouble(x[i]);
      d = Math.max(d, Math.max((i + 1) / (double) n - f, f - i / (double) n));
    }
    return d;
  }

  /** The probability of a statistic at least {@code d} from {@code n} samples if they follow the CDF. */
  static double pValue(int n, double d) {
    double sqrtN = Math.sqrt(n);
    double lambda = (sqrtN + 0.12 + 0.11 / sqrtN) * d;
    if (lambda < 0.2) {
      return 1; // the series converges slowly there and is 1 to 9 digits
    }
    double sum = 0;
    double sign = 1;
    for (int j = 1; j <= 100; j++) {
      double term = sign * Math.exp(-2 * j * j * lambda * lambda);
      sum += term;
      if (Math.abs(term) < 1e-16 * Math.abs(sum)) {
        break;
      }
      sign = -sign;
    }
    return Math.min(1, Math.max(0, 2 * sum));
  }

  static double pValue(double[] samples, DoubleUnaryOperator cdf) {
    return pValue(samples.length, statistic(samples, cdf));
  }
}
