package emu.node.https;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.config.HttpsConfig;
import emu.node.testing.CommandRun;
import emu.node.tls.LabPki;
import emu.node.event.HttpsEvent;
import emu.node.event.TlsEvent;
import emu.node.event.TlsEvent.Direction;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * https-get against HttpsServer across the emulated network (real event loop, emulated TCP):
 * TLS 1.3 and 1.2 RSA key transport, both providers, and the certificates a client must refuse,
 * each refusal saying which check failed and sending no HTTP request.
 */
class HttpsGetTest {
  static final String HOST = "payroll.corp.com";
  static final String PAGE = "<!DOCTYPE html>\n<html><head><title>Payroll</title></head>\n<body>\n"
      + "<h1>Corporate payroll</h1>\n<p>Pay day is the 25th.</p>\n</body></html>\n";
  static final Map<String, String> CONTENT = Map.of("/", PAGE, "/about", "<p>about</p>\n");
  static final Map<String, String> HOSTS = Map.of(HOST, HttpsLab.WEB, "wiki.corp.com", HttpsLab.WEB);

  static LabPki.Ca ca;
  static LabPki.Credentials valid;
  static LabPki.Credentials expired;
  static LabPki.Credentials selfSigned;
  static LabPki.Credentials impostor;

  HttpsLab lab;

  @BeforeAll
  static void pki() {
    ca = LabPki.newCa("emu lab corporate CA");
    valid = ca.issue(List.of(HOST, "www.corp.com"), LabPki.Kind.VALID);
    expired = ca.issue(List.of(HOST), LabPki.Kind.EXPIRED);
    selfSigned = ca.issue(List.of(HOST), LabPki.Kind.SELF_SIGNED);
    impostor = ca.issue(List.of(HOST), LabPki.Kind.OTHER_CA);
  }

  @BeforeEach
  void start() throws Exception {
    lab = new HttpsLab(null);
  }

  @AfterEach
  void stop() throws Exception {
    lab.close();
  }

  static HttpsConfig config(int port, LabPki.Credentials c, String tls, String provider) {
    return new HttpsConfig(port, List.of(HOST), CONTENT, tls, provider, c.keyPem(), c.certChainPem());
  }

  static int index(List<? extends TlsEvent> events, Class<? extends TlsEvent> type) {
    for (int i = 0; i < events.size(); i++) {
      if (type.isInstance(events.get(i))) {
        return i;
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + events);
  }

  static <T extends TlsEvent> T first(List<? extends TlsEvent> events, Class<T> type) {
    return type.cast(events.get(index(events, type)));
  }

  @Test
  void tls13WithBouncyCastle() throws Exception {
    HttpsServer server = lab.serve(lab.web, lab.webTrace, config(0, valid, "1.3", "bc"));
    CommandRun run = lab.httpsGet(HOSTS, ca.certPem(), "https://" + HOST + "/").assertExit(0);
    String out = run.output();
    assertTrue(out.contains("* Host payroll.corp.com resolved to 10.0.0.2"), out);
    assertTrue(out.contains("* SSL connection using TLSv1.3 / TLS_AES_"), out);
    assertTrue(out.contains("*  0 subject: CN=payroll.corp.com"), out);
    assertTrue(out.contains("*    issuer: CN=emu lab corporate CA"), out);
    assertTrue(out.contains("*    subjectAltName: payroll.corp.com, www.corp.com"), out);
    assertTrue(out.contains("*  1 subject: CN=emu lab corporate CA"), out);
    assertTrue(out.contains("> GET / HTTP/1.1"), out);
    assertTrue(out.contains("< HTTP/1.1 200 OK"), out);
    assertTrue(out.contains("< Server: emu"), out);
    assertTrue(out.contains("<h1>Corporate payroll</h1>"), out);

    List<TlsEvent> client = lab.events(lab.pcTrace, TlsEvent.class);
    TlsEvent.ClientHello hello = first(client, TlsEvent.ClientHello.class);
    assertEquals(HOST, hello.sni());
    assertEquals("TLS 1.3", first(client, TlsEvent.ServerHello.class).version());
    assertTrue(index(client, TlsEvent.ClientHello.class) < index(client, TlsEvent.ServerHello.class));
    assertTrue(index(client, TlsEvent.ServerHello.class) < index(client, TlsEvent.ApplicationData.class));
    assertEquals(TlsEvent.View.ENDPOINT, first(client, TlsEvent.Certificate.class).view());
    HttpsEvent.ClientRequest sent = lab.events(lab.pcTrace, HttpsEvent.ClientRequest.class).get(0);
    assertEquals(List.of(HOST, "GET", "/"), List.of(sent.host(), sent.method(), sent.path()));
    assertEquals(1, sent.records());
    assertTrue(sent.plaintextBytes() > 0);
    HttpsEvent.ClientResponse got = lab.events(lab.pcTrace, HttpsEvent.ClientResponse.class).get(0);
    assertEquals(200, got.status());
    assertEquals("OK", got.reason());
    assertEquals(PAGE.length(), got.bodyBytes());
    assertTrue(got.decryptedBytes() > PAGE.length(), "the body and the headers");

    HttpsEvent.Request req = lab.events(lab.webTrace, HttpsEvent.Request.class).get(0);
    assertEquals(List.of("GET", "/", HOST), List.of(req.method(), req.path(), req.host()));
    assertTrue(req.peer().matches("10\\.0\\.0\\.1:\\d+"), req.peer());
    assertEquals(sent.plaintextBytes(), req.decryptedBytes(), "what the client encrypted, the server decrypted");
    HttpsEvent.Response resp = lab.events(lab.webTrace, HttpsEvent.Response.class).get(0);
    assertEquals(200, resp.status());
    assertEquals(PAGE.length(), resp.bodyBytes());
    assertEquals(1, resp.records());
    assertEquals(got.decryptedBytes(), resp.plaintextBytes());
    assertEquals(1L, lab.onLoop(server::requests));
    assertEquals(1L, lab.onLoop(server::handshakes));
    assertEquals(HOST, lab.events(lab.webTrace, TlsEvent.ClientHello.class).get(0).sni());
    HttpsEvent.Listening listening = lab.events(lab.webTrace, HttpsEvent.Listening.class).get(0);
    assertEquals(List.of(HOST), listening.names());
    assertEquals("1.3", listening.tls());
  }

  @Test
  void tls12RsaKeyTransport() throws Exception {
    lab.serve(lab.web, lab.webTrace, config(0, valid, "1.2-rsa", "bc"));
    CommandRun run = lab.httpsGet(HOSTS, ca.certPem(), "https://" + HOST + "/about", "--tls", "1.2").assertExit(0);
    assertTrue(run.output().contains("* SSL connection using TLSv1.2 / TLS_RSA_WITH_AES_"), run.output());
    assertTrue(run.output().contains("<p>about</p>"), run.output());
    List<TlsEvent> client = lab.events(lab.pcTrace, TlsEvent.class);
    TlsEvent.RsaKeyTransport kx = first(client, TlsEvent.RsaKeyTransport.class);
    assertEquals(Direction.SENT, kx.dir());
    assertEquals(256, kx.encryptedBytes());
    assertEquals(TlsEvent.KeyExchange.RSA, first(client, TlsEvent.ServerHello.class).keyExchange());
    assertEquals(TlsEvent.View.WIRE, first(client, TlsEvent.Certificate.class).view());
    assertEquals(Direction.RECEIVED, lab.events(lab.webTrace, TlsEvent.RsaKeyTransport.class).get(0).dir());
  }

  @Test
  void jdkProviderOnBothEnds() throws Exception {
    lab.serve(lab.web, lab.webTrace, config(0, valid, "1.3", "jdk"));
    CommandRun run = lab.httpsGet(HOSTS, ca.certPem(), "https://" + HOST + "/", "--provider", "jdk", "-v")
        .assertExit(0);
    assertTrue(run.output().contains("JDK SunJSSE"), run.output());
    assertTrue(run.output().contains("* SSL connection using TLSv1.3"), run.output());
    assertTrue(run.output().contains("* TLSv1.3 (OUT), TLS handshake, Client hello (1):\n"
        + "* TLSv1.3 (IN), TLS handshake, Server hello (2):\n"), "-v shows the handshake as curl does: " + run.output());
    assertTrue(run.output().contains("* TLSv1.3 (IN), TLS handshake, Encrypted Extensions (8):\n"
        + "* TLSv1.3 (IN), TLS handshake, Certificate (11):\n"
        + "* TLSv1.3 (IN), TLS handshake, CERT verify (15):\n"
        + "* TLSv1.3 (IN), TLS handshake, Finished (20):\n"), run.output());
    assertTrue(run.output().contains("* TLSv1.3 (OUT), TLS handshake, Finished (20):\n"
        + "* SSL connection using TLSv1.3"), run.output());
    assertFalse(run.output().contains("* TLS:"), "no sentences: they are the narrative's");
    assertTrue(run.output().contains("*    public key: RSA 2048 bits"), run.output());
  }

  @Test
  void jdkClientAgainstBouncyCastleServerOverTls12() throws Exception {
    lab.serve(lab.web, lab.webTrace, config(0, valid, "1.2", "bc"));
    CommandRun run = lab.httpsGet(HOSTS, ca.certPem(), "https://" + HOST + "/", "--provider", "jdk").assertExit(0);
    assertTrue(run.output().contains("* SSL connection using TLSv1.2 / TLS_ECDHE_RSA_"), run.output());
  }

  // ---- refusals ----

  /** Runs https-get against a server and checks that it refused with {@code expected}, sending no request. */
  private void assertRefused(HttpsServer server, Map<String, String> hosts, String url, String expected,
                             String... more) throws Exception {
    String[] args = new String[1 + more.length];
    args[0] = url;
    System.arraycopy(more, 0, args, 1, more.length);
    CommandRun run = lab.httpsGet(hosts, ca.certPem(), args).assertExit(1);
    String last = run.lines().get(run.lines().size() - 1);
    assertTrue(last.startsWith("https-get: " + expected), "expected '" + expected + "', got:\n" + run.output());
    assertFalse(run.output().contains("> GET"), "no HTTP request may be sent:\n" + run.output());
    assertEquals(0L, lab.onLoop(server::requests));
    assertTrue(lab.events(lab.pcTrace, HttpsEvent.ClientRequest.class).isEmpty());
    lab.onLoop(() -> {
      lab.pcTrace.clear();
      return null;
    });
  }

  @Test
  void manInTheMiddleWithAnotherCasCertificateIsRefused() throws Exception {
    // the name leads to the impostor (a poisoned hosts entry); it answers for payroll.corp.com
    HttpsServer mitm = lab.serve(lab.mitm, lab.mitmTrace, config(0, impostor, "1.3", "bc"));
    assertRefused(mitm, Map.of(HOST, HttpsLab.MITM), "https://" + HOST + "/",
        "certificate is not trusted (issuer CN=emu impostor CA is not the lab CA)");
    assertRefused(mitm, Map.of(HOST, HttpsLab.MITM), "https://" + HOST + "/",
        "certificate is not trusted (issuer CN=emu impostor CA is not the lab CA)", "--provider", "jdk");
    List<TlsEvent.HandshakeFailed> mitmTls = lab.await(lab.mitmTrace, TlsEvent.HandshakeFailed.class, 2);
    assertEquals(TlsEvent.Failure.ALERT_RECEIVED, mitmTls.get(0).failure(), mitmTls.get(0).toString());
    assertTrue(mitmTls.get(0).reason().contains("the client sent fatal alert"), mitmTls.get(0).reason());
  }

  @Test
  void hostNameMismatchIsRefused() throws Exception {
    HttpsServer web = lab.serve(lab.web, lab.webTrace, config(0, valid, "1.3", "bc"));
    assertRefused(web, HOSTS, "https://wiki.corp.com/",
        "host name wiki.corp.com does not match the certificate (names: payroll.corp.com, www.corp.com)");
    assertRefused(web, HOSTS, "https://wiki.corp.com/",
        "host name wiki.corp.com does not match the certificate (names: payroll.corp.com, www.corp.com)",
        "--provider", "jdk");
  }

  @Test
  void expiredCertificateIsRefused() throws Exception {
    HttpsServer web = lab.serve(lab.web, lab.webTrace, config(8443, expired, "1.3", "bc"));
    String date = emu.node.tls.Certificates.notAfter(expired.chain().get(0));
    assertRefused(web, HOSTS, "https://" + HOST + ":8443/", "certificate expired on " + date);
    assertRefused(web, HOSTS, "https://" + HOST + ":8443/", "certificate expired on " + date, "--provider", "jdk");
  }

  @Test
  void selfSignedCertificateIsRefused() throws Exception {
    HttpsServer web = lab.serve(lab.web, lab.webTrace, config(9443, selfSigned, "1.2", "bc"));
    assertRefused(web, HOSTS, "https://" + HOST + ":9443/",
        "certificate is not trusted: it is self-signed (CN=payroll.corp.com signed its own certificate)");
    TlsEvent.Alert alert = lab.await(lab.webTrace, TlsEvent.Alert.class, 1).get(0);
    assertEquals("certificate_unknown", alert.description(), "TLS 1.2: the client's alert is in the clear");
    assertEquals("fatal", alert.level());
    assertEquals(Direction.RECEIVED, alert.dir());
  }

  @Test
  void connectionRefusedAndUnknownNames() throws Exception {
    CommandRun refused = lab.httpsGet(HOSTS, ca.certPem(), "https://" + HOST + "/").assertExit(1);
    assertTrue(refused.output().endsWith("port 443: connection refused"), refused.output());
    CommandRun unknown = lab.httpsGet(HOSTS, ca.certPem(), "https://nowhere.corp.com/").assertExit(1);
    assertTrue(unknown.output().contains("could not resolve host nowhere.corp.com"), unknown.output());
    lab.httpsGet(HOSTS, ca.certPem(), "http://" + HOST + "/").assertExit(2);
  }

  @Test
  void tls13OnlyServerRefusesATls12OnlyClient() throws Exception {
    lab.serve(lab.web, lab.webTrace, config(0, valid, "1.3", "bc"));
    CommandRun run = lab.httpsGet(HOSTS, ca.certPem(), "https://" + HOST + "/", "--tls", "1.2").assertExit(1);
    String last = run.lines().get(run.lines().size() - 1);
    assertTrue(last.startsWith("https-get: TLS handshake failed: the server sent fatal alert"), run.output());
    TlsEvent.Alert alert = lab.events(lab.pcTrace, TlsEvent.Alert.class).get(0);
    assertEquals(Direction.RECEIVED, alert.dir());
    assertEquals("protocol_version", alert.description(), alert.toString());
  }

  @Test
  void aServerThatHangsUpDuringTheHandshake() throws Exception {
    // not TLS at all: it reads the ClientHello and closes the connection
    lab.onLoop(() -> lab.web.tcpServer().childHandler(new io.netty.channel.ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
        io.netty.util.ReferenceCountUtil.release(msg);
        ctx.close();
      }
    }).bind(new java.net.InetSocketAddress(4443))).sync();
    CommandRun run = lab.httpsGet(HOSTS, ca.certPem(), "https://" + HOST + ":4443/", "-m", "5").assertExit(1);
    assertTrue(run.output().endsWith("https-get: TLS handshake failed: the connection closed during the handshake"),
        run.output());
  }

  @Test
  void notFoundExitsOne() throws Exception {
    lab.serve(lab.web, lab.webTrace, config(0, valid, "1.3", "bc"));
    CommandRun run = lab.httpsGet(HOSTS, ca.certPem(), "https://" + HOST + "/missing").assertExit(1);
    assertTrue(run.output().contains("< HTTP/1.1 404 Not Found"), run.output());
    assertTrue(run.output().endsWith("https-get: the server answered 404 Not Found"), run.output());
  }
}
