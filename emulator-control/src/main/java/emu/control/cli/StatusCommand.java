package emu.control.cli;

import emu.control.lab.Lab;
import emu.control.lab.LabException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code emu status}: nodes, process ids, interfaces, addresses and link ports of a running lab. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show a running lab's nodes: process id, state, interfaces, addresses, MACs and UDP link ports.")
public final class StatusCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "LAB", description = "Lab name (default: the only lab that is up).")
  String lab;

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    var o = spec.commandLine().getOut();
    try {
      Lab l = Lab.attach(lab);
      var status = StatusTable.collect(l);
      if (json) {
        o.println(new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
            .writeValueAsString(status));
      } else {
        StatusTable.print(status, o);
      }
      boolean allRunning = true;
      for (var n : status.path("nodes")) {
        allRunning &= n.path("state").asText().equals("running");
      }
      if (!allRunning && !json) {
        o.println("some nodes are not running (see the STATE column); ./emu down " + l.state().name()
            + " cleans up");
      }
      return allRunning ? 0 : 1;
    } catch (LabException e) {
      spec.commandLine().getErr().println("emu: " + e.getMessage());
      return 1;
    }
  }
}
