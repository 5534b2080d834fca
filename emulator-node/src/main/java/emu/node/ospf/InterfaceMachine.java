package emu.node.ospf;

import emu.node.ospf.Ospf.InterfaceState;
import emu.node.ospf.Ospf.NeighborEvent;
import emu.node.ospf.Ospf.NeighborState;
import emu.node.wire.OspfHello;
import emu.node.wire.OspfPacket;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The interface state machine (RFC 2328 9.3): InterfaceUp and InterfaceDown, the wait timer,
 * BackupSeen and NeighborChange driving the DR/BDR election (9.4, one pass of which is
 * {@link OspfIface#electOnce}), the AllDRouters group that follows the interface's state, and the
 * Hellos sent on it (9.5).
 */
final class InterfaceMachine {
  private final Ospf ospf;

  InterfaceMachine(Ospf ospf) {
    this.ospf = ospf;
  }

  /** InterfaceUp (9.3): Hellos start; a broadcast interface waits RouterDeadInterval before electing. */
  void interfaceUp(OspfIface i) {
    i.dr = 0;
    i.bdr = 0;
    if (i.cfg.passive()) {
      // advertised as a stub, no Hellos, no groups: the interface is its own DR, as FRR shows it
      setInterfaceState(i, i.broadcast() ? InterfaceState.DR : InterfaceState.POINT_TO_POINT);
      if (i.broadcast()) {
        i.dr = i.nic.ip();
      }
      return;
    }
    ospf.stack.joinGroup(i.nic, OspfPacket.ALL_SPF_ROUTERS);
    if (!i.broadcast()) {
      setInterfaceState(i, InterfaceState.POINT_TO_POINT);
    } else if (i.cfg.priority() == 0) {
      setInterfaceState(i, InterfaceState.DR_OTHER);
    } else {
      setInterfaceState(i, InterfaceState.WAITING);
      i.waitTimer = ospf.time.schedule(() -> {
        i.waitTimer = null;
        if (i.state == InterfaceState.WAITING) {
          elect(i);
        }
      }, TimeUnit.SECONDS.toNanos(i.cfg.deadSeconds()));
    }
    // the first Hello goes at once (after a small random delay so routers started together do not send in step)
    scheduleHello(i, ospf.stack.random().nextLong(TimeUnit.MILLISECONDS.toNanos(100) + 1));
  }

  /** InterfaceDown (9.3): its neighbours gone with {@code why} (KillNbr, LLDown), its timers stopped, groups left. */
  void interfaceDown(OspfIface i, NeighborEvent why) {
    for (OspfNeighbor n : new ArrayList<>(i.nbrs.values())) {
      ospf.nsm.down(n, why);
    }
    Ospf.cancel(i.helloTimer);
    Ospf.cancel(i.waitTimer);
    Ospf.cancel(i.ackTimer);
    i.helloTimer = null;
    i.waitTimer = null;
    i.ackTimer = null;
    i.delayedAcks.clear();
    if (!i.cfg.passive() && i.state != InterfaceState.DOWN) {
      ospf.stack.leaveGroup(i.nic, OspfPacket.ALL_SPF_ROUTERS);
    }
    if (i.joinedD) {
      ospf.stack.leaveGroup(i.nic, OspfPacket.ALL_D_ROUTERS);
      i.joinedD = false;
    }
    i.dr = 0;
    i.bdr = 0;
    setInterfaceState(i, InterfaceState.DOWN);
  }

  private void setInterfaceState(OspfIface i, InterfaceState s) {
    i.state = s;
    boolean wantD = !i.cfg.passive() && (s == InterfaceState.DR || s == InterfaceState.BACKUP);
    if (wantD && !i.joinedD) {
      ospf.stack.joinGroup(i.nic, OspfPacket.ALL_D_ROUTERS);
      i.joinedD = true;
    } else if (!wantD && i.joinedD) {
      ospf.stack.leaveGroup(i.nic, OspfPacket.ALL_D_ROUTERS);
      i.joinedD = false;
    }
  }

  private void scheduleHello(OspfIface i, long delay) {
    Ospf.cancel(i.helloTimer);
    i.helloDue = ospf.now() + delay;
    i.helloTimer = ospf.time.schedule(() -> {
      i.helloTimer = null;
      if (i.state == InterfaceState.DOWN) {
        return;
      }
      sendHello(i);
      // jitter: up to a tenth of the interval early, never late (a neighbour's dead timer counts on it)
      long interval = TimeUnit.SECONDS.toNanos(i.cfg.helloSeconds());
      scheduleHello(i, interval - ospf.stack.random().nextLong(interval / 10 + 1));
    }, delay);
  }

  private void sendHello(OspfIface i) {
    List<Integer> heard = new ArrayList<>();
    for (OspfNeighbor n : i.nbrs.values()) {
      if (n.state.compareTo(NeighborState.INIT) >= 0) {
        heard.add(n.routerId);
      }
    }
    OspfHello.Repr h = new OspfHello.Repr(ospf.routerId, Ospf.AREA, i.mask(), i.cfg.helloSeconds(), Ospf.OPTIONS,
        i.cfg.priority(), i.cfg.deadSeconds(), i.dr, i.bdr, heard);
    ByteBuf b = ospf.packet(h.bufferLen());
    h.emit(b, b.readerIndex());
    ospf.send(i, OspfPacket.ALL_SPF_ROUTERS, b, OspfPacket.TYPE_HELLO);
  }

  /**
   * The DR/BDR election of RFC 2328 9.4 among this router and the neighbours in 2-Way or above
   * with a non-zero priority: the BDR from those not claiming DR (claimed BDRs first), the DR
   * from those claiming it (else the BDR), highest priority then highest router ID; run a second
   * time if this router's own role changed. Neighbours whose adjacency is now wanted or no longer
   * are told AdjOK?.
   */
  private void elect(OspfIface i) {
    int me = i.nic.ip();
    int oldDr = i.dr;
    int oldBdr = i.bdr;
    InterfaceState oldState = i.state;
    int[] r = i.electOnce(oldDr == me, oldBdr == me);
    boolean nowDr = r[0] == me;
    boolean nowBdr = r[1] == me;
    if (nowDr != (oldDr == me) || nowBdr != (oldBdr == me)) {
      r = i.electOnce(nowDr, nowBdr);
    }
    i.dr = r[0];
    i.bdr = r[1];
    InterfaceState s = i.dr == me ? InterfaceState.DR : i.bdr == me ? InterfaceState.BACKUP
        : InterfaceState.DR_OTHER;
    setInterfaceState(i, s);
    if (i.dr != oldDr || i.bdr != oldBdr || s != oldState) {
      ospf.listener.elected(i.nic.name(), i.routerIdOf(i.dr), i.routerIdOf(i.bdr), s);
      for (OspfNeighbor n : new ArrayList<>(i.nbrs.values())) {
        if (n.state.compareTo(NeighborState.TWO_WAY) >= 0) {
          ospf.nsm.event(n, NeighborEvent.ADJ_OK);
        }
      }
      ospf.origination.originateAll();
    }
  }

  /** NeighborChange (9.3): an interface past Waiting re-elects. */
  void neighborChange(OspfIface i) {
    if (i.broadcast() && (i.state == InterfaceState.DR || i.state == InterfaceState.BACKUP
        || i.state == InterfaceState.DR_OTHER)) {
      elect(i);
    }
  }

  /** BackupSeen (9.3): a Waiting interface elects at once. */
  void backupSeen(OspfIface i) {
    if (i.state == InterfaceState.WAITING) {
      Ospf.cancel(i.waitTimer);
      i.waitTimer = null;
      elect(i);
    }
  }
}
