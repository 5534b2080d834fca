package emu.node.ospf;

import emu.node.ospf.Ospf.InterfaceState;
import emu.node.ospf.Ospf.NeighborEvent;
import emu.node.ospf.Ospf.NeighborState;
import emu.node.ospf.OspfCounters.Refusal;
import emu.node.wire.OspfHello;
import emu.node.wire.OspfPacket;
import java.util.concurrent.TimeUnit;

/**
 * The neighbour state machine (RFC 2328 10.3): Hellos received (10.5), the events they and the
 * database exchange give, the inactivity timer, whether an adjacency is wanted (10.4) and what a
 * state change sets off (re-election, origination, SPF, the MaxAge flush).
 */
final class NeighborMachine {
  private final Ospf ospf;

  NeighborMachine(Ospf ospf) {
    this.ospf = ospf;
  }

  /** A Hello (10.5): its parameters checked against the interface's, the neighbour found or made, its events. */
  void onHello(OspfIface i, int src, OspfHello h) {
    if (i.broadcast() && h.networkMask() != i.mask()) {
      ospf.refuse(i, src, OspfPacket.TYPE_HELLO, Refusal.MASK_MISMATCH);
      return;
    }
    if (h.helloInterval() != i.cfg.helloSeconds()) {
      ospf.refuse(i, src, OspfPacket.TYPE_HELLO, Refusal.HELLO_INTERVAL_MISMATCH);
      return;
    }
    if (h.deadInterval() != i.cfg.deadSeconds()) {
      ospf.refuse(i, src, OspfPacket.TYPE_HELLO, Refusal.DEAD_INTERVAL_MISMATCH);
      return;
    }
    if ((h.options() & OspfPacket.OPTION_E) != (Ospf.OPTIONS & OspfPacket.OPTION_E)) {
      ospf.refuse(i, src, OspfPacket.TYPE_HELLO, Refusal.OPTIONS_MISMATCH);
      return;
    }
    int rid = OspfPacket.routerId(h.buffer(), h.start());
    OspfNeighbor n = i.nbrs.get(src);
    if (n != null && n.routerId != rid) {
      // the router behind this address changed its ID: the old adjacency is gone
      down(n, NeighborEvent.KILL_NBR);
      n = null;
    }
    if (n == null) {
      n = new OspfNeighbor(i, rid, src);
      i.nbrs.put(src, n);
    }
    int oldPri = n.priority;
    int oldDr = n.dr;
    int oldBdr = n.bdr;
    boolean first = n.state == NeighborState.DOWN;
    n.priority = h.priority();
    n.dr = h.designatedRouter();
    n.bdr = h.backupDesignatedRouter();
    n.options = h.options();
    n.lastHello = ospf.now();
    event(n, NeighborEvent.HELLO_RECEIVED);
    if (!h.lists(ospf.routerId)) {
      event(n, NeighborEvent.ONE_WAY_RECEIVED);
      return;
    }
    event(n, NeighborEvent.TWO_WAY_RECEIVED);
    if (!i.broadcast() || n.state == NeighborState.DOWN) {
      return;
    }
    if (!first && oldPri != n.priority) {
      ospf.ism.neighborChange(i);
    }
    if (n.dr == src && n.bdr == 0 && i.state == InterfaceState.WAITING) {
      ospf.ism.backupSeen(i);
    } else if ((oldDr == src) != (n.dr == src)) {
      ospf.ism.neighborChange(i);
    }
    if (n.bdr == src && i.state == InterfaceState.WAITING) {
      ospf.ism.backupSeen(i);
    } else if ((oldBdr == src) != (n.bdr == src)) {
      ospf.ism.neighborChange(i);
    }
  }

  /** Whether an adjacency should form with {@code n} (10.4). */
  private boolean adjacencyWanted(OspfNeighbor n) {
    OspfIface i = n.iface;
    if (!i.broadcast()) {
      return true;
    }
    int me = i.nic.ip();
    return i.dr == me || i.bdr == me || i.dr == n.addr || i.bdr == n.addr;
  }

  void event(OspfNeighbor n, NeighborEvent e) {
    NeighborState s = n.state;
    switch (e) {
      case HELLO_RECEIVED -> {
        restartInactivity(n);
        if (s == NeighborState.DOWN) {
          setState(n, NeighborState.INIT, e);
        }
      }
      case TWO_WAY_RECEIVED -> {
        if (s == NeighborState.INIT) {
          if (adjacencyWanted(n)) {
            setState(n, NeighborState.EXSTART, e);
            ospf.exchange.start(n);
          } else {
            setState(n, NeighborState.TWO_WAY, e);
          }
        }
      }
      case ONE_WAY_RECEIVED -> {
        if (s.compareTo(NeighborState.TWO_WAY) >= 0) {
          clearLists(n);
          setState(n, NeighborState.INIT, e);
        }
      }
      case NEGOTIATION_DONE -> {
        if (s == NeighborState.EXSTART) {
          long now = ospf.now();
          n.summary.clear();
          for (Lsa l : ospf.lsdb.values()) {
            n.summary.add(l.header(now));
          }
          setState(n, NeighborState.EXCHANGE, e);
        }
      }
      case EXCHANGE_DONE -> {
        if (s == NeighborState.EXCHANGE) {
          Ospf.cancel(n.ddTimer);
          n.ddTimer = null;
          setState(n, n.requests.isEmpty() ? NeighborState.FULL : NeighborState.LOADING, e);
        }
      }
      case LOADING_DONE -> {
        if (s == NeighborState.LOADING) {
          setState(n, NeighborState.FULL, e);
        }
      }
      case ADJ_OK -> {
        boolean want = adjacencyWanted(n);
        if (s == NeighborState.TWO_WAY && want) {
          setState(n, NeighborState.EXSTART, e);
          ospf.exchange.start(n);
        } else if (s.compareTo(NeighborState.EXSTART) >= 0 && !want) {
          clearLists(n);
          setState(n, NeighborState.TWO_WAY, e);
        }
      }
      case SEQ_NUMBER_MISMATCH, BAD_LS_REQ -> {
        if (s.compareTo(NeighborState.EXCHANGE) >= 0) {
          clearLists(n);
          setState(n, NeighborState.EXSTART, e);
          ospf.exchange.start(n);
        }
      }
      case KILL_NBR, INACTIVITY_TIMER, LL_DOWN -> down(n, e);
      default -> { }
    }
  }

  void down(OspfNeighbor n, NeighborEvent e) {
    clearLists(n);
    Ospf.cancel(n.inactivity);
    n.inactivity = null;
    if (n.iface.nbrs.get(n.addr) == n) {
      n.iface.nbrs.remove(n.addr);
    }
    setState(n, NeighborState.DOWN, e);
  }

  private void restartInactivity(OspfNeighbor n) {
    Ospf.cancel(n.inactivity);
    n.inactivity = ospf.time.schedule(() -> {
      n.inactivity = null;
      event(n, NeighborEvent.INACTIVITY_TIMER);
    }, TimeUnit.SECONDS.toNanos(n.iface.cfg.deadSeconds()));
  }

  private void clearLists(OspfNeighbor n) {
    n.summary.clear();
    n.requests.clear();
    n.requested.clear();
    n.rxmt.clear();
    n.rxmtSent.clear();
    n.lastDd = null;
    n.lastRecvFlags = -1;
    Ospf.cancel(n.ddTimer);
    Ospf.cancel(n.lsrTimer);
    Ospf.cancel(n.rxmtTimer);
    n.ddTimer = null;
    n.lsrTimer = null;
    n.rxmtTimer = null;
  }

  private void setState(OspfNeighbor n, NeighborState to, NeighborEvent e) {
    NeighborState from = n.state;
    if (from == to) {
      return;
    }
    n.state = to;
    if (from != NeighborState.DOWN) {
      ospf.counters.neighborsInState[from.ordinal()]--;
    }
    if (to != NeighborState.DOWN) {
      ospf.counters.neighborsInState[to.ordinal()]++;
    }
    OspfIface i = n.iface;
    if (to == NeighborState.FULL) {
      n.upSince = ospf.now();
    }
    ospf.listener.neighborChanged(i.nic.name(), n.routerId, n.addr, from, to, e);
    boolean twoWayBefore = from.compareTo(NeighborState.TWO_WAY) >= 0;
    boolean twoWayNow = to.compareTo(NeighborState.TWO_WAY) >= 0;
    if (i.broadcast() && twoWayBefore != twoWayNow) {
      ospf.ism.neighborChange(i);
    }
    if ((from == NeighborState.FULL) != (to == NeighborState.FULL)) {
      ospf.origination.originateAll();
      if (to != NeighborState.FULL) {
        // the adjacency is gone from the tree now, not when our new LSA lands (12.4)
        ospf.routing.scheduleSpf();
      }
    }
    if (to == NeighborState.DOWN) {
      // a MaxAge LSA waiting for this neighbour's exchange to end may go now
      ospf.lsdb.removeAckedMaxAge();
    }
  }
}
