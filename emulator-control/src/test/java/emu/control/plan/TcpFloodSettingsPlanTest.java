package emu.control.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.topology.Topology;
import emu.control.topology.TopologyLoader;
import emu.node.config.NodeConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flood defences a topology sets (TCP {@code syncookies}, {@code max-connections},
 * {@code max-connections-per-listener}; the HTTPS {@code idle-timeout}) from the file to the
 * configuration the node process reads, and the file's errors about them. Before these fields
 * existed every file here was refused as naming unknown fields.
 */
class TcpFloodSettingsPlanTest {
  private static final Path FILE = Path.of("lab.yml");

  private static String lab(String webExtra, String httpsExtra) {
    return """
        name: floods
        topology:
          nodes:
            web:
              kind: host
              interfaces: {eth0: {address: 192.168.1.10/24}}%s
              https: {names: [web.lab]%s}
            h2: {kind: host, interfaces: {eth0: {address: 192.168.1.11/24}}}
          links:
            - endpoints: ["web:eth0", "h2:eth0"]
        """.formatted(webExtra, httpsExtra);
  }

  private static String problems(String yaml) {
    return MacTableSizePlanTest.problems(yaml);
  }

  private static NodeConfig web(Path dir, String yaml) throws Exception {
    Topology topo = TopologyLoader.parse(FILE, yaml);
    LabPlan plan;
    try (PortAllocator ports = new PortAllocator()) {
      plan = LabPlanner.plan(topo, dir.resolve("state"), dir.resolve("out"), 1, false, false, null, ports);
    }
    NodeConfig c = plan.nodes().stream().filter(n -> n.name().equals("web")).findFirst().orElseThrow().config();
    c.write(dir.resolve("web.json"));
    plan.hosts().write(dir.resolve(emu.node.config.HostsTable.FILE)); // the lab's name table, which it names
    return NodeConfig.read(dir.resolve("web.json")); // what the node process reads
  }

  @Test
  void theSettingsReachTheNodesConfiguration(@TempDir Path dir) throws Exception {
    NodeConfig c = web(dir, lab("\n      tcp: {syncookies: off, max-connections: 500,"
        + " max-connections-per-listener: 100}", ", idle-timeout: 15s"));
    assertEquals(Map.of("syncookies", "off", "max-connections", "500", "max-connections-per-listener", "100"),
        c.tcp());
    assertEquals(15_000_000_000L, c.https().idleTimeoutNanos());
    // the sysctl's own values, and YAML's true
    assertEquals("on", web(dir, lab("\n      tcp: {syncookies: 1}", "")).tcp().get("syncookies"));
    assertEquals("on", web(dir, lab("\n      tcp: {syncookies: true}", "")).tcp().get("syncookies"));
    // by default: no words (the node's defaults), and the server's 60 s
    NodeConfig plain = web(dir, lab("", ""));
    assertNull(plain.tcp());
    assertEquals(60_000_000_000L, plain.https().idleTimeoutNanos());
    assertEquals(500_000_000L, web(dir, lab("", ", idle-timeout: 500ms")).https().idleTimeoutNanos());
  }

  @Test
  void badValuesAreRefusedNamingTheNodeAndField() {
    String cookies = problems(lab("\n      tcp: {syncookies: sometimes}", ""));
    assertTrue(cookies.startsWith("lab.yml:7:"), cookies);
    assertTrue(cookies.contains("syncookies of node web is 'sometimes'; use on"), cookies);
    String cap = problems(lab("\n      tcp: {max-connections: 0}", ""));
    assertTrue(cap.contains("max-connections 0 in tcp settings of node web is out of range; it must be an integer"
        + " in 1..1048576"), cap);
    String listener = problems(lab("\n      tcp: {max-connections-per-listener: 2000000}", ""));
    assertTrue(listener.contains("max-connections-per-listener 2000000 in tcp settings of node web is out of range"),
        listener);
    String typo = problems(lab("\n      tcp: {max-connection: 10}", ""));
    assertTrue(typo.contains("unknown field 'max-connection' in tcp settings of node web")
        && typo.contains("did you mean 'max-connections'"), typo);
    String notDuration = problems(lab("", ", idle-timeout: soon"));
    assertTrue(notDuration.startsWith("lab.yml:7:"), notDuration);
    assertTrue(notDuration.contains("https idle-timeout of node web 'soon' is not a duration; write 500ms, 30s"),
        notDuration);
    assertTrue(problems(lab("", ", idle-timeout: 30")).contains("'30' is not a duration"));
    assertTrue(problems(lab("", ", idle-timeout: 10ms")).contains("https idle-timeout of node web 10ms is out of"
        + " range; it must be 100ms to 24h"));
    assertTrue(problems(lab("", ", idle-timeout: 999999999h")).contains("is out of range"));
  }
}
