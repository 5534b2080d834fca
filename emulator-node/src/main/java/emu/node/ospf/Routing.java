package emu.node.ospf;

import emu.link.time.TimeSource;
import emu.node.ospf.Ospf.LsaId;
import emu.node.ospf.Ospf.RouteChange;
import emu.node.stack.Nic;
import emu.node.stack.Route;
import emu.node.wire.Ipv4Cidr;
import emu.node.wire.OspfLsa;
import emu.node.wire.OspfNetworkLsa;
import emu.node.wire.OspfRouterLsa;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One router's routing calculation: SPF through {@link Spf} (RFC 2328 16.1), throttled as FRR's
 * {@code timers throttle spf 0 50 5000}, and the routes it gives installed with
 * {@code RouteTable.replace(OSPF, ...)} when one changed.
 */
final class Routing {
  private static final Comparator<Ipv4Cidr> PREFIX_ORDER = Comparator.comparing((Ipv4Cidr c) -> c.address(), Integer::compareUnsigned)
      .thenComparingInt(Ipv4Cidr::prefixLength);
  private final Ospf ospf;
  private final Spf spf = new Spf();
  private Map<Ipv4Cidr, Route> installed = new TreeMap<>(PREFIX_ORDER);
  private TimeSource.Timer spfTimer;
  /** The LSA whose arrival scheduled the coming SPF run, for its telling; null for a local change. */
  private LsaId spfAfter;
  private long lastSpfNanos = Long.MIN_VALUE;
  private long spfHold = Ospf.SPF_INITIAL_HOLD_NANOS;

  Routing(Ospf ospf) {
    this.ospf = ospf;
  }

  /** An LSA from another router changed the graph: told with the coming SPF run if it is the first to schedule it. */
  void noteArrival(LsaId lsa) {
    if (spfTimer == null && spfAfter == null) {
      spfAfter = lsa;
    }
  }

  void cancelTimer() {
    if (spfTimer != null) {
      spfTimer.cancel();
    }
    spfTimer = null;
  }

  void clearInstalled() {
    installed.clear();
  }

  void resetThrottle() {
    lastSpfNanos = Long.MIN_VALUE;
    spfHold = Ospf.SPF_INITIAL_HOLD_NANOS;
  }

  /** The routes the last SPF installed. */
  List<Route> installedRoutes() {
    return new ArrayList<>(installed.values());
  }

  /** Nanoseconds since the last SPF ran, -1 if never. */
  long sinceLastSpfNanos() {
    return lastSpfNanos == Long.MIN_VALUE ? -1 : ospf.now() - lastSpfNanos;
  }

  /**
   * Schedules SPF as FRR's throttle does: after the delay if the last run is older than the hold
   * time (which then resets to its initial value), else when the hold time has passed since the
   * last run, the hold doubling up to its maximum.
   */
  void scheduleSpf() {
    if (spfTimer != null || !ospf.running) {
      return;
    }
    long now = ospf.now();
    long delay;
    if (lastSpfNanos == Long.MIN_VALUE || now - lastSpfNanos >= spfHold) {
      spfHold = Ospf.SPF_INITIAL_HOLD_NANOS;
      delay = Ospf.SPF_DELAY_NANOS;
    } else {
      delay = Math.max(Ospf.SPF_DELAY_NANOS, lastSpfNanos + spfHold - now);
      spfHold = Math.min(Ospf.SPF_MAX_HOLD_NANOS, spfHold * 2);
    }
    spfTimer = ospf.time.schedule(this::runSpf, delay);
  }

  private void runSpf() {
    spfTimer = null;
    if (!ospf.running) {
      return;
    }
    long t0 = System.nanoTime();
    lastSpfNanos = ospf.now();
    long now = ospf.now();
    spf.clear();
    // the root is this router as it is now, not as its last router-LSA said: a change waiting out
    // MinLSInterval (an adjacency lost a second after the last origination) must not leave routes
    // over an interface that is down or a neighbour that is gone until the new LSA goes out
    spf.router(ospf.routerId());
    for (OspfRouterLsa.Link link : ospf.origination.routerLsaBody().links()) {
      spf.link(link.type(), link.linkId(), link.linkData(), link.metric());
    }
    for (Lsa l : ospf.lsdb.values()) {
      if (l.key.type() == OspfLsa.TYPE_ROUTER && l.age(now) < OspfLsa.MAX_AGE && l.key.adv() != ospf.routerId()
          && l.repr.body() instanceof OspfRouterLsa.Repr r && l.key.id() == l.key.adv()) {
        spf.router(l.key.adv());
        for (OspfRouterLsa.Link link : r.links()) {
          spf.link(link.type(), link.linkId(), link.linkData(), link.metric());
        }
      }
    }
    for (Lsa l : ospf.lsdb.values()) {
      if (l.key.type() == OspfLsa.TYPE_NETWORK && l.age(now) < OspfLsa.MAX_AGE
          && l.repr.body() instanceof OspfNetworkLsa.Repr r) {
        spf.network(l.key.id(), l.key.adv(), r.networkMask());
        for (int a : r.attachedRouters()) {
          spf.attached(a);
        }
      }
    }
    Map<Ipv4Cidr, Route> next = new TreeMap<>(PREFIX_ORDER);
    if (spf.run(ospf.routerId())) {
      for (int r = 0; r < spf.routeCount(); r++) {
        int mask = spf.routeMask(r);
        int inverse = ~mask;
        if ((inverse & (inverse + 1)) != 0) {
          continue; // a mask with holes (a neighbour's bad LSA) names no prefix a table can hold
        }
        Ipv4Cidr prefix = new Ipv4Cidr(spf.routePrefix(r) & mask, Integer.bitCount(mask));
        if (connected(prefix)) {
          continue;
        }
        List<Route> paths = new ArrayList<>();
        for (int k = 0; k < spf.nextHopCount(r); k++) {
          int gw = spf.nextHopGateway(r, k);
          Nic nic = nicWithAddress(spf.nextHopInterface(r, k));
          if (gw != 0 && nic != null && nic.isUp()) {
            paths.add(new Route(prefix, gw, nic, spf.routeCost(r), Route.Kind.OSPF));
          }
        }
        if (!paths.isEmpty()) {
          paths.sort(Comparator.comparingInt(p -> p.gateway()));
          next.put(prefix, Route.equalCost(prefix, spf.routeCost(r), Route.Kind.OSPF, paths));
        }
      }
    }
    List<RouteChange> changes = new ArrayList<>();
    for (Map.Entry<Ipv4Cidr, Route> e : next.entrySet()) {
      Route old = installed.get(e.getKey());
      if (old == null || !sameRoute(old, e.getValue())) {
        changes.add(new RouteChange(e.getKey(), old == null ? -1 : old.metric(), gateways(old), e.getValue().metric(),
            gateways(e.getValue())));
      }
    }
    for (Map.Entry<Ipv4Cidr, Route> e : installed.entrySet()) {
      if (!next.containsKey(e.getKey())) {
        changes.add(new RouteChange(e.getKey(), e.getValue().metric(), gateways(e.getValue()), -1, List.of()));
      }
    }
    if (!changes.isEmpty()) {
      ospf.stack.routes().replace(Route.Kind.OSPF, next.values());
    }
    installed = next;
    long took = System.nanoTime() - t0;
    ospf.counters.spfRuns++;
    ospf.counters.spfNanosLast = took;
    ospf.counters.spfNanosTotal += took;
    LsaId after = spfAfter;
    spfAfter = null;
    ospf.listener.spfRan(took, next.size(), after, changes);
  }

  private static boolean sameRoute(Route a, Route b) {
    return a.metric() == b.metric() && gateways(a).equals(gateways(b)) && nics(a).equals(nics(b));
  }

  private static List<Integer> gateways(Route r) {
    if (r == null) {
      return List.of();
    }
    if (r.multipath() == null) {
      return List.of(r.gateway());
    }
    return r.multipath().stream().map(Route::gateway).toList();
  }

  private static List<String> nics(Route r) {
    if (r.multipath() == null) {
      return List.of(r.nic().name());
    }
    return r.multipath().stream().map(p -> p.nic().name()).toList();
  }

  /** True if {@code prefix} is the subnet of one of this router's interfaces: the kernel's connected route. */
  private boolean connected(Ipv4Cidr prefix) {
    for (Nic n : ospf.stack.nics()) {
      Ipv4Cidr a = n.address();
      if (a != null && a.prefixLength() == prefix.prefixLength() && a.network() == prefix.address()) {
        return true;
      }
    }
    return false;
  }

  private Nic nicWithAddress(int addr) {
    for (OspfIface i : ospf.ifaces.values()) {
      if (i.nic.ip() == addr && addr != 0) {
        return i.nic;
      }
    }
    return null;
  }
}
