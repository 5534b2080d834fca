package emu.control.cli;

import emu.control.report.RunReport;
import emu.control.report.TopologyDot;
import emu.control.report.TopologyDrawing;
import emu.control.topology.Topology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code emu graph FILE}: draw a topology (as containerlab graph does) without starting anything. */
@Command(name = "graph", mixinStandardHelpOptions = true,
    description = {"Check a topology file (as validate does) and draw it: nodes by kind, interfaces with their "
        + "addresses, links with their impairments. Starts nothing.",
        "Loops of switches are named on standard error, as validate names them.",
        "--dot writes the topology in Graphviz DOT instead, to standard output unless -o is given.",
        "Exit status: 0 drawn, 2 bad topology or usage, 1 the drawing could not be written."})
public final class GraphCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "Topology file.")
  String file;

  @CommandLine.Mixin
  AllowFiles allow;

  @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Where to write the drawing: a name ending "
      + "in .svg gets the bare SVG, any other a self-contained HTML page (default: runs/NAME-graph.html); with "
      + "--dot, the DOT file (default: standard output).")
  Path output;

  @Option(names = "--dot", description = "Write the topology in Graphviz DOT (nodes with their kind, links with "
      + "interface names as taillabel/headlabel and impairments as label) for dot, neato or other tools.")
  boolean dot;

  @Override
  public Integer call() {
    var o = spec.commandLine().getOut();
    var e = spec.commandLine().getErr();
    Topology topo = Topologies.load(file, allow, e);
    if (topo == null) {
      return Topologies.BAD_TOPOLOGY;
    }
    Topologies.loopNotes(topo, e); // standard error, so that standard output stays the drawing
    if (dot && output == null) {
      o.print(TopologyDot.dot(topo));
      o.flush();
      return 0;
    }
    Path out = output != null ? output : Path.of("runs", topo.name() + "-graph.html");
    String name = out.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    boolean svg = name.endsWith(".svg");
    if (dot && (svg || name.endsWith(".html") || name.endsWith(".htm"))) {
      // a DOT text under a drawing's name would open as a broken picture
      e.println("emu: --dot writes Graphviz DOT, not a drawing: name the output FILE.dot (or leave -o out for "
          + "standard output); without --dot, " + out.getFileName() + " gets the drawing");
      return 2;
    }
    try {
      Path dir = out.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      String text = dot ? TopologyDot.dot(topo)
          : svg ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + TopologyDrawing.svg(topo)
          : RunReport.graphPage(topo);
      Files.writeString(out, text, StandardCharsets.UTF_8);
    } catch (IOException ex) {
      e.println("emu: cannot write " + out + ": " + ex.getMessage());
      return 1;
    }
    o.println("lab " + topo.name() + " (" + topo.nodes().size() + " nodes, " + topo.links().size() + " links) "
        + (dot ? "written as DOT: " : "drawn: ") + out.toAbsolutePath());
    return 0;
  }
}
