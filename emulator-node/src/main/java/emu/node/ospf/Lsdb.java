package emu.node.ospf;

import emu.link.time.TimeSource;
import emu.node.ospf.Lsa.Key;
import emu.node.ospf.Ospf.LsaId;
import emu.node.wire.OspfLsa;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The link-state database (RFC 2328 12.2): installation (13.2), ageing with the refresh of our own
 * LSAs (14, 12.4) and the removal of MaxAge LSAs once every neighbour has acknowledged them (14).
 * Bounded at {@link Ospf#MAX_LSAS} by {@link Flooding}, which refuses new LSAs past it.
 */
final class Lsdb {
  private final Ospf ospf;
  private final Map<Key, Lsa> lsas = new HashMap<>();
  private TimeSource.Timer ageTimer;

  Lsdb(Ospf ospf) {
    this.ospf = ospf;
  }

  Lsa get(Key k) {
    return lsas.get(k);
  }

  Collection<Lsa> values() {
    return lsas.values();
  }

  int size() {
    return lsas.size();
  }

  /** Test hook: {@code l} in place of the instance under its key, without what {@link #install} sets off. */
  void put(Lsa l) {
    lsas.put(l.key, l);
  }

  /** Installs an instance (13.2): SPF is scheduled if a router- or network-LSA's contents changed. */
  void install(Lsa l, Lsa old, int fromRouterId) {
    lsas.put(l.key, l);
    ospf.counters.lsasInstalled++;
    if (fromRouterId != ospf.routerId) {
      ospf.listener.lsaInstalled(l.key.type(), l.key.id(), l.key.adv(), l.seq, fromRouterId);
    }
    boolean maxAgeChanged = old == null
        || (old.ageAtInstall >= OspfLsa.MAX_AGE) != (l.ageAtInstall >= OspfLsa.MAX_AGE);
    if ((l.key.type() == OspfLsa.TYPE_ROUTER || l.key.type() == OspfLsa.TYPE_NETWORK)
        && (maxAgeChanged || !l.sameBody(old))) {
      if (l.key.adv() != ospf.routerId) {
        ospf.routing.noteArrival(new LsaId(l.key.type(), l.key.id(), l.key.adv(), l.seq));
      }
      ospf.routing.scheduleSpf();
    }
  }

  /** The ageing tick (14), once a second from {@link Ospf#start}. */
  void startAgeing() {
    ageTimer = ospf.time.schedule(this::ageTick, TimeUnit.SECONDS.toNanos(1));
  }

  void stopAgeing() {
    Ospf.cancel(ageTimer);
    ageTimer = null;
  }

  void clear() {
    lsas.clear();
  }

  /**
   * Once a second: an LSA that aged out where it lies is flushed, one of ours at LSRefreshTime is
   * originated anew (12.4), and MaxAge LSAs nobody still owes an ack for go.
   */
  private void ageTick() {
    ageTimer = null;
    if (!ospf.running) {
      return;
    }
    long now = ospf.now();
    for (Lsa l : new ArrayList<>(lsas.values())) {
      int age = l.age(now);
      if (age >= OspfLsa.MAX_AGE && !l.maxAgeFlooded) {
        // aged out where it lies: flood it at MaxAge so every router drops it (14)
        ospf.origination.flush(l);
      } else if (l.key.adv() == ospf.routerId && age >= OspfLsa.LS_REFRESH_TIME
          && l.ageAtInstall < OspfLsa.MAX_AGE) {
        ospf.forced.add(l.key);
      }
    }
    if (!ospf.forced.isEmpty()) {
      ospf.origination.originateAll();
      ospf.forced.clear();
    }
    removeAckedMaxAge();
    ageTimer = ospf.time.schedule(this::ageTick, TimeUnit.SECONDS.toNanos(1));
  }

  /** MaxAge LSAs on no retransmission list, with no neighbour exchanging, leave the database (14). */
  void removeAckedMaxAge() {
    if (ospf.exchange.anyExchanging()) {
      return;
    }
    List<Key> gone = new ArrayList<>();
    for (Lsa l : lsas.values()) {
      if (l.ageAtInstall >= OspfLsa.MAX_AGE && l.maxAgeFlooded && !onAnyRxmt(l.key)) {
        gone.add(l.key);
      }
    }
    for (Key k : gone) {
      lsas.remove(k);
      if (ospf.pendingWrap.remove(k)) {
        // the wrapped LSA is gone everywhere: originate it again from InitialSequenceNumber
        ospf.lastOrigination.remove(k);
        ospf.forced.add(k);
      }
    }
    if (!gone.isEmpty() && !ospf.forced.isEmpty()) {
      ospf.origination.originateAll();
      ospf.forced.clear();
    }
  }

  private boolean onAnyRxmt(Key k) {
    for (OspfIface i : ospf.ifaces.values()) {
      for (OspfNeighbor n : i.nbrs.values()) {
        if (n.rxmt.containsKey(k)) {
          return true;
        }
      }
    }
    return false;
  }
}
