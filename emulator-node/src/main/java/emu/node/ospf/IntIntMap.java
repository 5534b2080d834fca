package emu.node.ospf;

import java.util.Arrays;

/**
 * An open-addressing map from int keys to non-negative int values, cleared in O(1) by bumping a
 * generation instead of wiping its arrays: what {@link Spf} indexes router IDs and network IDs
 * by, with no boxing and no allocation once grown.
 */
final class IntIntMap {
  private int[] keys = new int[16];
  private int[] values = new int[16];
  private int[] stamp = new int[16];
  private int generation = 1;
  private int mask = 15;

  /** Empties the map, sized for {@code expected} keys at a load of at most one half. */
  void reset(int expected) {
    int cap = Integer.highestOneBit(Math.max(8, expected) * 2 - 1) << 1;
    if (cap > keys.length) {
      keys = new int[cap];
      values = new int[cap];
      stamp = new int[cap];
      generation = 0;
    }
    mask = keys.length - 1;
    if (++generation == Integer.MAX_VALUE) {
      Arrays.fill(stamp, 0);
      generation = 1;
    }
  }

  /** The value of {@code key}, -1 if absent. */
  int get(int key) {
    for (int i = slot(key); ; i = (i + 1) & mask) {
      if (stamp[i] != generation) {
        return -1;
      }
      if (keys[i] == key) {
        return values[i];
      }
    }
  }

  /** Puts {@code key} unless present; the caller keeps the load under a half by {@link #reset}. */
  void putIfAbsent(int key, int value) {
    for (int i = slot(key); ; i = (i + 1) & mask) {
      if (stamp[i] != generation) {
        stamp[i] = generation;
        keys[i] = key;
        values[i] = value;
        return;
      }
      if (keys[i] == key) {
        return;
      }
    }
  }

  private int slot(int key) {
    return (key * 0x9E37_79B9 ^ (key >>> 16)) & mask;
  }
}
