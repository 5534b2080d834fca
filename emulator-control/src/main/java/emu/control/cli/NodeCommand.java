package emu.control.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code emu node kill|restart|pause|resume NODE}: process faults while a lab runs. */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = {"Node faults while a lab runs: kill (the process dies abruptly, SIGKILL), restart (a new process "
        + "with the same configuration; its links come back and neighbours re-ARP), pause (the process is frozen, "
        + "SIGSTOP), resume (thawed, SIGCONT).",
        "Example: ./emu node kill payroll"})
public final class NodeCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ACTION", description = "kill | restart | pause | resume")
  String action;

  @Parameters(index = "1", paramLabel = "NODE")
  String node;

  @Option(names = "--lab", description = "Lab name (default: the only lab that is up).")
  String lab;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    var err = spec.commandLine().getErr();
    if (!java.util.List.of("kill", "restart", "pause", "resume").contains(action)) {
      err.println("emu: node ACTION must be kill, restart, pause or resume, not '" + action + "'");
      return 2;
    }
    return Control.run(lab, out, err, c -> c.lab("POST", "/nodes/" + node + "/" + action, null),
        a -> out.println("node " + node + ": " + a.path("state").asText() + " (pid " + a.path("pid").asText() + ")"));
  }
}
