package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static emu.control.lab.Tools.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import emu.control.lab.Tools.Cli;
import emu.control.state.LabState;
import emu.node.config.NodeConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Port squatting, as a local attacker does it: a lab of two hosts on one link is up, h2 is killed
 * ({@code emu node kill}), and another OS process ({@link Squatter}) binds the port h2 freed,
 * records what reaches it and answers as if it were h2. Then the user goes on: status, exec,
 * {@code emu node restart h2}.
 */
class PortSquatLabTest {
  @TempDir
  static Path state;

  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void isolateState() {
    System.setProperty("emu.stateDir", state.toString());
  }

  @AfterAll
  static void noNodeLeft() {
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
  }

  static Path topology(Path dir, String name) throws IOException {
    Path topo = dir.resolve(name + ".yml");
    Files.writeString(topo, """
        name: %s
        topology:
          nodes:
            h1: {kind: host, interfaces: {eth0: {address: 10.0.0.1/24}}}
            h2: {kind: host, interfaces: {eth0: {address: 10.0.0.2/24}}}
          links:
            - endpoints: ["h1:eth0", "h2:eth0"]
        """.formatted(name));
    return topo;
  }

  /** Starts the attacker as its own process (this JVM's java and class path) and waits until it has bound. */
  static Process squat(Path dir, String... ports) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), Squatter.class.getName(), dir.toString()));
    cmd.addAll(List.of(ports));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = r.readLine();
    if (!"BOUND".equals(line)) {
      p.destroyForcibly();
      fail("the attacker could not bind " + String.join(" ", ports) + ": " + line);
    }
    return p;
  }

  static JsonNode node(JsonNode status, String name) {
    for (JsonNode n : status.path("nodes")) {
      if (n.path("name").asText().equals(name)) {
        return n;
      }
    }
    throw new AssertionError(name + " not in " + status);
  }

  static LabState labState(String lab) throws IOException {
    return LabState.read(state.resolve("labs").resolve(lab));
  }

  /**
   * Item 1: the management port. Before: the control plane polled h2's planned port at restart
   * with {@code Authorization: Bearer LAB-TOKEN}, so the attacker received the lab's API token,
   * its fake 200 was taken for h2's health, and the new h2 could not bind the port (exit 3).
   * Now the control plane signs with h2's own key (never sent), believes only answers that prove
   * that key, and learns h2's new, kernel-chosen port from its READY line.
   */
  @Test
  void aSquatterOnAKilledNodesManagementPortLearnsNoSecretAndIsNotBelieved(@TempDir Path dir) throws Exception {
    Path topo = topology(dir, "squatmgmt");
    Path out = dir.resolve("out");
    Files.createDirectories(dir.resolve("attacker"));
    Process attacker = null;
    ok("up", topo.toString(), "--out", out.toString(), "--no-capture");
    try {
      LabState before = labState("squatmgmt");
      String token = before.token();
      List<String> keys = new ArrayList<>();
      for (LabState.NodeState n : before.nodes()) {
        keys.add(NodeConfig.read(Path.of(n.config())).management().token());
      }
      String oldMgmt = before.node("h2").mgmt();
      int oldPort = Integer.parseInt(oldMgmt.substring(oldMgmt.lastIndexOf(':') + 1));

      ok("node", "kill", "h2");
      attacker = squat(dir.resolve("attacker"), "--tcp", Integer.toString(oldPort));

      // what a user does next
      Cli status = emu("status", "--json");
      assertEquals("killed", node(JSON.readTree(status.out()), "h2").path("state").asText(), status.out());
      Cli ping = emu("exec", "h1", "--", "ping", "-c", "1", "-W", "0.3", "10.0.0.2");
      assertEquals(1, ping.exit(), ping.out() + ping.err());
      // a command that takes h2 for up (its record says where it was) talks to the attacker: the
      // fake 200 is not believed
      try {
        JsonNode fake = Lab.attach("squatmgmt").client("h2").status();
        fail("the attacker's answer was believed: " + fake);
      } catch (IOException e) {
        assertTrue(e.getMessage().contains("is not node h2"), e.getMessage());
      }
      ok("node", "restart", "h2");

      LabState after = labState("squatmgmt");
      assertNotEquals(oldMgmt, after.node("h2").mgmt(), "h2 listens on a new port, recorded for later commands");
      JsonNode st = JSON.readTree(ok("status", "--json").out());
      JsonNode h2 = node(st, "h2");
      assertEquals("running", h2.path("state").asText(), h2.toString());
      assertEquals(after.node("h2").mgmt(), h2.path("mgmt").asText());
      assertEquals("02:00:00:00:02:00", h2.path("interfaces").get(0).path("mac").asText(), "the real h2 answered");
      assertFalse(st.toString().contains(Squatter.FAKE_MAC), st.toString());
      Cli again = ok("exec", "h1", "--", "ping", "-c", "1", "10.0.0.2");
      assertTrue(again.out().contains("1 received"), again.out());
      assertTrue(ok("exec", "h2", "--", "ip", "addr").out().contains("10.0.0.2/24"));

      attacker.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      byte[] got = Files.readAllBytes(dir.resolve("attacker/tcp.bin"));
      String caught = new String(got, StandardCharsets.ISO_8859_1);
      assertTrue(caught.contains("GET /status"), "the attacker did receive a request: " + caught);
      assertFalse(caught.contains(token), "the lab's API token reached the attacker:\n" + caught);
      for (String k : keys) {
        assertFalse(caught.contains(k), "a node's key reached the attacker:\n" + caught);
      }
      assertEquals(2, keys.size());
      assertNotEquals(keys.get(0), keys.get(1), "each node has its own key");
      assertFalse(keys.contains(token), "no node holds the lab's API token");
    } finally {
      if (attacker != null) {
        attacker.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      ok("down", "squatmgmt");
    }
  }

  static JsonNode link(String node) throws IOException {
    // (exit status 1 while a node is down; the JSON is there all the same)
    return node(JSON.readTree(emu("status", "--json").out()), node).path("interfaces").get(0).path("link");
  }

  static long lines(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file).size() : 0;
  }

  /** Waits up to 5 s for {@code counter} of h1's eth0 link to pass {@code than}; its last value. */
  static long awaitAbove(String counter, long than) throws Exception {
    long v = 0;
    for (int i = 0; i < 50; i++) {
      v = link("h1").path(counter).asLong();
      if (v > than) {
        return v;
      }
      Thread.sleep(100);
    }
    return v;
  }

  /**
   * Item 2: the link port. Before: while h2 was down, the attacker's frames from h2's freed link
   * port were accepted by h1 (the peer filter checks address and port, nothing else: that stays,
   * and the README says so), and {@code node restart h2} failed (h2 could not bind its port, exit
   * 3). Now h2 binds another port and reports it, the control plane tells h1, and h1 drops (and
   * counts as not_from_peer) what comes from the old port and sends nothing more there.
   */
  @Test
  void aSquatterOnAKilledNodesLinkPortIsDroppedOnceTheNodeRestartsElsewhere(@TempDir Path dir) throws Exception {
    Path topo = topology(dir, "squatlink");
    Path out = dir.resolve("out");
    Path rec = dir.resolve("attacker");
    Files.createDirectories(rec);
    Process attacker = null;
    ok("up", topo.toString(), "--out", out.toString(), "--no-capture");
    try {
      LabState before = labState("squatlink");
      String h1Bind = NodeConfig.read(Path.of(before.node("h1").config())).interfaces().get(0).bind();
      String h2Bind = NodeConfig.read(Path.of(before.node("h2").config())).interfaces().get(0).bind();
      String h1Port = h1Bind.substring(h1Bind.lastIndexOf(':') + 1);
      String h2Port = h2Bind.substring(h2Bind.lastIndexOf(':') + 1);

      ok("node", "kill", "h2");
      long rx0 = link("h1").path("rx_frames").asLong();
      attacker = squat(rec, "--udp", h2Port, "--send-to", h1Port);
      // the documented limit: from the peer's address and port, the attacker is the peer
      assertTrue(awaitAbove("rx_frames", rx0 + 5) > rx0 + 5, "h1 took the attacker's frames while h2 was down");

      Cli restart = emu("node", "restart", "h2");
      assertEquals(0, restart.exit(), restart.out() + restart.err());
      String moved = NodeConfig.read(Path.of(before.node("h2").config())).interfaces().get(0).bind();
      assertNotEquals(h2Bind, moved, "h2 bound another port, recorded in its configuration");
      assertEquals(moved, node(JSON.readTree(ok("status", "--json").out()), "h1").path("interfaces").get(0)
          .path("peer").asText(), "h1 sends to h2's new port");
      Thread.sleep(300); // whatever h1 sent to the old port before it was told has arrived
      long caught = lines(rec.resolve("udp.log"));
      long dropped = link("h1").path("rx_drop_not_from_peer").asLong();

      Cli ping = ok("exec", "h1", "--", "ping", "-c", "3", "-i", "0.2", "10.0.0.2");
      assertTrue(ping.out().contains("3 received"), ping.out());
      assertTrue(awaitAbove("rx_drop_not_from_peer", dropped + 5) > dropped + 5,
          "h1 drops and counts the attacker's frames from h2's old port");
      Thread.sleep(300);
      assertEquals(caught, lines(rec.resolve("udp.log")), "the attacker received nothing h1 sent after the restart");
    } finally {
      if (attacker != null) {
        attacker.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      ok("down", "squatlink");
    }
  }
}
