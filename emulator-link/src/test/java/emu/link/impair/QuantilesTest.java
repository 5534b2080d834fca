package emu.link.impair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The jitter shapes' exact moments (by integration over u, no sampling) and the normal CDF/quantile pair. */
class QuantilesTest {
  private static double[] moments(Distribution d) {
    int n = 1 << 20;
    double sum = 0;
    double sumSq = 0;
    for (int i = 0; i < n; i++) {
      double v = d.deviation((i + 0.5) / n);
      sum += v;
      sumSq += v * v;
    }
    double mean = sum / n;
    return new double[] {mean, Math.sqrt(sumSq / n - mean * mean)};
  }

  @Test
  void everyShapeHasMeanZeroAndTheDocumentedSpread() {
    assertEquals(0, moments(Distribution.UNIFORM)[0], 1e-9);
    assertEquals(1 / Math.sqrt(3), moments(Distribution.UNIFORM)[1], 1e-6);
    for (Distribution d : new Distribution[] {Distribution.NORMAL, Distribution.PARETO, Distribution.PARETONORMAL}) {
      double[] m = moments(d);
      assertEquals(0, m[0], 1e-3, d + " mean");
      assertEquals(1, m[1], 2e-3, d + " sd");
    }
  }

  @Test
  void paretoIsBoundedBelowAndCutAboveAtTheDocumentedPercentile() {
    double low = Quantiles.pareto(0);
    double cap = Quantiles.pareto(1 - Quantiles.PARETO_TAIL);
    assertTrue(low > -0.7 && low < -0.5, "low " + low);
    assertTrue(cap > 20 && cap < 30, "cap " + cap);
    assertEquals(cap, Quantiles.pareto(1 - 1e-9));
  }

  @Test
  void normalCdfInvertsTheQuantile() {
    for (double u = 1e-6; u < 1; u += 0.0137) {
      assertEquals(u, Quantiles.normalCdf(Quantiles.normal(u)), 2e-7 * Math.max(u, 1e-3));
    }
    assertEquals(0.5, Quantiles.normalCdf(0), 1e-7);
    assertEquals(0.975, Quantiles.normalCdf(1.959964), 1e-6);
    assertEquals(-1.644854, Quantiles.normal(0.05), 1e-6);
  }
}
