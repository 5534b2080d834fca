package emu.control.topology;

import static emu.control.topology.Labs.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.config.DhcpConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --family 4|6}: the dual-stack configs cut down to one family, DNS servers kept by their node. */
class FamiliesTest {
  private static final Path CONFIGS = Path.of(System.getProperty("emu.configs", "../configs"));

  private static Topology corporate() throws Exception {
    return TopologyLoader.load(CONFIGS.resolve("corporate.yml"));
  }

  @Test
  void theCorporateNetworkIsDualStack() throws Exception {
    Topology t = corporate();
    NodeSpec client = t.node("client");
    // its IPv4 address and gateway come by DHCP, through r1's relay, from the dns node
    assertTrue(client.iface("eth0").dhcpClient());
    assertNull(client.iface("eth0").address());
    assertEquals(List.of("2001:db8:1::100/64"), client.iface("eth0").addresses6());
    assertNull(client.gateway());
    assertEquals("2001:db8:1::1", client.gateway6());
    assertEquals(List.of("192.168.5.53"), t.node("r1").iface("eth0.10").dhcp().relay());
    DhcpConfig lan = t.node("dns").iface("eth0").dhcp().relayed().get(0);
    assertEquals("192.168.1.0/24", lan.subnet());
    assertEquals("192.168.1.1", lan.gateway());
    assertEquals(Map.of("client", "192.168.1.100"), lan.statics(), "the address the rest of the story knows");
    for (NodeSpec n : t.nodes()) {
      if (!n.isSwitch()) {
        // every interface has an address, but for r1's trunk eth0, whose VLAN subinterfaces have them
        assertTrue(n.hasIpv6() && n.interfaces().stream()
            .filter(i -> n.interfaces().stream().noneMatch(v -> v.name().startsWith(i.name() + ".")))
            .allMatch(i -> i.address() != null || i.dhcpClient()), n.name());
      }
    }
  }

  @Test
  void family4IsTheClassicIpv4Network() throws Exception {
    Topology t = Families.only(corporate(), 4);
    for (NodeSpec n : t.nodes()) {
      assertFalse(n.hasIpv6(), n.name() + " keeps no IPv6, not even link-local");
      assertNull(n.gateway6(), n.name());
      assertTrue(n.routes().stream().noneMatch(RouteSpec::ipv6), n.name());
      assertTrue(n.hosts6().isEmpty(), n.name());
    }
    assertTrue(t.node("client").iface("eth0").dhcpClient(), "the classic story starts with DHCP");
    assertEquals("192.168.5.53", t.node("r1").iface("eth0.10").dhcp().relay().get(0));
    assertEquals(List.of("192.168.1.53"), t.node("client").nameservers());
    assertEquals("192.168.5.53", t.node("resolver").dnsForward());
    assertEquals(corporate().warnings(), t.warnings(), "nothing lost that needs a word");
  }

  @Test
  void family6KeepsEachDnsServerByItsIpv6AddressOnTheSameInterface() throws Exception {
    Topology t = Families.only(corporate(), 6);
    for (NodeSpec n : t.nodes()) {
      assertTrue(n.interfaces().stream().allMatch(i -> i.address() == null), n.name() + " keeps no IPv4");
      assertTrue(n.interfaces().stream().allMatch(i -> i.dhcp() == null && !i.dhcpClient()),
          n.name() + " keeps no DHCPv4 client, relay or server");
      assertNull(n.gateway(), n.name());
      assertTrue(n.routes().stream().allMatch(RouteSpec::ipv6), n.name());
      assertTrue(n.hosts().isEmpty(), n.name());
    }
    NodeSpec client = t.node("client");
    assertEquals(List.of("2001:db8:1::100/64"), client.iface("eth0").addresses6());
    assertEquals("2001:db8:1::1", client.gateway6());
    // written as 192.168.1.53 and 192.168.5.53: the same nodes' IPv6 addresses take their place
    assertEquals(List.of("2001:db8:1::53"), client.nameservers());
    assertEquals("2001:db8:5::53", t.node("resolver").dnsForward());
    assertEquals(t.node("resolver").dnsZones(), corporate().node("resolver").dnsZones());
    assertEquals(corporate().scenario(), t.scenario());
    assertEquals(corporate().warnings(), t.warnings(), "DHCPv4 goes without a word, as the other IPv4 does");
  }

  @Test
  void aServerWithoutAnAddressOfTheKeptFamilyIsLeftOutWithAWarning() {
    Topology t = valid("""
        name: lab
        topology:
          nodes:
            h1:
              kind: host
              interfaces:
                eth0: {address: [192.168.1.10/24, "2001:db8:1::10/64"]}
              nameserver: [192.168.1.53, "2001:db8:1::54"]
            ns4:
              kind: host
              interfaces:
                eth0: {address: 192.168.1.53/24}
            ns6:
              kind: host
              interfaces:
                eth0: {address: "2001:db8:1::54/64"}
            sw:
              kind: switch
          links:
            - endpoints: [h1:eth0, sw:p1]
            - endpoints: [ns4:eth0, sw:p2]
            - endpoints: [ns6:eth0, sw:p3]
        """);
    Topology v6 = Families.only(t, 6);
    assertEquals(List.of("2001:db8:1::54"), v6.node("h1").nameservers());
    assertTrue(v6.warnings().contains("h1: nameserver 192.168.1.53 left out by --family 6 (no interface holds it "
        + "with an IPv6 address)"), v6.warnings().toString());
    assertTrue(v6.warnings().contains("ns4:eth0: no IPv6 address is left on it by --family 6"),
        v6.warnings().toString());
    Topology v4 = Families.only(t, 4);
    assertEquals(List.of("192.168.1.53"), v4.node("h1").nameservers());
    assertTrue(v4.warnings().contains("ns6:eth0: no IPv4 address is left on it by --family 4"),
        v4.warnings().toString());
    assertThrows(IllegalArgumentException.class, () -> Families.only(t, 5));
  }

  @Test
  void aNodeWithoutTheKeptFamilyKeepsNoServerOfItAndStepsNamingTheOtherFamilyAreWarnedOf() {
    Topology t = valid("""
        name: lab
        topology:
          nodes:
            old:
              kind: host
              interfaces:
                eth0: {address: 192.168.1.10/24}
              nameserver: 192.168.1.53
            ns:
              kind: host
              interfaces:
                eth0: {address: [192.168.1.53/24, "2001:db8:1::53/64"]}
              dns: {forward: 192.168.1.54}
            sw:
              kind: switch
          links:
            - endpoints: [old:eth0, sw:p1]
            - endpoints: [ns:eth0, sw:p2]
        scenario:
          - old: ping -c 1 192.168.1.53
          - ns: ping -6 -c 1 ns
          - ns: https-get https://[2001:db8:1::53]/
        """);
    Topology v6 = Families.only(t, 6);
    assertEquals(List.of(), v6.node("old").nameservers());
    assertTrue(v6.warnings().contains("old: nameserver 2001:db8:1::53 left out by --family 6 (the node has no IPv6 "
        + "address to ask it from)"), v6.warnings().toString());
    assertNull(v6.node("ns").dnsForward());
    assertTrue(v6.warnings().stream().anyMatch(w -> w.startsWith("ns: DNS forwarder upstream 192.168.1.54 left out")),
        v6.warnings().toString());
    assertTrue(v6.warnings().contains("scenario step at line 20 (old: ping -c 1 192.168.1.53) names IPv4, which "
        + "--family 6 leaves out: it will fail"), v6.warnings().toString());
    assertEquals(1, v6.warnings().stream().filter(w -> w.startsWith("scenario step")).count(), v6.warnings().toString());
    Topology v4 = Families.only(t, 4);
    assertEquals(List.of("scenario step at line 21 (ns: ping -6 -c 1 ns) names IPv6, which --family 4 leaves out: "
        + "it will fail", "scenario step at line 22 (ns: https-get https://[2001:db8:1::53]/) names IPv6, which "
        + "--family 4 leaves out: it will fail"), v4.warnings().stream().filter(w -> w.startsWith("scenario")).toList());
  }
}
