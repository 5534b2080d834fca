package emu.control.cli;

import emu.control.run.ScenarioRunner;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code emu run}: start a lab, run its scenario with a narrative, stop everything. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Start every node of FILE as its own process, run the file's scenario step by step, print "
        + "each step's output and a narrative of what every node did, then stop every node.",
        "Exit status: 0 all steps succeeded, 1 a step failed, 2 bad topology or setting, 3 a node failed to start "
            + "or died."}, footer = LabStart.ENVIRONMENT)
public final class RunCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "FILE",
      description = "Topology file (default: configs/corporate.yml, the seed's corporate network).")
  String file;

  @Option(names = "--out", paramLabel = "DIR",
      description = "Where captures, events, node logs and the narrative go (default: runs/NAME-TIMESTAMP).")
  Path out;

  @Option(names = "--seed", description = "Seed for every node's random choices (default: random).")
  Long seed;

  @Mixin
  LabStart start;

  @Override
  public Integer call() {
    var o = spec.commandLine().getOut();
    var e = spec.commandLine().getErr();
    if (!start.load(file, out, seed, e)) {
      return Topologies.BAD_TOPOLOGY;
    }
    return ScenarioRunner.run(start.topo, start.outDir, start.seed, start.seeded, start.capture, o, e,
        lab -> StatusTable.print(StatusTable.collect(lab), o));
  }
}
