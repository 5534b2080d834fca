package emu.control.plan;

import static emu.control.plan.MacTableSizePlanTest.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.topology.Topology;
import emu.control.topology.TopologyLoader;
import emu.node.config.NodeConfig;
import emu.node.config.StpSettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A switch's {@code stp} from the topology file to the node's configuration, and the file's errors about it. */
class StpPlanTest {
  private static final Path FILE = Path.of("lab.yml");

  private static String lab(String sw1, String h1) {
    return """
        name: stplab
        topology:
          nodes:
            sw1: {kind: switch%s}
            h1: {kind: host%s, interfaces: {eth0: {address: 192.168.1.10/24}}}
            h2: {kind: host, interfaces: {eth0: {address: 192.168.1.11/24}}}
          links:
            - endpoints: ["h1:eth0", "sw1:p1"]
            - endpoints: ["h2:eth0", "sw1:p2"]
        """.formatted(sw1, h1);
  }

  private static NodeConfig plan(Path dir, String yaml, String node) throws Exception {
    Topology topo = TopologyLoader.parse(FILE, yaml);
    LabPlan plan;
    try (PortAllocator ports = new PortAllocator()) {
      plan = LabPlanner.plan(topo, dir.resolve("state"), dir.resolve("out"), 1, false, false, null, ports);
    }
    NodeConfig c = plan.nodes().stream().filter(n -> n.name().equals(node)).findFirst().orElseThrow().config();
    c.write(dir.resolve(node + ".json"));
    return NodeConfig.read(dir.resolve(node + ".json")); // what the node reads
  }

  @Test
  void settingsReachTheSwitch(@TempDir Path dir) throws Exception {
    NodeConfig sw1 = plan(dir, lab(", stp: {priority: 4096, hello: 1, max-age: 10, forward-delay: 8,"
        + " ports: {p2: {cost: 2000, priority: 64}}}", ""), "sw1");
    assertEquals(new StpSettings(null, 4096, 1, 10, 8, null, Map.of("p2", new StpSettings.Port(2000, 64))), sw1.stp());
    assertNull(plan(dir, lab("", ""), "sw1").stp(), "absent: RSTP with the defaults");
    assertTrue(plan(dir, lab("", ""), "sw1").stp() == null);
    assertFalse(plan(dir, lab(", stp: false", ""), "sw1").stp().isEnabled());
    assertFalse(plan(dir, lab(", stp: {enabled: false}", ""), "sw1").stp().isEnabled());
    assertNull(plan(dir, lab(", stp: true", ""), "sw1").stp());
  }

  @Test
  void badValuesAreRefusedWithTheirLine() {
    String prio = problems(lab(", stp: {priority: 1000}", ""));
    assertTrue(prio.startsWith("lab.yml:4:") && prio.contains("stp priority must be a multiple of 4096"), prio);
    String range = problems(lab(", stp: {hello: 0}", ""));
    assertTrue(range.contains("hello 0 in 'stp' of sw1 is out of range"), range);
    String times = problems(lab(", stp: {max-age: 40, forward-delay: 4}", ""));
    assertTrue(times.contains("2 x (forward-delay - 1) >= max-age >= 2 x (hello + 1)"), times);
    String port = problems(lab(", stp: {ports: {p9: {cost: 10}}}", ""));
    assertTrue(port.contains("'stp' of sw1 names port p9, which no link makes; its ports: p1, p2"), port);
    String portPrio = problems(lab(", stp: {ports: {p1: {priority: 100}}}", ""));
    assertTrue(portPrio.contains("must be a multiple of 16"), portPrio);
    String cost = problems(lab(", stp: {ports: {p1: {cost: 0}}}", ""));
    assertTrue(cost.contains("cost 0 in 'stp' port p1 of sw1 is out of range"), cost);
    String unknown = problems(lab(", stp: {prio: 4096}", ""));
    assertTrue(unknown.contains("prio"), unknown);
    String notSwitch = problems(lab("", ", stp: false"));
    assertTrue(notSwitch.startsWith("lab.yml:5:") && notSwitch.contains("only a switch runs spanning tree"), notSwitch);
    String type = problems(lab(", stp: maybe", ""));
    assertTrue(type.startsWith("lab.yml:4:") && type.contains("'stp' of sw1"), type);
  }
}
