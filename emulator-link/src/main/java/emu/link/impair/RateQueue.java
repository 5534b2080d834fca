package emu.link.impair;

/**
 * The bottleneck buffer in front of a rate limit, as bookkeeping only (the frames themselves
 * wait in the {@link FrameHeap}): for each admitted frame, in admission order, the time its
 * serialisation ends and the bytes admitted before it. Departures never decrease, so the
 * frames still queued at any time form a suffix, found by binary search. No allocation per
 * frame; the ring grows by doubling.
 */
final class RateQueue {
  private long[] departures = new long[16];
  private long[] bytesBefore = new long[16];
  private int head;
  private int size;
  private long admittedBytes;
  private long lastDeparture = Long.MIN_VALUE;

  /** When the last admitted frame finishes serialisation (Long.MIN_VALUE before any). */
  long lastDeparture() {
    return lastDeparture;
  }

  /** Forgets frames that have left by {@code now}. */
  void expire(long now) {
    while (size > 0 && departures[head] <= now) {
      head = (head + 1) & (departures.length - 1);
      size--;
    }
  }

  /** Admitted frames whose serialisation is not finished at {@code time}. */
  int packetsAt(long time) {
    return size - firstAfter(time);
  }

  /** Bytes of the admitted frames whose serialisation is not finished at {@code time}. */
  long bytesAt(long time) {
    int k = firstAfter(time);
    return k == size ? 0 : admittedBytes - bytesBefore[index(k)];
  }

  void admit(long departure, int length) {
    if (size == departures.length) {
      grow();
    }
    int i = index(size++);
    departures[i] = departure;
    bytesBefore[i] = admittedBytes;
    admittedBytes += length;
    lastDeparture = departure;
  }

  private int firstAfter(long time) {
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (departures[index(mid)] <= time) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private int index(int k) {
    return (head + k) & (departures.length - 1);
  }

  private void grow() {
    int n = departures.length;
    long[] d = new long[n * 2];
    long[] b = new long[n * 2];
    for (int k = 0; k < size; k++) {
      d[k] = departures[index(k)];
      b[k] = bytesBefore[index(k)];
    }
    departures = d;
    bytesBefore = b;
    head = 0;
  }
}
