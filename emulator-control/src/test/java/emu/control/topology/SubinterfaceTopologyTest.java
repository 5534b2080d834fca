package emu.control.topology;

import static emu.control.topology.Labs.only;
import static emu.control.topology.Labs.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * VLAN subinterfaces in topology files ({@code eth0.10: {address: ...}} on a host, router or
 * linux node): the names, the VLAN numbers, the parent that must be declared and linked, links
 * that must name the parent, fields that belong to the parent's link, and the order the loader
 * hands them on (subinterfaces after every other interface, as a node makes them on their parent).
 */
class SubinterfaceTopologyTest {
  /** r1's eth0 (no address) carries the interfaces written in {@code subs}, linked to h1; they start at line 8. */
  private static String lab(String subs) {
    return """
        name: lab
        topology:
          nodes:
            r1:
              kind: router
              interfaces:
                eth0: {}
        %s
                eth1: {address: 10.30.0.1/24}
            h1:
              kind: host
              interfaces: {eth0: {address: 10.10.0.2/24}}
              gateway: 10.10.0.1
          links:
            - endpoints: ["r1:eth0", "h1:eth0"]
            - endpoints: ["r1:eth1", "h2:eth0"]
            - endpoints: ["h1:eth1", "h2:eth1"]
        """.formatted(subs.indent(8).stripTrailing()).replace("""
            - endpoints: ["r1:eth1", "h2:eth0"]
            - endpoints: ["h1:eth1", "h2:eth1"]
        """, "");
  }

  private static final String TWO = """
      eth0.10: {address: 10.10.0.1/24}
      eth0.20: {address: 10.20.0.1/24}""";

  @Test
  void subinterfacesFollowTheirParentAndNeedNoLinkOfTheirOwn() {
    Topology t = valid(lab(TWO));
    assertEquals(List.of("eth0", "eth1", "eth0.10", "eth0.20"),
        t.node("r1").interfaces().stream().map(IfaceSpec::name).toList(), "subinterfaces after the others");
    IfaceSpec sub = t.node("r1").iface("eth0.20");
    assertEquals("eth0", sub.vlanParent());
    assertEquals(20, sub.vid());
    assertEquals("10.20.0.1/24", sub.address());
    assertEquals(null, t.node("r1").iface("eth0").vlanParent());
    assertEquals(List.of("lab.yml:10:9: interface r1:eth1 is declared but not linked; add a link with endpoint"
        + " \"r1:eth1\" or remove it"), t.warnings().stream().map(Object::toString).toList(),
        "no such warning about a subinterface: its parent's link carries it");
  }

  @Test
  void vlanNumbersAre1To4094() {
    only(lab("eth0.0: {address: 10.10.0.1/24}"), 8, "VLAN 0 is not a VLAN (802.1Q's priority tag");
    only(lab("eth0.4095: {address: 10.10.0.1/24}"), 8, "VLAN 4095 is reserved by 802.1Q");
    only(lab("eth0.5000: {address: 10.10.0.1/24}"), 8, "5000 is above 4094");
    only(lab("eth0.ten: {address: 10.10.0.1/24}"), 8, "'ten' is not a number");
    only(lab("eth0.: {address: 10.10.0.1/24}"), 8, "'' is not a number");
    only(lab("eth0.10.5: {address: 10.10.0.1/24}"), 8, "interface name 'eth0.10.5' of node r1 is invalid");
  }

  @Test
  void theParentMustBeThereAndLinked() {
    only(lab("eth7.10: {address: 10.10.0.1/24}\neth0.10: {address: 10.11.0.1/24}"), 8,
        "interface r1:eth7.10 is a VLAN subinterface of eth7, which node r1 does not have");
    only(lab("eth1.10: {address: 10.40.0.1/24}\neth0.10: {address: 10.10.0.1/24}"), 8,
        "interface r1:eth1.10 is a VLAN subinterface of r1:eth1, which no link names");
  }

  @Test
  void aVlanIsWrittenWithoutLeadingZeros() {
    only(lab("eth0.010: {address: 10.20.0.1/24}"), 8,
        "interface r1:eth0.010: a VLAN subinterface is PARENT.VLAN with VLAN 1..4094, like eth0.10; write the VLAN"
        + " without leading zeros, eth0.10 (as Linux names it)");
    String endpoint = lab(TWO).replace("\"r1:eth0\", \"h1:eth0\"", "\"r1:eth0\", \"h1:eth0.010\"");
    Labs.problem(endpoint, 16, "link endpoint 'h1:eth0.010': interface name 'eth0.010' is invalid");
  }

  @Test
  void theParentsLinkFieldsStayTheParents() {
    only(lab("eth0.10: {address: 10.10.0.1/24, mtu: 1400}"), 8,
        "mtu of r1:eth0.10: a VLAN subinterface shares eth0's link, MAC and MTU (as on Linux); set mtu on eth0");
    only(lab("eth0.10: {address: 10.10.0.1/24, mac: '02:00:00:00:00:99'}"), 8, "mac of r1:eth0.10");
  }

  @Test
  void aLinkNamesTheParent() {
    String yaml = lab(TWO).replace("\"r1:eth0\", \"h1:eth0\"", "\"r1:eth0.10\", \"h1:eth0\"");
    Labs.problem(yaml, 16, "link endpoint 'r1:eth0.10' is a VLAN subinterface; a link names its parent, \"r1:eth0\"");
    String undeclared = lab(TWO).replace("\"r1:eth0\", \"h1:eth0\"", "\"r1:eth0\", \"h1:eth0.10\"");
    Labs.problem(undeclared, 16, "link endpoint 'h1:eth0.10' names a VLAN subinterface, which rides its parent's"
        + " link; a link names the parent, \"h1:eth0\"");
  }

  @Test
  void aFaultNamesTheParentsLink() {
    String yaml = lab(TWO) + "faults:\n  - at 1s down r1:eth0.10\n  - at 2s set r1:eth0.20 loss 5%\n";
    List<Problem> all = Labs.problems(yaml);
    assertEquals(List.of("lab.yml:18:5: fault 'at 1s down r1:eth0.10': interface r1:eth0.10 is a VLAN subinterface:"
        + " its frames cross r1:eth0's link, so a fault names r1:eth0 (and acts on all its VLANs)",
        "lab.yml:19:5: fault 'at 2s set r1:eth0.20 loss 5%': interface r1:eth0.20 is a VLAN subinterface: its frames"
        + " cross r1:eth0's link, so a fault names r1:eth0 (and acts on all its VLANs)"),
        all.stream().map(Object::toString).toList());
    valid(lab(TWO) + "faults:\n  - at 1s down r1:eth0\n");
  }

  @Test
  void routesAndGatewaysMayUseASubinterfacesSubnet() {
    // a host with VLAN 20 on its eth0 too: its gateway is on VLAN 20's subnet, a route via VLAN 10
    String yaml = lab(TWO).replace("interfaces: {eth0: {address: 10.10.0.2/24}}",
        "interfaces: {eth0: {address: 10.10.0.2/24}, eth0.20: {address: 10.20.0.2/24}}")
        .replace("gateway: 10.10.0.1", "gateway: 10.20.0.1\n      routes: [{to: 10.30.0.0/24, via: 10.10.0.1}]");
    Topology t = valid(yaml);
    assertEquals("10.20.0.1", t.node("h1").gateway());
    assertEquals(List.of("eth0", "eth0.20"), t.node("h1").interfaces().stream().map(IfaceSpec::name).toList());
    Labs.problem(yaml.replace("gateway: 10.20.0.1", "gateway: 10.50.0.1"), 14,
        "gateway 10.50.0.1 of node h1 is not inside any connected subnet of the node (its subnets are 10.10.0.0/24,"
        + " 10.20.0.0/24)");
  }

  @Test
  void switchesAndExternalPeersHaveNone() {
    Labs.problem("""
        name: lab
        topology:
          nodes:
            s1: {kind: switch, interfaces: {p1.10: {}}}
            h1: {kind: host, interfaces: {eth0: {address: 10.0.0.1/24}}}
          links:
            - endpoints: ["h1:eth0", "s1:p1"]
        """, 4, "interface s1:p1.10: only hosts, routers and linux nodes have VLAN subinterfaces (a switch port"
        + " takes VLANs as an access or trunk port (vlan:, trunk:), not as subinterfaces)");
  }

  @Test
  void aLinkToASwitchOrExternalPeerNamesNoSubinterface() {
    String yaml = """
        name: lab
        topology:
          nodes:
            s1: {kind: switch}
            h1: {kind: host, interfaces: {eth0: {address: 10.0.0.1/24}, eth1: {address: 10.0.1.1/24}}}
            vm: {kind: external, interfaces: {eth0: {address: 10.0.1.2/24, peer: '127.0.0.1:40001'}}}
          links:
            - endpoints: ["h1:eth0", "s1:p1.10"]
            - endpoints: ["h1:eth1", "vm:eth0.10"]
        """;
    List<Problem> all = Labs.problems(yaml);
    assertEquals(List.of("lab.yml:8:30: link endpoint 's1:p1.10': a switch port takes VLANs as an access or trunk"
        + " port (vlan:, trunk:), not as subinterfaces; name the port, \"s1:p1\"",
        "lab.yml:9:30: link endpoint 'vm:eth0.10': an external peer configures its own VLANs, not as emu"
        + " subinterfaces; name the interface, \"vm:eth0\""), all.stream().map(Object::toString).toList());
  }
}
