package emu.node.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.memory.MemoryLink;
import emu.link.time.VirtualTime;
import emu.node.testing.TrackingAllocator;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The neighbour cache's state machine driven directly on virtual time, with a recording stub
 * for the stack around it (Linux's neighbour states, Params.LINUX timings).
 */
class NeighborCacheTest {
  private static final long S = 1_000_000_000L;
  private static final long NIC_MAC = 0x02_00_00_00_00_01L;
  private static final long MAC = 0x02_00_00_00_00_42L;
  private static final long OTHER_MAC = 0x02_00_00_00_00_43L;
  private static final int IP = Ipv4Address.parse("10.0.0.42");

  private final VirtualTime time = new VirtualTime();
  private final RecordingNeighborEvents ev = new RecordingNeighborEvents(time);
  private final StackCounters counters = new StackCounters();
  private final TrackingAllocator alloc = new TrackingAllocator(true);
  private NeighborCache cache;

  @BeforeEach
  void setUp() {
    cache = newCache(NeighborCache.Params.LINUX, new SplittableRandom(1));
  }

  @AfterEach
  void noLeaks() {
    cache.flush();
    assertTrue(alloc.outstanding().isEmpty(), alloc.describeOutstanding());
  }

  private NeighborCache newCache(NeighborCache.Params params, RandomGenerator random) {
    NeighborCache c = new NeighborCache(time, random, params, ev, counters);
    MemoryLink link = new MemoryLink("eth0", "peer", 1500, time, 0);
    c.attach(new Nic(2, "eth0", NIC_MAC, Ipv4Cidr.parse("10.0.0.1/24"), link.a(), c));
    return c;
  }

  /** A stand-in packet: 4 bytes holding a tag the stub reports back. */
  private ByteBuf packet(int tag) {
    ByteBuf b = alloc.buffer(4);
    b.writeInt(tag);
    return b;
  }

  /** resolve() for a usable entry returns the MAC and leaves the packet with the caller. */
  private long resolveUsable(int ip) {
    ByteBuf p = packet(-1);
    long mac = cache.resolve(ip, p);
    assertTrue(mac >= 0, "expected a usable entry");
    p.release();
    return mac;
  }

  private NeighborState state() {
    NeighborCache.Entry e = cache.lookup(IP);
    return e == null ? null : e.state();
  }

  private void reachable() {
    assertEquals(-1, cache.resolve(IP, packet(0)));
    cache.confirm(IP, MAC);
    assertEquals(NeighborState.REACHABLE, state());
    ev.clear();
  }

  private void stale() {
    cache.learn(IP, MAC, true);
    assertEquals(NeighborState.STALE, state());
    ev.clear();
  }

  private void delay() {
    stale();
    assertEquals(MAC, resolveUsable(IP));
    assertEquals(NeighborState.DELAY, state());
  }

  // ---- INCOMPLETE ------------------------------------------------------------------------

  @Test
  void resolveOfUnknownAddressStartsIncompleteWithOneBroadcast() {
    assertEquals(-1, cache.resolve(IP, packet(1)));
    assertEquals(NeighborState.INCOMPLETE, state());
    assertEquals(1, cache.lookup(IP).queued());
    assertEquals(List.of(new RecordingNeighborEvents.Solicit(0, IP, -1)), ev.solicits);
    assertEquals(List.of(new RecordingNeighborEvents.Transition(IP, null, NeighborState.INCOMPLETE)), ev.transitions);
    // More packets join the queue without another request.
    assertEquals(-1, cache.resolve(IP, packet(2)));
    assertEquals(1, ev.solicits.size());
    assertEquals(2, cache.lookup(IP).queued());
  }

  @Test
  void retransmitsEverySecondAndFailsAfterThreeProbes() {
    cache.resolve(IP, packet(1));
    time.advance(S / 2);
    cache.resolve(IP, packet(2));
    time.advance(S / 2 - 1);
    assertEquals(1, ev.solicits.size());
    time.advance(1);
    assertEquals(2, ev.solicits.size());
    time.advance(S);
    assertEquals(3, ev.solicits.size());
    assertEquals(List.of(0L, S, 2 * S), ev.solicits.stream().map(RecordingNeighborEvents.Solicit::at).toList());
    assertTrue(ev.solicits.stream().allMatch(RecordingNeighborEvents.Solicit::broadcast));
    time.advance(S - 1);
    assertEquals(NeighborState.INCOMPLETE, state());
    assertTrue(ev.unresolved.isEmpty());

    time.advance(1);
    assertEquals(NeighborState.FAILED, state());
    assertEquals(List.of(1, 2), ev.unresolvedTags(), "queued packets reported unresolved, oldest first");
    assertEquals(3 * S, ev.unresolved.get(0).at());
    assertEquals(2, counters.drops(DropReason.ARP_TIMEOUT));
    assertEquals(0, cache.lookup(IP).queued());
    time.advance(60 * S);
    assertEquals(3, ev.solicits.size(), "no probing once FAILED");
  }

  @Test
  void failedEntryRestartsResolutionOnNextSend() {
    cache.resolve(IP, packet(1));
    time.advance(3 * S);
    assertEquals(NeighborState.FAILED, state());
    ev.clear();
    assertEquals(-1, cache.resolve(IP, packet(2)));
    assertEquals(NeighborState.INCOMPLETE, state());
    assertEquals(List.of(new RecordingNeighborEvents.Solicit(3 * S, IP, -1)), ev.solicits);
    time.advance(3 * S);
    assertEquals(3, ev.solicits.size(), "a fresh round of three probes");
    assertEquals(List.of(2), ev.unresolvedTags());
  }

  @Test
  void confirmMakesReachableAndReleasesQueueInOrder() {
    for (int tag = 1; tag <= 3; tag++) {
      assertEquals(-1, cache.resolve(IP, packet(tag)));
    }
    time.advance(S / 2);
    cache.confirm(IP, MAC);
    assertEquals(NeighborState.REACHABLE, state());
    assertEquals(List.of(1, 2, 3), ev.releasedTags());
    assertTrue(ev.released.stream().allMatch(r -> r.mac() == MAC));
    assertEquals(MAC, resolveUsable(IP));
    time.advance(10 * S);
    assertEquals(1, ev.solicits.size(), "the retransmit timer was cancelled");
  }

  @Test
  void confirmOfUnaskedAddressCreatesNothing() {
    cache.confirm(IP, MAC);
    assertNull(cache.lookup(IP));
    assertTrue(ev.transitions.isEmpty());
  }

  @Test
  void gratuitousArpForIncompleteEntryReleasesQueue() {
    cache.resolve(IP, packet(1));
    cache.resolve(IP, packet(2));
    cache.learn(IP, MAC, false);
    assertEquals(NeighborState.STALE, state());
    assertEquals(List.of(1, 2), ev.releasedTags());
    time.advance(10 * S);
    assertEquals(1, ev.solicits.size());
    assertTrue(ev.unresolved.isEmpty());
  }

  @Test
  void queueOverflowDropsOldest() {
    cache = newCache(new NeighborCache.Params(30 * S, 5 * S, S, 3, 3, 3, 1024), new SplittableRandom(1));
    ByteBuf[] p = new ByteBuf[6];
    for (int i = 1; i <= 5; i++) {
      p[i] = packet(i);
      cache.resolve(IP, p[i]);
    }
    assertEquals(3, cache.lookup(IP).queued());
    assertEquals(0, p[1].refCnt(), "oldest released");
    assertEquals(0, p[2].refCnt());
    assertEquals(2, counters.drops(DropReason.ARP_QUEUE_FULL));
    cache.confirm(IP, MAC);
    assertEquals(List.of(3, 4, 5), ev.releasedTags());
  }

  /** Fails on the old code (count limit only, 64 packets): 4 KiB packets fill the 212992 bytes after 52. */
  @Test
  void queueIsBoundedByBytesAsLinuxUnresQlenBytes() {
    for (int i = 0; i < 64; i++) {
      ByteBuf b = alloc.buffer(4096, 4096);
      b.writeInt(i).writerIndex(4096);
      cache.resolve(IP, b);
    }
    NeighborCache.Entry e = cache.lookup(IP);
    assertEquals(52, e.queued());
    assertEquals(52 * 4096, e.queuedBytes());
    assertEquals(NeighborCache.Params.LINUX_QUEUE_BYTES, e.queuedBytes());
    assertEquals(12, counters.drops(DropReason.ARP_QUEUE_FULL));
    assertEquals(e.queuedBytes(), counters.neighborQueuedBytes);
    cache.confirm(IP, MAC);
    assertEquals(12, (int) ev.releasedTags().get(0), "oldest dropped first");
    assertEquals(0, counters.neighborQueuedBytes);
  }

  /** A packet larger than the whole per-neighbour budget is dropped alone, not after flushing the queue. */
  @Test
  void packetOverTheBudgetAloneDoesNotFlushTheQueue() {
    cache.resolve(IP, packet(1));
    ByteBuf huge = alloc.buffer(300_000, 300_000);
    huge.writeInt(2).writerIndex(300_000);
    cache.resolve(IP, huge);
    assertEquals(0, huge.refCnt());
    assertEquals(1, counters.drops(DropReason.ARP_QUEUE_FULL));
    cache.confirm(IP, MAC);
    assertEquals(List.of(1), ev.releasedTags());
  }

  /** Fails on the old code, which queued the slice and so kept the whole 64 KiB buffer under it. */
  @Test
  void smallPacketInALargeBufferWaitsInACopy() {
    ByteBuf read = alloc.buffer(65_536, 65_536);
    read.writerIndex(100).writeInt(7).writeZero(96);
    ByteBuf packet = read.retainedSlice(100, 100);
    read.release();
    cache.resolve(IP, packet);
    assertEquals(0, read.refCnt(), "the read buffer is free");
    assertEquals(NeighborCache.HEADROOM + 100, cache.lookup(IP).queuedBytes());
    cache.confirm(IP, MAC);
    assertEquals(List.of(7), ev.releasedTags());
  }

  @Test
  void nodeBudgetDropsTheNewPacket() {
    cache = newCache(NeighborCache.Params.LINUX.withQueueBytes(212_992, 10_000), new SplittableRandom(1));
    int other = IP + 1;
    for (int i = 0; i < 2; i++) {
      ByteBuf b = alloc.buffer(4000, 4000);
      b.writeInt(i).writerIndex(4000);
      cache.resolve(IP, b);
    }
    ByteBuf b = alloc.buffer(4000, 4000);
    b.writeInt(2).writerIndex(4000);
    cache.resolve(other, b);
    assertEquals(0, b.refCnt(), "no room left in the node's budget");
    assertEquals(1, counters.drops(DropReason.ARP_QUEUE_FULL));
    assertEquals(2, cache.lookup(IP).queued());
    assertEquals(0, cache.lookup(other).queued());
    assertEquals(8000, counters.neighborQueuedBytes);
  }

  @Test
  void linuxQueueHoldsSixtyFourPackets() {
    for (int i = 0; i < 70; i++) {
      cache.resolve(IP, packet(i));
    }
    assertEquals(64, cache.lookup(IP).queued());
    assertEquals(6, counters.drops(DropReason.ARP_QUEUE_FULL));
    time.advance(3 * S);
    assertEquals(64, ev.unresolved.size());
    assertEquals(6, (int) ev.unresolvedTags().get(0));
    assertEquals(69, (int) ev.unresolvedTags().get(63));
  }

  // ---- REACHABLE and STALE ---------------------------------------------------------------

  static Stream<Arguments> randomDraws() {
    // nextDouble() of RandomGenerator is (nextLong() >>> 11) * 2^-53.
    return Stream.of(
        Arguments.of(0L, 15 * S),
        Arguments.of(Long.MIN_VALUE, 30 * S),
        Arguments.of(-1L, 15 * S + (long) (((-1L >>> 11) * 0x1.0p-53) * 30 * S)));
  }

  @ParameterizedTest(name = "nextLong {0} -> reachable {1} ns")
  @MethodSource("randomDraws")
  void reachableLapsesToStaleAfterRandomisedTime(long draw, long expectedReachable) {
    cache = newCache(NeighborCache.Params.LINUX, () -> draw);
    time.advance(7 * S);
    reachable();
    assertEquals(expectedReachable, cache.lookup(IP).reachableNanos);
    time.advance(expectedReachable - 1);
    assertEquals(NeighborState.REACHABLE, state());
    time.advance(1);
    assertEquals(NeighborState.STALE, state());
    assertEquals(MAC, cache.lookup(IP).mac());
    assertTrue(ev.solicits.isEmpty(), "going stale sends nothing");
  }

  @Test
  void reachableTimeIsWithinHalfAndOneAndAHalfBase() {
    cache = newCache(new NeighborCache.Params(30 * S, 5 * S, S, 3, 3, 64, 5000), new SplittableRandom(77));
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < 2000; i++) {
      int ip = Ipv4Address.parse("10.1.0.0") + i;
      cache.resolve(ip, packet(i));
      cache.confirm(ip, MAC);
      long r = cache.lookup(ip).reachableNanos;
      assertTrue(r >= 15 * S && r < 45 * S, "reachable time " + r);
      min = Math.min(min, r);
      max = Math.max(max, r);
    }
    assertTrue(min < 16 * S && max > 44 * S, "spread over the whole range: " + min + ".." + max);
  }

  @Test
  void reconfirmRestartsReachableTime() {
    cache = newCache(NeighborCache.Params.LINUX, () -> 0L); // 15 s
    reachable();
    time.advance(10 * S);
    cache.confirm(IP, MAC);
    time.advance(14 * S);
    assertEquals(NeighborState.REACHABLE, state());
    time.advance(S);
    assertEquals(NeighborState.STALE, state());
  }

  @Test
  void staleEntryUsedGoesToDelayAndIsStillUsable() {
    stale();
    ByteBuf p = packet(1);
    assertEquals(MAC, cache.resolve(IP, p));
    assertEquals(1, p.refCnt(), "a usable entry leaves the packet with the caller");
    p.release();
    assertEquals(NeighborState.DELAY, state());
    assertTrue(ev.solicits.isEmpty(), "no probe yet");
  }

  // ---- DELAY and PROBE -------------------------------------------------------------------

  @Test
  void delayTurnsIntoUnicastProbesAfterFiveSecondsThenFails() {
    delay();
    time.advance(5 * S - 1);
    assertEquals(NeighborState.DELAY, state());
    assertTrue(ev.solicits.isEmpty());
    time.advance(1);
    assertEquals(NeighborState.PROBE, state());
    assertEquals(List.of(new RecordingNeighborEvents.Solicit(5 * S, IP, MAC)), ev.solicits);
    assertEquals(MAC, resolveUsable(IP), "still usable while probing");

    time.advance(2 * S);
    assertEquals(List.of(5 * S, 6 * S, 7 * S), ev.solicits.stream().map(RecordingNeighborEvents.Solicit::at).toList());
    assertTrue(ev.solicits.stream().allMatch(s -> s.unicastMac() == MAC), "unicast to the known MAC");
    time.advance(S - 1);
    assertEquals(NeighborState.PROBE, state());
    time.advance(1);
    assertEquals(NeighborState.FAILED, state());
    assertEquals(3, ev.solicits.size());

    // After FAILED, resolution starts over with broadcasts.
    cache.resolve(IP, packet(9));
    assertEquals(NeighborState.INCOMPLETE, state());
    assertTrue(ev.solicits.get(3).broadcast());
  }

  @Test
  void confirmDuringDelayGoesReachableWithoutProbing() {
    delay();
    time.advance(2 * S);
    cache.confirm(IP, MAC);
    assertEquals(NeighborState.REACHABLE, state());
    time.advance(20 * S);
    assertTrue(ev.solicits.isEmpty());
  }

  @Test
  void confirmDuringProbeGoesReachable() {
    delay();
    time.advance(5 * S);
    assertEquals(NeighborState.PROBE, state());
    cache.confirm(IP, MAC);
    assertEquals(NeighborState.REACHABLE, state());
    time.advance(5 * S);
    assertEquals(1, ev.solicits.size());
  }

  @Test
  void fullLifecycleTransitionsAreEachReported() {
    cache = newCache(NeighborCache.Params.LINUX, () -> 0L);
    cache.resolve(IP, packet(1));
    cache.confirm(IP, MAC);
    time.advance(15 * S);
    resolveUsable(IP);
    time.advance(5 * S);
    cache.confirm(IP, MAC);
    assertEquals(List.of(
        new RecordingNeighborEvents.Transition(IP, null, NeighborState.INCOMPLETE),
        new RecordingNeighborEvents.Transition(IP, NeighborState.INCOMPLETE, NeighborState.REACHABLE),
        new RecordingNeighborEvents.Transition(IP, NeighborState.REACHABLE, NeighborState.STALE),
        new RecordingNeighborEvents.Transition(IP, NeighborState.STALE, NeighborState.DELAY),
        new RecordingNeighborEvents.Transition(IP, NeighborState.DELAY, NeighborState.PROBE),
        new RecordingNeighborEvents.Transition(IP, NeighborState.PROBE, NeighborState.REACHABLE)), ev.transitions);
  }

  // ---- learning --------------------------------------------------------------------------

  @Test
  void learnOfUnknownAddressWithoutCreateDoesNothing() {
    cache.learn(IP, MAC, false);
    assertNull(cache.lookup(IP));
    assertEquals(0, cache.size());
    assertTrue(ev.transitions.isEmpty());
  }

  @Test
  void learnWithCreateMakesStaleEntry() {
    cache.learn(IP, MAC, true);
    assertEquals(NeighborState.STALE, state());
    assertEquals(MAC, cache.lookup(IP).mac());
    assertTrue(ev.solicits.isEmpty());
  }

  @Test
  void gratuitousArpWithNewMacMakesEntryStaleWithThatMac() {
    reachable();
    cache.learn(IP, OTHER_MAC, false);
    assertEquals(NeighborState.STALE, state());
    assertEquals(OTHER_MAC, cache.lookup(IP).mac());
  }

  @Test
  void hearingTheSameMacAgainKeepsReachable() {
    reachable();
    cache.learn(IP, MAC, false);
    assertEquals(NeighborState.REACHABLE, state());
    assertTrue(ev.transitions.isEmpty());
  }

  @Test
  void newMacDuringProbeGoesStaleAndStopsProbing() {
    delay();
    time.advance(5 * S);
    cache.learn(IP, OTHER_MAC, false);
    assertEquals(NeighborState.STALE, state());
    time.advance(10 * S);
    assertEquals(1, ev.solicits.size());
    assertEquals(NeighborState.STALE, state());
  }

  // ---- PERMANENT -------------------------------------------------------------------------

  @Test
  void permanentEntryNeverChanges() {
    cache.addPermanent(IP, MAC);
    cache.confirm(IP, OTHER_MAC);
    cache.learn(IP, OTHER_MAC, true);
    cache.learn(IP, OTHER_MAC, false);
    assertEquals(MAC, resolveUsable(IP));
    time.advance(3600 * S);
    assertEquals(MAC, resolveUsable(IP));
    assertEquals(NeighborState.PERMANENT, state());
    assertEquals(MAC, cache.lookup(IP).mac());
    assertTrue(ev.solicits.isEmpty());
    assertEquals(List.of(new RecordingNeighborEvents.Transition(IP, null, NeighborState.PERMANENT)), ev.transitions);
  }

  @Test
  void permanentOverIncompleteReleasesQueue() {
    cache.resolve(IP, packet(1));
    cache.addPermanent(IP, MAC);
    assertEquals(List.of(1), ev.releasedTags());
    time.advance(10 * S);
    assertEquals(1, ev.solicits.size());
  }

  // ---- table size ------------------------------------------------------------------------

  @Test
  void fullTableEvictsOldestStaleEntry() {
    cache = newCache(new NeighborCache.Params(30 * S, 5 * S, S, 3, 3, 64, 3), new SplittableRandom(1));
    int a = Ipv4Address.parse("10.0.0.10");
    int b = Ipv4Address.parse("10.0.0.11");
    int c = Ipv4Address.parse("10.0.0.12");
    int d = Ipv4Address.parse("10.0.0.13");
    cache.learn(b, MAC, true);
    time.advance(S);
    cache.learn(a, MAC, true);
    time.advance(S);
    cache.learn(c, MAC, true);
    time.advance(S);
    assertEquals(-1, cache.resolve(d, packet(1)));
    assertEquals(3, cache.size());
    assertNull(cache.lookup(b), "the oldest stale entry went");
    assertNotNull(cache.lookup(a));
    assertNotNull(cache.lookup(c));
    assertEquals(NeighborState.INCOMPLETE, cache.lookup(d).state());
    assertEquals(0, counters.drops(DropReason.NEIGHBOR_TABLE_FULL));
  }

  @Test
  void fullTablePrefersFailedOrStaleOverBusyEntries() {
    cache = newCache(new NeighborCache.Params(30 * S, 5 * S, S, 3, 3, 64, 2), new SplittableRandom(1));
    int a = Ipv4Address.parse("10.0.0.10");
    int b = Ipv4Address.parse("10.0.0.11");
    int c = Ipv4Address.parse("10.0.0.12");
    cache.resolve(a, packet(1)); // INCOMPLETE with a queued packet: not evictable
    cache.learn(b, MAC, true); // STALE, newer, but evictable
    cache.resolve(c, packet(2));
    assertNull(cache.lookup(b));
    assertNotNull(cache.lookup(a));
    assertNotNull(cache.lookup(c));
  }

  @Test
  void fullTableWithNothingEvictableDropsThePacket() {
    cache = newCache(new NeighborCache.Params(30 * S, 5 * S, S, 3, 3, 64, 2), new SplittableRandom(1));
    cache.resolve(Ipv4Address.parse("10.0.0.10"), packet(1));
    cache.resolve(Ipv4Address.parse("10.0.0.11"), packet(2));
    ByteBuf p = packet(3);
    assertEquals(-1, cache.resolve(Ipv4Address.parse("10.0.0.12"), p));
    assertEquals(0, p.refCnt(), "the packet was released");
    assertEquals(1, counters.drops(DropReason.NEIGHBOR_TABLE_FULL));
    assertNull(cache.lookup(Ipv4Address.parse("10.0.0.12")));
    assertEquals(2, cache.size());
  }

  @Test
  void flushReleasesQueuedPacketsAsLinkDown() {
    cache.resolve(IP, packet(1));
    cache.resolve(IP, packet(2));
    cache.flush();
    assertEquals(0, cache.size());
    assertEquals(2, counters.drops(DropReason.LINK_DOWN));
    time.advance(10 * S);
    assertEquals(1, ev.solicits.size(), "timers cancelled");
    assertTrue(ev.unresolved.isEmpty());
  }

  @Test
  void entriesAreListedInAddressOrderAndAged() {
    cache = newCache(NeighborCache.Params.LINUX, () -> 0L);
    cache.learn(Ipv4Address.parse("10.0.0.200"), MAC, true);
    cache.resolve(Ipv4Address.parse("10.0.0.3"), packet(1));
    cache.confirm(Ipv4Address.parse("10.0.0.3"), OTHER_MAC);
    time.advance(15 * S);
    List<NeighborCache.Entry> list = cache.entries();
    assertEquals(List.of("10.0.0.3", "10.0.0.200"), list.stream().map(e -> Ipv4Address.format(e.ip())).toList());
    assertEquals(NeighborState.STALE, list.get(0).state());
  }
}
