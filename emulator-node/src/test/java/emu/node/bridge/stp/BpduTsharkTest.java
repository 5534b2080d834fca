package emu.node.bridge.stp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import emu.link.capture.PcapWriter;
import emu.node.testing.CapturedFrame;
import emu.node.testing.LabSwitch;
import emu.node.testing.Tshark;
import emu.node.testing.VirtualLab;
import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What tshark makes of the BPDUs the switches really send: an RSTP switch and an STP-only one
 * (Force Protocol Version 0) wired together, every BPDU either sent written to a pcap, which tshark
 * decodes as STP and RSTP (RST, configuration and TCN BPDUs) with nothing malformed or in error
 * and with the fields as the switches hold them. Skipped without tshark unless EMU_REQUIRE_TOOLS=1.
 */
class BpduTsharkTest {
  @TempDir
  Path dir;

  @Test
  void tsharkDecodesTheSwitchesBpdusCleanly() throws Exception {
    Path tshark = Tshark.onPath("tshark");
    if (tshark == null) {
      if ("1".equals(System.getenv("EMU_REQUIRE_TOOLS"))) {
        fail("EMU_REQUIRE_TOOLS=1 but tshark is not on the PATH");
      }
      Assumptions.abort("tshark is not on the PATH");
    }
    List<CapturedFrame> frames = new ArrayList<>();
    try (VirtualLab lab = new VirtualLab(1)) {
      LabSwitch rstp1 = lab.stpBridge("r1", StpConfig.DEFAULT.withPriority(4096), 0x02_00_00_00_01_00L);
      LabSwitch rstp2 = lab.stpBridge("r2", StpConfig.DEFAULT, 0x02_00_00_00_02_00L);
      LabSwitch stp = lab.stpBridge("l1", StpConfig.DEFAULT.withForceVersion(0), 0x02_00_00_00_03_00L);
      lab.connect(rstp1, "p1", rstp2, "p1");
      lab.connect(rstp2, "p2", stp, "p1");
      lab.startSpanningTree();
      lab.advance(VirtualLab.seconds(35)); // past 2 x forward delay: TCN and TCA included
      frames.addAll(rstp1.sent("p1"));
      frames.addAll(rstp2.sent("p1"));
      frames.addAll(rstp2.sent("p2"));
      frames.addAll(stp.sent("p1"));
    }
    Path pcap = dir.resolve("bpdu.pcap");
    try (PcapWriter w = new PcapWriter(pcap)) {
      long t = 1_700_000_000_000_000_000L;
      for (CapturedFrame f : frames) {
        w.write(Unpooled.wrappedBuffer(f.bytes()), t += 1_000_000);
      }
    }
    assertEquals(List.of(), tshark(tshark, pcap, "-Y", "_ws.malformed || _ws.expert.severity>=warning || !stp"),
        "every frame is a clean BPDU");
    List<String> kinds = tshark(tshark, pcap, "-T", "fields", "-e", "stp.version", "-e", "stp.type");
    assertEquals(frames.size(), kinds.size());
    assertTrue(kinds.contains("2\t0x02"), "RST BPDUs: " + kinds);
    assertTrue(kinds.contains("0\t0x00"), "configuration BPDUs");
    assertTrue(kinds.contains("0\t0x80"), "a TCN BPDU");
    // r1's BPDUs: it is the root (priority 4096), designated, forwarding, port 0x8002.
    List<String> r1 = tshark(tshark, pcap, "-Y", "stp.bridge.hw == 02:00:00:00:01:00 && stp.flags.forwarding == 1",
        "-T", "fields", "-e", "stp.root.prio", "-e", "stp.root.hw", "-e", "stp.root.cost", "-e", "stp.flags.port_role",
        "-e", "stp.port", "-e", "stp.max_age", "-e", "stp.hello", "-e", "stp.forward");
    assertTrue(r1.size() > 5, r1.toString());
    assertEquals("4096\t02:00:00:00:01:00\t0\t3\t0x8002\t20\t2\t15", r1.get(r1.size() - 1));
    // r2 relays the root at cost 20000 with a message age of 1 s.
    List<String> r2 = tshark(tshark, pcap, "-Y", "stp.bridge.hw == 02:00:00:00:02:00 && stp.flags.port_role == 3",
        "-T", "fields", "-e", "stp.root.hw", "-e", "stp.root.cost", "-e", "stp.msg_age");
    assertEquals("02:00:00:00:01:00\t20000\t1", r2.get(r2.size() - 1));
  }

  private List<String> tshark(Path tshark, Path pcap, String... args) throws Exception {
    return Tshark.lines(tshark, pcap, dir.resolve("tshark.err"), args);
  }
}
