package emu.control.cli;

import emu.control.lab.Lab;
import emu.control.lab.LabException;
import emu.control.lab.LabStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code emu stats}: every node's counters (its {@code GET /metrics}), as a table or JSON. */
@Command(name = "stats", mixinStandardHelpOptions = true,
    description = {"Show a running lab's counters, asked of every node at once: frames and bytes per interface, "
        + "drops by reason, packets forwarded, TCP, DNS and TLS figures.",
        "A node that is down, killed or paused is shown as such and never holds up the others. --json prints "
            + "each node's whole metric set (the names are in the README's Metrics section)."},
    footer = "Example: ./emu stats --json | python3 -m json.tool")
public final class StatsCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "LAB", description = "Lab name (default: the only lab that is up).")
  String lab;

  @Option(names = "--node", paramLabel = "NODE", description = "Only this node (repeatable).")
  List<String> nodes = new ArrayList<>();

  @Option(names = "--json", description = "Print JSON: every node's metrics, by name, with their labels.")
  boolean json;

  // 5 s: a node builds its meters at its first scrape, which on a loaded two-core machine with
  // eight nodes asked at once took over 2 s (measured); a paused node is still named within it.
  @Option(names = "--timeout", paramLabel = "MS", defaultValue = "5000",
      description = "How long to wait for each node's answer, in milliseconds (default: ${DEFAULT-VALUE}).")
  long timeoutMs;

  @Override
  public Integer call() throws Exception {
    var o = spec.commandLine().getOut();
    var e = spec.commandLine().getErr();
    if (timeoutMs <= 0) {
      e.println("emu: --timeout must be a positive number of milliseconds");
      return 2;
    }
    try {
      Lab l = Lab.attach(lab);
      String unknown = LabStats.unknown(l.state(), nodes);
      if (unknown != null) {
        e.println("emu: " + unknown);
        return 2;
      }
      var stats = LabStats.collect(l, nodes, Duration.ofMillis(timeoutMs), null);
      if (json) {
        o.println(new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
            .writeValueAsString(stats));
      } else {
        StatsTable.print(stats, o);
      }
      o.flush();
      return 0;
    } catch (LabException ex) {
      e.println("emu: " + ex.getMessage());
      return 1;
    }
  }
}
