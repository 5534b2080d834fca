package emu.link.impair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The waiting room's order (time, then arrival) and the rate queue's bookkeeping. */
class FrameHeapTest {
  @Test
  void pollsInTimeOrderWithTiesInArrivalOrder() {
    FrameHeap heap = new FrameHeap();
    SplittableRandom r = new SplittableRandom(1);
    int n = 5000; // grows the arrays several times
    long[] times = new long[n];
    List<ByteBuf> frames = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      times[i] = r.nextInt(100); // many ties
      ByteBuf f = PooledByteBufAllocator.DEFAULT.heapBuffer(4).writeInt(i);
      frames.add(f);
      heap.add(times[i], f);
    }
    assertEquals(n, heap.size());
    long lastTime = -1;
    int lastIndex = -1;
    for (int k = 0; k < n; k++) {
      long t = heap.headTime();
      ByteBuf f = heap.poll();
      int i = f.getInt(0);
      assertSame(frames.get(i), f);
      assertEquals(times[i], t);
      assertTrue(t > lastTime || (t == lastTime && i > lastIndex), "order at " + k);
      lastTime = t;
      lastIndex = i;
      f.release();
    }
    assertTrue(heap.isEmpty());
  }

  @Test
  void releaseAllReleasesEveryFrame() {
    FrameHeap heap = new FrameHeap();
    List<ByteBuf> frames = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ByteBuf f = PooledByteBufAllocator.DEFAULT.heapBuffer(8);
      frames.add(f);
      heap.add(40 - i, f);
    }
    heap.releaseAll();
    assertEquals(0, heap.size());
    frames.forEach(f -> assertEquals(0, f.refCnt()));
  }

  @Test
  void rateQueueCountsWhatIsStillQueuedAtATime() {
    RateQueue q = new RateQueue();
    assertEquals(Long.MIN_VALUE, q.lastDeparture());
    for (int i = 1; i <= 40; i++) { // departures 10, 20, ... 400; 100 bytes each; grows the ring
      q.admit(i * 10L, 100);
    }
    assertEquals(400, q.lastDeparture());
    assertEquals(40, q.packetsAt(0));
    assertEquals(4000, q.bytesAt(0));
    assertEquals(36, q.packetsAt(40), "departure at 40 has left at 40");
    assertEquals(3600, q.bytesAt(45));
    q.expire(200);
    assertEquals(20, q.packetsAt(200));
    assertEquals(2000, q.bytesAt(200));
    assertEquals(0, q.packetsAt(400));
    assertEquals(0, q.bytesAt(1000));
    for (int i = 1; i <= 30; i++) { // wraps around the ring, then grows it with a head offset
      q.admit(400 + i * 10L, 50);
    }
    assertEquals(50, q.packetsAt(200));
    assertEquals(2000 + 1500, q.bytesAt(200));
    assertEquals(30, q.packetsAt(400));
    assertEquals(1500, q.bytesAt(400));
  }
}
