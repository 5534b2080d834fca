package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.lab.Tools.Cli;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VLANs across real node processes (issue 23, item 4): two switches joined by a trunk of VLANs 10
 * and 20, a host of each VLAN on each switch, all four in one subnet so that only the VLANs keep
 * them apart. A ping within a VLAN crosses the trunk (tagged there), one across VLANs gets no
 * answer; {@code bridge vlan} and {@code bridge fdb} print what iproute2 would; the trunk's capture
 * is clean 802.1Q for tshark. An external node, played by this test from a UDP socket, sends a
 * double-tagged frame (outer VLAN 10, inner 20: VLAN hopping) into access port sw1:p4: it is
 * counted in /metrics and dropped, and nothing of it reaches VLAN 20.
 */
class VlanLabTest {
  @TempDir
  static Path state;

  @BeforeAll
  static void stateDir() {
    System.setProperty("emu.stateDir", state.toString());
  }

  @AfterAll
  static void nothingLeft() {
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
  }

  @Test
  void sameVlanPingsCrossTheTrunkAndOtherVlansStayApart(@TempDir Path dir) throws Exception {
    try (DatagramSocket atk = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      int swPort;
      try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
        swPort = probe.getLocalPort(); // free now; pinned below so that the test knows where to send
      }
      run(dir, atk, swPort);
    }
  }

  private static void run(Path dir, DatagramSocket atk, int swPort) throws Exception {
    Files.writeString(dir.resolve("vlans.yml"), """
        name: i23vlanlab
        topology:
          defaults: {kind: host}
          nodes:
            a10: {interfaces: {eth0: {address: 10.0.0.1/24}}}
            a20: {interfaces: {eth0: {address: 10.0.0.2/24}}}
            b10: {interfaces: {eth0: {address: 10.0.0.3/24}}}
            b20: {interfaces: {eth0: {address: 10.0.0.4/24}}}
            atk:
              kind: external
              interfaces: {eth0: {address: 10.0.0.254/24, peer: '127.0.0.1:%d'}}
            sw1:
              kind: switch
              interfaces: {p1: {vlan: 10}, p2: {vlan: 20}, p3: {trunk: [10, 20]}, p4: {vlan: 10, port: %d}}
            sw2:
              kind: switch
              interfaces: {p1: {vlan: 10}, p2: {vlan: 20}, p3: {trunk: [10, 20]}}
          links:
            - endpoints: ["a10:eth0", "sw1:p1"]
            - endpoints: ["a20:eth0", "sw1:p2"]
            - endpoints: ["sw1:p3", "sw2:p3"]
            - endpoints: ["b10:eth0", "sw2:p1"]
            - endpoints: ["b20:eth0", "sw2:p2"]
            - endpoints: ["atk:eth0", "sw1:p4"]
        """.formatted(atk.getLocalPort(), swPort));
    Path out = dir.resolve("out");
    Cli up = emu("up", dir.resolve("vlans.yml").toString(), "--out", out.toString());
    assertEquals(0, up.exit(), () -> up.out() + up.err());
    try {
      Cli same10 = emu("exec", "a10", "--", "ping", "-c", "2", "10.0.0.3");
      assertEquals(0, same10.exit(), () -> same10.out() + same10.err());
      Cli same20 = emu("exec", "b20", "--", "ping", "-c", "2", "10.0.0.2");
      assertEquals(0, same20.exit(), () -> same20.out() + same20.err());
      Cli cross = emu("exec", "a10", "--", "ping", "-c", "1", "-W", "1", "10.0.0.4");
      assertEquals(1, cross.exit(), () -> "VLAN 10 must not reach VLAN 20: " + cross.out() + cross.err());
      assertTrue(cross.out().contains("0 received"), cross.out());

      Cli vlan = emu("exec", "sw1", "--", "bridge", "vlan");
      assertEquals(0, vlan.exit(), vlan::err);
      assertEquals(String.join("\n", "port              vlan-id  ", "p1                10 PVID Egress Untagged", "",
          "p2                20 PVID Egress Untagged", "", "p3                10", "                  20", "",
          "p4                10 PVID Egress Untagged", "", ""),
          vlan.out());
      // VLAN hopping: outer tag 10 (p4's VLAN), inner tag 20, a broadcast ARP for b20 inside.
      byte[] hop = HexFormat.of().parseHex("ffffffffffff" + "5254006666" + "01" + "8100000a" + "81000014" + "0806"
          + "000108000604000152540066660" + "10a0000fe" + "000000000000" + "0a000004");
      atk.send(new DatagramPacket(hop, hop.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), swPort)));
      String dropped = "emu_bridge_vlan_drops_total{reason=\"double-tagged\"}";
      long deadline = System.nanoTime() + 20_000_000_000L;
      Map<String, Double> sw1 = StatsTest.samples("i23vlanlab", "sw1");
      while (sw1.getOrDefault(dropped, 0.0) < 1 && System.nanoTime() < deadline) {
        Thread.sleep(100);
        sw1 = StatsTest.samples("i23vlanlab", "sw1");
      }
      assertEquals(1.0, sw1.get(dropped), sw1.toString());
      assertEquals(1.0, sw1.get("emu_drops_total{reason=\"vlan\"}"), sw1.toString());
      Cli fdb = emu("exec", "sw2", "--", "bridge", "fdb");
      assertTrue(fdb.out().contains("02:00:00:00:01:00 dev p3 vlan 10 master sw2"), fdb.out());
      assertTrue(fdb.out().contains("02:00:00:00:03:00 dev p1 vlan 10 master sw2"), fdb.out());
      assertTrue(fdb.out().contains("02:00:00:00:02:00 dev p3 vlan 20 master sw2"), fdb.out());
      assertTrue(!fdb.out().contains("52:54:00:66:66:01") && !emu("exec", "sw1", "--", "bridge", "fdb").out()
          .contains("52:54:00:66:66:01"), "the hopping frame's source is learned nowhere");
    } finally {
      Cli down = emu("down");
      assertEquals(0, down.exit(), () -> down.out() + down.err());
    }
    Tools.assertCapturesClean(out);
    Tools.Result trunk = Tools.run(List.of(Tools.require("tshark").toString(), "-r", out.resolve("sw1-p3.pcap")
        .toString(), "-Y", "icmp", "-T", "fields", "-e", "vlan.id"), 60);
    assertTrue(trunk.output().lines().anyMatch("10"::equals), "pings cross the trunk tagged 10: " + trunk.output());
    assertTrue(trunk.output().lines().anyMatch("20"::equals), "and 20: " + trunk.output());
    String events = Files.readString(out.resolve("sw1.events.jsonl"));
    assertTrue(events.contains("\"type\":\"bridge.forward\"") && events.contains("\"vlan\":10"), events);
    assertTrue(events.contains("\"type\":\"bridge.vlan_drop\",\"port\":\"p4\",\"reason\":\"double-tagged\""),
        events);
  }
}
