package emu.node.apps.diag;

import emu.node.event.TlsEvent;
import emu.node.event.TlsEvent.Direction;
import emu.node.event.TlsEvent.EncryptedAlertReason;
import emu.node.event.TlsEvent.Failure;
import emu.node.event.TlsEvent.Side;
import emu.node.event.TlsEvent.View;
import emu.node.tls.TlsNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code curl -v} prints about a TLS handshake, from the TLS narrator's events: one line per
 * handshake message, ChangeCipherSpec and alert, in the format of curl's OpenSSL backend
 * ({@code ossl_trace} in lib/vtls/openssl.c):
 *
 * <pre>
 * * TLSv1.3 (OUT), TLS handshake, Client hello (1):
 * * TLSv1.3 (IN), TLS handshake, Server hello (2):
 * * TLSv1.3 (IN), TLS handshake, Certificate (11):
 * * TLSv1.3 (OUT), TLS handshake, Finished (20):
 * </pre>
 *
 * The version is the one OpenSSL hands curl: the highest the ClientHello offers, until the
 * ServerHello (itself still shown with that version) has been read, then the negotiated one.
 * Message names and numbers are curl's for the handshake types of RFC 8446 4 and RFC 5246 7.4;
 * an alert is {@code (level << 8) + description} with OpenSSL's long description. Like curl, it
 * shows the ChangeCipherSpec this end sends, not the one it receives, and nothing for
 * application data.
 *
 * <p>TLS 1.3 encrypts the server's EncryptedExtensions, Certificate, CertificateVerify and
 * Finished; curl shows them because OpenSSL decrypts them. The narrator sees only encrypted
 * records, so they are shown once the endpoint knows how the handshake went: all four when it
 * succeeded, EncryptedExtensions and Certificate when the client refused the certificate (as
 * OpenSSL stops there), each followed by what this end sent meanwhile. The fatal alert
 * that ends a failed handshake is told with the failure, which names it: the engine raises it
 * before its record goes out. Not thread-safe: one per connection, on its event loop.
 */
final class CurlTlsLines implements TlsEvent.Visitor<List<String>> {
  /** curl's names of handshake types (ssl_msg_type), by number. */
  private static final Map<Integer, String> MESSAGES = Map.ofEntries(Map.entry(0, "Hello request"),
      Map.entry(1, "Client hello"), Map.entry(2, "Server hello"), Map.entry(4, "Newsession Ticket"),
      Map.entry(5, "End of early data"), Map.entry(8, "Encrypted Extensions"), Map.entry(11, "Certificate"),
      Map.entry(12, "Server key exchange"), Map.entry(13, "Request CERT"), Map.entry(14, "Server finished"),
      Map.entry(15, "CERT verify"), Map.entry(16, "Client key exchange"), Map.entry(20, "Finished"),
      Map.entry(22, "Certificate Status"), Map.entry(23, "Supplemental data"), Map.entry(24, "Key update"),
      Map.entry(67, "Next protocol"), Map.entry(254, "Message hash"));
  /** OpenSSL's long alert descriptions (SSL_alert_desc_string_long), by number. */
  private static final Map<Integer, String> ALERTS = Map.ofEntries(Map.entry(0, "close notify"),
      Map.entry(10, "unexpected_message"), Map.entry(20, "bad record mac"), Map.entry(21, "decryption failed"),
      Map.entry(22, "record overflow"), Map.entry(30, "decompression failure"), Map.entry(40, "handshake failure"),
      Map.entry(41, "no certificate"), Map.entry(42, "bad certificate"), Map.entry(43, "unsupported certificate"),
      Map.entry(44, "certificate revoked"), Map.entry(45, "certificate expired"),
      Map.entry(46, "certificate unknown"), Map.entry(47, "illegal parameter"), Map.entry(48, "unknown CA"),
      Map.entry(49, "access denied"), Map.entry(50, "decode error"), Map.entry(51, "decrypt error"),
      Map.entry(60, "export restriction"), Map.entry(70, "protocol version"), Map.entry(71, "insufficient security"),
      Map.entry(80, "internal error"), Map.entry(86, "inappropriate fallback"), Map.entry(90, "user canceled"),
      Map.entry(100, "no renegotiation"), Map.entry(109, "missing extension"),
      Map.entry(110, "unsupported extension"), Map.entry(111, "certificate unobtainable"),
      Map.entry(112, "unrecognized name"), Map.entry(113, "bad certificate status response"),
      Map.entry(114, "bad certificate hash value"), Map.entry(115, "unknown PSK identity"),
      Map.entry(116, "certificate required"), Map.entry(120, "no application protocol"));
  private static final List<String> VERSIONS = List.of("SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3");

  /** The highest version the ClientHello offered, as curl writes it. */
  private String offered;
  /** The version the ServerHello chose, once that has been shown. */
  private String negotiated;
  /** TLS 1.3: which way the server's encrypted flight went, while what it held is not known yet. */
  private Direction flight;
  /** What this end sent after the server's encrypted flight arrived, shown after it. */
  private final List<String> held = new ArrayList<>();
  /** TLS 1.3: the peer refused the handshake with an encrypted alert; which one, this end's failure says. */
  private boolean refusedByPeer;
  /** The alert this end's failure already told, before the record carrying it went out. */
  private String alertTold;

  /** The lines for one event (often none). */
  List<String> lines(TlsEvent e) {
    return e.accept(this);
  }

  private String version() {
    return negotiated != null ? negotiated : offered != null ? offered : "TLSv1.3";
  }

  private static String curlVersion(String name) {
    if (name == null) {
      return null;
    }
    if (name.equals("SSL 3.0")) {
      return "SSLv3";
    }
    return name.startsWith("TLS ") ? "TLSv" + name.substring(4) : name;
  }

  private String line(Direction dir, String recordType, String name, int number) {
    return "* " + version() + " (" + (dir == Direction.SENT ? "OUT" : "IN") + "), " + recordType + ", " + name + " ("
        + number + "):";
  }

  private List<String> handshake(Direction dir, int type) {
    return one(dir, line(dir, "TLS handshake", MESSAGES.getOrDefault(type, "Unknown"), type));
  }

  /** One line, held back if it is this end's and the server's encrypted flight is not told yet. */
  private List<String> one(Direction dir, String line) {
    if (flight != null && dir == Direction.SENT) {
      held.add(line);
      return List.of();
    }
    return List.of(line);
  }

  private String alert(Direction dir, int level, String description) {
    int code = TlsNames.alertCode(description);
    return line(dir, "TLS alert", ALERTS.getOrDefault(code, "unknown"), (level << 8) + Math.max(code, 0));
  }

  /** The server's encrypted flight ({@code messages}), then what this end sent meanwhile. */
  private List<String> flightThen(int... messages) {
    List<String> out = new ArrayList<>();
    if (flight != null) {
      for (int m : messages) {
        out.add(line(flight, "TLS handshake", MESSAGES.get(m), m));
      }
    }
    flight = null;
    out.addAll(held);
    held.clear();
    return out;
  }

  @Override
  public List<String> clientHello(TlsEvent.ClientHello e) {
    String best = e.legacyVersion();
    for (String v : e.supportedVersions()) {
      if (VERSIONS.indexOf(v) > VERSIONS.indexOf(best)) {
        best = v;
      }
    }
    offered = curlVersion(best);
    negotiated = null;
    return handshake(e.dir(), 1);
  }

  @Override
  public List<String> serverHello(TlsEvent.ServerHello e) {
    List<String> out = handshake(e.dir(), 2);
    negotiated = curlVersion(e.version());
    return out;
  }

  @Override
  public List<String> helloRetryRequest(TlsEvent.HelloRetryRequest e) {
    return handshake(e.dir(), 2); // a HelloRetryRequest is a ServerHello (RFC 8446 4.1.3)
  }

  @Override
  public List<String> keyAgreement(TlsEvent.KeyAgreement e) {
    return List.of();
  }

  @Override
  public List<String> certificate(TlsEvent.Certificate e) {
    return e.view() == View.WIRE ? handshake(e.dir(), 11) : List.of();
  }

  @Override
  public List<String> serverKeyExchange(TlsEvent.ServerKeyExchange e) {
    return handshake(e.dir(), 12);
  }

  @Override
  public List<String> serverHelloDone(TlsEvent.ServerHelloDone e) {
    return handshake(e.dir(), 14);
  }

  @Override
  public List<String> certificateRequest(TlsEvent.CertificateRequest e) {
    return handshake(e.dir(), 13);
  }

  @Override
  public List<String> rsaKeyTransport(TlsEvent.RsaKeyTransport e) {
    return handshake(e.dir(), 16);
  }

  @Override
  public List<String> dheKeyExchange(TlsEvent.DheKeyExchange e) {
    return handshake(e.dir(), 16);
  }

  @Override
  public List<String> changeCipherSpec(TlsEvent.ChangeCipherSpec e) {
    return e.dir() == Direction.SENT ? one(e.dir(), line(e.dir(), "TLS change cipher", "Change cipher spec", 1))
        : List.of();
  }

  @Override
  public List<String> finished(TlsEvent.Finished e) {
    return handshake(e.dir(), 20);
  }

  @Override
  public List<String> encryptedHandshake(TlsEvent.EncryptedHandshake e) {
    boolean fromServer = (e.dir() == Direction.SENT ? e.side() : e.side().other()) == Side.SERVER;
    if (fromServer) {
      flight = e.dir();
    }
    return List.of();
  }

  @Override
  public List<String> newSessionTicket(TlsEvent.NewSessionTicket e) {
    return handshake(e.dir(), 4);
  }

  @Override
  public List<String> otherHandshake(TlsEvent.OtherHandshake e) {
    return handshake(e.dir(), e.messageType());
  }

  @Override
  public List<String> alert(TlsEvent.Alert e) {
    if (e.dir() == Direction.SENT && e.description().equals(alertTold)) {
      alertTold = null;
      return List.of(); // told with the failure, as curl tells it before the error
    }
    int level = "fatal".equals(e.level()) ? 2 : "warning".equals(e.level()) ? 1 : 0;
    return one(e.dir(), alert(e.dir(), level, e.description()));
  }

  @Override
  public List<String> encryptedAlert(TlsEvent.EncryptedAlert e) {
    if (e.reason() == EncryptedAlertReason.HANDSHAKE_REFUSED && e.dir() == Direction.RECEIVED) {
      refusedByPeer = true;
    }
    return List.of(); // this end's own refusal is told with its failure
  }

  @Override
  public List<String> applicationData(TlsEvent.ApplicationData e) {
    return List.of();
  }

  @Override
  public List<String> otherRecord(TlsEvent.OtherRecord e) {
    return List.of();
  }

  @Override
  public List<String> handshakeDone(TlsEvent.HandshakeDone e) {
    return flightThen(8, 11, 15, 20);
  }

  /**
   * The rest of the server's flight that was read, and the fatal alert: the one this end's
   * engine raised (its record goes out just after the failure is known, so it is told here), or
   * the one inside the peer's encrypted refusal. A plaintext alert received was told already.
   */
  @Override
  public List<String> handshakeFailed(TlsEvent.HandshakeFailed e) {
    List<String> out = e.failure() == Failure.CERTIFICATE ? flightThen(8, 11) : flightThen();
    if (e.alert() != null) {
      if (e.failure() == Failure.CERTIFICATE || e.failure() == Failure.ALERT_SENT) {
        out.add(alert(Direction.SENT, 2, e.alert()));
        alertTold = e.alert();
      } else if (e.failure() == Failure.ALERT_RECEIVED && refusedByPeer) {
        out.add(alert(Direction.RECEIVED, 2, e.alert()));
      }
    }
    refusedByPeer = false;
    return out;
  }

  @Override
  public List<String> malformed(TlsEvent.Malformed e) {
    return List.of();
  }

  @Override
  public List<String> summary(TlsEvent.Summary e) {
    return List.of();
  }
}
