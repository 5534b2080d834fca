package emu.node.ospf;

import emu.link.time.TimeSource;
import emu.node.ospf.Lsa.Key;
import emu.node.ospf.Ospf.NeighborState;
import emu.node.wire.OspfDbDescription;
import emu.node.wire.OspfLsa;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/** One neighbour on an interface: the neighbour data structure of RFC 2328 10.1. */
final class OspfNeighbor {
  final OspfIface iface;
  int routerId;
  final int addr;
  int priority;
  int dr;
  int bdr;
  int options;
  NeighborState state = NeighborState.DOWN;
  TimeSource.Timer inactivity;
  TimeSource.Timer ddTimer;
  TimeSource.Timer lsrTimer;
  TimeSource.Timer rxmtTimer;
  boolean weAreMaster;
  int ddSeq;
  boolean ddSeqSet;
  final List<OspfLsa.Header> summary = new ArrayList<>();
  final LinkedHashMap<Key, OspfLsa.Header> requests = new LinkedHashMap<>();
  final Set<Key> requested = new HashSet<>();
  final LinkedHashMap<Key, long[]> rxmtSent = new LinkedHashMap<>();
  final LinkedHashMap<Key, Lsa> rxmt = new LinkedHashMap<>();
  OspfDbDescription.Repr lastDd;
  boolean lastSentMore;
  int lastRecvSeq;
  int lastRecvFlags = -1;
  int lastRecvOptions;
  long upSince;
  long lastHello;

  OspfNeighbor(OspfIface iface, int routerId, int addr) {
    this.iface = iface;
    this.routerId = routerId;
    this.addr = addr;
  }
}
