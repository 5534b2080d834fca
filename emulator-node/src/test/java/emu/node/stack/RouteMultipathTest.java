package emu.node.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.memory.MemoryLink;
import emu.link.time.VirtualTime;
import emu.node.testing.CapturedFrame;
import emu.node.testing.LabNode;
import emu.node.testing.VirtualLab;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Routes a routing protocol installs: its kind ({@code proto ospf}) replaced as a whole after each
 * run without touching static and connected routes, and equal-cost paths (ECMP) chosen per flow by
 * a hash of source and destination, as Linux's default multipath policy does.
 */
class RouteMultipathTest {
  private static final Nic ETH1 = nic("eth1", "10.0.12.1/24");
  private static final Nic ETH2 = nic("eth2", "10.0.13.1/24");

  private static Nic nic(String name, String cidr) {
    MemoryLink link = new MemoryLink(name, "peer", 1500, new VirtualTime(), 0);
    return new Nic(2, name, 0x02_00_00_00_00_01L, Ipv4Cidr.parse(cidr), link.a(), null);
  }

  private static Route ospf(String prefix, int metric, Route... paths) {
    return Route.equalCost(Ipv4Cidr.parse(prefix), metric, Route.Kind.OSPF, List.of(paths));
  }

  private static Route via(String prefix, String gateway, Nic nic) {
    return new Route(Ipv4Cidr.parse(prefix), Ipv4Address.parse(gateway), nic, 20, Route.Kind.OSPF);
  }

  @Test
  void equalCostPathsArePrintedAsIprouteDoesAndChosenPerFlow() {
    Route r = ospf("10.3.0.0/24", 20, via("10.3.0.0/24", "10.0.12.2", ETH1), via("10.3.0.0/24", "10.0.13.3", ETH2));
    assertEquals("10.3.0.0/24 proto ospf metric 20 \n\tnexthop via 10.0.12.2 dev eth1 weight 1 \n"
        + "\tnexthop via 10.0.13.3 dev eth2 weight 1", r.describe());
    Map<Integer, Integer> perPath = new HashMap<>();
    int src = Ipv4Address.parse("10.1.0.10");
    for (int host = 1; host <= 1000; host++) {
      int dst = Ipv4Address.parse("10.3.0.0") + host;
      Route p = r.path(src, dst);
      assertSame(p, r.path(src, dst), "one flow, one path");
      perPath.merge(p.gateway(), 1, Integer::sum);
    }
    assertEquals(2, perPath.size());
    for (int n : perPath.values()) {
      assertTrue(n > 350 && n < 650, "flows spread over both paths: " + perPath);
    }
    Route single = ospf("10.4.0.0/24", 10, via("10.4.0.0/24", "10.0.12.2", ETH1));
    assertNull(single.multipath());
    assertSame(single, single.path(1, 2));
    assertEquals("10.4.0.0/24 via 10.0.12.2 dev eth1 proto ospf metric 10", single.describe());
    assertThrows(IllegalArgumentException.class, () -> new Route(Ipv4Cidr.parse("10.5.0.0/24"), 0, ETH1, 0,
        Route.Kind.OSPF, List.of(single)));
  }

  @Test
  void aProtocolsRoutesAreReplacedWholeAndStaticOnesStay() {
    RouteTable t = new RouteTable();
    t.add(new Route(Ipv4Cidr.parse("10.0.12.0/24"), 0, ETH1, 0, Route.Kind.CONNECTED));
    t.add(new Route(Ipv4Cidr.parse("10.9.0.0/16"), Ipv4Address.parse("10.0.13.3"), ETH2, 5, Route.Kind.STATIC));
    t.replace(Route.Kind.OSPF, List.of(ospf("10.3.0.0/24", 20, via("10.3.0.0/24", "10.0.12.2", ETH1),
        via("10.3.0.0/24", "10.0.13.3", ETH2)), via("10.9.0.0/16", "10.0.12.2", ETH1)));
    assertEquals(Route.Kind.OSPF, t.lookup(Ipv4Address.parse("10.3.0.7")).kind());
    assertEquals(Route.Kind.STATIC, t.lookup(Ipv4Address.parse("10.9.1.1")).kind(), "metric 5 beats OSPF's 20");
    assertEquals(4, t.size());
    // the next run finds 10.3.0.0/24 through eth1 only, and 10.9.0.0/16 no more
    t.replace(Route.Kind.OSPF, List.of(via("10.3.0.0/24", "10.0.12.2", ETH1)));
    assertEquals(3, t.size());
    assertNull(t.lookup(Ipv4Address.parse("10.3.0.7")).multipath());
    assertEquals(Route.Kind.STATIC, t.lookup(Ipv4Address.parse("10.9.1.1")).kind());
    assertThrows(IllegalArgumentException.class, () -> t.replace(Route.Kind.OSPF,
        List.of(new Route(Ipv4Cidr.parse("10.7.0.0/24"), 0, ETH1, 0, Route.Kind.STATIC))));
    // a multipath route goes with any of its interfaces
    t.replace(Route.Kind.OSPF, List.of(ospf("10.3.0.0/24", 20, via("10.3.0.0/24", "10.0.12.2", ETH1),
        via("10.3.0.0/24", "10.0.13.3", ETH2))));
    t.removeAll(ETH2);
    assertNull(t.lookup(Ipv4Address.parse("10.3.0.7")));
    t.replace(Route.Kind.OSPF, List.of());
    assertEquals(1, t.size());
  }

  @Test
  void aCompiledTableTakesTheReplacementToo() {
    RouteTable t = new RouteTable();
    List<Route> many = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      many.add(new Route(new Ipv4Cidr(Ipv4Address.parse("172.16.0.0") + (i << 8), 24), Ipv4Address.parse("10.0.13.3"),
          ETH2, 0, Route.Kind.STATIC));
    }
    t.addAll(many);
    assertTrue(t.compiledBytes() > 0);
    List<Route> learned = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      learned.add(via(Ipv4Address.format(Ipv4Address.parse("100.64.0.0") + (i << 8)) + "/24", "10.0.12.2", ETH1));
    }
    t.replace(Route.Kind.OSPF, learned);
    assertEquals(Route.Kind.OSPF, t.lookup(Ipv4Address.parse("100.64.5.9")).kind());
    t.replace(Route.Kind.OSPF, learned.subList(0, 10));
    assertNull(t.lookup(Ipv4Address.parse("100.64.100.9")));
    assertEquals(Route.Kind.OSPF, t.lookup(Ipv4Address.parse("100.64.9.9")).kind());
    assertEquals(3010, t.size());
  }

  @Test
  void aRouterSpreadsFlowsOverEqualCostPathsAndKeepsEachOnOne() {
    try (VirtualLab lab = new VirtualLab(9)) {
      LabNode r1 = lab.router("r1");
      LabNode r2 = lab.router("r2");
      LabNode r3 = lab.router("r3");
      lab.connect(r1, "eth1", "02:00:00:00:12:01", "10.0.12.1/24", r2, "eth0", "02:00:00:00:12:02", "10.0.12.2/24",
          VirtualLab.DEFAULT_MTU);
      lab.connect(r1, "eth2", "02:00:00:00:13:01", "10.0.13.1/24", r3, "eth0", "02:00:00:00:13:03", "10.0.13.3/24",
          VirtualLab.DEFAULT_MTU);
      r1.stack().routes().replace(Route.Kind.OSPF, List.of(Route.equalCost(Ipv4Cidr.parse("10.3.0.0/24"), 20,
          Route.Kind.OSPF, List.of(new Route(Ipv4Cidr.parse("10.3.0.0/24"), Ipv4Address.parse("10.0.12.2"),
              r1.nic("eth1"), 20, Route.Kind.OSPF), new Route(Ipv4Cidr.parse("10.3.0.0/24"),
              Ipv4Address.parse("10.0.13.3"), r1.nic("eth2"), 20, Route.Kind.OSPF)))));
      lab.start();
      for (int host = 1; host <= 40; host++) {
        for (int k = 0; k < 2; k++) {
          lab.launch(r1, "ping -c 1 -W 1 10.3.0." + host);
        }
      }
      lab.settle();
      Map<Integer, String> pathOf = new HashMap<>();
      for (String nic : List.of("eth1", "eth2")) {
        for (CapturedFrame f : r1.sent(nic)) {
          if (f.isIcmp()) {
            String before = pathOf.put(f.ip().dst(), nic);
            assertTrue(before == null || before.equals(nic), "a flow stays on one path: " + Ipv4Address.format(
                f.ip().dst()));
          }
        }
      }
      assertEquals(40, pathOf.size());
      long viaEth1 = pathOf.values().stream().filter("eth1"::equals).count();
      assertTrue(viaEth1 > 8 && viaEth1 < 32, "both paths carry flows: " + viaEth1 + " of 40 via eth1");
      assertTrue(lab.exec(r1, "ip route").output().contains("10.3.0.0/24 proto ospf metric 20 \n\tnexthop via"
          + " 10.0.12.2 dev eth1 weight 1 \n\tnexthop via 10.0.13.3 dev eth2 weight 1"));
    }
  }
}
