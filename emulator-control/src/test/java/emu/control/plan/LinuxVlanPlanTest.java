package emu.control.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.linux.LinuxPlan;
import emu.control.topology.Topology;
import emu.control.topology.TopologyLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the planner tells a linux node about its VLAN subinterfaces: each is a VLAN device on its
 * parent's VXLAN device, with the parent's MAC and MTU, listed after every VXLAN device (the
 * namespace makes them in that order, a VLAN device needing its parent), whatever order the file
 * declares them in. Runs where the kernel has no 802.1Q (nothing is made). Needs iproute2's ip (to
 * find a free underlay), not root.
 */
class LinuxVlanPlanTest {
  @Test
  void aLinuxNodesSubinterfacesAreVlanDevicesOnTheirParent(@TempDir Path dir) throws Exception {
    Topology topo = TopologyLoader.parse(Path.of("vlan.yml"), """
        name: vlanplan
        topology:
          nodes:
            l1:
              kind: linux
              interfaces:
                eth0.20: {address: 10.20.0.10/24}
                eth0: {}
                eth0.10: {address: 10.10.0.10/24, ipv6: "on"}
                eth1: {address: 10.40.0.10/24}
            r1:
              kind: router
              interfaces:
                eth0: {}
                eth0.10: {address: 10.10.0.1/24}
                eth0.20: {address: 10.20.0.1/24}
                eth1: {address: 10.40.0.1/24}
          links:
            - endpoints: ["l1:eth0", "r1:eth0"]
            - endpoints: ["l1:eth1", "r1:eth1"]
        """);
    LabPlan plan;
    try (PortAllocator ports = new PortAllocator()) {
      plan = LabPlanner.plan(topo, dir.resolve("state"), dir.resolve("out"), 1, false, false, null, ports);
    }
    LinuxPlan l1 = plan.linux().stream().filter(l -> l.node().equals("l1")).findFirst().orElseThrow();
    List<LinuxPlan.Iface> ifs = l1.interfaces();
    assertEquals(List.of("eth0", "eth1", "eth0.20", "eth0.10"), ifs.stream().map(LinuxPlan.Iface::name).toList(),
        "the VXLAN devices first, then the VLAN devices on them");
    LinuxPlan.Iface eth0 = ifs.get(0);
    assertFalse(eth0.isVlan());
    assertTrue(eth0.vni() > 0 && eth0.remote() != null, eth0.toString());
    assertEquals(LinuxPlan.Iface.vlan("eth0.10", "eth0", 10, eth0.mac(), 1500, "10.10.0.10/24", List.of(), "on"),
        ifs.get(3));
    assertEquals(LinuxPlan.Iface.vlan("eth0.20", "eth0", 20, eth0.mac(), 1500, "10.20.0.10/24", List.of(), null),
        ifs.get(2));
    assertTrue(ifs.get(2).isVlan());

    // the plan goes to the lab's state as JSON (isVlan not in it) and comes back the same
    Path file = dir.resolve("l1.linux.json");
    l1.write(file);
    assertEquals(l1, LinuxPlan.read(file));
  }
}
