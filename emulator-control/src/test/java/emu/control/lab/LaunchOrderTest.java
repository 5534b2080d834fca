package emu.control.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.control.plan.LabPlan;
import emu.control.plan.LabPlanner;
import emu.control.plan.PlannedNode;
import emu.control.plan.PortAllocator;
import emu.control.topology.TopologyLoader;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order a lab's nodes are launched in when they start a few at a time: in the seed lab the
 * DHCP client comes first in the file but must start last, after the relay (r1) and the server
 * (dns), or its DISCOVERs go out before anyone can answer and back off past the scenario's wait.
 */
class LaunchOrderTest {
  @Test
  void switchesThenRoutersThenHostsThenDhcpClients(@TempDir Path dir) throws Exception {
    LabPlan plan;
    try (PortAllocator ports = new PortAllocator()) {
      plan = LabPlanner.plan(TopologyLoader.load(Path.of("../configs/corporate.yml")), dir.resolve("state"),
          dir.resolve("out"), 1, false, false, null, ports);
    }
    List<String> order = plan.nodes().stream().sorted(Comparator.comparingInt(StartPolicy::launchOrder))
        .map(PlannedNode::name).toList();
    assertEquals("client", plan.nodes().get(0).name(), "the file lists the DHCP client first");
    assertEquals(List.of("sw1", "sw3", "dist", "sw2", "r1", "printer", "resolver", "dns", "payroll", "client"), order);
  }

  @Test
  void smallLabsStartAllAtOnceBigOnesAFewAtATime() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("EMU_START_CONCURRENCY") == null);
    assertEquals(Integer.MAX_VALUE, StartPolicy.startConcurrency(8), "the seed lab: all at once, as always");
    assertEquals(Integer.MAX_VALUE, StartPolicy.startConcurrency(StartPolicy.ALL_AT_ONCE_UP_TO));
    assertEquals(2 * Runtime.getRuntime().availableProcessors(),
        StartPolicy.startConcurrency(StartPolicy.ALL_AT_ONCE_UP_TO + 1));
  }
}
