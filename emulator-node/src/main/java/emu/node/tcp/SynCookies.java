package emu.node.tcp;

/**
 * SYN cookies (RFC 4987 3.6, as Linux's {@code tcp_syncookies=1}): when a listener's backlog
 * of half-open connections is full, the SYN-ACK's initial sequence number carries everything
 * needed to finish the handshake, and no state is kept. The cookie is a keyed hash (the node's
 * SipHash key, from its secrets) of the 4-tuple, the peer's ISN and a 64-second time slot; its
 * low 3 bits, masked by more of the hash, index {@link #MSS_TABLE}. The ACK that returns it
 * (SEG.ACK - 1) is valid in the slot it was made and the next one, so for 64 to 128 s.
 *
 * <p>Only the MSS survives (as an index into Linux's table); window scaling, SACK and timestamps
 * are not offered in a cookie SYN-ACK, so a connection made from a cookie runs without them
 * (Linux hides them in the timestamp; we do not: cookies are for overload, not for speed).
 * Allocation-free.
 */
final class SynCookies {
  /** The MSS values a cookie can carry: Linux's msstab for IPv4. */
  static final int[] MSS_TABLE = {536, 1300, 1440, 1460};
  /** One time slot: 64 s, as Linux's cookie counter. */
  static final long SLOT_NANOS = 64_000_000_000L;
  /** Distinguishes the cookie's hash from the ISN's and the port offset's, which share the key. */
  private static final long TAG = 0x5C00_C1E5_0000_0000L;

  private SynCookies() { }

  /** The time slot of {@code nanos}. */
  static long slot(long nanos) {
    return Math.floorDiv(nanos, SLOT_NANOS);
  }

  /** The largest table entry not above the peer's MSS (the first if the peer's is smaller). */
  static int mssIndex(int peerMss) {
    int i = MSS_TABLE.length - 1;
    while (i > 0 && MSS_TABLE[i] > peerMss) {
      i--;
    }
    return i;
  }

  /**
   * The first hash, over the tuple and the peer's ISN; {@code addresses} is the tuple's
   * addresses as {@link TcpLayer} folds them for its keyed hashes.
   */
  static long tupleHash(SipHash h, long addresses, int ourPort, int peerPort, int peerIsn) {
    long ports = ((long) (ourPort & 0xFFFF) << 48) | ((long) (peerPort & 0xFFFF) << 32) | (peerIsn & 0xFFFF_FFFFL);
    return h.hash(addresses, ports);
  }

  /** The cookie for {@code tuple} (from {@link #tupleHash}) in {@code slot}, carrying MSS index {@code mssIndex}. */
  static int make(SipHash h, long tuple, long slot, int mssIndex) {
    long y = h.hash(tuple, TAG ^ slot);
    return ((int) y & ~7) | (((int) (y >>> 32) ^ mssIndex) & 7);
  }

  /**
   * The MSS index {@code cookie} carries if it was made for {@code tuple} in slot {@code now} or
   * the one before, else -1 (forged, for another tuple or peer ISN, or too old).
   */
  static int check(SipHash h, long tuple, long now, int cookie) {
    for (long slot = now; slot >= now - 1; slot--) {
      long y = h.hash(tuple, TAG ^ slot);
      if (((int) y & ~7) == (cookie & ~7)) {
        int index = (cookie ^ (int) (y >>> 32)) & 7;
        return index < MSS_TABLE.length ? index : -1;
      }
    }
    return -1;
  }
}
