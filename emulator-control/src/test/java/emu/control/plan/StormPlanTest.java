package emu.control.plan;

import static emu.control.plan.MacTableSizePlanTest.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.topology.Topology;
import emu.control.topology.TopologyLoader;
import emu.node.config.NodeConfig;
import emu.node.config.StormSettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A switch's {@code storm} (its own and its ports') from the topology file to the node's configuration; its errors. */
class StormPlanTest {
  private static final Path FILE = Path.of("lab.yml");

  /** sw1 (line 4) with {@code sw1} appended to its settings, h1 (line 5) with {@code h1}. */
  private static String lab(String sw1, String h1) {
    return """
        name: stormlab
        topology:
          nodes:
            sw1: {kind: switch%s}
            h1: {kind: host, interfaces: {eth0: {address: 192.168.1.10/24%s}}}
            h2: {kind: host, interfaces: {eth0: {address: 192.168.1.11/24}}}
          links:
            - endpoints: ["h1:eth0", "sw1:p1"]
            - endpoints: ["h2:eth0", "sw1:p2"]
        """.formatted(sw1, h1);
  }

  private static NodeConfig plan(Path dir, String yaml) throws Exception {
    Topology topo = TopologyLoader.parse(FILE, yaml);
    LabPlan plan;
    try (PortAllocator ports = new PortAllocator()) {
      plan = LabPlanner.plan(topo, dir.resolve("state"), dir.resolve("out"), 1, false, false, null, ports);
    }
    NodeConfig c = plan.nodes().stream().filter(n -> n.name().equals("sw1")).findFirst().orElseThrow().config();
    c.write(dir.resolve("sw1.json"));
    return NodeConfig.read(dir.resolve("sw1.json")); // what the node reads
  }

  @Test
  void theSwitchDefaultAndEachPortsOwnReachTheNodeMerged(@TempDir Path dir) throws Exception {
    NodeConfig sw1 = plan(dir, lab(", storm: {broadcast: 1000pps, multicast: 2000pps},"
        + " interfaces: {p2: {storm: {broadcast: 50pps, unknown-unicast: 300 pps}}}", ""));
    assertEquals(Map.of("p1", new StormSettings(1000L, 2000L, null), "p2", new StormSettings(50L, 2000L, 300L)),
        sw1.storm());
    assertNull(plan(dir, lab("", "")).storm(), "absent: nothing policed");
    assertEquals(Map.of("p2", new StormSettings(null, 10L, null)),
        plan(dir, lab(", interfaces: {p2: {storm: {multicast: 10pps}}}", "")).storm(), "a port alone");
  }

  @Test
  void aPortWithStormFalseIsExemptFromTheSwitchDefault(@TempDir Path dir) throws Exception {
    NodeConfig sw1 = plan(dir, lab(", storm: {broadcast: 100pps}, interfaces: {p2: {storm: false}}", ""));
    assertEquals(Map.of("p1", new StormSettings(100L, null, null)), sw1.storm(), "p2 (the uplink, say) polices nothing");
    String yes = problems(lab(", storm: {broadcast: 100pps}, interfaces: {p2: {storm: true}}", ""));
    assertTrue(yes.startsWith("lab.yml:4:") && yes.contains("'storm' of sw1:p2: true is not a setting; write the rates"
        + " like '{broadcast: 1000pps, multicast: 1000pps, unknown-unicast: 1000pps}', or 'storm: false' to police"
        + " nothing on this port"), yes);
  }

  @Test
  void ratesTakeKAndMAndTheUnitInAnyCase(@TempDir Path dir) throws Exception {
    NodeConfig sw1 = plan(dir, lab(", storm: {broadcast: 1kpps, multicast: 1000PPS, unknown-unicast: 2Mpps}", ""));
    assertEquals(new StormSettings(1000L, 1000L, 2_000_000L), sw1.storm().get("p1"));
    String big = problems(lab(", storm: {broadcast: 101mpps}", ""));
    assertTrue(big.contains("broadcast in 'storm' of sw1: 101mpps is out of range; it must be 1pps to 100000000pps"
        + " (100mpps;"), big);
    String huge = problems(lab(", storm: {broadcast: 99999999999999999mpps}", ""));
    assertTrue(huge.contains("is out of range"), huge);
    String unit = problems(lab(", storm: {broadcast: 1gpps}", ""));
    assertTrue(unit.contains("'1gpps' is not a rate; write frames a second with the unit, like 1000pps, 1kpps or"
        + " 2mpps (any case)"), unit);
  }

  @Test
  void badValuesAreRefusedWithTheirLine() {
    String zero = problems(lab(", storm: {broadcast: 0pps}", ""));
    assertTrue(zero.startsWith("lab.yml:4:") && zero.contains("broadcast in 'storm' of sw1: 0pps is out of range;"
        + " it must be 1pps to 100000000pps"), zero);
    String negative = problems(lab(", storm: {multicast: -5pps}", ""));
    assertTrue(negative.contains("multicast in 'storm' of sw1: -5pps is out of range"), negative);
    String unit = problems(lab(", storm: {broadcast: 1000}", ""));
    assertTrue(unit.startsWith("lab.yml:4:") && unit.contains("'1000' is not a rate; write frames a second with the"
        + " unit, like 1000pps"), unit);
    String other = problems(lab(", storm: {broadcast: 10%}", ""));
    assertTrue(other.contains("'10%' is not a rate"), other);
    String kind = problems(lab(", storm: {unicast: 100pps}", ""));
    assertTrue(kind.startsWith("lab.yml:4:") && kind.contains("unknown field 'unicast' in 'storm' of sw1; allowed"
        + " fields: broadcast, multicast, unknown-unicast"), kind);
    String port = problems(lab(", interfaces: {p1: {storm: {broadcast: 1pps, bogus: 2pps}}}", ""));
    assertTrue(port.contains("unknown field 'bogus' in 'storm' of sw1:p1"), port);
    String host = problems(lab("", ", storm: {broadcast: 10pps}"));
    assertTrue(host.startsWith("lab.yml:5:") && host.contains("h1:eth0 is not a switch port"), host);
    String shape = problems(lab(", storm: 1000pps", ""));
    assertTrue(shape.startsWith("lab.yml:4:") && shape.contains("'storm' of sw1"), shape);
  }
}
