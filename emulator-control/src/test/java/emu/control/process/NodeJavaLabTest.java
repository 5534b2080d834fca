package emu.control.process;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    Path topo = NodeClassArchiveTest.pair(dir, "jvmpair");
    for (NodeJava jdk : jdks) {
      Path home = NodeJava.home(jdk.java());
      Path out = dir.resolve("out-" + jdk.version().feature());
      String o = NodeClassArchiveTest.cli(dir, classPath, Map.of("EMU_JAVA", home.toString(),
          "EMU_NODE_JVM_OPTS", "-Xshare:on -XshowSettings:properties"), topo, out);
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
}
