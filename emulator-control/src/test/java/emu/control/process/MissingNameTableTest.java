package emu.control.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.config.HostsTable;
import emu.node.config.NodeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node process whose configuration names a lab name table that is not there (a state folder
 * copied without it, a ConfigMap not mounted) stops at start with status 2 and the file's name,
 * instead of running without the names and failing a {@code ping NAME} later.
 */
class MissingNameTableTest {
  @Test
  void theNodeExitsAtStartNamingTheFile(@TempDir Path dir) throws Exception {
    NodeConfig c = NodeConfig.builder("lab", "h1", "host").interfaces(List.of()).routes(List.of())
        .hosts(Map.of("web", "10.0.0.80")).management(new NodeConfig.Management("127.0.0.1", 0, "k"))
        .outputDir(dir.toString()).seed(1).parentPid(ProcessHandle.current().pid()).hostsFile(HostsTable.FILE).build();
    Path cfg = dir.resolve("h1.json");
    c.write(cfg);
    Path log = dir.resolve("h1.log");
    Process p = new ProcessBuilder(NodeProcesses.command(cfg, false)).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    try {
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the node did not exit");
    } finally {
      p.destroyForcibly(); // nothing left running if it did not
    }
    String out = Files.readString(log);
    assertEquals(2, p.exitValue(), out);
    assertTrue(out.contains(dir.resolve(HostsTable.FILE) + " is missing"), out);
  }
}
