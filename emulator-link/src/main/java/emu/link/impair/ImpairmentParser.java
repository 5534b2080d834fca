package emu.link.impair;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads impairments from the words the topology file, the HTTP API and the CLI pass: a map
 * from parameter ({@code "delay"}) to value ({@code "20ms"}). Only the named parameters
 * change, so a user can add loss to a delayed link without restating the delay (containerlab's
 * netem command resets every value it is not given; we do not).
 *
 * <p>Every value must say its unit: {@code 20ms}, {@code 5%}, {@code 10mbit}. A bare number is
 * refused because tc reads one as microseconds (times) or bytes per second (rates); a bare
 * {@code 0} is accepted everywhere, since zero means the same in every unit. tc's {@code bps}
 * family means bytes per second and is refused as ambiguous. Errors are
 * {@link IllegalArgumentException}s whose message names the parameter, the value and what was
 * expected.
 */
public final class ImpairmentParser {
  /** Every parameter word, in the order {@link Impairment#toWords()} writes them. */
  public static final List<String> PARAMETERS = List.of(
      "delay", "jitter", "delay-correlation", "distribution",
      "loss", "loss-correlation", "loss-gemodel",
      "duplicate", "duplicate-correlation", "corrupt", "corrupt-correlation",
      "reorder", "reorder-correlation", "gap",
      "rate", "limit", "limit-bytes", "mtu", "down");

  /** Longest delay or jitter accepted; longer is surely a typo. */
  public static final long MAX_TIME_NANOS = 3_600_000_000_000L;
  /** Highest rate accepted, 1000 tbit/s. */
  public static final long MAX_RATE = 1_000_000_000_000_000L;

  private static final String NUMBER = "(\\d+(?:\\.\\d+)?)";
  private static final Pattern BARE = Pattern.compile(NUMBER);
  private static final Pattern TIME = Pattern.compile(NUMBER + "\\s*(ns|us|\u00b5s|ms|s)");
  private static final Pattern PERCENT = Pattern.compile(NUMBER + "\\s*%");
  private static final Pattern RATE = Pattern.compile(NUMBER + "\\s*([a-z]+)");
  private static final Pattern BYTES = Pattern.compile("(\\d+)\\s*([kmg]?)");
  private static final Pattern INTEGER = Pattern.compile("\\d+");

  private ImpairmentParser() {}

  /**
   * Returns {@code base} with only the parameters named in {@code words} changed. Setting
   * {@code loss} clears {@code loss-gemodel} and the other way round (naming both is an
   * error); setting any value to zero turns it off. The merged result is checked as a whole:
   * {@code reorder} needs a {@code delay}.
   *
   * @throws IllegalArgumentException naming the parameter, the bad value and what is expected
   */
  public static Impairment apply(Impairment base, Map<String, String> words) {
    if (words.containsKey("loss") && words.containsKey("loss-gemodel")) {
      throw new IllegalArgumentException("loss: cannot be set together with loss-gemodel; "
          + "choose random loss ('loss') or the Gilbert-Elliott model ('loss-gemodel')");
    }
    Draft d = new Draft(base);
    for (Map.Entry<String, String> e : words.entrySet()) {
      set(d, e.getKey(), e.getValue());
    }
    if (d.reorder > 0 && d.delay == 0) {
      throw new IllegalArgumentException("reorder: '" + Words.percent(d.reorder) + "' needs a delay: packets are "
          + "reordered by sending some without the delay the others get; set delay too, e.g. delay=10ms");
    }
    return d.build();
  }

  /** Parses one impairment from scratch: {@code apply(Impairment.NONE, words)}. */
  public static Impairment parse(Map<String, String> words) {
    return apply(Impairment.NONE, words);
  }

  private static void set(Draft d, String rawWord, String rawValue) {
    String word = rawWord == null ? "" : rawWord.trim().toLowerCase(Locale.ROOT);
    if (!PARAMETERS.contains(word)) {
      throw new IllegalArgumentException("unknown impairment parameter '" + rawWord + "'; allowed: "
          + String.join(", ", PARAMETERS));
    }
    if (rawValue == null || rawValue.isBlank()) {
      throw new IllegalArgumentException(word + ": no value given");
    }
    String v = rawValue.trim().toLowerCase(Locale.ROOT);
    switch (word) {
      case "delay" -> d.delay = time(word, v, rawValue);
      case "jitter" -> d.jitter = time(word, v, rawValue);
      case "delay-correlation" -> d.delayCorrelation = percent(word, v, rawValue);
      case "distribution" -> d.distribution = distribution(v, rawValue);
      case "loss" -> {
        d.loss = percent(word, v, rawValue);
        d.lossModel = null;
      }
      case "loss-correlation" -> d.lossCorrelation = percent(word, v, rawValue);
      case "loss-gemodel" -> {
        d.lossModel = gemodel(v, rawValue);
        d.loss = 0;
      }
      case "duplicate" -> d.duplicate = percent(word, v, rawValue);
      case "duplicate-correlation" -> d.duplicateCorrelation = percent(word, v, rawValue);
      case "corrupt" -> d.corrupt = percent(word, v, rawValue);
      case "corrupt-correlation" -> d.corruptCorrelation = percent(word, v, rawValue);
      case "reorder" -> d.reorder = percent(word, v, rawValue);
      case "reorder-correlation" -> d.reorderCorrelation = percent(word, v, rawValue);
      case "gap" -> d.gap = integer(word, v, rawValue, 0, "an integer >= 0 (0 or 1: every frame may be reordered)");
      case "rate" -> d.rate = rate(v, rawValue);
      case "limit" -> d.limit = integer(word, v, rawValue, 1, "a number of packets >= 1");
      case "limit-bytes" -> d.limitBytes = bytes(v, rawValue);
      case "mtu" -> d.mtu = mtu(v, rawValue);
      case "down" -> d.down = bool(word, v, rawValue);
      default -> throw new AssertionError(word);
    }
  }

  private static long time(String word, String v, String raw) {
    Matcher m = TIME.matcher(v);
    if (!m.matches()) {
      if (BARE.matcher(v).matches()) {
        if (isZero(v)) {
          return 0;
        }
        throw bad(word, raw, "has no unit; write '" + v + "ms' if you mean milliseconds "
            + "(tc would read a bare number as microseconds; units: ns, us, ms, s)");
      }
      throw bad(word, raw, "is not a time; expected a number with a unit (ns, us, ms, s), e.g. '20ms' or '1.5ms'");
    }
    long unit = switch (m.group(2)) {
      case "ns" -> 1L;
      case "us", "\u00b5s" -> 1_000L;
      case "ms" -> 1_000_000L;
      default -> 1_000_000_000L;
    };
    BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
    if (nanos.compareTo(BigDecimal.valueOf(MAX_TIME_NANOS)) > 0) {
      throw bad(word, raw, "is too long; expected a time between 0 and 3600s");
    }
    return nanos.setScale(0, RoundingMode.HALF_UP).longValueExact();
  }

  private static double percent(String word, String v, String raw) {
    Matcher m = PERCENT.matcher(v);
    if (!m.matches()) {
      if (BARE.matcher(v).matches()) {
        if (isZero(v)) {
          return 0;
        }
        throw bad(word, raw, "is not a percentage; write '" + v + "%' (between 0% and 100%)");
      }
      throw bad(word, raw, "is not a percentage between 0% and 100%");
    }
    BigDecimal pct = new BigDecimal(m.group(1));
    if (pct.compareTo(BigDecimal.valueOf(100)) > 0) {
      throw bad(word, raw, "is not a percentage between 0% and 100%");
    }
    return pct.movePointLeft(2).doubleValue();
  }

  private static Distribution distribution(String v, String raw) {
    Distribution d = Distribution.ofWord(v);
    if (d == null) {
      throw bad("distribution", raw, "is not a distribution; expected uniform, normal, pareto or paretonormal");
    }
    return d;
  }

  private static GilbertElliott gemodel(String v, String raw) {
    if (v.equals("none") || v.equals("off") || isZero(v)) {
      return null;
    }
    String[] parts = v.split("[\\s,]+");
    String expected = "; expected 'p [r [1-h [1-k]]]' as percentages, e.g. '1%' or '1% 30% 100% 0%'";
    if (parts.length > 4) {
      throw bad("loss-gemodel", raw, "has " + parts.length + " values" + expected);
    }
    String[] names = {"p", "r", "1-h", "1-k"};
    double[] x = new double[4];
    for (int i = 0; i < parts.length; i++) {
      try {
        x[i] = percent("loss-gemodel", parts[i], parts[i]);
      } catch (IllegalArgumentException e) {
        throw bad("loss-gemodel", raw, "is not valid: " + names[i] + " '" + parts[i]
            + "' is not a percentage between 0% and 100%" + expected);
      }
    }
    GilbertElliott ge = new GilbertElliott(x[0],
        parts.length > 1 ? x[1] : 1 - x[0],
        parts.length > 2 ? x[2] : 1,
        parts.length > 3 ? x[3] : 0);
    return ge.losesNothing() ? null : ge;
  }

  /**
   * A rate must be positive: a zero or negative rate is an error, not "unlimited", so that a
   * typo never silently removes a bottleneck. {@code none} (or {@code off}, {@code unlimited})
   * removes the rate limit.
   */
  private static long rate(String v, String raw) {
    String units = "a rate in bit, kbit, mbit, gbit or tbit (bits per second, 1000-based), e.g. '10mbit'";
    if (v.equals("none") || v.equals("off") || v.equals("unlimited")) {
      return 0;
    }
    Matcher m = RATE.matcher(v);
    if (!m.matches()) {
      if (v.startsWith("-")) {
        throw bad("rate", raw, "is negative; a rate must be more than 0 (write 'none' to remove the rate limit)");
      }
      if (BARE.matcher(v).matches()) {
        if (isZero(v)) {
          throw bad("rate", raw, "is zero; a rate must be more than 0 (write 'none' to remove the rate limit)");
        }
        throw bad("rate", raw, "has no unit; expected " + units);
      }
      throw bad("rate", raw, "is not " + units);
    }
    BigDecimal n = new BigDecimal(m.group(1));
    String unit = m.group(2);
    if (unit.endsWith("bps")) {
      String prefix = unit.substring(0, unit.length() - 3);
      throw new IllegalArgumentException("rate: '" + raw + "' is ambiguous (tc reads bps as bytes per second); write "
          + Words.plain(n) + prefix + "bit or " + Words.plain(n.multiply(BigDecimal.valueOf(8))) + prefix + "bit");
    }
    long scale = switch (unit) {
      case "bit" -> 1L;
      case "kbit" -> 1_000L;
      case "mbit" -> 1_000_000L;
      case "gbit" -> 1_000_000_000L;
      case "tbit" -> 1_000_000_000_000L;
      default -> throw bad("rate", raw, "is not " + units);
    };
    BigDecimal bits = n.multiply(BigDecimal.valueOf(scale));
    if (bits.signum() == 0) {
      throw bad("rate", raw, "is zero; a rate must be more than 0 (write 'none' to remove the rate limit)");
    }
    if (bits.compareTo(BigDecimal.ONE) < 0 || bits.compareTo(BigDecimal.valueOf(MAX_RATE)) > 0) {
      throw bad("rate", raw, "is out of range; expected a rate between 1bit and 1000tbit (or 'none' for no limit)");
    }
    return bits.setScale(0, RoundingMode.HALF_UP).longValueExact();
  }

  private static long bytes(String v, String raw) {
    Matcher m = BYTES.matcher(v);
    String expected = "is not a byte count; expected an integer with an optional k, m or g suffix (x1024), "
        + "e.g. '64k', or 0 for no byte limit";
    if (!m.matches() || m.group(1).length() > 15) {
      throw bad("limit-bytes", raw, expected);
    }
    int shift = switch (m.group(2)) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      default -> 0;
    };
    return Long.parseLong(m.group(1)) << shift;
  }

  private static int mtu(String v, String raw) {
    String expected = "is not an MTU; expected an integer between " + Impairment.MIN_MTU + " and "
        + Impairment.MAX_MTU + " (or 0 for the link's own)";
    int mtu = integer("mtu", v, raw, 0, expected.substring("is not an MTU; expected ".length()));
    if (mtu != 0 && (mtu < Impairment.MIN_MTU || mtu > Impairment.MAX_MTU)) {
      throw bad("mtu", raw, expected);
    }
    return mtu;
  }

  private static int integer(String word, String v, String raw, int min, String expected) {
    if (!INTEGER.matcher(v).matches() || v.length() > 9 || Integer.parseInt(v) < min) {
      throw bad(word, raw, "is not " + expected);
    }
    return Integer.parseInt(v);
  }

  private static boolean bool(String word, String v, String raw) {
    return switch (v) {
      case "true" -> true;
      case "false" -> false;
      default -> throw bad(word, raw, "is not true or false");
    };
  }

  private static boolean isZero(String v) {
    return BARE.matcher(v).matches() && new BigDecimal(v).signum() == 0;
  }

  private static IllegalArgumentException bad(String word, String raw, String what) {
    return new IllegalArgumentException(word + ": '" + raw + "' " + what);
  }

  /** The fields of an impairment while words are applied to it. */
  private static final class Draft {
    long delay;
    long jitter;
    double delayCorrelation;
    Distribution distribution;
    double loss;
    double lossCorrelation;
    GilbertElliott lossModel;
    double duplicate;
    double duplicateCorrelation;
    double corrupt;
    double corruptCorrelation;
    double reorder;
    double reorderCorrelation;
    int gap;
    long rate;
    int limit;
    long limitBytes;
    int mtu;
    boolean down;

    Draft(Impairment i) {
      delay = i.delayNanos();
      jitter = i.jitterNanos();
      delayCorrelation = i.delayCorrelation();
      distribution = i.distribution();
      loss = i.loss();
      lossCorrelation = i.lossCorrelation();
      lossModel = i.lossModel();
      duplicate = i.duplicate();
      duplicateCorrelation = i.duplicateCorrelation();
      corrupt = i.corrupt();
      corruptCorrelation = i.corruptCorrelation();
      reorder = i.reorder();
      reorderCorrelation = i.reorderCorrelation();
      gap = i.reorderGap();
      rate = i.rateBitsPerSecond();
      limit = i.limitPackets();
      limitBytes = i.limitBytes();
      mtu = i.mtu();
      down = i.down();
    }

    Impairment build() {
      return new Impairment(delay, jitter, delayCorrelation, distribution, loss, lossCorrelation, lossModel,
          duplicate, duplicateCorrelation, corrupt, corruptCorrelation, reorder, reorderCorrelation, gap,
          rate, limit, limitBytes, mtu, down);
    }
  }
}
