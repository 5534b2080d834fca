package emu.node.bridge;

import emu.link.time.TimeSource;
import emu.node.config.StormSettings;
import emu.node.stack.TokenBucket;
import java.util.Locale;

/**
 * Storm control on one switch port, as switch vendors offer it ({@code storm-control broadcast
 * level pps 1000}): ingress policing of broadcast, multicast and unknown-unicast frames, each
 * class with its own token bucket on the node's clock, so that a loop with spanning tree off (or
 * a host gone mad) degrades the network instead of stalling the switch. A frame over its class's
 * rate is dropped and counted; known unicast and BPDUs are never policed (a policed BPDU could
 * open a loop). Each bucket holds one second's worth of its rate, as vendors measure the rate
 * over one-second intervals: up to the rate passes at once after a quiet second, then the rate.
 * Admitting a frame allocates nothing.
 */
public final class StormControl {
  /** The classes of frames policed, as the topology file names them. */
  public enum Kind {
    BROADCAST, MULTICAST, UNKNOWN_UNICAST;

    private static final Kind[] ALL = values();

    /** "broadcast", "multicast", "unknown-unicast". */
    public String word() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** All the kinds (one shared array: callers must not change it). */
    public static Kind[] all() {
      return ALL;
    }
  }

  private final StormSettings settings;
  private final TokenBucket[] buckets = new TokenBucket[3];
  private final long[] drops = new long[3];

  public StormControl(TimeSource time, StormSettings settings) {
    this.settings = settings;
    Long[] rates = {settings.broadcast(), settings.multicast(), settings.unknownUnicast()};
    for (int i = 0; i < rates.length; i++) {
      if (rates[i] != null) {
        buckets[i] = new TokenBucket(time, rates[i], rates[i]);
      }
    }
  }

  /** True if a frame of {@code kind} may come in now; false: it is over the rate, dropped and counted. */
  public boolean admit(Kind kind) {
    TokenBucket b = buckets[kind.ordinal()];
    if (b == null || b.take()) {
      return true;
    }
    drops[kind.ordinal()]++;
    return false;
  }

  /** Frames of {@code kind} dropped for being over the rate. */
  public long drops(Kind kind) {
    return drops[kind.ordinal()];
  }

  /** The rate of {@code kind} in frames a second, or null if it is not policed. */
  public Long rate(Kind kind) {
    return switch (kind) {
      case BROADCAST -> settings.broadcast();
      case MULTICAST -> settings.multicast();
      case UNKNOWN_UNICAST -> settings.unknownUnicast();
    };
  }
}
