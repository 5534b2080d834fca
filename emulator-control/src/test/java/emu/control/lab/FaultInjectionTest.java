package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import emu.control.lab.Tools.Cli;
import emu.control.state.LabState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults injected into running multi-process labs through the CLI and the control API: link
 * impairments (and setting them back to zero), bad requests refused with nothing changed,
 * kill / restart / pause / resume, link down seen at both ends, partitions, the timed fault
 * plan in the narrative, and repeatable loss with a seed.
 */
class FaultInjectionTest {
  @TempDir
  static Path state;

  static Path configs = Path.of(System.getProperty("emu.configs", "../configs"));
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void isolateState() {
    System.setProperty("emu.stateDir", state.toString());
  }

  @AfterAll
  static void noProcessLeft() {
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
  }

  static JsonNode status() throws Exception {
    Cli s = emu("status", "--json");
    return JSON.readTree(s.out());
  }

  static JsonNode iface(JsonNode status, String node, String iface) {
    for (JsonNode n : status.path("nodes")) {
      if (n.path("name").asText().equals(node)) {
        for (JsonNode i : n.path("interfaces")) {
          if (i.path("name").asText().equals(iface)) {
            return i;
          }
        }
      }
    }
    throw new AssertionError(node + ":" + iface + " not in " + status);
  }

  static int received(Cli ping) {
    return received(ping.out() + ping.err());
  }

  static int received(String pingOutput) {
    Matcher m = Pattern.compile("(\\d+) received").matcher(pingOutput);
    assertTrue(m.find(), pingOutput);
    return Integer.parseInt(m.group(1));
  }

  @Test
  void impairmentsAndNodeFaultsOnALabThatIsUp(@TempDir Path out) throws Exception {
    Cli up = emu("up", MultiProcessLabTest.lan.toString(), "--out", out.toString(), "--no-capture",
        "--seed", "11");
    try {
      assertEquals(0, up.exit(), up.out() + up.err());
      assertEquals(2, received(emu("exec", "client", "--", "ping", "-c", "2", "-i", "0.2", "payroll")));

      // Loss 100% on the router's egress toward the server: nothing comes back. Then back to 0%.
      Cli set = emu("link", "set", "r1:eth1", "--loss", "100%", "--delay", "5ms");
      assertEquals(0, set.exit(), set.err());
      assertEquals("100%", iface(status(), "r1", "eth1").path("impairment").path("loss").asText());
      assertEquals(0, received(emu("exec", "client", "--", "ping", "-c", "2", "-i", "0.2", "-W", "0.5", "payroll")));
      assertEquals(0, emu("link", "set", "r1:eth1", "--loss", "0%").exit());
      JsonNode eth1 = iface(status(), "r1", "eth1");
      assertFalse(eth1.path("impairment").has("loss"), eth1.toString());
      assertEquals("5ms", eth1.path("impairment").path("delay").asText(), "a change touches only what it names");
      assertTrue(eth1.path("impairment_counters").path("loss_drops").asLong() >= 2, eth1.toString());
      assertEquals(2, received(emu("exec", "client", "--", "ping", "-c", "2", "-i", "0.2", "payroll")));

      // Bad requests: a clear error, exit status not 0, nothing changed.
      for (String[] bad : List.of(new String[] {"--loss", "150%"}, new String[] {"--loss", "-1%"},
          new String[] {"--rate", "0mbit"}, new String[] {"--rate", "-5mbit"}, new String[] {"--delay", "20"},
          new String[] {"--rate", "10mbps"})) {
        Cli r = emu("link", "set", "r1:eth1", bad[0], bad[1]);
        assertEquals(1, r.exit(), String.join(" ", bad) + ": " + r.out());
        assertTrue(r.err().contains(bad[0].substring(2)), r.err());
      }
      assertEquals("{\"delay\":\"5ms\"}", iface(status(), "r1", "eth1").path("impairment").toString());
      Cli ghost = emu("link", "set", "ghost:eth0", "--loss", "1%");
      assertEquals(1, ghost.exit());
      assertTrue(ghost.err().contains("no link endpoint 'ghost:eth0'") && ghost.err().contains("HTTP 404"), ghost.err());
      Cli noNode = emu("node", "kill", "ghost");
      assertTrue(noNode.exit() != 0 && noNode.err().contains("no node named ghost"), noNode.err());
      assertEquals(0, emu("link", "clear", "r1:eth1").exit());
      assertEquals("{}", iface(status(), "r1", "eth1").path("impairment").toString());

      // The API refuses requests without the token, or with a wrong one, and changes nothing.
      LabState lab = LabState.read(state.resolve("labs/lan"));
      HttpClient http = HttpClient.newHttpClient();
      for (String token : new String[] {null, "wrong"}) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + lab.controller().api()
            + "/labs/lan/links/r1:eth1/impairment")).POST(HttpRequest.BodyPublishers.ofString("{\"loss\":\"50%\"}"));
        if (token != null) {
          b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode());
        assertTrue(r.body().contains("\"error\""), r.body());
      }
      assertEquals("{}", iface(status(), "r1", "eth1").path("impairment").toString());
      assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
          Files.getPosixFilePermissions(state.resolve("labs/lan/lab.json"))), "the token file is private");

      // Kill: the control plane names the dead node; restart brings connectivity back.
      assertEquals(0, emu("node", "kill", "payroll").exit());
      JsonNode st = status();
      assertTrue(st.toString().contains("\"name\":\"payroll\",\"kind\":\"host\""));
      for (JsonNode n : st.path("nodes")) {
        if (n.path("name").asText().equals("payroll")) {
          assertEquals("killed", n.path("state").asText());
        }
      }
      assertEquals(0, received(emu("exec", "client", "--", "ping", "-c", "1", "-W", "0.5", "payroll")));
      Cli restart = emu("node", "restart", "payroll");
      assertEquals(0, restart.exit(), restart.err());
      assertEquals(2, received(emu("exec", "client", "--", "ping", "-c", "2", "-i", "0.2", "payroll")));

      // Pause freezes the router; resume thaws it.
      assertEquals(0, emu("node", "pause", "r1").exit());
      assertEquals(0, received(emu("exec", "client", "--", "ping", "-c", "1", "-W", "0.5", "payroll")));
      assertEquals(0, emu("node", "resume", "r1").exit());
      assertEquals(1, received(emu("exec", "client", "--", "ping", "-c", "1", "payroll")));

      // Link down is seen at both ends; up restores it.
      assertEquals(0, emu("link", "down", "r1:eth1").exit());
      st = status();
      assertEquals("DOWN", iface(st, "r1", "eth1").path("state").asText());
      assertEquals("DOWN", iface(st, "payroll", "eth0").path("state").asText());
      Cli unreachable = emu("exec", "client", "--", "ping", "-c", "1", "-W", "0.5", "payroll");
      assertTrue(unreachable.out().contains("Destination Net Unreachable"), unreachable.out());
      assertEquals(0, emu("link", "up", "payroll:eth0").exit());
      assertEquals("UP", iface(status(), "r1", "eth1").path("state").asText());
      assertEquals(1, received(emu("exec", "client", "--", "ping", "-c", "1", "payroll")));

      // Partition: the client is cut off from the rest; heal restores it.
      Cli part = emu("partition", "client");
      assertEquals(0, part.exit(), part.err());
      assertTrue(part.out().contains("client:eth0--sw1:p1"), part.out());
      Cli cut = emu("exec", "client", "--", "ping", "-c", "1", "-W", "0.5", "payroll");
      assertEquals(2, cut.exit(), cut.out());
      assertTrue(cut.out().contains("Network is down"), cut.out());
      assertEquals(1, emu("link", "up", "client:eth0").exit(), "a partitioned link cannot be brought up alone");
      assertEquals(0, emu("heal").exit());
      assertEquals(1, received(emu("exec", "client", "--", "ping", "-c", "1", "payroll")));
    } finally {
      Cli down = emu("down");
      assertEquals(0, down.exit(), down.err());
    }
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()));
  }

  @Test
  void timedFaultPlanRunsAlongTheScenarioAndIsNarrated(@TempDir Path dir) throws Exception {
    Path topo = dir.resolve("plan.yml");
    Files.writeString(topo, """
        name: plan
        topology:
          nodes:
            a: {kind: host, interfaces: {eth0: {address: 10.0.0.1/24}}, gateway: 10.0.0.254}
            r: {kind: router, interfaces: {eth0: {address: 10.0.0.254/24}, eth1: {address: 10.0.1.254/24}}}
            b: {kind: host, interfaces: {eth0: {address: 10.0.1.1/24}}, gateway: 10.0.1.254}
          links:
            - endpoints: ["a:eth0", "r:eth0"]
              impairments: {delay: 2ms}
            - endpoints: ["r:eth1", "b:eth0"]
        faults:
          - at 1s set r:eth1 loss 100%
          - at 3s clear r:eth1
        scenario:
          - a: ping -c 16 -i 0.25 b
          - a: ping -c 1 b
        """);
    Cli r = emu("run", topo.toString(), "--out", dir.resolve("out").toString(), "--no-capture");
    assertEquals(0, r.exit(), r.out() + r.err());
    String o = r.out();
    assertTrue(o.contains("control") && o.contains("at 1.000s: set r:eth1 loss 100%"), o);
    assertTrue(o.contains("at 3.000s: clear r:eth1"), o);
    int got = received(o.substring(0, o.indexOf("step 2/2")));
    assertTrue(got >= 4 && got <= 12, "the pings inside the loss window (1-3 s) are lost, the others answered: " + got);
    assertTrue(o.contains("rtt min/avg/max"), o);
    double minRtt = Double.parseDouble(o.replaceAll("(?s).*rtt min/avg/max/mdev = ([0-9.]+)/.*", "$1"));
    assertTrue(minRtt >= 4.0, "2 ms each way on a:eth0 and r:eth0 from the file: min RTT " + minRtt);
  }

  @Test
  void sameSeedSameLossPattern(@TempDir Path dir) throws Exception {
    Path topo = dir.resolve("lossy.yml");
    Files.writeString(topo, """
        name: lossy
        topology:
          nodes:
            a: {kind: host, interfaces: {eth0: {address: 10.0.0.1/24}}}
            b: {kind: host, interfaces: {eth0: {address: 10.0.0.2/24}}}
          links:
            - endpoints: ["a:eth0", "b:eth0"]
          """ + "\n" + """
            b:
              interfaces:
                eth0: {address: 10.0.0.2/24, impairments: {loss: 30%}}
        """.substring(0, 0) + """
        scenario:
          - a: ping -c 1 -W 3 b
          - a: ping -c 30 -i 0.05 b
        """);
    // b's egress loses 30% of its frames: the replies (and b's ARP answers) are what gets lost.
    String yaml = Files.readString(topo).replace("b: {kind: host, interfaces: {eth0: {address: 10.0.0.2/24}}}",
        "b: {kind: host, interfaces: {eth0: {address: 10.0.0.2/24, impairments: {loss: 30%}}}}");
    Files.writeString(topo, yaml);
    List<String> patterns = new ArrayList<>();
    for (String seed : List.of("42", "42", "43")) {
      Cli r = emu("run", topo.toString(), "--out", dir.resolve("out" + patterns.size()).toString(), "--no-capture",
          "--seed", seed);
      String step2 = r.out().substring(r.out().indexOf("step 2/2"));
      StringBuilder p = new StringBuilder();
      for (int seq = 1; seq <= 30; seq++) {
        p.append(step2.contains("icmp_seq=" + seq + " ") ? '1' : '0');
      }
      patterns.add(p.toString());
    }
    assertEquals(patterns.get(0), patterns.get(1), "same seed, topology and traffic: same losses");
    assertTrue(patterns.get(0).contains("0") && patterns.get(0).contains("1"), patterns.get(0));
    assertFalse(patterns.get(0).equals(patterns.get(2)), "another seed, another pattern: " + patterns);
  }
}
