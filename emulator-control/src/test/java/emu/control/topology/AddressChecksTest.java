package emu.control.topology;

import static emu.control.topology.Labs.only;
import static emu.control.topology.Labs.problem;
import static emu.control.topology.Labs.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Interface addresses, MACs, gateways, routes, hosts entries, binds and port pins. */
class AddressChecksTest {

  /** A lab with one host whose eth0 has {@code settings}; eth0 is on line 7. */
  private static String host(String settings) {
    return """
        name: lab
        topology:
          nodes:
            h1:
              kind: host
              interfaces:
                eth0: {%s}
        """.formatted(settings);
  }

  @Test
  void addressMustBeACidr() {
    only(host("address: 192.168.1.300/24"), 7, "address of h1:eth0: '192.168.1.300/24' is not a valid CIDR");
    only(host("address: 192.168.1.3/33"), 7, "is not a valid CIDR");
    only(host("address: hello"), 7, "is not a valid CIDR");
    only(host("address: 192.168.1.3"), 7, "has no prefix length; write it like 192.168.1.3/24");
  }

  @Test
  void prefixLengthMustLeaveRoomForANeighbour() {
    Problem p = only(host("address: 10.0.0.1/32"), 7, "no room for a neighbour");
    assertEquals(25, p.column(), "points at the address value");
    only(host("address: 10.0.0.1/0"), 7, "no room for a neighbour");
  }

  @Test
  void networkAndBroadcastAddressesAreRejected() {
    only(host("address: 192.168.1.0/24"), 7, "192.168.1.0 is the network address of 192.168.1.0/24");
    only(host("address: 192.168.1.255/24"), 7, "192.168.1.255 is the broadcast address of 192.168.1.0/24");
    only(host("address: 10.0.0.4/30"), 7, "network address");
  }

  @Test
  void slash31UsesBothAddresses() {
    Topology t = valid("""
        name: lab
        topology:
          nodes:
            r1: {kind: router, interfaces: {eth0: {address: 10.0.0.0/31}}}
            r2: {kind: router, interfaces: {eth0: {address: 10.0.0.1/31}}}
          links:
            - endpoints: [r1:eth0, r2:eth0]
        """);
    assertEquals("10.0.0.0/31", t.node("r1").iface("eth0").address());
    assertEquals(List.of(), t.warnings());
  }

  @Test
  void specialAddressesAreRejected() {
    only(host("address: 0.0.0.0/24"), 7, "0.0.0.0");
    only(host("address: 224.0.0.5/24"), 7, "multicast");
    only(host("address: 127.0.0.2/8"), 7, "loopback");
    only(host("address: 255.255.255.255/24"), 7, "255.255.255.255 is the limited broadcast address");
  }

  @Test
  void hostAndRouterInterfacesNeedAnAddress() {
    only(host("mtu: 1500"), 7, "interface h1:eth0 has no address");
    only("""
        name: lab
        topology:
          nodes:
            r1:
              kind: router
              interfaces:
                eth0: {address: 10.0.0.1/24}
                eth1:
        """, 8, "interface r1:eth1 has no address");
  }

  @Test
  void switchesHaveNoIpLayer() {
    String yaml = """
        name: lab
        topology:
          nodes:
            sw1:
              kind: switch
              interfaces:
                p1: {address: 10.0.0.1/24}
              gateway: 10.0.0.254
              routes:
                - {to: default, via: 10.0.0.254}
        """;
    problem(yaml, 7, "switch port sw1:p1 must not have an address");
    problem(yaml, 8, "switch sw1 must not have a gateway");
    problem(yaml, 9, "switch sw1 must not have routes");
  }

  @Test
  void subnetsOfOneNodeMustNotOverlap() {
    Problem p = only("""
        name: lab
        topology:
          nodes:
            r1:
              kind: router
              interfaces:
                eth0: {address: 10.0.0.1/8}
                eth1: {address: 10.1.0.1/16}
        """, 8, "subnet 10.1.0.0/16 of r1:eth1 overlaps subnet 10.0.0.0/8 of r1:eth0 (line 7)");
    assertEquals(25, p.column());
  }

  @Test
  void sameSubnetOnTwoNodesIsFine() {
    valid("""
        name: lab
        topology:
          nodes:
            h1: {kind: host, interfaces: {eth0: {address: 10.0.0.1/24}}}
            h2: {kind: host, interfaces: {eth0: {address: 10.0.0.2/24}}}
          links:
            - endpoints: [h1:eth0, h2:eth0]
        """);
  }

  @Test
  void addressUsedTwiceNamesBothPlaces() {
    only("""
        name: lab
        topology:
          defaults: {kind: host}
          nodes:
            h1:
              interfaces:
                eth0: {address: 192.168.1.10/24}
            h2:
              interfaces:
                eth0: {address: 192.168.1.10/25}
        """, 10, "address 192.168.1.10 of h2:eth0 is already used by h1:eth0 (line 7)");
  }

  @Test
  void macChecks() {
    only(host("address: 10.0.0.1/24, mac: '02:00:00:00:01'"), 7, "mac of h1:eth0: '02:00:00:00:01' is not a MAC address");
    only(host("address: 10.0.0.1/24, mac: 'zz:00:00:00:01:00'"), 7, "is not a MAC address");
    only(host("address: 10.0.0.1/24, mac: '03:00:00:00:00:01'"), 7,
        "03:00:00:00:00:01 is a multicast address (group bit set");
    only(host("address: 10.0.0.1/24, mac: 'ff:ff:ff:ff:ff:ff'"), 7, "multicast");
  }

  @Test
  void unquotedMacIsAccepted() {
    Topology t = valid(host("address: 10.0.0.1/24, mac: 02:AA:00:00:01:00"));
    assertEquals("02:aa:00:00:01:00", t.node("h1").iface("eth0").mac());
  }

  @Test
  void macUsedTwiceNamesBothPlaces() {
    only("""
        name: lab
        topology:
          nodes:
            h1: {kind: host, interfaces: {eth0: {address: 10.0.0.1/24, mac: "02:00:00:00:00:01"}}}
            sw1:
              kind: switch
              interfaces:
                p1: {mac: "02-00-00-00-00-01"}
        """, 8, "mac 02:00:00:00:00:01 of sw1:p1 is already used by h1:eth0 (line 4)");
  }

  /** A host with eth0 10.0.0.10/24 and eth1 172.16.0.10/16; the {@code extra} lines start at line 9. */
  private static String twoLegs(String extra) {
    return """
        name: lab
        topology:
          nodes:
            h1:
              kind: host
              interfaces:
                eth0: {address: 10.0.0.10/24}
                eth1: {address: 172.16.0.10/16}
        %s""".formatted(extra.indent(6));
  }

  @Test
  void gatewayChecks() {
    only(twoLegs("gateway: 10.0.0"), 9, "gateway of node h1: not an IPv4 address");
    Problem outside = only(twoLegs("gateway: 192.168.1.1"), 9, "gateway 192.168.1.1 of node h1 is not inside any"
        + " connected subnet");
    assertTrue(outside.message().contains("10.0.0.0/24, 172.16.0.0/16"), outside.message());
    only(twoLegs("gateway: 172.16.0.10"), 9, "gateway 172.16.0.10 of node h1 is the node's own address (h1:eth1)");
    assertEquals("172.16.255.1", valid(twoLegs("gateway: 172.16.255.1")).node("h1").gateway());
  }

  @Test
  void gatewayWithoutInterfaces() {
    only("""
        name: lab
        topology:
          nodes:
            h1: {kind: host, gateway: 10.0.0.1}
        """, 4, "it has no interface addresses");
  }

  @Test
  void routeChecks() {
    only(twoLegs("routes:\n  - {to: 10.8.0.0/16, via: 10.0.0}"), 10, "route via of node h1: not an IPv4 address");
    only(twoLegs("routes:\n  - {to: 10.8.0.0/16, via: 192.168.0.1}"), 10,
        "route to 10.8.0.0/16 via 192.168.0.1 of node h1 is not inside any connected subnet");
    only(twoLegs("routes:\n  - {to: 10.8.0.0/16, via: 10.0.0.10}"), 10, "is the node's own address (h1:eth0)");
    only(twoLegs("routes:\n  - {to: 10.8.0.0/33, via: 10.0.0.1}"), 10, "route destination of node h1: '10.8.0.0/33'"
        + " is not a CIDR prefix or 'default'");
    only(twoLegs("routes:\n  - {to: anywhere, via: 10.0.0.1}"), 10, "is not a CIDR prefix or 'default'");
    only(twoLegs("routes:\n  - {to: 10.8.0.1/16, via: 10.0.0.1}"), 10, "has host bits set; did you mean 10.8.0.0/16?");
    only(twoLegs("routes:\n  - {to: 10.8.0.0/16, via: 10.0.0.1, metric: -1}"), 10, "metric -1 in a route of node h1"
        + " is out of range");
    only(twoLegs("routes:\n  - {to: 10.8.0.0/16}"), 10, "has no 'via'");
    only(twoLegs("routes:\n  - {via: 10.0.0.1}"), 10, "has no 'to'");
    only(twoLegs("routes:\n  - 10.8.0.0/16 via 10.0.0.1"), 10, "a route of node h1 must be a map");
  }

  @Test
  void routesAreNormalised() {
    Topology t = valid(twoLegs("routes:\n  - {to: default, via: 10.0.0.1}\n  - {to: 10.9.9.9, via: 172.16.0.1, metric: 7}"));
    assertEquals(List.of(new RouteSpec("0.0.0.0/0", "10.0.0.1", 0), new RouteSpec("10.9.9.9/32", "172.16.0.1", 7)),
        t.node("h1").routes());
  }

  @Test
  void hostsEntriesChecks() {
    String yaml = twoLegs("""
        hosts:
          payroll.corp.com: 10.0.0.5
          bad name: 10.0.0.6
          -dash.example: 10.0.0.7
          web: 10.0.0
          db: {ip: 10.0.0.8}
        """);
    problem(yaml, 11, "hosts entry 'bad name' of node h1 is not a host name");
    problem(yaml, 12, "hosts entry '-dash.example' of node h1 is not a host name");
    problem(yaml, 13, "hosts entry 'web' of node h1: not an IPv4 address");
    problem(yaml, 14, "hosts entry 'db' of node h1 must map to an address (or a list of an IPv4 and an IPv6 one), not a map");
    assertEquals(4, Labs.problems(yaml).size());
  }

  @Test
  void hostsOnASwitchAreAWarning() {
    Topology t = valid("""
        name: lab
        topology:
          nodes:
            sw1:
              kind: switch
              hosts: {a: 10.0.0.1}
        """);
    assertEquals(List.of("lab.yml:6:7: hosts entries of switch sw1 have no effect: a switch has no IP layer"),
        t.warnings());
  }

  @Test
  void valuesAreNormalised() {
    Topology t = valid(twoLegs("bind: 127.000.0.5\ngateway: 10.0.0.001\nhosts: {db: 010.0.0.8}"));
    NodeSpec h1 = t.node("h1");
    assertEquals("127.0.0.5", h1.bind());
    assertEquals("10.0.0.1", h1.gateway());
    assertEquals("10.0.0.8", h1.hosts().get("db"));
  }

  @Test
  void bindMustBeAnAddress() {
    only(twoLegs("bind: localhost"), 9, "bind of node h1: not an IPv4 address");
    only(twoLegs("bind: 239.1.1.1"), 9, "cannot be bound");
  }

  /**
   * The wildcard puts a node's management API and links on every interface of the machine, so
   * the file must say so; before, {@code bind: 0.0.0.0} was accepted without a word.
   */
  @Test
  void bindingEveryInterfaceNeedsExposeTrue() {
    Problem p = only(twoLegs("bind: 0.0.0.0"), 9, "bind of node h1: 0.0.0.0 puts the node's management API and"
        + " link sockets on every interface");
    assertEquals(13, p.column());
    assertTrue(p.message().contains("'bind: {address: 0.0.0.0, expose: true}'"), p.message());
    only(twoLegs("bind: {address: 0.0.0.0}"), 9, "0.0.0.0 puts the node's management API");
    only(twoLegs("bind: {address: 0.0.0.0, expose: false}"), 9, "0.0.0.0 puts the node's management API");
    only(twoLegs("bind: {address: 0.0.0.0, expose: maybe}"), 9, "bind of node h1: expose must be true or false");
    only(twoLegs("bind: {expose: true}"), 9, "bind of node h1 needs an address");
    only(twoLegs("bind: {address: 127.0.0.1, exposed: true}"), 9, "unknown field 'exposed'");

    Topology t = valid(twoLegs("bind: {address: 0.0.0.0, expose: true}"));
    assertEquals("0.0.0.0", t.node("h1").bind());
    assertEquals(List.of("lab.yml:9:23: node h1 binds 0.0.0.0 (expose: true): its management API and link sockets"
        + " listen on every interface of the machine"),
        t.warnings().stream().filter(w -> w.contains("binds 0.0.0.0")).toList());
    assertEquals("127.0.0.7", valid(twoLegs("bind: {address: 127.0.0.7}")).node("h1").bind());
  }

  @Test
  void portsMustBeInRange() {
    only(host("address: 10.0.0.1/24, port: 70000"), 7, "port 70000 in interface h1:eth0 is out of range; it must be"
        + " an integer in 1..65535");
    only(host("address: 10.0.0.1/24, port: 0"), 7, "out of range");
    only(twoLegs("mgmt-port: 65536"), 9, "mgmt-port 65536 in node h1 is out of range");
    only(host("address: 10.0.0.1/24, mtu: 67"), 7, "mtu 67 in interface h1:eth0 is out of range");
    only(host("address: 10.0.0.1/24, mtu: 9217"), 7, "out of range");
  }

  @Test
  void portPinnedTwiceNamesBothPlaces() {
    String yaml = """
        name: lab
        topology:
          nodes:
            h1:
              kind: host
              interfaces:
                eth0: {address: 10.0.0.1/24, port: 40001}
              mgmt-port: 41000
            h2:
              kind: host
              interfaces:
                eth0: {address: 10.0.0.2/24, port: 40001}
            h3:
              kind: host
              interfaces:
                eth0: {address: 10.0.0.3/24, port: 40001}
              bind: 127.0.0.3
            h4:
              kind: host
              mgmt-port: 40001
            h5:
              kind: host
              mgmt-port: 41000
              bind: {address: 0.0.0.0, expose: true}
          links:
            - endpoints: [h1:eth0, h2:eth0]
        """;
    java.util.List<Problem> all = Labs.problems(yaml);
    assertEquals(List.of(12, 20, 23), all.stream().map(Problem::line).toList(), Labs.render(all));
    problem(yaml, 12, "port of h2:eth0 pins 127.0.0.1:40001, already pinned by port of h1:eth0 (line 7)");
    problem(yaml, 20, "mgmt-port of node h4 pins 127.0.0.1:40001, already pinned by port of h1:eth0 (line 7)");
    problem(yaml, 23, "mgmt-port of node h5 pins 0.0.0.0:41000, already pinned by mgmt-port of node h1 (line 8)"
        + " on 127.0.0.1");
  }
}
