package emu.node.bridge.stp;

import emu.link.time.TimeSource;
import emu.node.bridge.BridgePort;
import emu.node.wire.Bpdu;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The Rapid Spanning Tree Protocol (IEEE 802.1D-2004 clause 17, once 802.1w) of one switch, run on
 * the switch's event loop with injected time, so that a loop of switches forwards on a tree.
 *
 * <p>What it does, as the standard says for these cases: root election on priority vectors (17.6)
 * with bridge ids of priority and the lowest port MAC; port roles root, designated, alternate,
 * backup and disabled (17.7, updtRolesTree 17.21.25); states discarding, learning and forwarding;
 * proposal/agreement (17.10) on every link (emu's links are point-to-point): a designated port
 * that is not edge proposes and goes forwarding on the agreement, a root port answers a proposal by
 * syncing (its bridge's designated ports that are not agreed go discarding and propose
 * downstream), then agrees and forwards, an alternate or backup port agrees at once; a new root
 * port forwards at once once the old one discards (17.29.2, reRooted); edge ports: every port
 * starts as an edge port and forwards at once (a host sends no BPDU), and the first BPDU on it
 * makes it a non-edge port that discards and syncs (counted and traced, as BPDU guard would say);
 * AutoEdge (17.25 bridge detection): a port that heard a BPDU comes back from a link down as a
 * non-edge port that proposes, and becomes edge again, forwarding at once with no topology change,
 * if it hears no BPDU for MigrateTime (3 s) while it proposes (a host was cabled there instead);
 * topology change (17.31): a non-edge root or designated port that starts forwarding, or a BPDU
 * with TC (or a TCN), flushes the MACs learned on the other non-edge ports and sets tcWhile
 * (hello + 1 s on RSTP ports, max age + forward delay on STP ports), during which BPDUs carry TC;
 * information ages out after 3 x hello on RSTP ports (17.21.23) and after max age - message age on
 * STP ports (802.1D-1998 8.6.2), and times (max age, forward delay) come from the root; legacy STP
 * (17.4, 17.26): a port hearing a configuration or TCN BPDU sends configuration BPDUs (and TCNs on
 * its root port until acknowledged); as a designated port it moves through listening and learning
 * on the forward delay timer, as a new root port it forwards at once (17.29.2: reRooted and
 * rstpVersion, whatever the neighbour speaks), and a TCN it acknowledges also sets its tcWhile
 * (17.31 NOTIFIED_TCN), so the STP neighbour hears TC and shortens its MAC ageing; Force Protocol
 * Version 0 makes the whole bridge an 802.1D-1998 one; transmit hold count
 * (6 BPDUs a second a port, 17.13.12).
 *
 * <p>Left out: the state machines are not mirrored one by one (roles are recomputed on every
 * event); no dispute handling (17.21.10), no migration delay (a port stays STP until its link goes
 * down and up), no shared-media handling (every port is point-to-point), no admin edge
 * setting (AutoEdge is always on), no MSTP, no root guard.
 */
public final class Rstp {
  private static final long SECOND = 1_000_000_000L;
  private static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;
  private static final int TX_HOLD_COUNT = 6;
  /** 17.13.9 MigrateTime, the edge delay on a point-to-point link (17.20.7 EdgeDelay). */
  private static final long MIGRATE_TIME = 3 * SECOND;

  private final StpBridge bridge;
  private final StpConfig config;
  private final TimeSource time;
  private final ByteBufAllocator alloc;
  private final StpObserver observer;
  private final long bridgeId;
  private final List<StpPort> ports = new ArrayList<>();
  private final Bpdu view = new Bpdu();
  private final Bpdu txView = new Bpdu();
  private final StpCounters counters = new StpCounters();
  // The root priority vector and times (17.19.x rootPortId, rootPriority, rootTimes).
  private long rootId;
  private long rootCost;
  private StpPort rootPort;
  private int rootMsgAge;
  private int rootMaxAge;
  private int rootFwdDelay;
  private long helloDue;
  private TimeSource.Timer tick;
  private boolean started;

  public Rstp(StpBridge bridge, StpConfig config, long bridgeMac, TimeSource time, ByteBufAllocator alloc,
              StpObserver observer) {
    this.bridge = bridge;
    this.config = config;
    this.time = time;
    this.alloc = alloc;
    this.observer = observer;
    this.bridgeId = ((long) config.priority() << 48) | (bridgeMac & MAC_MASK);
    this.rootId = bridgeId;
    this.rootMaxAge = config.maxAge() * 256;
    this.rootFwdDelay = config.forwardDelay() * 256;
  }

  /** Runs spanning tree on {@code port}, whose BPDUs leave with {@code mac} as source. */
  public StpPort addPort(BridgePort port, long mac, int priority, int pathCost) {
    StpPort p = new StpPort(port, mac, priority, pathCost);
    ports.add(p);
    // Until start() (and after, until a BPDU says otherwise) a port is an edge port: it forwards.
    p.state = PortState.FORWARDING;
    p.reportedState = PortState.FORWARDING;
    port.setStpState(true, true);
    if (started) {
      linkChanged(port);
    }
    return p;
  }

  /** Brings every port up as an edge port, sends the first BPDUs and starts the one-second tick. */
  public void start() {
    started = true;
    if (observer.enabled()) {
      observer.rootChanged(rootId, null, 0); // until it hears a better one, a bridge is its own root (17.13)
    }
    for (StpPort p : ports) {
      if (p.port.isUp()) {
        enable(p);
      }
    }
    reselect();
    helloDue = time.nanos() + config.hello() * SECOND;
    transmitPending();
    tick = time.schedule(this::tick, SECOND);
  }

  public void stop() {
    if (tick != null) {
      tick.cancel();
      tick = null;
    }
  }

  private void enable(StpPort p) {
    p.infoIs = StpPort.InfoIs.AGED;
    // A port that heard a BPDU comes back non-edge (17.25 NOT_EDGE): as an edge port it would
    // forward at once, and with a switch still behind it make a loop until BPDUs crossed. If no
    // BPDU comes for the edge delay while it proposes, a host is there: tick() makes it edge again.
    p.operEdge = !p.bridgeSeen;
    p.edgeDelayUntil = p.bridgeSeen ? time.nanos() + MIGRATE_TIME : 0;
    p.legacy = false;
    p.agreed = false;
    p.agree = false;
    p.proposing = false;
    p.tcUntil = 0;
    p.tcnPending = false;
  }

  /** The port's link went up or down (the bridge has flushed what it learned there). */
  public void linkChanged(BridgePort bp) {
    StpPort p = port(bp);
    if (p.port.isUp()) {
      enable(p);
    } else {
      p.infoIs = StpPort.InfoIs.DISABLED;
    }
    reselect();
    transmitPending();
  }

  // ---- receiving -------------------------------------------------------------------------

  /** A frame to the bridge group address arrived on {@code bp}: consumed here, and released. */
  public void receive(BridgePort bp, ByteBuf frame) {
    try {
      StpPort p = port(bp);
      counters.bpduIn++;
      p.bpduIn++;
      int length = frame.getUnsignedShort(frame.readerIndex() + 12);
      int at = frame.readerIndex() + 14;
      Bpdu.Check c;
      if (length >= 0x600) {
        c = Bpdu.Check.NOT_LLC_BPDU;
      } else {
        c = view.wrap(frame, at, Math.min(length, frame.writerIndex() - at)).check();
        if (c == Bpdu.Check.OK && length > frame.writerIndex() - at) {
          c = Bpdu.Check.TRUNCATED;
        }
      }
      if (c != Bpdu.Check.OK) {
        counters.drop(c);
        if (observer.enabled()) {
          observer.bpduDropped(bp, c);
        }
        return;
      }
      if (!bp.isUp() || p.infoIs == StpPort.InfoIs.DISABLED) {
        return;
      }
      process(p, view.type(), view.version());
      transmitPending();
    } finally {
      frame.release();
    }
  }

  private void process(StpPort p, int type, int version) {
    p.bridgeSeen = true;
    p.edgeDelayUntil = 0; // a bridge is there: no AutoEdge until the link goes down and up
    if (p.operEdge) {
      p.operEdge = false;
      p.agreed = false;
      counters.edgeLost++;
      if (observer.enabled()) {
        observer.edgeLost(p.port);
      }
      // A switch is behind it: stop forwarding until the handshake (or the forward delay) says so.
      if (p.role == PortRole.DESIGNATED) {
        sync(p);
      } else {
        setState(p, PortState.DISCARDING);
      }
    }
    boolean rst = type == Bpdu.TYPE_RST && config.forceVersion() >= 2;
    if (!rst && !p.legacy && config.forceVersion() >= 2) {
      p.legacy = true; // 17.26: a configuration or TCN BPDU: speak STP on this port
      p.proposing = false;
      counters.legacyPorts++;
      if (observer.enabled()) {
        observer.legacyPeer(p.port);
      }
    }
    if (type == Bpdu.TYPE_TCN) {
      // 17.31: rcvdTcn counts only in ACTIVE (a root or designated port that learns or forwards,
      // not edge); anywhere else it is cleared, and not acknowledged
      if (tcActive(p)) {
        // NOTIFIED_TCN: newTcWhile here too, so that the acknowledgment and the BPDUs after it
        // carry TC: an STP bridge shortens its MAC ageing only on that flag (802.1D-1998 8.5.3.12)
        newTcWhile(p);
        if (p.role == PortRole.DESIGNATED) { // NOTIFIED_TC: tcAck on a designated port only
          p.tcAck = true;
          p.newInfo = true;
        }
        topologyChangeReceived(p);
      }
      return;
    }
    int flags = view.flags();
    int role = rst ? Bpdu.role(flags) : Bpdu.ROLE_DESIGNATED;
    if (role == Bpdu.ROLE_DESIGNATED) {
      receiveDesignated(p, rst, flags);
    } else if (role == Bpdu.ROLE_ROOT || role == Bpdu.ROLE_ALTERNATE_BACKUP) {
      // Inferior root/alternate information (17.21.8): an agreement for what this port proposed.
      if ((flags & Bpdu.FLAG_AGREEMENT) != 0 && p.role == PortRole.DESIGNATED && !p.legacy && p.proposing
          && view.rootId() == rootId && p.state != PortState.FORWARDING) {
        p.agreed = true;
        p.proposing = false;
        setState(p, PortState.FORWARDING);
      }
    } else {
      counters.drop(Bpdu.Check.BAD_TYPE);
      return;
    }
    if (!rst && (flags & Bpdu.FLAG_TCA) != 0 && p.role == PortRole.ROOT) {
      p.tcnPending = false;
    }
    if ((flags & Bpdu.FLAG_TC) != 0 && tcActive(p)) {
      topologyChangeReceived(p);
    }
  }

  /** 17.31's ACTIVE state: the topology change machine listens on root and designated ports that learn or forward. */
  private static boolean tcActive(StpPort p) {
    return (p.role == PortRole.ROOT || p.role == PortRole.DESIGNATED) && !p.operEdge
        && (p.state == PortState.LEARNING || p.state == PortState.FORWARDING);
  }

  private void receiveDesignated(StpPort p, boolean rst, int flags) {
    long root = view.rootId();
    long cost = view.rootPathCost();
    long br = view.bridgeId();
    int pid = view.portId();
    if ((br & MAC_MASK) == (bridgeId & MAC_MASK) && pid == p.portId) {
      return; // our own BPDU came back: a port looped onto itself
    }
    int cmp = compare(root, cost, br, pid, p.vRoot, p.vCost, p.vBridge, p.vPort);
    boolean sameSender = p.infoIs == StpPort.InfoIs.RECEIVED && br == p.vBridge && pid == p.vPort;
    boolean superior = p.infoIs == StpPort.InfoIs.AGED || p.infoIs == StpPort.InfoIs.DISABLED || cmp < 0
        || sameSender;
    if (!superior) {
      return; // inferior designated information: our BPDUs will put the neighbour right
    }
    if (cmp > 0) {
      p.agree = false; // 17.27: agree && betterorsameInfo: an agreement given for better information is void
    }
    boolean changed = p.infoIs != StpPort.InfoIs.RECEIVED || cmp != 0 || p.msgAge != view.messageAge()
        || p.maxAge != view.maxAge() || p.fwdDelay != view.forwardDelay();
    p.infoIs = StpPort.InfoIs.RECEIVED;
    p.vRoot = root;
    p.vCost = cost;
    p.vBridge = br;
    p.vPort = pid;
    p.msgAge = view.messageAge();
    p.maxAge = view.maxAge();
    p.hello = view.helloTime();
    p.fwdDelay = view.forwardDelay();
    long ageNanos = p.legacy || !rst ? (long) (Math.min(40 * 256, p.maxAge) - p.msgAge) * SECOND / 256
        : 3L * Math.max(256, Math.min(10 * 256, p.hello)) * SECOND / 256;
    p.rcvdInfoUntil = time.nanos() + ageNanos;
    if (changed) {
      reselect();
    }
    if (rst && (flags & Bpdu.FLAG_PROPOSAL) != 0 && !p.legacy) {
      proposed(p);
    }
  }

  /** A designated neighbour proposes to this port (17.29.2 ROOT_PROPOSED / ROOT_AGREED, 17.29.4 ALTERNATE_AGREED). */
  private void proposed(StpPort p) {
    if (p.role == PortRole.ROOT) {
      for (StpPort q : ports) {
        if (q != p && q.role == PortRole.DESIGNATED && !q.operEdge && !q.agreed) {
          sync(q);
        }
      }
      p.agree = true;
      p.newInfo = true;
      if (p.state != PortState.FORWARDING) {
        setState(p, PortState.FORWARDING);
      }
    } else if (p.role == PortRole.ALTERNATE || p.role == PortRole.BACKUP) {
      p.agree = true;
      p.newInfo = true;
    }
  }

  // ---- roles -----------------------------------------------------------------------------

  /** Port role selection (17.21.25 updtRolesTree), then each port's role and state transitions. */
  private void reselect() {
    long bestRoot = bridgeId;
    long bestCost = 0;
    long bestBridge = bridgeId;
    int bestPort = 0;
    int bestRx = 0;
    StpPort best = null;
    for (StpPort p : ports) {
      if (p.infoIs != StpPort.InfoIs.RECEIVED || (p.vBridge & MAC_MASK) == (bridgeId & MAC_MASK)) {
        continue;
      }
      long cost = p.vCost + p.pathCost;
      int c = compare(p.vRoot, cost, p.vBridge, p.vPort, bestRoot, bestCost, bestBridge, bestPort);
      if (c < 0 || (c == 0 && best != null && p.portId < bestRx)) {
        best = p;
        bestRoot = p.vRoot;
        bestCost = cost;
        bestBridge = p.vBridge;
        bestPort = p.vPort;
        bestRx = p.portId;
      }
    }
    boolean rootMoved = best != rootPort || bestRoot != rootId || bestCost != rootCost;
    long oldRoot = rootId;
    long oldCost = rootCost;
    rootId = bestRoot;
    rootCost = bestCost;
    rootPort = best;
    if (best == null) {
      rootMsgAge = 0;
      rootMaxAge = config.maxAge() * 256;
      rootFwdDelay = config.forwardDelay() * 256;
    } else {
      rootMsgAge = best.msgAge + 256;
      // the root's times, held to 17.14's ranges (max age 6-40 s, forward delay 4-30 s): a BPDU
      // saying 0 or 255 s would otherwise open legacy ports at once or age information for minutes
      rootMaxAge = Math.max(6 * 256, Math.min(40 * 256, best.maxAge));
      rootFwdDelay = Math.max(4 * 256, Math.min(30 * 256, best.fwdDelay));
    }
    if (rootMoved && observer.enabled()) {
      observer.rootChanged(rootId, best == null ? null : best.port, rootCost);
    }
    boolean worse = Long.compareUnsigned(rootId, oldRoot) > 0 || (rootId == oldRoot && rootCost > oldCost);
    List<StpPort> forwardLast = new ArrayList<>();
    for (StpPort p : ports) {
      PortRole role = roleOf(p);
      PortRole was = p.role;
      p.role = role;
      if (role == PortRole.DESIGNATED) {
        p.infoIs = StpPort.InfoIs.MINE;
        p.vRoot = rootId;
        p.vCost = rootCost;
        p.vBridge = bridgeId;
        p.vPort = p.portId;
        p.msgAge = rootMsgAge;
        if (rootMoved && worse) {
          p.agreed = false; // 17.21.x: agreed only holds for the same or better information
        }
      }
      if (role != was) {
        p.agree = false;
        p.proposing = false;
        if (role != PortRole.DESIGNATED) {
          p.agreed = false;
        }
        p.newInfo = true;
      } else if (rootMoved) {
        p.newInfo = true;
      }
      switch (role) {
        case DISABLED, ALTERNATE, BACKUP -> setState(p, PortState.DISCARDING);
        case DESIGNATED -> {
          if (p.operEdge) {
            forwardLast.add(p);
          } else if (role != was || (rootMoved && !p.agreed)) {
            sync(p);
          }
        }
        case ROOT -> {
          if (role != was) {
            forwardLast.add(p);
          }
        }
        default -> throw new IllegalStateException(role.name());
      }
    }
    for (StpPort p : forwardLast) {
      // 17.29.2 ROOT_LEARN/ROOT_FORWARD: (fdWhile == 0 || (reRooted && rstpVersion)): an RSTP bridge's
      // new root port forwards at once (the others are set first) even toward an STP neighbour; only
      // an STP bridge listens and learns on it
      if (p.role == PortRole.ROOT && config.forceVersion() < 2) {
        if (p.state == PortState.DISCARDING) {
          p.fdUntil = time.nanos() + fwdDelayNanos();
        }
      } else {
        setState(p, PortState.FORWARDING);
      }
    }
  }

  private PortRole roleOf(StpPort p) {
    if (!p.port.isUp() || p.infoIs == StpPort.InfoIs.DISABLED) {
      return PortRole.DISABLED;
    }
    if (p == rootPort) {
      return PortRole.ROOT;
    }
    if (p.infoIs != StpPort.InfoIs.RECEIVED) {
      return PortRole.DESIGNATED;
    }
    if (compare(p.vRoot, p.vCost, p.vBridge, p.vPort, rootId, rootCost, bridgeId, p.portId) < 0) {
      return (p.vBridge & MAC_MASK) == (bridgeId & MAC_MASK) ? PortRole.BACKUP : PortRole.ALTERNATE;
    }
    return PortRole.DESIGNATED;
  }

  /** A designated port that is not in agreement with its neighbour discards and proposes (17.29.3). */
  private void sync(StpPort p) {
    setState(p, PortState.DISCARDING);
    p.fdUntil = time.nanos() + fwdDelayNanos();
    p.proposing = !legacy(p);
    p.newInfo = true;
  }

  private boolean legacy(StpPort p) {
    return p.legacy || config.forceVersion() < 2;
  }

  private long fwdDelayNanos() {
    return (long) rootFwdDelay * SECOND / 256;
  }

  /** Every state change goes through here: counted, traced, applied to the bridge port, and TC detected. */
  private void setState(StpPort p, PortState s) {
    if (p.state == s) {
      return;
    }
    p.state = s;
    counters.stateChanges++;
    p.port.setStpState(s != PortState.DISCARDING, s == PortState.FORWARDING);
    if (s != PortState.FORWARDING) {
      p.fdUntil = s == PortState.LEARNING ? time.nanos() + fwdDelayNanos() : p.fdUntil;
    } else {
      p.fdUntil = 0;
    }
    if (s == PortState.FORWARDING && !p.operEdge && (p.role == PortRole.ROOT || p.role == PortRole.DESIGNATED)) {
      topologyChangeDetected(p);
    }
  }

  // ---- topology change (17.31) -----------------------------------------------------------

  private void topologyChangeDetected(StpPort p) {
    counters.topologyChanges++;
    if (observer.enabled()) {
      observer.topologyChange(p.port, true);
    }
    newTcWhile(p);
    propagate(p);
  }

  private void topologyChangeReceived(StpPort p) {
    counters.tcReceived++;
    if (observer.enabled()) {
      observer.topologyChange(p.port, false);
    }
    propagate(p);
  }

  /** setTcPropTree: every other non-edge port flushes what it learned and tells its neighbour. */
  private void propagate(StpPort from) {
    for (StpPort q : ports) {
      if (q != from && !q.operEdge && q.role != PortRole.DISABLED) {
        bridge.forget(q.port);
        newTcWhile(q);
      }
    }
  }

  private void newTcWhile(StpPort p) {
    long now = time.nanos();
    if (p.role == PortRole.ROOT && legacy(p)) {
      p.tcnPending = true;
      p.newInfo = true;
    }
    if (p.tcUntil - now <= 0 || p.tcUntil == 0) {
      p.tcUntil = now + (legacy(p) ? (long) (rootMaxAge + rootFwdDelay) * SECOND / 256
          : (config.hello() + 1) * SECOND);
      p.newInfo = true;
    }
  }

  // ---- timers ----------------------------------------------------------------------------

  private void tick() {
    tick = time.schedule(this::tick, SECOND);
    try {
      tickOnce();
    } catch (RuntimeException e) {
      // a bug must not end the node's loop or its spanning tree: counted, said, and the tick goes on
      counters.internalErrors++;
      System.err.println("rstp: internal error in the one-second tick: " + e);
    }
  }

  private void tickOnce() {
    long now = time.nanos();
    boolean aged = false;
    for (StpPort p : ports) {
      p.txCount = Math.max(0, p.txCount - 1);
      if (p.infoIs == StpPort.InfoIs.RECEIVED && now - p.rcvdInfoUntil >= 0) {
        p.infoIs = StpPort.InfoIs.AGED; // 17.27 PORT_INFORMATION AGED
        counters.infoAged++;
        aged = true;
        if (observer.enabled()) {
          observer.infoAged(p.port);
        }
      }
    }
    if (aged) {
      reselect();
    }
    for (StpPort p : ports) {
      // 17.25 BRIDGE_DETECTION -> EDGE: edgeDelayWhile == 0 && AutoEdge && sendRSTP && proposing
      if (p.edgeDelayUntil != 0 && now - p.edgeDelayUntil >= 0 && p.role == PortRole.DESIGNATED && p.proposing
          && !legacy(p) && !p.operEdge) {
        p.edgeDelayUntil = 0;
        p.operEdge = true;
        p.bridgeSeen = false;
        p.proposing = false;
        counters.edgeRegained++;
        setState(p, PortState.FORWARDING); // an edge port: no topology change
      }
    }
    for (StpPort p : ports) {
      if ((p.role == PortRole.ROOT || p.role == PortRole.DESIGNATED) && p.state != PortState.FORWARDING
          && p.fdUntil != 0 && now - p.fdUntil >= 0) {
        setState(p, p.state == PortState.DISCARDING ? PortState.LEARNING : PortState.FORWARDING);
      }
    }
    if (now - helloDue >= 0) {
      helloDue = now + config.hello() * SECOND;
      for (StpPort p : ports) {
        if (p.role == PortRole.DESIGNATED || (p.role == PortRole.ROOT && (p.tcUntil - now > 0 || p.tcnPending))) {
          p.newInfo = true;
        }
      }
    }
    transmitPending();
  }

  // ---- sending ---------------------------------------------------------------------------

  /** Ends every event: reports each port whose role or state changed, then sends what is due. */
  private void transmitPending() {
    for (StpPort p : ports) {
      if (p.role != p.reportedRole || p.state != p.reportedState) {
        p.reportedRole = p.role;
        p.reportedState = p.state;
        if (observer.enabled()) {
          observer.portChanged(p.port, p.role, p.state);
        }
      }
    }
    for (StpPort p : ports) {
      if (p.newInfo && p.port.isUp() && p.role != PortRole.DISABLED && p.txCount < TX_HOLD_COUNT) {
        p.newInfo = false;
        transmit(p);
      }
    }
  }

  /** Port transmit (17.26): an RST BPDU, or on an STP port a configuration BPDU or a TCN. */
  private void transmit(StpPort p) {
    long now = time.nanos();
    boolean tc = p.tcUntil != 0 && p.tcUntil - now > 0;
    Bpdu.Repr r = BpduFrames.bpdu(p, legacy(p), tc, rootId, rootCost, bridgeId, rootMsgAge, rootMaxAge,
        config.hello() * 256, rootFwdDelay);
    if (r == null) {
      return;
    }
    p.txCount++;
    p.bpduOut++;
    counters.bpduOut++;
    bridge.sendControl(p.port, BpduFrames.frame(alloc, p.mac, r, txView));
  }

  // ---- helpers and inspection ------------------------------------------------------------

  /** Priority vector comparison (17.6): negative if the first is better. Ids compare unsigned. */
  static int compare(long root1, long cost1, long bridge1, int port1, long root2, long cost2, long bridge2,
                     int port2) {
    int c = Long.compareUnsigned(root1, root2);
    if (c != 0) {
      return c;
    }
    c = Long.compare(cost1, cost2);
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(bridge1, bridge2);
    return c != 0 ? c : Integer.compare(port1, port2);
  }

  public StpPort port(BridgePort bp) {
    for (StpPort p : ports) {
      if (p.port == bp) {
        return p;
      }
    }
    throw new IllegalArgumentException("port " + bp.name() + " does not run spanning tree");
  }

  public List<StpPort> ports() {
    return Collections.unmodifiableList(ports);
  }

  public long bridgeId() {
    return bridgeId;
  }

  public long rootId() {
    return rootId;
  }

  public long rootPathCost() {
    return rootCost;
  }

  /** The root port, or null on the root bridge. */
  public StpPort rootPort() {
    return rootPort;
  }

  public boolean isRoot() {
    return rootPort == null;
  }

  public StpConfig config() {
    return config;
  }

  public StpCounters counters() {
    return counters;
  }

  /** A bridge id as {@code 8000.020000000001} (priority, then MAC), as Linux and mstpctl print it. */
  public static String formatId(long id) {
    return String.format("%04x.%012x", id >>> 48, id & MAC_MASK);
  }
}
