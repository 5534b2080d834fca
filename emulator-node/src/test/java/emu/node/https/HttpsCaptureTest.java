package emu.node.https;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import emu.node.config.HttpsConfig;
import emu.node.testing.Tshark;
import emu.node.tls.LabPki;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a real dissector makes of the frames: tshark reads a capture of the client's interface
 * and finds the ClientHello with its SNI, the TLS 1.2 RSA ClientKeyExchange, and nothing
 * malformed or in error (checksums checked). Skipped without tshark unless EMU_REQUIRE_TOOLS=1.
 */
class HttpsCaptureTest {
  static final String HOST = "payroll.corp.com";

  @TempDir
  Path dir;

  @Test
  void tsharkDecodesTheHandshakes() throws Exception {
    Path tshark = Tshark.onPath("tshark");
    if (tshark == null) {
      if ("1".equals(System.getenv("EMU_REQUIRE_TOOLS"))) {
        fail("EMU_REQUIRE_TOOLS=1 but tshark is not on the PATH");
      }
      Assumptions.abort("tshark is not on the PATH");
    }
    LabPki.Ca ca = LabPki.newCa("emu lab corporate CA");
    LabPki.Credentials cred = ca.issue(List.of(HOST), LabPki.Kind.VALID);
    Path pcap = dir.resolve("pc-eth0.pcap");
    try (HttpsLab lab = new HttpsLab(pcap)) {
      Map<String, String> content = Map.of("/", "<h1>payroll</h1>\n");
      lab.serve(lab.web, lab.webTrace, new HttpsConfig(443, List.of(HOST), content, "1.3", "bc", cred.keyPem(),
          cred.certChainPem()));
      lab.serve(lab.web, lab.webTrace, new HttpsConfig(8443, List.of(HOST), content, "1.2-rsa", "jdk", cred.keyPem(),
          cred.certChainPem()));
      Map<String, String> hosts = Map.of(HOST, HttpsLab.WEB);
      lab.httpsGet(hosts, ca.certPem(), "https://" + HOST + "/").assertExit(0);
      lab.httpsGet(hosts, ca.certPem(), "https://" + HOST + ":8443/", "--tls", "1.2-rsa").assertExit(0);
      Thread.sleep(200); // the closing segments
      lab.flushCapture();
    }

    List<String> hellos = tshark(tshark, pcap, "-Y", "tls.handshake.type == 1", "-T", "fields",
        "-e", "tls.handshake.extensions_server_name");
    assertEquals(List.of(HOST, HOST), hellos, "two ClientHellos, each with the SNI");
    List<String> rsa = tshark(tshark, pcap, "-Y", "tls.handshake.type == 16", "-T", "fields",
        "-e", "tls.handshake.epms_len");
    assertEquals(List.of("256"), rsa, "one ClientKeyExchange carrying a 256-byte RSA-encrypted premaster secret");
    List<String> suites = tshark(tshark, pcap, "-Y", "tls.handshake.type == 2", "-T", "fields",
        "-e", "tls.handshake.ciphersuite");
    assertEquals(2, suites.size(), suites.toString());
    assertEquals("0x009c", suites.get(1), "TLS_RSA_WITH_AES_128_GCM_SHA256 on 8443");
    List<String> bad = tshark(tshark, pcap, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
        "-o", "udp.check_checksum:TRUE", "-Y", "_ws.malformed || _ws.expert.severity==error");
    assertEquals(List.of(), bad, "tshark finds nothing malformed or in error");
  }

  private List<String> tshark(Path tshark, Path pcap, String... args) throws Exception {
    List<String> extra = new ArrayList<>(List.of("-d", "tcp.port==8443,tls"));
    extra.addAll(List.of(args));
    return Tshark.lines(tshark, pcap, dir.resolve("tshark.err"), extra.toArray(String[]::new));
  }
}
