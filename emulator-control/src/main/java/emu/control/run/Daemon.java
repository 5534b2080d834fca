package emu.control.run;

import emu.control.lab.LabException;
import emu.control.state.EmuHome;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a lab's control process ({@link ControllerMain}) in its own session and waits until it is ready. */
public final class Daemon {
  private static final long START_TIMEOUT_MS = 150_000;

  private Daemon() {}

  /**
   * Starts the controller, echoing its log until it says READY (its error lines, which start
   * with "emu: ", to {@code err}). Throws if it exits first. {@code family}: 4 or 6 to keep one
   * address family of the file ({@code --family}), null for both; {@code allowFiles}, the folders
   * besides the topology's own it may read files from ({@code --allow-files}).
   */
  public static void start(Path topology, java.util.List<Path> allowFiles, Integer family, Path outDir, long seed,
                           boolean seeded, boolean capture, boolean trace, PrintWriter out, PrintWriter err)
      throws LabException {
    try {
      Files.createDirectories(outDir);
    } catch (IOException e) {
      throw new LabException("cannot create " + outDir + ": " + e.getMessage(), e);
    }
    Path log = outDir.resolve("control.log");
    List<String> cmd = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      cmd.add("/usr/bin/setsid"); // the lab outlives the terminal that started it
    }
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(List.of("-XX:+UseSerialGC", "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-Demu.stateDir=" + EmuHome.state(), "-Demu.home=" + EmuHome.install()));
    cmd.addAll(emu.control.process.CliClassArchive.jvmOptions()); // the CLI's classes, loaded as ./emu loads them
    // what the controller reads when it starts the nodes: as the environment (EMU_NODE_WARMUP,
    // EMU_NODES_PER_JVM, EMU_TRACE_BUDGET, inherited), the properties that stand for it must reach it too
    for (String prop : List.of("io.netty.leakDetection.level", "emu.transport", "emu.node.warmup",
        "emu.nodesPerJvm", "emu.traceBudget")) {
      String v = System.getProperty(prop);
      if (v != null) {
        cmd.add("-D" + prop + "=" + v);
      }
    }
    if (!allowFiles.isEmpty()) { // the controller loads the topology again, with the same folders allowed
      cmd.add("-D" + ControllerMain.ALLOW_FILES + "=" + String.join(java.io.File.pathSeparator,
          allowFiles.stream().map(p -> p.toAbsolutePath().toString()).toList()));
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ControllerMain.class.getName(),
        topology.toAbsolutePath().toString(), outDir.toAbsolutePath().toString(), Long.toString(seed),
        Boolean.toString(capture), Boolean.toString(trace), family == null ? "both" : family.toString(),
        seeded ? "seeded" : "secure"));
    // The log may hold earlier runs (the same --out): read only what this run appends.
    long offset = log.toFile().length();
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    } catch (IOException e) {
      throw new LabException("cannot start the lab's control process: " + e.getMessage(), e);
    }
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
    StringBuilder partial = new StringBuilder();
    emu.control.lab.Progress progress = emu.control.lab.Progress.nodeStarts(out);
    while (true) {
      try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
        if (f.length() > offset) {
          byte[] b = new byte[(int) (f.length() - offset)];
          f.seek(offset);
          f.readFully(b);
          offset += b.length;
          partial.append(new String(b, StandardCharsets.UTF_8));
          int nl;
          while ((nl = partial.indexOf("\n")) >= 0) {
            String line = partial.substring(0, nl);
            partial.delete(0, nl + 1);
            // a lab of hundreds of nodes takes minutes: the limit is on silence, not on the start
            // (the control process itself gives each node 90 s from its launch)
            deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
            if (line.startsWith("READY ")) {
              progress.end();
              return;
            }
            if (line.startsWith("emu: ")) {
              progress.end();
              err.println(line);
              err.flush();
            } else {
              progress.accept(line);
            }
          }
        }
      } catch (IOException e) {
        // not written yet
      }
      if (!p.isAlive()) {
        progress.end();
        throw new LabException("the lab's control process exited with status " + p.exitValue() + " (log: " + log + ")");
      }
      if (System.currentTimeMillis() > deadline) {
        p.destroy();
        throw new LabException("the lab did not come up: its control process said nothing for " + START_TIMEOUT_MS / 1000
            + " s (log: " + log + ")");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LabException("interrupted");
      }
    }
  }
}
