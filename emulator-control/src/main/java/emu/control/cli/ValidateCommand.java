package emu.control.cli;

import emu.control.topology.Topology;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code emu validate FILE}: check a topology without starting anything. */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = {"Check a topology file and report every problem with its line; starts nothing.",
        "Loops of switches are named: a note when spanning tree will block one port, a warning (on standard error) "
            + "when no switch on the loop runs spanning tree (stp: false). Only loops of emu switches are named: "
            + "one through a linux or external node (which may bridge) is not.",
        "Exit status: 0 usable (warnings and notes included), 2 bad topology or usage."})
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
    Topologies.loopNotes(topo, o);
    o.println(topo.file() + ": lab " + topo.name() + ", " + topo.nodes().size() + " nodes, " + topo.links().size()
        + " links, " + topo.scenario().size() + " scenario steps: OK");
    return 0;
  }
}
