package emu.node.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.trace.MemoryTracer;
import emu.node.event.TraceMeta.Legacy;
import io.netty.handler.ssl.SslContext;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real handshakes (Bouncy Castle JSSE and the JDK's provider) between two embedded pipelines,
 * and what the narrators on both ends make of them.
 */
class TlsHandshakeTest {
  static final String HOST = "payroll.corp.com";
  static LabPki.Ca ca;
  static LabPki.Credentials good;
  static LabPki.Credentials rogue;

  @BeforeAll
  static void pki() {
    ca = LabPki.newCa("emu lab corporate CA");
    good = ca.issue(List.of(HOST, "www.corp.com"), LabPki.Kind.VALID);
    rogue = ca.issue(List.of(HOST), LabPki.Kind.OTHER_CA);
  }

  static SslContext server(LabPki.Credentials c, String tls, String provider) {
    return TlsContexts.server(c.keyPem(), c.certChainPem(), tls, provider);
  }

  static List<String> types(MemoryTracer t) {
    return t.legacy().stream().map(Legacy::type).filter(s -> s.startsWith("tls.")).toList();
  }

  static Legacy first(MemoryTracer t, String type) {
    List<Legacy> e = t.ofType(type);
    assertFalse(e.isEmpty(), "no " + type + " in " + t.legacy());
    return e.get(0);
  }

  @Test
  void tls13WithBouncyCastle() {
    try (TlsLoopback l = new TlsLoopback(server(good, "1.3", "bc"), TlsContexts.client(ca.certPem(), null, "bc"), HOST)) {
      l.pump();
      assertTrue(l.clientSsl.handshakeFuture().isSuccess(), String.valueOf(l.clientSsl.handshakeFuture().cause()));
      assertEquals("TLSv1.3", l.clientSsl.engine().getSession().getProtocol());
      assertEquals("GET / HTTP/1.1\r\n\r\n", l.clientSends("GET / HTTP/1.1\r\n\r\n"));
      Legacy hello = first(l.clientTrace, "tls.client_hello");
      assertEquals("sent", hello.fields().get("dir"));
      assertEquals(HOST, hello.fields().get("sni"));
      assertTrue(((List<?>) hello.fields().get("supported_versions")).contains("TLS 1.3"));
      Legacy sh = first(l.clientTrace, "tls.server_hello");
      assertEquals("TLS 1.3", sh.fields().get("version"));
      assertEquals(l.clientSsl.engine().getSession().getCipherSuite(), sh.fields().get("cipher_suite"));
      assertEquals(HOST, first(l.serverTrace, "tls.client_hello").fields().get("sni"));
      assertEquals("received", first(l.serverTrace, "tls.client_hello").fields().get("dir"));
      assertTrue(first(l.clientTrace, "tls.key_exchange").message().contains("forward secrecy"));
      assertEquals("endpoint", first(l.clientTrace, "tls.certificate").fields().get("view"));
      List<String> order = types(l.clientTrace);
      assertTrue(order.indexOf("tls.client_hello") < order.indexOf("tls.server_hello"), order.toString());
      assertTrue(order.indexOf("tls.server_hello") < order.indexOf("tls.encrypted_handshake"), order.toString());
      assertTrue(order.indexOf("tls.encrypted_handshake") < order.indexOf("tls.finished"), order.toString());
      assertTrue(order.indexOf("tls.handshake_done") < order.indexOf("tls.application_data"), order.toString());
      assertEquals("sent", first(l.clientTrace, "tls.application_data").fields().get("dir"));
      assertEquals("received", first(l.serverTrace, "tls.finished").fields().get("dir"));
      assertEquals(0, l.clientNarrator.malformed());
      assertEquals(0, l.serverNarrator.malformed());
    }
  }

  @Test
  void tls12RsaKeyTransport() {
    for (String provider : List.of("bc", "jdk")) {
      try (TlsLoopback l = new TlsLoopback(server(good, "1.2-rsa", provider),
          TlsContexts.client(ca.certPem(), null, provider), HOST)) {
        l.pump();
        assertTrue(l.clientSsl.handshakeFuture().isSuccess(), provider + ": " + l.clientSsl.handshakeFuture().cause());
        String suite = l.clientSsl.engine().getSession().getCipherSuite();
        assertTrue(suite.startsWith("TLS_RSA_WITH_"), suite);
        assertEquals("x", l.clientSends("x"));
        Legacy kx = first(l.clientTrace, "tls.key_exchange");
        assertEquals("RSA", kx.fields().get("mode"));
        assertEquals(256, kx.fields().get("encrypted_bytes"));
        assertTrue(kx.message().contains("encrypts a secret with the server's public key"), kx.message());
        assertEquals("received", first(l.serverTrace, "tls.key_exchange").fields().get("dir"));
        Legacy cert = first(l.clientTrace, "tls.certificate");
        assertEquals("wire", cert.fields().get("view"));
        assertTrue(cert.message().contains("CN=payroll.corp.com"), cert.message());
        assertEquals(2, l.clientTrace.ofType("tls.change_cipher_spec").size());
        assertEquals(2, l.clientTrace.ofType("tls.finished").size());
      }
    }
  }

  @Test
  void tls12Ecdhe() {
    try (TlsLoopback l = new TlsLoopback(server(good, "1.2", "bc"), TlsContexts.client(ca.certPem(), "1.2", "jdk"),
        HOST)) {
      l.pump();
      assertTrue(l.clientSsl.handshakeFuture().isSuccess(), String.valueOf(l.clientSsl.handshakeFuture().cause()));
      assertTrue(l.clientSsl.engine().getSession().getCipherSuite().startsWith("TLS_ECDHE_RSA_"));
      Legacy ske = first(l.clientTrace, "tls.server_key_exchange");
      assertEquals("ECDHE", ske.fields().get("mode"));
      assertEquals("ECDHE", first(l.clientTrace, "tls.key_exchange").fields().get("mode"));
    }
  }

  @Test
  void jdkProviderTls13() {
    try (TlsLoopback l = new TlsLoopback(server(good, "1.3", "jdk"), TlsContexts.client(ca.certPem(), "1.3", "jdk"),
        HOST)) {
      l.pump();
      assertTrue(l.clientSsl.handshakeFuture().isSuccess(), String.valueOf(l.clientSsl.handshakeFuture().cause()));
      assertEquals("TLSv1.3", l.clientSsl.engine().getSession().getProtocol());
      assertEquals(HOST, first(l.serverTrace, "tls.client_hello").fields().get("sni"));
    }
  }

  @Test
  void otherCaIsRefusedAndExplained() {
    for (String provider : List.of("bc", "jdk")) {
      TlsContexts.Client c = TlsContexts.client(ca.certPem(), null, provider);
      try (TlsLoopback l = new TlsLoopback(server(rogue, "1.3", "bc"), c, HOST)) {
        l.pump();
        assertFalse(l.clientSsl.handshakeFuture().isSuccess());
        assertNotNull(c.check().rejection());
        assertTrue(c.check().rejection().contains("is not the lab CA"), c.check().rejection());
        assertTrue(c.check().rejection().contains("CN=emu impostor CA"), c.check().rejection());
        l.clientTrace.legacy().forEach(System.out::println);
        l.serverTrace.legacy().forEach(System.out::println);
        assertTrue(first(l.clientTrace, "tls.handshake_failed").message().contains("is not the lab CA"));
        assertEquals("sent", first(l.clientTrace, "tls.alert").fields().get("dir"));
        assertEquals("received", first(l.serverTrace, "tls.alert").fields().get("dir"));
        assertTrue(l.clientTrace.ofType("tls.finished").isEmpty(), "the client never sends its Finished");
        assertFalse(l.serverSsl.handshakeFuture().isSuccess());
        assertTrue(first(l.serverTrace, "tls.handshake_failed").message().contains("certificate_unknown"),
            first(l.serverTrace, "tls.handshake_failed").message());
      }
    }
  }
}
