package emu.control.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.linux.LinuxPlan;
import emu.control.topology.Topology;
import emu.control.topology.TopologyLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the planner tells a linux node about IPv6: each interface's static addresses and mode,
 * the IPv6 gateway as written (zone and all), and routes whose link-local next hop keeps its
 * interface apart, as iproute2 needs it ({@code via fe80::1 dev eth0}). Needs iproute2's ip (to
 * find a free underlay), not root.
 */
class LinuxPlanIpv6Test {
  @Test
  void linuxNodesGetTheirIpv6AsTheTopologySays(@TempDir Path dir) throws Exception {
    Topology topo = TopologyLoader.parse(Path.of("v6.yml"), """
        name: v6plan
        topology:
          nodes:
            kern:
              kind: linux
              interfaces: {eth0: {ipv6: auto}}
            kern2:
              kind: linux
              interfaces:
                eth0: {address: [192.168.1.20/24, "2001:db8:1::20/64", "2001:db8:1::21/64"]}
                eth1: {ipv6: "on"}
              gateway: [192.168.1.1, "fe80::1%eth0"]
              routes:
                - {to: "2001:db8:7::/48", via: "fe80::7%eth1"}
                - {to: "2001:db8:8::/48", via: "2001:db8:1::8"}
                - {to: 10.8.0.0/16, via: 192.168.1.8}
            old:
              kind: linux
              interfaces: {eth0: {address: 192.168.1.30/24}}
            sw1: {kind: switch}
            r1:
              kind: router
              interfaces: {eth0: {address: [192.168.1.1/24, "2001:db8:1::1/64"]}, eth1: {ipv6: "on"}}
          links:
            - endpoints: ["kern:eth0", "sw1:p1"]
            - endpoints: ["kern2:eth0", "sw1:p2"]
            - endpoints: ["old:eth0", "sw1:p3"]
            - endpoints: ["r1:eth0", "sw1:p4"]
            - endpoints: ["kern2:eth1", "r1:eth1"]
        """);
    LabPlan plan;
    try (PortAllocator ports = new PortAllocator()) {
      plan = LabPlanner.plan(topo, dir.resolve("state"), dir.resolve("out"), 1, false, false, null, ports);
    }
    LinuxPlan kern = linux(plan, "kern");
    LinuxPlan.Iface k0 = kern.interfaces().get(0);
    assertNull(k0.address());
    assertEquals(List.of(), k0.addresses6());
    assertTrue(k0.slaac() && k0.hasIpv6() && kern.hasIpv6());
    assertNull(kern.gateway6());

    LinuxPlan kern2 = linux(plan, "kern2");
    LinuxPlan.Iface e0 = kern2.interfaces().get(0);
    assertEquals("192.168.1.20/24", e0.address());
    assertEquals(List.of("2001:db8:1::20/64", "2001:db8:1::21/64"), e0.addresses6());
    assertTrue(e0.hasIpv6());
    assertFalse(e0.slaac());
    LinuxPlan.Iface e1 = kern2.interfaces().get(1);
    assertEquals("on", e1.ipv6());
    assertTrue(e1.hasIpv6() && !e1.slaac());
    assertEquals("fe80::1%eth0", kern2.gateway6());
    assertEquals("192.168.1.1", kern2.gateway());
    assertEquals(List.of(new LinuxPlan.Route("10.8.0.0/16", "192.168.1.8", null),
        new LinuxPlan.Route("2001:db8:7::/48", "fe80::7", "eth1"),
        new LinuxPlan.Route("2001:db8:8::/48", "2001:db8:1::8", null)), kern2.routes());
    assertEquals(List.of(false, true, true), kern2.routes().stream().map(LinuxPlan.Route::ipv6).toList());

    LinuxPlan old = linux(plan, "old");
    assertFalse(old.hasIpv6(), "an IPv4-only linux node keeps the kernel's IPv6 off");

    // The plan goes to the lab's state as JSON and comes back the same.
    Path file = dir.resolve("kern2.linux.json");
    kern2.write(file);
    assertEquals(kern2, LinuxPlan.read(file));
  }

  private static LinuxPlan linux(LabPlan plan, String node) {
    return plan.linux().stream().filter(l -> l.node().equals(node)).findFirst().orElseThrow();
  }
}
