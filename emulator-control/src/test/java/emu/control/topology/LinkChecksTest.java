package emu.control.topology;

import static emu.control.topology.Labs.only;
import static emu.control.topology.Labs.problem;
import static emu.control.topology.Labs.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Links: endpoint syntax, names that must exist, reuse, self-links, MTU, implicit switch ports, warnings. */
class LinkChecksTest {

  /** h1 (eth0 10.0.0.1/24), h2 (eth0 10.0.0.2/24), r1 (eth0 10.0.0.254/24), switch sw1; links start at line 15. */
  private static String lab(String links) {
    return """
        name: lab
        topology:
          nodes:
            h1:
              kind: host
              interfaces: {eth0: {address: 10.0.0.1/24}}
            h2:
              kind: host
              interfaces: {eth0: {address: 10.0.0.2/24}}
            r1:
              kind: router
              interfaces: {eth0: {address: 10.0.0.254/24}}
            sw1: {kind: switch}
          links:
        %s""".formatted(links.indent(4));
  }

  @Test
  void fixtureIsValid() {
    Topology t = valid(lab("""
        - endpoints: [h1:eth0, sw1:p1]
        - endpoints: [h2:eth0, sw1:p2]
        - endpoints: [r1:eth0, sw1:p3]
          mtu: 9000
        """));
    assertEquals(List.of("p1", "p2", "p3"), t.node("sw1").interfaces().stream().map(IfaceSpec::name).toList());
    assertEquals(List.of(15, 16, 17), t.links().stream().map(LinkSpec::line).toList());
    assertEquals(9000, t.links().get(2).mtu());
    assertEquals(List.of(), t.warnings());
  }

  @Test
  void endpointsMustBeTwoNodeIfaceStrings() {
    only(lab("- endpoints: h1:eth0"), 15, "link endpoints must be a list of exactly two \"node:iface\" strings");
    only(lab("- endpoints: [h1:eth0, h2:eth0, sw1:p1]"), 15, "got a list of 3 item(s)");
    only(lab("- endpoints: [h1:eth0]"), 15, "got a list of 1 item(s)");
    only(lab("- endpoints: [h1:eth0, [h2, eth0]]"), 15, "exactly two");
    only(lab("- endpoints:"), 15, "exactly two");
    Problem p = only(lab("- endpoints: [h1, h2:eth0]"), 15, "link endpoint 'h1' must be written node:iface");
    assertEquals(19, p.column());
    only(lab("- endpoints: [h1:eth0, 'sw1:']"), 15, "must be written node:iface");
    only(lab("- endpoints: [h1:eth0, 'sw1:p:1']"), 15, "must be written node:iface");
    only(lab("- endpoints: [h1:eth0, sw1:Port1]"), 15, "interface name 'Port1' is invalid");
    only(lab("- {mtu: 1500}"), 15, "link has no endpoints");
    only(lab("- h1:eth0 sw1:p1"), 15, "a link must be a map");
  }

  @Test
  void undefinedNode() {
    Problem p = only(lab("- endpoints: [h1:eth0, r9:eth0]"), 15,
        "link endpoint 'r9:eth0': no node named r9 (did you mean 'r1'?)");
    assertEquals(28, p.column());
    only(lab("- endpoints: [h1:eth0, sw2:p1]"), 15, "no node named sw2 (did you mean 'sw1'?)");
  }

  @Test
  void hostInterfaceMustBeDeclared() {
    only(lab("- endpoints: [h1:eth1, sw1:p1]"), 15,
        "link endpoint 'h1:eth1': h1 has no interface eth1; declare it under topology.nodes.h1.interfaces");
    only(lab("- endpoints: [r1:eth1, sw1:p1]"), 15, "r1 has no interface eth1");
  }

  @Test
  void endpointUsedTwiceNamesBothLinks() {
    String yaml = lab("""
        - endpoints: [h1:eth0, sw1:p1]
        - endpoints: [h2:eth0, sw1:p2]
        - endpoints: [sw1:p1, r1:eth0]
        """);
    Problem p = only(yaml, 17, "link endpoint 'sw1:p1' is already used by the link at line 15");
    assertEquals(19, p.column());
    only(lab("""
        - endpoints: [h1:eth0, sw1:p1]
        - endpoints: [h1:eth0, sw1:p2]
        - endpoints: [r1:eth0, sw1:p3]
        """), 16, "link endpoint 'h1:eth0' is already used by the link at line 15");
  }

  @Test
  void linkToItself() {
    only(lab("- endpoints: [sw1:p1, sw1:p2]"), 15, "link connects node sw1 to itself");
    only(lab("- endpoints: [h1:eth0, h1:eth0]"), 15, "link connects node h1 to itself");
  }

  @Test
  void linkMtuRange() {
    only(lab("- endpoints: [h1:eth0, sw1:p1]\n  mtu: 67"), 16, "mtu 67 in link is out of range; it must be an integer"
        + " in 68..9216");
    only(lab("- {endpoints: [h1:eth0, sw1:p1], mtu: 10000}"), 15, "out of range");
  }

  @Test
  void unknownLinkField() {
    Problem p = only(lab("- endpoints: [h1:eth0, sw1:p1]\n  delay: 10ms"), 16, "unknown field 'delay' in link");
    assertTrue(p.message().contains("allowed fields: endpoints, mtu"), p.message());
  }

  @Test
  void declaredSwitchPortsComeFirstAndKeepTheirSettings() {
    Topology t = valid("""
        name: lab
        topology:
          nodes:
            h1: {kind: host, interfaces: {eth0: {address: 10.0.0.1/24}}}
            h2: {kind: host, interfaces: {eth0: {address: 10.0.0.2/24}}}
            sw1:
              kind: switch
              interfaces:
                uplink: {port: 40100, mtu: 9000, mac: "02:00:00:00:00:99"}
          links:
            - endpoints: [sw1:p7, h2:eth0]
            - endpoints: [h1:eth0, sw1:uplink]
        """);
    NodeSpec sw1 = t.node("sw1");
    assertEquals(List.of(new IfaceSpec("uplink", null, "02:00:00:00:00:99", 40100, 9000),
        new IfaceSpec("p7", null, null, null, null)), sw1.interfaces());
  }

  @Test
  void unlinkedInterfaceIsAWarning() {
    Topology t = valid(lab("- endpoints: [h1:eth0, sw1:p1]\n- endpoints: [h2:eth0, sw1:p2]"));
    assertEquals(1, t.warnings().size(), () -> Labs.render(t.warnings()));
    assertEquals("lab.yml:12:20: interface r1:eth0 is declared but not linked; add a link with endpoint"
        + " \"r1:eth0\" or remove it", t.warnings().get(0));
  }

  @Test
  void directLinkBetweenDifferentSubnetsIsAWarning() {
    Topology t = valid("""
        name: lab
        topology:
          nodes:
            h1: {kind: host, interfaces: {eth0: {address: 10.0.0.1/24}}}
            r1: {kind: router, interfaces: {eth0: {address: 10.0.1.1/24}}}
          links:
            - endpoints: [h1:eth0, r1:eth0]
        """);
    assertEquals(List.of("lab.yml:7:7: linked interfaces h1:eth0 (10.0.0.0/24) and r1:eth0 (10.0.1.0/24)"
        + " are in different subnets, so they cannot reach each other"), t.warnings());
  }

  @Test
  void severalLinkProblemsAtOnce() {
    String yaml = lab("""
        - endpoints: [h1:eth9, sw1:p1]
        - endpoints: [h2:eth0, r9:eth0]
        - endpoints: [sw1:p1, r1:eth0]
        """);
    List<Problem> all = Labs.problems(yaml);
    assertEquals(List.of(15, 16, 17), all.stream().map(Problem::line).toList(), Labs.render(all));
    problem(yaml, 15, "h1 has no interface eth9");
    problem(yaml, 16, "no node named r9");
    problem(yaml, 17, "already used by the link at line 15");
  }
}
