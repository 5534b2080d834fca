package emu.node.stack;

import emu.link.time.TimeSource;
import io.netty.buffer.ByteBuf;
import io.netty.util.collection.LongObjectHashMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * One interface's neighbour cache for one address family: ARP's for IPv4 (RFC 826 with Linux's
 * reachability states), or IPv6 neighbour discovery's (RFC 4861 7.3, where those states come
 * from), as Linux's neighbour subsystem keeps one table per protocol over one state machine.
 * Addresses are keyed as 128 bits (an IPv4 address in the low 32; the int methods say so), and
 * the {@link Family} names what its drops are counted as. Time comes from the
 * injected {@link TimeSource}, so every transition can be tested on virtual time. Each entry
 * holds a bounded queue of packets waiting for resolution; when it overflows the oldest packet
 * is dropped and counted, as Linux does.
 *
 * <p>The queue is bounded by bytes as well as packets: a packet costs the memory its buffer holds
 * (Linux charges an skb's truesize against {@code unres_qlen_bytes}, 212992 bytes per neighbour),
 * and all the node's queues together (every interface, both families) have a budget of their own,
 * so 1024 neighbours of 64 packets cannot hold more than the node's direct memory. A small packet
 * that came in a much larger receive buffer (a recvmmsg or GRO read is 64 KiB) is copied into a
 * buffer of its own size before it waits, releasing the receive buffer at once.
 *
 * <pre>
 *  (none) --send--> INCOMPLETE --reply--> REACHABLE --reachable time--> STALE --send--> DELAY
 *  INCOMPLETE --no reply after N probes--> FAILED --send--> INCOMPLETE
 *  DELAY --confirmed--> REACHABLE;  DELAY --5 s--> PROBE --no reply after N probes--> FAILED
 * </pre>
 */
public final class NeighborCache {
  /**
   * Tunables, with Linux's defaults (net.ipv4.neigh.default.*); {@code queueBytes} is
   * {@code unres_qlen_bytes}, {@code nodeQueueBytes} (ours: Linux has only the per-neighbour
   * limit) bounds what all the node's queues hold together.
   */
  public record Params(long baseReachableNanos, long delayFirstProbeNanos, long retransNanos,
                       int multicastProbes, int unicastProbes, int queueLength, int maxEntries,
                       long queueBytes, long nodeQueueBytes) {
    /** Linux's unres_qlen_bytes default (SK_WMEM_MAX). */
    public static final long LINUX_QUEUE_BYTES = 212_992;
    /** 4 MiB: about twenty neighbours' full queues, a small part of a node's 128 MiB of direct memory. */
    public static final long NODE_QUEUE_BYTES = 4L << 20;
    public static final Params LINUX = new Params(30_000_000_000L, 5_000_000_000L, 1_000_000_000L,
        3, 3, 64, 1024);

    /** Linux's byte budgets. */
    public Params(long baseReachableNanos, long delayFirstProbeNanos, long retransNanos,
                  int multicastProbes, int unicastProbes, int queueLength, int maxEntries) {
      this(baseReachableNanos, delayFirstProbeNanos, retransNanos, multicastProbes, unicastProbes, queueLength,
          maxEntries, LINUX_QUEUE_BYTES, NODE_QUEUE_BYTES);
    }

    /** These tunables with other byte budgets. */
    public Params withQueueBytes(long perNeighbor, long perNode) {
      return new Params(baseReachableNanos, delayFirstProbeNanos, retransNanos, multicastProbes, unicastProbes,
          queueLength, maxEntries, perNeighbor, perNode);
    }
  }

  /** Room a queued packet keeps in front of its network header for the Ethernet header written on release. */
  static final int HEADROOM = 14;

  /** Whose neighbours: which drop reasons and miss counter the cache's events are counted under. */
  public enum Family {
    /** IPv4 over Ethernet (ARP). */
    ARP(DropReason.ARP_QUEUE_FULL, DropReason.ARP_TIMEOUT),
    /** IPv6 neighbour discovery. */
    NDP(DropReason.NDP_QUEUE_FULL, DropReason.NDP_TIMEOUT);

    final DropReason queueFull;
    final DropReason unresolved;

    Family(DropReason queueFull, DropReason unresolved) {
      this.queueFull = queueFull;
      this.unresolved = unresolved;
    }
  }

  /** One neighbour. Mutable, owned by the cache. */
  public static final class Entry {
    final long hi;
    final long lo;
    /** The next entry whose address has the same table key (rare: IPv6 addresses that mix alike). */
    Entry nextSameKey;
    NeighborState state;
    long mac = -1;
    long confirmedAt;
    long updatedAt;
    long reachableNanos;
    int probes;
    /** NDP's IsRouter flag (RFC 4861 7.2.5): the neighbour said it is a router; unused by ARP. */
    boolean router;
    final ArrayDeque<ByteBuf> queue = new ArrayDeque<>(4);
    /** What the queued packets cost, by {@link #footprint}. */
    long queuedBytes;
    TimeSource.Timer timer;

    Entry(long hi, long lo) {
      this.hi = hi;
      this.lo = lo;
    }

    /** An IPv4 entry's address. */
    public int ip() {
      return (int) lo;
    }

    /** The high 64 bits of an IPv6 entry's address. */
    public long hi() {
      return hi;
    }

    /** The low 64 bits of an IPv6 entry's address (an IPv4 entry's address in its low 32). */
    public long lo() {
      return lo;
    }

    public NeighborState state() {
      return state;
    }

    /** NDP's IsRouter flag, as {@code ip -6 neigh} prints "router". */
    public boolean router() {
      return router;
    }

    /** Sets NDP's IsRouter flag (from an advertisement's R flag, or a router advertisement). */
    public void router(boolean isRouter) {
      this.router = isRouter;
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

    /** The bytes the queued packets hold (their buffers' capacities). */
    public long queuedBytes() {
      return queuedBytes;
    }
  }

  private Nic nic;
  private final TimeSource time;
  private final RandomGenerator random;
  private final Params params;
  private final NeighborEvents events;
  private final StackCounters counters;
  private final Family family;
  /** Entries by {@link #key}; entries with the same key are chained. */
  private final LongObjectHashMap<Entry> entries = new LongObjectHashMap<>();
  private int size;

  /** An ARP cache. */
  public NeighborCache(TimeSource time, RandomGenerator random, Params params, NeighborEvents events,
                       StackCounters counters) {
    this(time, random, params, events, counters, Family.ARP);
  }

  public NeighborCache(TimeSource time, RandomGenerator random, Params params, NeighborEvents events,
                       StackCounters counters, Family family) {
    this.time = time;
    this.random = random;
    this.params = params;
    this.events = events;
    this.counters = counters;
    this.family = family;
  }

  /** The table key of an address: the IPv4 address itself, or a mix of an IPv6 address's halves. */
  private static long key(long hi, long lo) {
    return hi == 0 ? lo : lo ^ (hi * 0x9E37_79B9_7F4A_7C15L);
  }

  private Entry find(long hi, long lo) {
    for (Entry e = entries.get(key(hi, lo)); e != null; e = e.nextSameKey) {
      if (e.hi == hi && e.lo == lo) {
        return e;
      }
    }
    return null;
  }

  private void put(Entry e) {
    long k = key(e.hi, e.lo);
    e.nextSameKey = entries.get(k);
    entries.put(k, e);
    size++;
  }

  private void remove(Entry victim) {
    long k = key(victim.hi, victim.lo);
    Entry head = entries.get(k);
    if (head == victim) {
      if (victim.nextSameKey == null) {
        entries.remove(k);
      } else {
        entries.put(k, victim.nextSameKey);
      }
    } else {
      for (Entry e = head; e != null; e = e.nextSameKey) {
        if (e.nextSameKey == victim) {
          e.nextSameKey = victim.nextSameKey;
          break;
        }
      }
    }
    victim.nextSameKey = null;
    size--;
  }

  private static long v4(int ip) {
    return ip & 0xFFFF_FFFFL;
  }

  /** Binds the cache to its interface (the two are made together; IPv6 makes its own for a NIC). */
  public void attach(Nic nic) {
    this.nic = nic;
  }

  private Nic nic() {
    return nic;
  }

  /** The entry for IPv4 {@code ip} with its state brought up to date, or null. */
  public Entry lookup(int ip) {
    return lookup(0, v4(ip));
  }

  /** The entry for the address {@code hi:lo} with its state brought up to date, or null. */
  public Entry lookup(long hi, long lo) {
    Entry e = find(hi, lo);
    if (e != null) {
      age(e);
    }
    return e;
  }

  /** Every entry, aged, in address order, for {@code ip neigh}. */
  public List<Entry> entries() {
    List<Entry> list = new ArrayList<>(size);
    for (Entry head : entries.values()) {
      for (Entry e = head; e != null; e = e.nextSameKey) {
        list.add(e);
      }
    }
    list.forEach(this::age);
    list.sort((a, b) -> a.hi != b.hi ? Long.compareUnsigned(a.hi, b.hi) : Long.compareUnsigned(a.lo, b.lo));
    return list;
  }

  /**
   * The output path's question: may a packet for next hop {@code ip} go now? Returns the MAC
   * if so (a use of a STALE entry starts the DELAY timer). Otherwise takes ownership of
   * {@code packet}, queues it and makes sure resolution is running, and returns -1.
   */
  public long resolve(int ip, ByteBuf packet) {
    return resolve(0, v4(ip), packet);
  }

  /** {@link #resolve(int, ByteBuf)} for the address {@code hi:lo}. */
  public long resolve(long hi, long lo, ByteBuf packet) {
    Entry e = find(hi, lo);
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
      e = create(hi, lo);
      if (e == null) {
        counters.drop(DropReason.NEIGHBOR_TABLE_FULL);
        packet.release();
        return -1;
      }
    }
    if (family == Family.ARP) {
      counters.arpCacheMisses++;
    } else {
      counters.ndpCacheMisses++;
    }
    if (e.state == null || e.state == NeighborState.FAILED) {
      e.probes = 0;
      transition(e, NeighborState.INCOMPLETE);
      probe(e);
    }
    // Last: once queued the packet belongs to the entry, and nothing after this may fail and have
    // the caller (or NetworkStack's guard) release it too. Should the probe have been answered
    // at once (a link that delivers in the same call), send what waits now.
    enqueue(e, packet);
    if (e.state.usable()) {
      drain(e);
    }
    return -1;
  }

  /**
   * An ARP reply addressed to us: the neighbour answered our request, so it is REACHABLE.
   * Creates no entry we did not ask for (Linux's arp_accept=0).
   */
  public void confirm(int ip, long mac) {
    confirm(0, v4(ip), mac);
  }

  /** {@link #confirm(int, long)} for the address {@code hi:lo} (a solicited neighbour advertisement). */
  public void confirm(long hi, long lo, long mac) {
    Entry e = find(hi, lo);
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
    learn(0, v4(ip), mac, create);
  }

  /** {@link #learn(int, long, boolean)} for the address {@code hi:lo}. */
  public void learn(long hi, long lo, long mac, boolean create) {
    Entry e = find(hi, lo);
    if (e == null) {
      if (!create || (e = create(hi, lo)) == null) {
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

  /**
   * An advertisement without the override flag names another link-layer address than the one
   * cached (RFC 4861 7.2.5): the cached one is kept, but a REACHABLE entry is no longer trusted
   * and becomes STALE.
   */
  public void doubt(long hi, long lo) {
    Entry e = find(hi, lo);
    if (e != null) {
      age(e);
      if (e.state == NeighborState.REACHABLE) {
        e.updatedAt = time.nanos();
        transition(e, NeighborState.STALE);
      }
    }
  }

  /** A static entry that never ages ({@code ip neigh add ... nud permanent}). */
  public void addPermanent(int ip, long mac) {
    addPermanent(0, v4(ip), mac);
  }

  /** {@link #addPermanent(int, long)} for the address {@code hi:lo}. */
  public void addPermanent(long hi, long lo, long mac) {
    Entry e = find(hi, lo);
    if (e == null) {
      e = new Entry(hi, lo);
      put(e);
    }
    e.mac = mac;
    cancelTimer(e);
    transition(e, NeighborState.PERMANENT);
    drain(e);
  }

  /** Drops every entry and its queue (interface down). */
  public void flush() {
    for (Entry head : entries.values()) {
      for (Entry e = head; e != null; e = e.nextSameKey) {
        cancelTimer(e);
        ByteBuf b;
        while ((b = dequeue(e)) != null) {
          b.release();
          counters.drop(DropReason.LINK_DOWN);
        }
      }
    }
    entries.clear();
    size = 0;
  }

  public int size() {
    return size;
  }

  private Entry create(long hi, long lo) {
    if (size >= params.maxEntries && !evictOne()) {
      return null;
    }
    Entry e = new Entry(hi, lo);
    e.updatedAt = time.nanos();
    put(e);
    return e;
  }

  /** Frees the oldest FAILED or STALE entry with nothing queued. */
  private boolean evictOne() {
    Entry victim = null;
    for (Entry head : entries.values()) {
      for (Entry e = head; e != null; e = e.nextSameKey) {
        age(e);
        if ((e.state == NeighborState.FAILED || e.state == NeighborState.STALE) && e.queue.isEmpty()
            && (victim == null || e.updatedAt < victim.updatedAt)) {
          victim = e;
        }
      }
    }
    if (victim == null) {
      return false;
    }
    cancelTimer(victim);
    remove(victim);
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
    events.solicit(nic(), e, e.state == NeighborState.PROBE ? e.mac : -1);
    arm(e, params.retransNanos);
  }

  private void arm(Entry e, long delay) {
    cancelTimer(e);
    e.timer = time.schedule(() -> onTimer(e), delay);
  }

  private void onTimer(Entry e) {
    e.timer = null;
    if (find(e.hi, e.lo) != e) {
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
    while ((b = dequeue(e)) != null) {
      counters.drop(family.unresolved);
      events.unresolved(nic(), e, b);
    }
  }

  private void drain(Entry e) {
    ByteBuf b;
    while ((b = dequeue(e)) != null) {
      events.release(nic(), e.mac, b);
    }
  }

  /**
   * Queues {@code packet} on {@code e} (owning it). Within the neighbour's own limits the oldest
   * packets make room, as Linux's __neigh_event_send does; a packet the node-wide budget has no
   * room for (other neighbours hold it) is itself dropped, so a flood towards many unanswered
   * addresses cannot grow the node's queues past the budget. Every drop is counted as the
   * family's queue-full reason.
   */
  private void enqueue(Entry e, ByteBuf packet) {
    ByteBuf p = rightSized(packet);
    long cost = footprint(p);
    if (cost > params.queueBytes) {
      overflow(e, p); // would not fit even alone: the queue keeps what it has
      return;
    }
    while (!e.queue.isEmpty() && (e.queue.size() >= params.queueLength || e.queuedBytes + cost > params.queueBytes)) {
      overflow(e, dequeue(e));
    }
    if (counters.neighborQueuedBytes + cost > params.nodeQueueBytes) {
      overflow(e, p);
      return;
    }
    e.queue.addLast(p);
    e.queuedBytes += cost;
    counters.neighborQueuedBytes += cost;
  }

  private void overflow(Entry e, ByteBuf dropped) {
    dropped.release();
    counters.drop(family.queueFull);
    events.dropped(nic(), e, family.queueFull);
  }

  /** The oldest packet of {@code e}'s queue, taken off its byte counts; null if none. */
  private ByteBuf dequeue(Entry e) {
    ByteBuf b = e.queue.pollFirst();
    if (b != null) {
      long cost = footprint(b);
      e.queuedBytes -= cost;
      counters.neighborQueuedBytes -= cost;
    }
    return b;
  }

  /**
   * The memory a buffer keeps alive: the capacity of the buffer it is a view of, if it is one (a
   * datagram of a recvmmsg read is a slice of the read's 64 KiB buffer), else its own.
   */
  static long footprint(ByteBuf b) {
    ByteBuf root = b;
    for (ByteBuf under = root.unwrap(); under != null; under = under.unwrap()) {
      root = under;
    }
    return root.capacity();
  }

  /**
   * {@code packet}, or, if its buffer holds more than twice what the packet needs, a copy in a
   * buffer of the packet's size (with {@link #HEADROOM} for its Ethernet header), the original
   * released. Copies happen only on the way into the queue, never on the forwarding path.
   */
  private static ByteBuf rightSized(ByteBuf packet) {
    int len = packet.readableBytes();
    int need = HEADROOM + len;
    if (footprint(packet) <= 2L * need) {
      return packet;
    }
    ByteBuf copy = packet.alloc().buffer(need, need);
    copy.writerIndex(HEADROOM).readerIndex(HEADROOM);
    copy.writeBytes(packet, packet.readerIndex(), len);
    packet.release();
    return copy;
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
