package emu.control.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.plan.LabSecrets;
import emu.control.plan.PortAllocator;
import emu.node.config.NodeConfig;
import emu.node.tls.LabPki;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node process (a real JVM) whose management API is configured for TLS, as the planner
 * configures a node on another machine: it answers the control plane's {@link NodeClient}, which
 * presents the lab's client certificate and checks the node's; and it refuses, as seen by curl
 * from outside, plain HTTP, a TLS client without a client certificate, a client certificate from
 * another CA, and its own server certificate used as a client's. The control plane in turn
 * refuses a node whose certificate is from another CA, or is not for the name it dialled.
 */
class ManagementTlsTest {
  private static final String TOKEN = "t0ken";

  @TempDir
  Path dir;
  private DatagramSocket peer;
  private Process node;
  private int mgmt;
  private LabPki.Ca ca;
  private LabPki.Credentials server;
  private ControlTls control;

  @BeforeEach
  void start() throws Exception {
    peer = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    int link;
    try (PortAllocator ports = new PortAllocator()) {
      link = ports.udp("127.0.0.1", null, "h1:eth0");
      mgmt = ports.tcp("127.0.0.1", null, "h1 mgmt");
    }
    ca = LabPki.newCa("emu lab tlstest CA");
    server = ca.issueServer("h1", List.of("127.0.0.1"));
    LabPki.Credentials client = ca.issueClient("emu control plane");
    Path pki = dir.resolve("pki");
    Files.createDirectories(pki);
    write(pki, LabSecrets.CA_CERT, ca.certPem());
    write(pki, LabSecrets.CONTROL_CERT, client.certChainPem());
    write(pki, LabSecrets.CONTROL_KEY, client.keyPem());
    control = ControlTls.load(pki);
    NodeConfig cfg = NodeConfig.builder("tlstest", "h1", "host").interfaces(List.of(
        new NodeConfig.Iface("eth0", "02:00:00:00:01:00", "10.0.0.1/24", 1500, "127.0.0.1:" + link,
            "127.0.0.1:" + peer.getLocalPort())))
        .routes(List.of())
        .management(new NodeConfig.Management("127.0.0.1", mgmt, TOKEN,
            new NodeConfig.Management.Tls(server.keyPem(), server.certChainPem(), ca.certPem())))
        .outputDir(dir.toString()).seed(1).parentPid(ProcessHandle.current().pid()).build();
    Path cfgFile = dir.resolve("h1.json");
    cfg.write(cfgFile);
    node = new ProcessBuilder(NodeProcesses.command(cfgFile, false)).redirectErrorStream(true)
        .redirectOutput(dir.resolve("h1.log").toFile()).start();
    NodeClient c = new NodeClient("h1", "127.0.0.1:" + mgmt, TOKEN, control);
    long deadline = System.currentTimeMillis() + 60_000;
    while (!c.healthy()) {
      assertTrue(node.isAlive(), () -> NodeProcesses.tail(dir.resolve("h1.log"), 20));
      assertTrue(System.currentTimeMillis() < deadline, () -> "node not ready over TLS; its log:\n"
          + NodeProcesses.tail(dir.resolve("h1.log"), 20));
      Thread.sleep(50);
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (node != null && node.isAlive()) {
      new NodeClient("h1", "127.0.0.1:" + mgmt, TOKEN, control).shutdown();
      if (!node.waitFor(10, TimeUnit.SECONDS)) {
        node.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
    peer.close();
    String log = Files.readString(dir.resolve("h1.log"));
    assertTrue(!log.contains("Exception"), "refused clients are not the node's errors:\n" + log);
  }

  @Test
  void theControlPlaneIsAnsweredAndEveryOtherClientRefused() throws Exception {
    NodeClient client = new NodeClient("h1", "127.0.0.1:" + mgmt, TOKEN, control);
    assertEquals("h1", client.status().path("node").asText());
    List<String> lines = new ArrayList<>();
    assertEquals(0, client.exec(List.of("ip", "addr"), lines::add));
    assertTrue(String.join("\n", lines).contains("10.0.0.1/24"), lines::toString);

    String url = "https://127.0.0.1:" + mgmt + "/status";
    Path caFile = dir.resolve("pki").resolve(LabSecrets.CA_CERT);
    // plain HTTP: one answer saying what the port speaks, then the connection is closed
    Curl plain = curl("http://127.0.0.1:" + mgmt + "/status");
    assertTrue(plain.out().startsWith("HTTP/1.1 400") && plain.out().contains("HTTPS only"), plain::toString);
    // TLS, the server verified, but no client certificate
    Curl anonymous = curl("--cacert", caFile.toString(), url);
    assertRefused(anonymous);
    // a client certificate from another CA (the lab's impostor CA)
    LabPki.Credentials stranger = ca.impostor().issueClient("emu control plane");
    Curl other = curl("--cacert", caFile.toString(), "--cert", write(dir, "other.pem", stranger.certChainPem()),
        "--key", write(dir, "other.key", stranger.keyPem()), url);
    assertRefused(other);
    // the node's own certificate, from the lab CA but for serving only (extendedKeyUsage serverAuth)
    Curl serverAsClient = curl("--cacert", caFile.toString(), "--cert", write(dir, "srv.pem", server.certChainPem()),
        "--key", write(dir, "srv.key", server.keyPem()), url);
    assertRefused(serverAsClient);
    // what the control plane presents gets through, so the refusals above are the certificates':
    // to the API, which refuses curl's unsigned request (401) with the node's proof (MgmtAuth)
    Path pki = dir.resolve("pki");
    Curl ok = curl("--cacert", caFile.toString(), "--cert", pki.resolve(LabSecrets.CONTROL_CERT).toString(),
        "--key", pki.resolve(LabSecrets.CONTROL_KEY).toString(), url);
    assertTrue(ok.out().startsWith("HTTP/1.1 401") && ok.out().toLowerCase().contains("emu-node-proof"), ok::toString);

    // What a start waiting for this node is told (Lab.awaitReady fails at once on a reason): none when
    // ready; with a key that is not the node's, why; nothing ("") from a port where nothing listens
    assertNull(client.unhealthyBecause());
    String wrongKey = new NodeClient("h1", "127.0.0.1:" + mgmt, "not-" + TOKEN, control).unhealthyBecause();
    assertTrue(wrongKey != null && wrongKey.contains("is not node h1"), wrongKey);
    try (java.net.ServerSocket closed = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      int free = closed.getLocalPort();
      closed.close();
      assertEquals("", new NodeClient("h1", "127.0.0.1:" + free, TOKEN, control).unhealthyBecause());
    }

    // The control plane checks the node: a name the certificate is not for (it is for 127.0.0.1)...
    assertTrue(!new NodeClient("h1", "localhost:" + mgmt, TOKEN, control).healthy(), "accepted a wrong host name");
    IOException wrongName = assertThrows(IOException.class,
        () -> new NodeClient("h1", "localhost:" + mgmt, TOKEN, control).status());
    assertTrue(String.valueOf(wrongName.getMessage()).toLowerCase().contains("localhost")
        || String.valueOf(wrongName.getCause()).contains("localhost"), wrongName.toString());
    // ...and a node certificate from a CA other than the one it trusts (its own client certificate is right)
    Path otherPki = dir.resolve("other-pki");
    Files.createDirectories(otherPki);
    write(otherPki, LabSecrets.CA_CERT, LabPki.newCa("emu lab other CA").certPem());
    write(otherPki, LabSecrets.CONTROL_CERT, Files.readString(pki.resolve(LabSecrets.CONTROL_CERT)));
    write(otherPki, LabSecrets.CONTROL_KEY, Files.readString(pki.resolve(LabSecrets.CONTROL_KEY)));
    IOException untrusted = assertThrows(IOException.class,
        () -> new NodeClient("h1", "127.0.0.1:" + mgmt, TOKEN, ControlTls.load(otherPki)).status());
    assertTrue(untrusted instanceof javax.net.ssl.SSLHandshakeException, untrusted.toString());
    assertTrue(node.isAlive(), "the refusals did not hurt the node");
    assertEquals("h1", client.status().path("node").asText());
  }

  /** No HTTP answer at all: the handshake (or, in TLS 1.3, the first read after it) fails with an alert. */
  private static void assertRefused(Curl c) {
    assertNotEquals(0, c.exit(), c::toString);
    assertTrue(!c.out().contains("HTTP/1.1") && c.err().contains("alert"), c::toString);
  }

  private static String write(Path folder, String name, String text) throws IOException {
    Path f = folder.resolve(name);
    if (name.endsWith(".key")) {
      LabSecrets.writePrivate(f, text);
    } else {
      Files.writeString(f, text, StandardCharsets.US_ASCII);
    }
    return f.toString();
  }

  private record Curl(int exit, String out, String err) {
    @Override
    public String toString() {
      return "curl exit " + exit + "\n" + out + "\n" + err;
    }
  }

  private Curl curl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-i", "--max-time", "10"));
    cmd.addAll(List.of(args));
    Path out = dir.resolve("curl.out");
    Path err = dir.resolve("curl.err");
    Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(20, TimeUnit.SECONDS), "curl did not finish");
    return new Curl(p.exitValue(), Files.readString(out), Files.readString(err));
  }
}
