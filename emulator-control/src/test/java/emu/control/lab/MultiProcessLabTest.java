package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import emu.control.lab.Tools.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole system as a user drives it: the CLI starts every node of a seed topology as its
 * own JVM, wired by real UDP sockets on loopback; the scenario pings and traceroutes across
 * routers; the captures pass tshark's checks.
 */
class MultiProcessLabTest {
  @TempDir
  static Path state;

  static Path configs = Path.of(System.getProperty("emu.configs", "../configs"));
  /** The first corporate network (ping and traceroute across one router), kept as a test lab. */
  static Path lan = Path.of("src/test/resources/labs/lan.yml");

  /** The leak detector level before: this class's nodes run at paranoid, and their logs are read for LEAK. */
  static String leakLevel;

  @BeforeAll
  static void isolateState() {
    System.setProperty("emu.stateDir", state.toString());
    leakLevel = Tools.nodesAtParanoidLeakLevel();
  }

  @AfterAll
  static void noNodeLeft() {
    Tools.leakLevel(leakLevel);
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
  }

  @Test
  void lanRunPingsAcrossTheRouterAndCapturesPassTshark(@TempDir Path out) throws Exception {
    Cli r = emu("run", lan.toString(), "--out", out.toString(), "--seed", "7");
    assertEquals(0, r.exit(), () -> "run failed:\n" + r.out() + "\n" + r.err());
    String o = r.out();
    // The seed's steps, with this run's values.
    assertTrue(o.contains("routing decision for 192.168.5.100"), o);
    assertTrue(o.contains("who-has 192.168.1.1 tell 192.168.1.100"), "client ARPs for its gateway:\n" + o);
    assertFalse(o.contains("who-has 192.168.5.100 tell 192.168.1.100"), "client must not ARP for the server");
    assertTrue(o.contains("TTL 64 -> 63"), "r1 decrements TTL:\n" + o);
    assertTrue(o.contains("ttl=63"), o);
    assertTrue(o.contains(" 1  r1 (192.168.1.1)  "), "traceroute hop 1 is r1:\n" + o);
    assertTrue(o.contains(" 2  payroll (192.168.5.100)  "), "traceroute hop 2 is the server:\n" + o);
    assertTrue(o.contains("2/2 steps succeeded"), o);

    List<Path> pcaps = new ArrayList<>();
    try (var s = Files.list(out)) {
      s.filter(p -> p.toString().endsWith(".pcap")).forEach(pcaps::add);
    }
    assertEquals(8, pcaps.size(), "one capture per linked interface: " + pcaps);
    Path tshark = Tools.require("tshark");
    for (Path pcap : pcaps) {
      var check = Tools.run(List.of(tshark.toString(), "-r", pcap.toString(), "-o", "ip.check_checksum:TRUE",
          "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
          "-Y", "_ws.malformed || _ws.expert.severity==error"), 60);
      assertEquals(0, check.exit(), pcap + ": " + check.output() + check.errors());
      assertEquals("", check.output().trim(), "tshark found problems in " + pcap);
    }
    var clientSide = Tools.run(List.of(tshark.toString(), "-r", out.resolve("client-eth0.pcap").toString(),
        "-T", "fields", "-e", "frame.protocols"), 60);
    assertTrue(clientSide.output().contains("eth:ethertype:arp"), clientSide.output());
    assertTrue(clientSide.output().contains("eth:ethertype:ip:icmp"), clientSide.output());
    // The router's egress capture shows the forwarded echo with TTL 63 and r1's MAC as source.
    var r1out = Tools.run(List.of(tshark.toString(), "-r", out.resolve("r1-eth1.pcap").toString(),
        "-Y", "icmp.type==8", "-T", "fields", "-e", "ip.ttl", "-e", "eth.src"), 60);
    assertTrue(r1out.output().contains("63\t02:00:00:00:04:01"), r1out.output());

    for (String node : List.of("client", "printer", "sw1", "r1", "payroll")) {
      String log = Files.readString(out.resolve(node + ".log"));
      assertFalse(log.contains("LEAK"), node + " leaked buffers:\n" + log);
      assertTrue(log.contains("READY " + node), node + " log:\n" + log);
    }
    JsonNode forward = null;
    for (String line : Files.readAllLines(out.resolve("events.jsonl"))) {
      JsonNode e = new ObjectMapper().readTree(line);
      // every merged line is an event the model reads back, with the sentence the narrative printed
      assertEquals(e.path("type").asText(), emu.node.event.EventCodec.read(line).type(), line);
      assertFalse(e.path("msg").asText().isBlank(), line);
      if (forward == null && e.path("type").asText().equals("ip.forward") && e.path("node").asText().equals("r1")) {
        forward = e;
      }
    }
    assertTrue(forward != null, "merged events hold r1's forwarding step");
    assertEquals(64, forward.path("ttl_before").asInt());
    assertEquals(63, forward.path("ttl_after").asInt());
    assertEquals("eth1", forward.path("out").asText());
  }

  @Test
  void internetTracerouteShowsEveryHop(@TempDir Path out) {
    Cli r = emu("run", configs.resolve("internet.yml").toString(), "--out", out.toString(), "--no-capture");
    assertEquals(0, r.exit(), () -> r.out() + r.err());
    String o = r.out();
    assertTrue(o.contains(" 1  home (192.168.0.1)  "), o);
    assertTrue(o.contains(" 2  isp (198.51.100.1)  "), o);
    assertTrue(o.contains(" 3  dc (198.51.100.6)  "), o);
    assertTrue(o.contains(" 4  www (203.0.113.15)  "), o);
  }

  @Test
  void upStatusExecKillDown(@TempDir Path out) throws Exception {
    Cli up = emu("up", lan.toString(), "--out", out.toString());
    try {
      assertEquals(0, up.exit(), () -> up.out() + up.err());
      Cli status = emu("status", "--json");
      assertEquals(0, status.exit(), status.err());
      JsonNode st = new ObjectMapper().readTree(status.out());
      assertEquals(5, st.path("nodes").size());
      for (JsonNode n : st.path("nodes")) {
        assertEquals("running", n.path("state").asText(), n.toString());
        assertTrue(n.path("pid").asLong() > 0);
      }
      Cli ping = emu("exec", "client", "--", "ping", "-c", "1", "payroll");
      assertEquals(0, ping.exit(), ping.out() + ping.err());
      assertTrue(ping.out().contains("1 received"), ping.out());
      Cli neigh = emu("exec", "client", "--", "ip", "neigh");
      assertTrue(neigh.out().contains("192.168.1.1 dev eth0 lladdr 02:00:00:00:04:00 REACHABLE"), neigh.out());
      Cli route = emu("exec", "client", "--", "ip", "route");
      assertTrue(route.out().contains("default via 192.168.1.1 dev eth0"), route.out());
      Cli unknown = emu("exec", "ghost", "--", "ip", "route");
      assertEquals(2, unknown.exit());
      assertTrue(unknown.err().contains("no node named ghost"), unknown.err());

      long pid = st.path("nodes").get(3).path("pid").asLong();
      assertEquals("r1", st.path("nodes").get(3).path("name").asText());
      ProcessHandle victim = ProcessHandle.of(pid).orElseThrow();
      victim.destroyForcibly();
      victim.onExit().get();
      Cli after = emu("status");
      assertEquals(1, after.exit());
      assertTrue(after.out().matches("(?s).*r1\\s+router\\s+" + pid + "\\s+dead.*"), after.out());
      Cli dead = emu("exec", "r1", "--", "ip", "route");
      assertEquals(1, dead.exit());
      assertTrue(dead.err().contains("node r1 is not running"), dead.err());
    } finally {
      Cli down = emu("down");
      assertEquals(0, down.exit(), down.err());
      assertTrue(down.out().contains("already dead: r1"), down.out());
    }
    // down leaves a report: counters of the nodes that were up, a row for the one that was not.
    String report = Files.readString(out.resolve("report.html"));
    assertTrue(report.contains("<td>r1</td><td>router</td><td>dead</td><td colspan=\"11\">down: no counters"), report);
    assertTrue(report.contains("<td>client</td><td>host</td><td>running</td><td>eth0</td>"), report);
    assertTrue(report.contains("answers ICMP echo request from 192.168.1.100"), "the ping is in the ladder");
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()));
    Cli none = emu("status");
    assertEquals(1, none.exit());
    assertTrue(none.err().contains("no lab is up"), none.err());
  }

  @Test
  void badTopologyStartsNothing(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yml");
    Files.writeString(bad, """
        name: broken
        topology:
          nodes:
            a: {kind: host, interfaces: {eth0: {address: 10.0.0.1/24}}}
          links:
            - endpoints: ["a:eth0", "ghost:eth0"]
        """);
    Cli r = emu("run", bad.toString(), "--out", dir.resolve("out").toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains(bad + ":6:"), r.err());
    assertTrue(r.err().contains("no node named ghost"), r.err());
    assertFalse(Files.exists(dir.resolve("out")), "nothing was started or written");
    assertFalse(Files.exists(state.resolve("labs/broken")));
  }

  @Test
  void failedStepFailsTheRunAndStopsEveryNode(@TempDir Path dir) throws Exception {
    Path topo = dir.resolve("lan.yml");
    Files.writeString(topo, """
        name: failing
        topology:
          nodes:
            a: {kind: host, interfaces: {eth0: {address: 10.0.0.1/24}}}
            b: {kind: host, interfaces: {eth0: {address: 10.0.0.2/24}}}
          links:
            - endpoints: ["a:eth0", "b:eth0"]
        scenario:
          - a: ping -c 1 b
          - a: ping -c 1 -W 0.5 10.0.0.9
          - b: ip neigh
        """);
    Cli r = emu("run", topo.toString(), "--out", dir.resolve("out").toString(), "--no-capture");
    assertEquals(1, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("✘ step 2 failed (exit status 1)"), r.out());
    assertTrue(r.out().contains("From 10.0.0.1 icmp_seq=1 Destination Host Unreachable")
        || r.out().contains("1 packets transmitted, 0 received"), r.out());
    assertTrue(r.out().contains("10.0.0.1 dev eth0 lladdr 02:00:00:00:01:00 "), "later steps still run:\n" + r.out());
    assertTrue(r.out().contains("2/3 steps succeeded"), r.out());
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()));
  }

  @Test
  void takenPortIsReportedBeforeAnythingStarts(@TempDir Path dir) throws Exception {
    try (java.net.DatagramSocket squatter = new java.net.DatagramSocket(0,
        java.net.InetAddress.getByName("127.0.0.1"))) {
      int port = squatter.getLocalPort();
      Path topo = dir.resolve("pinned.yml");
      Files.writeString(topo, """
          name: pinned
          topology:
            nodes:
              a: {kind: host, interfaces: {eth0: {address: 10.0.0.1/24, port: %d}}}
              b: {kind: host, interfaces: {eth0: {address: 10.0.0.2/24}}}
            links:
              - endpoints: ["a:eth0", "b:eth0"]
          """.formatted(port));
      Cli r = emu("up", topo.toString(), "--out", dir.resolve("out").toString());
      assertEquals(3, r.exit(), r.out() + r.err());
      assertTrue(r.err().contains("UDP port " + port + " on 127.0.0.1 for a:eth0 cannot be bound"), r.err());
      assertEquals(List.of(), Tools.nodeProcesses(state.toString()));
      assertFalse(Files.exists(state.resolve("labs/pinned/lab.json")));
    }
  }
}
