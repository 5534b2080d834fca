package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.TestLocks.Alone;
import emu.control.lab.Tools.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first pings across a fresh lab measure the network, not the JVM warming up (issue 21): on
 * the seed's path (client, switch, router, switch, payroll; dual stack, so {@code ping payroll}
 * goes over IPv6 as in the seed), the median of the first 20 of 300 pings 10 ms apart is within
 * 3 times the median of pings 200 to 300, and the very first (which also resolves the gateway's
 * neighbour entry) within 100 ms. The bounds are generous, for a loaded CI machine; the strict
 * goals (1.3 times, 3 times) are the benchmark's ({@code emu bench --only fidelity}).
 *
 * <p>It runs the lab as a user who wants this asks for it: all its nodes in one JVM ({@code
 * EMU_NODES_PER_JVM}, here the property {@code emu.nodesPerJvm}) with the warm-up at full ({@code
 * EMU_NODE_WARMUP}, {@code emu.node.warmup}), each unless the run's properties say otherwise. The
 * warm-up then runs once, and the code it compiled serves every node. With a JVM per node it does
 * not reach this bound (run by hand under the lock on 2 cores, {@code -Demu.nodesPerJvm=1}: with
 * the full warm-up the first ping took 37 ms and the first 20 a median of 13.9 ms against 1.65 ms
 * for pings 200-300, 8.4x; without it, earlier, 216 and 468 ms, 141 and 387 ms against 1.1 ms).
 * See BENCHMARKS.md, "The first packet with the lab's nodes in one JVM".
 */
@Alone
class FirstPingLabTest {
  @TempDir
  static Path state;

  private static final Pattern TIME = Pattern.compile("time=([0-9.]+) ms");

  /** The leak detector level the other tests' nodes run with (paranoid), restored after this test. */
  private static String leakLevel;
  private static String warmup;
  private static String perJvm;

  @BeforeAll
  static void stateDir() {
    System.setProperty("emu.stateDir", state.toString());
    // Nodes as users run them: at the tests' paranoid level the leak detector is what would be measured.
    leakLevel = Tools.nodesAtUsersLeakLevel();
    warmup = System.getProperty("emu.node.warmup");
    if (warmup == null) {
      System.setProperty("emu.node.warmup", "full");
    }
    perJvm = System.getProperty("emu.nodesPerJvm");
    if (perJvm == null) {
      System.setProperty("emu.nodesPerJvm", "64");
    }
  }

  @AfterAll
  static void nothingLeft() {
    Tools.leakLevel(leakLevel);
    if (warmup == null) {
      System.clearProperty("emu.node.warmup");
    }
    if (perJvm == null) {
      System.clearProperty("emu.nodesPerJvm");
    }
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
  }

  @Test
  void theFirstPingsOfAFreshLabAreAlmostAsFastAsWarmOnes(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("firstping.yml"), """
        name: firstping
        topology:
          defaults: {kind: host}
          nodes:
            client:
              interfaces: {eth0: {address: [192.168.1.100/24, "2001:db8:1::100/64"]}}
              gateway: [192.168.1.1, "2001:db8:1::1"]
            sw1: {kind: switch}
            r1:
              kind: router
              interfaces:
                eth0: {address: [192.168.1.1/24, "2001:db8:1::1/64"]}
                eth1: {address: [192.168.5.1/24, "2001:db8:5::1/64"]}
            sw2: {kind: switch}
            payroll:
              interfaces: {eth0: {address: [192.168.5.100/24, "2001:db8:5::100/64"]}}
              gateway: [192.168.5.1, "2001:db8:5::1"]
          links:
            - endpoints: ["client:eth0", "sw1:p1"]
            - endpoints: ["r1:eth0", "sw1:p2"]
            - endpoints: ["r1:eth1", "sw2:p1"]
            - endpoints: ["payroll:eth0", "sw2:p2"]
        """);
    Cli up = emu("up", dir.resolve("firstping.yml").toString(), "--out", dir.resolve("out").toString());
    assertEquals(0, up.exit(), () -> up.out() + up.err());
    try {
      if (perJvm == null) {
        List<String> jvms = Tools.nodeProcesses(state.toString());
        assertEquals(1, jvms.size(), () -> "the lab's 5 nodes in one JVM: " + jvms);
      }
      for (String node : List.of("client", "r1", "payroll")) {
        outOfDuplicateAddressDetection(node);
      }
      Cli ping = emu("exec", "client", "--", "ping", "-c", "300", "-i", "0.01", "payroll");
      assertEquals(0, ping.exit(), () -> ping.out() + ping.err());
      List<Double> rtt = TIME.matcher(ping.out()).results().map(m -> Double.parseDouble(m.group(1))).toList();
      assertTrue(ping.out().contains("from 2001:db8:5::100"), "over IPv6, as the seed's ping: " + ping.out());
      assertTrue(rtt.size() >= 290, "replies: " + rtt.size() + "\n" + ping.out());
      double first20 = median(rtt.subList(0, 20));
      double warm = median(rtt.subList(200, rtt.size()));
      String said = String.format("first ping %.3f ms, first 20 p50 %.3f ms, pings 200-300 p50 %.3f ms (%.1fx)",
          rtt.get(0), first20, warm, first20 / warm);
      System.out.println("first ping: " + said);
      assertTrue(first20 <= 3 * warm, said);
      assertTrue(rtt.get(0) < 100, said);
    } finally {
      emu("down");
    }
  }

  /**
   * Waits until {@code node}'s IPv6 addresses are usable: duplicate address detection takes up to
   * 2 s from the node's start (RFC 4862: a random delay up to 1 s, then 1 s for the answer), and a
   * lab in one JVM is up sooner than that; before, {@code ping payroll} takes IPv4 for want of a
   * usable IPv6 source (as Linux does) or payroll does not answer yet.
   */
  private static void outOfDuplicateAddressDetection(String node) throws InterruptedException {
    for (int i = 0; i < 50; i++) {
      Cli ip = emu("exec", node, "--", "ip", "addr");
      assertEquals(0, ip.exit(), () -> ip.out() + ip.err());
      if (!ip.out().contains("tentative")) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(node + "'s IPv6 addresses still tentative after 5 s");
  }

  private static double median(List<Double> xs) {
    List<Double> s = xs.stream().sorted().toList();
    return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
  }
}
