package emu.link.impair;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a link does to the frames it sends, in tc-netem's terms: delay and jitter, loss (random
 * or Gilbert-Elliott), duplication, corruption, reordering, a rate limit with its queue, an
 * MTU, and a switch that takes the link down. Immutable; {@link ImpairmentParser} builds one
 * from the words users write, {@link #toWords()} turns it back into them.
 *
 * <p>Units: times in nanoseconds, probabilities and correlations as fractions 0..1, rate in
 * bits per second (0 = unlimited), {@code limitPackets} / {@code limitBytes} bound the rate
 * queue only (see {@link ImpairedEndpoint}), {@code mtu} 0 means the link's own.
 *
 * @param lossModel Gilbert-Elliott loss; null for random loss with {@code loss}
 */
public record Impairment(long delayNanos, long jitterNanos, double delayCorrelation, Distribution distribution,
    double loss, double lossCorrelation, GilbertElliott lossModel,
    double duplicate, double duplicateCorrelation, double corrupt, double corruptCorrelation,
    double reorder, double reorderCorrelation, int reorderGap,
    long rateBitsPerSecond, int limitPackets, long limitBytes,
    int mtu, boolean down) {

  /** netem's default queue limit, in packets. */
  public static final int DEFAULT_LIMIT_PACKETS = 1000;
  /** Smallest and largest MTU a user may set (68 is IPv4's minimum). */
  public static final int MIN_MTU = 68;
  public static final int MAX_MTU = 65000;

  /** A perfect link: nothing delayed, changed or dropped. */
  public static final Impairment NONE = new Impairment(0, 0, 0, Distribution.UNIFORM, 0, 0, null,
      0, 0, 0, 0, 0, 0, 0, 0, DEFAULT_LIMIT_PACKETS, 0, 0, false);

  /** Checks ranges (programming errors); {@link ImpairmentParser} reports user errors in words first. */
  public Impairment {
    if (delayNanos < 0 || jitterNanos < 0) {
      throw new IllegalArgumentException("delay and jitter must be >= 0: " + delayNanos + ", " + jitterNanos);
    }
    if (distribution == null) {
      throw new IllegalArgumentException("distribution must not be null");
    }
    requireProbability("delayCorrelation", delayCorrelation);
    requireProbability("loss", loss);
    requireProbability("lossCorrelation", lossCorrelation);
    requireProbability("duplicate", duplicate);
    requireProbability("duplicateCorrelation", duplicateCorrelation);
    requireProbability("corrupt", corrupt);
    requireProbability("corruptCorrelation", corruptCorrelation);
    requireProbability("reorder", reorder);
    requireProbability("reorderCorrelation", reorderCorrelation);
    if (reorderGap < 0 || rateBitsPerSecond < 0 || limitPackets < 1 || limitBytes < 0) {
      throw new IllegalArgumentException("need gap >= 0, rate >= 0, limit >= 1, limit-bytes >= 0: "
          + reorderGap + ", " + rateBitsPerSecond + ", " + limitPackets + ", " + limitBytes);
    }
    if (mtu != 0 && (mtu < MIN_MTU || mtu > MAX_MTU)) {
      throw new IllegalArgumentException("mtu must be 0 or " + MIN_MTU + ".." + MAX_MTU + ": " + mtu);
    }
  }

  static void requireProbability(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be a probability in 0..1: " + value);
    }
  }

  /**
   * True when no frame would be changed, delayed or dropped, so the endpoint can hand frames
   * straight through. Correlations, distribution, gap and queue limits alone change nothing
   * (limits bound only the rate queue, which exists only with a rate).
   */
  public boolean isNone() {
    return delayNanos == 0 && jitterNanos == 0 && loss == 0
        && (lossModel == null || lossModel.losesNothing())
        && duplicate == 0 && corrupt == 0 && reorder == 0
        && rateBitsPerSecond == 0 && mtu == 0 && !down;
  }

  /**
   * The parameters that differ from {@link #NONE}, in netem words and in the order of
   * {@link ImpairmentParser#PARAMETERS}, e.g. {@code {delay=20ms, jitter=5ms, loss=5%}}.
   * {@code ImpairmentParser.apply(NONE, toWords())} gives back an equal impairment.
   */
  public Map<String, String> toWords() {
    Map<String, String> w = new LinkedHashMap<>();
    if (delayNanos != 0) {
      w.put("delay", Words.time(delayNanos));
    }
    if (jitterNanos != 0) {
      w.put("jitter", Words.time(jitterNanos));
    }
    putPercent(w, "delay-correlation", delayCorrelation);
    if (distribution != Distribution.UNIFORM) {
      w.put("distribution", distribution.word());
    }
    putPercent(w, "loss", loss);
    putPercent(w, "loss-correlation", lossCorrelation);
    if (lossModel != null) {
      w.put("loss-gemodel", Words.percent(lossModel.p()) + " " + Words.percent(lossModel.r()) + " "
          + Words.percent(lossModel.oneMinusH()) + " " + Words.percent(lossModel.oneMinusK()));
    }
    putPercent(w, "duplicate", duplicate);
    putPercent(w, "duplicate-correlation", duplicateCorrelation);
    putPercent(w, "corrupt", corrupt);
    putPercent(w, "corrupt-correlation", corruptCorrelation);
    putPercent(w, "reorder", reorder);
    putPercent(w, "reorder-correlation", reorderCorrelation);
    if (reorderGap != 0) {
      w.put("gap", Integer.toString(reorderGap));
    }
    if (rateBitsPerSecond != 0) {
      w.put("rate", Words.rate(rateBitsPerSecond));
    }
    if (limitPackets != DEFAULT_LIMIT_PACKETS) {
      w.put("limit", Integer.toString(limitPackets));
    }
    if (limitBytes != 0) {
      w.put("limit-bytes", Words.bytes(limitBytes));
    }
    if (mtu != 0) {
      w.put("mtu", Integer.toString(mtu));
    }
    if (down) {
      w.put("down", "true");
    }
    return w;
  }

  private static void putPercent(Map<String, String> w, String word, double p) {
    if (p != 0) {
      w.put(word, Words.percent(p));
    }
  }

  @Override
  public String toString() {
    return "Impairment" + toWords();
  }
}
