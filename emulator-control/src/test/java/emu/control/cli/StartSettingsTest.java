package emu.control.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.lab.LabPreflight;
import emu.control.lab.LabException;
import emu.control.process.NodeProcesses;
import emu.node.warm.WarmUp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Settings a lab's start reads from the environment, said wrong: the command line refuses them
 * before anything starts (exit status 2, the setting named with the words it takes), instead of
 * nodes that start otherwise than asked (a warm-up level the node cannot read started it cold,
 * said only in its log) or a control process that fails later.
 */
class StartSettingsTest {
  private static final String LAB = """
      name: settings
      topology:
        nodes:
          sw1: {kind: switch}
          h1: {kind: host, interfaces: {eth0: {address: 192.168.1.10/24}}}
        links:
          - endpoints: ["h1:eth0", "sw1:p1"]
      """;

  @BeforeEach
  void noSettingFromOutside() {
    Assumptions.assumeTrue(System.getenv("EMU_NODE_WARMUP") == null, "EMU_NODE_WARMUP is set here");
  }

  @AfterEach
  void clear() {
    System.clearProperty("emu.node.warmup");
  }

  @Test
  void theWarmUpWordsAreRead() throws Exception {
    assertEquals(WarmUp.Level.OFF, NodeProcesses.warmupLevel(), "unset: off");
    for (var c : List.of(List.of("full", WarmUp.Level.FULL), List.of(" LIGHT ", WarmUp.Level.LIGHT),
        List.of("off", WarmUp.Level.OFF), List.of("  ", WarmUp.Level.OFF))) {
      System.setProperty("emu.node.warmup", (String) c.get(0));
      assertEquals(c.get(1), NodeProcesses.warmupLevel(), "'" + c.get(0) + "'");
      LabPreflight.settings(); // and nothing refused
    }
  }

  @Test
  void aWarmUpLevelThatIsNoneIsRefused() {
    for (String bad : List.of("fulll", "on", "2", "full light")) {
      System.setProperty("emu.node.warmup", bad);
      LabException e = assertThrows(LabException.class, LabPreflight::settings, bad);
      assertEquals("EMU_NODE_WARMUP must be full, light or off, not '" + bad + "'", e.getMessage());
    }
  }

  @Test
  void upWithAWarmUpLevelThatIsNoneStartsNothing(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("lab.yml");
    Files.writeString(file, LAB);
    System.setProperty("emu.node.warmup", "fulll");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int up = EmuCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), "up", file.toString(),
        "--out", dir.resolve("out").toString());
    assertEquals(2, up, out + "\n" + err);
    assertTrue(err.toString().contains("emu: EMU_NODE_WARMUP must be full, light or off, not 'fulll'"), err.toString());
    assertFalse(Files.exists(dir.resolve("out")), "nothing started, nothing written");
  }

  /**
   * EMU_JAVA is read from the environment only (a node JVM is chosen once per emu process), so the
   * command line runs in a JVM of its own, as a user's shell starts it.
   */
  @Test
  void upWithAnEmuJavaThatIsNoJdkStartsNothing(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("lab.yml");
    Files.writeString(file, LAB);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        EmuCommand.class.getName(), "up", file.toString(), "--out", dir.resolve("out").toString())
        .redirectErrorStream(true);
    pb.environment().put("EMU_JAVA", dir.resolve("no-such-jdk").toString());
    pb.environment().put("EMU_STATE_DIR", dir.resolve("state").toString());
    Process p = pb.start();
    boolean ended = p.waitFor(60, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly();
    }
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(ended, "emu up did not end\n" + said);
    assertEquals(2, p.exitValue(), said);
    assertTrue(said.contains("emu: EMU_JAVA=" + dir.resolve("no-such-jdk")
        + " is neither a java executable nor a JDK folder with bin/java in it"), said);
    assertFalse(Files.exists(dir.resolve("out")), "nothing started, nothing written");
    assertFalse(Files.exists(dir.resolve("state").resolve("labs").resolve("settings")), "no lab recorded");
  }
}
