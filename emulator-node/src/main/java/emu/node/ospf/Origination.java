package emu.node.ospf;

import emu.node.ospf.Lsa.Key;
import emu.node.ospf.Ospf.InterfaceState;
import emu.node.ospf.Ospf.NeighborState;
import emu.node.wire.Ipv4Cidr;
import emu.node.wire.OspfLsa;
import emu.node.wire.OspfNetworkLsa;
import emu.node.wire.OspfRouterLsa;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Origination of this router's LSAs (RFC 2328 12.4): the router-LSA and, when DR with a Full
 * neighbour, the network-LSA; MinLSInterval, sequence-number wrap (12.1.6), premature ageing and
 * the answer to a newer instance of our own LSA (13.4). The bookkeeping (last origination, deferred,
 * forced, pending wrap) stays in {@link Ospf}, shared with the ageing in {@link Lsdb}.
 */
final class Origination {
  private final Ospf ospf;

  Origination(Ospf ospf) {
    this.ospf = ospf;
  }

  /** Brings this router's router-LSA and its network-LSAs up to date with the interfaces and adjacencies. */
  void originateAll() {
    if (!ospf.running) {
      return;
    }
    originate(new Key(OspfLsa.TYPE_ROUTER, ospf.routerId, ospf.routerId), routerLsaBody());
    Set<Key> wanted = new HashSet<>();
    for (OspfIface i : ospf.ifaces.values()) {
      OspfNetworkLsa.Repr body = networkLsaBody(i);
      if (body != null) {
        Key k = new Key(OspfLsa.TYPE_NETWORK, i.nic.ip(), ospf.routerId);
        wanted.add(k);
        originate(k, body);
      }
    }
    for (Lsa l : new ArrayList<>(ospf.lsdb.values())) {
      if (l.key.type() == OspfLsa.TYPE_NETWORK && l.key.adv() == ospf.routerId && !wanted.contains(l.key)
          && l.ageAtInstall < OspfLsa.MAX_AGE) {
        flush(l);
      }
    }
  }

  /**
   * The router-LSA's links (12.4.1): a point-to-point interface with a Full neighbour gives a
   * type-1 link to it and, always, a stub for its subnet; a broadcast interface whose DR we are
   * Full with (or that we are DR of, with a Full neighbour) gives a transit link, else a stub;
   * Down interfaces give nothing.
   */
  OspfRouterLsa.Repr routerLsaBody() {
    List<OspfRouterLsa.Link> links = new ArrayList<>();
    for (OspfIface i : ospf.ifaces.values()) {
      if (i.state == InterfaceState.DOWN) {
        continue;
      }
      Ipv4Cidr a = i.nic.address();
      int cost = i.cfg.cost();
      OspfRouterLsa.Link stub = new OspfRouterLsa.Link(a.network(), a.mask(), OspfRouterLsa.LINK_STUB, cost);
      if (!i.broadcast()) {
        for (OspfNeighbor n : i.nbrs.values()) {
          if (n.state == NeighborState.FULL) {
            links.add(new OspfRouterLsa.Link(n.routerId, i.nic.ip(), OspfRouterLsa.LINK_POINT_TO_POINT, cost));
          }
        }
        links.add(stub);
        continue;
      }
      boolean transit = false;
      if (i.state != InterfaceState.WAITING && i.dr != 0) {
        if (i.dr == i.nic.ip()) {
          transit = i.nbrs.values().stream().anyMatch(n -> n.state == NeighborState.FULL);
        } else {
          OspfNeighbor drNbr = i.nbrs.get(i.dr);
          transit = drNbr != null && drNbr.state == NeighborState.FULL;
        }
      }
      links.add(transit ? new OspfRouterLsa.Link(i.dr, i.nic.ip(), OspfRouterLsa.LINK_TRANSIT, cost) : stub);
    }
    return new OspfRouterLsa.Repr(0, links);
  }

  /** The network-LSA of a broadcast interface we are DR of with at least one Full neighbour (12.4.2), else null. */
  OspfNetworkLsa.Repr networkLsaBody(OspfIface i) {
    if (!i.broadcast() || i.state != InterfaceState.DR || i.cfg.passive()) {
      return null;
    }
    List<Integer> attached = new ArrayList<>();
    attached.add(ospf.routerId);
    for (OspfNeighbor n : i.nbrs.values()) {
      if (n.state == NeighborState.FULL) {
        attached.add(n.routerId);
      }
    }
    return attached.size() < 2 ? null : new OspfNetworkLsa.Repr(i.mask(), attached);
  }

  /**
   * A new instance of our LSA {@code k} if its body changed (or it is forced: refresh, or a newer
   * copy of our own came back), no sooner than MinLSInterval after the last; at
   * MaxSequenceNumber the LSA is flushed first and originated anew from InitialSequenceNumber
   * once the flush is acknowledged (12.1.6).
   */
  void originate(Key k, OspfLsa.Body body) {
    long now = ospf.now();
    Lsa have = ospf.lsdb.get(k);
    boolean force = ospf.forced.remove(k);
    if (ospf.pendingWrap.contains(k)) {
      return;
    }
    if (!force && have != null && have.ageAtInstall < OspfLsa.MAX_AGE && body.equals(have.repr.body())
        && have.age(now) < OspfLsa.LS_REFRESH_TIME) {
      return;
    }
    Long last = ospf.lastOrigination.get(k);
    if (!force && last != null && now - last < Ospf.MIN_LS_INTERVAL_NANOS) {
      if (ospf.deferred.add(k)) {
        ospf.time.schedule(() -> {
          ospf.deferred.remove(k);
          originateAll();
        }, last + Ospf.MIN_LS_INTERVAL_NANOS - now);
      }
      return;
    }
    int seq = OspfLsa.INITIAL_SEQUENCE;
    if (have != null) {
      if (have.seq == OspfLsa.MAX_SEQUENCE) {
        ospf.pendingWrap.add(k);
        if (have.ageAtInstall < OspfLsa.MAX_AGE) {
          flush(have);
        }
        return;
      }
      seq = have.seq + 1;
    }
    OspfLsa.Repr r = new OspfLsa.Repr(0, Ospf.OPTIONS, k.type(), k.id(), k.adv(), seq, body);
    byte[] bytes = new byte[r.bufferLen()];
    ByteBuf w = Unpooled.wrappedBuffer(bytes);
    r.emit(w, 0);
    Lsa l = new Lsa(bytes, 0, now);
    ospf.lastOrigination.put(k, now);
    ospf.flooding.removeFromRxmt(k);
    ospf.lsdb.install(l, have, ospf.routerId);
    ospf.counters.lsasOriginated++;
    ospf.listener.lsaOriginated(k.type(), k.id(), k.adv(), seq, false);
    ospf.flooding.flood(l, null, null);
  }

  /** Premature aging (14.1): the instance at MaxAge, flooded; removed from the database once acknowledged. */
  void flush(Lsa have) {
    byte[] bytes = have.bytes.clone();
    bytes[OspfLsa.AGE] = (byte) (OspfLsa.MAX_AGE >> 8);
    bytes[OspfLsa.AGE + 1] = (byte) OspfLsa.MAX_AGE;
    Lsa l = new Lsa(bytes, OspfLsa.MAX_AGE, ospf.now());
    ospf.flooding.removeFromRxmt(l.key);
    ospf.lsdb.install(l, have, ospf.routerId);
    if (l.key.adv() == ospf.routerId) {
      ospf.listener.lsaOriginated(l.key.type(), l.key.id(), l.key.adv(), l.seq, true);
    }
    ospf.flooding.flood(l, null, null);
  }

  /** A newer instance of our own LSA arrived (13.4): outdo it, or flush it if we no longer originate it. */
  void selfOriginatedArrived(Lsa l) {
    if (ospf.pendingWrap.contains(l.key)) {
      return;
    }
    boolean stillOurs = l.key.type() == OspfLsa.TYPE_ROUTER && l.key.id() == ospf.routerId;
    if (l.key.type() == OspfLsa.TYPE_NETWORK) {
      for (OspfIface i : ospf.ifaces.values()) {
        if (i.nic.ip() == l.key.id() && networkLsaBody(i) != null) {
          stillOurs = true;
        }
      }
    }
    if (stillOurs) {
      ospf.forced.add(l.key);
      ospf.lastOrigination.remove(l.key);
      originateAll();
    } else if (l.ageAtInstall < OspfLsa.MAX_AGE) {
      flush(l);
    }
  }
}
