package emu.control.topology;

import static emu.control.topology.Labs.only;
import static emu.control.topology.Labs.problem;
import static emu.control.topology.Labs.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** IPv6 in topology files: addresses beside IPv4 ones, 'ipv6: auto|on', gateways and routes of either family. */
class Ipv6TopologyTest {

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

  /** A lab with one host whose eth0 (line 7) has {@code settings}, and {@code more} node settings from line 8 on. */
  private static String host(String settings, String more) {
    return host(settings) + more.indent(6);
  }

  /** Host h1 (eth0 dual stack, eth1 IPv6 only) with {@code more} node settings from line 9 on. */
  private static String twoLegs(String more) {
    return """
        name: lab
        topology:
          nodes:
            h1:
              kind: host
              interfaces:
                eth0: {address: [192.168.1.10/24, "2001:db8:1::10/64"]}
                eth1: {ipv6: on}
        %s
        """.formatted(more.indent(6).stripTrailing());
  }

  @Test
  void addressTakesOneOrAListMixingFamilies() {
    Topology t = valid("""
        name: lab
        topology:
          nodes:
            h1:
              kind: host
              interfaces:
                eth0:
                  address: [192.168.1.10/24, 2001:db8:1::10/64, 2001:db8:1::11/64]
            h2: {kind: host, interfaces: {eth0: {address: 2001:db8:1::20/64}}}
            h3: {kind: host, interfaces: {eth0: {ipv6: auto}}}
            h4: {kind: host, interfaces: {eth0: {address: 192.168.1.40/24}}}
          links:
            - endpoints: [h1:eth0, h2:eth0]
            - endpoints: [h3:eth0, h4:eth0]
        """);
    IfaceSpec h1 = t.node("h1").iface("eth0");
    assertEquals("192.168.1.10/24", h1.address());
    assertEquals(List.of("2001:db8:1::10/64", "2001:db8:1::11/64"), h1.addresses6());
    assertTrue(h1.hasIpv6());
    assertFalse(h1.slaac());
    IfaceSpec h2 = t.node("h2").iface("eth0");
    assertNull(h2.address(), "an IPv6-only interface");
    assertEquals(List.of("2001:db8:1::20/64"), h2.addresses6());
    IfaceSpec h3 = t.node("h3").iface("eth0");
    assertTrue(h3.slaac() && h3.hasIpv6() && h3.addresses6().isEmpty());
    assertFalse(t.node("h4").hasIpv6(), "IPv6 only where the file asks for it");
  }

  @Test
  void addressesAreWrittenInRfc5952Form() {
    Topology t = valid(host("address: '2001:DB8:0001:0000:0000:0000:0000:0010/64'"));
    assertEquals(List.of("2001:db8:1::10/64"), t.node("h1").iface("eth0").addresses6());
  }

  @Test
  void oneIpv4AddressPerInterface() {
    only(host("address: [10.0.0.1/24, 10.0.0.2/24]"), 7,
        "address of h1:eth0: an interface has one IPv4 address, and 10.0.0.1/24 (line 7) is already it");
  }

  @Test
  void ipv6AddressesThatCannotBeAStaticAddress() {
    only(host("address: 'fe80::1/64'"), 7, "fe80::1 is link-local (fe80::/10): every IPv6 interface makes its own");
    only(host("address: 'ff02::1/64'"), 7, "ff02::1 is a multicast address (ff00::/8)");
    only(host("address: '::/64'"), 7, ":: means 'any address'");
    only(host("address: '::1/64'"), 7, "::1 is the loopback address");
    only(host("address: '::ffff:10.0.0.1/96'"), 7, "IPv4-mapped");
    only(host("address: '2001:db8:1::10/128'"), 7, "prefix length /128 leaves no room for a neighbour");
    only(host("address: '2001:db8:1::10'"), 7, "has no prefix length; write it like 2001:db8:1::10/64");
    only(host("address: '2001:db8:1::/64'"), 7,
        "2001:db8:1:: is the subnet-router anycast address of 2001:db8:1::/64 (RFC 4291 2.6.1); use a host address"
            + " such as 2001:db8:1::1/64");
    only(host("address: '2001:db8:1::zz/64'"), 7, "is not a valid IPv6 address with prefix length");
    only(host("address: '2001:db8:1::10/129'"), 7, "is not a valid IPv6 address with prefix length");
  }

  @Test
  void pointToPointSlash127IsFine() {
    valid("""
        name: lab
        topology:
          nodes:
            r1: {kind: router, interfaces: {eth0: {address: "2001:db8:ff::/127"}}}
            r2: {kind: router, interfaces: {eth0: {address: "2001:db8:ff::1/127"}}}
          links:
            - endpoints: [r1:eth0, r2:eth0]
        """);
  }

  @Test
  void ipv6Modes() {
    only(host("ipv6: automatic"), 7, "ipv6 of h1:eth0 is 'automatic'; use 'auto'");
    only(host("ipv6: atuo"), 7, "(did you mean 'auto'?)");
    only("""
        name: lab
        topology:
          nodes:
            r1: {kind: router, interfaces: {eth0: {ipv6: auto}}}
        """, 4, "router r1 advertises prefixes rather than taking addresses from them");
    only("""
        name: lab
        topology:
          nodes:
            sw1: {kind: switch, interfaces: {p1: {ipv6: on}}}
        """, 4, "switch port sw1:p1 has no IP layer: remove 'ipv6'");
    only(host("mtu: 1500"), 7, "interface h1:eth0 has no address; a host's interfaces need one, such as"
        + " 'address: 192.168.1.10/24', an IPv6 one, or 'ipv6: auto'");
  }

  @Test
  void duplicateIpv6AddressNamesBothPlaces() {
    only("""
        name: lab
        topology:
          nodes:
            h1: {kind: host, interfaces: {eth0: {address: "2001:db8:1::10/64"}}}
            h2: {kind: host, interfaces: {eth0: {address: "2001:db8:1:0::10/64"}}}
          links:
            - endpoints: [h1:eth0, h2:eth0]
        """, 5, "address 2001:db8:1::10 of h2:eth0 is already used by h1:eth0 (line 4)");
  }

  @Test
  void prefixesOfOneNodeMustNotOverlap() {
    only("""
        name: lab
        topology:
          nodes:
            r1:
              kind: router
              interfaces:
                eth0: {address: "2001:db8::1/48"}
                eth1: {address: "2001:db8:0:5::1/64"}
        """, 8, "prefix 2001:db8:0:5::/64 of r1:eth1 overlaps prefix 2001:db8::/48 of r1:eth0 (line 7)");
    // two addresses in one prefix on one interface are two addresses on one link: fine
    valid(host("address: ['2001:db8:1::10/64', '2001:db8:1::11/64']"));
  }

  @Test
  void gatewaysOnePerFamily() {
    Topology t = valid(twoLegs("gateway: [192.168.1.1, 2001:db8:1::1]"));
    assertEquals("192.168.1.1", t.node("h1").gateway());
    assertEquals("2001:db8:1::1", t.node("h1").gateway6());
    assertEquals("fe80::1%eth1", valid(twoLegs("gateway: 'fe80::1%eth1'")).node("h1").gateway6());
    only(twoLegs("gateway: [2001:db8:1::1, 2001:db8:1::2]"), 9,
        "a node has one default gateway per family; 2001:db8:1::1 (line 9) is already its IPv6 one");
  }

  @Test
  void ipv6NextHopChecks() {
    only(twoLegs("gateway: 'fe80::1'"), 9, "fe80::1 is link-local, so on every link at once: name the interface"
        + " it is reached on, like fe80::1%eth0");
    only(twoLegs("gateway: 'fe80::1%eth7'"), 9, "names interface eth7, which node h1 does not have");
    only(twoLegs("gateway: '2001:db8:1::1%eth0'"), 9, "only a link-local next hop names its interface");
    only(twoLegs("gateway: 2001:db8:9::1"), 9, "gateway 2001:db8:9::1 of node h1 is not inside any connected IPv6"
        + " prefix of the node (its prefixes are 2001:db8:1::/64)");
    only(twoLegs("gateway: 2001:db8:1::10"), 9, "is the node's own address (h1:eth0)");
    only(twoLegs("gateway: 'ff02::2'"), 9, "ff02::2 cannot be a next hop");
  }

  @Test
  void linkLocalNextHopNeedsIpv6OnItsInterface() {
    only(host("address: 192.168.1.10/24", "gateway: 'fe80::1%eth0'"), 8, "gateway fe80::1%eth0 of node h1 is reached on h1:eth0, which has no IPv6");
  }

  @Test
  void routesOfEitherFamily() {
    Topology t = valid(twoLegs("""
        routes:
          - {to: 10.0.0.0/8, via: 192.168.1.1}
          - {to: 2001:db8:5::/64, via: 2001:db8:1::1}
          - {to: default, via: 'fe80::1%eth1', metric: 10}
        """));
    List<RouteSpec> routes = t.node("h1").routes();
    assertEquals(List.of(new RouteSpec("10.0.0.0/8", "192.168.1.1", 0),
        new RouteSpec("2001:db8:5::/64", "2001:db8:1::1", 0), new RouteSpec("::/0", "fe80::1%eth1", 10)), routes);
    assertTrue(routes.get(2).ipv6());
    assertEquals("fe80::1", routes.get(2).viaAddress());
    assertEquals("eth1", routes.get(2).viaZone());
  }

  @Test
  void routeFamiliesMustAgree() {
    only(twoLegs("routes: [{to: 2001:db8:5::/64, via: 192.168.1.1}]"), 9,
        "route to 2001:db8:5::/64 of node h1 goes via 192.168.1.1, an address of the other family; an IPv6 route"
            + " needs an IPv6 next hop");
    only(twoLegs("routes: [{to: 10.0.0.0/8, via: 2001:db8:1::1}]"), 9, "an IPv4 route needs an IPv4 next hop");
    only(twoLegs("routes: [{to: 2001:db8:5::1/64, via: 2001:db8:1::1}]"), 9,
        "has host bits set; did you mean 2001:db8:5::/64?");
  }

  @Test
  void linkedInterfacesWithoutACommonPrefixWarn() {
    Topology t = valid("""
        name: lab
        topology:
          nodes:
            h1: {kind: host, interfaces: {eth0: {address: "2001:db8:1::10/64"}}}
            h2: {kind: host, interfaces: {eth0: {address: "2001:db8:2::10/64"}}}
          links:
            - endpoints: [h1:eth0, h2:eth0]
        """);
    assertEquals(1, t.warnings().size(), t.warnings().toString());
    assertTrue(t.warnings().get(0).contains("share no IPv6 prefix, so they reach each other only by link-local"
        + " address"), t.warnings().get(0));
  }

  /** DNS servers of either family, as resolv.conf lists them: IPv6 ones are asked over IPv6. */
  @Test
  void nameserversOfEitherFamily() {
    assertEquals(List.of("2001:db8:5::53"), valid(twoLegs("nameserver: 2001:db8:5::53")).node("h1").nameservers());
    assertEquals(List.of("192.168.1.53", "2001:db8:5::53", "fe80::53%eth1"),
        valid(twoLegs("nameserver: [192.168.1.53, '2001:db8:5:0::53', 'fe80::53%eth1']")).node("h1").nameservers());
    assertEquals("2001:db8:5::53", valid(twoLegs("dns: {forward: '2001:db8:5::53'}")).node("h1").dnsForward());
  }

  @Test
  void nameserverAddressesThatCannotBeAServer() {
    only(twoLegs("nameserver: 'fe80::53'"), 9, "nameserver of node h1: fe80::53 is link-local: name its interface,"
        + " like fe80::53%eth0");
    only(twoLegs("nameserver: 'ff02::fb'"), 9, "ff02::fb cannot be a DNS server's address (it is a multicast"
        + " address)");
    only(twoLegs("nameserver: 224.0.0.251"), 9, "224.0.0.251 cannot be a DNS server's address (it is a multicast"
        + " address)");
    only(twoLegs("nameserver: '::'"), 9, "it is the unspecified address");
    only(twoLegs("nameserver: '::ffff:192.168.1.53'"), 9, "an IPv4-mapped address; write the IPv4 address");
    only(twoLegs("nameserver: '2001:db8:5::53%eth0'"), 9, "only a link-local address takes an interface");
    only(twoLegs("nameserver: '::1'"), 9, "::1 is a loopback address");
    only(twoLegs("nameserver: dns.corp.com"), 9, "'dns.corp.com' is not an IPv4 or IPv6 address");
    only(twoLegs("nameserver: 'fe80::53%eth7'"), 9, "nameserver fe80::53%eth7 of node h1 names interface eth7,"
        + " which node h1 does not have");
    only(twoLegs("dns: {forward: 'ff05::1:3'}"), 9, "dns forward of node h1: ff05::1:3 cannot be a DNS server's");
  }

  @Test
  void nameserverListsAsResolvConfTakesThem() {
    only(twoLegs("nameserver: [192.168.1.53, '2001:db8:5::53', 192.168.1.54, '2001:db8:5::54']"), 9,
        "node h1 has 4 nameservers; a resolver asks at most 3 (resolv.conf's MAXNS)");
    only(twoLegs("""
        nameserver:
          - '2001:db8:5::53'
          - '2001:db8:5:0:0::53'
        """), 11, "nameserver 2001:db8:5::53 of node h1 is already in its list (line 10)");
  }

  @Test
  void aNameserverTheNodeCannotReach() {
    only(host("address: 192.168.1.10/24", "nameserver: [192.168.1.53, '2001:db8:5::53']"), 8,
        "nameserver 2001:db8:5::53 of node h1 is an IPv6 address, and the node has no IPv6");
    only(host("address: 2001:db8:1::10/64", "nameserver: 192.168.1.53"), 8,
        "nameserver 192.168.1.53 of node h1 is an IPv4 address, and the node has no IPv4 address");
    only(host("address: 192.168.1.10/24", "nameserver: 'fe80::53%eth0'"), 8,
        "nameserver fe80::53%eth0 of node h1 is reached on h1:eth0, which has no IPv6");
  }

  @Test
  void aListOfSomethingElseIsAClearError() {
    problem(host("address: [{a: b}]"), 7, "each item of 'address' in interface h1:eth0 must be a string");
    problem(host("address: {a: b}"), 7, "'address' in interface h1:eth0 must be a string or a list of strings");
  }

  @Test
  void hostsEntriesTakeAnAddressOfEachFamily() {
    Topology t = valid(twoLegs("""
        hosts:
          payroll.corp.com: [192.168.5.100, "2001:db8:5::100"]
          printer: "2001:db8:1::50"
          old: 192.168.5.101
        """));
    assertEquals(java.util.Map.of("payroll.corp.com", "192.168.5.100", "old", "192.168.5.101"), t.node("h1").hosts());
    assertEquals(java.util.Map.of("payroll.corp.com", "2001:db8:5::100", "printer", "2001:db8:1::50"),
        t.node("h1").hosts6());
    only(twoLegs("hosts: {payroll: [192.168.5.100, 192.168.5.101]}"), 9,
        "hosts entry 'payroll' of node h1 has two IPv4 addresses; give one per family");
    only(twoLegs("hosts: {payroll: [\"2001:db8::1\", \"2001:db8::zz\"]}"), 9, "is not an IPv6 address");
    only(twoLegs("hosts: {payroll: []}"), 9, "must map to an address");
  }
}
