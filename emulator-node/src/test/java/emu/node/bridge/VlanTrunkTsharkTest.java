package emu.node.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import emu.link.capture.PcapWriter;
import emu.node.testing.CapturedFrame;
import emu.node.testing.LabNode;
import emu.node.testing.LabSwitch;
import emu.node.testing.Tshark;
import emu.node.testing.VirtualLab;
import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two VLAN-aware switches joined by a trunk, hosts with real IPv4 stacks in VLAN 10 and 20 on
 * each, all four in one subnet so that only the VLANs keep them apart: a ping within a VLAN
 * crosses the trunk, one across VLANs finds no one to answer its ARP. What the trunk carried is
 * then written to a pcap for tshark, which must decode every frame as 802.1Q with nothing malformed,
 * VLAN ids 10 and 20, and the ARP and ICMP inside. Skipped without tshark unless EMU_REQUIRE_TOOLS=1.
 */
class VlanTrunkTsharkTest {
  @TempDir
  Path dir;

  @Test
  void pingsStayInTheirVlanAndTsharkDecodesTheTrunk() throws Exception {
    Path tshark = Tshark.onPath("tshark");
    if (tshark == null) {
      if ("1".equals(System.getenv("EMU_REQUIRE_TOOLS"))) {
        fail("EMU_REQUIRE_TOOLS=1 but tshark is not on the PATH");
      }
      Assumptions.abort("tshark is not on the PATH");
    }
    List<CapturedFrame> trunk = new ArrayList<>();
    try (VirtualLab lab = new VirtualLab(1)) {
      LabSwitch sw1 = lab.bridge("sw1");
      LabSwitch sw2 = lab.bridge("sw2");
      LabNode a10 = lab.host("a10");
      LabNode a20 = lab.host("a20");
      LabNode b10 = lab.host("b10");
      LabNode b20 = lab.host("b20");
      lab.connect(a10, "eth0", "02:00:00:00:0a:01", "10.0.0.1/24", sw1, "p1");
      lab.connect(a20, "eth0", "02:00:00:00:14:01", "10.0.0.2/24", sw1, "p2");
      lab.connect(b10, "eth0", "02:00:00:00:0a:02", "10.0.0.3/24", sw2, "p1");
      lab.connect(b20, "eth0", "02:00:00:00:14:02", "10.0.0.4/24", sw2, "p2");
      lab.connect(sw1, "p3", sw2, "p3");
      for (LabSwitch s : List.of(sw1, sw2)) {
        s.bridge().vlans(Map.of("p1", PortVlans.access(10), "p2", PortVlans.access(20),
            "p3", PortVlans.trunk(List.of(10, 20), 0)));
      }
      lab.start();
      lab.exec(a10, "ping -c 2 10.0.0.3").assertExit(0);
      lab.exec(a20, "ping -c 2 10.0.0.4").assertExit(0);
      assertEquals(1, lab.exec(a10, "ping -c 1 -W 1 10.0.0.4").exitCode(), "VLAN 10 cannot reach VLAN 20");
      assertEquals(1, lab.exec(b20, "ping -c 1 -W 1 10.0.0.1").exitCode(), "nor VLAN 20 VLAN 10");
      assertEquals(0, sw1.bridge().vlanDropsTotal() + sw2.bridge().vlanDropsTotal());
      trunk.addAll(sw1.sent("p3"));
      trunk.addAll(sw2.sent("p3"));
      for (CapturedFrame f : sw1.sent("p1")) {
        assertTrue(f.etherType() != 0x8100, "access port p1 sends untagged frames: " + f);
      }
    }
    Path pcap = dir.resolve("trunk.pcap");
    try (PcapWriter w = new PcapWriter(pcap)) {
      long t = 1_700_000_000_000_000_000L;
      for (CapturedFrame f : trunk) {
        w.write(Unpooled.wrappedBuffer(f.bytes()), t += 1_000_000);
      }
    }
    Path err = dir.resolve("tshark.err");
    assertEquals(List.of(), Tshark.lines(tshark, pcap, err, "-Y", "_ws.malformed || _ws.expert.severity>=warning"
        + " || !vlan"), "every frame on the trunk is a clean 802.1Q frame");
    List<String> fields = Tshark.lines(tshark, pcap, err, "-T", "fields", "-e", "vlan.id", "-e", "vlan.etype",
        "-e", "_ws.col.Protocol");
    assertEquals(trunk.size(), fields.size());
    assertTrue(fields.contains("10\t0x0806\tARP"), fields.toString());
    assertTrue(fields.contains("10\t0x0800\tICMP"), fields.toString());
    assertTrue(fields.contains("20\t0x0800\tICMP"), fields.toString());
    assertTrue(fields.stream().allMatch(l -> l.startsWith("10\t") || l.startsWith("20\t")), fields.toString());
  }
}
