package emu.node.ospf;

import emu.node.ospf.Lsa.Key;
import emu.node.ospf.Ospf.NeighborEvent;
import emu.node.ospf.Ospf.NeighborState;
import emu.node.ospf.OspfCounters.Refusal;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.OspfDbDescription;
import emu.node.wire.OspfLsRequest;
import emu.node.wire.OspfLsa;
import emu.node.wire.OspfPacket;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The database exchange with a neighbour (RFC 2328 10.6 to 10.9): the master/slave negotiation in
 * ExStart, Database Description packets (with FRR's MTU check) in Exchange, and the LS Requests
 * that bring the neighbour's newer LSAs in Loading, answered by us from the database.
 */
final class Exchange {
  private final Ospf ospf;

  Exchange(Ospf ospf) {
    this.ospf = ospf;
  }

  /** Entering ExStart (10.3): a new DD sequence number, this router master, an empty I/M/MS DD retransmitted. */
  void start(OspfNeighbor n) {
    n.ddSeq = n.ddSeqSet ? n.ddSeq + 1 : ospf.stack.random().nextInt();
    n.ddSeqSet = true;
    n.weAreMaster = true;
    n.summary.clear();
    sendDd(n, OspfDbDescription.FLAG_I | OspfDbDescription.FLAG_M | OspfDbDescription.FLAG_MS, List.of());
  }

  private int ddCapacity(OspfIface i) {
    return Math.max(1, (i.nic.mtu() - Ipv4Packet.MIN_HEADER_LEN - OspfPacket.HEADER_LEN
        - OspfDbDescription.FIXED_LEN) / OspfLsa.HEADER_LEN);
  }

  private void sendDd(OspfNeighbor n, int flags, List<OspfLsa.Header> headers) {
    n.lastDd = new OspfDbDescription.Repr(ospf.routerId, Ospf.AREA, n.iface.nic.mtu(), Ospf.OPTIONS, flags, n.ddSeq,
        headers);
    n.lastSentMore = (flags & OspfDbDescription.FLAG_M) != 0;
    transmitDd(n);
    Ospf.cancel(n.ddTimer);
    n.ddTimer = null;
    if (n.weAreMaster) {
      armDdRetransmit(n);
    }
  }

  private void armDdRetransmit(OspfNeighbor n) {
    n.ddTimer = ospf.time.schedule(() -> {
      n.ddTimer = null;
      if (n.lastDd != null && n.weAreMaster
          && (n.state == NeighborState.EXSTART || n.state == NeighborState.EXCHANGE)) {
        transmitDd(n);
        armDdRetransmit(n);
      }
    }, Ospf.RXMT_NANOS);
  }

  private void transmitDd(OspfNeighbor n) {
    OspfDbDescription.Repr d = n.lastDd;
    ByteBuf b = ospf.packet(d.bufferLen());
    d.emit(b, b.readerIndex());
    ospf.send(n.iface, n.addr, b, OspfPacket.TYPE_DB_DESCRIPTION);
  }

  /** The next DD of the exchange: as many summary headers as the MTU takes, M if more remain. */
  private void sendNextDd(OspfNeighbor n) {
    int cap = ddCapacity(n.iface);
    List<OspfLsa.Header> out = new ArrayList<>();
    Iterator<OspfLsa.Header> it = n.summary.iterator();
    while (it.hasNext() && out.size() < cap) {
      out.add(it.next());
      it.remove();
    }
    int flags = (n.weAreMaster ? OspfDbDescription.FLAG_MS : 0)
        | (n.summary.isEmpty() ? 0 : OspfDbDescription.FLAG_M);
    sendDd(n, flags, out);
  }

  void onDd(OspfNeighbor n, OspfDbDescription d) {
    OspfIface i = n.iface;
    if (d.interfaceMtu() > i.nic.mtu()) {
      // FRR: "MTU mismatch": the neighbour could send us packets we cannot take
      ospf.refuse(i, n.addr, OspfPacket.TYPE_DB_DESCRIPTION, Refusal.MTU_MISMATCH);
      return;
    }
    if (n.state == NeighborState.INIT) {
      ospf.nsm.event(n, NeighborEvent.TWO_WAY_RECEIVED);
    }
    int flags = d.flags();
    int seq = d.ddSequence();
    boolean duplicate = flags == n.lastRecvFlags && seq == n.lastRecvSeq && d.options() == n.lastRecvOptions;
    switch (n.state) {
      case DOWN, INIT, TWO_WAY -> {
        ospf.refuse(i, n.addr, OspfPacket.TYPE_DB_DESCRIPTION, Refusal.NEIGHBOR_STATE);
        return;
      }
      case EXSTART -> {
        int imms = OspfDbDescription.FLAG_I | OspfDbDescription.FLAG_M | OspfDbDescription.FLAG_MS;
        if (flags == imms && d.lsaHeaderCount() == 0 && Integer.compareUnsigned(n.routerId, ospf.routerId) > 0) {
          n.weAreMaster = false;
          n.ddSeq = seq;
          Ospf.cancel(n.ddTimer);
          n.ddTimer = null;
          ospf.nsm.event(n, NeighborEvent.NEGOTIATION_DONE);
        } else if ((flags & (OspfDbDescription.FLAG_I | OspfDbDescription.FLAG_MS)) == 0 && seq == n.ddSeq
            && Integer.compareUnsigned(n.routerId, ospf.routerId) < 0) {
          n.weAreMaster = true;
          ospf.nsm.event(n, NeighborEvent.NEGOTIATION_DONE);
        } else {
          return;
        }
        n.lastRecvOptions = d.options();
      }
      case EXCHANGE -> {
        if (duplicate) {
          if (!n.weAreMaster && n.lastDd != null) {
            transmitDd(n);
          }
          return;
        }
        boolean nbrMaster = (flags & OspfDbDescription.FLAG_MS) != 0;
        boolean ok = nbrMaster != n.weAreMaster && (flags & OspfDbDescription.FLAG_I) == 0
            && d.options() == n.lastRecvOptions && (n.weAreMaster ? seq == n.ddSeq : seq == n.ddSeq + 1);
        if (!ok) {
          ospf.refuse(i, n.addr, OspfPacket.TYPE_DB_DESCRIPTION, Refusal.DD_SEQUENCE_MISMATCH);
          ospf.nsm.event(n, NeighborEvent.SEQ_NUMBER_MISMATCH);
          return;
        }
      }
      default -> {
        // Loading, Full: only duplicates are expected (the slave answers them again)
        if (duplicate) {
          if (!n.weAreMaster && n.lastDd != null) {
            transmitDd(n);
          }
        } else {
          ospf.refuse(i, n.addr, OspfPacket.TYPE_DB_DESCRIPTION, Refusal.DD_SEQUENCE_MISMATCH);
          ospf.nsm.event(n, NeighborEvent.SEQ_NUMBER_MISMATCH);
        }
        return;
      }
    }
    // accepted as next in sequence (10.8)
    n.lastRecvFlags = flags;
    n.lastRecvSeq = seq;
    for (int k = 0, c = d.lsaHeaderCount(); k < c; k++) {
      OspfLsa.Header h = OspfLsa.Header.read(d.buffer(), d.lsaHeaderIndex(k));
      if (h.type() < OspfLsa.TYPE_ROUTER || h.type() > OspfLsa.TYPE_AS_EXTERNAL) {
        ospf.refuse(i, n.addr, OspfPacket.TYPE_DB_DESCRIPTION, Refusal.LSA_UNKNOWN_TYPE);
        ospf.nsm.event(n, NeighborEvent.SEQ_NUMBER_MISMATCH);
        return;
      }
      Key key = new Key(h.type(), h.linkStateId(), h.advertisingRouter());
      Lsa have = ospf.lsdb.get(key);
      if (have == null || have.compareWith(h, ospf.now()) > 0) {
        n.requests.put(key, h);
      }
    }
    boolean nbrMore = d.more();
    if (n.weAreMaster) {
      n.ddSeq++;
      if (!nbrMore && !n.lastSentMore) {
        ospf.nsm.event(n, NeighborEvent.EXCHANGE_DONE);
      } else {
        sendNextDd(n);
      }
    } else {
      n.ddSeq = seq;
      sendNextDd(n);
      if (!nbrMore && !n.lastSentMore) {
        ospf.nsm.event(n, NeighborEvent.EXCHANGE_DONE);
      }
    }
    if (n.state == NeighborState.EXCHANGE || n.state == NeighborState.LOADING) {
      requestMore(n);
    }
  }

  // ---------------------------------------------------------------- LS Request (RFC 2328 10.7, 10.9)

  /** Sends an LS Request for what is wanted and not yet asked for, when nothing asked is outstanding. */
  void requestMore(OspfNeighbor n) {
    n.requested.retainAll(n.requests.keySet());
    if (!n.requested.isEmpty() || n.requests.isEmpty()) {
      return;
    }
    sendLsr(n);
  }

  private void sendLsr(OspfNeighbor n) {
    int cap = Math.max(1, (n.iface.nic.mtu() - Ipv4Packet.MIN_HEADER_LEN - OspfPacket.HEADER_LEN)
        / OspfLsRequest.ENTRY_LEN);
    List<OspfLsRequest.Entry> entries = new ArrayList<>();
    n.requested.clear();
    for (Key k : n.requests.keySet()) {
      if (entries.size() >= cap) {
        break;
      }
      entries.add(new OspfLsRequest.Entry(k.type(), k.id(), k.adv()));
      n.requested.add(k);
    }
    OspfLsRequest.Repr r = new OspfLsRequest.Repr(ospf.routerId, Ospf.AREA, entries);
    ByteBuf b = ospf.packet(r.bufferLen());
    r.emit(b, b.readerIndex());
    ospf.send(n.iface, n.addr, b, OspfPacket.TYPE_LS_REQUEST);
    Ospf.cancel(n.lsrTimer);
    n.lsrTimer = ospf.time.schedule(() -> {
      n.lsrTimer = null;
      if (!n.requests.isEmpty()
          && (n.state == NeighborState.EXCHANGE || n.state == NeighborState.LOADING)) {
        sendLsr(n);
      }
    }, Ospf.RXMT_NANOS);
  }

  void onLsRequest(OspfNeighbor n, OspfLsRequest r) {
    if (n.state.compareTo(NeighborState.EXCHANGE) < 0) {
      ospf.refuse(n.iface, n.addr, OspfPacket.TYPE_LS_REQUEST, Refusal.NEIGHBOR_STATE);
      return;
    }
    List<Lsa> out = new ArrayList<>();
    for (int k = 0, c = r.entryCount(); k < c; k++) {
      Lsa l = ospf.lsdb.get(new Key(r.type(k), r.linkStateId(k), r.advertisingRouter(k)));
      if (l == null) {
        ospf.refuse(n.iface, n.addr, OspfPacket.TYPE_LS_REQUEST, Refusal.BAD_LS_REQUEST);
        ospf.nsm.event(n, NeighborEvent.BAD_LS_REQ);
        return;
      }
      out.add(l);
    }
    ospf.flooding.sendLsu(n.iface, n.addr, out);
  }

  /**
   * Whether a database exchange is under way with any neighbour (Exchange or Loading): a MaxAge
   * LSA is then kept, as the exchange may still want it (13 step 4, 14).
   */
  boolean anyExchanging() {
    for (OspfIface i : ospf.ifaces.values()) {
      for (OspfNeighbor n : i.nbrs.values()) {
        if (n.state == NeighborState.EXCHANGE || n.state == NeighborState.LOADING) {
          return true;
        }
      }
    }
    return false;
  }
}
