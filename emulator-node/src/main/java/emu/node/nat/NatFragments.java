package emu.node.nat;

import java.util.concurrent.TimeUnit;

/**
 * The inside address of datagrams whose first fragment was translated, so that their later
 * fragments (without ports) can follow: a small direct-mapped table, entries living 30 s
 * (Linux's ipfrag_time), overwritten on collision. No allocation.
 */
final class NatFragments {
  private static final int SLOTS = 256;
  private static final long LIFETIME = TimeUnit.SECONDS.toNanos(30);
  private final long[] addrs = new long[SLOTS];
  private final int[] idents = new int[SLOTS];
  private final int[] inside = new int[SLOTS];
  private final long[] expires = new long[SLOTS];

  void put(int remote, int outside, int ident, int proto, int insideAddr, long now) {
    int i = slot(remote, outside, ident, proto);
    addrs[i] = ((long) remote << 32) | (outside & 0xFFFF_FFFFL);
    idents[i] = (ident << 8) | proto;
    inside[i] = insideAddr;
    expires[i] = now + LIFETIME;
  }

  /** The inside address of a later fragment from {@code src} to {@code dst}, or 0. */
  int find(int src, int dst, int ident, int proto, long now) {
    int i = slot(src, dst, ident, proto);
    if (addrs[i] == (((long) src << 32) | (dst & 0xFFFF_FFFFL)) && idents[i] == ((ident << 8) | proto)
        && expires[i] - now > 0) {
      return inside[i];
    }
    return 0;
  }

  private static int slot(int a, int b, int ident, int proto) {
    int h = a * 31 + b;
    h = h * 31 + ident * 257 + proto;
    h ^= h >>> 16;
    return h & (SLOTS - 1);
  }
}
