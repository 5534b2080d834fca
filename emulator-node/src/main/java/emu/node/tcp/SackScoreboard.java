package emu.node.tcp;

import emu.node.wire.TcpOptions;
import java.util.Arrays;

/**
 * The sender's record of SACKed data (RFC 6675 section 3): sorted, disjoint sequence ranges
 * above SND.UNA that the receiver reported holding. Gives RFC 6675's IsLost (as a boundary:
 * every un-SACKed byte below it is lost), pipe, and the pieces NextSeg needs.
 *
 * <p>IsLost(S), with DupThresh = 3: true when more than (DupThresh - 1) * SMSS bytes above S
 * have been SACKed, or when DupThresh separate SACKed ranges lie above S. Both only grow as S
 * goes down, so there is a boundary L below which every un-SACKed byte is lost; it is computed
 * once per ACK instead of per segment.
 */
final class SackScoreboard {
  static final int DUP_THRESH = 3;

  private int[] start = new int[16];
  private int[] end = new int[16];
  private int count;

  int ranges() {
    return count;
  }

  boolean isEmpty() {
    return count == 0;
  }

  void clear() {
    count = 0;
  }

  /**
   * Update() of RFC 6675: adds the SACK blocks of an ACK. Blocks at or below SND.UNA (D-SACK)
   * or beyond what was sent are ignored. Returns the number of bytes newly SACKed.
   */
  int update(int sndUna, int sndMax, TcpOptions opts) {
    int before = sackedBytes();
    for (int b = 0; b < opts.sackCount(); b++) {
      int l = opts.sackLeft(b);
      int r = opts.sackRight(b);
      if (!SeqNum.lt(l, r) || !SeqNum.gt(r, sndUna) || SeqNum.gt(r, sndMax)) {
        continue;
      }
      add(SeqNum.max(l, sndUna), r);
    }
    return sackedBytes() - before;
  }

  /** The cumulative ACK moved to {@code sndUna}: forget what is below it. */
  void ackTo(int sndUna) {
    int w = 0;
    for (int i = 0; i < count; i++) {
      if (SeqNum.le(end[i], sndUna)) {
        continue;
      }
      start[w] = SeqNum.max(start[i], sndUna);
      end[w] = end[i];
      w++;
    }
    count = w;
  }

  int sackedBytes() {
    int n = 0;
    for (int i = 0; i < count; i++) {
      n += end[i] - start[i];
    }
    return n;
  }

  /** SACKed bytes within {@code [from, to)}. */
  int sackedIn(int from, int to) {
    int n = 0;
    for (int i = 0; i < count; i++) {
      int s = SeqNum.max(start[i], from);
      int e = SeqNum.min(end[i], to);
      if (SeqNum.lt(s, e)) {
        n += e - s;
      }
    }
    return n;
  }

  /** If {@code seq} is SACKed, the end of its range; else {@code seq}. */
  int skipSacked(int seq) {
    for (int i = 0; i < count; i++) {
      if (SeqNum.le(start[i], seq) && SeqNum.lt(seq, end[i])) {
        return end[i];
      }
    }
    return seq;
  }

  /** The start of the first SACKed range after {@code seq}, or {@code limit} if none is before it. */
  int nextSackedStart(int seq, int limit) {
    int best = limit;
    for (int i = 0; i < count; i++) {
      if (SeqNum.gt(start[i], seq) && SeqNum.lt(start[i], best)) {
        best = start[i];
      }
    }
    return best;
  }

  /** The end of the highest SACKed range, or {@code sndUna} if none. */
  int highestSacked(int sndUna) {
    return count == 0 ? sndUna : end[count - 1];
  }

  /** The first un-SACKed sequence number at or after {@code seq}. */
  int firstUnsacked(int seq) {
    int s = seq;
    for (int i = 0; i < count; i++) {
      if (SeqNum.le(start[i], s) && SeqNum.lt(s, end[i])) {
        s = end[i];
      }
    }
    return s;
  }

  /** The highest un-SACKed sequence number below {@code sndMax} (exclusive end of it), or sndUna. */
  int highestUnsackedEnd(int sndUna, int sndMax) {
    int e = sndMax;
    for (int i = count - 1; i >= 0; i--) {
      if (end[i] == e) {
        e = start[i];
      }
    }
    return SeqNum.max(e, sndUna);
  }

  /**
   * IsLost as a boundary: un-SACKed bytes below the returned sequence number are lost. Returns
   * {@code sndUna} (nothing lost) when there is not enough SACK information.
   */
  int lostBoundary(int sndUna, int smss) {
    int bound = sndUna;
    long limit = (long) (DUP_THRESH - 1) * smss;
    long above = 0;
    for (int i = count - 1; i >= 0; i--) {
      long len = end[i] - start[i];
      if (above + len > limit) {
        // x in [start, end): SACKed bytes at or above x = above + (end - x) > limit for x < end + above - limit
        bound = SeqNum.max(bound, (int) (end[i] + above - limit));
        break;
      }
      above += len;
    }
    if (count >= DUP_THRESH) {
      bound = SeqNum.max(bound, start[count - DUP_THRESH]);
    }
    return bound;
  }

  /**
   * SetPipe() of RFC 6675: for every un-SACKed byte between SND.UNA and SND.MAX, one if it is
   * not lost and one more if it was retransmitted in this recovery (below {@code highRxt}).
   */
  long pipe(int sndUna, int sndMax, int highRxt, int lost) {
    int notLostFrom = SeqNum.max(lost, sndUna);
    long p = 0;
    if (SeqNum.lt(notLostFrom, sndMax)) {
      p += (sndMax - notLostFrom) - sackedIn(notLostFrom, sndMax);
    }
    int rxtEnd = SeqNum.min(highRxt, sndMax);
    if (SeqNum.lt(sndUna, rxtEnd)) {
      p += (rxtEnd - sndUna) - sackedIn(sndUna, rxtEnd);
    }
    return p;
  }

  private void add(int s, int e) {
    // Merge with every range it overlaps or touches, keeping the array sorted.
    int i = 0;
    while (i < count && SeqNum.lt(end[i], s)) {
      i++;
    }
    int j = i;
    while (j < count && SeqNum.le(start[j], e)) {
      s = SeqNum.min(s, start[j]);
      e = SeqNum.max(e, end[j]);
      j++;
    }
    int removed = j - i;
    if (removed == 0) {
      if (count == start.length) {
        start = Arrays.copyOf(start, count * 2);
        end = Arrays.copyOf(end, count * 2);
      }
      System.arraycopy(start, i, start, i + 1, count - i);
      System.arraycopy(end, i, end, i + 1, count - i);
      count++;
    } else if (removed > 1) {
      System.arraycopy(start, j, start, i + 1, count - j);
      System.arraycopy(end, j, end, i + 1, count - j);
      count -= removed - 1;
    }
    start[i] = s;
    end[i] = e;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < count; i++) {
      sb.append(i == 0 ? "" : " ").append(SeqNum.format(start[i])).append('-').append(SeqNum.format(end[i]));
    }
    return sb.append(']').toString();
  }
}
