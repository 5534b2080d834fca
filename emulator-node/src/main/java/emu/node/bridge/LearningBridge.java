package emu.node.bridge;

import emu.link.LinkEndpoint;
import emu.link.time.TimeSource;
import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.node.bridge.stp.Rstp;
import emu.node.stack.InternalErrors;
import emu.node.wire.Bpdu;
import io.netty.buffer.ByteBuf;
import io.netty.util.collection.LongObjectHashMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A transparent learning bridge (IEEE 802.1D section 7), with spanning tree if given one
 * ({@link #spanningTree}: a discarding port neither learns nor forwards, a learning port learns
 * only, BPDUs go to the spanning tree and are never flooded): learns which
 * port each source MAC lives behind, forwards known unicast to that port only, floods
 * broadcast, multicast and unknown unicast to every other port, and forgets addresses not seen
 * for the ageing time (300 s by default, like Linux bridges). Frames pass through unchanged.
 *
 * <p>The MAC table has a size limit (8192 entries by default; Open vSwitch's
 * {@code other_config:mac-table-size} is 2048, hardware switches have a few thousand to some
 * hundred thousand; a Linux bridge has none). When it is full the bridge stops learning: a new
 * source address is not added (counted in {@link #fdbOverflow}) and frames for it are flooded,
 * while the stations already known keep being forwarded to their ports only. Evicting the oldest
 * entry instead would let a MAC flood (a million random source addresses) push out every real
 * station and turn the switch into a hub, which is what the flood attack wants. Addresses past
 * the ageing time are swept out to make room (at most once a second while the table is full), so
 * learning resumes once the flood stops and its entries age out.
 *
 * <p>A port may police what it floods ({@link StormControl}): broadcast, multicast and unknown
 * unicast over the port's rates are dropped at ingress, before they are copied to every port.
 */
public final class LearningBridge {
  public static final long DEFAULT_AGEING_NANOS = 300_000_000_000L;
  /** The MAC table's default size limit. */
  public static final int DEFAULT_MAX_ENTRIES = 8192;
  /** How often a full table may be swept for aged entries: a sweep walks the whole table. */
  private static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;

  /** A forwarding-database entry. */
  public static final class FdbEntry {
    final long mac;
    BridgePort port;
    long lastSeen;

    FdbEntry(long mac) {
      this.mac = mac;
    }

    public long mac() {
      return mac;
    }

    public BridgePort port() {
      return port;
    }

    public long lastSeen() {
      return lastSeen;
    }
  }

  private final String name;
  private final TimeSource time;
  private final BridgeObserver observer;
  private final long ageingNanos;
  private final int maxEntries;
  private final List<BridgePort> ports = new ArrayList<>();
  private final LongObjectHashMap<FdbEntry> fdb = new LongObjectHashMap<>();
  private final EthernetFrame eth = new EthernetFrame();
  private final InternalErrors internalErrors;
  public long runts;
  public long filtered;
  public long flooded;
  public long forwarded;
  /** Source addresses not learned because the MAC table was full. */
  public long fdbOverflow;
  /** Frames dropped because spanning tree has their ingress port discarding or learning. */
  public long discarded;
  /** The spanning tree, or null for a bridge without one (BPDUs are then flooded like any multicast). */
  private Rstp stp;
  /** When a full table may next be swept for aged entries (once {@link #swept}). */
  private long nextSweep;
  private boolean swept;

  /** A bridge with the default MAC table size. */
  public LearningBridge(String name, TimeSource time, BridgeObserver observer, long ageingNanos) {
    this(name, time, observer, ageingNanos, DEFAULT_MAX_ENTRIES);
  }

  /** A bridge whose MAC table holds at most {@code maxEntries} addresses. */
  public LearningBridge(String name, TimeSource time, BridgeObserver observer, long ageingNanos, int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("MAC table size must be at least 1, not " + maxEntries);
    }
    this.name = name;
    this.time = time;
    this.observer = observer;
    this.ageingNanos = ageingNanos;
    this.internalErrors = new InternalErrors(name, System.err);
    this.maxEntries = maxEntries;
  }

  public BridgePort addPort(String portName, LinkEndpoint endpoint) {
    BridgePort port = new BridgePort(ports.size() + 2, portName, endpoint);
    ports.add(port);
    endpoint.receiver(frame -> input(port, frame));
    return port;
  }

  /**
   * A frame arrived on {@code in}; the bridge owns it. What throws while it is handled is
   * contained, as in the stack ({@link emu.node.stack.NetworkStack#input}): counted by class, the
   * frame released if still held (a hand-over to a port is the last step), the next frame handled.
   */
  public void input(BridgePort in, ByteBuf frame) {
    try {
      receive(in, frame);
    } catch (RuntimeException e) {
      internalErrors.count(e, "handling a frame from " + in.name());
      in.rxDropped++;
      if (frame.refCnt() > 0) {
        frame.release();
      }
    }
  }

  private void receive(BridgePort in, ByteBuf frame) {
    in.rxFrames++;
    in.rxBytes += frame.readableBytes();
    if (!in.isUp()) {
      in.rxDropped++;
      frame.release();
      return;
    }
    if (!eth.wrapChecked(frame)) {
      runts++;
      in.rxDropped++;
      frame.release();
      return;
    }
    long src = eth.src();
    long dst = eth.dst();
    if (dst == Bpdu.GROUP_ADDRESS && stp != null) {
      stp.receive(in, frame); // BPDUs are for the bridge: never flooded
      return;
    }
    if (!in.isLearning()) {
      discarded++;
      frame.release();
      return;
    }
    long now = time.nanos();
    if (!MacAddress.isMulticast(src)) {
      learn(in, src, now);
    }
    if (!in.isForwarding()) {
      discarded++;
      frame.release();
      return;
    }
    if (!MacAddress.isMulticast(dst)) {
      FdbEntry e = fdb.get(dst);
      if (e != null && now - e.lastSeen < ageingNanos && e.port.isForwarding()) {
        if (e.port == in) {
          // The destination is on the segment the frame came from: nothing to do.
          filtered++;
          frame.release();
          return;
        }
        forwarded++;
        if (observer.enabled()) {
          observer.forwarded(in, e.port, src, dst);
        }
        send(e.port, frame);
        return;
      }
    }
    StormControl storm = in.storm();
    // BPDUs get here only on a bridge without spanning tree, which floods them: policed as multicast
    if (storm != null && !storm.admit(dst == MacAddress.BROADCAST_BITS ? StormControl.Kind.BROADCAST
        : MacAddress.isMulticast(dst) ? StormControl.Kind.MULTICAST : StormControl.Kind.UNKNOWN_UNICAST, now)) {
      frame.release(); // past the port's storm control level this second: counted there
      return;
    }
    flood(in, frame, src, dst);
  }

  private void learn(BridgePort in, long src, long now) {
    FdbEntry e = fdb.get(src);
    boolean fresh = e == null || now - e.lastSeen >= ageingNanos;
    if (e == null) {
      if (fdb.size() >= maxEntries && !makeRoom(now)) {
        fdbOverflow++;
        return;
      }
      e = new FdbEntry(src);
      fdb.put(src, e);
    }
    boolean moved = !fresh && e.port != in;
    e.port = in;
    e.lastSeen = now;
    if ((fresh || moved) && observer.enabled()) {
      observer.learned(src, in, moved);
    }
  }

  /** Sweeps aged entries out of a full table, if the last sweep is a while ago; true if there is room now. */
  private boolean makeRoom(long now) {
    if (swept && now - nextSweep < 0) {
      return false;
    }
    swept = true;
    nextSweep = now + SWEEP_INTERVAL_NANOS;
    expire();
    return fdb.size() < maxEntries;
  }

  private void flood(BridgePort in, ByteBuf frame, long src, long dst) {
    flooded++;
    if (observer.enabled()) {
      List<BridgePort> outs = new ArrayList<>();
      for (BridgePort p : ports) {
        if (p != in && p.isForwarding()) {
          outs.add(p);
        }
      }
      observer.flooded(in, outs, src, dst);
    }
    // Each port gets its own bytes: a receiver may edit its frame in place (a router
    // decrementing TTL), which must not change what the other ports see. The last port takes
    // the original, so a two-port switch copies nothing.
    BridgePort last = null;
    for (int i = 0; i < ports.size(); i++) {
      BridgePort p = ports.get(i);
      if (p == in || !p.isForwarding()) {
        continue;
      }
      if (last != null) {
        send(last, frame.copy());
      }
      last = p;
    }
    if (last != null) {
      send(last, frame);
    } else {
      frame.release();
    }
  }

  private void send(BridgePort out, ByteBuf frame) {
    out.txFrames++;
    out.txBytes += frame.readableBytes();
    out.endpoint().send(frame);
  }

  /** Sends a frame the bridge made itself (a BPDU) out of {@code out}; it takes the frame. */
  public void sendControl(BridgePort out, ByteBuf frame) {
    send(out, frame);
  }

  /** Frames of {@code kind} dropped by the ports' storm control, all ports together. */
  public long stormDrops(StormControl.Kind kind) {
    long n = 0;
    for (BridgePort p : ports) {
      if (p.storm() != null) {
        n += p.storm().drops(kind);
      }
    }
    return n;
  }

  /** Runs {@code rstp} on this bridge: it sees every BPDU and sets each port's state. */
  public void spanningTree(Rstp rstp) {
    this.stp = rstp;
  }

  /** The spanning tree, or null. */
  public Rstp stp() {
    return stp;
  }

  /**
   * A port's link went up or down: down forgets the MACs learned behind it (as Linux bridges do);
   * the spanning tree, if any, recomputes.
   */
  public void setPortUp(BridgePort port, boolean up) {
    port.setUp(up);
    if (!up) {
      forget(port);
    }
    if (stp != null) {
      stp.linkChanged(port);
    }
  }

  /** The live entries, for {@code bridge fdb}. */
  public List<FdbEntry> fdb() {
    long now = time.nanos();
    List<FdbEntry> live = new ArrayList<>();
    for (FdbEntry e : fdb.values()) {
      if (now - e.lastSeen < ageingNanos) {
        live.add(e);
      }
    }
    live.sort((a, b) -> Long.compare(a.mac, b.mac));
    return live;
  }

  /** Forgets every MAC learned behind {@code port} (its link went down), as Linux bridges do. */
  public void forget(BridgePort port) {
    List<Long> gone = new ArrayList<>();
    for (FdbEntry e : fdb.values()) {
      if (e.port == port) {
        gone.add(e.mac);
      }
    }
    gone.forEach(fdb::remove);
  }

  /** Forgets entries past the ageing time; called periodically so the table stays bounded. */
  public int expire() {
    long now = time.nanos();
    List<Long> old = new ArrayList<>();
    for (FdbEntry e : fdb.values()) {
      if (now - e.lastSeen >= ageingNanos) {
        old.add(e.mac);
      }
    }
    old.forEach(fdb::remove);
    return old.size();
  }

  public String name() {
    return name;
  }

  public List<BridgePort> ports() {
    return Collections.unmodifiableList(ports);
  }

  public BridgePort port(String portName) {
    for (BridgePort p : ports) {
      if (p.name().equals(portName)) {
        return p;
      }
    }
    return null;
  }

  /** The exceptions contained while frames were handled, by class. */
  public InternalErrors internalErrors() {
    return internalErrors;
  }

  public long ageingNanos() {
    return ageingNanos;
  }

  /** The MAC table's size limit. */
  public int maxEntries() {
    return maxEntries;
  }

  /** Entries in the MAC table, aged ones not yet swept out included (what it costs in memory). */
  public int tableSize() {
    return fdb.size();
  }
}
