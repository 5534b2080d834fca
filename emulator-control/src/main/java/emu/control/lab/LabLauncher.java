package emu.control.lab;

import emu.control.plan.LabPlan;
import emu.control.plan.LabPlanner;
import emu.control.plan.PortAllocator;
import emu.control.process.CliClassArchive;
import emu.control.process.NodeClassArchive;
import emu.control.process.NodeJava;
import emu.control.state.EmuHome;
import emu.control.state.LabState;
import emu.control.topology.Topology;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** What {@code run} and {@code up} share: refuse a second copy of a running lab, plan, start. */
public final class LabLauncher {
  private LabLauncher() {}

  /** {@code runs/NAME-yyyyMMdd-HHmmss} under the working directory. */
  public static Path defaultOutDir(String lab) {
    return Path.of("runs", lab + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
        .toAbsolutePath();
  }

  /**
   * Starts the lab. A lab of the same name whose nodes are all gone (a crashed run) is cleaned
   * up first; one that still runs is an error.
   *
   * @param seeded true if {@code seed} came from {@code --seed}: the nodes then derive their
   *     secrets (DNS IDs and ports, TCP ISNs) from it too; else from a CSPRNG
   */
  public static Lab launch(Topology topo, Path outDir, long seed, boolean seeded, boolean capture, boolean trace,
                           boolean detached, PrintWriter out) throws LabException {
    if (topo.nodes().stream().anyMatch(n -> n.isEmu() && !n.isRemote())) {
      try {
        NodeJava.chosen();
      } catch (NodeJava.BadJavaException e) {
        throw new LabException(e.getMessage(), e);
      }
      // first: a first dump takes seconds, which must not sit between the checks and the
      // planning below and the nodes' start (a planned port could be taken meanwhile); the
      // command line's archive is made at the same time, once per build too
      java.util.function.Consumer<String> say = line -> {
        out.println(line);
        out.flush();
      };
      CliClassArchive.Dump cli = CliClassArchive.start(say);
      NodeClassArchive.prepare(say);
      CliClassArchive.finish(cli, say);
    }
    for (LabState s : LabState.all()) {
      if (s.name().equals(topo.name())) {
        Lab old = Lab.attach(s.name());
        boolean alive = s.nodes().stream().anyMatch(n -> old.process(n.name()).isPresent());
        if (alive) {
          throw new LabException("lab " + topo.name() + " is already up (stop it with ./emu down " + topo.name() + ")");
        }
        old.stop();
      }
    }
    removeLeftoverNamespaces();
    Long parent = detached ? null : ProcessHandle.current().pid();
    LabPlan plan;
    try (PortAllocator ports = new PortAllocator()) {
      plan = LabPlanner.plan(topo, EmuHome.lab(topo.name()), outDir.toAbsolutePath(), seed, seeded, capture, trace,
          parent, ports);
    } catch (IOException e) {
      throw new LabException(e.getMessage(), e);
    }
    Progress progress = Progress.nodeStarts(out);
    int perJvm = StartPolicy.nodesPerJvm();
    long local = plan.nodes().stream().filter(n -> n.host() == null).count();
    if (local > StartPolicy.ALL_AT_ONCE_UP_TO && StartPolicy.nodesPerJvmSetting() == null) {
      // the default (a JVM per node) is the most faithful; for a lab this size its cost is worth saying
      progress.accept("tip: " + local + " nodes, a JVM each (about 40 MB and half a CPU-second to start each); "
          + "EMU_NODES_PER_JVM=25 runs them 25 to a JVM: 300 nodes were up in 10 s with 3 MB a node instead of "
          + "143 s and 40 MB (README \"How big a lab fits a machine\"; EMU_NODES_PER_JVM=1 says no)");
    }
    progress.accept("starting " + plan.nodes().size() + (perJvm > 1 ? " nodes, up to " + perJvm + " a JVM ..."
        : " node processes ..."));
    try {
      return Lab.start(plan, detached, null, line -> progress.accept("  " + line));
    } finally {
      progress.end(); // a failed start's message must not land on the progress line
    }
  }

  /**
   * A lab that crashed may have left network namespaces behind (for linux nodes): remove every
   * emu namespace whose creating process is gone, and say so.
   */
  private static void removeLeftoverNamespaces() {
    for (String ns : emu.control.linux.LinuxNamespaces.removeLeftovers()) {
      System.err.println("emu: removed network namespace " + ns + ", left behind by a lab that did not stop cleanly");
    }
  }
}
