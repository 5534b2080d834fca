package emu.node.bridge;

import emu.node.config.StormSettings;
import java.util.Locale;

/**
 * Storm control on one switch port, as switch vendors offer it ({@code storm-control broadcast
 * level pps 1000}): ingress policing of broadcast, multicast and unknown-unicast frames, each
 * class counted on its own, so that a loop with spanning tree off (or a host gone mad) degrades
 * the network instead of stalling the switch. As Cisco's Catalysts do, each class is counted over
 * one-second intervals of the node's clock: the frames past the level in an interval are dropped
 * and counted, and the next interval starts from zero. So at most the level passes in any one
 * interval, also right after a quiet spell (a token bucket holding one second's worth would pass
 * up to twice the level in the first second). An interval starts with the first frame of its class
 * after the last one ended. Known unicast is never policed; frames to the BPDU address reach this
 * only on a switch without spanning tree, which floods them like any multicast: they are policed
 * as multicast (Catalysts count BPDUs in storm-control multicast too), since unpoliced they would
 * circle a loop of such switches for ever. Admitting a frame allocates nothing.
 */
public final class StormControl {
  private static final long SECOND_NANOS = 1_000_000_000L;

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
  /** Each class's level in frames a second; 0: not policed (a set level is at least 1). */
  private final long[] levels = new long[3];
  private final long[] intervalStarts = new long[3];
  private final long[] counts = new long[3];
  private final long[] drops = new long[3];

  public StormControl(StormSettings settings) {
    this.settings = settings;
    Long[] rates = {settings.broadcast(), settings.multicast(), settings.unknownUnicast()};
    for (int i = 0; i < rates.length; i++) {
      levels[i] = rates[i] == null ? 0 : rates[i];
    }
  }

  /**
   * True if a frame of {@code kind} coming in at {@code nowNanos} (the node's clock) may pass;
   * false: it is past the level in this one-second interval, dropped and counted.
   */
  public boolean admit(Kind kind, long nowNanos) {
    int i = kind.ordinal();
    long level = levels[i];
    if (level == 0) {
      return true;
    }
    if (counts[i] == 0 || nowNanos - intervalStarts[i] >= SECOND_NANOS) {
      intervalStarts[i] = nowNanos;
      counts[i] = 0;
    }
    if (counts[i] < level) {
      counts[i]++;
      return true;
    }
    drops[i]++;
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
