package emu.control.cli;

import emu.control.lab.Lab;
import emu.control.lab.LabException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code emu exec NODE -- COMMAND...}: run a command on a node of a running lab. */
@Command(name = "exec", mixinStandardHelpOptions = true,
    description = {"Run a command on a node of a running lab and print its output; exits with the command's status.",
        "Hosts and routers: ping, traceroute, ip route|route get ADDR|neigh|link|addr, ss, resolve, https-get, bulk, "
            + "tcpecho, dnsperf, udpperf, httpsperf, sleep. Switches: bridge fdb|link, ip [-s] link. 'help' lists them. On a linux node: any program, run in "
            + "its network namespace."},
    footer = "Example: ./emu exec client -- ping -c 3 192.168.5.100")
public final class ExecCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--lab", description = "Lab name (default: the only lab that is up).")
  String lab;

  @Parameters(index = "0", paramLabel = "NODE")
  String node;

  @Parameters(index = "1..*", paramLabel = "COMMAND", description = "The command and its arguments (after --).")
  List<String> command = new ArrayList<>();

  @Override
  public Integer call() {
    var o = spec.commandLine().getOut();
    var e = spec.commandLine().getErr();
    List<String> argv = argv(command);
    if (argv.isEmpty()) {
      e.println("emu: exec needs a command, e.g. ./emu exec " + node + " -- ip route");
      return 2;
    }
    try {
      Lab l = Lab.attach(lab);
      var state = l.state().node(node);
      if (state == null) {
        e.println("emu: lab " + l.state().name() + " has no node named " + node + " (it has: "
            + String.join(", ", l.state().nodes().stream().map(n -> n.name()).toList()) + ")");
        return 2;
      }
      if (!l.running(node)) {
        e.println("emu: node " + node + " is not running (" + state.whyGone() + "; see " + state.log() + ")");
        return 1;
      }
      int code = l.exec(node, argv, line -> {
        o.println(line);
        o.flush();
      });
      return code;
    } catch (LabException ex) {
      e.println("emu: " + ex.getMessage());
      return 1;
    } catch (IOException ex) {
      e.println("emu: " + ex.getMessage());
      return 1;
    }
  }

  /** The command after NODE, without the {@code --} that separates it from emu's own options. */
  static List<String> argv(List<String> command) {
    List<String> argv = new ArrayList<>(command);
    if (!argv.isEmpty() && argv.get(0).equals("--")) {
      argv.remove(0);
    }
    return argv;
  }
}
