package emu.control.cli;

import emu.control.console.ConsoleRoutes;
import emu.control.controller.ControlClient;
import emu.control.lab.Lab;
import emu.control.lab.LabException;
import emu.control.state.LabState;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code emu console [LAB]}: prints the address of a running lab's browser console, served by its
 * control process. The token travels in the URL's fragment ({@code #token=}), which a browser
 * never sends to the server: it is in no request line, no log and no Referer.
 */
@Command(name = "console", mixinStandardHelpOptions = true,
    description = {"Print the address of a running lab's browser console: its live drawing, counters, narrative "
        + "and fault plan, and buttons for what the CLI does (impairments, link down/up, kill/restart/pause/resume, "
        + "partition/heal/reset, ping/traceroute/resolve/https-get, captures). Served by the lab's control process "
        + "on 127.0.0.1; open the address in a browser on this machine.",
        "The address holds the lab's token (after #, so the browser never sends it): treat it as a password."},
    footer = "Example: ./emu console corporate")
public final class ConsoleCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "LAB", description = "Lab name (default: the only lab that is up).")
  String lab;

  @Override
  public Integer call() {
    var o = spec.commandLine().getOut();
    var e = spec.commandLine().getErr();
    try {
      return print(Lab.attach(lab).state(), o, e);
    } catch (LabException ex) {
      e.println("emu: " + ex.getMessage());
      return 1;
    }
  }

  /** Prints the console's address of {@code state}'s lab; 0, or 1 if it has no control process. */
  static int print(LabState state, PrintWriter o, PrintWriter e) {
    if (!ControlClient.available(state)) {
      e.println("emu: lab " + state.name() + " has no running control process, so no console; ./emu down "
          + state.name() + " cleans up");
      return 1;
    }
    o.println("console of lab " + state.name() + " (open it in a browser on this machine; the address is the "
        + "lab's password):");
    o.println("    " + ConsoleRoutes.url(state.controller().api(), state.token()));
    o.flush();
    return 0;
  }
}
