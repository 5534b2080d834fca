package emu.control.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import emu.control.narrative.BridgeNames;
import emu.control.narrative.Story;
import emu.control.topology.Topology;
import emu.control.topology.TopologyLoader;
import emu.node.config.NodeConfig;
import emu.node.event.BridgeEvent;
import emu.node.event.Stamped;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane names a root bridge from the switches' configurations as the lab writes them
 * (a switch's bridge address is its lowest port MAC); nodes are told nothing of the other switches.
 */
class BridgeNamesPlanTest {
  private static final String LAB = """
      name: bnames
      topology:
        nodes:
          s1: {kind: switch, interfaces: {p2: {mac: '02:00:00:00:aa:01'}, p1: {mac: '02:00:00:00:aa:09'}}}
          s2: {kind: switch, stp: false, interfaces: {p1: {mac: '02:00:00:00:aa:02'}}}
          s3: {kind: switch, interfaces: {p1: {mac: '02:00:00:00:aa:03'}}}
          h1: {kind: host, interfaces: {eth0: {address: 192.168.1.10/24}}}
        links:
          - endpoints: ["s1:p1", "s2:p1"]
          - endpoints: ["s2:p2", "s3:p1"]
          - endpoints: ["s1:p2", "h1:eth0"]
      """;

  /** The nodes' configuration files, as the lab writes them into its state folder. */
  private static List<Path> configFiles(Path dir) throws Exception {
    Topology topo = TopologyLoader.parse(Path.of("lab.yml"), LAB);
    LabPlan plan;
    try (PortAllocator ports = new PortAllocator()) {
      plan = LabPlanner.plan(topo, dir.resolve("state"), dir.resolve("out"), 1, false, false, null, ports);
    }
    List<Path> files = new ArrayList<>();
    for (PlannedNode n : plan.nodes()) {
      if (n.config().isSwitch()) {
        Files.createDirectories(n.configFile().getParent());
        n.config().write(n.configFile());
        files.add(n.configFile());
      }
    }
    return files;
  }

  @Test
  void switchesAreNamedByBridgeAddress(@TempDir Path dir) throws Exception {
    BridgeNames names = BridgeNames.read(configFiles(dir));
    assertEquals("s1", names.name("1000.02000000aa01"), "s1's lowest port MAC (p2's, written second) names it");
    assertEquals("s1", names.name("8000.02000000aa01"));
    assertEquals("s3", names.name("8000.02000000aa03"));
    assertNull(names.name("8000.02000000aa09"), "a port MAC that is not the lowest is no bridge address");
    assertNull(names.name("8000.02000000aa02"), "s2 runs no spanning tree: it is never a root");
    assertNull(names.name("8000.525400123456"), "a Linux bridge in a linux node keeps its id");
    assertNull(names.name("not an id"));
  }

  @Test
  void eventsAreReadWithTheRootNamed(@TempDir Path dir) throws Exception {
    BridgeNames names = BridgeNames.read(configFiles(dir));
    Stamped root = names.named(new Stamped(1, 1, "s3", new BridgeEvent.StpRoot("8000.02000000aa01", "p1", 20000)));
    assertEquals(new BridgeEvent.StpRoot("8000.02000000aa01", "p1", 20000, "s1"), root.event());
    assertEquals("takes s1 (8000.02000000aa01, priority 32768) as the root bridge; its best path there is port p1,"
        + " path cost 20000", Story.sentence(root.event()));
    Stamped port = names.named(new Stamped(2, 2, "s3",
        new BridgeEvent.StpPort("p1", "root", "forwarding", "8000.02000000aa01", null, null, null)));
    assertEquals("p1 forwards: it is now the root port, the best path to root s1", Story.sentence(port.event()));
    Stamped other = new Stamped(3, 3, "s3", new BridgeEvent.StpRoot("8000.525400123456", "p1", 20000));
    assertSame(other, names.named(other), "a root outside the lab is told by its id");
    assertSame(other, BridgeNames.read(List.of(dir.resolve("missing.json"))).named(other), "an unreadable file");
  }
}
