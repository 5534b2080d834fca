package emu.node.stack;

import java.util.function.IntPredicate;
import java.util.random.RandomGenerator;

/**
 * Ephemeral ports as Linux draws them by default: 32768-60999 ({@code ip_local_port_range}),
 * from a random start, the first free one (RFC 6056 algorithm 1).
 */
public final class EphemeralPorts {
  public static final int LOW = 32768;
  public static final int HIGH = 60999;

  private EphemeralPorts() {}

  /** A port for which {@code taken} is false, or -1 if every one is taken. */
  public static int pick(RandomGenerator random, IntPredicate taken) {
    int range = HIGH - LOW + 1;
    int start = random.nextInt(range);
    for (int i = 0; i < range; i++) {
      int p = LOW + (start + i) % range;
      if (!taken.test(p)) {
        return p;
      }
    }
    return -1;
  }
}
