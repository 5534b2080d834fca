package emu.node.ospf;

import java.util.Arrays;

/**
 * An open-addressing map from long keys (prefix and mask) to non-negative int values, cleared by
 * a generation bump and grown by rehashing when over half full: {@link Spf}'s route index.
 */
final class LongIntMap {
  private long[] keys = new long[16];
  private int[] values = new int[16];
  private int[] stamp = new int[16];
  private int generation = 1;
  private int size;

  /** Empties the map, sized for {@code expected} keys. */
  void reset(int expected) {
    int cap = Integer.highestOneBit(Math.max(8, expected) * 2 - 1) << 1;
    if (cap > keys.length) {
      keys = new long[cap];
      values = new int[cap];
      stamp = new int[cap];
      generation = 0;
    }
    size = 0;
    if (++generation == Integer.MAX_VALUE) {
      Arrays.fill(stamp, 0);
      generation = 1;
    }
  }

  /** The value of {@code key}, -1 if absent. */
  int get(long key) {
    int mask = keys.length - 1;
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
      if (stamp[i] != generation) {
        return -1;
      }
      if (keys[i] == key) {
        return values[i];
      }
    }
  }

  /** Puts or replaces {@code key}'s value. */
  void put(long key, int value) {
    if (2 * (size + 1) > keys.length) {
      rehash();
    }
    int mask = keys.length - 1;
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
      if (stamp[i] != generation) {
        stamp[i] = generation;
        keys[i] = key;
        values[i] = value;
        size++;
        return;
      }
      if (keys[i] == key) {
        values[i] = value;
        return;
      }
    }
  }

  private void rehash() {
    long[] oldKeys = keys;
    int[] oldValues = values;
    int[] oldStamp = stamp;
    int oldGeneration = generation;
    keys = new long[oldKeys.length * 2];
    values = new int[keys.length];
    stamp = new int[keys.length];
    generation = 1;
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldStamp[i] == oldGeneration) {
        put(oldKeys[i], oldValues[i]);
      }
    }
  }

  private static int slot(long key, int mask) {
    long h = key * 0x9E37_79B9_7F4A_7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }
}
