package emu.control.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import emu.control.topology.Topology;
import emu.control.topology.TopologyLoader;
import emu.node.config.NodeConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A switch is told the switches of its domain by bridge address (lowest port MAC), so its narrative names the root. */
class BridgeNamesPlanTest {
  private static final String LAB = """
      name: bnames
      topology:
        nodes:
          s1: {kind: switch, interfaces: {p2: {mac: '02:00:00:00:aa:01'}, p1: {mac: '02:00:00:00:aa:09'}}}
          s2: {kind: switch}
          s3: {kind: switch}
          h1: {kind: host, interfaces: {eth0: {address: 192.168.1.10/24}}}
          h2: {kind: host, interfaces: {eth0: {address: 192.168.1.11/24}}}
        links:
          - endpoints: ["s1:p1", "s2:p1"]
          - endpoints: ["s1:p2", "h1:eth0"]
          - endpoints: ["s3:p1", "h2:eth0"]
      """;

  private static NodeConfig config(Path dir, String node) throws Exception {
    return config(dir, LAB, node);
  }

  private static NodeConfig config(Path dir, String lab, String node) throws Exception {
    Topology topo = TopologyLoader.parse(Path.of("lab.yml"), lab);
    LabPlan plan;
    try (PortAllocator ports = new PortAllocator()) {
      plan = LabPlanner.plan(topo, dir.resolve("state"), dir.resolve("out"), 1, false, false, null, ports);
    }
    NodeConfig c = plan.nodes().stream().filter(n -> n.name().equals(node)).findFirst().orElseThrow().config();
    if (!c.isSwitch()) {
      return c; // a host's reading needs the lab's name table beside it
    }
    c.write(dir.resolve(node + ".json"));
    return NodeConfig.read(dir.resolve(node + ".json")); // what the node reads
  }

  @Test
  void switchesKnowEachOtherByBridgeAddress(@TempDir Path dir) throws Exception {
    NodeConfig s2 = config(dir, "s2");
    String s2Mac = s2.interfaces().get(0).mac();
    Map<String, String> expected = Map.of("02:00:00:00:aa:01", "s1", s2Mac, "s2");
    assertEquals(expected, s2.bridges(), "s1's lowest port MAC (p2's, written second) names it");
    assertEquals(expected, config(dir, "s1").bridges());
    assertNull(config(dir, "h1").bridges(), "a host runs no spanning tree");
    assertNull(config(dir, "s3").bridges(), "s3 is joined to no other switch: it hears no BPDU, it is its own root");
  }

  @Test
  void aSwitchWithoutSpanningTreeIsToldNothingAndNamedNowhere(@TempDir Path dir) throws Exception {
    // s1 - s2 (stp: false) - s3: s2 floods the BPDUs of s1 and s3, so they hear each other through it
    String lab = """
        name: bnames2
        topology:
          nodes:
            s1: {kind: switch, interfaces: {p1: {mac: '02:00:00:00:aa:01'}}}
            s2: {kind: switch, stp: false}
            s3: {kind: switch, interfaces: {p1: {mac: '02:00:00:00:aa:03'}}}
          links:
            - endpoints: ["s1:p1", "s2:p1"]
            - endpoints: ["s2:p2", "s3:p1"]
        """;
    Map<String, String> expected = Map.of("02:00:00:00:aa:01", "s1", "02:00:00:00:aa:03", "s3");
    assertEquals(expected, config(dir, lab, "s1").bridges());
    assertEquals(expected, config(dir, lab, "s3").bridges());
    assertNull(config(dir, lab, "s2").bridges(), "stp: false: no spanning tree to tell of");
  }
}
