package emu.control.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.lab.Tools.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C during {@code emu run}: the terminal sends SIGINT to the whole foreground process group,
 * the CLI and the nodes it started. Every node must stop and the lab's state record must go, or
 * {@code emu status} goes on showing a lab "up" whose nodes are dead until the next run. Each
 * test runs the CLI as its own process, in its own process group, with a lab of two hosts.
 */
class RunInterruptTest {
  private static final String LAB = "interrupted";

  /**
   * While the nodes start (the record is written, the nodes' JVMs are still coming up): the
   * shutdown hook used to be registered only once the lab was up, so the record stayed.
   */
  @Test
  void ctrlCWhileTheNodesStartForgetsTheLab(@TempDir Path dir) throws Exception {
    Path state = dir.resolve("state");
    interruptRun(dir, log -> Files.exists(state.resolve("labs/" + LAB + "/lab.json")));
  }

  /** During the scenario (a step sleeping): the nodes stop and the record goes. */
  @Test
  void ctrlCDuringTheScenarioForgetsTheLab(@TempDir Path dir) throws Exception {
    interruptRun(dir, log -> log.contains("step 1/1"));
  }

  private interface LogCheck {
    boolean test(String log) throws IOException;
  }

  private static void interruptRun(Path dir, LogCheck when) throws Exception {
    Path setsid = Path.of("/usr/bin/setsid");
    Assumptions.assumeTrue(Files.isExecutable(setsid), "needs setsid(1)");
    Tools.requireSigint();
    Path state = dir.resolve("state");
    Path topo = dir.resolve("pair.yml");
    Files.writeString(topo, """
        name: %s
        topology:
          nodes:
            a: {kind: host, interfaces: {eth0: {address: 10.0.0.1/24}}}
            b: {kind: host, interfaces: {eth0: {address: 10.0.0.2/24}}}
          links:
            - endpoints: ["a:eth0", "b:eth0"]
        scenario:
          - a: sleep 600
        """.formatted(LAB));
    Path log = dir.resolve("run.log");
    // its own session and process group: signalling the group is a terminal's Ctrl-C, and does
    // not reach this JVM
    ProcessBuilder pb = new ProcessBuilder(setsid.toString(), Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("java.class.path"), "emu.control.cli.EmuCommand", "run",
        topo.toString(), "--out", dir.resolve("out").toString(), "--no-capture")
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("EMU_STATE_DIR", state.toString());
    Process run = pb.start();
    try {
      long deadline = System.currentTimeMillis() + 120_000;
      while (!when.test(Files.readString(log))) {
        assertTrue(run.isAlive(), () -> "emu run ended early:\n" + read(log));
        assertTrue(System.currentTimeMillis() < deadline, () -> "never got there:\n" + read(log));
        Thread.sleep(10);
      }
      Process kill = new ProcessBuilder("kill", "-INT", "--", "-" + run.pid()).inheritIO().start();
      assertEquals(0, kill.waitFor());
      assertTrue(run.waitFor(60, TimeUnit.SECONDS), () -> "emu run did not end on SIGINT:\n" + read(log));

      assertFalse(Files.exists(state.resolve("labs/" + LAB)), () -> "state record left behind:\n" + read(log));
      assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
      String before = System.getProperty("emu.stateDir");
      System.setProperty("emu.stateDir", state.toString());
      try {
        Cli status = Tools.emu("status");
        assertEquals(1, status.exit(), status.out());
        assertTrue(status.err().contains("no lab is up"), status.out() + status.err());
      } finally {
        if (before == null) {
          System.clearProperty("emu.stateDir");
        } else {
          System.setProperty("emu.stateDir", before);
        }
      }
    } finally {
      run.destroyForcibly();
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
