package emu.control.cli;

import emu.control.state.EmuHome;
import emu.control.topology.Problem;
import emu.control.topology.SwitchLoops;
import emu.control.topology.Topology;
import emu.control.topology.TopologyException;
import emu.control.topology.TopologyLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Loading a topology argument for a command, with errors printed the same way everywhere. */
final class Topologies {
  /** Exit status for a topology file that cannot be used. */
  static final int BAD_TOPOLOGY = 2;

  private Topologies() {}

  /**
   * Loads {@code arg} (or the seed's corporate network if null), its files allowed under
   * {@code allow} too, and prints its warnings; null after printing why not.
   */
  static Topology load(String arg, AllowFiles allow, PrintWriter err) {
    Path file = arg == null ? EmuHome.defaultTopology() : EmuHome.topology(arg);
    if (!Files.exists(file)) {
      err.println("emu: topology file " + file + " does not exist");
      err.flush();
      return null;
    }
    try {
      // allow is null where a command object is built by hand rather than by picocli: no extra folder
      Topology topo = TopologyLoader.load(file, allow == null ? List.of() : allow.dirs());
      topo.warnings().forEach(w -> err.println("warning: " + w));
      err.flush();
      return topo;
    } catch (TopologyException e) {
      err.println("emu: " + file + " is not a usable topology (" + e.problems().size() + " problem"
          + (e.problems().size() == 1 ? "" : "s") + "); nothing was started:");
      for (Problem p : e.problems()) {
        err.println("  " + p);
      }
      err.flush();
      return null;
    } catch (IOException e) {
      err.println("emu: cannot read " + file + ": " + e.getMessage());
      err.flush();
      return null;
    }
  }

  /**
   * Names the loops of switches that spanning tree cuts, one "note: " line each (at most
   * {@link SwitchLoops#SHOWN}, then "and N more"): legal and often meant (redundancy), so not a
   * warning; the loops it cannot cut are warnings of the topology already.
   */
  static void loopNotes(Topology topo, PrintWriter to) {
    List<SwitchLoops.Loop> cut = SwitchLoops.of(topo).stream().filter(l -> !l.storms()).toList();
    SwitchLoops.lines(cut).forEach(line -> to.println("note: " + line));
    to.flush();
  }
}
