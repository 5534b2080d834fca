package emu.link.impair;

import static emu.link.impair.RecordingEndpoint.frame;
import static emu.link.impair.RecordingEndpoint.frameBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.FrameReceiver;
import emu.link.time.VirtualTime;
import emu.link.wire.VlanTag;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the impairment wrapper does to single frames: pass-through, drops, copies, bit flips, order, ownership. */
class ImpairedEndpointTest {
  static final long MS = 1_000_000L;

  final VirtualTime time = new VirtualTime();
  final RecordingEndpoint inner = new RecordingEndpoint(time);

  ImpairedEndpoint impaired(long seed, String... pairs) {
    return inner.impaired(seed, pairs);
  }

  @Test
  void noneHandsTheSameBufferOnSynchronously() {
    ImpairedEndpoint e = new ImpairedEndpoint(inner, time, 1);
    inner.keep = true;
    ByteBuf f = frame(1, 64);
    e.send(f);
    assertEquals(1, inner.kept.size(), "sent inside send(), no timer");
    assertSame(f, inner.kept.get(0));
    assertEquals(1, f.refCnt());
    assertEquals(0, time.pending());
    assertEquals(0, e.impairmentCounters().frames, "pass-through is not counted");
    inner.releaseKept();
  }

  @Test
  void delegatesNameCountersMtuReceiverAndInner() {
    ImpairedEndpoint e = new ImpairedEndpoint(inner, time, 1);
    assertEquals("r1:eth0", e.name());
    assertSame(inner.counters(), e.counters());
    assertSame(inner, e.inner());
    assertEquals(1500, e.mtu());
    assertSame(Impairment.NONE, e.impairment());
    // Ingress is not impaired: the receiver is installed on the inner endpoint itself.
    e.impairment(ImpairmentParser.apply(Impairment.NONE, Map.of("loss", "100%")));
    List<ByteBuf> got = new ArrayList<>();
    FrameReceiver r = got::add;
    e.receiver(r);
    assertSame(r, inner.receiver);
  }

  @Test
  void downDropsEverythingAndCounts() {
    ImpairedEndpoint e = impaired(1, "down", "true", "delay", "10ms");
    List<ByteBuf> sent = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ByteBuf f = frame(i, 100);
      sent.add(f);
      e.send(f);
    }
    time.advance(100 * MS);
    assertTrue(inner.arrivals.isEmpty());
    sent.forEach(f -> assertEquals(0, f.refCnt()));
    ImpairmentCounters c = e.impairmentCounters();
    assertEquals(10, c.frames);
    assertEquals(1000, c.bytes);
    assertEquals(10, c.downDrops);
    assertEquals(0, c.sent);
    assertEquals(10, c.drops());
    // Back up: frames flow again.
    e.impairment(ImpairmentParser.apply(e.impairment(), Map.of("down", "false")));
    e.send(frame(99, 100));
    time.advance(10 * MS);
    assertEquals(List.of(99), inner.seqs());
  }

  @Test
  void mtuDropsBiggerFramesAndIsReported() {
    ImpairedEndpoint e = impaired(1, "mtu", "1000");
    assertEquals(1000, e.mtu());
    ByteBuf tooBig = frame(1, 1015);
    e.send(tooBig);
    e.send(frame(2, 1014)); // 14 + MTU: the largest untagged frame that passes
    ByteBuf tagged = frame(3, 1018); // an 802.1Q tag does not count against the MTU
    tagged.setShort(12, VlanTag.TPID);
    e.send(tagged);
    ByteBuf taggedTooBig = frame(4, 1019);
    taggedTooBig.setShort(12, VlanTag.TPID);
    e.send(taggedTooBig);
    assertEquals(0, tooBig.refCnt());
    assertEquals(List.of(2, 3), inner.seqs());
    assertEquals(2, e.impairmentCounters().mtuDrops);
    assertEquals(2, e.impairmentCounters().sent);
    e.impairment(Impairment.NONE);
    assertEquals(1500, e.mtu());
  }

  /**
   * 10,000 frames with duplicate 10%: expected 1,000 copies, binomial sd = sqrt(10000 * 0.1 *
   * 0.9) = 30, so a 99.9% interval (3.29 sd) is 1000 +- 99.
   */
  @Test
  void duplicatesAreSeparateBuffersWithIdenticalBytes() {
    ImpairedEndpoint e = impaired(7, "duplicate", "10%");
    inner.keep = true;
    int n = 10_000;
    for (int i = 0; i < n; i++) {
      e.send(frame(i, 80));
    }
    ImpairmentCounters c = e.impairmentCounters();
    assertTrue(Math.abs(c.duplicated - 1000) <= 99, "duplicated " + c.duplicated);
    assertEquals(n + c.duplicated, inner.arrivals.size());
    assertEquals(n + c.duplicated, c.sent);
    int pairs = 0;
    for (int k = 1; k < inner.kept.size(); k++) {
      ByteBuf a = inner.kept.get(k - 1);
      ByteBuf b = inner.kept.get(k);
      if (inner.arrivals.get(k).seq() == inner.arrivals.get(k - 1).seq()) {
        pairs++;
        assertNotSame(a, b);
        assertNotSame(a.unwrap() == null ? a : a.unwrap(), b.unwrap() == null ? b : b.unwrap());
        assertArrayEquals(inner.arrivals.get(k - 1).bytes(), inner.arrivals.get(k).bytes());
        assertArrayEquals(frameBytes(inner.arrivals.get(k).seq(), 80), inner.arrivals.get(k).bytes());
        byte before = a.getByte(20);
        b.setByte(20, ~before); // a receiver editing its frame in place does not touch the other copy
        assertEquals(before, a.getByte(20));
      }
    }
    assertEquals(c.duplicated, pairs);
    inner.releaseKept();
  }

  /** 10,000 frames with corrupt 10%: expected 1,000, binomial 99.9% interval 1000 +- 99 (as above). */
  @Test
  void corruptionFlipsExactlyOneBitAfterTheEthernetHeader() {
    ImpairedEndpoint e = impaired(11, "corrupt", "10%");
    int n = 10_000;
    for (int i = 0; i < n; i++) {
      e.send(frame(i, 60 + i % 40));
    }
    ImpairmentCounters c = e.impairmentCounters();
    assertTrue(Math.abs(c.corrupted - 1000) <= 99, "corrupted " + c.corrupted);
    assertEquals(n, inner.arrivals.size());
    int changed = 0;
    int[] hitsPerByte = new int[100];
    for (int i = 0; i < n; i++) {
      byte[] got = inner.arrivals.get(i).bytes();
      byte[] want = frameBytes(i, 60 + i % 40);
      int bits = 0;
      for (int k = 0; k < got.length; k++) {
        int diff = Integer.bitCount((got[k] ^ want[k]) & 0xFF);
        if (diff > 0) {
          assertTrue(k >= 14, "Ethernet header changed at byte " + k);
          hitsPerByte[k]++;
        }
        bits += diff;
      }
      assertTrue(bits == 0 || bits == 1, "frame " + i + " differs in " + bits + " bits");
      changed += bits;
    }
    assertEquals(c.corrupted, changed);
    assertTrue(hitsPerByte[14] > 0 && hitsPerByte[59] > 0, "first and last byte after the header can be hit");
  }

  @Test
  void shortFramesCannotBeCorruptedAndAreNotCounted() {
    ImpairedEndpoint e = impaired(1, "corrupt", "100%");
    byte[] header = new byte[14];
    e.send(io.netty.buffer.PooledByteBufAllocator.DEFAULT.heapBuffer(14).writeBytes(header));
    assertArrayEquals(header, inner.arrivals.get(0).bytes());
    assertEquals(0, e.impairmentCounters().corrupted);
  }

  @Test
  void aFixedDelayKeepsOrderAndTiming() {
    ImpairedEndpoint e = impaired(1, "delay", "10ms");
    for (int i = 0; i < 5; i++) {
      e.send(frame(i, 64));
      time.advance(MS);
    }
    assertTrue(inner.arrivals.isEmpty());
    assertEquals(5, e.queuedFrames());
    time.advance(5 * MS - 1);
    assertTrue(inner.arrivals.isEmpty(), "not 1 ns early");
    time.advance(1);
    assertEquals(List.of(0), inner.seqs());
    assertEquals(10 * MS, inner.arrivals.get(0).time());
    time.advance(4 * MS);
    assertEquals(List.of(0, 1, 2, 3, 4), inner.seqs());
    for (int i = 0; i < 5; i++) {
      assertEquals((10 + i) * MS, inner.arrivals.get(i).time());
    }
    assertEquals(5, e.impairmentCounters().delayed);
    assertEquals(0, e.queuedFrames());
    assertEquals(0, time.pending(), "no timer left armed");
  }

  @Test
  void framesSentAtTheSameInstantLeaveInArrivalOrder() {
    ImpairedEndpoint e = impaired(1, "delay", "1ms");
    for (int i = 0; i < 100; i++) {
      e.send(frame(i, 64));
    }
    time.advance(MS);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      expected.add(i);
    }
    assertEquals(expected, inner.seqs());
  }

  /**
   * gap 5, reorder 25%, delay 10 ms, one frame per ms: a frame is a candidate once 4 frames have
   * been delayed since the last reordered one; each candidate goes first with probability 1/4,
   * so a cycle is 4 + G frames, G geometric with mean 4 and variance 12: mean 8 frames, and over
   * 20,000 frames about 2,500 reordered. Renewal theory: variance of the count ~ n * var / mean^3
   * = 20000 * 12 / 512 = 469, sd 21.7; 99.9% interval 2500 +- 72.
   */
  @Test
  void reorderSendsCandidatesAheadOfEarlierDelayedFrames() {
    ImpairedEndpoint e = impaired(5, "delay", "10ms", "reorder", "25%", "gap", "5");
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      e.send(frame(i, 64));
      time.advance(MS);
    }
    time.advance(20 * MS);
    ImpairmentCounters c = e.impairmentCounters();
    assertTrue(Math.abs(c.reordered - 2500) <= 72, "reordered " + c.reordered);
    assertEquals(n, inner.arrivals.size());
    assertEquals(n - c.reordered, c.delayed);
    int[] position = new int[n];
    for (int k = 0; k < n; k++) {
      position[inner.arrivals.get(k).seq()] = k;
    }
    int lastReordered = -1;
    int seen = 0;
    for (int k = 0; k < n; k++) {
      RecordingEndpoint.Arrival a = inner.arrivals.get(k);
      boolean reordered = a.time() == (long) a.seq() * MS;
      if (!reordered) {
        assertEquals((a.seq() + 10L) * MS, a.time());
        continue;
      }
      seen++;
      int s = a.seq();
      assertTrue(s - lastReordered >= 5, "frame " + s + " was a candidate only " + (s - lastReordered) + " after");
      lastReordered = s;
      if (s > 0) {
        assertTrue(position[s] < position[s - 1], "reordered frame " + s + " overtakes the frame before it");
      }
    }
    assertEquals(c.reordered, seen);
  }

  @Test
  void sameSeedSamePatternOtherSeedAnother() {
    String[] words = {"delay", "10ms", "jitter", "5ms", "distribution", "normal", "loss", "10%",
        "duplicate", "5%", "corrupt", "5%", "reorder", "10%", "rate", "50mbit"};
    List<RecordingEndpoint.Arrival> a = run(42, words);
    List<RecordingEndpoint.Arrival> b = run(42, words);
    List<RecordingEndpoint.Arrival> c = run(43, words);
    assertTrue(a.size() > 1000);
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.get(i).time(), b.get(i).time());
      assertEquals(a.get(i).seq(), b.get(i).seq());
      assertArrayEquals(a.get(i).bytes(), b.get(i).bytes());
    }
    boolean differs = a.size() != c.size();
    for (int i = 0; !differs && i < a.size(); i++) {
      differs = a.get(i).time() != c.get(i).time() || a.get(i).seq() != c.get(i).seq();
    }
    assertTrue(differs, "seed 43 gives another pattern");
  }

  private List<RecordingEndpoint.Arrival> run(long seed, String... words) {
    VirtualTime t = new VirtualTime();
    RecordingEndpoint rec = new RecordingEndpoint(t);
    ImpairedEndpoint e = new ImpairedEndpoint(rec, t, seed);
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < words.length; i += 2) {
      m.put(words[i], words[i + 1]);
    }
    e.impairment(ImpairmentParser.apply(Impairment.NONE, m));
    for (int i = 0; i < 2000; i++) {
      e.send(frame(i, 200));
      t.advance(100_000L);
    }
    t.advance(1_000 * MS);
    return rec.arrivals;
  }

  @Test
  void clearingTheImpairmentStillDeliversQueuedFrames() {
    ImpairedEndpoint e = impaired(1, "delay", "10ms");
    for (int i = 0; i < 5; i++) {
      e.send(frame(i, 64));
    }
    e.impairment(Impairment.NONE);
    e.send(frame(5, 64));
    assertEquals(List.of(5), inner.seqs(), "new frames pass straight through");
    time.advance(10 * MS);
    assertEquals(List.of(5, 0, 1, 2, 3, 4), inner.seqs());
    assertEquals(10 * MS, inner.arrivals.get(1).time(), "queued frames keep their schedule");
    assertEquals(0, e.queuedFrames());
  }

  @Test
  void changingTheDelayKeepsScheduledFrames() {
    ImpairedEndpoint e = impaired(1, "delay", "50ms");
    e.send(frame(0, 64));
    e.impairment(ImpairmentParser.apply(e.impairment(), Map.of("delay", "10ms")));
    e.send(frame(1, 64));
    time.advance(100 * MS);
    assertEquals(List.of(1, 0), inner.seqs());
    assertEquals(10 * MS, inner.arrivals.get(0).time());
    assertEquals(50 * MS, inner.arrivals.get(1).time());
  }

  @Test
  void closeReleasesQueuedFramesAndClosesInner() {
    ImpairedEndpoint e = impaired(1, "delay", "1s", "rate", "1mbit");
    List<ByteBuf> sent = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ByteBuf f = frame(i, 500);
      sent.add(f);
      e.send(f);
    }
    e.close();
    sent.forEach(f -> assertEquals(0, f.refCnt()));
    assertTrue(inner.closed);
    assertEquals(0, e.queuedFrames());
    time.advance(10_000 * MS);
    assertTrue(inner.arrivals.isEmpty());
    // After close a frame goes to the closed inner endpoint, which releases it.
    ByteBuf late = frame(99, 64);
    e.send(late);
    assertEquals(0, late.refCnt());
    e.impairment(ImpairmentParser.apply(Impairment.NONE, Map.of("delay", "1ms")));
    ByteBuf later = frame(100, 64);
    e.send(later);
    assertEquals(0, later.refCnt());
    assertEquals(0, e.queuedFrames());
    e.close(); // idempotent
  }

  @Test
  void countersAsMapUseSnakeCase() {
    ImpairedEndpoint e = impaired(1, "loss", "100%");
    e.send(frame(1, 64));
    Map<String, Long> m = e.impairmentCounters().asMap();
    assertEquals(List.of("frames", "bytes", "sent", "loss_drops", "down_drops", "queue_drops", "mtu_drops",
        "duplicated", "corrupted", "reordered", "delayed"), List.copyOf(m.keySet()));
    assertEquals(1L, m.get("frames"));
    assertEquals(1L, m.get("loss_drops"));
    assertFalse(m.containsValue(null));
  }
}
