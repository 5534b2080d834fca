package emu.node.bridge;

import emu.link.LinkEndpoint;
import emu.link.time.TimeSource;
import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.link.wire.VlanTag;
import emu.node.bridge.stp.Rstp;
import emu.node.bridge.stp.StpBridge;
import emu.node.stack.InternalErrors;
import emu.node.wire.Bpdu;
import io.netty.buffer.ByteBuf;
import io.netty.util.collection.LongObjectHashMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

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
 * <p>VLANs (IEEE 802.1Q): a bridge given port VLANs ({@link #vlans}) is VLAN-aware, as a Linux
 * bridge with {@code vlan_filtering 1}: each frame is classified into a VLAN at ingress (its tag on
 * a trunk, the port's PVID if untagged or priority-tagged), refused if the port may not carry it
 * (counted by {@link VlanDrop}), learned and looked up per VLAN (the table's key is {@code vid << 48 | mac}, so
 * one MAC may live in two VLANs behind two ports), flooded only to the VLAN's ports, and tagged or
 * untagged per egress port ({@link VlanEgress}). A bridge without them passes frames unchanged,
 * tagged or not, and learns by MAC alone (VLAN 0 in the key).
 *
 * <p>A port may police what it floods ({@link StormControl}): broadcast, multicast and unknown
 * unicast over the port's rates are dropped at ingress, before they are copied to every port.
 */
public final class LearningBridge implements StpBridge {
  public static final long DEFAULT_AGEING_NANOS = 300_000_000_000L;
  /** The MAC table's default size limit. */
  public static final int DEFAULT_MAX_ENTRIES = 8192;
  /** How often a full table may be swept for aged entries: a sweep walks the whole table. */
  private static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;
  /** The 48 bits of a MAC in a table key. */
  private static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;

  /** A forwarding-database entry. */
  public static final class FdbEntry {
    /** {@code vid << 48 | mac}: vid 0 on a bridge that is not VLAN-aware. */
    final long key;
    BridgePort port;
    long lastSeen;

    FdbEntry(long key) {
      this.key = key;
    }

    public long mac() {
      return key & MAC_MASK;
    }

    /** The VLAN it was learned in, 0 on a bridge that is not VLAN-aware. */
    public int vid() {
      return (int) (key >>> 48);
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
  /** Frames a VLAN-aware bridge refused at ingress, by {@link VlanDrop} ordinal. */
  private final long[] vlanDrops = new long[VlanDrop.values().length];
  /** True once ports have VLANs: frames are classified, filtered, tagged and untagged. */
  private boolean vlanAware;
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
    if (vlanAware) {
      port.vlans(PortVlans.access(PortVlans.DEFAULT_VID)); // as vlans() makes every port it is not told of
    }
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
    int vid = 0;
    boolean tagged = false;
    if (vlanAware) {
      tagged = eth.etherType() == VlanTag.TPID;
      vid = classify(in, frame, tagged);
      if (vid <= 0) {
        vlanDrops[-vid]++;
        if (observer.enabled()) {
          VlanDrop why = VlanDrop.of(-vid);
          observer.vlanDropped(in, why, tagged && why != VlanDrop.TRUNCATED_TAG
              ? VlanTag.vid(frame, frame.readerIndex()) : -1);
        }
        in.rxDropped++;
        frame.release();
        return;
      }
    }
    long vlanKey = (long) vid << 48;
    long now = time.nanos();
    if (!MacAddress.isMulticast(src)) {
      learn(in, vlanKey | src, now);
    }
    if (!in.isForwarding()) {
      discarded++;
      frame.release();
      return;
    }
    if (!MacAddress.isMulticast(dst)) {
      FdbEntry e = fdb.get(vlanKey | dst);
      if (e != null && now - e.lastSeen < ageingNanos && e.port.isForwarding()) {
        if (e.port == in) {
          // The destination is on the segment the frame came from: nothing to do.
          filtered++;
          frame.release();
          return;
        }
        forwarded++;
        if (!vlanAware) {
          if (observer.enabled()) {
            observer.forwarded(in, e.port, src, dst);
          }
          send(e.port, frame);
          return;
        }
        boolean tagOut = !e.port.vlans().isUntagged(vid);
        if (observer.enabled()) {
          observer.forwarded(in, e.port, src, dst, vid, tagged, priorityTagged, tagOut);
        }
        send(e.port, VlanEgress.convert(frame, tagged, tagOut, vid));
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
    if (vlanAware) {
      floodVlan(in, frame, src, dst, vid, tagged);
    } else {
      flood(in, frame, src, dst);
    }
  }

  /**
   * The VLAN of a frame arriving on {@code in} (802.1Q ingress rules), or minus the ordinal of the
   * {@link VlanDrop} that refuses it (0 for the first reason: a VLAN is never 0).
   *
   * <p>A priority-tagged frame (VID 0: a tag for its PCP only, as IP phones and Windows send) is
   * classified as an untagged one, into the port's PVID (802.1Q-2018 6.9.1, Linux's {@code
   * __allowed_ingress}, a Cisco access port): its VID is rewritten to the PVID in place, PCP and DEI
   * kept, so it never leaves a trunk with VID 0, and an untagged egress port strips the tag as for
   * any tagged frame. Only a trunk without native VLAN, which has no PVID, refuses it.
   */
  /**
   * Whether the frame {@link #classify} took last came with a priority tag (VID 0), which it
   * rewrote to the port's PVID: for the observer, which says so. The loop's one frame at a time.
   */
  private boolean priorityTagged;

  private int classify(BridgePort in, ByteBuf frame, boolean tagged) {
    priorityTagged = false;
    PortVlans pv = in.vlans();
    if (!tagged) {
      return pv.pvid() != 0 ? pv.pvid() : -VlanDrop.UNTAGGED_ON_TRUNK.ordinal();
    }
    int at = frame.readerIndex();
    if (!VlanTag.isTagged(frame, at)) {
      return -VlanDrop.TRUNCATED_TAG.ordinal();
    }
    int vid = VlanTag.vid(frame, at);
    if (!pv.isTrunk()) {
      if (VlanTag.innerEtherType(frame, at) == VlanTag.TPID) {
        return -VlanDrop.DOUBLE_TAGGED.ordinal(); // VID 0 outside or not: a second tag may not enter here
      }
      if (vid != 0) {
        return -VlanDrop.TAGGED_ON_ACCESS.ordinal();
      }
    }
    if (vid == 0) {
      if (pv.pvid() == 0) {
        return -VlanDrop.PRIORITY_TAGGED.ordinal();
      }
      VlanTag.setVid(frame, pv.pvid());
      priorityTagged = true;
      return pv.pvid();
    }
    if (vid == 0xFFF) {
      return -VlanDrop.RESERVED_VID.ordinal();
    }
    return pv.isMember(vid) ? vid : -VlanDrop.NOT_ALLOWED.ordinal();
  }

  /** Learns that the MAC in {@code key} ({@code vid << 48 | mac}) is behind {@code in}. */
  private void learn(BridgePort in, long key, long now) {
    FdbEntry e = fdb.get(key);
    boolean fresh = e == null || now - e.lastSeen >= ageingNanos;
    if (e == null) {
      if (fdb.size() >= maxEntries && !makeRoom(now)) {
        fdbOverflow++;
        return;
      }
      e = new FdbEntry(key);
      fdb.put(key, e);
    }
    boolean moved = !fresh && e.port != in;
    e.port = in;
    e.lastSeen = now;
    if ((fresh || moved) && observer.enabled()) {
      if (vlanAware) {
        observer.learned(key & MAC_MASK, in, moved, (int) (key >>> 48));
      } else {
        observer.learned(key, in, moved);
      }
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

  /**
   * Floods a frame of VLAN {@code vid} to the other forwarding ports of that VLAN, each in its
   * form (tagged or not): copies written in that form, the last port taking the original.
   */
  private void floodVlan(BridgePort in, ByteBuf frame, long src, long dst, int vid, boolean tagged) {
    flooded++;
    if (observer.enabled()) {
      List<BridgePort> outs = new ArrayList<>();
      List<BridgePort> taggedOut = new ArrayList<>();
      for (BridgePort p : ports) {
        if (p != in && p.isForwarding() && p.vlans().isMember(vid)) {
          outs.add(p);
          if (!p.vlans().isUntagged(vid)) {
            taggedOut.add(p);
          }
        }
      }
      observer.flooded(in, outs, src, dst, vid, tagged, priorityTagged, taggedOut);
    }
    BridgePort last = null;
    for (int i = 0; i < ports.size(); i++) {
      BridgePort p = ports.get(i);
      if (p == in || !p.isForwarding() || !p.vlans().isMember(vid)) {
        continue;
      }
      if (last != null) {
        send(last, VlanEgress.copy(frame, tagged, !last.vlans().isUntagged(vid), vid));
      }
      last = p;
    }
    if (last != null) {
      send(last, VlanEgress.convert(frame, tagged, !last.vlans().isUntagged(vid), vid));
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
  @Override
  public void sendControl(BridgePort out, ByteBuf frame) {
    send(out, frame);
  }

  /**
   * Makes the bridge VLAN-aware with these ports' VLANs, by port name; every other port is an
   * access port in VLAN 1 (802.1Q's default PVID), as a Linux bridge's ports are when {@code
   * vlan_filtering} is turned on. Call once the ports are added and before frames flow.
   */
  public void vlans(Map<String, PortVlans> byPort) {
    for (String n : byPort.keySet()) {
      if (port(n) == null) {
        throw new IllegalArgumentException("switch " + name + " has no port " + n + " for its VLANs");
      }
    }
    for (BridgePort p : ports) {
      PortVlans v = byPort.get(p.name());
      p.vlans(v != null ? v : PortVlans.access(PortVlans.DEFAULT_VID));
    }
    vlanAware = true;
    fdb.clear();
  }

  /** True if the bridge classifies frames into VLANs ({@link #vlans} was called). */
  public boolean vlanAware() {
    return vlanAware;
  }

  /** Frames refused at ingress for {@code reason}. */
  public long vlanDrops(VlanDrop reason) {
    return vlanDrops[reason.ordinal()];
  }

  /** Frames refused at ingress, every reason. */
  public long vlanDropsTotal() {
    long sum = 0;
    for (long d : vlanDrops) {
      sum += d;
    }
    return sum;
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
    live.sort((a, b) -> a.mac() != b.mac() ? Long.compare(a.mac(), b.mac()) : Integer.compare(a.vid(), b.vid()));
    return live;
  }

  /** Forgets every MAC learned behind {@code port} (its link went down), as Linux bridges do. */
  @Override
  public void forget(BridgePort port) {
    List<Long> gone = new ArrayList<>();
    for (FdbEntry e : fdb.values()) {
      if (e.port == port) {
        gone.add(e.key);
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
        old.add(e.key);
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
