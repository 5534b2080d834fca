package emu.control.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JVM options a node process is started with. */
class NodeProcessesTest {
  @Test
  void nativeHeapTrimmingIsAskedOnlyOfJvmsThatHaveIt() {
    assertTrue(NodeProcesses.trimsNativeHeap(Runtime.Version.parse("17.0.9")));
    assertTrue(NodeProcesses.trimsNativeHeap(Runtime.Version.parse("17.0.15+6")));
    assertTrue(NodeProcesses.trimsNativeHeap(Runtime.Version.parse("21.0.1")));
    assertTrue(NodeProcesses.trimsNativeHeap(Runtime.Version.parse("25")));
    assertEquals(false, NodeProcesses.trimsNativeHeap(Runtime.Version.parse("17.0.8")));
    assertEquals(false, NodeProcesses.trimsNativeHeap(Runtime.Version.parse("21")));
    assertEquals(false, NodeProcesses.trimsNativeHeap(Runtime.Version.parse("20.0.2")));
  }

  @Test
  void everyInstalledJdkAcceptsTheOptionsOfItsVersion() throws Exception {
    List<NodeJava> jdks = new ArrayList<>(NodeJava.installed(NodeJava.DEBIAN_JVMS));
    jdks.add(new NodeJava(NodeJava.own(), Runtime.version(), "emu's own"));
    for (NodeJava j : jdks) {
      List<String> cmd = new ArrayList<>(List.of(j.java().toString()));
      cmd.addAll(NodeProcesses.baseJvmOptions(j.version()));
      cmd.add(NodeProcesses.TRAP_LIMIT);
      cmd.add("-version");
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor(), j.describe() + " refuses " + cmd + ":\n" + out);
    }
  }

  @Test
  void idleWakeUpOptionsOnlyForJdksMeasured() {
    assertTrue(NodeProcesses.baseJvmOptions(Runtime.Version.parse("17.0.15")).contains("-XX:-UsePerfData"));
    assertTrue(NodeProcesses.baseJvmOptions(Runtime.Version.parse("25.0.3")).contains(
        "-XX:AsyncDeflationInterval=10000"));
    assertEquals(false, NodeProcesses.baseJvmOptions(Runtime.Version.parse("26")).stream()
        .anyMatch(o -> o.startsWith("-XX:AsyncDeflationInterval")));
  }

  @Test
  void onlyNodesThatWarmUpCompileThePathsTheirProfilesHaveNotSeen() {
    String before = System.getProperty("emu.node.warmup");
    try {
      Runtime.Version v = Runtime.Version.parse("17.0.15");
      System.setProperty("emu.node.warmup", "full");
      assertTrue(NodeProcesses.jvmOptions(v).contains(NodeProcesses.TRAP_LIMIT));
      System.setProperty("emu.node.warmup", "Light ");
      assertTrue(NodeProcesses.jvmOptions(v).contains(NodeProcesses.TRAP_LIMIT));
      System.setProperty("emu.node.warmup", "off");
      assertEquals(false, NodeProcesses.jvmOptions(v).contains(NodeProcesses.TRAP_LIMIT));
      System.setProperty("emu.node.warmup", "max"); // not a level: the node says so and starts cold
      assertEquals(false, NodeProcesses.jvmOptions(v).contains(NodeProcesses.TRAP_LIMIT));
      assertEquals(false, NodeProcesses.baseJvmOptions(v).contains(NodeProcesses.TRAP_LIMIT));
    } finally {
      if (before == null) {
        System.clearProperty("emu.node.warmup");
      } else {
        System.setProperty("emu.node.warmup", before);
      }
    }
  }
}
