package emu.control.plan;

import static emu.control.plan.MacTableSizePlanTest.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.topology.Topology;
import emu.control.topology.TopologyLoader;
import emu.node.config.NodeConfig;
import emu.node.config.VlanPort;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A switch's port VLANs from the topology file to the node's configuration, and each wrong value at its line. */
class VlanPlanTest {
  private static final Path FILE = Path.of("lab.yml");

  /** sw1's p1 carries {@code p1} and p2 {@code p2} (lines 10 and 11); h1 carries {@code h1} (line 4). */
  private static String lab(String p1, String p2, String h1) {
    return """
        name: vlanlab
        topology:
          nodes:
            h1: {kind: host, interfaces: {eth0: {address: 192.168.1.10/24%s}}}
            h2: {kind: host, interfaces: {eth0: {address: 192.168.1.11/24}}}
            h3: {kind: host, interfaces: {eth0: {address: 192.168.1.12/24}}}
            sw1:
              kind: switch
              interfaces:
                p1: {%s}
                p2: {%s}
          links:
            - endpoints: ["h1:eth0", "sw1:p1"]
            - endpoints: ["h2:eth0", "sw1:p2"]
            - endpoints: ["h3:eth0", "sw1:p3"]
        """.formatted(h1, p1, p2);
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
  void accessAndTrunkPortsReachTheSwitch(@TempDir Path dir) throws Exception {
    NodeConfig sw1 = plan(dir, lab("vlan: 10", "trunk: [10, 20-23, 4094], native: 1", ""), "sw1");
    assertEquals(Map.of("p1", VlanPort.access(10), "p2", VlanPort.trunk(List.of(10, 20, 21, 22, 23, 4094), 1)),
        sw1.vlans());
    assertEquals(VlanPort.trunk(List.of(7), null), plan(dir, lab("", "trunk: 7", ""), "sw1").vlans().get("p2"));
    assertEquals(VlanPort.trunk(List.of(20, 21, 22), null), plan(dir, lab("", "trunk: 20-22", ""), "sw1").vlans()
        .get("p2"));
    assertNull(plan(dir, lab("", "", ""), "sw1").vlans(), "no VLAN anywhere: a switch that is not VLAN-aware");
  }

  @Test
  void badValuesAreRefusedWithTheirLine() {
    String zero = problems(lab("vlan: 0", "", ""));
    assertTrue(zero.contains("lab.yml:10:") && zero.contains("VLAN 0 is out of range; a VLAN id is 1..4094 (0 marks"
        + " a priority-tagged frame"), zero);
    String reserved = problems(lab("", "trunk: [10, 4095]", ""));
    assertTrue(reserved.contains("lab.yml:11:") && reserved.contains("VLAN 4095 is out of range")
        && reserved.contains("(4095 is reserved)"), reserved);
    String big = problems(lab("vlan: 5000", "", ""));
    assertTrue(big.contains("lab.yml:10:") && big.contains("VLAN 5000 is out of range"), big);
    String backwards = problems(lab("", "trunk: [30-20]", ""));
    assertTrue(backwards.contains("lab.yml:11:") && backwards.contains("range 30-20 runs backwards"), backwards);
    String both = problems(lab("vlan: 10, trunk: [10]", "", ""));
    assertTrue(both.contains("lab.yml:10:") && both.contains("has both 'vlan' (line 10, an access port) and 'trunk'"),
        both);
    String nat = problems(lab("", "trunk: [10], native: one", ""));
    assertTrue(nat.contains("lab.yml:11:") && nat.contains("native VLAN of switch port sw1:p2 must be an integer"),
        nat);
    String nativeAlone = problems(lab("native: 3", "", ""));
    assertTrue(nativeAlone.contains("lab.yml:10:")
        && nativeAlone.contains("'native' of switch port sw1:p1 needs 'trunk'"), nativeAlone);
    String word = problems(lab("", "trunk: all", ""));
    assertTrue(word.contains("lab.yml:11:") && word.contains("trunk of switch port sw1:p2 takes VLAN ids 1..4094 and"
        + " ranges low-high, one or a list, like [10, 20] or [10, 20-29], not"), word);
    // In block style 'trunk: 10,20' is the string "10,20" (in a flow map the comma would end the field).
    String commas = problems(lab("", "", "").replace("p2: {}", "p2:\n          trunk: 10,20"));
    assertTrue(commas.contains("lab.yml:12:") && commas.contains("ranges low-high, one or a list")
        && commas.contains("(a list is written in brackets)"), commas);
    String empty = problems(lab("", "trunk: []", ""));
    assertTrue(empty.contains("lab.yml:11:") && empty.contains("lists no VLAN"), empty);
    String unknown = problems(lab("vlna: 10", "", ""));
    assertTrue(unknown.contains("unknown field 'vlna'") && unknown.contains("did you mean 'vlan'"), unknown);
    String host = problems(lab("", "", ", vlan: 10"));
    assertTrue(host.contains("lab.yml:4:") && host.contains("only a switch port has VLANs"), host);
    String unlinked = problems(lab("vlan: 10", "", "").replace("    - endpoints: [\"h1:eth0\", \"sw1:p1\"]\n",
        ""));
    assertTrue(unlinked.contains("lab.yml:10:")
        && unlinked.contains("switch port sw1:p1 has VLANs but no link names it"), unlinked);
  }
}
