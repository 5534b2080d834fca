package emu.node.ospf;

import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.ospf.Ospf.InterfaceConfig;
import emu.node.ospf.Ospf.NetworkType;
import emu.node.testing.CapturedFrame;
import emu.node.testing.LabNode;
import emu.node.testing.LabSwitch;
import emu.node.testing.PacketBuilder;
import emu.node.testing.VirtualLab;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.OspfLsUpdate;
import emu.node.wire.OspfLsa;
import emu.node.wire.OspfPacket;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Received OSPF packets, mutated (bytes flipped, lengths cut, counts changed), with their IP
 * checksum fixed so they reach OSPF and, half the time, their OSPF and LSA checksums fixed too so
 * the mutations reach the protocol machine: nothing throws, nothing leaks (the lab's allocator
 * checks on close), and the routers go on.
 */
class OspfInputFuzzTest {
  private static final int ETH = 14;
  static final String R1_MAC = "02:00:00:00:01:01";
  static final String PEER_IP = "10.0.12.2";
  static final long PEER_MAC = 0x02_00_00_00_01_02L;
  /** 224.0.0.5 mapped to Ethernet (RFC 1112 6.4). */
  static final long ALL_SPF_MAC = 0x01_00_5E_00_00_05L;

  @Test
  void mutatedPacketsNeverThrowNorLeak() {
    VirtualLab lab = new VirtualLab(11);
    LabSwitch sw = lab.bridge("sw");
    LabNode r1 = lab.router("r1");
    LabNode r2 = lab.router("r2");
    LabNode r3 = lab.router("r3");
    lab.connect(r1, "eth0", "02:00:00:00:00:01", "10.0.0.1/24", sw, "p1");
    lab.connect(r2, "eth0", "02:00:00:00:00:02", "10.0.0.2/24", sw, "p2");
    lab.connect(r3, "eth0", "02:00:00:00:00:03", "10.0.0.3/24", sw, "p3");
    lab.connect(r1, "eth1", "02:00:00:00:01:01", "10.0.12.1/24", r2, "eth1", "02:00:00:00:01:02", "10.0.12.2/24",
        1500);
    lab.start();
    List<Ospf> all = new ArrayList<>();
    all.add(new Ospf(r1.stack(), new Ospf.Config(0, List.of(lan("eth0"), p2p("eth1")))));
    all.add(new Ospf(r2.stack(), new Ospf.Config(0, List.of(lan("eth0"), p2p("eth1")))));
    all.add(new Ospf(r3.stack(), new Ospf.Config(0, List.of(lan("eth0")))));
    all.forEach(Ospf::start);
    lab.advance(VirtualLab.seconds(20));
    List<byte[]> seeds = new ArrayList<>();
    for (String nic : List.of("eth0", "eth1")) {
      for (CapturedFrame f : r1.received(nic)) {
        if (f.ip() != null && f.ip().protocol() == OspfPacket.PROTOCOL) {
          seeds.add(f.bytes());
        }
      }
    }
    assertTrue(seeds.size() > 20, "captured " + seeds.size());
    Random rnd = new Random(42);
    for (int round = 0; round < 20_000; round++) {
      byte[] f = seeds.get(rnd.nextInt(seeds.size())).clone();
      int ospf = ETH + Ipv4Packet.MIN_HEADER_LEN;
      int flips = 1 + rnd.nextInt(4);
      for (int k = 0; k < flips; k++) {
        int at = ospf + rnd.nextInt(f.length - ospf);
        f[at] = rnd.nextInt(3) == 0 ? 0 : (byte) rnd.nextInt(256);
      }
      if (rnd.nextInt(8) == 0) {
        int cut = ospf + rnd.nextInt(f.length - ospf);
        byte[] g = new byte[cut];
        System.arraycopy(f, 0, g, 0, cut);
        f = g;
      }
      ByteBuf b = Unpooled.wrappedBuffer(f);
      b.setShort(ETH + Ipv4Packet.TOTAL_LENGTH, f.length - ETH);
      if (rnd.nextBoolean()) {
        fixChecksums(b, ospf, f.length - ospf);
      }
      new Ipv4Packet().wrap(b, ETH).fillChecksum();
      (rnd.nextBoolean() ? r1 : r2).inject(rnd.nextBoolean() ? "eth0" : "eth1", f);
      if (round % 100 == 0) {
        lab.advance(VirtualLab.millis(300));
      }
    }
    lab.advance(VirtualLab.seconds(30));
    long refused = all.stream().mapToLong(o -> o.counters().refusedTotal()).sum();
    assertTrue(refused > 1000, "refused " + refused);
    all.forEach(Ospf::stop);
    lab.close();
  }

  /**
   * Jazzer target: a conversation with router r1 running OSPF on a point-to-point link whose far
   * end is the fuzzer. The input is OSPF packets, each after a two-byte length, sent one second
   * apart in IPv4 (protocol 89, to AllSPFRouters) with their OSPF and LSA checksums filled where
   * the lengths allow, so that mutations reach the neighbour state machine, the database exchange
   * and flooding (RFC 2328 10, 13). The corpus holds what a real neighbour (r2) sent r1 while
   * their adjacency formed; the lab is seeded, so r1 answers the same way on every replay.
   * Nothing may throw out of the stack, and the lab's close finds no buffer still referenced.
   */
  @FuzzTest(maxDuration = "10m")
  void conversation(byte[] packets) {
    try (VirtualLab lab = VirtualLab.forFuzzing(7)) {
      LabNode r1 = lab.router("r1");
      lab.tap(r1, "eth1", R1_MAC, "10.0.12.1/24");
      lab.start();
      Ospf ospf = new Ospf(r1.stack(), new Ospf.Config(0, List.of(p2p("eth1"))));
      ospf.start();
      int at = 0;
      while (at + 2 <= packets.length) {
        int len = Math.min(((packets[at] & 0xFF) << 8) | (packets[at + 1] & 0xFF), packets.length - at - 2);
        byte[] frame = PacketBuilder.ipv4(PEER_IP, "224.0.0.5").eth(ALL_SPF_MAC, PEER_MAC).ttl(1)
            .payload(OspfPacket.PROTOCOL, Arrays.copyOfRange(packets, at + 2, at + 2 + len)).frame();
        at += 2 + len;
        fixChecksums(Unpooled.wrappedBuffer(frame), ETH + Ipv4Packet.MIN_HEADER_LEN, len);
        r1.inject("eth1", frame);
        lab.advance(VirtualLab.seconds(1));
      }
      lab.advance(VirtualLab.seconds(10)); // past the dead interval: the neighbour goes down again
      ospf.stop();
    }
  }

  private static InterfaceConfig lan(String nic) {
    return new InterfaceConfig(nic, 10, 1, 4, 1, false, NetworkType.BROADCAST);
  }

  private static InterfaceConfig p2p(String nic) {
    return new InterfaceConfig(nic, 10, 1, 4, 1, false, NetworkType.POINT_TO_POINT);
  }

  /** Makes the mutation reach the machine: LSA checksums, then the packet's, where the lengths allow. */
  private static void fixChecksums(ByteBuf b, int start, int avail) {
    if (avail < OspfPacket.HEADER_LEN) {
      return;
    }
    int len = b.getUnsignedShort(start + OspfPacket.PACKET_LENGTH);
    if (len < OspfPacket.HEADER_LEN || len > avail) {
      return;
    }
    if (b.getUnsignedByte(start + OspfPacket.TYPE) == OspfPacket.TYPE_LS_UPDATE && len >= OspfLsUpdate.LSAS) {
      int at = start + OspfLsUpdate.LSAS;
      int end = start + len;
      while (end - at >= OspfLsa.HEADER_LEN) {
        int l = b.getUnsignedShort(at + OspfLsa.LENGTH);
        if (l < OspfLsa.HEADER_LEN || l > end - at) {
          break;
        }
        OspfLsa.fillChecksum(b, at);
        at += l;
      }
    }
    OspfPacket.fillChecksum(b, start);
  }
}
