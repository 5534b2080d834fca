package emu.control.topology;

import static emu.control.topology.Labs.only;
import static emu.control.topology.Labs.problem;
import static emu.control.topology.Labs.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
    only(lab("pool: 192.168.1.100-192.168.1.199, relay: 192.168.5.67"), 8, "unknown field 'relay'");
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
