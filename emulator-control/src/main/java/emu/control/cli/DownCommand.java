package emu.control.cli;

import emu.control.controller.ApiException;
import emu.control.controller.ControlClient;
import emu.control.lab.Lab;
import emu.control.lab.LabException;
import emu.control.process.NodeProcesses;
import emu.control.state.LabState;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code emu down}: stop every node of a lab and its control process; no process is left behind. */
@Command(name = "down", mixinStandardHelpOptions = true,
    description = "Stop every node of a running lab (captures are flushed first) and its control process, and forget "
        + "the lab. Captures and logs stay in the lab's output folder.")
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
      LabState s = l.state();
      List<String> dead = s.nodes().stream().map(LabState.NodeState::name)
          .filter(n -> l.process(n).isEmpty()).toList();
      if (ControlClient.available(s)) {
        try {
          new ControlClient(s).lab("POST", "/shutdown", null);
          ProcessHandle.of(s.controller().pid()).ifPresent(p -> {
            if (!NodeProcesses.awaitExit(p, 60_000)) {
              p.destroyForcibly();
            }
          });
        } catch (IOException | ApiException e) {
          // The control process does not answer: stop the nodes ourselves below.
        }
      }
      // Whatever the control process did not stop (or if there is none), stop here.
      l.stop();
      if (s.controller() != null) {
        ProcessHandle.of(s.controller().pid()).ifPresent(ProcessHandle::destroyForcibly);
      }
      o.println("lab " + s.name() + " stopped (" + s.nodes().size() + " nodes"
          + (dead.isEmpty() ? "" : "; already dead: " + String.join(", ", dead)) + ")");
      o.println("captures and logs: " + s.outDir());
      java.nio.file.Path report = java.nio.file.Path.of(s.outDir(), emu.control.report.RunReport.FILE);
      if (java.nio.file.Files.exists(report)) {
        o.println("report: " + report);
      }
      return 0;
    } catch (LabException e) {
      spec.commandLine().getErr().println("emu: " + e.getMessage());
      return 1;
    }
  }
}
