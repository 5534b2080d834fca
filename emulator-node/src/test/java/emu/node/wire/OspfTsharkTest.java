package emu.node.wire;

import static emu.node.wire.WireBytes.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import emu.link.capture.PcapWriter;
import emu.node.testing.Tshark;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a real dissector makes of the packets the Reprs build: each OSPF type, framed as emu will
 * send it (Ethernet to 01:00:5e:00:00:05, IPv4 to 224.0.0.5, TTL 1, protocol 89, precedence
 * 0xc0), written to a pcap and read by tshark, decodes with nothing malformed or in error, every
 * OSPF checksum "[correct]", and the fields read back as built.
 *
 * <p>tshark 4.0 does not verify the LSA Fletcher checksum (it prints it bare); it does verify
 * IS-IS LSPs' (isis.lsp.checksum.status), which use the same ISO 8473 algorithm with the checksum
 * at another position: so {@link Fletcher} is cross-checked on an IS-IS LSP, and a corrupted copy
 * of each packet in a second capture shows tshark's verdicts are not vacuous. Skipped without
 * tshark unless EMU_REQUIRE_TOOLS=1.
 */
class OspfTsharkTest {
  @TempDir
  Path dir;
  private Path tshark;

  @BeforeEach
  void findTshark() {
    tshark = Tshark.onPath("tshark");
    if (tshark == null) {
      if ("1".equals(System.getenv("EMU_REQUIRE_TOOLS"))) {
        fail("EMU_REQUIRE_TOOLS=1 but tshark is not on the PATH");
      }
      Assumptions.abort("tshark is not on the PATH");
    }
  }

  /** An OSPF packet of {@code len} bytes emitted by {@code emit}, in IPv4 to 224.0.0.5 in Ethernet. */
  static ByteBuf frame(int len, Consumer<ByteBuf> emit) {
    ByteBuf f = Unpooled.buffer(14 + 20 + len);
    f.writeBytes(hex("01005e000005 020000000001 0800"));
    f.writeZero(20 + len);
    new Ipv4Packet.Repr(0x0a000001, OspfPacket.ALL_SPF_ROUTERS, OspfPacket.PROTOCOL, 1, 1, false, 0xc0, len)
        .emit(new Ipv4Packet().wrap(f, 14));
    emit.accept(f.slice(34, len));
    return f;
  }

  /**
   * An IS-IS level-1 LSP (ISO 10589 9.9) in 802.3/LLC to AllL1ISs: LSP ID 1921.6800.1001.00-00,
   * sequence 1, lifetime 1200, TLVs area 49.0001, hostname "r1", interface address 10.0.0.1. The
   * Fletcher checksum covers the LSP from the LSP ID (offset 12) on, its octets at offset 24.
   */
  static ByteBuf isisLsp(boolean corrupt) {
    byte[] pdu = hex("83 1b 01 00 12 01 00 00" + "002b" + "04b0" + "1921 6800 1001 00 00" + "00000001" + "0000" + "03"
        + "01 04 03 490001" + "89 02 7231" + "84 04 0a000001");
    ByteBuf f = Unpooled.buffer(60);
    f.writeBytes(hex("0180c2000014 020000000001")).writeShort(3 + pdu.length).writeBytes(hex("fefe03"));
    int at = f.writerIndex();
    f.writeBytes(pdu);
    Fletcher.fill(f, at + 12, pdu.length - 12, 12);
    if (corrupt) {
      f.setByte(at + pdu.length - 1, 2); // 10.0.0.2 after the checksum was made
    }
    f.writeZero(60 - f.writerIndex());
    return f;
  }

  private static List<ByteBuf> ospfFrames(boolean corrupt) {
    OspfHello.Repr hello = OspfPacketTest.hello();
    OspfDbDescription.Repr ddInit = new OspfDbDescription.Repr(OspfPacketTest.R1, 0, 1500, OspfPacket.OPTION_E,
        OspfDbDescription.FLAG_I | OspfDbDescription.FLAG_M | OspfDbDescription.FLAG_MS, 0x12345678, List.of());
    OspfDbDescription.Repr dd = new OspfDbDescription.Repr(OspfPacketTest.R1, 0, 1500, OspfPacket.OPTION_E,
        OspfDbDescription.FLAG_M, 0x12345679,
        List.of(OspfPacketTest.routerLsa().header(), OspfPacketTest.networkLsa().header()));
    OspfLsRequest.Repr lsr = new OspfLsRequest.Repr(OspfPacketTest.R1, 0,
        List.of(new OspfLsRequest.Entry(1, OspfPacketTest.R1, OspfPacketTest.R1)));
    OspfLsUpdate.Repr lsu = new OspfLsUpdate.Repr(OspfPacketTest.R1, 0,
        List.of(OspfPacketTest.routerLsa(), OspfPacketTest.networkLsa()));
    OspfLsAck.Repr ack = new OspfLsAck.Repr(OspfPacketTest.R1, 0, List.of(OspfPacketTest.routerLsa().header()));
    List<ByteBuf> frames = new ArrayList<>(List.of(
        frame(hello.bufferLen(), b -> hello.emit(b, 0)),
        frame(ddInit.bufferLen(), b -> ddInit.emit(b, 0)),
        frame(dd.bufferLen(), b -> dd.emit(b, 0)),
        frame(lsr.bufferLen(), b -> lsr.emit(b, 0)),
        frame(lsu.bufferLen(), b -> lsu.emit(b, 0)),
        frame(ack.bufferLen(), b -> ack.emit(b, 0))));
    if (corrupt) {
      for (ByteBuf f : frames) {
        f.setByte(f.writerIndex() - 1, f.getByte(f.writerIndex() - 1) ^ 0x10); // IP checksum does not cover it
      }
    }
    return frames;
  }

  private Path capture(String name, List<ByteBuf> frames) throws Exception {
    Path pcap = dir.resolve(name);
    try (PcapWriter w = new PcapWriter(pcap)) {
      long t = 1_700_000_000_000_000_000L;
      for (ByteBuf f : frames) {
        w.write(f, t += 1_000_000);
        f.release();
      }
    }
    return pcap;
  }

  @Test
  void tsharkDecodesEveryTypeWithCorrectChecksumsAndTheFieldsAsBuilt() throws Exception {
    List<ByteBuf> frames = ospfFrames(false);
    frames.add(isisLsp(false));
    Path pcap = capture("ospf.pcap", frames);

    List<String> bad = tshark(pcap, "-o", "ip.check_checksum:TRUE",
        "-Y", "_ws.malformed || _ws.expert.severity==error");
    assertEquals(List.of(), bad, "tshark finds nothing malformed or in error");
    assertEquals(List.of("1\t1.1.1.1\t0.0.0.0", "2\t1.1.1.1\t0.0.0.0", "2\t1.1.1.1\t0.0.0.0", "3\t1.1.1.1\t0.0.0.0",
        "4\t1.1.1.1\t0.0.0.0", "5\t1.1.1.1\t0.0.0.0"),
        tshark(pcap, "-Y", "ospf", "-T", "fields", "-e", "ospf.msg", "-e", "ospf.srcrouter", "-e", "ospf.area_id"));
    // tshark 4.0 has no status field for the OSPF checksum: it appends [correct] or [incorrect, should be ...]
    List<String> verbose = tshark(pcap, "-V", "-o", "ip.check_checksum:TRUE", "-Y", "ospf");
    long correct = verbose.stream().filter(l -> l.matches("Checksum: 0x[0-9a-f]{4} \\[correct\\]")).count();
    assertEquals(6, correct, "each OSPF packet's checksum is correct:\n" + String.join("\n", verbose));
    assertTrue(verbose.stream().noneMatch(l -> l.contains("incorrect")));

    assertEquals(List.of("255.255.255.0\t10\t1\t40\t10.0.0.1\t0.0.0.0\t2.2.2.2\t0x02"),
        tshark(pcap, "-Y", "ospf.msg == 1", "-T", "fields", "-e", "ospf.hello.network_mask",
            "-e", "ospf.hello.hello_interval", "-e", "ospf.hello.router_priority",
            "-e", "ospf.hello.router_dead_interval", "-e", "ospf.hello.designated_router",
            "-e", "ospf.hello.backup_designated_router", "-e", "ospf.hello.active_neighbor", "-e", "ospf.v2.options"));
    assertEquals(List.of("1500\t305419896\t1\t1\t1", "1500\t305419897\t0\t1\t0"), // 0x12345678, 0x12345679
        tshark(pcap, "-Y", "ospf.msg == 2", "-T", "fields", "-e", "ospf.db.interface_mtu",
            "-e", "ospf.db.dd_sequence", "-e", "ospf.dbd.i", "-e", "ospf.dbd.m", "-e", "ospf.dbd.ms"));
    assertEquals(List.of("2\t0x80000001,0x80000005\t0xf1de,0x988a\t60,36\t1,3,2\t2.2.2.2,10.0.12.0,10.0.0.1"
            + "\t10,10,1\t1.1.1.1,3.3.3.3,4.4.4.4"),
        tshark(pcap, "-Y", "ospf.msg == 4", "-T", "fields", "-e", "ospf.ls.number_of_lsas", "-e", "ospf.lsa.seqnum",
            "-e", "ospf.lsa.chksum", "-e", "ospf.lsa.length", "-e", "ospf.lsa.router.linktype",
            "-e", "ospf.lsa.router.linkid", "-e", "ospf.lsa.router.metric0", "-e", "ospf.lsa.network.attchrtr"));
    assertEquals(List.of("1"), tshark(pcap, "-Y", "isis.lsp", "-T", "fields", "-e", "isis.lsp.checksum.status"),
        "tshark: the IS-IS LSP's Fletcher checksum is good (1)");
  }

  @Test
  void tsharkSeesTheCorruptedCopiesAsBad() throws Exception {
    List<ByteBuf> frames = ospfFrames(true);
    frames.add(isisLsp(true));
    Path pcap = capture("corrupt.pcap", frames);
    List<String> verbose = tshark(pcap, "-V", "-o", "ip.check_checksum:TRUE", "-Y", "ospf");
    long incorrect = verbose.stream()
        .filter(l -> l.matches("Checksum: 0x[0-9a-f]{4} \\[incorrect, should be .*")).count();
    assertEquals(6, incorrect, String.join("\n", verbose));
    assertEquals(List.of("0"), tshark(pcap, "-Y", "isis.lsp", "-T", "fields", "-e", "isis.lsp.checksum.status"),
        "tshark: bad (0)");
  }

  private List<String> tshark(Path pcap, String... args) throws Exception {
    return Tshark.lines(tshark, pcap, dir.resolve("tshark.err"), args);
  }
}
