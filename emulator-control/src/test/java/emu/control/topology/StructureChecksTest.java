package emu.control.topology;

import static emu.control.topology.Labs.only;
import static emu.control.topology.Labs.problem;
import static emu.control.topology.Labs.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Names, sections, kinds, field names and YAML types. */
class StructureChecksTest {

  @Test
  void nameMissing() {
    only("""
        topology:
          nodes: {sw1: {kind: switch}}
        """, 1, "name is missing");
  }

  @Test
  void nameInvalid() {
    Problem p = only("""
        name: Corp_Lab
        topology:
          nodes: {sw1: {kind: switch}}
        """, 1, "lab name 'Corp_Lab' is invalid");
    assertEquals(7, p.column());
    only("name: " + "a".repeat(41) + "\ntopology: {nodes: {sw1: {kind: switch}}}\n", 1, "is invalid");
    only("name: -lab\ntopology: {nodes: {sw1: {kind: switch}}}\n", 1, "is invalid");
  }

  @Test
  void nameMustBeAScalar() {
    only("name: [a]\ntopology: {nodes: {sw1: {kind: switch}}}\n", 1, "'name' in the top level must be a string, not a list");
  }

  @Test
  void numericNameIsTakenAsWritten() {
    assertEquals("2024", valid("name: 2024\ntopology: {nodes: {sw1: {kind: switch}}}\n").name());
  }

  @Test
  void topologyMissing() {
    only("name: lab\n", 1, "topology is missing");
  }

  @Test
  void topologyMustBeAMap() {
    only("name: lab\ntopology: nodes\n", 2, "'topology' must be a map");
  }

  @Test
  void nodesMissing() {
    only("""
        name: lab
        topology:
          links: []
        """, 2, "topology.nodes is missing");
  }

  @Test
  void nodesEmpty() {
    only("""
        name: lab
        topology:
          nodes: {}
        """, 3, "topology.nodes is empty");
    only("""
        name: lab
        topology:
          nodes:
        """, 3, "topology.nodes is empty");
  }

  @Test
  void nodesMustBeAMap() {
    only("""
        name: lab
        topology:
          nodes: [h1, h2]
        """, 3, "topology.nodes must be a map of node name to settings, not a list");
  }

  @Test
  void nodeNameInvalid() {
    Problem p = only("""
        name: lab
        topology:
          nodes:
            sw1: {kind: switch}
            Router_1: {kind: switch}
        """, 5, "node name 'Router_1' is invalid");
    assertEquals(5, p.column());
  }

  @Test
  void kindMissing() {
    only("""
        name: lab
        topology:
          nodes:
            sw1: {kind: switch}
            h1: {}
        """, 5, "node h1 has no kind");
  }

  @Test
  void emptyNodeTakesTheDefaultKind() {
    Topology t = valid("""
        name: lab
        topology:
          defaults: {kind: switch}
          nodes:
            sw1:
        """);
    assertTrue(t.node("sw1").isSwitch());
  }

  @Test
  void kindInvalid() {
    only("""
        name: lab
        topology:
          nodes:
            h1:
              kind: server
        """, 5, "unknown kind 'server'; use host, router, switch, linux or external");
    only("""
        name: lab
        topology:
          defaults: {kind: vm}
          nodes:
            h1: {}
        """, 3, "unknown kind 'vm' in topology.defaults");
  }

  @Test
  void nodeKindOverridesDefault() {
    Topology t = valid("""
        name: lab
        topology:
          defaults: {kind: host}
          nodes:
            sw1: {kind: switch}
        """);
    assertEquals("switch", t.node("sw1").kind());
  }

  @Test
  void onlyKindIsAllowedInDefaults() {
    Problem p = only("""
        name: lab
        topology:
          defaults:
            kind: switch
            mtu: 1500
          nodes: {sw1: {}}
        """, 5, "unknown field 'mtu' in topology.defaults");
    assertTrue(p.message().contains("allowed fields: kind"), p.message());
  }

  @Test
  void unknownFieldListsAllowedOnes() {
    String yaml = """
        name: lab
        topology:
          nodes:
            h1:
              kind: host
              interfaces:
                eth0: {adress: 10.0.0.1/24}
              image: alpine
        labels: {}
        """;
    Problem iface = problem(yaml, 7, "unknown field 'adress' in interface h1:eth0");
    assertTrue(iface.message().contains("allowed fields: address, ipv6, mac, port, mtu"), iface.message());
    assertTrue(iface.message().contains("did you mean 'address'?"), iface.message());
    assertEquals(16, iface.column());
    Problem node = problem(yaml, 8, "unknown field 'image' in node h1");
    assertTrue(node.message().contains("allowed fields: kind, interfaces, gateway, routes, hosts, bind, mgmt-port"),
        node.message());
    Problem top = problem(yaml, 9, "unknown field 'labels' in the top level");
    assertTrue(top.message().contains("allowed fields: name, topology, scenario"), top.message());
  }

  @Test
  void wrongYamlTypesAreErrors() {
    String yaml = """
        name: lab
        topology:
          nodes:
            h1:
              kind: host
              interfaces: eth0
            h2: host
            sw1:
              kind: switch
              interfaces:
                p1: {mtu: "1500"}
                p2: {mtu: 15.5}
              mgmt-port: [1]
          links: {endpoints: []}
        """;
    problem(yaml, 6, "'interfaces' in node h1 must be a map");
    problem(yaml, 7, "node h2 must be a map");
    problem(yaml, 11, "'mtu' in interface sw1:p1 must be an integer in 68..9216, not the string '1500'");
    problem(yaml, 12, "must be an integer in 68..9216, not the number 15.5");
    problem(yaml, 13, "'mgmt-port' in node sw1 must be an integer in 1..65535, not a list");
    problem(yaml, 14, "'links' in topology must be a list");
  }

  @Test
  void scenarioMustBeAList() {
    only("""
        name: lab
        topology:
          nodes: {sw1: {kind: switch}}
        scenario: {sw1: ping}
        """, 4, "'scenario' in the top level must be a list");
  }

  @Test
  void scenarioStepMustHaveExactlyOneKey() {
    String yaml = """
        name: lab
        topology:
          nodes: {h1: {kind: host}, h2: {kind: host}}
        scenario:
          - h1: ping h2
            h2: ping h1
          - ping h2
          - {}
        """;
    problem(yaml, 5, "got 2 keys");
    problem(yaml, 7, "exactly one key, the node name, like '- h1: ping -c 1 h2'; got the string 'ping h2'");
    problem(yaml, 8, "got 0 keys");
  }

  @Test
  void scenarioStepUnknownNode() {
    only("""
        name: lab
        topology:
          nodes: {client: {kind: host}}
        scenario:
          - client: echo hi
          - clinet: echo hi
        """, 6, "scenario step: no node named clinet (did you mean 'client'?)");
  }

  @Test
  void scenarioCommandMustBeANonEmptyString() {
    String yaml = """
        name: lab
        topology:
          nodes: {h1: {kind: host}}
        scenario:
          - h1:
          - h1: ""
          - h1: 42
          - h1: [ping, h2]
        """;
    problem(yaml, 5, "scenario step for h1: the command must be a non-empty string, not nothing");
    problem(yaml, 6, "must be a non-empty string, not the string ''");
    problem(yaml, 7, "must be a non-empty string, not the number 42");
    problem(yaml, 8, "must be a non-empty string, not a list");
    assertEquals(4, Labs.problems(yaml).size());
  }
}
