package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static emu.control.lab.Tools.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import emu.control.TestLocks.KernelNetwork;
import emu.control.lab.Tools.Cli;
import emu.control.linux.LinuxNamespaces;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * emu's iperf3 against Debian's, both ways, through an emulated router: the real {@code iperf3 -c}
 * in a linux node measures against an emu host's {@code iperf3 -s} (started as a service), and
 * the emu host's {@code iperf3 -c} against a real {@code iperf3 -s} in the namespace; TCP, TCP
 * reversed, and UDP at 10 Mbit/s, each with {@code -J}, whose JSON must parse and whose byte
 * counts must agree between the two ends. Needs root and iperf3 (skipped without, failed in CI).
 */
@KernelNetwork
class Iperf3InteropTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String NS = "emu-iperf-kern";

  @TempDir
  static Path state;

  @BeforeAll
  static void requirements() {
    System.setProperty("emu.stateDir", state.toString());
    Tools.requireRoot();
    Tools.require("ip", "iproute2");
    Tools.require("iperf3");
  }

  @AfterAll
  static void nothingLeft() throws Exception {
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
    assertTrue(LinuxNamespaces.namespaces().stream().noneMatch(n -> n.startsWith("emu-iperf")),
        "namespaces left behind: " + LinuxNamespaces.namespaces());
  }

  static JsonNode json(Cli c) throws Exception {
    return JSON.readTree(c.out());
  }

  /**
   * The emu server's count of the last test, from what {@code iperf3 -s} says when it already listens, once it
   * says it has run {@code tests} tests (the real client may end before the server has noted its test's end).
   */
  static long serverCount(String what, int tests) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      Cli s = ok("exec", "pc", "--", "iperf3", "-s");
      Matcher n = Pattern.compile("(\\d+) tests? so far").matcher(s.out());
      if (n.find() && Integer.parseInt(n.group(1)) >= tests) {
        Matcher m = Pattern.compile(what + " (\\d+) bytes").matcher(s.out());
        assertTrue(m.find(), s.out());
        return Long.parseLong(m.group(1));
      }
      assertTrue(System.nanoTime() < deadline, "the emu server did not count test " + tests + ": " + s.out());
      Thread.sleep(100);
    }
  }

  /** Waits until Debian's iperf3 server in the namespace listens on 5201. */
  static void awaitRealServer(Process server) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      Process ss = new ProcessBuilder("ip", "netns", "exec", NS, "ss", "-ltn")
          .redirectErrorStream(true).start();
      String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      ss.waitFor(10, TimeUnit.SECONDS);
      if (out.contains(":5201")) {
        return;
      }
      assertTrue(server.isAlive(), "the real iperf3 server ended before it listened");
      assertTrue(System.nanoTime() < deadline, "the real iperf3 server does not listen on 5201: " + out);
      Thread.sleep(50);
    }
  }

  @Test
  void realIperf3AndEmusMeasureEachOther(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("iperf.yml"), """
        name: iperf
        topology:
          defaults: {kind: host}
          nodes:
            kern:
              kind: linux
              interfaces: {eth0: {address: 192.168.1.10/24}}
              gateway: 192.168.1.1
            sw1: {kind: switch}
            r1:
              kind: router
              interfaces: {eth0: {address: 192.168.1.1/24}, eth1: {address: 192.168.5.1/24}}
            pc:
              interfaces: {eth0: {address: 192.168.5.100/24}}
              gateway: 192.168.5.1
              services: [iperf3]
          links:
            - endpoints: ["kern:eth0", "sw1:p1"]
            - endpoints: ["r1:eth0", "sw1:p2"]
            - endpoints: ["r1:eth1", "pc:eth0"]
        """);
    ok("up", dir.resolve("iperf.yml").toString(), "--out", dir.resolve("out").toString(), "--no-capture");
    try {
      ok("exec", "kern", "--", "ping", "-c", "1", "-W", "5", "192.168.5.100");

      // (1) Debian's iperf3 client against emu's server: TCP, then reversed, then UDP at 10 Mbit/s
      JsonNode up = json(ok("exec", "kern", "--", "timeout", "60", "iperf3", "-c", "192.168.5.100", "-t", "2", "-J"));
      long sent = up.at("/end/sum_sent/bytes").asLong();
      long received = up.at("/end/sum_received/bytes").asLong();
      assertTrue(sent > 0 && received > 0 && received <= sent, up.toString());
      assertEquals(received, serverCount("received", 1), "what emu's server counted is what the client reported");
      System.out.println("kernel -> emu: " + up.at("/end/sum_sent") + " / " + up.at("/end/sum_received"));

      JsonNode rev = json(ok("exec", "kern", "--", "timeout", "60", "iperf3", "-c", "192.168.5.100", "-t", "2", "-R",
          "-J"));
      long rsent = rev.at("/end/sum_sent/bytes").asLong();
      long rreceived = rev.at("/end/sum_received/bytes").asLong();
      assertTrue(rsent > 0 && rreceived > 0 && rreceived <= rsent, rev.toString());
      assertEquals(rsent, serverCount("sent", 2));

      JsonNode udp = json(ok("exec", "kern", "--", "timeout", "60", "iperf3", "-c", "192.168.5.100", "-u", "-b", "10M",
          "-t", "2", "-J"));
      long packets = udp.at("/end/sum_sent/packets").asLong();
      long got = udp.at("/end/sum_received/packets").asLong();
      long lost = udp.at("/end/sum_received/lost_packets").asLong();
      assertTrue(packets > 1000 && got > 0 && got <= packets && lost >= 0, udp.toString());
      assertEquals(udp.at("/end/sum_received/bytes").asLong(), serverCount("received", 3));
      System.out.println("kernel -> emu, UDP: " + udp.at("/end/sum_received"));

      // (2) emu's iperf3 client against Debian's server, which runs in the namespace for each test
      for (List<String> test : List.of(List.of("-t", "2"), List.of("-t", "2", "-R"), List.of("-u", "-b", "10M", "-t",
          "2"))) {
        Path log = dir.resolve("server.json");
        Process server = new ProcessBuilder("ip", "netns", "exec", NS, "timeout", "60", "iperf3", "-s", "-1", "-J")
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
          awaitRealServer(server);
          List<String> args = new java.util.ArrayList<>(List.of("exec", "pc", "--", "iperf3", "-c", "192.168.1.10",
              "-J"));
          args.addAll(test);
          Cli c = emu(args.toArray(String[]::new));
          assertEquals(0, c.exit(), c.out() + c.err());
          JsonNode mine = json(c);
          assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the real server did not end");
          JsonNode theirs = JSON.readTree(Files.readString(log));
          String what = "emu -> kernel " + test + ": ";
          long s = mine.at("/end/sum_sent/bytes").asLong();
          long r = mine.at("/end/sum_received/bytes").asLong();
          assertTrue(s > 0 && r > 0 && r <= s, what + mine);
          // the real server's own figures are the ones emu's client printed for it (a real server
          // that sends, -R, prints 0 for what was received: only its count of what it sent is compared)
          if (!test.contains("-R")) {
            assertEquals(r, theirs.at("/end/sum_received/bytes").asLong(), what + theirs);
          }
          if (test.contains("-u")) {
            assertTrue(mine.at("/end/sum_sent/packets").asLong() > 1000, what + mine);
            assertEquals(mine.at("/end/sum_received/packets").asLong(),
                theirs.at("/end/sum_received/packets").asLong(), what + theirs);
          } else if (test.contains("-R")) {
            assertEquals(s, theirs.at("/end/sum_sent/bytes").asLong(), what + theirs);
          }
          System.out.println(what + mine.at("/end/sum_sent") + " / " + mine.at("/end/sum_received"));
        } finally {
          server.destroy();
          server.waitFor(5, TimeUnit.SECONDS);
        }
      }
    } finally {
      Cli down = emu("down");
      assertEquals(0, down.exit(), down.err());
    }
  }
}
