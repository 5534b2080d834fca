package emu.node.apps.load;

import static emu.node.apps.load.PerfLab.decimal;
import static emu.node.apps.load.PerfLab.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.config.HttpsConfig;
import emu.node.https.HttpsServer;
import emu.node.testing.CommandRun;
import emu.node.tls.LabPki;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * httpsperf against HttpsServer over the emulated TCP on a real event loop: mode A (a new
 * connection, TCP and TLS handshake, per request) and mode B (keep-alive), TLS 1.3 and TLS 1.2
 * with RSA key transport, with zero failures; failures counted by reason; hanging up; usage.
 */
class HttpsPerfTest {
  static final String HOST = "payroll.corp.com";
  static final String PAGE = "<!DOCTYPE html>\n<html><body><h1>Payroll</h1></body></html>\n";
  static final Map<String, String> HOSTS = Map.of(HOST, HttpsPerfLab.WEB, "wiki.corp.com", HttpsPerfLab.WEB);

  static LabPki.Ca ca;
  static LabPki.Credentials cert;

  HttpsPerfLab lab;

  @BeforeAll
  static void pki() {
    ca = LabPki.newCa("emu lab bench CA");
    cert = ca.issue(List.of(HOST), LabPki.Kind.VALID);
  }

  @BeforeEach
  void start() throws Exception {
    lab = new HttpsPerfLab();
  }

  @AfterEach
  void stop() throws Exception {
    lab.close();
  }

  HttpsServer serve(String tls) throws Exception {
    return lab.serve(new HttpsConfig(443, List.of(HOST), Map.of("/", PAGE), tls, "bc", cert.keyPem(),
        cert.certChainPem()));
  }

  HttpsPerf httpsperf() {
    return lab.httpsperf(HOSTS, ca.certPem());
  }

  @Test
  void modeAEveryRequestANewTls13Handshake() throws Exception {
    HttpsServer server = serve("1.3");
    CommandRun run = lab.exec(httpsperf(), "httpsperf https://" + HOST + "/ -n 24 -k 1 -c 4 --tls 1.3").assertExit(0);
    String out = run.output();
    assertTrue(out.contains("connections: 24 total, 24 succeeded, 0 failed"), out);
    assertTrue(out.contains("requests:    24 total, 24 answered (24 2xx, 0 other), 0 failed"), out);
    assertTrue(out.contains("handshakes:  24 TLS handshakes completed, 0 resumed sessions"), out);
    assertTrue(out.contains("negotiated:  TLSv1.3 / TLS_AES_"), out);
    assertTrue(out.contains("traffic:     " + 24 * PAGE.length() + " bytes"), out);
    assertFalse(out.contains("failures:"), out);
    assertTrue(decimal(run, "TLS handshakes per second: ([0-9.]+)") > 0, out);
    assertTrue(decimal(run, "HTTPS requests per second: ([0-9.]+)") > 0, out);
    assertEquals(24L, lab.onLoop(server::handshakes));
    assertEquals(24L, lab.onLoop(server::accepted));
    assertEquals(24L, lab.onLoop(server::requests));
    lab.assertNoNettyLeaks();
  }

  @Test
  void modeBKeepAlive() throws Exception {
    HttpsServer server = serve("1.3");
    CommandRun run = lab.exec(httpsperf(), "httpsperf https://" + HOST + "/ -n 4 -k 50 -c 2").assertExit(0);
    String out = run.output();
    assertTrue(out.contains("connections: 4 total, 4 succeeded, 0 failed"), out);
    assertTrue(out.contains("requests:    200 total, 200 answered (200 2xx, 0 other), 0 failed"), out);
    assertEquals(4L, lab.onLoop(server::handshakes), "one handshake per connection");
    assertEquals(200L, lab.onLoop(server::requests));
    double hs = decimal(run, "TLS handshakes per second: ([0-9.]+)");
    double rps = decimal(run, "HTTPS requests per second: ([0-9.]+)");
    // 50 requests per handshake; both rates are printed rounded to 0.1, so the ratio of the
    // printed figures can only be checked within what that rounding allows
    assertTrue((rps - 0.05) / (hs + 0.05) <= 50.0 && 50.0 <= (rps + 0.05) / (hs - 0.05), out);
    lab.assertNoNettyLeaks();
  }

  @Test
  void tls12RsaKeyTransportWithoutResumption() throws Exception {
    HttpsServer server = serve("1.2-rsa");
    CommandRun run = lab.exec(httpsperf(), "httpsperf https://" + HOST + "/ -n 12 -c 3 --tls 1.2-rsa").assertExit(0);
    String out = run.output();
    assertTrue(out.contains("negotiated:  TLSv1.2 / TLS_RSA_WITH_AES_"), out);
    assertTrue(out.contains("12 TLS handshakes completed, 0 resumed sessions"), out);
    assertEquals(12L, lab.onLoop(server::handshakes));
    // with --resume the client offers its session again and the server takes it
    CommandRun resumed = lab.exec(httpsperf(), "httpsperf https://" + HOST + "/ -n 12 -c 1 --tls 1.2-rsa --resume")
        .assertExit(0);
    assertTrue(number(resumed, "(\\d+) resumed sessions") > 0, resumed.output());
    lab.assertNoNettyLeaks();
  }

  @Test
  void failuresAreCountedByReason() throws Exception {
    serve("1.3");
    // the certificate names payroll.corp.com only
    CommandRun wrongName = lab.exec(httpsperf(), "httpsperf https://wiki.corp.com/ -n 3").assertExit(1);
    assertTrue(wrongName.output().contains("connections: 3 total, 0 succeeded, 3 failed"), wrongName.output());
    assertTrue(wrongName.output().matches("(?s).*3 x TLS handshake: .*wiki\\.corp\\.com.*"), wrongName.output());
    CommandRun refused = lab.exec(httpsperf(), "httpsperf https://" + HOST + ":8443/ -n 2").assertExit(1);
    assertTrue(refused.output().contains("2 x connect: connection refused"), refused.output());
    CommandRun notFound = lab.exec(httpsperf(), "httpsperf https://" + HOST + "/missing -n 2 -k 2").assertExit(1);
    assertTrue(notFound.output().contains("requests:    4 total, 4 answered (0 2xx, 4 other), 0 failed"),
        notFound.output());
    lab.assertNoNettyLeaks();
  }

  @Test
  void hangingUpClosesEveryConnection() throws Exception {
    serve("1.3");
    CommandRun run = lab.launch(httpsperf(), "httpsperf https://" + HOST + "/ -n 100000 -k 1000 -c 4");
    long deadline = System.currentTimeMillis() + 30_000;
    while (lab.connections(lab.pc) < 4 && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    Thread.sleep(200);
    lab.onLoop(() -> {
      run.cancel();
      return null;
    });
    assertEquals(1, (int) lab.onLoop(run::exitCode));
    deadline = System.currentTimeMillis() + 10_000;
    while (lab.connections(lab.pc) > 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    // closed by the client: at most TIME-WAIT remains, nothing established
    List<String> states = lab.onLoop(() -> lab.pc.tcp().connections().stream()
        .map(c -> c.state().toString()).filter(st -> !st.equals("TIME-WAIT")).toList());
    assertTrue(states.isEmpty(), states.toString());
    lab.assertNoNettyLeaks();
  }

  @Test
  void usageErrors() throws Exception {
    for (String bad : new String[] {"httpsperf", "httpsperf http://" + HOST + "/", "httpsperf https://" + HOST
        + "/ --tls 1.1", "httpsperf https://" + HOST + "/ -n 0", "httpsperf https://" + HOST + "/ -k x",
        "httpsperf https://" + HOST + "/ -c 0", "httpsperf https://" + HOST + "/ --provider openssl",
        "httpsperf a b", "httpsperf https://" + HOST + "/ --bogus"}) {
      CommandRun run = lab.exec(httpsperf(), bad).assertExit(2);
      assertTrue(run.output().startsWith("httpsperf: "), bad + " -> " + run.output());
    }
    CommandRun noCa = lab.exec(lab.httpsperf(HOSTS, null), "httpsperf https://" + HOST + "/").assertExit(2);
    assertTrue(noCa.output().contains("trusts no CA"), noCa.output());
    lab.exec(httpsperf(), "httpsperf --help").assertExit(0);
  }
}
