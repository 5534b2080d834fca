package emu.node.ospf;

import emu.link.time.TimeSource;
import emu.node.ospf.Ospf.InterfaceConfig;
import emu.node.ospf.Ospf.InterfaceState;
import emu.node.ospf.Ospf.NeighborState;
import emu.node.ospf.Ospf.NetworkType;
import emu.node.stack.Nic;
import emu.node.wire.OspfLsa;
import emu.node.wire.OspfPacket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One interface OSPF runs on, its interface state machine's state (RFC 2328 9.1) and its neighbours. */
final class OspfIface {
  private final Ospf ospf;
  final Nic nic;
  final InterfaceConfig cfg;
  InterfaceState state = InterfaceState.DOWN;
  /** DR and BDR as interface addresses, as Hellos carry them (0: none). */
  int dr;
  int bdr;
  final Map<Integer, OspfNeighbor> nbrs = new LinkedHashMap<>();
  final List<OspfLsa.Header> delayedAcks = new ArrayList<>();
  TimeSource.Timer helloTimer;
  TimeSource.Timer waitTimer;
  TimeSource.Timer ackTimer;
  long helloDue;
  boolean joinedD;

  OspfIface(Ospf ospf, Nic nic, InterfaceConfig cfg) {
    this.ospf = ospf;
    this.nic = nic;
    this.cfg = cfg;
  }

  boolean broadcast() {
    return cfg.type() == NetworkType.BROADCAST;
  }

  int mask() {
    return nic.address() == null ? 0 : nic.address().mask();
  }

  int routerIdOf(int addr) {
    if (addr == 0) {
      return 0;
    }
    if (addr == nic.ip()) {
      return ospf.routerId();
    }
    OspfNeighbor n = nbrs.get(addr);
    return n == null ? 0 : n.routerId;
  }

  /** Where flooded updates and delayed acks go (RFC 2328 13.3 step 5, 13.5). */
  int floodDestination() {
    return !broadcast() || state == InterfaceState.DR || state == InterfaceState.BACKUP
        ? OspfPacket.ALL_SPF_ROUTERS : OspfPacket.ALL_D_ROUTERS;
  }

  private record Candidate(int addr, int rid, int pri, boolean dr, boolean bdr) {}

  /** One pass of the DR/BDR election (RFC 2328 9.4 steps 2 and 3): {DR, BDR} as interface addresses (0: none). */
  int[] electOnce(boolean selfDr, boolean selfBdr) {
    int me = nic.ip();
    List<Candidate> cands = new ArrayList<>();
    if (cfg.priority() > 0) {
      cands.add(new Candidate(me, ospf.routerId(), cfg.priority(), selfDr, selfBdr));
    }
    for (OspfNeighbor n : nbrs.values()) {
      if (n.state.compareTo(NeighborState.TWO_WAY) >= 0 && n.priority > 0) {
        cands.add(new Candidate(n.addr, n.routerId, n.priority, n.dr == n.addr, n.bdr == n.addr));
      }
    }
    Candidate bdr = best(cands.stream().filter(c -> !c.dr() && c.bdr()).toList());
    if (bdr == null) {
      bdr = best(cands.stream().filter(c -> !c.dr()).toList());
    }
    Candidate dr = best(cands.stream().filter(Candidate::dr).toList());
    if (dr == null) {
      dr = bdr;
    }
    return new int[] {dr == null ? 0 : dr.addr(), bdr == null ? 0 : bdr.addr()};
  }

  private static Candidate best(List<Candidate> cs) {
    Candidate b = null;
    for (Candidate c : cs) {
      if (b == null || c.pri() > b.pri() || c.pri() == b.pri() && Integer.compareUnsigned(c.rid(), b.rid()) > 0) {
        b = c;
      }
    }
    return b;
  }
}
