package emu.node.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.event.TlsEvent;
import emu.node.event.TlsEvent.Direction;
import emu.node.event.TlsEvent.EncryptedAlertReason;
import emu.node.event.TlsEvent.Failure;
import emu.node.event.TlsEvent.KeyExchange;
import emu.node.event.TlsEvent.Side;
import emu.node.event.TlsEvent.View;
import emu.node.trace.MemoryTracer;
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
    return t.of(TlsEvent.class).stream().map(TlsEvent::type).toList();
  }

  static <T extends TlsEvent> T first(MemoryTracer t, Class<T> type) {
    List<T> e = t.of(type);
    assertFalse(e.isEmpty(), "no " + type.getSimpleName() + " in " + t.events());
    return e.get(0);
  }

  @Test
  void tls13WithBouncyCastle() {
    try (TlsLoopback l = new TlsLoopback(server(good, "1.3", "bc"), TlsContexts.client(ca.certPem(), null, "bc"), HOST)) {
      l.pump();
      assertTrue(l.clientSsl.handshakeFuture().isSuccess(), String.valueOf(l.clientSsl.handshakeFuture().cause()));
      assertEquals("TLSv1.3", l.clientSsl.engine().getSession().getProtocol());
      assertEquals("GET / HTTP/1.1\r\n\r\n", l.clientSends("GET / HTTP/1.1\r\n\r\n"));
      TlsEvent.ClientHello hello = first(l.clientTrace, TlsEvent.ClientHello.class);
      assertEquals(Direction.SENT, hello.dir());
      assertEquals(Side.CLIENT, hello.side());
      assertEquals(HOST, hello.sni());
      assertTrue(hello.supportedVersions().contains("TLS 1.3"));
      TlsEvent.ServerHello sh = first(l.clientTrace, TlsEvent.ServerHello.class);
      assertEquals("TLS 1.3", sh.version());
      assertEquals(l.clientSsl.engine().getSession().getCipherSuite(), sh.cipherSuite());
      assertEquals(null, sh.keyExchange(), "a TLS 1.3 suite names no key exchange");
      assertEquals(HOST, first(l.serverTrace, TlsEvent.ClientHello.class).sni());
      assertEquals(Direction.RECEIVED, first(l.serverTrace, TlsEvent.ClientHello.class).dir());
      TlsEvent.KeyAgreement kx = first(l.clientTrace, TlsEvent.KeyAgreement.class);
      assertEquals(sh.keyShareGroup(), kx.group());
      assertEquals(Direction.RECEIVED, kx.dir(), "told with the ServerHello that completes it");
      TlsEvent.Certificate cert = first(l.clientTrace, TlsEvent.Certificate.class);
      assertEquals(View.ENDPOINT, cert.view());
      assertEquals(null, cert.dir());
      assertEquals(2, cert.chain().size());
      assertEquals("CN=" + HOST, cert.chain().get(0).subject());
      assertEquals(List.of(HOST, "www.corp.com"), cert.chain().get(0).names());
      assertFalse(cert.chain().get(0).selfSigned());
      assertTrue(cert.chain().get(1).selfSigned(), "the lab CA");
      List<String> order = types(l.clientTrace);
      assertTrue(order.indexOf("tls.client_hello") < order.indexOf("tls.server_hello"), order.toString());
      assertTrue(order.indexOf("tls.server_hello") < order.indexOf("tls.encrypted_handshake"), order.toString());
      assertTrue(order.indexOf("tls.encrypted_handshake") < order.indexOf("tls.finished"), order.toString());
      assertTrue(order.indexOf("tls.handshake_done") < order.indexOf("tls.application_data"), order.toString());
      assertEquals(1, first(l.clientTrace, TlsEvent.EncryptedHandshake.class).ordinal(), "the first of the flight");
      TlsEvent.Finished fin = first(l.clientTrace, TlsEvent.Finished.class);
      assertEquals(Direction.SENT, fin.dir());
      assertTrue(fin.tls13());
      TlsEvent.HandshakeDone done = first(l.clientTrace, TlsEvent.HandshakeDone.class);
      assertEquals("TLSv1.3", done.protocol());
      TlsEvent.ApplicationData data = first(l.clientTrace, TlsEvent.ApplicationData.class);
      assertEquals(Direction.SENT, data.dir());
      assertTrue(data.tls13());
      assertEquals(1, data.ordinal());
      assertEquals(Direction.RECEIVED, first(l.serverTrace, TlsEvent.Finished.class).dir());
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
        assertEquals(KeyExchange.RSA, first(l.clientTrace, TlsEvent.ServerHello.class).keyExchange());
        TlsEvent.RsaKeyTransport kx = first(l.clientTrace, TlsEvent.RsaKeyTransport.class);
        assertEquals(Direction.SENT, kx.dir());
        assertEquals(256, kx.encryptedBytes(), "RSA 2048: 256 bytes of ciphertext");
        assertEquals(Direction.RECEIVED, first(l.serverTrace, TlsEvent.RsaKeyTransport.class).dir());
        TlsEvent.Certificate cert = first(l.clientTrace, TlsEvent.Certificate.class);
        assertEquals(View.WIRE, cert.view());
        assertEquals(Direction.RECEIVED, cert.dir());
        assertEquals("CN=payroll.corp.com", cert.chain().get(0).subject());
        assertEquals("CN=emu lab corporate CA", cert.chain().get(0).issuer());
        assertEquals(0, cert.unparsed());
        List<TlsEvent.ChangeCipherSpec> ccs = l.clientTrace.of(TlsEvent.ChangeCipherSpec.class);
        assertEquals(2, ccs.size());
        assertFalse(ccs.get(0).dummy());
        List<TlsEvent.Finished> finished = l.clientTrace.of(TlsEvent.Finished.class);
        assertEquals(2, finished.size());
        assertFalse(finished.get(0).tls13());
        assertTrue(l.clientTrace.of(TlsEvent.KeyAgreement.class).isEmpty(), "no TLS 1.3 agreement in TLS 1.2");
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
      TlsEvent.ServerKeyExchange ske = first(l.clientTrace, TlsEvent.ServerKeyExchange.class);
      assertEquals(KeyExchange.ECDHE, ske.mode());
      assertTrue(ske.publicKeyBytes() > 0);
      assertFalse(ske.group() == null, "a named curve");
      TlsEvent.DheKeyExchange kx = first(l.clientTrace, TlsEvent.DheKeyExchange.class);
      assertEquals(KeyExchange.ECDHE, kx.mode());
      assertTrue(kx.publicKeyBytes() > 0);
      assertFalse(l.clientTrace.of(TlsEvent.ServerHelloDone.class).isEmpty());
    }
  }

  @Test
  void jdkProviderTls13() {
    try (TlsLoopback l = new TlsLoopback(server(good, "1.3", "jdk"), TlsContexts.client(ca.certPem(), "1.3", "jdk"),
        HOST)) {
      l.pump();
      assertTrue(l.clientSsl.handshakeFuture().isSuccess(), String.valueOf(l.clientSsl.handshakeFuture().cause()));
      assertEquals("TLSv1.3", l.clientSsl.engine().getSession().getProtocol());
      assertEquals(HOST, first(l.serverTrace, TlsEvent.ClientHello.class).sni());
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
        TlsEvent.HandshakeFailed failed = first(l.clientTrace, TlsEvent.HandshakeFailed.class);
        assertEquals(Failure.CERTIFICATE, failed.failure(), provider);
        assertTrue(failed.reason().contains("is not the lab CA"), failed.reason());
        TlsEvent.EncryptedAlert alert = first(l.clientTrace, TlsEvent.EncryptedAlert.class);
        assertEquals(Direction.SENT, alert.dir());
        assertEquals(EncryptedAlertReason.HANDSHAKE_REFUSED, alert.reason());
        assertEquals(Direction.RECEIVED, first(l.serverTrace, TlsEvent.EncryptedAlert.class).dir());
        assertTrue(l.clientTrace.of(TlsEvent.Finished.class).isEmpty(), "the client never sends its Finished");
        assertFalse(l.serverSsl.handshakeFuture().isSuccess());
        TlsEvent.HandshakeFailed atServer = first(l.serverTrace, TlsEvent.HandshakeFailed.class);
        assertEquals(Failure.ALERT_RECEIVED, atServer.failure(), atServer.toString());
        assertEquals("certificate_unknown", atServer.alert(), atServer.toString());
        assertTrue(atServer.reason().contains("certificate_unknown"), atServer.reason());
      }
    }
  }
}
