package emu.node.ospf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.ospf.Ospf.InterfaceConfig;
import emu.node.ospf.Ospf.InterfaceState;
import emu.node.ospf.Ospf.NeighborState;
import emu.node.ospf.Ospf.NetworkType;
import emu.node.stack.Nic;
import emu.node.stack.Route;
import emu.node.testing.LabNode;
import emu.node.testing.LabSwitch;
import emu.node.testing.VirtualLab;
import emu.node.wire.Ipv4Address;
import emu.node.wire.OspfLsa;
import emu.node.wire.OspfRouterLsa;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The protocol machine on virtual time: adjacencies, election, flooding, SPF, faults. */
class OspfMachineTest {
  private final VirtualLab lab = new VirtualLab(7);
  private final Map<String, Ospf> ospf = new LinkedHashMap<>();
  private final Map<String, List<InterfaceConfig>> ifs = new LinkedHashMap<>();
  private int macs = 1;

  @AfterEach
  void close() {
    ospf.values().forEach(Ospf::stop);
    lab.close();
  }

  private String mac() {
    int m = macs++;
    return String.format("02:00:00:00:%02x:%02x", m >> 8, m & 0xFF);
  }

  private LabNode router(String name) {
    ifs.put(name, new ArrayList<>());
    return lab.router(name);
  }

  private void iface(LabNode r, String nic, int cost, int priority, NetworkType type) {
    ifs.get(r.name()).add(new InterfaceConfig(nic, cost, 1, 4, priority, false, type));
  }

  /** Point-to-point link between two routers, OSPF on both ends. */
  private void p2p(LabNode a, String an, String acidr, LabNode b, String bn, String bcidr, int cost) {
    lab.connect(a, an, mac(), acidr, b, bn, mac(), bcidr, 1500);
    iface(a, an, cost, 1, NetworkType.POINT_TO_POINT);
    iface(b, bn, cost, 1, NetworkType.POINT_TO_POINT);
  }

  /** A stub LAN (a tap at the far end), advertised passive. */
  private void stub(LabNode r, String nic, String cidr) {
    lab.tap(r, nic, mac(), cidr);
    ifs.get(r.name()).add(new InterfaceConfig(nic, 10, 1, 4, 1, true, NetworkType.BROADCAST));
  }

  private void startAll() {
    lab.start();
    for (Map.Entry<String, List<InterfaceConfig>> e : ifs.entrySet()) {
      LabNode n = lab.node(e.getKey());
      Ospf o = new Ospf(n.stack(), new Ospf.Config(0, e.getValue()));
      ospf.put(e.getKey(), o);
      o.start();
    }
  }

  private boolean allFull(String... routers) {
    for (String r : routers) {
      for (Ospf.NeighborView n : ospf.get(r).neighbors()) {
        if (n.state() != NeighborState.FULL && n.state() != NeighborState.TWO_WAY) {
          return false;
        }
      }
    }
    return true;
  }

  private Route route(String router, String prefix) {
    for (Route r : ospf.get(router).routes()) {
      if (r.prefix().toString().equals(prefix)) {
        return r;
      }
    }
    return null;
  }

  private static Set<String> gateways(Route r) {
    Set<String> out = new HashSet<>();
    if (r.multipath() == null) {
      out.add(Ipv4Address.format(r.gateway()));
    } else {
      r.multipath().forEach(p -> out.add(Ipv4Address.format(p.gateway())));
    }
    return out;
  }

  @Test
  void twoRoutersPointToPointReachFullAndLearnEachOthersStub() {
    LabNode r1 = router("r1");
    LabNode r2 = router("r2");
    p2p(r1, "eth0", "10.0.12.1/24", r2, "eth0", "10.0.12.2/24", 10);
    stub(r1, "eth1", "10.1.0.1/24");
    stub(r2, "eth1", "10.2.0.1/24");
    startAll();
    lab.advance(VirtualLab.seconds(15));
    assertEquals(NeighborState.FULL, ospf.get("r1").neighbors().get(0).state());
    assertEquals(NeighborState.FULL, ospf.get("r2").neighbors().get(0).state());
    assertEquals(InterfaceState.POINT_TO_POINT, ospf.get("r1").interfaces().get(0).state());
    Route toR2 = route("r1", "10.2.0.0/24");
    assertNotNull(toR2, "r1 learned r2's stub: " + ospf.get("r1").routes());
    assertEquals(20, toR2.metric());
    assertEquals(Route.Kind.OSPF, toR2.kind());
    assertEquals("10.0.12.2", Ipv4Address.format(toR2.gateway()));
    assertEquals("10.0.12.1", Ipv4Address.format(route("r2", "10.1.0.0/24").gateway()));
    assertNull(route("r1", "10.0.12.0/24"), "the shared subnet is connected, not OSPF's");
    // the stack routes by it
    assertEquals(Route.Kind.OSPF, lab.node("r1").stack().routes().lookup(Ipv4Address.parse("10.2.0.7")).kind());
    // the database: two router-LSAs, the same on both
    assertEquals(2, ospf.get("r1").database().size());
    assertEquals(ospf.get("r1").database().stream().map(l -> l.sequence()).toList(),
        ospf.get("r2").database().stream().map(l -> l.sequence()).toList());
    assertEquals(0, ospf.get("r1").counters().refusedTotal(), ospf.get("r1").counters().refusals().toString());
  }

  @Test
  void threeRoutersOnALanElectByPriorityThenRouterId() {
    LabSwitch sw = lab.bridge("sw");
    LabNode r1 = router("r1");
    LabNode r2 = router("r2");
    LabNode r3 = router("r3");
    lab.connect(r1, "eth0", mac(), "10.0.0.1/24", sw, "p1");
    lab.connect(r2, "eth0", mac(), "10.0.0.2/24", sw, "p2");
    lab.connect(r3, "eth0", mac(), "10.0.0.3/24", sw, "p3");
    // r1 has the highest priority: DR; r2 and r3 tie on priority, r3 has the higher router ID: BDR
    iface(r1, "eth0", 10, 5, NetworkType.BROADCAST);
    iface(r2, "eth0", 10, 1, NetworkType.BROADCAST);
    iface(r3, "eth0", 10, 1, NetworkType.BROADCAST);
    // the stub is on r1, whose priority makes it DR whatever its (then highest) router ID
    stub(r1, "eth1", "10.1.0.1/24");
    startAll();
    lab.advance(VirtualLab.seconds(20));
    assertEquals(InterfaceState.DR, ospf.get("r1").interfaces().get(0).state());
    assertEquals(InterfaceState.BACKUP, ospf.get("r3").interfaces().get(0).state());
    assertEquals(InterfaceState.DR_OTHER, ospf.get("r2").interfaces().get(0).state());
    for (Ospf.NeighborView n : ospf.get("r1").neighbors()) {
      assertEquals(NeighborState.FULL, n.state());
    }
    for (Ospf.NeighborView n : ospf.get("r2").neighbors()) {
      assertEquals(NeighborState.FULL, n.state(), "a DROther is Full with the DR and the BDR");
    }
    boolean network = ospf.get("r2").database().stream().anyMatch(l -> l.type() == OspfLsa.TYPE_NETWORK
        && l.linkStateId() == Ipv4Address.parse("10.0.0.1"));
    assertTrue(network, "the DR's network-LSA: " + ospf.get("r2").database());
    Route r = route("r3", "10.1.0.0/24");
    assertNotNull(r);
    assertEquals(20, r.metric());
    assertEquals("10.0.0.1", Ipv4Address.format(r.gateway()));
  }

  @Test
  void drothersStayTwoWay() {
    LabSwitch sw = lab.bridge("sw");
    LabNode[] rs = new LabNode[4];
    for (int k = 0; k < 4; k++) {
      rs[k] = router("r" + (k + 1));
      lab.connect(rs[k], "eth0", mac(), "10.0.0." + (k + 1) + "/24", sw, "p" + k);
      iface(rs[k], "eth0", 10, k == 0 ? 0 : 1, NetworkType.BROADCAST);
    }
    startAll();
    lab.advance(VirtualLab.seconds(20));
    // r4 highest ID: DR, r3 BDR; r1 (priority 0) and r2 DROthers, 2-Way between them
    assertEquals(InterfaceState.DR, ospf.get("r4").interfaces().get(0).state());
    assertEquals(InterfaceState.BACKUP, ospf.get("r3").interfaces().get(0).state());
    assertEquals(InterfaceState.DR_OTHER, ospf.get("r1").interfaces().get(0).state());
    for (Ospf.NeighborView n : ospf.get("r1").neighbors()) {
      String id = Ipv4Address.format(n.routerId());
      assertEquals(id.equals("10.0.0.2") ? NeighborState.TWO_WAY : NeighborState.FULL, n.state(), id);
    }
  }

  /** Ring r1-r2-r3-r4-r5-r1, each with a stub; all costs 10. */
  private void ring() {
    LabNode[] r = new LabNode[5];
    for (int k = 0; k < 5; k++) {
      r[k] = router("r" + (k + 1));
    }
    for (int k = 0; k < 5; k++) {
      int a = k + 1;
      int b = (k + 1) % 5 + 1;
      int lo = Math.min(a, b);
      int hi = Math.max(a, b);
      String net = "10.0." + lo + hi + ".";
      p2p(r[k], "eth" + (k == 0 ? 0 : 1), net + a + "/24", r[(k + 1) % 5], "eth" + ((k + 1) % 5 == 0 ? 1 : 0),
          net + b + "/24", 10);
    }
    for (int k = 0; k < 5; k++) {
      stub(r[k], "eth2", "10." + (k + 1) + "0.0.1/24");
    }
    startAll();
  }

  @Test
  void aRingConvergesWithCostsAndEcmp() {
    ring();
    lab.advance(VirtualLab.seconds(20));
    for (String r : ospf.keySet()) {
      assertTrue(allFull(r), r + " " + ospf.get(r).neighbors());
      assertEquals(4, ospf.get(r).routes().stream().filter(x -> x.prefix().toString().endsWith("0.0/24")
          && x.prefix().toString().startsWith("10.") && x.prefix().toString().length() == 12).count(),
          r + " " + ospf.get(r).routes());
    }
    // r1 to r2's stub: one hop (cost 20); to r3's: two hops via r2 (30); to r4's: via r5 (30)
    assertEquals(20, route("r1", "10.20.0.0/24").metric());
    assertEquals(30, route("r1", "10.30.0.0/24").metric());
    assertEquals(Set.of("10.0.12.2"), gateways(route("r1", "10.30.0.0/24")));
    assertEquals(Set.of("10.0.15.5"), gateways(route("r1", "10.40.0.0/24")));
    // an even ring would be symmetric; in a 5-ring the link 10.0.34.0/24 opposite r1 is at equal cost both ways
    Route opposite = route("r1", "10.0.34.0/24");
    assertEquals(30, opposite.metric());
    assertEquals(Set.of("10.0.12.2", "10.0.15.5"), gateways(opposite));
  }

  @Test
  void carrierLossReroutesWellUnderASecond() {
    ring();
    lab.advance(VirtualLab.seconds(30));
    assertEquals(Set.of("10.0.12.2"), gateways(route("r1", "10.20.0.0/24")));
    Nic a = lab.node("r1").stack().nic("eth0");
    Nic b = lab.node("r2").stack().nic("eth0");
    long t0 = lab.now();
    lab.node("r1").stack().setLinkUp(a, false);
    lab.node("r2").stack().setLinkUp(b, false);
    lab.runUntil(() -> route("r1", "10.20.0.0/24") != null
        && gateways(route("r1", "10.20.0.0/24")).equals(Set.of("10.0.15.5"))
        && route("r3", "10.10.0.0/24") != null && gateways(route("r3", "10.10.0.0/24")).equals(Set.of("10.0.34.4")),
        VirtualLab.seconds(5));
    long took = lab.now() - t0;
    assertTrue(took < VirtualLab.millis(500), "rerouted in " + took / 1e6 + " ms");
    assertEquals(50, route("r1", "10.20.0.0/24").metric());
  }

  @Test
  void aSilentNeighbourGoesDownAfterTheDeadInterval() {
    ring();
    lab.advance(VirtualLab.seconds(30));
    lab.impairBothWays(lab.node("r1"), "eth0", Map.of("loss", "100%"));
    long t0 = lab.now();
    lab.runUntil(() -> ospf.get("r1").neighbors().stream()
        .noneMatch(n -> Ipv4Address.format(n.routerId()).equals("10.20.0.1")), VirtualLab.seconds(10));
    long took = lab.now() - t0;
    assertTrue(took <= VirtualLab.seconds(4.1) && took >= VirtualLab.seconds(3), "down after " + took / 1e9 + " s");
    lab.advance(VirtualLab.seconds(2));
    assertEquals(Set.of("10.0.15.5"), gateways(route("r1", "10.20.0.0/24")));
  }

  @Test
  void floodingSurvivesLoss() {
    ring();
    for (String r : List.of("r1", "r2", "r3")) {
      lab.impairBothWays(lab.node(r), r.equals("r1") ? "eth0" : "eth1", Map.of("loss", "20%"));
    }
    lab.advance(VirtualLab.seconds(60));
    for (String r : ospf.keySet()) {
      assertEquals(4, ospf.get(r).routes().stream().filter(x -> x.prefix().toString().matches("10\\.\\d0\\.0\\.0/24"))
          .count(), r + " " + ospf.get(r).routes());
      assertEquals(ospf.get("r1").database().stream().map(l -> l.advertisingRouter() + "/" + l.sequence()).toList(),
          ospf.get(r).database().stream().map(l -> l.advertisingRouter() + "/" + l.sequence()).toList(), r);
    }
    long rx = ospf.values().stream().mapToLong(o -> o.counters().lsasRetransmitted).sum();
    assertTrue(rx > 0, "something was retransmitted");
  }

  @Test
  void helloMismatchesAreRefusedAndCounted() {
    LabNode r1 = router("r1");
    LabNode r2 = router("r2");
    lab.connect(r1, "eth0", mac(), "10.0.12.1/24", r2, "eth0", mac(), "10.0.12.2/24", 1500);
    ifs.get("r1").add(new InterfaceConfig("eth0", 10, 1, 4, 1, false, NetworkType.BROADCAST));
    ifs.get("r2").add(new InterfaceConfig("eth0", 10, 2, 8, 1, false, NetworkType.BROADCAST));
    startAll();
    lab.advance(VirtualLab.seconds(10));
    assertTrue(ospf.get("r1").neighbors().isEmpty());
    assertTrue(ospf.get("r1").counters().refused(OspfCounters.Refusal.HELLO_INTERVAL_MISMATCH) >= 4);
    assertTrue(ospf.get("r2").counters().refused(OspfCounters.Refusal.HELLO_INTERVAL_MISMATCH) >= 4);
  }

  private Ospf.LsaView lsa(String router, int type, String id) {
    return ospf.get(router).database().stream().filter(l -> l.type() == type
        && l.linkStateId() == Ipv4Address.parse(id)).findFirst().orElse(null);
  }

  /** r1 (10.1.0.1 stub, router ID 10.1.0.1) and r2 (10.2.0.1) point-to-point, Full. */
  private void pair() {
    LabNode r1 = router("r1");
    LabNode r2 = router("r2");
    p2p(r1, "eth0", "10.0.12.1/24", r2, "eth0", "10.0.12.2/24", 10);
    stub(r1, "eth1", "10.1.0.1/24");
    stub(r2, "eth1", "10.2.0.1/24");
    startAll();
    lab.advance(VirtualLab.seconds(15));
    assertEquals(NeighborState.FULL, ospf.get("r1").neighbors().get(0).state());
  }

  @Test
  void ownLsasAreRefreshedAndAnOrphanAgesOutAtMaxAge() {
    pair();
    int seq = lsa("r2", OspfLsa.TYPE_ROUTER, "10.1.0.1").sequence();
    lab.advance(VirtualLab.seconds(1800));
    assertTrue(lsa("r2", OspfLsa.TYPE_ROUTER, "10.1.0.1").sequence() > seq, "refreshed at LSRefreshTime");
    assertTrue(lsa("r2", OspfLsa.TYPE_ROUTER, "10.1.0.1").age() < 60);
    // r2's OSPF stops: nobody refreshes its LSA, which r1 keeps until it reaches MaxAge
    ospf.get("r2").stop();
    lab.advance(VirtualLab.seconds(60));
    assertNotNull(lsa("r1", OspfLsa.TYPE_ROUTER, "10.2.0.1"));
    assertNull(route("r1", "10.2.0.0/24"), "unreachable once the adjacency is gone");
    lab.advance(VirtualLab.seconds(3600));
    assertNull(lsa("r1", OspfLsa.TYPE_ROUTER, "10.2.0.1"), "flushed at MaxAge and removed");
  }

  @Test
  void aRestartedRouterOutdoesItsOldSequenceNumber() {
    pair();
    lab.node("r1").stack().setLinkUp(lab.node("r1").stack().nic("eth1"), false);
    lab.advance(VirtualLab.seconds(10));
    lab.node("r1").stack().setLinkUp(lab.node("r1").stack().nic("eth1"), true);
    lab.advance(VirtualLab.seconds(10));
    int before = lsa("r2", OspfLsa.TYPE_ROUTER, "10.1.0.1").sequence();
    assertTrue(before > OspfLsa.INITIAL_SEQUENCE + 1);
    ospf.get("r1").stop();
    ospf.get("r1").start();
    lab.advance(VirtualLab.seconds(15));
    assertEquals(NeighborState.FULL, ospf.get("r1").neighbors().get(0).state());
    assertTrue(lsa("r2", OspfLsa.TYPE_ROUTER, "10.1.0.1").sequence() > before, "13.4: above the old instance");
    assertEquals(lsa("r1", OspfLsa.TYPE_ROUTER, "10.1.0.1").sequence(),
        lsa("r2", OspfLsa.TYPE_ROUTER, "10.1.0.1").sequence());
    assertNotNull(route("r2", "10.1.0.0/24"));
  }

  @Test
  void theSequenceNumberWrapsThroughAFlush() {
    pair();
    ospf.get("r1").ownRouterLsaSequence(OspfLsa.MAX_SEQUENCE - 1);
    Nic stub = lab.node("r1").stack().nic("eth1");
    lab.node("r1").stack().setLinkUp(stub, false);
    lab.advance(VirtualLab.seconds(10));
    assertEquals(OspfLsa.MAX_SEQUENCE, lsa("r2", OspfLsa.TYPE_ROUTER, "10.1.0.1").sequence());
    lab.node("r1").stack().setLinkUp(stub, true);
    lab.advance(VirtualLab.seconds(20));
    Ospf.LsaView at2 = lsa("r2", OspfLsa.TYPE_ROUTER, "10.1.0.1");
    assertNotNull(at2);
    assertEquals(OspfLsa.INITIAL_SEQUENCE, at2.sequence(), "flushed at MaxSequenceNumber, then anew");
    assertTrue(at2.age() < OspfLsa.MAX_AGE);
    assertNotNull(route("r2", "10.1.0.0/24"));
  }

  @Test
  void aFloodOfLsasIsBoundedAndCounted() {
    pair();
    ospf.get("r1").maxLsas(40);
    for (int k = 0; k < 100; k++) {
      int rid = Ipv4Address.parse("172.16.0.0") + k;
      ospf.get("r2").floodForTest(new OspfLsa.Repr(0, Ospf.OPTIONS, OspfLsa.TYPE_ROUTER, rid, rid,
          OspfLsa.INITIAL_SEQUENCE, new OspfRouterLsa.Repr(0, List.of(
              new OspfRouterLsa.Link(rid, 0xFFFFFFFF, OspfRouterLsa.LINK_STUB, 1)))));
    }
    lab.advance(VirtualLab.seconds(12));
    assertEquals(40, ospf.get("r1").database().size());
    assertTrue(ospf.get("r1").counters().refused(OspfCounters.Refusal.LSDB_FULL) >= 62);
    assertEquals(NeighborState.FULL, ospf.get("r1").neighbors().get(0).state());
    assertNotNull(route("r1", "10.2.0.0/24"), "routing goes on");
  }

  @Test
  void aLinkLostWithinMinLsIntervalStillReroutesAtOnce() {
    ring();
    lab.advance(VirtualLab.seconds(30));
    // r1 originates (its stub goes down), then a second later loses r2: its new router-LSA must
    // wait out MinLSInterval, but its own routes do not
    lab.node("r1").stack().setLinkUp(lab.node("r1").stack().nic("eth2"), false);
    lab.advance(VirtualLab.seconds(1));
    long t0 = lab.now();
    lab.node("r1").stack().setLinkUp(lab.node("r1").stack().nic("eth0"), false);
    lab.node("r2").stack().setLinkUp(lab.node("r2").stack().nic("eth0"), false);
    lab.runUntil(() -> route("r1", "10.20.0.0/24") != null
        && gateways(route("r1", "10.20.0.0/24")).equals(Set.of("10.0.15.5")), VirtualLab.seconds(10));
    assertTrue(lab.now() - t0 < VirtualLab.millis(100), "rerouted after " + (lab.now() - t0) / 1e6 + " ms");
  }
}
