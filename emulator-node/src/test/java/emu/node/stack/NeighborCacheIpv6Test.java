package emu.node.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.memory.MemoryLink;
import emu.link.time.VirtualTime;
import emu.node.testing.TrackingAllocator;
import emu.node.wire.Ipv4Cidr;
import emu.node.wire.Ipv6Address;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The same neighbour state machine keyed by 128-bit IPv6 addresses, counted as neighbour discovery. */
class NeighborCacheIpv6Test {
  private static final long S = 1_000_000_000L;
  private final VirtualTime time = new VirtualTime();
  private final RecordingNeighborEvents ev = new RecordingNeighborEvents(time);
  private final StackCounters counters = new StackCounters();
  private final TrackingAllocator alloc = new TrackingAllocator(true);
  private final NeighborCache cache = new NeighborCache(time, new SplittableRandom(1),
      new NeighborCache.Params(30 * S, 5 * S, S, 3, 3, 2, 1024), ev, counters, NeighborCache.Family.NDP);

  NeighborCacheIpv6Test() {
    MemoryLink link = new MemoryLink("eth0", "peer", 1500, time, 0);
    cache.attach(new Nic(2, "eth0", 0x020000000001L, Ipv4Cidr.parse("10.0.0.1/24"), link.a(), cache));
  }

  @AfterEach
  void noLeaks() {
    cache.flush();
    assertTrue(alloc.outstanding().isEmpty(), alloc.describeOutstanding());
  }

  private ByteBuf packet(int tag) {
    ByteBuf b = alloc.buffer(4);
    b.writeInt(tag);
    return b;
  }

  @Test
  void addressesWhoseKeysCollideStayApart() {
    Ipv6Address a = Ipv6Address.parse("2001:db8:1::42");
    // b's low half is chosen so that b mixes to the same table key as a
    long c = 0x9E37_79B9_7F4A_7C15L;
    long bHi = 0xfe80_0000_0000_0000L;
    Ipv6Address b = new Ipv6Address(bHi, a.lo() ^ (a.hi() * c) ^ (bHi * c));
    assertEquals(-1, cache.resolve(a.hi(), a.lo(), packet(1)));
    assertEquals(-1, cache.resolve(b.hi(), b.lo(), packet(2)));
    assertEquals(2, cache.size());
    assertEquals(2, counters.ndpCacheMisses);
    assertEquals(0, counters.arpCacheMisses);
    cache.confirm(b.hi(), b.lo(), 0x0200000000bbL);
    assertEquals(List.of(2), ev.releasedTags(), "only b's packet left");
    assertEquals(NeighborState.REACHABLE, cache.lookup(b.hi(), b.lo()).state());
    assertEquals(NeighborState.INCOMPLETE, cache.lookup(a.hi(), a.lo()).state());
    assertEquals(a.hi(), cache.lookup(a.hi(), a.lo()).hi());
    assertNull(cache.lookup(0, 0x42));
    time.advance(4 * S); // three solicitations unanswered
    assertEquals(NeighborState.FAILED, cache.lookup(a.hi(), a.lo()).state());
    assertEquals(List.of(1), ev.unresolvedTags());
    assertEquals(1, counters.drops(DropReason.NDP_TIMEOUT), "counted as neighbour discovery's, not ARP's");
    assertEquals(0, counters.drops(DropReason.ARP_TIMEOUT));
    assertNotNull(cache.lookup(b.hi(), b.lo()));
  }

  @Test
  void theQueueOverflowsAsNeighbourDiscoverysDrop() {
    Ipv6Address a = Ipv6Address.parse("2001:db8:1::7");
    for (int i = 0; i < 3; i++) {
      cache.resolve(a.hi(), a.lo(), packet(i));
    }
    assertEquals(1, counters.drops(DropReason.NDP_QUEUE_FULL));
    assertEquals(1, ev.solicits.size(), "one solicitation, not one per queued packet");
  }

  /**
   * The node's budget is shared by both families' caches (through the node's counters): what
   * ARP holds leaves that much less for neighbour discovery. Fails on the old code, which had
   * no byte limit.
   */
  @Test
  void bothFamiliesShareTheNodesBudget() {
    NeighborCache.Params small = new NeighborCache.Params(30 * S, 5 * S, S, 3, 3, 64, 1024).withQueueBytes(212_992,
        10_000);
    NeighborCache arp = new NeighborCache(time, new SplittableRandom(2), small, ev, counters);
    NeighborCache ndp = new NeighborCache(time, new SplittableRandom(3), small, ev, counters, NeighborCache.Family.NDP);
    MemoryLink link = new MemoryLink("eth1", "peer", 1500, time, 0);
    Nic nic = new Nic(3, "eth1", 0x020000000002L, Ipv4Cidr.parse("10.0.1.1/24"), link.a(), arp);
    arp.attach(nic);
    ndp.attach(nic);
    ByteBuf big = alloc.buffer(9000, 9000);
    big.writeInt(1).writerIndex(9000);
    arp.resolve(0x0A00_0102, big);
    Ipv6Address a = Ipv6Address.parse("2001:db8:1::7");
    ByteBuf second = alloc.buffer(2000, 2000);
    second.writeInt(2).writerIndex(2000);
    ndp.resolve(a.hi(), a.lo(), second);
    assertEquals(0, second.refCnt(), "no room left: dropped");
    assertEquals(1, counters.drops(DropReason.NDP_QUEUE_FULL));
    assertEquals(9000, counters.neighborQueuedBytes);
    arp.flush();
    ndp.flush();
    assertEquals(0, counters.neighborQueuedBytes);
  }
}
