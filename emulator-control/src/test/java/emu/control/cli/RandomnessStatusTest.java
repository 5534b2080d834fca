package emu.control.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.plan.LabPlan;
import emu.control.plan.LabPlanner;
import emu.control.plan.PlannedNode;
import emu.control.plan.PortAllocator;
import emu.control.state.LabState;
import emu.control.topology.TopologyLoader;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --seed} or not, from the command line to the nodes and back to {@code status}: a
 * seeded lab's DNS IDs, ports and TCP ISNs follow from its seed and status says they are
 * predictable; an unseeded lab's nodes take theirs from a CSPRNG and status says "secure".
 */
class RandomnessStatusTest {
  private static final String TOPOLOGY = """
      name: randomness
      topology:
        nodes:
          a: {kind: host, interfaces: {eth0: {address: 10.9.0.1/24}}}
          r: {kind: router, interfaces: {eth0: {address: 10.9.0.254/24}}}
        links: [{endpoints: ["a:eth0", "r:eth0"]}]
      """;

  private static LabState state(Boolean seeded) {
    return new LabState("randomness", "t.yml", "out", "state", "token", 29, "now", List.of(), null, seeded);
  }

  private static List<String> printed(LabState s) {
    ObjectNode status = new ObjectMapper().createObjectNode();
    status.put("lab", s.name());
    status.setAll((ObjectNode) new ObjectMapper().valueToTree(s.randomnessStatus()));
    StringWriter out = new StringWriter();
    StatusTable.print(status, new PrintWriter(out));
    return out.toString().lines().toList();
  }

  @Test
  void statusSaysWhereTheSecretsComeFrom() {
    assertEquals(Map.of("randomness", "seeded", "seed", 29L), state(true).randomnessStatus());
    assertEquals(Map.of("randomness", "secure"), state(false).randomnessStatus(), "no seed: nothing to reproduce");
    assertEquals("seeded", state(null).randomness(), "a lab.json from before: its nodes used the seed");
    assertEquals("  randomness: seeded (--seed 29): DNS IDs, ports and TCP ISNs are predictable",
        printed(state(true)).get(3));
    assertEquals("  randomness: secure", printed(state(false)).get(3));
  }

  @Test
  void theSeedOptionReachesEveryNodesConfiguration(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("t.yml"), TOPOLOGY);
    StringWriter err = new StringWriter();
    for (Long seed : new Long[] {null, 29L}) {
      LabStart start = new LabStart();
      assertTrue(start.load(file.toString(), dir.resolve("out"), seed, new PrintWriter(err)), err.toString());
      assertEquals(seed != null, start.seeded);
      LabPlan plan;
      try (PortAllocator ports = new PortAllocator()) {
        plan = LabPlanner.plan(start.topo, dir.resolve("state"), dir.resolve("out"), start.seed, start.seeded, false,
            false, null, ports);
      }
      assertEquals(seed != null, plan.seeded());
      for (PlannedNode n : plan.nodes()) {
        assertEquals(seed != null, n.config().seeded(), n.name());
      }
    }
    try (PortAllocator ports = new PortAllocator()) {
      LabPlan old = LabPlanner.plan(TopologyLoader.parse(file, TOPOLOGY), dir.resolve("s2"), dir.resolve("o2"), 1,
          false, false, null, ports);
      assertFalse(old.nodes().stream().anyMatch(n -> Boolean.FALSE.equals(n.config().seeded())),
          "a plan from a given seed stays seeded");
    }
  }
}
