package emu.node.ospf;

import emu.node.ospf.Lsa.Key;
import emu.node.ospf.Ospf.InterfaceState;
import emu.node.ospf.Ospf.NeighborEvent;
import emu.node.ospf.Ospf.NeighborState;
import emu.node.ospf.OspfCounters.Refusal;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.OspfLsAck;
import emu.node.wire.OspfLsUpdate;
import emu.node.wire.OspfLsa;
import emu.node.wire.OspfPacket;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reliable flooding (RFC 2328 13): LS Updates received and their LSAs installed, flooded out of the
 * interfaces whose adjacencies should have them, acknowledged (delayed on the interface or direct,
 * 13.5) and retransmitted until acknowledged (13.6); LS Acks taken off the retransmission lists.
 */
final class Flooding {
  private final Ospf ospf;
  /** The view reused over each LSA of a received update. */
  private final OspfLsa lsaView = new OspfLsa();

  Flooding(Ospf ospf) {
    this.ospf = ospf;
  }

  /** An LS Update from {@code n} (13): each LSA checked, then installed and flooded, acknowledged or answered. */
  void onLsUpdate(OspfNeighbor n, OspfLsUpdate u) {
    OspfIface i = n.iface;
    if (n.state.compareTo(NeighborState.EXCHANGE) < 0) {
      ospf.refuse(i, n.addr, OspfPacket.TYPE_LS_UPDATE, Refusal.NEIGHBOR_STATE);
      return;
    }
    long now = ospf.now();
    int count = u.lsaCount();
    for (int k = 0, at = u.firstLsa(); k < count; k++, at = u.nextLsa(at)) {
      if (n.state.compareTo(NeighborState.EXCHANGE) < 0) {
        return; // a BadLSReq below sent it back to ExStart
      }
      ospf.counters.lsasReceived++;
      OspfLsa v = lsaView.wrap(u.buffer(), at, u.remaining(at));
      OspfLsa.Check c = v.check();
      if (c != OspfLsa.Check.OK) {
        ospf.refuse(i, n.addr, OspfPacket.TYPE_LS_UPDATE, switch (c) {
          case TRUNCATED -> Refusal.LSA_TRUNCATED;
          case BAD_LENGTH -> Refusal.LSA_BAD_LENGTH;
          case BAD_CHECKSUM -> Refusal.LSA_BAD_CHECKSUM;
          default -> Refusal.LSA_BAD_BODY;
        });
        continue;
      }
      int type = v.type();
      if (type < OspfLsa.TYPE_ROUTER || type > OspfLsa.TYPE_AS_EXTERNAL) {
        ospf.refuse(i, n.addr, OspfPacket.TYPE_LS_UPDATE, Refusal.LSA_UNKNOWN_TYPE);
        continue;
      }
      Key key = new Key(type, v.linkStateId(), v.advertisingRouter());
      OspfLsa.Header h = OspfLsa.Header.read(v.buffer(), v.start());
      int age = v.age();
      Lsa have = ospf.lsdb.get(key);
      if (age >= OspfLsa.MAX_AGE && have == null && !ospf.exchange.anyExchanging()) {
        directAck(n, h);
        continue;
      }
      int cmp = have == null ? 1 : have.compareWith(h, ospf.now());
      if (cmp > 0) {
        if (have != null && now - have.installedNanos < Ospf.MIN_LS_ARRIVAL_NANOS
            && have.key.adv() != ospf.routerId) {
          ospf.refuse(i, n.addr, OspfPacket.TYPE_LS_UPDATE, Refusal.LSA_TOO_SOON);
          continue;
        }
        if (have == null && ospf.lsdb.size() >= ospf.maxLsas) {
          ospf.refuse(i, n.addr, OspfPacket.TYPE_LS_UPDATE, Refusal.LSDB_FULL);
          continue;
        }
        byte[] bytes = new byte[v.length()];
        v.buffer().getBytes(at, bytes);
        Lsa fresh = new Lsa(bytes, age, now);
        removeFromRxmt(key);
        ospf.lsdb.install(fresh, have, n.routerId);
        boolean back = flood(fresh, i, n);
        if (!back && (i.state != InterfaceState.BACKUP || n.addr == i.dr)) {
          delayedAck(i, h);
        }
        if (key.adv() == ospf.routerId) {
          ospf.origination.selfOriginatedArrived(fresh);
        }
      } else if (n.requests.containsKey(key)) {
        ospf.nsm.event(n, NeighborEvent.BAD_LS_REQ);
        return;
      } else if (cmp == 0) {
        if (n.rxmt.remove(key) != null) {
          n.rxmtSent.remove(key);
          if (i.state == InterfaceState.BACKUP && n.addr == i.dr) {
            delayedAck(i, h);
          }
        } else {
          directAck(n, h);
        }
      } else {
        if (have.age(now) >= OspfLsa.MAX_AGE && have.seq == OspfLsa.MAX_SEQUENCE) {
          continue;
        }
        sendLsu(i, n.addr, List.of(have));
      }
    }
    if (n.state == NeighborState.LOADING && n.requests.isEmpty()) {
      ospf.nsm.event(n, NeighborEvent.LOADING_DONE);
    } else if (n.state == NeighborState.EXCHANGE || n.state == NeighborState.LOADING) {
      ospf.exchange.requestMore(n);
    }
    ospf.lsdb.removeAckedMaxAge();
  }

  /** A new instance of {@code key} went in: the old one is owed to no neighbour any more (13 step 5b). */
  void removeFromRxmt(Key key) {
    for (OspfIface i : ospf.ifaces.values()) {
      for (OspfNeighbor n : i.nbrs.values()) {
        n.rxmt.remove(key);
        n.rxmtSent.remove(key);
      }
    }
  }

  /**
   * Floods {@code l} (13.3) out of every interface with an adjacency that should have it,
   * received from {@code fromNbr} on {@code from} (both null for our own); returns whether it
   * went back out of the receiving interface (then no delayed ack is needed, 13.5).
   */
  boolean flood(Lsa l, OspfIface from, OspfNeighbor fromNbr) {
    boolean back = false;
    List<OspfNeighbor> loaded = new ArrayList<>();
    for (OspfIface i : ospf.ifaces.values()) {
      if (i.state == InterfaceState.DOWN || i.cfg.passive()) {
        continue;
      }
      boolean added = false;
      for (OspfNeighbor n : i.nbrs.values()) {
        if (n.state.compareTo(NeighborState.EXCHANGE) < 0) {
          continue;
        }
        if (n.state != NeighborState.FULL) {
          OspfLsa.Header req = n.requests.get(l.key);
          if (req != null) {
            int c = OspfLsa.compareInstances(l.seq, l.checksum, l.age(ospf.now()), req.sequence(), req.checksum(),
                req.age());
            if (c < 0) {
              continue;
            }
            n.requests.remove(l.key);
            if (n.requests.isEmpty() && n.state == NeighborState.LOADING) {
              loaded.add(n);
            }
            if (c == 0) {
              continue;
            }
          }
        }
        if (n == fromNbr) {
          continue;
        }
        n.rxmt.put(l.key, l);
        n.rxmtSent.put(l.key, new long[] {ospf.now()});
        armRxmt(n);
        added = true;
      }
      if (!added) {
        continue;
      }
      if (i == from && fromNbr != null && (fromNbr.addr == i.dr || fromNbr.addr == i.bdr)) {
        continue;
      }
      if (i == from && i.state == InterfaceState.BACKUP) {
        continue;
      }
      if (i == from) {
        back = true;
      }
      ospf.counters.lsasFlooded++;
      sendLsu(i, i.floodDestination(), List.of(l));
    }
    for (OspfNeighbor n : loaded) {
      if (n != fromNbr) {
        ospf.nsm.event(n, NeighborEvent.LOADING_DONE);
      }
    }
    return back;
  }

  /** Retransmission (13.6): every RxmtInterval, the LSAs unacknowledged that long go again, unicast. */
  private void armRxmt(OspfNeighbor n) {
    if (n.rxmtTimer != null) {
      return;
    }
    n.rxmtTimer = ospf.time.schedule(() -> {
      n.rxmtTimer = null;
      if (n.rxmt.isEmpty() || n.state.compareTo(NeighborState.EXCHANGE) < 0) {
        return;
      }
      long now = ospf.now();
      List<Lsa> due = new ArrayList<>();
      for (Map.Entry<Key, Lsa> e : n.rxmt.entrySet()) {
        long[] sent = n.rxmtSent.get(e.getKey());
        if (sent == null || now - sent[0] >= Ospf.RXMT_NANOS) {
          due.add(e.getValue());
          n.rxmtSent.put(e.getKey(), new long[] {now});
        }
      }
      if (!due.isEmpty()) {
        ospf.counters.lsasRetransmitted += due.size();
        sendLsu(n.iface, n.addr, due);
      }
      armRxmt(n);
    }, Ospf.RXMT_NANOS);
  }

  /** An LS Ack from {@code n} (13.7): the instances it names leave its retransmission list. */
  void onLsAck(OspfNeighbor n, OspfLsAck a) {
    if (n.state.compareTo(NeighborState.EXCHANGE) < 0) {
      ospf.refuse(n.iface, n.addr, OspfPacket.TYPE_LS_ACK, Refusal.NEIGHBOR_STATE);
      return;
    }
    for (int k = 0, c = a.lsaHeaderCount(); k < c; k++) {
      OspfLsa.Header h = OspfLsa.Header.read(a.buffer(), a.lsaHeaderIndex(k));
      Key key = new Key(h.type(), h.linkStateId(), h.advertisingRouter());
      Lsa l = n.rxmt.get(key);
      if (l != null && OspfLsa.compareInstances(h.sequence(), h.checksum(), h.age(), l.seq, l.checksum,
          l.age(ospf.now())) == 0) {
        n.rxmt.remove(key);
        n.rxmtSent.remove(key);
      }
    }
    ospf.lsdb.removeAckedMaxAge();
  }

  private void delayedAck(OspfIface i, OspfLsa.Header h) {
    i.delayedAcks.add(h);
    if (i.ackTimer == null) {
      i.ackTimer = ospf.time.schedule(() -> {
        i.ackTimer = null;
        if (i.state != InterfaceState.DOWN && !i.delayedAcks.isEmpty()) {
          sendAcks(i, i.floodDestination(), new ArrayList<>(i.delayedAcks));
        }
        i.delayedAcks.clear();
      }, Ospf.ACK_DELAY_NANOS);
    }
  }

  private void directAck(OspfNeighbor n, OspfLsa.Header h) {
    sendAcks(n.iface, n.addr, List.of(h));
  }

  private void sendAcks(OspfIface i, int dst, List<OspfLsa.Header> headers) {
    int cap = Math.max(1, (i.nic.mtu() - Ipv4Packet.MIN_HEADER_LEN - OspfPacket.HEADER_LEN) / OspfLsa.HEADER_LEN);
    for (int from = 0; from < headers.size(); from += cap) {
      OspfLsAck.Repr r = new OspfLsAck.Repr(ospf.routerId, Ospf.AREA,
          headers.subList(from, Math.min(headers.size(), from + cap)));
      ByteBuf b = ospf.packet(r.bufferLen());
      r.emit(b, b.readerIndex());
      ospf.send(i, dst, b, OspfPacket.TYPE_LS_ACK);
    }
  }

  /** Sends {@code lsas} in as few updates as the MTU allows, each LSA's age advanced by InfTransDelay. */
  void sendLsu(OspfIface i, int dst, List<Lsa> lsas) {
    int room = i.nic.mtu() - Ipv4Packet.MIN_HEADER_LEN - OspfPacket.HEADER_LEN - OspfLsUpdate.FIXED_LEN;
    long now = ospf.now();
    int k = 0;
    while (k < lsas.size()) {
      int end = k;
      int bytes = 0;
      while (end < lsas.size() && (end == k || bytes + lsas.get(end).bytes.length <= room)) {
        bytes += lsas.get(end).bytes.length;
        end++;
      }
      int len = OspfPacket.HEADER_LEN + OspfLsUpdate.FIXED_LEN + bytes;
      ByteBuf b = ospf.packet(len);
      int s = b.readerIndex();
      OspfPacket.emitHeader(b, s, OspfPacket.TYPE_LS_UPDATE, len, ospf.routerId, Ospf.AREA);
      b.setInt(s + OspfLsUpdate.LSA_COUNT, end - k);
      int at = s + OspfLsUpdate.LSAS;
      for (int j = k; j < end; j++) {
        Lsa l = lsas.get(j);
        b.setBytes(at, l.bytes);
        b.setShort(at + OspfLsa.AGE, Math.min(OspfLsa.MAX_AGE, l.age(now) + Ospf.INF_TRANS_DELAY));
        at += l.bytes.length;
      }
      OspfPacket.fillChecksum(b, s);
      ospf.send(i, dst, b, OspfPacket.TYPE_LS_UPDATE);
      k = end;
    }
  }
}
