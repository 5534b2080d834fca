package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.lab.Tools.Cli;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several nodes in one JVM ({@code EMU_NODES_PER_JVM}, here 3): the seed's LAN (sw1, r1, client,
 * printer, payroll) starts in two JVMs, [sw1, r1, client] and [printer, payroll] (launch order:
 * switches, routers, hosts), and behaves as a lab of node processes does, through the same CLI:
 * a ping crosses both JVMs; pausing r1 freezes r1 alone (client, in the same JVM, still answers);
 * killing payroll leaves printer running; restarting payroll gives it a JVM of its own; killing
 * printer then ends its JVM without a death reported; a JVM killed from outside shows its nodes
 * dead; and {@code down} leaves no process behind.
 */
class GroupedLabTest {
  @TempDir
  static Path state;

  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void isolateState() {
    System.setProperty("emu.stateDir", state.toString());
    System.setProperty("emu.nodesPerJvm", "3");
  }

  @AfterEach
  void down() {
    emu("down");
  }

  @AfterAll
  static void noProcessLeft() {
    System.clearProperty("emu.nodesPerJvm");
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
  }

  static Map<String, JsonNode> nodes() throws Exception {
    Cli s = emu("status", "--json"); // exit status 1 while a node is not running: the JSON says which
    assertTrue(s.out().startsWith("{"), s.out() + s.err());
    Map<String, JsonNode> out = new HashMap<>();
    for (JsonNode n : JSON.readTree(s.out()).path("nodes")) {
      out.put(n.path("name").asText(), n);
    }
    return out;
  }

  static long pid(String node) throws Exception {
    return nodes().get(node).path("pid").asLong();
  }

  static String stateOf(String node) throws Exception {
    return nodes().get(node).path("state").asText();
  }

  static int ping(String from, String to) {
    return FaultInjectionTest.received(emu("exec", from, "--", "ping", "-c", "2", "-i", "0.2", "-W", "0.5", to));
  }

  @Test
  void nodesShareJvmsYetPauseKillAndRestartAlone(@TempDir Path out) throws Exception {
    Cli up = emu("up", MultiProcessLabTest.lan.toString(), "--out", out.toString(), "--no-capture");
    assertEquals(0, up.exit(), up.out() + up.err());
    long first = pid("sw1");
    long second = pid("printer");
    assertNotEquals(first, second);
    assertEquals(first, pid("r1"));
    assertEquals(first, pid("client"));
    assertEquals(second, pid("payroll"));
    assertEquals(2, Tools.nodeProcesses(state.toString()).size(), Tools.nodeProcesses(state.toString()).toString());
    String log = Files.readString(out.resolve("jvm.sw1.log"));
    assertTrue(log.startsWith("emu: nodes sw1, r1, client in one JVM"), log);
    assertTrue(log.contains("READY r1 pid=" + first + " "), log);
    assertTrue(Files.readString(out.resolve("jvm.printer.log")).contains("READY payroll pid=" + second + " "));
    assertEquals(2, ping("client", "192.168.5.100"), "across both JVMs");

    // pause: r1's loop blocks, the client beside it in the same JVM goes on
    assertEquals(0, emu("node", "pause", "r1").exit());
    assertEquals("paused", stateOf("r1"));
    assertEquals(0, ping("client", "192.168.5.100"));
    assertEquals(2, ping("client", "192.168.1.50"), "the client, in r1's JVM, still runs");
    assertEquals(0, emu("node", "resume", "r1").exit());
    assertEquals(2, ping("client", "192.168.5.100"));

    // kill: payroll ends inside its JVM, printer goes on; restart gives payroll a JVM of its own
    assertEquals(0, emu("node", "kill", "payroll").exit());
    assertEquals("killed", stateOf("payroll"));
    assertEquals("running", stateOf("printer"));
    assertEquals(0, ping("client", "192.168.5.100"));
    assertEquals(2, ping("printer", "192.168.1.100"));
    Cli gone = emu("exec", "payroll", "--", "ip", "addr");
    assertEquals(1, gone.exit(), gone.out());
    assertTrue(gone.err().contains("node payroll is not running (it was killed inside the JVM it shared with other "
        + "nodes; see " + out.resolve("jvm.printer.log")), gone.err());
    Cli restart = emu("node", "restart", "payroll");
    assertEquals(0, restart.exit(), restart.err());
    long own = pid("payroll");
    assertNotEquals(second, own);
    assertEquals(3, Tools.nodeProcesses(state.toString()).size());
    assertEquals(2, ping("client", "192.168.5.100"));

    // the last node of a JVM killed: the JVM ends, and no node is reported dead
    assertEquals(0, emu("node", "kill", "printer").exit());
    assertTrue(ProcessHandle.of(second).map(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join()).isPresent()
        || ProcessHandle.of(second).isEmpty());
    assertTrue(ProcessHandle.of(second).map(h -> !h.isAlive()).orElse(true), "printer's JVM ended");
    Map<String, JsonNode> now = nodes();
    assertEquals("killed", now.get("printer").path("state").asText());
    for (String n : List.of("sw1", "r1", "client", "payroll")) {
      assertEquals("running", now.get(n).path("state").asText(), n + ": " + now.get(n));
    }

    // a shared JVM killed from outside: each of its nodes is dead, the others run on
    ProcessHandle jvm = ProcessHandle.of(first).orElseThrow();
    jvm.destroyForcibly();
    jvm.onExit().get(10, TimeUnit.SECONDS);
    now = nodes();
    for (String n : List.of("sw1", "r1", "client")) {
      assertEquals("dead", now.get(n).path("state").asText(), n + ": " + now.get(n));
    }
    assertEquals("running", now.get("payroll").path("state").asText());

    Cli down = emu("down");
    assertEquals(0, down.exit(), down.err());
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()));
  }

  @Test
  void badNodesPerJvmIsRefusedBeforeAnythingStarts(@TempDir Path out) throws Exception {
    System.setProperty("emu.nodesPerJvm", "three");
    try {
      Cli up = emu("up", MultiProcessLabTest.lan.toString(), "--out", out.toString(), "--no-capture");
      assertNotEquals(0, up.exit(), up.out() + up.err());
      assertTrue(up.err().startsWith("emu: EMU_NODES_PER_JVM must be a whole number"), up.err());
      assertTrue(up.out().isEmpty(), "nothing started: " + up.out());
      assertEquals(List.of(), Tools.nodeProcesses(state.toString()));
    } finally {
      System.setProperty("emu.nodesPerJvm", "3");
    }
  }
}
