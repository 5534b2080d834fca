package emu.node.ipv6;

import java.util.ArrayList;
import java.util.List;

/**
 * Entries of one prefix length keyed by the masked address: open addressing with linear
 * probing in parallel arrays (the two halves side by side, then the entry), so a probe reads
 * no object until it hits. Half full at most. Nothing is removed one by one: an entry whose
 * routes are all gone stays until the next rebuild, which keeps only the entries with routes.
 */
final class Ipv6PrefixMap {
  /** Longs per slot: the two halves, then what a search finds ({@link #probe}). */
  private static final int SLOT = 3;
  private static final long OCCUPIED = 1L << 32;
  private long[] keys = new long[SLOT * 8];
  private Ipv6Routes.Entry[] values = new Ipv6Routes.Entry[8];
  private int size;

  int size() {
    return size;
  }

  /** Both halves mixed, then MurmurHash3's 64-bit finaliser: short prefixes' low bits are all zero. */
  private static int hash(long hi, long lo) {
    long h = hi ^ Long.rotateLeft(lo * 0xC2B2_AE3D_27D4_EB4FL, 31);
    h = (h ^ (h >>> 33)) * 0xFF51_AFD7_ED55_8CCDL;
    h = (h ^ (h >>> 33)) * 0xC4CE_B9FE_1A85_EC53L;
    return (int) (h ^ (h >>> 33));
  }

  Ipv6Routes.Entry get(long hi, long lo) {
    int mask = values.length - 1;
    long[] k = keys;
    for (int i = hash(hi, lo) & mask; ; i = (i + 1) & mask) {
      Ipv6Routes.Entry e = values[i];
      if (e == null) {
        return null;
      }
      if (k[SLOT * i] == hi && k[SLOT * i + 1] == lo) {
        return e;
      }
    }
  }

  void put(Ipv6Routes.Entry e) {
    if (2 * (size + 1) > values.length) {
      Ipv6Routes.Entry[] old = values;
      keys = new long[SLOT * 2 * old.length];
      values = new Ipv6Routes.Entry[2 * old.length];
      size = 0;
      for (Ipv6Routes.Entry o : old) {
        if (o != null) {
          put(o);
        }
      }
    }
    int mask = values.length - 1;
    int i = hash(e.hi, e.lo) & mask;
    while (values[i] != null) {
      i = (i + 1) & mask;
    }
    keys[SLOT * i] = e.hi;
    keys[SLOT * i + 1] = e.lo;
    keys[SLOT * i + 2] = OCCUPIED; // the best matching prefix is filled in by the rebuild
    values[i] = e;
    size++;
  }

  /** Drops every marker-only entry, and what the search found in each slot. */
  void removeMarkers() {
    Ipv6Routes.Entry[] old = values;
    keys = new long[SLOT * old.length];
    values = new Ipv6Routes.Entry[old.length];
    size = 0;
    for (Ipv6Routes.Entry e : old) {
      if (e != null && e.real()) {
        put(e);
      }
    }
  }

  /**
   * What a search finds at {@code hi:lo}: 0 if nothing is there; else the number of the best
   * matching real prefix (the entry's own, or a marker's), in the low 32 bits (0 for none), with
   * bit 32 set. Reads one slot's three longs per step of the probe, and no object.
   */
  long probe(long hi, long lo) {
    int mask = values.length - 1;
    long[] k = keys;
    for (int i = hash(hi, lo) & mask; ; i = (i + 1) & mask) {
      int at = SLOT * i;
      long meta = k[at + 2];
      if (meta == 0) {
        return 0;
      }
      if (k[at] == hi && k[at + 1] == lo) {
        return meta;
      }
    }
  }

  /** Records the best matching prefix's number for {@code e}'s slot. */
  void found(Ipv6Routes.Entry e, int bestId) {
    int mask = values.length - 1;
    int i = hash(e.hi, e.lo) & mask;
    while (values[i] != e) {
      i = (i + 1) & mask;
    }
    keys[SLOT * i + 2] = OCCUPIED | bestId;
  }

  /** A snapshot of the entries (changes to the map do not disturb it). */
  List<Ipv6Routes.Entry> entries() {
    List<Ipv6Routes.Entry> all = new ArrayList<>(size);
    for (Ipv6Routes.Entry e : values) {
      if (e != null) {
        all.add(e);
      }
    }
    return all;
  }
}
