package emu.control.topology;

import static emu.control.topology.Labs.only;
import static emu.control.topology.Labs.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.config.OspfConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A router's 'ospf:' at node and interface level: what is read, each wrong value at its line, and --family 6. */
class OspfTopologyTest {
  /** r1's node-level settings {@code node} (line 6) and eth1's {@code iface} (line 10). */
  private static String lab(String kind, String node, String iface) {
    return """
        name: lab
        topology:
          nodes:
            r1:
              kind: %s
              %s
              interfaces:
                eth0: {address: 10.0.12.1/24}
                eth2: {ipv6: on}
                eth1: {address: 10.1.0.1/24, %s}
            r2: {kind: router, interfaces: {eth0: {address: 10.0.12.2/24}}}
          links:
            - endpoints: [r1:eth0, r2:eth0]
        """.formatted(kind, node, iface);
  }

  private static OspfConfig ospf(Topology t) {
    return t.nodes().stream().filter(n -> n.name().equals("r1")).findFirst().orElseThrow().ospf();
  }

  @Test
  void nodeAndInterfaceSettingsAreRead() {
    assertEquals(new OspfConfig("1.1.1.1", List.of(
            new OspfConfig.Iface("eth0", 10, 10, 40, 1, false, "broadcast"),
            new OspfConfig.Iface("eth1", 5, 1, 4, 0, true, "point-to-point"))),
        ospf(valid(lab("router", "ospf: {router-id: 1.1.1.1, interfaces: all}",
            "ospf: {cost: 5, hello: 1, dead: 4, priority: 0, passive: true, network: point-to-point}"))));
    assertEquals(new OspfConfig(null, List.of(new OspfConfig.Iface("eth1", 10, 10, 40, 1, false, "broadcast"))),
        ospf(valid(lab("router", "tcp: {}", "ospf: {}"))), "an interface-level ospf alone enables it there");
    assertEquals(new OspfConfig(null, List.of(new OspfConfig.Iface("eth0", 10, 10, 40, 1, false, "broadcast"))),
        ospf(valid(lab("router", "ospf: {interfaces: [eth0]}", "mtu: 1500"))));
    assertNull(ospf(valid(lab("router", "tcp: {}", "mtu: 1500"))));
  }

  @Test
  void wrongValuesAreReportedWhereTheyAre() {
    only(lab("host", "tcp: {}", "ospf: {}"), 10, "only an emu router runs OSPF");
    only(lab("router", "ospf: {router-id: 1.1.1}", "mtu: 1500"), 6, "is not a dotted quad");
    only(lab("router", "ospf: {interfaces: [eth9]}", "mtu: 1500"), 6, "has no interface 'eth9'");
    only(lab("router", "ospf: {interfaces: [eth2]}", "mtu: 1500"), 6, "needs a static IPv4 address");
    only(lab("router", "ospf: {interfaces: some}", "mtu: 1500"), 6, "must be 'all' or a list");
    only(lab("router", "tcp: {}", "ospf: {hello: 0}"), 10, "hello 0 in 'ospf' of r1:eth1 is out of range");
    only(lab("router", "tcp: {}", "ospf: {hello: 10, dead: 10}"), 10, "dead 10 must be longer than hello 10");
    only(lab("router", "tcp: {}", "ospf: {cost: 70000}"), 10, "cost 70000");
    only(lab("router", "tcp: {}", "ospf: {priority: 256}"), 10, "priority 256");
    only(lab("router", "tcp: {}", "ospf: {network: nbma}"), 10, "'nbma' is not a network type");
    only(lab("router", "tcp: {}", "ospf: {passive: yes please}"), 10, "passive in 'ospf' of r1:eth1 must be true");
    only(lab("router", "tcp: {}", "ospf: {area: 0}"), 10, "unknown field 'area'");
  }

  @Test
  void familySixDropsOspf() {
    Topology t = valid(lab("router", "ospf: {interfaces: all}", "mtu: 1500"));
    Topology v6 = Families.only(t, 6);
    assertNull(ospf(v6));
    assertTrue(v6.warnings().stream().anyMatch(w -> w.contains("r1: OSPF left out by --family 6")), v6.warnings()
        .toString());
    assertEquals(ospf(t), ospf(Families.only(t, 4)));
  }
}
