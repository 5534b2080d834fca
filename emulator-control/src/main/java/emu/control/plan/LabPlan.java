package emu.control.plan;

import emu.control.topology.Topology;
import java.nio.file.Path;
import java.util.List;

/**
 * A topology turned into runnable node configurations: ports allocated, MACs assigned, the
 * lab token chosen; linux nodes as network namespaces to build. {@code stateDir} holds secrets (token, configs); {@code outDir} holds what
 * the user looks at (captures, events, logs, narrative).
 */
public record LabPlan(Topology topology, String token, long seed, boolean seeded, Path stateDir, Path outDir,
                      List<PlannedNode> nodes, List<emu.control.linux.LinuxPlan> linux) {
  public String name() {
    return topology.name();
  }

  public PlannedNode node(String name) {
    return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElse(null);
  }
}
