package emu.control.cli;

import emu.control.lab.Lab;
import emu.control.lab.LabException;
import emu.control.run.Daemon;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code emu up}: start a lab and leave it running under its control process. */
@Command(name = "up", mixinStandardHelpOptions = true,
    description = {"Start every node of FILE and leave the lab running under a control process that serves the "
        + "control API and runs the file's fault plan. Inspect it with status and exec, break it with link, node "
        + "and partition, stop it with down. The scenario is not run.",
        "With --console, also the address of its browser console (see ./emu console --help).",
        "Exit status: 0 up, 2 bad topology or setting, 3 the lab could not start."}, footer = LabStart.ENVIRONMENT)
public final class UpCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "Topology file.")
  String file;

  @Option(names = "--out", paramLabel = "DIR", description = "Where captures, events and logs go "
      + "(default: runs/NAME-TIMESTAMP).")
  Path out;

  @Option(names = "--seed", description = "Seed for every node's random choices and impairments (default: random).")
  Long seed;

  @Mixin
  LabStart start;

  @Option(names = "--no-trace", negatable = true, defaultValue = "true",
      description = "Record every node's steps as events (default: on; off for throughput measurements).")
  boolean trace;

  @Option(names = "--console", description = "Print the address of the lab's browser console once it is up (as "
      + "./emu console does; the address holds the lab's token).")
  boolean console;

  @Override
  public Integer call() {
    var o = spec.commandLine().getOut();
    var e = spec.commandLine().getErr();
    if (!start.load(file, out, seed, e)) {
      return Topologies.BAD_TOPOLOGY;
    }
    try {
      Daemon.start(start.topo.file(), start.allow.dirs(), start.family, start.outDir, start.seed, start.seeded,
          start.capture, trace, o, e);
      Lab lab = Lab.attach(start.topo.name());
      StatusTable.print(StatusTable.collect(lab), o);
      o.println("lab " + start.topo.name() + " is up; try: ./emu exec NODE -- ip route   |   ./emu link set NODE:IF "
          + "--loss 5%   |   ./emu down " + start.topo.name());
      if (console) {
        ConsoleCommand.print(lab.state(), o, e);
      }
      return 0;
    } catch (LabException ex) {
      e.println("emu: " + ex.getMessage());
      return 3;
    }
  }
}
