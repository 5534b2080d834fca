package emu.node.apps.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.node.event.TlsEvent;
import emu.node.event.TlsEvent.Agreement;
import emu.node.event.TlsEvent.Direction;
import emu.node.event.TlsEvent.EncryptedAlertReason;
import emu.node.event.TlsEvent.Failure;
import emu.node.event.TlsEvent.KeyExchange;
import emu.node.event.TlsEvent.Side;
import emu.node.event.TlsEvent.View;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** https-get -v: the client's TLS events as curl -v (OpenSSL backend) prints the handshake. */
class CurlTlsLinesTest {
  static final String PEER = "192.168.5.100:443";
  static final Side C = Side.CLIENT;
  static final Direction OUT = Direction.SENT;
  static final Direction IN = Direction.RECEIVED;

  static List<String> lines(TlsEvent... events) {
    CurlTlsLines curl = new CurlTlsLines();
    List<String> out = new ArrayList<>();
    for (TlsEvent e : events) {
      out.addAll(curl.lines(e));
    }
    return out;
  }

  static TlsEvent.ClientHello hello(List<String> versions, String legacy) {
    return new TlsEvent.ClientHello(C, OUT, PEER, 292, legacy, versions, List.of("TLS_AES_128_GCM_SHA256"),
        "payroll.corp.com", List.of("X25519"), List.of("X25519"), List.of());
  }

  @Test
  void tls13AsCurlShowsIt() {
    // as Bouncy Castle does it: the client's dummy ChangeCipherSpec right after the ServerHello
    List<String> got = lines(hello(List.of("TLS 1.3", "TLS 1.2"), "TLS 1.2"),
        new TlsEvent.ServerHello(C, IN, PEER, 118, "TLS 1.3", "TLS_AES_128_GCM_SHA256", "X25519", null),
        new TlsEvent.KeyAgreement(C, IN, PEER, Agreement.ECDHE, "X25519"),
        new TlsEvent.ChangeCipherSpec(C, OUT, PEER, 1, true),
        new TlsEvent.ChangeCipherSpec(C, IN, PEER, 1, true),
        new TlsEvent.EncryptedHandshake(C, IN, PEER, 23, 1),
        new TlsEvent.EncryptedHandshake(C, IN, PEER, 1746, 2),
        new TlsEvent.EncryptedHandshake(C, IN, PEER, 281, 3),
        new TlsEvent.EncryptedHandshake(C, IN, PEER, 53, 4),
        new TlsEvent.Finished(C, OUT, PEER, 53, true),
        new TlsEvent.HandshakeDone(C, PEER, "TLSv1.3", "TLS_AES_128_GCM_SHA256"),
        new TlsEvent.Certificate(C, null, PEER, null, View.ENDPOINT, List.of(), 0),
        new TlsEvent.ApplicationData(C, OUT, PEER, 101, true, 1, false));
    assertEquals(List.of(
        "* TLSv1.3 (OUT), TLS handshake, Client hello (1):",
        "* TLSv1.3 (IN), TLS handshake, Server hello (2):",
        "* TLSv1.3 (OUT), TLS change cipher, Change cipher spec (1):",
        "* TLSv1.3 (IN), TLS handshake, Encrypted Extensions (8):",
        "* TLSv1.3 (IN), TLS handshake, Certificate (11):",
        "* TLSv1.3 (IN), TLS handshake, CERT verify (15):",
        "* TLSv1.3 (IN), TLS handshake, Finished (20):",
        "* TLSv1.3 (OUT), TLS handshake, Finished (20):"), got);
  }

  @Test
  void whatTheClientSendsAfterTheEncryptedFlightComesAfterIt() {
    // as the JDK does it: the dummy ChangeCipherSpec just before the client's Finished
    List<String> got = lines(hello(List.of("TLS 1.3"), "TLS 1.2"),
        new TlsEvent.ServerHello(C, IN, PEER, 118, "TLS 1.3", "TLS_AES_128_GCM_SHA256", "X25519", null),
        new TlsEvent.EncryptedHandshake(C, IN, PEER, 2100, 1),
        new TlsEvent.ChangeCipherSpec(C, OUT, PEER, 1, true),
        new TlsEvent.Finished(C, OUT, PEER, 53, true),
        new TlsEvent.HandshakeDone(C, PEER, "TLSv1.3", "TLS_AES_128_GCM_SHA256"));
    assertEquals(List.of(
        "* TLSv1.3 (OUT), TLS handshake, Client hello (1):",
        "* TLSv1.3 (IN), TLS handshake, Server hello (2):",
        "* TLSv1.3 (IN), TLS handshake, Encrypted Extensions (8):",
        "* TLSv1.3 (IN), TLS handshake, Certificate (11):",
        "* TLSv1.3 (IN), TLS handshake, CERT verify (15):",
        "* TLSv1.3 (IN), TLS handshake, Finished (20):",
        "* TLSv1.3 (OUT), TLS change cipher, Change cipher spec (1):",
        "* TLSv1.3 (OUT), TLS handshake, Finished (20):"), got);
  }

  @Test
  void tls12ShowsTheServerHelloWithTheVersionOfferedAndTheRestWithTheOneChosen() {
    List<String> got = lines(hello(List.of("TLS 1.3", "TLS 1.2"), "TLS 1.2"),
        new TlsEvent.ServerHello(C, IN, PEER, 85, "TLS 1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", null,
            KeyExchange.ECDHE),
        new TlsEvent.Certificate(C, IN, PEER, 1712, View.WIRE, List.of(), 0),
        new TlsEvent.ServerKeyExchange(C, IN, PEER, 296, KeyExchange.ECDHE, "X25519", 32, "rsa_pss_rsae_sha256"),
        new TlsEvent.ServerHelloDone(C, IN, PEER, 0),
        new TlsEvent.DheKeyExchange(C, OUT, PEER, 33, KeyExchange.ECDHE, 32),
        new TlsEvent.ChangeCipherSpec(C, OUT, PEER, 1, false),
        new TlsEvent.Finished(C, OUT, PEER, 40, false),
        new TlsEvent.ChangeCipherSpec(C, IN, PEER, 1, false),
        new TlsEvent.Finished(C, IN, PEER, 40, false),
        new TlsEvent.HandshakeDone(C, PEER, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
    assertEquals(List.of(
        "* TLSv1.3 (OUT), TLS handshake, Client hello (1):",
        "* TLSv1.3 (IN), TLS handshake, Server hello (2):",
        "* TLSv1.2 (IN), TLS handshake, Certificate (11):",
        "* TLSv1.2 (IN), TLS handshake, Server key exchange (12):",
        "* TLSv1.2 (IN), TLS handshake, Server finished (14):",
        "* TLSv1.2 (OUT), TLS handshake, Client key exchange (16):",
        "* TLSv1.2 (OUT), TLS change cipher, Change cipher spec (1):",
        "* TLSv1.2 (OUT), TLS handshake, Finished (20):",
        "* TLSv1.2 (IN), TLS handshake, Finished (20):"), got);
  }

  @Test
  void aRefusedCertificateEndsWithTheAlertTheClientSends() {
    List<String> got = lines(hello(List.of("TLS 1.3", "TLS 1.2"), "TLS 1.2"),
        new TlsEvent.ServerHello(C, IN, PEER, 118, "TLS 1.3", "TLS_AES_128_GCM_SHA256", "X25519", null),
        new TlsEvent.ChangeCipherSpec(C, OUT, PEER, 1, true),
        new TlsEvent.EncryptedHandshake(C, IN, PEER, 23, 1),
        new TlsEvent.EncryptedHandshake(C, IN, PEER, 1746, 2),
        new TlsEvent.HandshakeFailed(C, PEER, Failure.CERTIFICATE, "certificate_unknown",
            "certificate is not trusted (issuer CN=emu impostor CA is not the lab CA)"),
        new TlsEvent.EncryptedAlert(C, OUT, PEER, 19, EncryptedAlertReason.HANDSHAKE_REFUSED));
    assertEquals(List.of(
        "* TLSv1.3 (OUT), TLS handshake, Client hello (1):",
        "* TLSv1.3 (IN), TLS handshake, Server hello (2):",
        "* TLSv1.3 (OUT), TLS change cipher, Change cipher spec (1):",
        "* TLSv1.3 (IN), TLS handshake, Encrypted Extensions (8):",
        "* TLSv1.3 (IN), TLS handshake, Certificate (11):",
        "* TLSv1.3 (OUT), TLS alert, certificate unknown (558):"), got);

    List<String> tls12 = lines(hello(List.of("TLS 1.3", "TLS 1.2"), "TLS 1.2"),
        new TlsEvent.ServerHello(C, IN, PEER, 85, "TLS 1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", null,
            KeyExchange.ECDHE),
        new TlsEvent.Certificate(C, IN, PEER, 900, View.WIRE, List.of(), 0),
        new TlsEvent.HandshakeFailed(C, PEER, Failure.CERTIFICATE, "certificate_unknown", "self-signed"),
        new TlsEvent.Alert(C, OUT, PEER, 2, "fatal", "certificate_unknown"));
    assertEquals(List.of(
        "* TLSv1.3 (OUT), TLS handshake, Client hello (1):",
        "* TLSv1.3 (IN), TLS handshake, Server hello (2):",
        "* TLSv1.2 (IN), TLS handshake, Certificate (11):",
        "* TLSv1.2 (OUT), TLS alert, certificate unknown (558):"), tls12, "the alert once, though its record follows");
  }

  @Test
  void anAlertFromTheServerInTheClear() {
    List<String> got = lines(hello(List.of(), "TLS 1.2"),
        new TlsEvent.Alert(C, IN, PEER, 2, "fatal", "protocol_version"),
        new TlsEvent.HandshakeFailed(C, PEER, Failure.ALERT_RECEIVED, "protocol_version",
            "the server sent fatal alert protocol_version"));
    assertEquals(List.of(
        "* TLSv1.2 (OUT), TLS handshake, Client hello (1):",
        "* TLSv1.2 (IN), TLS alert, protocol version (582):"), got);
  }
}
