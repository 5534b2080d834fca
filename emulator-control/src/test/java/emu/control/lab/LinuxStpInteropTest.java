package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static emu.control.lab.Tools.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.TestLocks.KernelNetwork;
import emu.control.lab.Tools.Cli;
import emu.control.linux.LinuxNamespaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * emu's RSTP against the Linux kernel bridge's spanning tree (802.1D-1998 STP: configuration and
 * TCN BPDUs only; it ignores RST BPDUs), in a loop:
 *
 * <pre>
 *   h1 ── s1 (emu, priority 4096) ── s2 (emu) ── h2
 *           p2 \                    / p2
 *          eth0 \                  / eth1
 *                 lb: br0, a kernel bridge with stp_state 1 in a linux node
 * </pre>
 *
 * Times are the shortest both allow (hello 1 s, max age 6 s, forward delay 4 s). Once the kernel's
 * bridge is up, emu's ports toward it fall back to STP, and the tree converges with emu and the
 * kernel naming the same root and exactly one of the loop's six ports blocking (s2's, the
 * alternate); hosts ping each other and the kernel bridge, and an ARP broadcast arrives once. Then
 * the kernel's port toward the root gets a high cost: the kernel reroots through s2 and blocks its
 * own port instead, sends s2 a TCN, which emu acknowledges with the topology change flag set (the
 * kernel learns of the change and shortens its MAC ageing). tshark decodes every capture with no
 * error. Needs root, iproute2 and tshark (CI runs as root with all three).
 */
@KernelNetwork
class LinuxStpInteropTest {
  @TempDir
  static Path state;

  static final String LAB = "stpi";
  static final Duration CONVERGE = Duration.ofSeconds(40);
  /** Kernel bridge port states (/sys/class/net/br0/brif/IF/state, include/uapi/linux/if_bridge.h). */
  static final List<String> KERNEL_STATES = List.of("disabled", "listening", "learning", "forwarding", "blocking");

  static String netns;
  static long t0;

  /** Says how long the test has run, at each step (for CI's log: the test should stay under ~40 s). */
  static void mark(String step) {
    System.out.printf("LinuxStpInteropTest %5.1f s: %s%n", (System.nanoTime() - t0) / 1e9, step);
  }

  @BeforeAll
  static void requirements() {
    System.setProperty("emu.stateDir", state.toString());
    Tools.requireRoot();
    Tools.require("ip", "iproute2");
    Tools.require("bridge", "iproute2");
    Tools.require("tshark");
    netns = LinuxNamespaces.netnsName(LAB, "lb");
  }

  @AfterAll
  static void nothingLeft() throws Exception {
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
    assertTrue(LinuxNamespaces.namespaces().stream().noneMatch(n -> n.startsWith("emu-" + LAB + "-")),
        "namespaces left behind: " + LinuxNamespaces.namespaces());
  }

  /** Runs {@code cmd} in the linux node's namespace; fails unless it exits 0. Returns its output, stripped. */
  static String ns(String... cmd) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
    full.addAll(List.of(cmd));
    try {
      Tools.Result r = Tools.run(full, 30);
      assertEquals(0, r.exit(), () -> String.join(" ", cmd) + ": " + r.output() + r.errors());
      return r.output().strip();
    } catch (Exception e) {
      throw new AssertionError(String.join(" ", cmd), e);
    }
  }

  static String kernel(String attribute) {
    return ns("cat", "/sys/class/net/br0/bridge/" + attribute);
  }

  /** The kernel's number for its bridge port {@code port} (sysfs prints it in hex, root_port in decimal). */
  static int portNo(String port) {
    return Integer.decode(ns("cat", "/sys/class/net/br0/brif/" + port + "/port_no"));
  }

  /** The kernel bridge's ports and their states, in {@code bridge link}'s words. */
  static Map<String, String> kernelStates() {
    Map<String, String> states = new LinkedHashMap<>();
    for (String port : List.of("eth0", "eth1")) {
      states.put(port, KERNEL_STATES.get(Integer.parseInt(ns("cat", "/sys/class/net/br0/brif/" + port + "/state"))));
    }
    return states;
  }

  /** The six ports of the loop (s1:p1-s2:p1, s1:p2-lb:eth0, s2:p2-lb:eth1) and their states. */
  static Map<String, String> loopStates() {
    Map<String, String> all = new LinkedHashMap<>();
    Map<String, String> s1 = StpProbe.states("s1");
    Map<String, String> s2 = StpProbe.states("s2");
    all.put("s1:p1", s1.get("p1"));
    all.put("s1:p2", s1.get("p2"));
    all.put("s2:p1", s2.get("p1"));
    all.put("s2:p2", s2.get("p2"));
    kernelStates().forEach((port, st) -> all.put("lb:" + port, st));
    return all;
  }

  static String seen() {
    return "loop ports " + loopStates() + "\nkernel root " + kernel("root_id") + " root port " + kernel("root_port")
        + "\n" + StpProbe.stp("s1") + StpProbe.stp("s2") + ns("bridge", "link");
  }

  static String bridgeId(String node) {
    Matcher m = Pattern.compile("bridge id (\\S+)").matcher(StpProbe.stp(node));
    assertTrue(m.find());
    return m.group(1);
  }

  @Test
  void emuAndTheKernelBridgeAgreeOnOneTree(@TempDir Path dir) throws Exception {
    Path lab = dir.resolve(LAB + ".yml");
    Files.writeString(lab, """
        name: stpi
        topology:
          defaults: {kind: host}
          nodes:
            s1: {kind: switch, stp: {priority: 4096, hello: 1, max-age: 6, forward-delay: 4}}
            s2: {kind: switch, stp: {hello: 1, max-age: 6, forward-delay: 4}}
            # linux interfaces need an address: these go once eth0 and eth1 are bridge ports
            lb:
              kind: linux
              interfaces:
                eth0: {address: 10.0.0.3/24, mac: "02:00:00:00:0b:01"}
                eth1: {address: 10.0.1.4/24, mac: "02:00:00:00:0b:02"}
            h1: {interfaces: {eth0: {address: 10.0.0.1/24}}}
            h2: {interfaces: {eth0: {address: 10.0.0.2/24}}}
          links:
            - endpoints: ["s1:p1", "s2:p1"]
            - endpoints: ["s1:p2", "lb:eth0"]
            - endpoints: ["s2:p2", "lb:eth1"]
            - endpoints: ["h1:eth0", "s1:p3"]
            - endpoints: ["h2:eth0", "s2:p3"]
        """);
    Path out = dir.resolve("out");
    t0 = System.nanoTime();
    ok("up", lab.toString(), "--out", out.toString());
    try {
      mark("lab up");
      // The kernel bridge, with the shortest timers emu takes too (the kernel's are in centiseconds).
      ns("ip", "addr", "flush", "dev", "eth0");
      ns("ip", "addr", "flush", "dev", "eth1");
      ns("ip", "link", "add", "br0", "type", "bridge", "stp_state", "1", "hello_time", "100", "max_age", "600",
          "forward_delay", "400");
      ns("ip", "link", "set", "eth0", "master", "br0");
      ns("ip", "link", "set", "eth1", "master", "br0");
      ns("ip", "addr", "add", "10.0.0.3/24", "dev", "br0");
      ns("ip", "link", "set", "br0", "up");
      String s1 = bridgeId("s1");
      assertEquals("8000.020000000b01", kernel("bridge_id"), "the kernel's id: default priority, lowest port MAC");

      // The tree: s1 is root for everyone; s2's port toward the kernel is the alternate, the rest forward.
      StpProbe.await("one tree, rooted at s1, s2:p2 blocking", CONVERGE, () -> s1.equals(kernel("root_id"))
          && s1.equals(StpProbe.root("s2")) && loopStates().equals(Map.of("s1:p1", "forwarding",
          "s1:p2", "forwarding", "s2:p1", "forwarding", "s2:p2", "blocking", "lb:eth0", "forwarding",
          "lb:eth1", "forwarding")), LinuxStpInteropTest::seen);
      mark("converged");
      assertEquals(1, loopStates().values().stream().filter(s -> !s.equals("forwarding")).count());
      assertEquals(portNo("eth0"), Integer.decode(kernel("root_port")), "the kernel's root port");
      // emu's ports toward the kernel speak STP (the kernel drops RST BPDUs), the one between emu switches RSTP.
      String stp1 = StpProbe.stp("s1");
      String stp2 = StpProbe.stp("s2");
      assertTrue(stp1.matches("(?s).*\\n  p2 +designated +forwarding +8\\.003 stp-peer\\n.*"), stp1);
      assertTrue(stp2.matches("(?s).*\\n  p2 +alternate +blocking +8\\.003 stp-peer\\n.*"), stp2);
      assertTrue(stp2.matches("(?s).*\\n  p1 +root +forwarding +8\\.002\\n.*"), stp2);

      mark("checked");
      // Traffic flows, across emu and into the kernel bridge.
      assertTrue(ok("exec", "h1", "--", "ping", "-c", "2", "-W", "5", "10.0.0.2").out().contains("2 received"));
      assertTrue(ok("exec", "h2", "--", "ping", "-c", "2", "-W", "5", "10.0.0.3").out().contains("2 received"));
      // An ARP broadcast for an address nobody has: it reaches h2 once per request (the pcaps, below).
      long discarded = StpProbe.metric("s2", "emu_bridge_discarded_frames_total");
      Cli nobody = emu("exec", "h1", "--", "ping", "-c", "1", "-W", "2", "10.0.0.99");
      assertNotEquals(0, nobody.exit(), nobody.out());
      assertTrue(StpProbe.metric("s2", "emu_bridge_discarded_frames_total") > discarded,
          "the broadcast came back to s2 through the kernel, and its blocked port dropped it");

      // The kernel's port toward the root costs more than the way round through s2: the kernel
      // reroots through eth1 and blocks eth0 itself; s2's port becomes designated and forwards.
      mark("traffic");
      ns("bridge", "link", "set", "dev", "eth0", "cost", "50000");
      StpProbe.await("the kernel blocking eth0, every emu port forwarding", CONVERGE, () -> loopStates().equals(
          Map.of("s1:p1", "forwarding", "s1:p2", "forwarding", "s2:p1", "forwarding", "s2:p2", "forwarding",
              "lb:eth0", "blocking", "lb:eth1", "forwarding")), LinuxStpInteropTest::seen);
      mark("rerooted");
      assertEquals(s1, kernel("root_id"));
      assertEquals(portNo("eth1"), Integer.decode(kernel("root_port")));
      assertEquals("20100", kernel("root_path_cost"), "s2's 20000 and the kernel's own 100");
      assertTrue(StpProbe.stp("s2").matches("(?s).*\\n  p2 +designated +forwarding +8\\.003 stp-peer\\n.*"));
      // (that the kernel's TCN reached s2 the captures show: emu_stp_tc_received_total is bridge-wide)
      assertTrue(ok("exec", "h1", "--", "ping", "-c", "2", "-W", "5", "10.0.0.2").out().contains("2 received"));
      assertTrue(ok("exec", "h1", "--", "ping", "-c", "2", "-W", "5", "10.0.0.3").out().contains("2 received"));
      Cli nobody2 = emu("exec", "h2", "--", "ping", "-c", "1", "-W", "2", "10.0.0.98");
      assertNotEquals(0, nobody2.exit(), nobody2.out());
      assertEquals(0, StpProbe.metric("s1", "emu_stp_internal_errors_total"));
      assertEquals(0, StpProbe.metric("s2", "emu_stp_internal_errors_total"));
    } finally {
      Cli down = emu("down", LAB);
      assertEquals(0, down.exit(), down.err());
    }

    mark("down");
    // Every capture decodes cleanly, BPDUs of both kinds included.
    Tools.assertCapturesClean(out);
    // Each ARP request for the address nobody has crossed the tree once: as many reached the
    // other host as were sent (a loop would multiply them without end).
    for (String[] arp : List.of(new String[] {"h1", "h2", "10.0.0.99"}, new String[] {"h2", "h1", "10.0.0.98"})) {
      String filter = "arp.opcode == 1 && arp.dst.proto_ipv4 == " + arp[2];
      int sent = StpProbe.tshark(out.resolve(arp[0] + "-eth0.pcap"), filter).size();
      assertTrue(sent >= 1, "no ARP request for " + arp[2] + " from " + arp[0]);
      assertEquals(sent, StpProbe.tshark(out.resolve(arp[1] + "-eth0.pcap"), filter).size(), arp[2] + " at " + arp[1]);
    }
    // On the links to the kernel: its configuration BPDUs and emu's; each TCN the kernel sent is
    // answered by a configuration BPDU with the acknowledgment and the topology change flag.
    int tcns = 0;
    for (String link : List.of("s1-p2", "s2-p2")) {
      List<String> bpdus = StpProbe.tshark(out.resolve(link + ".pcap"), "stp", "-T", "fields", "-e", "eth.src", "-e",
          "stp.type", "-e", "stp.flags");
      String kernelMac = link.startsWith("s1") ? "02:00:00:00:0b:01" : "02:00:00:00:0b:02";
      assertTrue(bpdus.stream().anyMatch(l -> l.startsWith(kernelMac + "\t0x00")), link + ": kernel config BPDUs");
      assertTrue(bpdus.stream().anyMatch(l -> !l.startsWith(kernelMac) && l.contains("\t0x00\t")), link + ": emu's");
      for (int i = 0; i < bpdus.size(); i++) {
        if (bpdus.get(i).startsWith(kernelMac + "\t0x80")) {
          tcns++;
          // the first acknowledgment after it (a TCN that came while the port was not designated waits for one)
          String ack = bpdus.subList(i + 1, bpdus.size()).stream().filter(l -> !l.startsWith(kernelMac)
              && (Integer.decode(l.split("\t")[2]) & 0x80) != 0).findFirst()
              .orElseThrow(() -> new AssertionError(link + ": a TCN never acknowledged"));
          assertEquals(0x81, Integer.decode(ack.split("\t")[2]) & 0x81, link + ": the acknowledgment of a TCN"
              + " carries the topology change too: " + ack + "\n" + String.join("\n", bpdus));
        }
      }
    }
    assertTrue(tcns >= 1, "the kernel sent no TCN");
    mark("captures checked");
  }
}
