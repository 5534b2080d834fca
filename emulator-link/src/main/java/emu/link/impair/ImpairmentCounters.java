package emu.link.impair;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the impairment did to the frames sent through one {@link ImpairedEndpoint}. Plain
 * fields, written only by the owning event loop. Frames sent while the impairment is
 * {@link Impairment#isNone() none} pass straight through and are not counted here (the inner
 * endpoint's {@link emu.link.LinkCounters} still count them).
 */
public final class ImpairmentCounters {
  /** Frames offered to the impairment (duplicates not included). */
  public long frames;
  /** Bytes offered to the impairment. */
  public long bytes;
  /** Frames handed to the inner endpoint, duplicates included. */
  public long sent;
  /** Dropped by random or Gilbert-Elliott loss. */
  public long lossDrops;
  /** Dropped because the link was down. */
  public long downDrops;
  /** Dropped because the rate queue was full (or the delay line reached its safety cap). */
  public long queueDrops;
  /** Dropped because they were longer than the impairment's MTU allows. */
  public long mtuDrops;
  /** Extra copies sent. */
  public long duplicated;
  /** Frames with one bit flipped. */
  public long corrupted;
  /** Frames sent at once, ahead of frames delayed before them. */
  public long reordered;
  /** Frames that waited (delay, jitter or rate) before being sent. */
  public long delayed;

  /** Frames dropped for any reason. */
  public long drops() {
    return lossDrops + downDrops + queueDrops + mtuDrops;
  }

  /** The counters under snake_case names, for metrics and the management API. */
  public Map<String, Long> asMap() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("frames", frames);
    m.put("bytes", bytes);
    m.put("sent", sent);
    m.put("loss_drops", lossDrops);
    m.put("down_drops", downDrops);
    m.put("queue_drops", queueDrops);
    m.put("mtu_drops", mtuDrops);
    m.put("duplicated", duplicated);
    m.put("corrupted", corrupted);
    m.put("reordered", reordered);
    m.put("delayed", delayed);
    return m;
  }

  @Override
  public String toString() {
    return "ImpairmentCounters" + asMap();
  }
}
