package emu.control.narrative;

import emu.node.event.TlsEvent;
import emu.node.event.TlsEvent.CertificateInfo;
import emu.node.event.TlsEvent.Direction;
import emu.node.event.TlsEvent.KeyExchange;
import emu.node.event.TlsEvent.Side;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * The words for TLS: each record and plaintext handshake message as it crosses, with the real
 * values, and why it matters (what the ClientHello gives away in the clear, why TLS 1.3 dropped
 * RSA key transport, what Finished proves). The subject is the end that reported it; "sends" or
 * "receives" is its direction.
 */
final class TlsStory implements TlsEvent.Visitor<String> {
  /** Cipher suites of a ClientHello named in the sentence; the rest are counted. */
  static final int SHOWN_SUITES = 6;
  /** Certificate dates as curl and OpenSSL print them ("Nov 27 10:00:00 2026 GMT"). */
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("MMM d HH:mm:ss yyyy 'GMT'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private static String verb(Direction d) {
    return d == Direction.SENT ? "sends" : "receives";
  }

  private static String word(Side s) {
    return s == Side.CLIENT ? "client" : "server";
  }

  /** The end that sent what {@code side} sent or received. */
  private static Side sender(Side side, Direction d) {
    return d == Direction.SENT ? side : side.other();
  }

  @Override
  public String clientHello(TlsEvent.ClientHello e) {
    List<String> suites = e.cipherSuites();
    StringBuilder m = new StringBuilder(verb(e.dir())).append(" ClientHello (").append(e.bytes()).append(" bytes): ");
    if (e.supportedVersions().isEmpty()) {
      m.append("offers up to ").append(e.legacyVersion());
    } else {
      m.append("offers ").append(String.join(", ", e.supportedVersions()))
          .append(" (supported_versions; the legacy version field says ").append(e.legacyVersion())
          .append(" as RFC 8446 requires)");
    }
    m.append("; ").append(suites.size()).append(" cipher suites: ")
        .append(String.join(", ", suites.subList(0, Math.min(SHOWN_SUITES, suites.size()))))
        .append(suites.size() > SHOWN_SUITES ? ", ..." : "");
    m.append(e.sni() != null ? "; SNI " + e.sni() + " (the name it wants, in the clear)" : "; no SNI");
    if (!e.keyShareGroups().isEmpty()) {
      m.append("; key shares ").append(String.join(", ", e.keyShareGroups()))
          .append(" (ephemeral public keys sent up front)");
    }
    return m.toString();
  }

  @Override
  public String serverHello(TlsEvent.ServerHello e) {
    boolean tls13 = "TLS 1.3".equals(e.version());
    return verb(e.dir()) + " ServerHello (" + e.bytes() + " bytes): the server picks " + e.version()
        + " and cipher suite " + e.cipherSuite()
        + (tls13 ? "; key share " + (e.keyShareGroup() == null ? "?" : e.keyShareGroup())
            + " (its ephemeral public key). Everything after this is encrypted"
            : " (key exchange: " + keyExchangeWords(e.keyExchange()) + ")");
  }

  private static String keyExchangeWords(KeyExchange kx) {
    if (kx == null) {
      return "unknown";
    }
    return switch (kx) {
      case RSA -> "RSA key transport: the client will encrypt a secret with the server's public key";
      case ECDHE -> "ephemeral elliptic-curve Diffie-Hellman, signed with the certificate key";
      case DHE -> "ephemeral Diffie-Hellman, signed with the certificate key";
      case UNKNOWN -> "unknown";
    };
  }

  /** A key exchange as the suite names it ("ECDHE"; "?" for none of the known kinds). */
  private static String kx(KeyExchange kx) {
    return kx == null || kx == KeyExchange.UNKNOWN ? "?" : kx.name();
  }

  @Override
  public String helloRetryRequest(TlsEvent.HelloRetryRequest e) {
    return verb(e.dir()) + " HelloRetryRequest: the server wants a key share for "
        + (e.group() != null ? e.group() : "another group") + "; the client sends a second ClientHello";
  }

  @Override
  public String keyAgreement(TlsEvent.KeyAgreement e) {
    String kind = switch (e.mode()) {
      case ECDHE -> "ECDHE";
      case DHE -> "DHE";
      case ML_KEM -> "ML-KEM";
      case HYBRID_ECDHE_ML_KEM -> "hybrid ECDHE + ML-KEM (post-quantum)";
    };
    return "TLS 1.3 key agreement (" + kind + ", " + (e.group() == null ? "?" : e.group()) + "): the ClientHello "
        + "carried the client's ephemeral public key and the ServerHello the server's; each side combines its own "
        + "ephemeral private key with the other's public key and both arrive at the same shared secret, which never "
        + "crosses the wire; the session keys are derived from it. The certificate key only signs the handshake "
        + "(CertificateVerify); nothing is encrypted with it. With RSA key transport (TLS 1.2 TLS_RSA_* suites) the "
        + "client encrypts the secret with the server's public key, so anyone who later obtains the server's private "
        + "key can decrypt every recorded session. Ephemeral keys are thrown away after the handshake, so a stolen "
        + "server key decrypts nothing recorded (forward secrecy): that is why RFC 8446 removed static RSA key "
        + "exchange";
  }

  @Override
  public String certificate(TlsEvent.Certificate e) {
    if (e.view() == TlsEvent.View.WIRE) {
      return verb(e.dir()) + " Certificate (" + e.bytes() + " bytes, in the clear in TLS 1.2): " + chain(e.chain())
          + (e.unparsed() > 0 ? "; " + e.unparsed() + " certificate(s) did not parse" : "");
    }
    return (e.side() == Side.CLIENT
        ? "the server's certificate chain, encrypted on the wire in TLS 1.3, as the client's TLS engine decrypted "
            + "and verified it: "
        : "the certificate chain the server sent, encrypted on the wire in TLS 1.3: ") + chain(e.chain());
  }

  static String chain(List<CertificateInfo> chain) {
    if (chain.isEmpty()) {
      return "no certificates";
    }
    StringBuilder sb = new StringBuilder("chain of ").append(chain.size());
    for (int i = 0; i < chain.size(); i++) {
      sb.append("; [").append(i).append("] ").append(oneLine(chain.get(i)));
    }
    return sb.toString();
  }

  /** "CN=payroll.corp.com, issued by CN=emu lab corporate CA, valid A to B, names x, y". */
  static String oneLine(CertificateInfo c) {
    return c.subject() + (c.selfSigned() ? " (self-signed)" : ", issued by " + c.issuer()) + ", valid "
        + date(c.notBefore()) + " to " + date(c.notAfter())
        + (c.names().isEmpty() ? "" : ", names " + String.join(", ", c.names()));
  }

  /** An ISO-8601 instant as OpenSSL prints dates; anything else as it came. */
  static String date(String instant) {
    try {
      return DATE.format(Instant.parse(instant));
    } catch (DateTimeParseException e) {
      return instant;
    }
  }

  @Override
  public String serverKeyExchange(TlsEvent.ServerKeyExchange e) {
    if (e.mode() != KeyExchange.ECDHE && e.mode() != KeyExchange.DHE) {
      return verb(e.dir()) + " ServerKeyExchange (" + e.bytes() + " bytes)";
    }
    return verb(e.dir()) + " ServerKeyExchange (" + e.bytes() + " bytes): the server's ephemeral " + kx(e.mode())
        + " public key on " + (e.group() != null ? e.group() : "finite-field group") + " (" + e.publicKeyBytes()
        + " bytes), signed with its certificate's private key" + (e.signature() != null ? " (" + e.signature() + ")"
        : "");
  }

  @Override
  public String serverHelloDone(TlsEvent.ServerHelloDone e) {
    return verb(e.dir()) + " ServerHelloDone: the server has said everything; the client now checks the certificate "
        + "and answers";
  }

  @Override
  public String certificateRequest(TlsEvent.CertificateRequest e) {
    return verb(e.dir()) + " CertificateRequest: the server asks the client for a certificate of its own";
  }

  @Override
  public String rsaKeyTransport(TlsEvent.RsaKeyTransport e) {
    return verb(e.dir()) + " ClientKeyExchange (" + e.bytes() + " bytes): the client encrypts a secret with the "
        + "server's public key: a fresh 48-byte premaster secret, RSA-encrypted with the public key from the server's "
        + "certificate into " + e.encryptedBytes() + " bytes of ciphertext. Only the server's private key can decrypt "
        + "it; both sides then derive the session keys from it. No forward secrecy: whoever later gets the server's "
        + "private key can decrypt a recording of this session";
  }

  @Override
  public String dheKeyExchange(TlsEvent.DheKeyExchange e) {
    return verb(e.dir()) + " ClientKeyExchange (" + e.bytes() + " bytes): the client's ephemeral " + kx(e.mode())
        + " public key (" + e.publicKeyBytes() + " bytes). Each side combines its own private key with the other's "
        + "public key into the same premaster secret; the certificate key only signed the ServerKeyExchange, so a "
        + "stolen server key cannot decrypt this session later (forward secrecy)";
  }

  @Override
  public String changeCipherSpec(TlsEvent.ChangeCipherSpec e) {
    if (e.dummy()) {
      return verb(e.dir()) + " ChangeCipherSpec (" + e.bytes() + " byte): a dummy in TLS 1.3, sent only so that "
          + "middleboxes see a familiar shape (RFC 8446 appendix D.4); it changes nothing";
    }
    return verb(e.dir()) + " ChangeCipherSpec: from the next record on, the " + word(sender(e.side(), e.dir()))
        + " encrypts with the new session keys";
  }

  @Override
  public String finished(TlsEvent.Finished e) {
    if (e.tls13()) {
      return verb(e.dir()) + " the client's Finished (encrypted, " + e.bytes() + " bytes): a MAC over the whole "
          + "handshake, proving the client derived the same keys and saw the same messages";
    }
    return verb(e.dir()) + " Finished (encrypted, " + e.bytes() + " bytes): a MAC over the whole handshake under the "
        + "new keys; it proves both sides derived the same keys and saw the same messages";
  }

  @Override
  public String encryptedHandshake(TlsEvent.EncryptedHandshake e) {
    if (sender(e.side(), e.dir()) == Side.CLIENT) {
      return verb(e.dir()) + " an encrypted handshake record from the client (" + e.bytes() + " bytes)";
    }
    if (e.ordinal() == 1) {
      return verb(e.dir()) + " an encrypted handshake record (" + e.bytes() + " bytes): in TLS 1.3 the server's "
          + "EncryptedExtensions, Certificate, CertificateVerify and Finished travel encrypted under keys from the key "
          + "exchange, so an observer on the wire cannot see the certificate";
    }
    return verb(e.dir()) + " another encrypted handshake record from the server (" + e.bytes() + " bytes)";
  }

  @Override
  public String newSessionTicket(TlsEvent.NewSessionTicket e) {
    return verb(e.dir()) + " NewSessionTicket (" + e.bytes() + " bytes): a ticket to resume this session later "
        + "without a full handshake";
  }

  @Override
  public String otherHandshake(TlsEvent.OtherHandshake e) {
    return verb(e.dir()) + " " + e.name() + " (" + e.bytes() + " bytes)";
  }

  @Override
  public String alert(TlsEvent.Alert e) {
    return verb(e.dir()) + " a " + e.level() + " alert: " + e.description() + " (in the clear"
        + ("fatal".equals(e.level()) ? "; the connection ends" : "") + ")";
  }

  @Override
  public String encryptedAlert(TlsEvent.EncryptedAlert e) {
    return switch (e.reason()) {
      case ALERT_RECORD -> verb(e.dir()) + " an encrypted alert (" + e.bytes() + " bytes; after the handshake it is "
          + "normally close_notify, the polite end of the connection)";
      case HANDSHAKE_REFUSED -> verb(e.dir()) + " an encrypted alert (" + e.bytes() + " bytes): the "
          + word(sender(e.side(), e.dir())) + " refuses the handshake; in TLS 1.3 even the alert is encrypted, so "
          + "only the endpoints know which one it is";
    };
  }

  @Override
  public String applicationData(TlsEvent.ApplicationData e) {
    return verb(e.dir()) + " an application data record: " + e.bytes() + " bytes, encrypted; only its length is "
        + "visible on the wire" + (e.tls13() ? " (TLS 1.3 hides the true content type inside the encryption)" : "")
        + (e.lastNarrated() ? ". Further records this way are counted, not narrated" : "");
  }

  @Override
  public String otherRecord(TlsEvent.OtherRecord e) {
    return verb(e.dir()) + " " + (e.contentType() == 24 ? "heartbeat record" : "record of content type "
        + e.contentType()) + ", " + e.bytes() + " bytes";
  }

  @Override
  public String handshakeDone(TlsEvent.HandshakeDone e) {
    return "handshake complete (" + word(e.side()) + "'s view): " + e.protocol() + " with " + e.cipherSuite()
        + "; application data is now encrypted with the session keys";
  }

  @Override
  public String handshakeFailed(TlsEvent.HandshakeFailed e) {
    return "the TLS handshake failed at the " + word(e.side()) + ": " + e.reason();
  }

  @Override
  public String malformed(TlsEvent.Malformed e) {
    String why = switch (e.cause()) {
      case CONTENT_TYPE -> "content type " + e.value() + " is not a TLS record type (first bytes: " + e.firstBytes()
          + ")";
      case RECORD_VERSION -> "record version " + String.format(Locale.ROOT, "0x%04x", e.value())
          + " is not TLS (first bytes: " + e.firstBytes() + ")";
      case RECORD_LENGTH -> "record length " + e.value() + " exceeds 2^14 + 2048 (first bytes: " + e.firstBytes() + ")";
      case HANDSHAKE_LENGTH -> "handshake message of " + e.value() + " bytes is beyond what the narrator follows";
      case HANDSHAKE_MESSAGE -> "a " + e.message() + " that does not parse (" + e.detail() + ")";
      case NARRATOR_ERROR -> "cannot follow the stream: " + e.detail();
    };
    return verb(e.dir()) + " something that is not valid TLS: " + why + "; stops following the "
        + (e.dir() == Direction.SENT ? "outgoing" : "incoming") + " stream";
  }

  @Override
  public String summary(TlsEvent.Summary e) {
    return "connection closed: " + e.appRecordsSent() + " application data records sent (" + e.appBytesSent()
        + " bytes), " + e.appRecordsReceived() + " received (" + e.appBytesReceived() + " bytes)"
        + (e.malformed() > 0 ? "; " + e.malformed() + " direction(s) were not TLS" : "");
  }
}
