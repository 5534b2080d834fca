package emu.node.stack;

import static emu.node.testing.FuzzRig.L3;
import static emu.node.testing.FuzzRig.PEER_MAC;
import static emu.node.testing.FuzzRig.R1_IP;
import static emu.node.testing.FuzzRig.R1_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.node.bridge.PortVlans;
import emu.node.testing.FuzzRig;
import emu.node.testing.LabSwitch;
import emu.node.testing.PacketBuilder;
import emu.node.testing.Tap;
import emu.node.testing.VirtualLab;
import emu.node.wire.Ipv4Packet;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Jazzer targets for every parser of the node's receive path, fed through the real entry point
 * ({@code NetworkStack.input} of router r1 in a {@link FuzzRig}, or a switch port for the bridge).
 * Each input gets a fresh lab; the target fails if anything throws out of the stack or if the
 * lab's close finds a buffer still referenced (the tests also run under Netty's PARANOID leak
 * detector). Layers below the one under test are valid and its checksum is filled, so the
 * mutations reach the parser's body.
 *
 * <p>In {@code mvn test} each target replays its corpus (StackFuzzTestInputs/&lt;method&gt;, real
 * packets) once; {@code JAZZER_FUZZ=1} (benchmarks/fuzz.sh) fuzzes one target for a while.
 */
class StackFuzzTest {
  /** A raw frame as it comes off the wire on r1's eth0: Ethernet, then ARP, IPv4, IPv6 or other. */
  @FuzzTest(maxDuration = "10m")
  void ethernet(byte[] frame) {
    try (FuzzRig rig = new FuzzRig()) {
      rig.input(frame);
    }
  }

  /** An ARP packet (RFC 826) in a broadcast frame from the peer. */
  @FuzzTest(maxDuration = "10m")
  void arp(byte[] arp) {
    try (FuzzRig rig = new FuzzRig()) {
      rig.input(PacketBuilder.ethernet(MacAddress.BROADCAST_BITS, PEER_MAC, EthernetFrame.ETHERTYPE_ARP, arp));
    }
  }

  /**
   * An IPv4 packet, header, options and payload, to r1's MAC: delivered, forwarded (to eth1 or back
   * out eth0) or answered with ICMP errors quoting it. The header checksum is filled when the
   * header fits.
   */
  @FuzzTest(maxDuration = "10m")
  void ipv4(byte[] packet) {
    byte[] frame = PacketBuilder.ethernet(R1_MAC, PEER_MAC, EthernetFrame.ETHERTYPE_IPV4, packet);
    if (packet.length >= Ipv4Packet.MIN_HEADER_LEN && (packet[0] & 0x0F) * 4 <= packet.length
        && (packet[0] & 0x0F) >= 5) {
      new Ipv4Packet().wrap(Unpooled.wrappedBuffer(frame), L3).fillChecksum();
    }
    try (FuzzRig rig = new FuzzRig()) {
      rig.input(frame);
    }
  }

  /** An ICMP message to r1, checksum filled: echo, errors quoting a packet (RFC 792, RFC 1191). */
  @FuzzTest(maxDuration = "10m")
  void icmp(byte[] message) {
    transport(Ipv4Packet.PROTO_ICMP, message);
  }

  /** A UDP datagram to r1, checksum filled. */
  @FuzzTest(maxDuration = "10m")
  void udp(byte[] datagram) {
    transport(Ipv4Packet.PROTO_UDP, datagram);
  }

  /**
   * A conversation with r1's TCP listener: segments, each after a length byte, sent 10 ms apart,
   * with the ports forced to the peer's 40000 and r1's 80 (so they meet one connection) and the
   * checksum filled. r1 sends 3000 bytes once a connection is up, so ACKs, SACK blocks
   * (RFC 2018), window updates and timestamps from the fuzzer act on data in flight. The lab is
   * seeded: r1's initial sequence number is the same on every run, and the corpus uses it.
   */
  @FuzzTest(maxDuration = "10m")
  void tcp(byte[] segments) {
    try (FuzzRig rig = new FuzzRig()) {
      int at = 0;
      while (at < segments.length) {
        int len = Math.min(segments[at] & 0xFF, segments.length - at - 1);
        byte[] seg = Arrays.copyOfRange(segments, at + 1, at + 1 + len);
        at += 1 + len;
        if (seg.length >= 4) {
          seg[0] = (byte) (40000 >>> 8);
          seg[1] = (byte) 40000;
          seg[2] = 0;
          seg[3] = (byte) FuzzRig.TCP_PORT;
        }
        rig.input(FuzzRig.fillTransportChecksum(FuzzRig.ipv4Frame(R1_IP, Ipv4Packet.PROTO_TCP, seg),
            Ipv4Packet.PROTO_TCP));
      }
      rig.lab.advance(VirtualLab.seconds(1));
    }
  }

  /** A raw frame into port p1 of a learning bridge with two ports: learned, flooded, forwarded or dropped. */
  @FuzzTest(maxDuration = "10m")
  void bridge(byte[] frame) {
    try (VirtualLab lab = VirtualLab.forFuzzing(7)) {
      LabSwitch sw = lab.bridge("sw");
      Tap p1 = lab.tap(sw, "p1");
      lab.tap(sw, "p2");
      lab.start();
      p1.inject(frame);
      lab.settle();
      // the bridge's guard keeps a switch going after a bug; the fuzzer must still see it
      assertEquals(0, sw.bridge().internalErrors().total(), () -> sw.bridge().internalErrors().byClass().toString());
    }
  }

  /**
   * A raw frame into a VLAN-aware switch with trunk p1 (VLANs 10 and 20, native 10), access port p2
   * in VLAN 10 and trunk p3 (VLAN 10, no native VLAN): classified, refused, stripped or tagged;
   * nothing may throw or leak. The first input byte picks the ingress port (modulo 3) and the port
   * (byte / 3, modulo 3) that then sends the frame back with its addresses swapped, so that the
   * source just learned is a known unicast destination: forwarded (tagged, stripped or as it is)
   * or filtered when both are the same port. The rest is the frame.
   */
  @FuzzTest(maxDuration = "10m")
  void vlanBridge(byte[] input) {
    if (input.length == 0) {
      return;
    }
    byte[] frame = Arrays.copyOfRange(input, 1, input.length);
    byte[] back = frame.clone();
    if (back.length >= 12) {
      System.arraycopy(frame, 0, back, 6, 6);
      System.arraycopy(frame, 6, back, 0, 6);
    }
    try (VirtualLab lab = VirtualLab.forFuzzing(7)) {
      LabSwitch sw = lab.bridge("sw");
      List<Tap> ports = List.of(lab.tap(sw, "p1"), lab.tap(sw, "p2"), lab.tap(sw, "p3"));
      sw.bridge().vlans(Map.of("p1", PortVlans.trunk(List.of(10, 20), 10), "p2", PortVlans.access(10),
          "p3", PortVlans.trunk(List.of(10), 0)));
      lab.start();
      int pick = input[0] & 0xFF;
      ports.get(pick % 3).inject(frame);
      lab.settle();
      ports.get(pick / 3 % 3).inject(back);
      lab.settle();
      assertEquals(0, sw.bridge().internalErrors().total(), () -> sw.bridge().internalErrors().byClass().toString());
    }
  }

  private static void transport(int protocol, byte[] l4) {
    byte[] frame = FuzzRig.fillTransportChecksum(FuzzRig.ipv4Frame(R1_IP, protocol, l4), protocol);
    try (FuzzRig rig = new FuzzRig()) {
      rig.input(frame);
    }
  }
}
