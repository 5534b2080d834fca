package emu.node.apps.load;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Latencies of a load test (dnsperf, udpperf, httpsperf): count, mean, standard deviation,
 * minimum and maximum exactly, and percentiles from the samples. Up to {@link #MAX_SAMPLES}
 * samples are kept; beyond that a uniform reservoir of that many (Vitter's algorithm R), so a
 * long run keeps bounded memory and its percentiles stay unbiased. Not thread-safe: one
 * command, one event loop.
 */
final class LatencyStats {
  static final int MAX_SAMPLES = 1 << 20;

  private long[] samples = new long[1024];
  private int kept;
  private long count;
  private double sum;
  private double sumSquares;
  private long min = Long.MAX_VALUE;
  private long max = Long.MIN_VALUE;
  private final SplittableRandom reservoir = new SplittableRandom(0x5EED);
  private boolean sorted;

  void add(long nanos) {
    count++;
    sum += nanos;
    sumSquares += (double) nanos * nanos;
    min = Math.min(min, nanos);
    max = Math.max(max, nanos);
    sorted = false;
    if (kept < MAX_SAMPLES) {
      if (kept == samples.length) {
        samples = Arrays.copyOf(samples, Math.min(MAX_SAMPLES, samples.length * 2));
      }
      samples[kept++] = nanos;
    } else {
      long j = reservoir.nextLong(count);
      if (j < MAX_SAMPLES) {
        samples[(int) j] = nanos;
      }
    }
  }

  long count() {
    return count;
  }

  /** Nanoseconds; 0 when empty. */
  long min() {
    return count == 0 ? 0 : min;
  }

  long max() {
    return count == 0 ? 0 : max;
  }

  double mean() {
    return count == 0 ? 0 : sum / count;
  }

  /** Population standard deviation, as dnsperf prints it. */
  double stddev() {
    if (count == 0) {
      return 0;
    }
    double m = mean();
    return Math.sqrt(Math.max(0, sumSquares / count - m * m));
  }

  /** The {@code p}-th percentile (0 to 100), nearest rank; 0 when empty. */
  long percentile(double p) {
    if (kept == 0) {
      return 0;
    }
    if (!sorted) {
      Arrays.sort(samples, 0, kept);
      sorted = true;
    }
    int rank = (int) Math.ceil(p / 100.0 * kept);
    return samples[Math.min(kept - 1, Math.max(0, rank - 1))];
  }

  static String seconds(double nanos) {
    return String.format(Locale.ROOT, "%.6f", nanos / 1e9);
  }

  static String millis(double nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
  }
}
