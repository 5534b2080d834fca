package emu.control.cli;

import emu.control.lab.LabLauncher;
import emu.control.topology.Families;
import emu.control.topology.Topology;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What {@code run} and {@code up} share, as a picocli mixin: the {@code --no-capture} switch,
 * and turning the command's FILE, {@code --out} and {@code --seed} into the topology to start,
 * the folder its output goes to, and the seed. FILE, {@code --out} and {@code --seed} stay with
 * each command, whose help words for them differ.
 */
final class LabStart {
  /** The --help footer of up and run: the environment a lab's start reads. */
  static final String ENVIRONMENT = "%nEnvironment:%n"
      + "  EMU_NODES_PER_JVM=K       K nodes share a JVM (default 1: a JVM each;%n"
      + "                            25 for labs of hundreds of nodes)%n"
      + "  EMU_START_CONCURRENCY=N   JVMs starting at once (default: all for labs%n"
      + "                            up to 32 nodes, else 2 x cores; 0: all)%n"
      + "  EMU_NODE_WARMUP=full|light  nodes train their hot paths before READY%n"
      + "  EMU_JAVA=JAVA|JDK|newest  the JVM nodes run on (default: JAVA_HOME's)%n"
      + "  EMU_NODE_JVM_OPTS=\"...\"   options added to every node JVM%n"
      + "  EMU_STATE_DIR=DIR         where running labs are kept (default ~/.emu)%n"
      + "  EMU_LAB_KEYS=keep|fresh   keep a lab's RSA keys from one start to the%n"
      + "                            next (default), or make new ones each time%n"
      + "  EMU_TRACE_BUDGET=N        events a node records at most (default%n"
      + "                            20000; 0: no limit)%n"
      + "A bad EMU_NODES_PER_JVM, EMU_START_CONCURRENCY, EMU_LAB_KEYS or%n"
      + "EMU_TRACE_BUDGET stops it before anything starts (exit status 2).";

  @Option(names = "--no-capture", negatable = true, defaultValue = "true",
      description = "Write a pcap per interface (default: on).")
  boolean capture;

  @Option(names = "--family", paramLabel = "4|6",
      description = "Keep one address family of a dual-stack lab: 4 for the classic IPv4 story, 6 for an IPv6-only "
          + "network (default: both, as the file says).")
  Integer family;

  @Mixin
  AllowFiles allow;

  /** The topology FILE holds, once {@link #load} said yes. */
  Topology topo;
  /** {@code --out}, else {@code runs/NAME-TIMESTAMP}. */
  Path outDir;
  /** {@code --seed}, else a random one. */
  long seed;
  /**
   * True if {@code --seed} was given: then the nodes derive even their secrets (DNS IDs and
   * ports, TCP ISNs) from it, for a reproducible run; else those come from a CSPRNG.
   */
  boolean seeded;

  /**
   * Loads {@code file} (the seed's corporate network if null) and chooses the output folder and
   * the seed; false after printing why the topology cannot be used.
   */
  boolean load(String file, Path out, Long seed, PrintWriter err) {
    topo = Topologies.load(file, allow, err);
    if (topo == null) {
      return false;
    }
    try {
      emu.control.lab.LabPreflight.settings(); // EMU_START_CONCURRENCY, EMU_NODE_WARMUP, ...: said before anything starts
    } catch (emu.control.lab.LabException e) {
      err.println("emu: " + e.getMessage());
      return false;
    }
    if (family != null) {
      if (family != 4 && family != 6) {
        err.println("emu: --family takes 4 or 6, not " + family);
        return false;
      }
      int printed = topo.warnings().size();
      topo = Families.only(topo, family);
      topo.warnings().stream().skip(printed).forEach(w -> err.println("warning: " + w));
    }
    outDir = out != null ? out.toAbsolutePath() : LabLauncher.defaultOutDir(topo.name());
    this.seed = seed != null ? seed : new SecureRandom().nextLong();
    this.seeded = seed != null;
    return true;
  }
}
