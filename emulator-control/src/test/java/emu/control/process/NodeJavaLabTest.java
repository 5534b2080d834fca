package emu.control.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes run on the JDK that {@code EMU_JAVA} names, whatever the default would pick: a lab of two
 * hosts pings on JDK 17 (the path that must always work: nodes are Java 17 bytecode) and on the
 * newest JDK of /usr/lib/jvm when that is newer. emu runs as its own JVM from jars, as
 * {@code ./emu} does, so each JDK makes and maps its own class archive; the nodes run with
 * {@code -Xshare:on}, which stops a JVM that cannot map its archive, and print the JVM's
 * properties, so the test sees which JVM really ran each node.
 */
class NodeJavaLabTest {

  @Test
  void nodesStartAndPingOnTheJdkThatEmuJavaNames(@TempDir Path dir) throws Exception {
    List<NodeJava> jdks = new ArrayList<>();
    NodeJava.installed(NodeJava.DEBIAN_JVMS).stream().filter(j -> j.version().feature() == 17).findFirst()
        .ifPresent(jdks::add);
    if (jdks.isEmpty()) {
      String why = "no JDK 17 in " + NodeJava.DEBIAN_JVMS + " (apt-get install openjdk-17-jdk-headless)";
      if ("1".equals(System.getenv("EMU_REQUIRE_TOOLS"))) {
        throw new AssertionError(why + " but EMU_REQUIRE_TOOLS=1");
      }
      Assumptions.abort(why);
    }
    NodeJava.newest(NodeJava.DEBIAN_JVMS).filter(j -> j.version().feature() > 17).ifPresent(jdks::add);
    String classPath = NodeClassArchiveTest.jarredClassPath(dir);
    Path topo = dir.resolve("pair.yml");
    Files.writeString(topo, """
        name: jvmpair
        topology:
          defaults: {kind: host}
          nodes:
            a: {interfaces: {eth0: {address: 10.0.0.1/24}}}
            b: {interfaces: {eth0: {address: 10.0.0.2/24}}}
          links:
            - endpoints: ["a:eth0", "b:eth0"]
        scenario:
          - a: ping -c 2 b
        """);
    for (NodeJava jdk : jdks) {
      Path home = NodeJava.home(jdk.java());
      Path out = dir.resolve("out-" + jdk.version().feature());
      String o = cli(dir, classPath, home, topo, out);
      assertTrue(o.contains("2 packets transmitted, 2 received"), o);
      assertTrue(o.contains("1/1 steps succeeded"), o);
      for (String node : List.of("a", "b")) {
        String log = Files.readString(out.resolve(node + ".log"));
        assertTrue(log.contains("emu: node JVM JDK " + jdk.version() + " (" + jdk.java() + ", EMU_JAVA)"), log);
        assertTrue(log.contains("java.home = " + home), home + " runs " + node + ":\n" + log);
        assertTrue(log.contains("java.runtime.version = " + jdk.version()), log);
        assertTrue(log.contains("READY " + node), log);
      }
    }
  }

  /** {@code emu run FILE} in a JVM of its own from {@code classPath} with EMU_JAVA={@code jdk}. */
  private static String cli(Path dir, String classPath, Path jdk, Path topo, Path out) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(NodeJava.own().toString(), "-cp", classPath, "emu.control.cli.EmuCommand",
        "run", topo.toString(), "--out", out.toString(), "--no-capture").redirectErrorStream(true);
    pb.environment().put("EMU_STATE_DIR", dir.resolve("state").toString());
    pb.environment().put("EMU_JAVA", jdk.toString());
    pb.environment().put("EMU_NODE_JVM_OPTS", "-Xshare:on -XshowSettings:properties");
    Path log = dir.resolve("cli-" + jdk.getFileName() + ".out");
    pb.redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process p = pb.start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("emu run did not finish in 180 s:\n" + Files.readString(log));
    }
    String output = Files.readString(log);
    assertEquals(0, p.exitValue(), output);
    return output;
  }
}
