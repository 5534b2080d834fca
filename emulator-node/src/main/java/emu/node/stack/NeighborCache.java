package emu.node.stack;

import emu.link.time.TimeSource;
import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * One interface's ARP cache (RFC 826 with Linux's reachability states). Time comes from the
 * injected {@link TimeSource}, so every transition can be tested on virtual time. Each entry
 * holds a bounded queue of packets waiting for resolution; when it overflows the oldest packet
 * is dropped and counted, as Linux does.
 *
 * <pre>
 *  (none) --send--> INCOMPLETE --reply--> REACHABLE --reachable time--> STALE --send--> DELAY
 *  INCOMPLETE --no reply after N probes--> FAILED --send--> INCOMPLETE
 *  DELAY --confirmed--> REACHABLE;  DELAY --5 s--> PROBE --no reply after N probes--> FAILED
 * </pre>
 */
public final class NeighborCache {
  /** Tunables, with Linux's defaults (net.ipv4.neigh.default.*). */
  public record Params(long baseReachableNanos, long delayFirstProbeNanos, long retransNanos,
                       int multicastProbes, int unicastProbes, int queueLength, int maxEntries) {
    public static final Params LINUX = new Params(30_000_000_000L, 5_000_000_000L, 1_000_000_000L,
        3, 3, 64, 1024);
  }

  /** One neighbour. Mutable, owned by the cache. */
  public static final class Entry {
    final int ip;
    NeighborState state;
    long mac = -1;
    long confirmedAt;
    long updatedAt;
    long reachableNanos;
    int probes;
    final ArrayDeque<ByteBuf> queue = new ArrayDeque<>(4);
    TimeSource.Timer timer;

    Entry(int ip) {
      this.ip = ip;
    }

    public int ip() {
      return ip;
    }

    public NeighborState state() {
      return state;
    }

    /** The MAC, or -1 while unknown. */
    public long mac() {
      return mac;
    }

    public int probes() {
      return probes;
    }

    public int queued() {
      return queue.size();
    }
  }

  private Nic nic;
  private final TimeSource time;
  private final RandomGenerator random;
  private final Params params;
  private final NeighborEvents events;
  private final StackCounters counters;
  private final IntObjectHashMap<Entry> entries = new IntObjectHashMap<>();

  public NeighborCache(TimeSource time, RandomGenerator random, Params params, NeighborEvents events,
                       StackCounters counters) {
    this.time = time;
    this.random = random;
    this.params = params;
    this.events = events;
    this.counters = counters;
  }

  /** Binds the cache to its interface (the two are made together). */
  void attach(Nic nic) {
    this.nic = nic;
  }

  private Nic nic() {
    return nic;
  }

  /** The entry for {@code ip} with its state brought up to date, or null. */
  public Entry lookup(int ip) {
    Entry e = entries.get(ip);
    if (e != null) {
      age(e);
    }
    return e;
  }

  /** Every entry, aged, for {@code ip neigh}. */
  public List<Entry> entries() {
    List<Entry> list = new ArrayList<>(entries.values());
    list.forEach(this::age);
    list.sort((a, b) -> Integer.compareUnsigned(a.ip, b.ip));
    return list;
  }

  /**
   * The output path's question: may a packet for next hop {@code ip} go now? Returns the MAC
   * if so (a use of a STALE entry starts the DELAY timer). Otherwise takes ownership of
   * {@code packet}, queues it and makes sure resolution is running, and returns -1.
   */
  public long resolve(int ip, ByteBuf packet) {
    Entry e = entries.get(ip);
    if (e != null) {
      age(e);
      if (e.state.usable()) {
        if (e.state == NeighborState.STALE) {
          transition(e, NeighborState.DELAY);
          arm(e, params.delayFirstProbeNanos);
        }
        return e.mac;
      }
    } else {
      e = create(ip);
      if (e == null) {
        counters.drop(DropReason.NEIGHBOR_TABLE_FULL);
        packet.release();
        return -1;
      }
    }
    counters.arpCacheMisses++;
    if (e.queue.size() >= params.queueLength) {
      e.queue.pollFirst().release();
      counters.drop(DropReason.ARP_QUEUE_FULL);
    }
    e.queue.addLast(packet);
    if (e.state == null || e.state == NeighborState.FAILED) {
      e.probes = 0;
      transition(e, NeighborState.INCOMPLETE);
      probe(e);
    }
    return -1;
  }

  /**
   * An ARP reply addressed to us: the neighbour answered our request, so it is REACHABLE.
   * Creates no entry we did not ask for (Linux's arp_accept=0).
   */
  public void confirm(int ip, long mac) {
    Entry e = entries.get(ip);
    if (e == null || e.state == NeighborState.PERMANENT) {
      return;
    }
    e.mac = mac;
    e.confirmedAt = time.nanos();
    e.updatedAt = e.confirmedAt;
    e.reachableNanos = reachableTime();
    cancelTimer(e);
    transition(e, NeighborState.REACHABLE);
    drain(e);
  }

  /**
   * A neighbour spoke to us (an ARP request for our address, or RFC 826's merge of a known
   * sender): learn or refresh its MAC as STALE, without confirming reachability. With
   * {@code create} false only an existing entry is updated (gratuitous ARP, arp_accept=0).
   */
  public void learn(int ip, long mac, boolean create) {
    Entry e = entries.get(ip);
    if (e == null) {
      if (!create || (e = create(ip)) == null) {
        return;
      }
    }
    if (e.state == NeighborState.PERMANENT) {
      return;
    }
    age(e);
    boolean known = e.state != null && e.state != NeighborState.INCOMPLETE && e.state != NeighborState.FAILED;
    if (known && e.mac == mac) {
      return; // nothing new: keep REACHABLE/DELAY/PROBE as they are
    }
    e.mac = mac;
    e.updatedAt = time.nanos();
    cancelTimer(e);
    transition(e, NeighborState.STALE);
    drain(e);
  }

  /** A static entry that never ages ({@code ip neigh add ... nud permanent}). */
  public void addPermanent(int ip, long mac) {
    Entry e = entries.get(ip);
    if (e == null) {
      e = new Entry(ip);
      entries.put(ip, e);
    }
    e.mac = mac;
    cancelTimer(e);
    transition(e, NeighborState.PERMANENT);
    drain(e);
  }

  /** Drops every entry and its queue (interface down). */
  public void flush() {
    for (Entry e : entries.values()) {
      cancelTimer(e);
      ByteBuf b;
      while ((b = e.queue.pollFirst()) != null) {
        b.release();
        counters.drop(DropReason.LINK_DOWN);
      }
    }
    entries.clear();
  }

  public int size() {
    return entries.size();
  }

  private Entry create(int ip) {
    if (entries.size() >= params.maxEntries && !evictOne()) {
      return null;
    }
    Entry e = new Entry(ip);
    e.updatedAt = time.nanos();
    entries.put(ip, e);
    return e;
  }

  /** Frees the oldest FAILED or STALE entry with nothing queued. */
  private boolean evictOne() {
    Entry victim = null;
    for (Entry e : entries.values()) {
      age(e);
      if ((e.state == NeighborState.FAILED || e.state == NeighborState.STALE) && e.queue.isEmpty()
          && (victim == null || e.updatedAt < victim.updatedAt)) {
        victim = e;
      }
    }
    if (victim == null) {
      return false;
    }
    cancelTimer(victim);
    entries.remove(victim.ip);
    return true;
  }

  /** REACHABLE lapses into STALE lazily, when someone looks. */
  private void age(Entry e) {
    if (e.state == NeighborState.REACHABLE && time.nanos() - e.confirmedAt >= e.reachableNanos) {
      transition(e, NeighborState.STALE);
    }
  }

  private long reachableTime() {
    // Linux picks a random value in [base/2, 3*base/2) so neighbours do not re-probe in step.
    long base = params.baseReachableNanos;
    return base / 2 + (long) (random.nextDouble() * base);
  }

  private void probe(Entry e) {
    e.probes++;
    events.solicit(nic(), e.ip, e.state == NeighborState.PROBE ? e.mac : -1);
    arm(e, params.retransNanos);
  }

  private void arm(Entry e, long delay) {
    cancelTimer(e);
    e.timer = time.schedule(() -> onTimer(e), delay);
  }

  private void onTimer(Entry e) {
    e.timer = null;
    if (entries.get(e.ip) != e) {
      return;
    }
    switch (e.state) {
      case INCOMPLETE -> {
        if (e.probes < params.multicastProbes) {
          probe(e);
        } else {
          fail(e);
        }
      }
      case DELAY -> {
        // No confirmation arrived within delay_first_probe_time: start unicast probes.
        e.probes = 0;
        transition(e, NeighborState.PROBE);
        probe(e);
      }
      case PROBE -> {
        if (e.probes < params.unicastProbes) {
          probe(e);
        } else {
          fail(e);
        }
      }
      default -> { }
    }
  }

  private void fail(Entry e) {
    transition(e, NeighborState.FAILED);
    e.updatedAt = time.nanos();
    ByteBuf b;
    while ((b = e.queue.pollFirst()) != null) {
      counters.drop(DropReason.ARP_TIMEOUT);
      events.unresolved(nic(), e.ip, b);
    }
  }

  private void drain(Entry e) {
    ByteBuf b;
    while ((b = e.queue.pollFirst()) != null) {
      events.release(nic(), e.mac, b);
    }
  }

  private void cancelTimer(Entry e) {
    if (e.timer != null) {
      e.timer.cancel();
      e.timer = null;
    }
  }

  private void transition(Entry e, NeighborState to) {
    NeighborState from = e.state;
    if (from == to) {
      return;
    }
    e.state = to;
    events.transition(nic(), e, from, to);
  }
}
