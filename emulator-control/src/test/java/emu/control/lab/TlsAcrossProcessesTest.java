package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.lab.Tools.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS between node processes: the lab CA's certificates are accepted, a man in the middle with
 * a certificate from another CA, a wrong host name and an expired certificate are refused with
 * a message that says which, TLS 1.2 with RSA key transport completes, and a non-TLS client on
 * port 443 does not stop the server.
 */
class TlsAcrossProcessesTest {
  @TempDir
  static Path state;

  @BeforeAll
  static void isolateState() {
    System.setProperty("emu.stateDir", state.toString());
  }

  @AfterAll
  static void noProcessLeft() {
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
  }

  /** emu_tls_handshakes_total of one side, as "side:outcome" -> count. */
  static Map<String, Long> handshakes(com.fasterxml.jackson.databind.JsonNode node, String side) {
    Map<String, Long> m = new java.util.TreeMap<>();
    for (var s : node.path("metrics").path("emu_tls_handshakes_total")) {
      if (s.path("labels").path("side").asText().equals(side)) {
        m.put(side + ":" + s.path("labels").path("outcome").asText(), s.path("value").asLong());
      }
    }
    return m;
  }

  @Test
  void certificatesAreCheckedAndEveryModeWorks(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("page.html"), "<h1>payroll</h1>\n");
    Files.writeString(dir.resolve("tls.yml"), """
        name: tls
        topology:
          defaults: {kind: host}
          nodes:
            client:
              interfaces: {eth0: {address: 10.1.0.10/24}}
              hosts: {payroll.corp.com: 10.1.0.20, rsa.corp.com: 10.1.0.21, evil.corp.com: 10.1.0.66,
                      old.corp.com: 10.1.0.22, other.name: 10.1.0.20, jdk.corp.com: 10.1.0.23}
            good: {interfaces: {eth0: {address: 10.1.0.20/24}}, https: {names: [payroll.corp.com], content: {/: page.html}}}
            rsa: {interfaces: {eth0: {address: 10.1.0.21/24}}, https: {names: [rsa.corp.com], tls: 1.2-rsa}}
            mitm: {interfaces: {eth0: {address: 10.1.0.66/24}}, https: {names: [evil.corp.com], certificate: other-ca}}
            old: {interfaces: {eth0: {address: 10.1.0.22/24}}, https: {names: [old.corp.com], certificate: expired}}
            jdk: {interfaces: {eth0: {address: 10.1.0.23/24}}, https: {names: [jdk.corp.com], provider: jdk}}
            sw: {kind: switch}
          links:
            - endpoints: ["client:eth0", "sw:p1"]
            - endpoints: ["good:eth0", "sw:p2"]
            - endpoints: ["rsa:eth0", "sw:p3"]
            - endpoints: ["mitm:eth0", "sw:p4"]
            - endpoints: ["old:eth0", "sw:p5"]
            - endpoints: ["jdk:eth0", "sw:p6"]
        """);
    Cli up = emu("up", dir.resolve("tls.yml").toString(), "--out", dir.resolve("out").toString(), "--no-capture");
    try {
      assertEquals(0, up.exit(), up.out() + up.err());
      assertTrue(Files.exists(dir.resolve("out/lab-ca.pem")), "the lab CA is left for outside tools");
      assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
          Files.getPosixFilePermissions(state.resolve("labs/tls/pki/good.key"))), "keys are private");

      Cli ok = emu("exec", "client", "--", "https-get", "https://payroll.corp.com/");
      assertEquals(0, ok.exit(), ok.out());
      assertTrue(ok.out().contains("TLSv1.3") && ok.out().contains("<h1>payroll</h1>"), ok.out());

      Cli rsa = emu("exec", "client", "--", "https-get", "https://rsa.corp.com/");
      assertEquals(0, rsa.exit(), rsa.out());
      assertTrue(rsa.out().contains("TLSv1.2 / TLS_RSA_WITH_"), rsa.out());

      Cli jdk = emu("exec", "client", "--", "https-get", "https://jdk.corp.com/");
      assertEquals(0, jdk.exit(), jdk.out());

      Cli mitm = emu("exec", "client", "--", "https-get", "https://evil.corp.com/");
      assertEquals(1, mitm.exit(), mitm.out());
      assertTrue(mitm.out().contains("not trusted"), "a man in the middle is refused and says why:\n" + mitm.out());
      assertTrue(!mitm.out().contains("> GET /"), "no request was sent");

      Cli wrongName = emu("exec", "client", "--", "https-get", "https://other.name/");
      assertEquals(1, wrongName.exit(), wrongName.out());
      assertTrue(wrongName.out().contains("does not match"), wrongName.out());

      Cli expired = emu("exec", "client", "--", "https-get", "https://old.corp.com/");
      assertEquals(1, expired.exit(), expired.out());
      assertTrue(expired.out().contains("expired"), expired.out());

      // Plain text to port 443: the server drops that connection and keeps serving.
      Cli plain = emu("exec", "client", "--", "tcpecho", "good", "-p", "443", "GET / HTTP/1.1");
      assertEquals(1, plain.exit(), plain.out());
      Cli again = emu("exec", "client", "--", "https-get", "https://payroll.corp.com/");
      assertEquals(0, again.exit(), again.out());

      // The handshakes' outcomes, as the nodes' metrics count them.
      Cli stats = emu("stats", "--json", "--node", "client", "--node", "good");
      assertEquals(0, stats.exit(), stats.err());
      var nodes = new com.fasterxml.jackson.databind.ObjectMapper().readTree(stats.out()).path("nodes");
      assertEquals(Map.of("client:success", 4L, "client:failure", 3L), handshakes(nodes.path(0), "client"), stats.out());
      Map<String, Long> server = handshakes(nodes.path(1), "server");
      assertEquals(1L, server.get("server:not_tls"), server.toString());
      assertTrue(server.get("server:success") >= 2, server.toString());
    } finally {
      emu("down");
    }
  }
}
