package emu.control.cli;

import emu.control.topology.Topology;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code emu validate FILE}: check a topology without starting anything. */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check a topology file and report every problem with its line; starts nothing.")
public final class ValidateCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "FILE")
  String file;

  @CommandLine.Mixin
  AllowFiles allow;

  @Override
  public Integer call() {
    var o = spec.commandLine().getOut();
    var e = spec.commandLine().getErr();
    Topology topo = Topologies.load(file, allow, e);
    if (topo == null) {
      return Topologies.BAD_TOPOLOGY;
    }
    o.println(topo.file() + ": lab " + topo.name() + ", " + topo.nodes().size() + " nodes, " + topo.links().size()
        + " links, " + topo.scenario().size() + " scenario steps: OK");
    return 0;
  }
}
