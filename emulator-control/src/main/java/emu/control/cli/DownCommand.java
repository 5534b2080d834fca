package emu.control.cli;

import emu.control.lab.Lab;
import emu.control.lab.LabException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code emu down}: stop every node of a lab; no process is left behind. */
@Command(name = "down", mixinStandardHelpOptions = true,
    description = "Stop every node of a running lab (captures are flushed first) and forget the lab. "
        + "Captures and logs stay in the lab's output folder.")
public final class DownCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "LAB", description = "Lab name (default: the only lab that is up).")
  String lab;

  @Override
  public Integer call() {
    var o = spec.commandLine().getOut();
    try {
      Lab l = Lab.attach(lab);
      List<String> dead = l.stop();
      o.println("lab " + l.state().name() + " stopped (" + l.state().nodes().size() + " nodes"
          + (dead.isEmpty() ? "" : "; already dead: " + String.join(", ", dead)) + ")");
      o.println("captures and logs: " + l.state().outDir());
      return 0;
    } catch (LabException e) {
      spec.commandLine().getErr().println("emu: " + e.getMessage());
      return 1;
    }
  }
}
