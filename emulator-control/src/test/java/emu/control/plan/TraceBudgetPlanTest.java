package emu.control.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.lab.LabPreflight;
import emu.control.lab.LabException;
import emu.control.topology.Topology;
import emu.control.topology.TopologyLoader;
import emu.node.config.NodeConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * EMU_TRACE_BUDGET (here its property, emu.traceBudget) from the setting to every node's
 * configuration, as the JSON the node reads; a setting that is no budget is refused before
 * anything starts, with what to write instead.
 */
class TraceBudgetPlanTest {
  private static final String LAB = """
      name: budget
      topology:
        nodes:
          sw1: {kind: switch}
          h1: {kind: host, interfaces: {eth0: {address: 192.168.1.10/24}}}
          h2: {kind: host, interfaces: {eth0: {address: 192.168.1.11/24}}}
        links:
          - endpoints: ["h1:eth0", "sw1:p1"]
          - endpoints: ["h2:eth0", "sw1:p2"]
      """;

  @BeforeEach
  void noSettingFromOutside() {
    Assumptions.assumeTrue(System.getenv("EMU_TRACE_BUDGET") == null, "EMU_TRACE_BUDGET is set here");
  }

  @AfterEach
  void clear() {
    System.clearProperty("emu.traceBudget");
  }

  private static List<Long> budgets(Path dir) throws Exception {
    Topology topo = TopologyLoader.parse(Path.of("lab.yml"), LAB);
    LabPlan plan;
    try (PortAllocator ports = new PortAllocator()) {
      plan = LabPlanner.plan(topo, dir.resolve("state"), dir.resolve("out"), 1, false, true, null, ports);
    }
    List<Long> out = new java.util.ArrayList<>();
    java.nio.file.Files.createDirectories(dir);
    for (PlannedNode n : plan.nodes()) {
      out.add(n.config().traceBudget());
      if (n.name().equals("sw1")) { // (a host's JSON names the lab's table, which this plan did not write)
        Path f = dir.resolve("sw1.json");
        n.config().write(f);
        assertEquals(n.config().traceBudget(), NodeConfig.read(f).traceBudget(), "survives the JSON the node reads");
      }
    }
    return out;
  }

  @Test
  void everyNodeGetsTheBudgetSet(@TempDir Path dir) throws Exception {
    assertEquals(List.of(20_000L, 20_000L, 20_000L), budgets(dir.resolve("default")));
    System.setProperty("emu.traceBudget", " 250000 ");
    assertEquals(List.of(250_000L, 250_000L, 250_000L), budgets(dir.resolve("set")));
    System.setProperty("emu.traceBudget", "0");
    assertEquals(List.of(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE), budgets(dir.resolve("unlimited")),
        "0: no limit");
  }

  @Test
  void aSettingThatIsNoBudgetStopsTheStart(@TempDir Path dir) {
    for (String bad : List.of("lots", "-5", "1e6", "20k", "99999999999999999999")) {
      System.setProperty("emu.traceBudget", bad);
      LabException e = assertThrows(LabException.class, LabPreflight::settings, bad);
      assertEquals("EMU_TRACE_BUDGET must be a whole number of events a node records at most (0: no limit;"
          + " default 20000), not '" + bad + "'", e.getMessage());
      IllegalArgumentException planned = assertThrows(IllegalArgumentException.class, () -> budgets(dir), bad);
      assertTrue(planned.getMessage().startsWith("EMU_TRACE_BUDGET must be"), planned.getMessage());
    }
    // as a user meets it: up says so and starts nothing (exit status 2), k8s render too
    Path file = dir.resolve("budget.yml");
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    try {
      java.nio.file.Files.writeString(file, LAB);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    System.setProperty("emu.traceBudget", "lots");
    int up = emu.control.cli.EmuCommand.execute(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true),
        "up", file.toString(), "--out", dir.resolve("out").toString());
    assertEquals(2, up, out + "\n" + err);
    assertTrue(err.toString().contains("emu: EMU_TRACE_BUDGET must be a whole number"), err.toString());
    assertEquals(false, java.nio.file.Files.exists(dir.resolve("out")), "nothing started, nothing written");
    java.io.StringWriter err2 = new java.io.StringWriter();
    int render = emu.control.cli.EmuCommand.execute(new java.io.PrintWriter(new java.io.StringWriter(), true),
        new java.io.PrintWriter(err2, true), "k8s", "render", file.toString(), "-o", dir.resolve("k8s").toString());
    assertEquals(2, render, err2.toString());
    assertTrue(err2.toString().contains("emu: EMU_TRACE_BUDGET must be a whole number"), err2.toString());
  }
}
