package emu.control.topology;

import static emu.control.topology.Labs.only;
import static emu.control.topology.Labs.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import emu.node.config.NatConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Masquerade and port forwards on a router's outside interface: what is read, and each wrong value at its line. */
class NatTopologyTest {
  /** A lab whose home:eth1 (198.51.100.2/24) carries {@code extra}, written on line 9. */
  private static String lab(String kind, String extra) {
    return """
        name: lab
        topology:
          nodes:
            laptop: {kind: host, interfaces: {eth0: {address: 192.168.0.10/24}}, gateway: 192.168.0.1}
            home:
              kind: %s
              interfaces:
                eth0: {address: 192.168.0.1/24}
                eth1: {address: 198.51.100.2/24, %s}
          links:
            - endpoints: [laptop:eth0, home:eth0]
        """.formatted(kind, extra);
  }

  private static NatConfig nat(Topology t) {
    return t.nodes().stream().filter(n -> n.name().equals("home")).findFirst().orElseThrow().interfaces().get(1).nat();
  }

  @Test
  void masqueradeAndTheIssuesPortForwardAreRead() {
    assertEquals(new NatConfig(65536, null), nat(valid(lab("router", "nat: masquerade"))));
    assertEquals(new NatConfig(1000, List.of(new NatConfig.Forward("tcp", 8443, "192.168.0.10", 443),
            new NatConfig.Forward("udp", 53, "192.168.0.10", 53))),
        nat(valid(lab("router", "nat: {max: 1000, forward: [{proto: tcp, port: 8443, to: 192.168.0.10:443},"
            + " {proto: udp, port: 53, to: 192.168.0.10}]}"))));
    assertEquals(new NatConfig(65536, List.of(new NatConfig.Forward("tcp", 8443, "192.168.0.10", 443))),
        nat(valid(lab("router", "nat: masquerade, forward: [{proto: tcp, port: 8443, to: 192.168.0.10:443}]"))),
        "forward: beside nat, as the issue writes it");
    assertNull(nat(valid(lab("router", "mtu: 1500"))));
  }

  @Test
  void wrongValuesAreReportedWhereTheyAre() {
    only(lab("host", "nat: masquerade"), 9, "only an emu router translates addresses");
    only(lab("router", "nat: snat"), 9, "'snat' is not a kind of NAT emu does");
    only(lab("router", "nat: {max: 0}"), 9, "max 0 in 'nat' of home:eth1 is out of range");
    only(lab("router", "nat: {size: 10}"), 9, "unknown field 'size'");
    only(lab("router", "forward: [{proto: tcp, port: 80, to: 192.168.0.10}]"), 9, "needs 'nat: masquerade'");
    only(lab("router", "nat: {forward: [{proto: icmp, port: 80, to: 192.168.0.10}]}"), 9,
        "proto 'icmp' cannot be forwarded");
    only(lab("router", "nat: {forward: [{proto: tcp, port: 70000, to: 192.168.0.10}]}"), 9, "port 70000");
    only(lab("router", "nat: {forward: [{proto: tcp, port: 80, to: 192.168.0.10:99999}]}"), 9,
        "is not ADDRESS:PORT");
    only(lab("router", "nat: {forward: [{proto: tcp, port: 80, to: 198.51.100.7:80}]}"), 9,
        "is on the outside subnet 198.51.100.0/24");
    only(lab("router", "nat: {forward: [{proto: tcp, port: 80, to: 192.168.0.10}, {proto: tcp, port: 80,"
        + " to: 192.168.0.11}]}"), 9, "tcp port 80 is already forwarded");
    only(lab("router", "nat: {forward: [{proto: tcp, to: 192.168.0.10}]}"), 9, "has no 'port'");
    only(lab("router", "nat: {forward: [{proto: tcp, port: 80, to: 192.168.0.10}, {proto: tcp, port: 8080,"
        + " to: \"192.168.0.10:80\"}]}"), 9, "is already the target of another forward");
    only(lab("router", "nat: masquerade, forward: 80"), 9, "must be a list");
  }

  @Test
  void natNeedsAnAddressToMasqueradeAs() {
    Labs.problem("""
        name: lab
        topology:
          nodes:
            home: {kind: router, interfaces: {eth0: {address: 192.168.0.1/24}, eth1: {ipv6: auto, nat: masquerade}}}
        """, 4, "the interface needs an IPv4 address (static or 'address: dhcp') to masquerade as");
  }
}
