package emu.control.topology;

import static emu.control.topology.Labs.only;
import static emu.control.topology.Labs.problem;
import static emu.control.topology.Labs.problems;
import static emu.control.topology.Labs.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopologyLoaderTest {

  private static Path fixture(String name) throws URISyntaxException {
    return Path.of(TopologyLoaderTest.class.getResource("/topology/" + name).toURI());
  }

  @Test
  void validFileLoadsToTheExpectedModel() throws Exception {
    Path file = fixture("corporate.yml");
    Topology t = TopologyLoader.load(file);

    assertEquals(file, t.file());
    assertEquals("corporate", t.name());
    assertEquals(List.of("client", "laptop", "sw1", "r1", "payroll"), t.nodes().stream().map(NodeSpec::name).toList());
    assertEquals(List.of(), t.warnings());

    NodeSpec client = t.node("client");
    assertEquals("host", client.kind(), "defaults.kind applies");
    assertEquals(7, client.line());
    assertEquals(List.of(new IfaceSpec("eth0", "192.168.1.100/24", "02:00:00:00:01:00", 40001, 1500)),
        client.interfaces());
    assertEquals("192.168.1.1", client.gateway());
    assertEquals(Map.of("payroll.corp.com", "192.168.5.100"), client.hosts());
    assertEquals("127.0.0.1", client.bind(), "default bind");
    assertNull(client.mgmtPort());
    assertEquals(List.of(), client.routes());

    NodeSpec laptop = t.node("laptop");
    assertEquals(List.of(new RouteSpec("0.0.0.0/0", "192.168.1.1", 0), new RouteSpec("192.168.5.0/24", "192.168.1.1", 5)),
        laptop.routes());
    assertNull(laptop.gateway());
    assertEquals("127.0.0.2", laptop.bind());
    assertEquals(41000, laptop.mgmtPort());
    assertTrue(laptop.hosts().isEmpty());

    NodeSpec sw1 = t.node("sw1");
    assertTrue(sw1.isSwitch());
    assertFalse(sw1.isRouter());
    assertEquals(List.of(new IfaceSpec("p9", null, "02:00:00:00:09:09", 40009, 9000),
        new IfaceSpec("p1", null, null, null, null), new IfaceSpec("p2", null, null, null, null)),
        sw1.interfaces(), "declared ports first, then implicit ones in order of first link");
    assertEquals(new IfaceSpec("p1", null, null, null, null), sw1.iface("p1"));
    assertNull(sw1.iface("p3"));

    NodeSpec r1 = t.node("r1");
    assertTrue(r1.isRouter());
    assertEquals(30, r1.line());
    assertEquals("192.168.5.1/24", r1.iface("eth1").address());
    assertNull(t.node("nope"));

    assertEquals(4, t.links().size());
    LinkSpec second = t.links().get(1);
    assertEquals(new LinkSpec.Endpoint("laptop", "eth0"), second.a());
    assertEquals("sw1:p2", second.b().toString());
    assertEquals(1400, second.mtu());
    assertEquals(41, second.line());
    assertNull(t.links().get(0).mtu());
    assertEquals(44, t.links().get(3).line());

    assertEquals(List.of(new ScenarioStep("client", "ping -c 2 192.168.5.100", 46),
        new ScenarioStep("laptop", "ping -c 1 payroll.corp.com", 47)), t.scenario());
  }

  @Test
  void minimalFileNeedsNoLinksOrScenario() {
    Topology t = valid("""
        name: lab
        topology:
          nodes:
            sw1: {kind: switch}
            sw2:
              kind: switch
        """);
    assertEquals(List.of(), t.links());
    assertEquals(List.of(), t.scenario());
    assertEquals(List.of(), t.node("sw1").interfaces());
    assertEquals(5, t.node("sw2").line());
  }

  @Test
  void warningsAreReturnedSeparately() {
    Topology t = valid("""
        name: lab
        topology:
          defaults: {kind: host}
          nodes:
            h1:
              interfaces:
                eth0: {address: 10.0.1.1/24}
                eth1: {address: 10.0.9.1/24}
            h2:
              interfaces:
                eth0: {address: 10.0.2.1/24}
          links:
            - endpoints: [h1:eth0, h2:eth0]
        """);
    assertEquals(2, t.warnings().size(), () -> Labs.render(t.warnings()));
    assertTrue(t.warnings().get(0).startsWith("lab.yml:8:9: interface h1:eth1 is declared but not linked"),
        t.warnings().get(0));
    assertTrue(t.warnings().get(1).startsWith("lab.yml:13:7: linked interfaces h1:eth0 (10.0.1.0/24)"
        + " and h2:eth0 (10.0.2.0/24) are in different subnets"), t.warnings().get(1));
  }

  @Test
  void severalProblemsAreAllReportedInFileOrder() {
    String yaml = """
        name: Bad Name
        topology:
          nodes:
            h1:
              kind: host
              interfaces:
                eth0: {address: 10.0.0.1/32}
              gateway: 10.9.9.9
            r1:
              kind: rooter
          links:
            - endpoints: [h1:eth0, r9:eth0]
        scenario:
          - h3: ping h1
        """;
    List<Problem> all = problems(yaml);
    assertEquals(List.of(1, 7, 10, 12, 14), all.stream().map(Problem::line).toList(), Labs.render(all));
    problem(yaml, 1, "lab name 'Bad Name' is invalid");
    problem(yaml, 7, "no room for a neighbour");
    problem(yaml, 10, "unknown kind 'rooter'");
    problem(yaml, 12, "no node named r9");
    problem(yaml, 14, "no node named h3");
    try {
      TopologyLoader.parse(Labs.FILE, yaml);
    } catch (TopologyException e) {
      String[] lines = e.getMessage().split("\n");
      assertEquals(5, lines.length);
      assertTrue(lines[0].startsWith("lab.yml:1:7: lab name"), lines[0]);
      assertEquals("lab.yml:12:28: link endpoint 'r9:eth0': no node named r9 (did you mean 'r1'?)", lines[3]);
    }
  }

  @Test
  void seedTopologiesAreValid() throws Exception {
    String configs = System.getProperty("emu.configs");
    org.junit.jupiter.api.Assumptions.assumeTrue(configs != null, "emu.configs is set by the Maven build");
    try (var files = Files.list(Path.of(configs))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
        Topology t = TopologyLoader.load(f);
        assertEquals(List.of(), t.warnings(), f.toString());
      }
    }
  }

  @Test
  void modelIsImmutable() {
    Topology t = valid("name: lab\ntopology: {nodes: {h1: {kind: host, hosts: {a: 10.0.0.1}}}}\n");
    assertThrows(UnsupportedOperationException.class, () -> t.nodes().clear());
    assertThrows(UnsupportedOperationException.class, () -> t.node("h1").hosts().clear());
    assertTrue(t.node("h1").isHost());
  }

  @Test
  void problemPrintsFileLineColumnAndMessage() {
    assertEquals("dir/lab.yml:3:5: oops", new Problem(Path.of("dir/lab.yml"), 3, 5, "oops").toString());
  }

  @Test
  void yamlSyntaxErrorHasItsLine() {
    Problem p = only("""
        name: lab
        topology:
          nodes:
            h1: {kind: host
            h2: {kind: host}
        """, 5, "YAML syntax error");
    assertEquals(7, p.column());
    assertTrue(p.message().contains("line 4"), p.message());
  }

  @Test
  void tabIndentationIsASyntaxErrorOnItsLine() {
    only("name: lab\ntopology:\n\tnodes: {}\n", 3, "YAML syntax error");
  }

  @Test
  void badIndentationIsASyntaxError() {
    only("""
        name: lab
          topology: {}
        """, 2, "YAML syntax error");
  }

  @Test
  void emptyFileIsAnError() {
    only("", 1, "the file is empty");
    only("# nothing here\n\n", 1, "the file is empty");
    only("---\n", 1, "the file is empty");
  }

  @Test
  void topLevelMustBeAMap() {
    only("- name: lab\n", 1, "the top level must be a map");
    only("just text\n", 1, "the top level must be a map");
  }

  @Test
  void secondDocumentIsAnError() {
    only("""
        name: lab
        topology:
          nodes: {sw1: {kind: switch}}
        ---
        name: other
        """, 5, "a second YAML document");
  }

  @Test
  void duplicateKeysAreReportedWithBothLines() {
    Problem p = only("""
        name: lab
        topology:
          nodes:
            sw1: {kind: switch}
            sw1: {kind: host}
        """, 5, "duplicate key 'sw1'");
    assertTrue(p.message().contains("line 4"), p.message());
  }

  @Test
  void anchorsAliasesAndMergeKeysWork() {
    Topology t = valid("""
        name: lab
        topology:
          nodes:
            h1: &hostish
              kind: host
              gateway: 10.0.0.1
              interfaces:
                eth0: {address: 10.0.0.10/24}
            h2:
              <<: *hostish
              interfaces:
                eth0: {address: 10.0.0.11/24}
            r1:
              kind: router
              interfaces:
                eth0: {address: 10.0.0.1/24}
            sw1: {kind: switch}
          links:
            - endpoints: [h1:eth0, sw1:p1]
            - endpoints: [h2:eth0, sw1:p2]
            - endpoints: [r1:eth0, sw1:p3]
        """);
    NodeSpec h2 = t.node("h2");
    assertEquals("host", h2.kind());
    assertEquals("10.0.0.1", h2.gateway());
    assertEquals("10.0.0.11/24", h2.iface("eth0").address());
    assertEquals(List.of(), t.warnings());
  }

  @Test
  void unknownAliasIsReported() {
    problem("""
        name: lab
        topology:
          nodes:
            h1: *missing
        """, 4, "alias '*missing'");
  }

  @Test
  void loadReportsTheFileItWasGiven(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("broken.yml");
    Files.writeString(file, "name: lab\ntopology:\n  nodes: {}\n");
    TopologyException e = assertThrows(TopologyException.class, () -> TopologyLoader.load(file));
    assertEquals(file, e.problems().get(0).file());
    assertTrue(e.getMessage().startsWith(file + ":3:3: topology.nodes is empty"), e.getMessage());
  }

  @Test
  void missingFileIsAnIoException(@TempDir Path dir) {
    assertThrows(NoSuchFileException.class, () -> TopologyLoader.load(dir.resolve("absent.yml")));
  }

  @Test
  void nonUtf8FileIsAProblem(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("binary.yml");
    Files.write(file, new byte[] {'n', 'a', (byte) 0xFF, (byte) 0xFE, 0});
    TopologyException e = assertThrows(TopologyException.class, () -> TopologyLoader.load(file));
    assertTrue(e.getMessage().contains("not UTF-8"), e.getMessage());
  }
}
