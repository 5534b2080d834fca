package emu.control.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import emu.control.topology.Topology;
import emu.control.topology.TopologyLoader;
import emu.node.config.NodeConfig;
import emu.node.tls.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which management APIs the planner puts behind TLS, and with what certificates: a node on
 * another machine gets a server certificate from the lab CA for its host's address (what the
 * control plane dials), a node on this machine none (plain HTTP on loopback); the control plane
 * gets one client certificate, and every key is written only its owner can read.
 */
class ManagementTlsPlanTest {
  @Test
  void aRemoteNodeGetsAServerCertificateForItsHostAndTheControlPlaneAClientOne(@TempDir Path dir)
      throws Exception {
    Topology topo = TopologyLoader.parse(Path.of("tlsplan.yml"), """
        name: tlsplan
        hosts:
          m1: {address: 10.77.0.11}
        topology:
          defaults: {kind: host}
          nodes:
            far: {host: m1, interfaces: {eth0: {address: 10.0.0.1/24}}}
            near: {interfaces: {eth0: {address: 10.0.1.1/24}}}
          links: []
        """);
    LabPlan plan;
    Path state = dir.resolve("state");
    try (PortAllocator ports = new PortAllocator()) {
      plan = LabPlanner.plan(topo, state, dir.resolve("out"), 1, false, false, null, ports);
    }
    assertNull(plan.node("near").config().management().tls(), "a local node stays plain HTTP on loopback");
    NodeConfig.Management far = plan.node("far").config().management();
    assertEquals("10.77.0.11", far.host());
    assertNotNull(far.tls(), "a node on another machine speaks TLS");
    Path pki = LabSecrets.pki(state);
    X509Certificate ca = Pem.certificates(Files.readString(pki.resolve(LabSecrets.CA_CERT))).get(0);
    assertEquals(ca, Pem.certificates(far.tls().clientCaPem()).get(0), "clients must come from the lab CA");
    List<X509Certificate> chain = Pem.certificates(far.tls().certChainPem());
    X509Certificate leaf = chain.get(0);
    leaf.verify(ca.getPublicKey());
    assertEquals("CN=far", leaf.getSubjectX500Principal().getName());
    // one subjectAltName, the host's address as an IP entry (type 7), which the HTTP client verifies
    assertEquals(List.of(List.of(7, "10.77.0.11")), List.copyOf(leaf.getSubjectAlternativeNames()));
    assertEquals(List.of("1.3.6.1.5.5.7.3.1"), leaf.getExtendedKeyUsage(), "serverAuth only");
    assertEquals("EC", leaf.getPublicKey().getAlgorithm());

    X509Certificate client = Pem.certificates(Files.readString(pki.resolve(LabSecrets.CONTROL_CERT))).get(0);
    client.verify(ca.getPublicKey());
    assertEquals("CN=emu control plane", client.getSubjectX500Principal().getName());
    assertEquals(List.of("1.3.6.1.5.5.7.3.2"), client.getExtendedKeyUsage(), "clientAuth only");
    assertNull(client.getSubjectAlternativeNames());
    for (String key : List.of(LabSecrets.CONTROL_KEY, "far-mgmt.key", "ca.key")) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pki.resolve(key))), key);
    }
    assertEquals(far.tls().keyPem(), Files.readString(pki.resolve("far-mgmt.key")));
  }
}
