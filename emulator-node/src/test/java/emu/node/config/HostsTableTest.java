package emu.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.names.Hosts;
import emu.node.wire.Ipv4Address;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's name table, shared by every node of a lab through one file: what a node reads is the
 * table with its own entries on top; a configuration without a table file (hand-written, or from
 * an emu before the table was shared) keeps its inline table; a missing or bad file stops the
 * node at start with the file's name.
 */
class HostsTableTest {
  private static NodeConfig node(String kind, Map<String, String> hosts, Map<String, String> hosts6, String file) {
    return NodeConfig.builder("lab", "client", kind).interfaces(List.of()).routes(List.of()).hosts(hosts)
        .management(new NodeConfig.Management("127.0.0.1", 0, "k")).outputDir("/tmp").seed(1).hosts6(hosts6)
        .hostsFile(file).build();
  }

  private static Path write(Path dir, NodeConfig c) throws IOException {
    Path f = dir.resolve("client.json");
    c.write(f);
    return f;
  }

  @Test
  void aNodeReadsTheSharedTableWithItsOwnEntriesOnTop(@TempDir Path dir) throws Exception {
    Map<String, String> v4 = new LinkedHashMap<>();
    v4.put("client", "192.168.1.100");
    v4.put("web", "192.168.1.80");
    v4.put("old", "192.168.1.30");
    Map<String, String> v6 = new LinkedHashMap<>();
    v6.put("client", "2001:db8:1::100");
    v6.put("web", "2001:db8:1::80");
    new HostsTable(v4, v6).write(dir.resolve(HostsTable.FILE));
    Path f = write(dir, node("host", Map.of("web", "10.9.9.9", "both", "10.9.9.10"),
        Map.of("both", "2001:db8:9::10"), HostsTable.FILE));
    assertTrue(Files.readString(f).contains("\"hostsFile\" : \"hosts.json\""));
    assertFalse(Files.readString(f).contains("192.168.1.30"), "the table is not copied into the node's file");

    NodeConfig c = NodeConfig.read(f);
    // the node's entries win, and a name it gives in one family only (web) loses the table's other one
    assertEquals(Map.of("client", "192.168.1.100", "web", "10.9.9.9", "old", "192.168.1.30", "both", "10.9.9.10"),
        c.hosts());
    assertEquals(Map.of("client", "2001:db8:1::100", "both", "2001:db8:9::10"), c.hosts6());
    Hosts h = new Hosts(c.hosts(), c.hosts6());
    assertEquals(Ipv4Address.parse("192.168.1.30"), h.resolve("OLD"));
    assertEquals("old", h.nameOf(Ipv4Address.parse("192.168.1.30")));
    // the control plane rewrites a node's file (a moved link port) from what was written, not from the merge
    assertEquals(Map.of("web", "10.9.9.9", "both", "10.9.9.10"), NodeConfig.readAsWritten(f).hosts());
  }

  @Test
  void theTableIsFoundRelativeToTheConfigurationAndSecretsMergeToo(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("node"));
    Files.createDirectories(dir.resolve("hosts"));
    new HostsTable(Map.of("web", "10.0.0.80"), null).write(dir.resolve("hosts").resolve(HostsTable.FILE));
    Path f = write(dir.resolve("node"), node("host", null, null, "../hosts/" + HostsTable.FILE));
    Path secrets = dir.resolve("secret.json");
    Files.writeString(secrets, "{\"management\": {\"token\": \"own\"}}");
    NodeConfig c = NodeConfig.read(f, secrets);
    assertEquals("own", c.management().token());
    assertEquals(Map.of("web", "10.0.0.80"), c.hosts());
    assertNull(c.hosts6());
  }

  @Test
  void anInlineTableWithoutAFileIsReadAsItIs(@TempDir Path dir) throws Exception {
    Path f = write(dir, node("host", Map.of("web", "10.0.0.80"), Map.of("web", "2001:db8::80"), null));
    NodeConfig c = NodeConfig.read(f);
    assertEquals(Map.of("web", "10.0.0.80"), c.hosts());
    assertEquals(Map.of("web", "2001:db8::80"), c.hosts6());
  }

  @Test
  void aMissingOrBadTableIsAnErrorNamingTheFile(@TempDir Path dir) throws Exception {
    Path f = write(dir, node("host", null, null, HostsTable.FILE));
    IOException missing = assertThrows(IOException.class, () -> NodeConfig.read(f));
    assertTrue(missing.getMessage().contains(dir.resolve(HostsTable.FILE) + " is missing"), missing.getMessage());
    Files.writeString(dir.resolve(HostsTable.FILE), "{\"hosts\": [1, 2]}");
    IOException bad = assertThrows(IOException.class, () -> NodeConfig.read(f));
    assertTrue(bad.getMessage().contains(HostsTable.FILE + " is not valid"), bad.getMessage());
    Files.writeString(dir.resolve(HostsTable.FILE), "{}");
    IOException empty = assertThrows(IOException.class, () -> NodeConfig.read(f));
    assertTrue(empty.getMessage().contains("has no \"hosts\""), empty.getMessage());
    Files.writeString(dir.resolve(HostsTable.FILE), "{\"hosts\": {\"web\": \"10.0.0.80\"}}");
    assertEquals("10.0.0.80", NodeConfig.read(f).hosts().get("web"));
  }

  @Test
  void aSwitchReadsNoTable(@TempDir Path dir) throws Exception {
    Path f = write(dir, node("switch", null, null, HostsTable.FILE));
    assertNull(NodeConfig.read(f).hosts(), "a switch has no names to look up; no file needed");
  }
}
