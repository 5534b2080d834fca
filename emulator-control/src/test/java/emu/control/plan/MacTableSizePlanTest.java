package emu.control.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.topology.Topology;
import emu.control.topology.TopologyException;
import emu.control.topology.TopologyLoader;
import emu.node.config.NodeConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A switch's {@code mac-table-size} from the topology file to the node's configuration (what the
 * switch process reads to size its bridge's MAC table), and the file's errors about it.
 */
class MacTableSizePlanTest {
  private static final Path FILE = Path.of("lab.yml");

  private static String lab(String sw1, String h1) {
    return """
        name: mactable
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

  /** The loader's problems with a file it must refuse (fails if it accepts it). */
  static String problems(String yaml) {
    try {
      TopologyLoader.parse(FILE, yaml);
      throw new AssertionError("accepted:\n" + yaml);
    } catch (TopologyException e) {
      return e.getMessage();
    }
  }

  @Test
  void theSwitchGetsItsSizeAndOtherNodesNone(@TempDir Path dir) throws Exception {
    Topology topo = TopologyLoader.parse(FILE, lab(", mac-table-size: 2048", ""));
    LabPlan plan;
    try (PortAllocator ports = new PortAllocator()) {
      plan = LabPlanner.plan(topo, dir.resolve("state"), dir.resolve("out"), 1, false, false, null, ports);
    }
    PlannedNode sw1 = plan.nodes().stream().filter(n -> n.name().equals("sw1")).findFirst().orElseThrow();
    assertEquals(2048, sw1.config().macTableSize());
    sw1.config().write(dir.resolve("sw1.json"));
    assertEquals(2048, NodeConfig.read(dir.resolve("sw1.json")).macTableSize(), "survives the JSON the node reads");
    assertNull(plan.nodes().stream().filter(n -> n.name().equals("h1")).findFirst().orElseThrow().config()
        .macTableSize());
  }

  @Test
  void sizeMustBeInRangeAndOnASwitch() {
    String range = problems(lab(", mac-table-size: 0", ""));
    assertTrue(range.startsWith("lab.yml:4:"), range);
    assertTrue(range.contains("mac-table-size 0 in node sw1 is out of range; it must be an integer in 1..1000000"),
        range);
    String notSwitch = problems(lab("", ", mac-table-size: 100"));
    assertTrue(notSwitch.startsWith("lab.yml:5:"), notSwitch);
    assertTrue(notSwitch.contains("node h1 is not a switch: only a switch has a MAC table"), notSwitch);
    String type = problems(lab(", mac-table-size: lots", ""));
    assertTrue(type.startsWith("lab.yml:4:") && type.contains("mac-table-size"), type);
  }
}
