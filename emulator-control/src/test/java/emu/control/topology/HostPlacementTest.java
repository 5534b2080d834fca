package emu.control.topology;

import static emu.control.topology.Labs.only;
import static emu.control.topology.Labs.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The top-level hosts section and nodes' host: placement. */
class HostPlacementTest {
  private static final String HOSTS = """
      hosts:
        m1: {address: 10.77.0.11, ssh: root@10.77.0.11, identity: ~/.ssh/id_ed25519, emu: /opt/emu}
        m2: {address: 10.77.0.12, port: 2222}
      """;

  @Test
  void nodesOnHostsBindTheHostsAddressAndNodesWithoutStayLocal() {
    Topology t = valid(HOSTS + """
        name: lab
        topology:
          nodes:
            h1: {kind: host, host: m1, interfaces: {eth0: {address: 10.0.0.1/24}}}
            h2: {kind: host, host: m2, interfaces: {eth0: {address: 10.0.0.2/24}}}
            h3: {kind: host, host: 10.77.0.13, interfaces: {eth0: {address: 10.0.1.3/24}}}
            h4: {kind: host, interfaces: {eth0: {address: 10.0.1.4/24}}}
          links:
            - endpoints: ["h1:eth0", "h2:eth0"]
        """);
    NodeSpec h1 = t.node("h1");
    assertEquals("m1", h1.host().name());
    assertEquals("10.77.0.11", h1.bind());
    assertEquals("root@10.77.0.11", h1.host().ssh());
    assertEquals("/opt/emu", h1.host().emu());
    assertEquals(2222, t.node("h2").host().port());
    assertEquals("10.77.0.12", t.node("h2").host().ssh()); // default: the address, as the current user
    assertEquals("10.77.0.13", t.node("h3").bind()); // placed by address
    assertEquals("10.77.0.13", t.node("h3").host().ssh());
    assertNull(t.node("h4").host());
    assertEquals("127.0.0.1", t.node("h4").bind());
    assertEquals(3, t.hosts().size());
  }

  @Test
  void unknownHost() {
    only(HOSTS + """
        name: lab
        topology:
          nodes: {h1: {kind: host, host: m3, interfaces: {eth0: {address: 10.0.0.1/24}}}}
        """, 6, "node h1 names host 'm3', which the hosts section does not declare (it has: m1, m2)");
  }

  @Test
  void hostAddressMustBeAUnicastIpv4Address() {
    only("""
        hosts: {m1: {address: 10.77.0.300}}
        name: lab
        topology: {nodes: {sw1: {kind: switch}}}
        """, 1, "address of host m1");
    only("""
        hosts: {m1: {address: 224.0.0.1}}
        name: lab
        topology: {nodes: {sw1: {kind: switch}}}
        """, 1, "cannot be a host's address");
    only("""
        hosts: {m1: {ssh: root@x}}
        name: lab
        topology: {nodes: {sw1: {kind: switch}}}
        """, 1, "host m1 has no address");
  }

  @Test
  void bindContradictingTheHost() {
    only(HOSTS + """
        name: lab
        topology:
          nodes: {h1: {kind: host, host: m1, bind: 10.77.0.12, interfaces: {eth0: {address: 10.0.0.1/24}}}}
        """, 6, "bind 10.77.0.12 of node h1 contradicts its host m1, whose address is 10.77.0.11");
  }

  @Test
  void linuxAndExternalNodesStayOnTheControlPlanesMachine() {
    only(HOSTS + """
        name: lab
        topology:
          nodes: {k: {kind: linux, host: m1, interfaces: {eth0: {address: 10.0.0.1/24}}}}
        """, 6, "linux node k cannot be placed on host m1");
  }

  @Test
  void aLocalNodeOnLoopbackCannotBeLinkedToARemoteOne() {
    only(HOSTS + """
        name: lab
        topology:
          nodes:
            h1: {kind: host, host: m1, interfaces: {eth0: {address: 10.0.0.1/24}}}
            h2: {kind: host, interfaces: {eth0: {address: 10.0.0.2/24}}}
          links:
            - endpoints: ["h1:eth0", "h2:eth0"]
        """, 10, "node h2 runs on the control plane's machine bound to 127.0.0.1, which h1 on host m1 cannot reach");
  }

  @Test
  void twoHostsWithOneAddress() {
    only("""
        hosts:
          m1: {address: 10.77.0.11}
          m2: {address: 10.77.0.11}
        name: lab
        topology: {nodes: {sw1: {kind: switch}}}
        """, 3, "host m2 has the address of host m1");
  }

  @Test
  void unknownHostField() {
    only("""
        hosts: {m1: {address: 10.77.0.11, user: root}}
        name: lab
        topology: {nodes: {sw1: {kind: switch}}}
        """, 1, "unknown field 'user' in host m1");
  }
}
