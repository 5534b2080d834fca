package emu.control.topology;

import static emu.control.topology.Labs.only;
import static emu.control.topology.Labs.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** linux and external nodes: framing, VNIs, what they may and may not say. */
class RealPeerChecksTest {

  /** h1 (emu host), k1 and k2 (linux), vm (external), sw1; links start at line 18. */
  private static String lab(String links) {
    return """
        name: lab
        topology:
          nodes:
            h1:
              kind: host
              interfaces: {eth0: {address: 10.0.0.1/24}, eth1: {address: 10.0.1.1/24}}
            k1:
              kind: linux
              interfaces: {eth0: {address: 10.0.0.2/24}}
            k2:
              kind: linux
              interfaces: {eth0: {address: 10.0.1.2/24}}
            vm:
              kind: external
              interfaces: {eth0: {address: 10.0.0.3/24, peer: '127.0.0.1:40001'}}
            sw1: {kind: switch}
          links:
        %s""".formatted(links.indent(4));
  }

  @Test
  void linuxLinksSpeakVxlanWithTheirOwnVnis() {
    Topology t = valid(lab("""
        - endpoints: [h1:eth0, sw1:p1]
        - endpoints: [k1:eth0, sw1:p2]
        - endpoints: [h1:eth1, k2:eth0]
          vni: 1001
        - endpoints: [vm:eth0, sw1:p3]
        """));
    assertEquals(List.of("raw", "vxlan", "vxlan", "raw"), t.links().stream().map(LinkSpec::framing).toList());
    // 1001 is taken by the file; the implicit one skips it.
    assertEquals(1002, t.links().get(1).vni());
    assertEquals(1001, t.links().get(2).vni());
    assertEquals(null, t.links().get(0).vni());
  }

  @Test
  void aVniClashIsRefusedAtTheSecondLink() {
    only(lab("""
        - endpoints: [k1:eth0, sw1:p1]
          vni: 7
        - endpoints: [h1:eth1, k2:eth0]
          vni: 7
        """), 21, "VNI 7 is already used by the link at line 18");
  }

  @Test
  void aLinuxLinkCannotBeRaw() {
    only(lab("""
        - endpoints: [k1:eth0, sw1:p1]
          framing: raw
        """), 19, "reaches a linux node, whose end is a Linux VXLAN device: its framing must be vxlan");
  }

  @Test
  void aVniNeedsVxlanFraming() {
    only(lab("""
        - endpoints: [h1:eth0, sw1:p1]
          vni: 9
        """), 19, "vni is only for vxlan links");
  }

  @Test
  void oneEndOfEveryLinkIsAnEmuNode() {
    only(lab("- endpoints: [k1:eth0, k2:eth0]"), 18, "one end of every link must be an emu node");
    only(lab("- endpoints: [k1:eth0, vm:eth0]"), 18, "one end of every link must be an emu node");
  }

  @Test
  void vniOutOfRange() {
    only(lab("""
        - endpoints: [k1:eth0, sw1:p1]
          vni: 16777216
        """), 19, "vni");
  }

  @Test
  void anExternalInterfaceNeedsAPeerAndOthersMayNotNameOne() {
    only("""
        name: lab
        topology:
          nodes:
            vm:
              kind: external
              interfaces: {eth0: {address: 10.0.0.3/24}}
            sw1: {kind: switch}
          links:
            - endpoints: [vm:eth0, sw1:p1]
        """, 6, "needs 'peer: HOST:PORT'");
    only("""
        name: lab
        topology:
          nodes:
            h1:
              kind: host
              interfaces: {eth0: {address: 10.0.0.1/24, peer: '127.0.0.1:4000'}}
            sw1: {kind: switch}
          links:
            - endpoints: [h1:eth0, sw1:p1]
        """, 6, "only an external node's interfaces name a peer");
  }

  @Test
  void aLinuxNodeHasNoEmuSocketToPin() {
    only("""
        name: lab
        topology:
          nodes:
            k1:
              kind: linux
              interfaces: {eth0: {address: 10.0.0.2/24, port: 40000}}
            sw1: {kind: switch}
          links:
            - endpoints: [k1:eth0, sw1:p1]
        """, 6, "a linux node has no emu socket");
  }

  @Test
  void theEmuEndOfALinuxLinkHasItsPortFromVxlan() {
    only("""
        name: lab
        topology:
          nodes:
            h1:
              kind: host
              interfaces: {eth0: {address: 10.0.0.1/24, port: 40000}}
            k1:
              kind: linux
              interfaces: {eth0: {address: 10.0.0.2/24}}
          links:
            - endpoints: [h1:eth0, k1:eth0]
        """, 6, "listens on its own underlay address at the VXLAN port 4789");
  }
}
