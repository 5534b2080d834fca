package emu.control.topology;

import static emu.control.topology.Labs.only;
import static emu.control.topology.Labs.problem;
import static emu.control.topology.Labs.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.config.DhcpConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The DHCP server an interface may run: what it serves, and each wrong value at its line. */
class DhcpTopologyTest {
  /** A lab whose dhcpsrv:eth0 (192.168.1.2/24) runs {@code dhcp}, written on line 8. */
  private static String lab(String dhcp) {
    return """
        name: lab
        topology:
          nodes:
            client: {kind: host, interfaces: {eth0: {address: 192.168.1.50/24}}}
            dhcpsrv:
              kind: host
              interfaces:
                eth0: {address: 192.168.1.2/24, dhcp: {%s}}
            sw1: {kind: switch}
          links:
            - endpoints: [client:eth0, sw1:p1]
            - endpoints: [dhcpsrv:eth0, sw1:p2]
        """.formatted(dhcp);
  }

  @Test
  void theIssuesExampleIsRead() {
    Topology t = valid(lab("pool: 192.168.1.100-192.168.1.199, lease: 1h, gateway: 192.168.1.1,"
        + " dns: [192.168.1.53], domain: corp.com, static: {client: 192.168.1.100, 02:AA:00:00:00:01: 192.168.1.120}"));
    DhcpConfig d = t.nodes().stream().filter(n -> n.name().equals("dhcpsrv")).findFirst().orElseThrow()
        .interfaces().get(0).dhcp();
    assertEquals(new DhcpConfig("192.168.1.100", "192.168.1.199", 3600, "192.168.1.1", List.of("192.168.1.53"),
        "corp.com", Map.of("client", "192.168.1.100", "02:aa:00:00:00:01", "192.168.1.120")), d);
    DhcpConfig minimal = valid(lab("pool: 192.168.1.100-192.168.1.100")).nodes().get(1).interfaces().get(0).dhcp();
    assertEquals(3600, minimal.leaseSeconds(), "an hour unless told");
    assertNull(minimal.gateway());
    assertEquals(90 * 60, valid(lab("pool: 192.168.1.100-192.168.1.110, lease: 90m")).nodes().get(1).interfaces()
        .get(0).dhcp().leaseSeconds());
  }

  @Test
  void wrongValuesAreReportedWhereTheyAre() {
    only(lab("pool: 192.168.2.100-192.168.2.199"), 8, "pool of dhcpsrv:eth0 192.168.2.100-192.168.2.199 lies outside"
        + " the interface's subnet 192.168.1.0/24");
    only(lab("pool: 192.168.1.199-192.168.1.100"), 8, "ends before it starts");
    only(lab("pool: 192.168.1.100"), 8, "is not FIRST-LAST");
    only(lab("pool: 192.168.1.0-192.168.1.10"), 8, "network or broadcast");
    only(lab("lease: 1h"), 8, "has no 'pool'");
    only(lab("pool: 192.168.1.100-192.168.1.199, lease: soon"), 8, "lease of dhcpsrv:eth0 'soon' is not a duration");
    only(lab("pool: 192.168.1.100-192.168.1.199, lease: 30s"), 8, "must be at least 2m");
    only(lab("pool: 192.168.1.100-192.168.1.199, gateway: 10.0.0.1"), 8,
        "gateway of dhcpsrv:eth0 10.0.0.1 is not on the interface's subnet 192.168.1.0/24");
    only(lab("pool: 192.168.1.100-192.168.1.199, dns: [2001:db8::53]"), 8, "option 6 carries IPv4 addresses");
    only(lab("pool: 192.168.1.100-192.168.1.199, domain: 'corp com'"), 8, "is not a domain name");
    only(lab("pool: 192.168.1.100-192.168.1.199, static: {nobody: 192.168.1.100}"), 8,
        "names node 'nobody', which the lab does not have");
    only(lab("pool: 192.168.1.100-192.168.1.199, static: {client: 10.1.1.1}"), 8, "is not on the interface's subnet");
    only(lab("pool: 192.168.1.100-192.168.1.199, static: {client: 192.168.1.7, 02:00:00:00:00:09: 192.168.1.7}"), 8,
        "bound twice");
    only(lab("pool: 192.168.1.100-192.168.1.199, static: {client: 192.168.1.2}"), 8,
        "static address 192.168.1.2 of client on dhcpsrv:eth0 is the server's own address");
    only(lab("pool: 192.168.1.100-192.168.1.199, gateway: 192.168.1.1, static: {client: 192.168.1.1}"), 8,
        "is the gateway's address");
    String many = java.util.stream.IntStream.rangeClosed(1, 64).mapToObj(k -> "10.0.0." + k)
        .collect(java.util.stream.Collectors.joining(", "));
    only(lab("pool: 192.168.1.100-192.168.1.199, dns: [" + many + "]"), 8,
        "dns of dhcpsrv:eth0 lists 64 servers; option 6 holds at most 63");
    only(lab("pool: 192.168.1.100-192.168.1.199, relay: 192.168.5.67"), 8,
        "only an emu router runs a DHCP relay agent");
  }

  /**
   * A router r1 between the clients' LAN (eth0 192.168.1.1/24, line 8) and the server subnet
   * (eth1 192.168.5.1/24, line 9), relaying with {@code relay}; dhcpsrv (192.168.5.53) serves
   * the LAN with {@code scopes}, written on line 13.
   */
  private static String relayLab(String relay, String scopes) {
    return """
        name: lab
        topology:
          nodes:
            client: {kind: host, interfaces: {eth0: {address: dhcp}}}
            r1:
              kind: router
              interfaces:
                eth0: {address: 192.168.1.1/24, dhcp: {%s}}
                eth1: {address: 192.168.5.1/24}
            dhcpsrv:
              kind: host
              interfaces:
                eth0: {address: 192.168.5.53/24, dhcp: {%s}}
              gateway: 192.168.5.1
          links:
            - endpoints: [client:eth0, r1:eth0]
            - endpoints: [r1:eth1, dhcpsrv:eth0]
        """.formatted(relay, scopes);
  }

  private static final String SCOPE = "relayed: [{subnet: 192.168.1.0/24, pool: 192.168.1.100-192.168.1.199,"
      + " gateway: 192.168.1.1, dns: [192.168.5.53], lease: 2h, domain: corp.com, static: {client: 192.168.1.100}}]";

  @Test
  void aRelayAndTheRelayedScopesAreRead() {
    Topology t = valid(relayLab("relay: 192.168.5.53", SCOPE));
    assertEquals(DhcpConfig.relayTo(List.of("192.168.5.53"), false), t.node("r1").interfaces().get(0).dhcp());
    DhcpConfig srv = t.node("dhcpsrv").interfaces().get(0).dhcp();
    assertNull(srv.poolStart(), "no scope for the server's own subnet");
    assertEquals(List.of(new DhcpConfig("192.168.1.100", "192.168.1.199", 7200, "192.168.1.1",
        List.of("192.168.5.53"), "corp.com", Map.of("client", "192.168.1.100"), "192.168.1.0/24", null, null, null)),
        srv.relayed());
    DhcpConfig two = valid(relayLab("relay: [192.168.5.53, 192.168.5.54], option82: true", SCOPE)).node("r1")
        .interfaces().get(0).dhcp();
    assertEquals(List.of("192.168.5.53", "192.168.5.54"), two.relay());
    assertEquals(Boolean.TRUE, two.agentInfo());
    DhcpConfig both = valid(relayLab("relay: 192.168.5.53", "pool: 192.168.5.100-192.168.5.110, " + SCOPE))
        .node("dhcpsrv").interfaces().get(0).dhcp();
    assertEquals("192.168.5.100", both.poolStart());
    assertEquals(1, both.relayed().size());
  }

  @Test
  void relayMistakesAreReportedWhereTheyAre() {
    only(relayLab("relay: 192.168.5.53, pool: 192.168.1.100-192.168.1.199", SCOPE), 8,
        "cannot also serve");
    only(relayLab("relay: 192.168.5.53, option82: 1", SCOPE), 8, "option82 of r1:eth0 must be true or false");
    only(relayLab("option82: true", SCOPE), 8, "has 'option82' but no 'relay'");
    only(relayLab("relay: [1.1.1.1, 1.1.1.2, 1.1.1.3, 1.1.1.4, 1.1.1.5]", SCOPE), 8, "lists 5 servers; at most 4");
    only(relayLab("relay: 255.255.255.255", SCOPE), 8, "is not a unicast address a DHCP server can have");
    only(relayLab("relay: 192.168.1.1", SCOPE), 8, "is the interface's own address");
    only(relayLab("relay: [192.168.5.53, 192.168.5.53]", SCOPE), 8, "names 192.168.5.53 twice");
    only(relayLab("relay: dhcpsrv", SCOPE), 8, "relay of r1:eth0");
    only(relayLab("relay: 192.168.5.53", SCOPE).replace("kind: router", "kind: host"), 8,
        "only an emu router runs a DHCP relay agent");
    only("""
        name: lab
        topology:
          nodes:
            h1: {kind: host, interfaces: {eth0: {address: dhcp, dhcp: {relay: 10.0.0.1}}}}
        """, 4, "takes its address by DHCP and cannot also relay DHCP from it");
    only("""
        name: lab
        topology:
          nodes:
            r1: {kind: router, interfaces: {eth0: {ipv6: on, dhcp: {relay: 10.0.0.1}}}}
        """, 4, "needs an IPv4 address for its relay agent");
  }

  @Test
  void relayedScopeMistakesAreReportedWhereTheyAre() {
    String relay = "relay: 192.168.5.53";
    only(relayLab(relay, "relayed: [{pool: 192.168.1.100-192.168.1.199}]"), 13, "has no 'subnet'");
    only(relayLab(relay, "relayed: [{subnet: 192.168.1.7/24, pool: 192.168.1.100-192.168.1.199}]"), 13,
        "has host bits set");
    only(relayLab(relay, "relayed: [{subnet: 192.168.1.0/24, pool: 192.168.2.100-192.168.2.199, gateway: 192.168.1.1}]"),
        13, "pool of dhcpsrv:eth0 (relayed 192.168.1.0/24) 192.168.2.100-192.168.2.199 lies outside the relayed subnet"
        + " 192.168.1.0/24");
    only(relayLab(relay, "relayed: [{subnet: 192.168.1.0/24, pool: 192.168.1.100-192.168.1.199, gateway: 10.0.0.1}]"),
        13, "gateway of dhcpsrv:eth0 (relayed 192.168.1.0/24) 10.0.0.1 is not on the relayed subnet 192.168.1.0/24");
    only(relayLab(relay, "relayed: [{subnet: 192.168.1.0/24, pool: 192.168.1.100-192.168.1.199, gateway: 192.168.1.1,"
        + " static: {client: 192.168.7.1}}]"), 13, "is not on the relayed subnet");
    only(relayLab(relay, "relayed: [{subnet: 192.168.1.0/24, gateway: 192.168.1.1}]"), 13, "has no 'pool'");
    only(relayLab(relay, "relayed: [{subnet: 192.168.5.0/25, pool: 192.168.5.10-192.168.5.20, gateway: 192.168.5.1}]"),
        13, "overlaps the interface's own subnet 192.168.5.0/24");
    only(relayLab(relay, "relayed: [{subnet: 192.168.1.0/24, pool: 192.168.1.100-192.168.1.199, gateway: 192.168.1.1},"
        + " {subnet: 192.168.1.128/25, pool: 192.168.1.200-192.168.1.210, gateway: 192.168.1.129}]"), 13,
        "overlaps its scope for 192.168.1.0/24");
    only(relayLab(relay, "relayed: [{subnet: 192.168.1.0/24, pool: 192.168.1.100-192.168.1.199, gateway: 192.168.1.1,"
        + " router: 192.168.1.1}]"), 13, "unknown field 'router'");
    only(relayLab(relay, "relayed: []"), 13, "lists no scope");
    only(relayLab(relay, "gateway: 192.168.5.1, " + SCOPE), 13, "'gateway' of dhcpsrv:eth0 belongs to a scope for the"
        + " interface's own subnet, which has no 'pool'");
    Topology warned = valid(relayLab(relay, "relayed: [{subnet: 192.168.1.0/24, pool: 192.168.1.100-192.168.1.199}]"));
    assertEquals(1, warned.warnings().size(), warned.warnings().toString());
    assertTrue(warned.warnings().get(0).contains("offers no 'gateway'"), warned.warnings().toString());
    Topology noRoute = valid(relayLab(relay, SCOPE).replace("      gateway: 192.168.5.1\n", ""));
    assertEquals(1, noRoute.warnings().size(), noRoute.warnings().toString());
    assertTrue(noRoute.warnings().get(0).contains("lab.yml:13:") && noRoute.warnings().get(0).contains(
        "dhcpsrv serves 192.168.1.0/24 behind a relay but has no route there"), noRoute.warnings().toString());
    assertEquals(List.of(), valid(relayLab(relay, SCOPE).replace("      gateway: 192.168.5.1\n",
        "      routes: [{to: 192.168.0.0/16, via: 192.168.5.1}]\n")).warnings(), "a route there will do");
  }

  @Test
  void onlyHostsAndRoutersServeOrTakeLeases() {
    problem("""
        name: lab
        topology:
          nodes:
            sw1: {kind: switch, interfaces: {p1: {dhcp: {pool: 192.168.1.100-192.168.1.199}}}}
        """, 4, "only an emu host or router runs a DHCP server");
    Topology t = valid("""
        name: lab
        topology:
          nodes:
            h1: {kind: host, interfaces: {eth0: {address: dhcp}}}
        """);
    assertEquals(true, t.nodes().get(0).interfaces().get(0).dhcpClient());
    assertNull(t.nodes().get(0).interfaces().get(0).address());
    // a home router's WAN: the lease gives its address, default route and DNS servers
    Topology r = valid("""
        name: lab
        topology:
          nodes:
            r1: {kind: router, interfaces: {eth0: {address: dhcp}, eth1: {address: 192.168.1.1/24}}}
        """);
    assertEquals(true, r.nodes().get(0).interfaces().get(0).dhcpClient());
    // a static default route beside the lease's is kept (the lease's gets a higher metric, as Linux's DHCP clients)
    assertEquals("192.168.1.254", valid("""
        name: lab
        topology:
          nodes:
            r1: {kind: router, interfaces: {eth0: {address: dhcp}, eth1: {address: 192.168.1.1/24}},
                 gateway: 192.168.1.254}
        """).nodes().get(0).gateway());
    only("""
        name: lab
        topology:
          nodes:
            s1: {kind: switch, interfaces: {p1: {address: dhcp}}}
        """, 4, "a switch has no IP layer");
    only("""
        name: lab
        topology:
          nodes:
            k: {kind: linux, interfaces: {eth0: {address: dhcp}}}
        """, 4, "run udhcpc in it");
    only("""
        name: lab
        topology:
          nodes:
            h1: {kind: host, interfaces: {eth0: {address: [dhcp, 10.0.0.1/24]}}}
        """, 4, "an interface has one IPv4 address");
    only("""
        name: lab
        topology:
          nodes:
            h1: {kind: host, interfaces: {eth0: {address: dhcp, dhcp: {pool: 10.0.0.1-10.0.0.9}}}}
        """, 4, "cannot also serve DHCP");
  }
}
