package emu.control.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code emu partition NODE...}: cut nodes off from the rest of the lab until {@code emu heal}. */
@Command(name = "partition", mixinStandardHelpOptions = true,
    description = "Cut the named nodes off from every other node: each link with exactly one end among them goes "
        + "down at both ends. 'emu heal' ends it.")
public final class PartitionCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "NODE")
  List<String> nodes;

  @Option(names = "--lab", description = "Lab name (default: the only lab that is up).")
  String lab;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    return Control.run(lab, out, spec.commandLine().getErr(),
        c -> c.lab("POST", "/partition", Map.of("nodes", nodes)),
        a -> out.println("partitioned " + a.path("partitioned") + "; links down: " + a.path("links_down")));
  }

  /** {@code emu heal}: end the partition. */
  @Command(name = "heal", mixinStandardHelpOptions = true,
      description = "End the partition: bring back the links it took down (links taken down with 'link down' stay down).")
  public static final class Heal implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--lab", description = "Lab name (default: the only lab that is up).")
    String lab;

    @Override
    public Integer call() {
      var out = spec.commandLine().getOut();
      return Control.run(lab, out, spec.commandLine().getErr(), c -> c.lab("POST", "/heal", null),
          a -> out.println("healed " + a.path("healed") + "; links up: " + a.path("links_up")));
    }
  }

  /** {@code emu reset}: Toxiproxy's reset. */
  @Command(name = "reset", mixinStandardHelpOptions = true,
      description = "Clear every impairment, bring every link up and end any partition.")
  public static final class Reset implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--lab", description = "Lab name (default: the only lab that is up).")
    String lab;

    @Override
    public Integer call() {
      var out = spec.commandLine().getOut();
      return Control.run(lab, out, spec.commandLine().getErr(), c -> c.send("POST", "/reset", null),
          a -> out.println("reset: no impairment, every link up"));
    }
  }
}
