package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static emu.control.lab.Tools.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.lab.Tools.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The opening scenario, with every node its own process: three switches in a triangle
 * and a host on two of them. Without spanning tree the first broadcast circulated forever; with
 * RSTP (on by default) the loop is cut at one port:
 *
 * <pre>
 *            s1 (priority 4096: the root)
 *          p1/  \p2
 *        p1/    \p1
 *   h2 - s2 ---- s3 - h3     s3:p2 is the alternate, and discards
 *       p3   p2  p2  p3
 * </pre>
 *
 * Hosts ping each other; over a few seconds the switches flood next to nothing and an ARP
 * broadcast reaches the other host exactly once (counters from {@code emu stats}, as
 * {@code /metrics} has them, and the hosts' captures, read by tshark). {@code link down} of s3's
 * root port: the alternate takes over and pings go on. {@code node pause} of the root: its neighbour s2 hears nothing more, ages its
 * information out after three hellos and becomes root itself, s3 following. One lab, hello 1 s.
 */
class StpLoopLabTest {
  @TempDir
  static Path state;

  static final Duration CONVERGE = Duration.ofSeconds(30);
  static long t0;

  @BeforeAll
  static void isolateState() {
    Tools.require("tshark");
    System.setProperty("emu.stateDir", state.toString());
  }

  @AfterAll
  static void noNodeLeft() {
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
  }

  static void mark(String step) {
    System.out.printf("StpLoopLabTest %5.1f s: %s%n", (System.nanoTime() - t0) / 1e9, step);
  }

  /** The six ports of the triangle and their states, as {@code bridge link} prints them. */
  static Map<String, String> triangle() {
    return triangle(List.of("s1", "s2", "s3"));
  }

  static Map<String, String> triangle(List<String> switches) {
    Map<String, String> all = new LinkedHashMap<>();
    for (String s : switches) {
      StpProbe.states(s).forEach((port, st) -> {
        if (!port.equals("p3")) { // the hosts' ports
          all.put(s + ":" + port, st);
        }
      });
    }
    return all;
  }

  static String seen() {
    return triangle() + "\n" + StpProbe.stp("s1") + StpProbe.stp("s2") + StpProbe.stp("s3");
  }

  /** {@link #seen()} while s1 is paused: it cannot answer. */
  static String seenWithoutS1() {
    return triangle(List.of("s2", "s3")) + "\n" + StpProbe.stp("s2") + StpProbe.stp("s3");
  }

  static long sum(String metric, String... nodes) {
    long n = 0;
    for (String node : nodes) {
      n += StpProbe.metric(node, metric);
    }
    return n;
  }

  static void pings(String from, String to) {
    Cli ping = ok("exec", from, "--", "ping", "-c", "2", "-W", "5", to);
    assertTrue(ping.out().contains("2 received"), ping.out());
  }

  @Test
  void aTriangleOfSwitchesForwardsOnATreeAndReconverges(@TempDir Path dir) throws Exception {
    Path lab = dir.resolve("stploop.yml");
    Files.writeString(lab, """
        name: stploop
        topology:
          defaults: {kind: host}
          nodes:
            s1: {kind: switch, stp: {priority: 4096, hello: 1, max-age: 6, forward-delay: 4}}
            s2: {kind: switch, stp: {hello: 1, max-age: 6, forward-delay: 4}}
            s3: {kind: switch, stp: {hello: 1, max-age: 6, forward-delay: 4}}
            h2: {interfaces: {eth0: {address: 10.0.0.2/24}}}
            h3: {interfaces: {eth0: {address: 10.0.0.3/24}}}
          links:
            - endpoints: ["s1:p1", "s2:p1"]
            - endpoints: ["s1:p2", "s3:p1"]
            - endpoints: ["s2:p2", "s3:p2"]
            - endpoints: ["h2:eth0", "s2:p3"]
            - endpoints: ["h3:eth0", "s3:p3"]
        """);
    t0 = System.nanoTime();
    Path out = dir.resolve("out");
    ok("up", lab.toString(), "--out", out.toString());
    try {
      mark("lab up");
      StpProbe.await("s3:p2 blocking, the rest forwarding", CONVERGE, () -> triangle().equals(Map.of(
          "s1:p1", "forwarding", "s1:p2", "forwarding", "s2:p1", "forwarding",
          "s2:p2", "forwarding", "s3:p1", "forwarding", "s3:p2", "blocking")), StpLoopLabTest::seen);
      String root = StpProbe.root("s1");
      assertTrue(StpProbe.stp("s1").contains("designated root " + root + " (this bridge)"));
      assertEquals(root, StpProbe.root("s2"));
      assertEquals(root, StpProbe.root("s3"));
      assertTrue(StpProbe.stp("s3").matches("(?s).*\\n  p2 +alternate +blocking .*"), StpProbe.stp("s3"));
      pings("h2", "10.0.0.3");
      mark("converged, pinged");

      // The loop is cut: over 3 s with no traffic offered the switches flood next to nothing
      // (they do not flood BPDUs; a loop floods thousands of frames a second) ...
      String[] switches = {"s1", "s2", "s3"};
      long flooded = sum("emu_bridge_flooded_frames_total", switches);
      long h3Frames = StpProbe.metric("h3", "emu_interface_receive_frames_total");
      Thread.sleep(3000);
      long floodedAfter = sum("emu_bridge_flooded_frames_total", switches);
      long h3FramesAfter = StpProbe.metric("h3", "emu_interface_receive_frames_total");
      assertTrue(floodedAfter - flooded <= 10, "flooded in 3 s: " + (floodedAfter - flooded));
      // s3's BPDUs, one a second, and little else
      assertTrue(h3FramesAfter - h3Frames <= 15, "h3 received in 3 s: " + (h3FramesAfter - h3Frames));
      // ... and an ARP broadcast for an address nobody has reaches h3 once per request h2 sent
      // (counted in the captures at the end: h2 retries, and h3 probes h2 on its own, so the
      // hosts' ARP counters move by more than the requests for 10.0.0.99).
      Cli nobody = emu("exec", "h2", "--", "ping", "-c", "1", "-W", "1", "10.0.0.99");
      assertNotEquals(0, nobody.exit(), nobody.out());
      // h2 retries for a while after ping gives up: let it finish before the topology changes.
      long[] last = {-1, System.nanoTime()};
      StpProbe.await("h2's ARP requests to stop for 3 s", Duration.ofSeconds(30), () -> {
        long n = StpProbe.metric("h2", "emu_arp_requests_sent_total");
        if (n != last[0]) {
          last[0] = n;
          last[1] = System.nanoTime();
        }
        return System.nanoTime() - last[1] >= 3_000_000_000L;
      }, () -> "h2 sent " + last[0]);
      assertTrue(StpProbe.metric("s3", "emu_bridge_discarded_frames_total") > 0, "s3's alternate port dropped them");
      mark("bounded");

      // s3's root port goes down: its alternate becomes the root port and forwards at once.
      long tcs = sum("emu_stp_topology_changes_total", switches);
      ok("link", "down", "s3:p1");
      StpProbe.await("s3:p2 forwarding as the root port", CONVERGE, () -> StpProbe.stp("s3")
          .matches("(?s).*root port p2 path cost 40000.*\\n  p2 +root +forwarding .*"), StpLoopLabTest::seen);
      pings("h3", "10.0.0.2");
      assertTrue(sum("emu_stp_topology_changes_total", switches) > tcs, "the change was counted");
      mark("link down, alternate took over");

      // The root falls silent (SIGSTOP: its links stay up, nothing comes out): s2 ages its
      // information out after 3 hellos and, with the lowest id left, becomes the root; s3 follows.
      long aged = StpProbe.metric("s2", "emu_stp_info_aged_total");
      ok("node", "pause", "s1");
      StpProbe.await("s2 the root", CONVERGE, () -> StpProbe.stp("s2").contains("(this bridge)")
          && StpProbe.root("s3").equals(StpProbe.root("s2")), StpLoopLabTest::seenWithoutS1);
      assertTrue(StpProbe.metric("s2", "emu_stp_info_aged_total") > aged, "s2 aged s1's information out");
      assertTrue(StpProbe.stp("s3").matches("(?s).*\\n  p2 +root +forwarding .*"), StpProbe.stp("s3"));
      pings("h2", "10.0.0.3");
      mark("root paused, reconverged");

      // The root comes back: its better id wins again.
      ok("node", "resume", "s1");
      StpProbe.await("s1 the root again", CONVERGE, () -> StpProbe.root("s2").equals(root)
          && StpProbe.root("s3").equals(root), StpLoopLabTest::seen);
      pings("h2", "10.0.0.3");
      for (String s : switches) {
        assertEquals(0, StpProbe.metric(s, "emu_stp_internal_errors_total"), s);
      }
      mark("root back");
    } finally {
      Cli down = emu("down", "stploop");
      assertEquals(0, down.exit(), down.err());
    }
    // Each request for 10.0.0.99 crossed the tree once: as many reached h3 as h2 sent (a loop
    // would multiply them without end; the ports that block would let none through).
    String filter = "arp.opcode == 1 && arp.dst.proto_ipv4 == 10.0.0.99";
    int sent = StpProbe.tshark(out.resolve("h2-eth0.pcap"), filter).size();
    assertTrue(sent >= 1, "h2 sent no ARP request for 10.0.0.99");
    assertEquals(sent, StpProbe.tshark(out.resolve("h3-eth0.pcap"), filter).size(), "requests at h3");
    mark("captures checked");
  }
}
