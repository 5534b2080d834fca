package emu.control.plan;

import emu.control.topology.Topology;
import emu.node.config.HostsTable;
import java.nio.file.Path;
import java.util.List;

/**
 * A topology turned into runnable node configurations: ports allocated, MACs assigned, the
 * lab token chosen; linux nodes as network namespaces to build. {@code stateDir} holds secrets (token, configs); {@code outDir} holds what
 * the user looks at (captures, events, logs, narrative). {@code hosts} is the lab's name table, written
 * once as {@link HostsTable#FILE} in {@code stateDir}, where the nodes' configurations name it.
 */
public record LabPlan(Topology topology, String token, long seed, boolean seeded, Path stateDir, Path outDir,
                      List<PlannedNode> nodes, List<emu.control.linux.LinuxPlan> linux, HostsTable hosts) {
  public String name() {
    return topology.name();
  }

  public PlannedNode node(String name) {
    return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElse(null);
  }
}
