package emu.node.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import emu.link.memory.MemoryLink;
import emu.link.time.VirtualTime;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Longest-prefix match, metrics, removal and the edges of the address space. */
class RouteTableTest {
  private static final Nic ETH0 = nic("eth0", "10.255.0.1/16");
  private static final Nic ETH1 = nic("eth1", "192.168.1.1/24");

  private static Nic nic(String name, String cidr) {
    MemoryLink link = new MemoryLink(name, "peer", 1500, new VirtualTime(), 0);
    return new Nic(2, name, 0x02_00_00_00_00_01L, Ipv4Cidr.parse(cidr), link.a(), null);
  }

  /** A static route whose gateway identifies it in assertions (0 for none). */
  private static Route route(String prefix, String gateway, int metric) {
    return new Route(Ipv4Cidr.parse(prefix), gateway == null ? 0 : Ipv4Address.parse(gateway), ETH0, metric,
        Route.Kind.STATIC);
  }

  private static RouteTable table(Route... routes) {
    RouteTable t = new RouteTable();
    for (Route r : routes) {
      t.add(r);
    }
    return t;
  }

  /** The gateway of the matching route, dotted, or null if nothing matches. */
  private static String via(RouteTable t, String dst) {
    Route r = t.lookup(Ipv4Address.parse(dst));
    return r == null ? null : Ipv4Address.format(r.gateway());
  }

  private static final Route[] NESTED = {
      route("0.0.0.0/0", "1.0.0.0", 0),
      route("10.0.0.0/8", "1.0.0.8", 0),
      route("10.1.0.0/16", "1.0.0.16", 0),
      route("10.1.2.0/24", "1.0.0.24", 0),
      route("10.1.2.3/32", "1.0.0.32", 0)};

  static Stream<Arguments> nestedCases() {
    return Stream.of(
        Arguments.of("10.1.2.3", "1.0.0.32"),
        Arguments.of("10.1.2.4", "1.0.0.24"),
        Arguments.of("10.1.2.255", "1.0.0.24"),
        Arguments.of("10.1.3.3", "1.0.0.16"),
        Arguments.of("10.1.255.255", "1.0.0.16"),
        Arguments.of("10.2.2.3", "1.0.0.8"),
        Arguments.of("10.255.255.255", "1.0.0.8"),
        Arguments.of("11.1.2.3", "1.0.0.0"),
        Arguments.of("9.255.255.255", "1.0.0.0"),
        Arguments.of("0.0.0.0", "1.0.0.0"),
        Arguments.of("255.255.255.255", "1.0.0.0"));
  }

  @ParameterizedTest(name = "{0} -> via {1}")
  @MethodSource("nestedCases")
  void longestPrefixWinsWhateverTheInsertionOrder(String dst, String expectedVia) {
    List<Route> routes = new ArrayList<>(List.of(NESTED));
    Random shuffle = new Random(dst.hashCode());
    for (int round = 0; round < 5; round++) {
      Collections.shuffle(routes, shuffle);
      assertEquals(expectedVia, via(table(routes.toArray(new Route[0])), dst), "order " + routes);
    }
  }

  @Test
  void defaultRouteAloneMatchesEverything() {
    RouteTable t = table(route("0.0.0.0/0", "192.168.1.1", 0));
    for (String dst : List.of("0.0.0.0", "1.2.3.4", "127.0.0.1", "192.168.1.100", "224.0.0.1", "255.255.255.255")) {
      assertEquals("192.168.1.1", via(t, dst), dst);
    }
  }

  @Test
  void noMatchGivesNull() {
    RouteTable t = table(route("10.0.0.0/8", "1.0.0.8", 0), route("192.168.1.0/24", null, 0));
    assertNull(t.lookup(Ipv4Address.parse("11.0.0.1")));
    assertNull(t.lookup(Ipv4Address.parse("192.168.2.1")));
    assertNull(new RouteTable().lookup(0));
    assertNull(new RouteTable().lookup(-1));
  }

  @Test
  void lowestMetricWinsForTheSamePrefixWhateverTheOrder() {
    Route m10 = route("10.0.0.0/8", "1.0.0.10", 10);
    Route m5 = route("10.0.0.0/8", "1.0.0.5", 5);
    Route m20 = route("10.0.0.0/8", "1.0.0.20", 20);
    assertEquals("1.0.0.5", via(table(m10, m5, m20), "10.9.9.9"));
    assertEquals("1.0.0.5", via(table(m5, m20, m10), "10.9.9.9"));
    assertEquals("1.0.0.5", via(table(m20, m10, m5), "10.9.9.9"));
    // A longer prefix beats a better metric.
    assertEquals("1.0.0.99", via(table(m5, route("10.9.0.0/16", "1.0.0.99", 100)), "10.9.9.9"));
  }

  @Test
  void removeTakesEveryRouteToThatPrefixAndFallsBackToShorter() {
    RouteTable t = table(NESTED);
    t.add(route("10.1.2.0/24", "1.0.0.25", 7));
    assertEquals(2, t.remove(Ipv4Cidr.parse("10.1.2.0/24")));
    assertEquals("1.0.0.16", via(t, "10.1.2.4"));
    assertEquals("1.0.0.32", via(t, "10.1.2.3"));
    assertEquals(0, t.remove(Ipv4Cidr.parse("10.1.2.0/24")));
    assertEquals(1, t.remove(Ipv4Cidr.parse("10.1.2.3/32")));
    assertEquals("1.0.0.16", via(t, "10.1.2.3"));
    assertEquals(1, t.remove(Ipv4Cidr.parse("0.0.0.0/0")));
    assertNull(t.lookup(Ipv4Address.parse("11.0.0.1")));
    assertEquals(2, t.size());
  }

  @Test
  void removeMatchesPrefixGivenWithHostBits() {
    RouteTable t = table(route("10.1.0.0/16", "1.0.0.16", 0));
    assertEquals(1, t.remove(Ipv4Cidr.parse("10.1.77.77/16")));
    assertNull(t.lookup(Ipv4Address.parse("10.1.0.1")));
  }

  @Test
  void removingOneMetricKeepsTheOtherPrefixesIntact() {
    RouteTable t = table(route("10.0.0.0/8", "1.0.0.5", 5), route("10.0.0.0/8", "1.0.0.9", 9),
        route("10.1.0.0/16", "1.0.0.16", 0));
    t.remove(Ipv4Cidr.parse("10.1.0.0/16"));
    assertEquals("1.0.0.5", via(t, "10.1.0.1"));
  }

  @Test
  void hostRouteForAllOnesMatchesOnlyItself() {
    RouteTable t = table(route("255.255.255.255/32", "1.0.0.32", 0), route("0.0.0.0/0", "1.0.0.0", 0));
    assertEquals("1.0.0.32", via(t, "255.255.255.255"));
    assertEquals("1.0.0.0", via(t, "255.255.255.254"));
    RouteTable zero = table(route("0.0.0.0/32", "1.0.0.1", 0));
    assertEquals("1.0.0.1", via(zero, "0.0.0.0"));
    assertNull(zero.lookup(Ipv4Address.parse("0.0.0.1")));
  }

  @Test
  void halvesOfTheAddressSpaceAcrossTheSignBit() {
    RouteTable t = table(route("0.0.0.0/1", "1.0.0.1", 0), route("128.0.0.0/1", "1.0.0.2", 0));
    assertEquals("1.0.0.1", via(t, "127.255.255.255"));
    assertEquals("1.0.0.2", via(t, "128.0.0.0"));
    assertEquals("1.0.0.2", via(t, "255.255.255.255"));
    assertEquals("1.0.0.1", via(t, "0.0.0.0"));
  }

  @Test
  void routeAddedWithHostBitsMatchesItsNetwork() {
    RouteTable t = table(route("10.1.2.99/24", "1.0.0.24", 0));
    assertEquals("1.0.0.24", via(t, "10.1.2.1"));
    assertNull(t.lookup(Ipv4Address.parse("10.1.3.1")));
  }

  @Test
  void removeAllOfAnInterface() {
    RouteTable t = new RouteTable();
    t.add(new Route(Ipv4Cidr.parse("10.0.0.0/8"), 0, ETH0, 0, Route.Kind.CONNECTED));
    t.add(new Route(Ipv4Cidr.parse("192.168.1.0/24"), 0, ETH1, 0, Route.Kind.CONNECTED));
    t.add(new Route(Ipv4Cidr.parse("0.0.0.0/0"), Ipv4Address.parse("192.168.1.254"), ETH1, 0, Route.Kind.STATIC));
    t.removeAll(ETH1);
    assertEquals(1, t.size());
    assertEquals(ETH0, t.lookup(Ipv4Address.parse("10.0.0.1")).nic());
    assertNull(t.lookup(Ipv4Address.parse("192.168.1.5")));
  }

  @Test
  void routesAreListedDefaultFirstThenByUnsignedNetwork() {
    RouteTable t = table(route("192.168.0.0/16", "1.0.0.1", 0), route("10.0.0.0/8", "1.0.0.2", 0),
        route("0.0.0.0/0", "1.0.0.3", 0), route("10.0.0.0/16", "1.0.0.4", 0), route("200.1.0.0/16", "1.0.0.5", 3),
        route("1.0.0.0/8", "1.0.0.6", 0));
    assertEquals(List.of("0.0.0.0/0", "1.0.0.0/8", "10.0.0.0/8", "10.0.0.0/16", "192.168.0.0/16", "200.1.0.0/16"),
        t.routes().stream().map(r -> r.prefix().toString()).toList());
    assertEquals("200.1.0.0/16 via 1.0.0.5 dev eth0 metric 3", t.routes().get(5).describe());
    assertEquals("default via 1.0.0.3 dev eth0", t.routes().get(0).describe());
  }

  @Test
  void connectedRouteNextHopIsTheDestinationAndGatewayRouteIsTheGateway() {
    Route connected = new Route(Ipv4Cidr.parse("192.168.1.0/24"), 0, ETH1, 0, Route.Kind.CONNECTED);
    Route viaGw = new Route(Ipv4Cidr.parse("0.0.0.0/0"), Ipv4Address.parse("192.168.1.1"), ETH1, 0, Route.Kind.STATIC);
    assertEquals(Ipv4Address.parse("192.168.1.77"), connected.nextHop(Ipv4Address.parse("192.168.1.77")));
    assertEquals(Ipv4Address.parse("192.168.1.1"), viaGw.nextHop(Ipv4Address.parse("192.168.5.100")));
    assertEquals("192.168.1.0/24 dev eth1 proto kernel scope link src 192.168.1.1", connected.describe());
  }
}
