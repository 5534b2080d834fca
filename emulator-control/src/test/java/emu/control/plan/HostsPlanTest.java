package emu.control.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import emu.control.topology.Topology;
import emu.control.topology.TopologyLoader;
import emu.node.config.HostsTable;
import emu.node.config.NodeConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hosts tables the planner gives emu nodes (the lab's, shared through one file, and each
 * node's own): every node by its first address of each family, then the topology's entries, a
 * name given in one family only being that name's only entry (so a dual-stack client does not go
 * to the node's own IPv6 address first).
 */
class HostsPlanTest {
  @Test
  void everyNodeByBothFamiliesAndTheTopologysEntriesWin(@TempDir Path dir) throws Exception {
    Topology topo = TopologyLoader.parse(Path.of("hosts.yml"), """
        name: hostsplan
        topology:
          defaults: {kind: host}
          nodes:
            client:
              interfaces: {eth0: {address: [192.168.1.100/24, "2001:db8:1::100/64"]}}
              hosts:
                web: 10.9.9.9
                both.corp.com: [10.9.9.10, "2001:db8:9::10"]
            web:
              interfaces: {eth0: {address: [192.168.1.80/24, "2001:db8:1::80/64"]}}
            old:
              interfaces: {eth0: {address: 192.168.1.30/24}}
          links:
            - endpoints: ["client:eth0", "web:eth0"]
        """);
    LabPlan plan;
    try (PortAllocator ports = new PortAllocator()) {
      plan = LabPlanner.plan(topo, dir.resolve("state"), dir.resolve("out"), 1, false, false, null, ports);
    }
    PlannedNode planned = plan.nodes().stream().filter(n -> n.name().equals("client")).findFirst().orElseThrow();
    assertEquals(HostsTable.FILE, planned.config().hostsFile(), "the lab's table is shared, not copied");
    assertEquals(java.util.Set.of("web", "both.corp.com"), planned.config().hosts().keySet(), "the node's own only");
    // what the node reads: the lab's table (written once by the lab) with its own entries on top
    java.nio.file.Files.createDirectories(plan.stateDir());
    plan.hosts().write(plan.stateDir().resolve(HostsTable.FILE));
    planned.config().write(planned.configFile());
    NodeConfig client = NodeConfig.read(planned.configFile());
    assertEquals("10.9.9.9", client.hosts().get("web"), "the topology's entry wins");
    assertFalse(client.hosts6().containsKey("web"), "and is web's only entry: no IPv6 one of the node");
    assertEquals("2001:db8:1::100", client.hosts6().get("client"));
    assertEquals("10.9.9.10", client.hosts().get("both.corp.com"));
    assertEquals("2001:db8:9::10", client.hosts6().get("both.corp.com"));
    assertEquals("192.168.1.30", client.hosts().get("old"));
    assertNull(client.hosts6().get("old"), "a node without IPv6 has no IPv6 name");
  }
}
