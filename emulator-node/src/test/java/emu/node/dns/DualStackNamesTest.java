package emu.node.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.config.DnsConfig;
import emu.node.event.DnsEvent;
import emu.node.names.Hosts;
import emu.node.testing.CommandRun;
import emu.node.testing.FrameMatcher;
import emu.node.testing.LabNode;
import emu.node.testing.VirtualLab;
import emu.node.wire.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Names for both families, as getaddrinfo(AF_UNSPEC) gives them on a dual-stack host: AAAA and
 * A asked together (AAAA only by a node with a global IPv6 address: AI_ADDRCONFIG), the answer
 * sorted IPv6 first when the node can reach it (RFC 6724), the hosts table of both families.
 * client and client2 (IPv4 only) on one link with router r1; the DNS server ns and payroll
 * behind it.
 */
class DualStackNamesTest {
  static final long S = 1_000_000_000L;
  static final String ZONE = """
      $TTL 300
      @        IN SOA  ns1.corp.com. hostmaster.corp.com. ( 2026010101 3600 600 86400 60 )
               IN NS   ns1
      ns1      IN A    192.168.5.53
      payroll  IN A    192.168.5.100
      payroll  IN AAAA 2001:db8:5::100
      old      IN A    192.168.5.101
      new      IN AAAA 2001:db8:5::102
      """;

  final VirtualLab lab = new VirtualLab(23);
  final LabNode client = lab.host("client");
  final LabNode client2 = lab.host("client2");
  final LabNode r1 = lab.router("r1");
  final LabNode ns = lab.host("ns");
  final LabNode payroll = lab.host("payroll");
  final StubResolver resolver;
  final StubResolver resolver2;

  DualStackNamesTest() {
    var sw1 = lab.bridge("sw1");
    var sw5 = lab.bridge("sw5");
    lab.connect(client, "eth0", "02:00:00:01:00:64", "192.168.1.100/24", sw1, "p1");
    lab.connect(client2, "eth0", "02:00:00:01:00:65", "192.168.1.101/24", sw1, "p2");
    lab.connect(r1, "eth0", "02:00:00:01:00:01", "192.168.1.1/24", sw1, "p3");
    lab.connect(r1, "eth1", "02:00:00:05:00:01", "192.168.5.1/24", sw5, "p1");
    lab.connect(ns, "eth0", "02:00:00:05:00:35", "192.168.5.53/24", sw5, "p2");
    lab.connect(payroll, "eth0", "02:00:00:05:00:64", "192.168.5.100/24", sw5, "p3");
    client.defaultRoute("192.168.1.1");
    client2.defaultRoute("192.168.1.1");
    ns.defaultRoute("192.168.5.1");
    payroll.defaultRoute("192.168.5.1");
    client.ipv6("eth0", false, "2001:db8:1::100/64");
    r1.ipv6("eth0", false, "2001:db8:1::1/64").ipv6("eth1", false, "2001:db8:5::1/64");
    payroll.ipv6("eth0", false, "2001:db8:5::100/64");
    lab.dnsServer(ns, new DnsConfig(DnsConfig.AUTHORITATIVE,
        List.of(new DnsConfig.Zone("corp.com.", "corp.com.zone", ZONE)), null));
    Hosts hosts = new Hosts(Map.of("printer", "192.168.1.50"), Map.of("printer", "2001:db8:1::50"));
    resolver = lab.nameserver(client, "192.168.5.53", hosts);
    resolver2 = lab.nameserver(client2, "192.168.5.53", hosts);
    lab.start();
    lab.advance(3 * S); // duplicate address detection; the hosts learn r1 as their IPv6 router
  }

  @AfterEach
  void close() {
    lab.close();
  }

  List<String> addresses(StubResolver r, String name) {
    List<String> out = new ArrayList<>();
    r.resolveAddresses(name, all -> all.forEach(a -> out.add(a.toString())), why -> out.add("error: " + why));
    assertTrue(lab.runUntil(() -> !out.isEmpty(), 30 * S), "an answer");
    return out;
  }

  @Test
  void aDualStackHostAsksAaaaAndAAndTriesIpv6First() {
    assertEquals(List.of("2001:db8:5::100", "192.168.5.100"), addresses(resolver, "payroll.corp.com"));
    var queries = FrameMatcher.ipv4().udpDstPort(53).select(client.sent("eth0"));
    assertEquals(2, queries.size(), "AAAA and A, together");
    DnsEvent.AddressesResolved e = client.events(DnsEvent.AddressesResolved.class).get(0);
    assertEquals(List.of("AAAA", "A"), e.asked());
    assertTrue(e.ipv6First());
  }

  @Test
  void anIpv4OnlyHostAsksOnlyA() {
    assertEquals(List.of("192.168.5.100"), addresses(resolver2, "payroll.corp.com"));
    assertEquals(1, FrameMatcher.ipv4().udpDstPort(53).select(client2.sent("eth0")).size(), "no AAAA query");
    assertEquals(List.of(new DnsEvent.Resolved("payroll.corp.com", "192.168.5.100")),
        client2.events(DnsEvent.Resolved.class), "an IPv4-only node's lookup reads as before");
  }

  @Test
  void withoutAnIpv6RouteIpv4ComesFirst() {
    client.ipv6().routes().removeIf(r -> r.isDefault());
    assertEquals(List.of("192.168.5.100", "2001:db8:5::100"), addresses(resolver, "payroll.corp.com"));
  }

  @Test
  void oneFamilyOnlyAndNoAnswerAtAll() {
    assertEquals(List.of("192.168.5.101"), addresses(resolver, "old.corp.com"));
    assertEquals(List.of("2001:db8:5::102"), addresses(resolver, "new.corp.com"));
    assertEquals(List.of("error: Name or service not known"), addresses(resolver, "nobody.corp.com"));
  }

  @Test
  void theHostsTableGivesBothFamiliesToAHostThatHasBoth() {
    assertEquals(List.of("2001:db8:1::50", "192.168.1.50"), addresses(resolver, "printer"));
    assertEquals(List.of("192.168.1.50"), addresses(resolver2, "printer"), "AI_ADDRCONFIG: no IPv6 to use");
    assertTrue(FrameMatcher.ipv4().udpDstPort(53).select(client.sent("eth0")).isEmpty(), "no DNS query");
  }

  @Test
  void pingByNameOnADualStackHostPingsIpv6First() {
    CommandRun ping = lab.await(lab.launch(client, "ping -c 1 payroll.corp.com")).assertExit(0);
    assertEquals("PING payroll.corp.com(2001:db8:5::100) 56 data bytes", ping.lines().get(0), ping.output());
    CommandRun four = lab.await(lab.launch(client, "ping -4 -c 1 payroll.corp.com")).assertExit(0);
    assertTrue(four.lines().get(0).startsWith("PING payroll.corp.com (192.168.5.100)"), four.output());
    CommandRun six = lab.await(lab.launch(client2, "ping -6 -c 1 payroll.corp.com")).assertExit(2);
    assertEquals("ping: payroll.corp.com: Address family for hostname not supported", six.lines().get(0));
  }

  @Test
  void literalsNeedNoLookup() {
    assertEquals(List.of("2001:db8:5::100"), addresses(resolver, "[2001:db8:5::100]"));
    assertEquals(List.of("192.168.5.100"), addresses(resolver, "192.168.5.100"));
    assertEquals(IpAddress.parse("2001:db8:5::100"), IpAddress.parse("2001:db8:5:0::100"));
  }
}
