package emu.node.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.config.DhcpConfig;
import emu.node.config.NodeConfig;
import emu.node.event.DhcpEvent;
import emu.node.stack.Route;
import emu.node.testing.LabNode;
import emu.node.testing.VirtualLab;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A home router's WAN by DHCP on virtual time: the ISP's server leases the router its public
 * address, default route and DNS servers; a host behind the router reaches a server beyond the
 * ISP through the leased default route, across renewals; when the lease runs out the address
 * and the route go, and come back with the next lease.
 *
 * <pre>
 *   pc 192.168.1.10 ── home (eth1 192.168.1.1, eth0 dhcp) ── isp (eth0 100.64.0.1, eth1 203.0.113.1) ── web 203.0.113.80
 * </pre>
 */
class DhcpRouterTest {
  private static final String HOME_WAN_MAC = "02:00:00:00:0a:01";

  private VirtualLab lab;
  private LabNode isp;
  private LabNode home;
  private LabNode pc;
  private DhcpServer server;
  private DhcpClient client;
  private final List<List<Integer>> resolverUpdates = new ArrayList<>();

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(18);
    isp = lab.router("isp");
    home = lab.router("home");
    pc = lab.host("pc");
    LabNode web = lab.host("web");
    lab.connect(home, "eth0", HOME_WAN_MAC, null, isp, "eth0", "02:00:00:00:0b:01", "100.64.0.1/24", 1500);
    lab.connect(home, "eth1", "02:00:00:00:0a:02", "192.168.1.1/24", pc, "eth0", "02:00:00:00:0c:01",
        "192.168.1.10/24", 1500);
    lab.connect(isp, "eth1", "02:00:00:00:0b:02", "203.0.113.1/24", web, "eth0", "02:00:00:00:0d:01",
        "203.0.113.80/24", 1500);
    pc.defaultRoute("192.168.1.1");
    web.defaultRoute("203.0.113.1");
    // the ISP gives this customer a fixed address and routes its LAN there (no NAT here)
    isp.route("192.168.1.0/24", "100.64.0.10", 0);
    server = new DhcpServer(isp.stack(), isp.tracer());
    server.serve(isp.nic("eth0"), new DhcpConfig("100.64.0.100", "100.64.0.199", 3600, "100.64.0.1",
        List.of("203.0.113.53"), null, Map.of(HOME_WAN_MAC, "100.64.0.10")));
    client = new DhcpClient(home.stack(), home.tracer(), "home", (nic, servers) -> resolverUpdates.add(servers));
    lab.start();
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  private Route homeDefault() {
    return home.stack().routes().routes().stream().filter(Route::isDefault).findFirst().orElse(null);
  }

  private boolean pingsWeb() {
    return lab.exec(pc, "ping -c 1 -W 1 203.0.113.80").exitCode() == 0;
  }

  @Test
  void theWanLeaseGivesAddressDefaultRouteAndDnsAndTheRouterForwardsThroughIt() {
    assertTrue(!pingsWeb(), "no lease yet: the router has no way out");
    client.add(home.nic("eth0"));
    lab.runUntil(client::allBound, VirtualLab.seconds(10));
    assertEquals(Ipv4Cidr.parse("100.64.0.10/24"), home.nic("eth0").address());
    assertEquals(Ipv4Address.parse("100.64.0.1"), homeDefault().gateway());
    assertEquals(0, homeDefault().metric());
    assertEquals(List.of(List.of(Ipv4Address.parse("203.0.113.53"))), resolverUpdates);
    assertTrue(pingsWeb(), "the host behind the router reaches the server through the leased default route");

    // renewals at T1 keep the address and the route: forwarding goes on
    long renewals = 0;
    for (int k = 0; k < 3; k++) {
      lab.advance(client.renewsNanos(home.nic("eth0")) - lab.now() + VirtualLab.seconds(1));
      assertTrue(pingsWeb(), "forwarding across renewal " + (k + 1));
      renewals = home.events(DhcpEvent.ClientBound.class).stream().filter(DhcpEvent.ClientBound::renewed).count();
    }
    assertEquals(3, renewals);
    assertEquals(Ipv4Address.parse("100.64.0.1"), homeDefault().gateway());

    // the ISP's side goes dark: at expiry the address and every route through the WAN go
    isp.nic("eth0").setUp(false);
    lab.advance(client.expiresNanos(home.nic("eth0")) - lab.now() + VirtualLab.seconds(1));
    assertEquals(1, home.events(DhcpEvent.ClientExpired.class).size());
    assertNull(home.nic("eth0").address());
    assertNull(homeDefault(), "the default route went with the lease");
    assertEquals(List.of(), resolverUpdates.get(resolverUpdates.size() - 1));
    isp.nic("eth0").setUp(true);
    assertTrue(!pingsWeb());

    // the ISP is back: the next DISCOVER (backing off, at most 64 s) brings the lease and the route back
    lab.runUntil(client::allBound, VirtualLab.seconds(120));
    assertEquals(Ipv4Cidr.parse("100.64.0.10/24"), home.nic("eth0").address());
    assertEquals(Ipv4Address.parse("100.64.0.1"), homeDefault().gateway());
    assertTrue(pingsWeb());
  }

  @Test
  void aStaticDefaultRouteStaysInUseAndTheLeasesComesBehindIt() {
    // the router also has a static default route on its LAN side (say a second uplink there)
    home.defaultRoute("192.168.1.254");
    NodeConfig.StaticRoute r = new NodeConfig.StaticRoute("default", "192.168.1.254", 0);
    int metric = DhcpClient.defaultRouteMetric(config(List.of(r), null));
    assertEquals(DhcpClient.BEHIND_STATIC_METRIC, metric);
    client.defaultRouteMetric(metric).add(home.nic("eth0"));
    lab.runUntil(client::allBound, VirtualLab.seconds(10));
    List<Route> defaults = home.stack().routes().routes().stream().filter(Route::isDefault).toList();
    assertEquals(2, defaults.size(), defaults.toString());
    assertEquals(Ipv4Address.parse("192.168.1.254"), home.stack().routes().lookup(Ipv4Address.parse("203.0.113.80"))
        .gateway(), "the static default route wins");
    Route leased = defaults.stream().filter(d -> d.gateway() == Ipv4Address.parse("100.64.0.1")).findFirst()
        .orElseThrow();
    assertEquals(1024, leased.metric());
    assertTrue(leased.describe().endsWith("metric 1024"), leased.describe());

    // the rule: no static default, 0; a gateway, 1024; a static default with a higher metric, one more
    assertEquals(0, DhcpClient.defaultRouteMetric(config(List.of(new NodeConfig.StaticRoute("10.0.0.0/8",
        "192.168.1.254", 0)), null)));
    assertEquals(1024, DhcpClient.defaultRouteMetric(config(null, "192.168.1.254")));
    assertEquals(2001, DhcpClient.defaultRouteMetric(config(List.of(new NodeConfig.StaticRoute("0.0.0.0/0",
        "192.168.1.254", 2000)), null)));
    assertNotEquals(0, DhcpClient.defaultRouteMetric(config(List.of(new NodeConfig.StaticRoute("default",
        "2001:db8::1", 0)), "192.168.1.254")));
    assertEquals(0, DhcpClient.defaultRouteMetric(config(List.of(new NodeConfig.StaticRoute("default",
        "2001:db8::1", 0)), null)), "an IPv6 default route does not count");
  }

  private static NodeConfig config(List<NodeConfig.StaticRoute> routes, String gateway) {
    return NodeConfig.builder("lab", "home", "router").interfaces(List.of()).routes(routes).gateway(gateway)
        .outputDir("/tmp").seed(1).build();
  }
}
