package emu.node.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * TLS as one end of a connection sees it (emu.node.tls.TlsNarrator): the records each way and
 * the plaintext handshake messages, with the values on the wire, and the endpoint's own view
 * once the handshake is over. Versions, cipher suites, groups, signature schemes, alerts and
 * handshake types are their IANA/RFC names ({@code TLS 1.3}, {@code TLS_AES_128_GCM_SHA256},
 * {@code x25519}, {@code certificate_unknown}, {@code client_hello}); GREASE values (RFC 8701)
 * are left out of lists.
 *
 * <p>Every record says which end reported it ({@code side}) and the peer ({@code peer},
 * ADDRESS:PORT, null when unknown). A record about something that crossed the wire also says
 * whether this end sent or received it ({@code dir}) and how long it was ({@code bytes}: the
 * record, or the handshake message for plaintext handshake messages).
 */
public sealed interface TlsEvent extends TraceEvent {
  <R> R accept(Visitor<R> v);

  @Override
  default <R> R accept(TraceEvent.Visitor<R> v) {
    return v.tls(this);
  }

  /** Which end of the connection reported it. */
  Side side();

  /** The other end, ADDRESS:PORT, or null when unknown. */
  String peer();

  /** Whether this end sent or received what the record is about; null for an endpoint's own view. */
  Direction dir();

  interface Visitor<R> {
    R clientHello(ClientHello e);

    R serverHello(ServerHello e);

    R helloRetryRequest(HelloRetryRequest e);

    R keyAgreement(KeyAgreement e);

    R certificate(Certificate e);

    R serverKeyExchange(ServerKeyExchange e);

    R serverHelloDone(ServerHelloDone e);

    R certificateRequest(CertificateRequest e);

    R rsaKeyTransport(RsaKeyTransport e);

    R dheKeyExchange(DheKeyExchange e);

    R changeCipherSpec(ChangeCipherSpec e);

    R finished(Finished e);

    R encryptedHandshake(EncryptedHandshake e);

    R newSessionTicket(NewSessionTicket e);

    R otherHandshake(OtherHandshake e);

    R alert(Alert e);

    R encryptedAlert(EncryptedAlert e);

    R applicationData(ApplicationData e);

    R otherRecord(OtherRecord e);

    R handshakeDone(HandshakeDone e);

    R handshakeFailed(HandshakeFailed e);

    R malformed(Malformed e);

    R summary(Summary e);
  }

  /** An end of a TLS connection. */
  enum Side {
    CLIENT, SERVER;

    /** The other end. */
    public Side other() {
      return this == CLIENT ? SERVER : CLIENT;
    }
  }

  /** Whether this end sent or received it. */
  enum Direction { SENT, RECEIVED }

  /** The key exchange a TLS 1.2 cipher suite names (TLS_RSA_WITH_*, TLS_ECDHE_*, TLS_DHE_*). */
  enum KeyExchange {
    /** RSA key transport: the client encrypts the premaster secret with the server's public key. */
    RSA,
    /** Ephemeral elliptic-curve Diffie-Hellman. */
    ECDHE,
    /** Ephemeral finite-field Diffie-Hellman. */
    DHE,
    /** A suite of none of those kinds. */
    UNKNOWN
  }

  /** The kind of a TLS 1.3 key-share group. */
  enum Agreement {
    /** An elliptic curve (x25519, secp256r1, ...). */
    ECDHE,
    /** A finite-field group (ffdhe2048, ...). */
    DHE,
    /** ML-KEM alone (FIPS 203). */
    ML_KEM,
    /** A hybrid of an elliptic curve and ML-KEM (X25519MLKEM768, ...): post-quantum. */
    HYBRID_ECDHE_ML_KEM
  }

  /** Where a certificate chain was seen. */
  enum View {
    /** Read off the wire: TLS 1.2 sends the Certificate message in the clear. */
    WIRE,
    /**
     * The endpoint's own view once the handshake is over: TLS 1.3 encrypts the Certificate
     * message, so it is the chain the client's engine decrypted and verified, or the one the
     * server sent.
     */
    ENDPOINT
  }

  /** Why a record is told as an encrypted alert. */
  enum EncryptedAlertReason {
    /**
     * An alert record under the session keys (its level and description are encrypted); after
     * the handshake it is normally close_notify.
     */
    ALERT_RECORD,
    /**
     * TLS 1.3: an encrypted record from the end that refused the handshake (TLS 1.3 encrypts
     * alerts too, as application-data records).
     */
    HANDSHAKE_REFUSED
  }

  /** What made the bytes one way not TLS. */
  enum MalformedCause {
    /** A record's content type ({@code value}) is not one of TLS's. */
    CONTENT_TYPE,
    /** A record's version ({@code value}) is not 3.x. */
    RECORD_VERSION,
    /** A record is longer ({@code value} bytes) than 2^14 + 2048. */
    RECORD_LENGTH,
    /** A handshake message claims more bytes ({@code value}) than the narrator follows. */
    HANDSHAKE_LENGTH,
    /** A handshake message ({@code message}) does not parse ({@code detail}). */
    HANDSHAKE_MESSAGE,
    /** The narrator itself failed on what it read ({@code detail}: the exception). */
    NARRATOR_ERROR
  }

  /** How a handshake failed, as far as the endpoint's TLS engine says. */
  enum Failure {
    /** The peer's certificate was refused. */
    CERTIFICATE,
    /** This end sent a fatal alert ({@code alert}). */
    ALERT_SENT,
    /** The peer sent a fatal alert ({@code alert}). */
    ALERT_RECEIVED,
    /** What arrived was not TLS. */
    NOT_TLS,
    /** The handshake took too long. */
    TIMED_OUT,
    /** The connection closed during the handshake. */
    CLOSED,
    /** Anything else. */
    OTHER
  }

  /**
   * One certificate of a chain: subject and issuer as RFC 2253 names, validity as ISO-8601
   * instants, the DNS and IP subjectAltNames, the public key ({@code RSA 2048 bits}), the
   * signature algorithm, whether it signed itself, the serial number in hex.
   */
  record CertificateInfo(String subject, String issuer, String notBefore, String notAfter, List<String> names,
                         String key, String signatureAlgorithm, boolean selfSigned, String serial) {}

  /**
   * A ClientHello: the versions offered ({@code supportedVersions}, empty without that extension;
   * {@code legacyVersion} is the version field), the cipher suites in the client's order, the
   * server name it asks for ({@code sni}, null without one), the groups of the key shares it
   * sends up front and the groups it supports, the ALPN protocols.
   */
  @JsonTypeName("tls.client_hello")
  record ClientHello(Side side, Direction dir, String peer, int bytes, String legacyVersion,
                     List<String> supportedVersions, List<String> cipherSuites, String sni, List<String> keyShareGroups,
                     List<String> supportedGroups, List<String> alpn) implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.clientHello(this);
    }
  }

  /**
   * A ServerHello (not a HelloRetryRequest): the version and cipher suite the server chose, the
   * group of its key share (TLS 1.3; null without one) and, for TLS 1.2, the key exchange the
   * suite names (null for TLS 1.3, where the suite names none).
   */
  @JsonTypeName("tls.server_hello")
  record ServerHello(Side side, Direction dir, String peer, int bytes, String version, String cipherSuite,
                     String keyShareGroup, KeyExchange keyExchange) implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.serverHello(this);
    }
  }

  /** A HelloRetryRequest: the server wants a key share for {@code group} (null: the message names none). */
  @JsonTypeName("tls.hello_retry_request")
  record HelloRetryRequest(Side side, Direction dir, String peer, int bytes, String group) implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.helloRetryRequest(this);
    }
  }

  /**
   * TLS 1.3 key agreement, told once the ServerHello has crossed ({@code dir} is the
   * ServerHello's): both ends' ephemeral key shares are on the wire, on {@code group} (null when
   * the ServerHello named none) of kind {@code mode}.
   */
  @JsonTypeName("tls.key_agreement")
  record KeyAgreement(Side side, Direction dir, String peer, Agreement mode, String group) implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.keyAgreement(this);
    }
  }

  /**
   * The server's certificate chain, leaf first, as seen from {@code view}. On the wire (TLS 1.2)
   * {@code dir} and {@code bytes} are the Certificate message's and {@code unparsed} counts
   * certificates that did not parse; an endpoint's view has neither ({@code dir} and
   * {@code bytes} null, {@code unparsed} 0).
   */
  @JsonTypeName("tls.certificate")
  record Certificate(Side side, Direction dir, String peer, Integer bytes, View view, List<CertificateInfo> chain,
                     int unparsed) implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.certificate(this);
    }
  }

  /**
   * A TLS 1.2 ServerKeyExchange. For (EC)DHE ({@code mode}): the group of the server's
   * ephemeral key (null for a finite-field group), the size of its public key and the signature
   * scheme it was signed with (null if not given). For other suites only its length is known
   * ({@code group} and {@code signature} null, {@code publicKeyBytes} 0).
   */
  @JsonTypeName("tls.server_key_exchange")
  record ServerKeyExchange(Side side, Direction dir, String peer, int bytes, KeyExchange mode, String group,
                           int publicKeyBytes, String signature) implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.serverKeyExchange(this);
    }
  }

  /** A TLS 1.2 ServerHelloDone: the server has sent everything of its first flight. */
  @JsonTypeName("tls.server_hello_done")
  record ServerHelloDone(Side side, Direction dir, String peer, int bytes) implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.serverHelloDone(this);
    }
  }

  /** A (plaintext) CertificateRequest: the server asks the client for a certificate. */
  @JsonTypeName("tls.certificate_request")
  record CertificateRequest(Side side, Direction dir, String peer, int bytes) implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.certificateRequest(this);
    }
  }

  /**
   * A TLS 1.2 ClientKeyExchange under RSA key transport: the premaster secret, encrypted with the
   * public key of the server's certificate into {@code encryptedBytes} bytes.
   */
  @JsonTypeName("tls.rsa_key_transport")
  record RsaKeyTransport(Side side, Direction dir, String peer, int bytes, int encryptedBytes) implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.rsaKeyTransport(this);
    }
  }

  /**
   * A TLS 1.2 ClientKeyExchange under an ephemeral key exchange ({@code mode}, ECDHE or DHE): the
   * client's ephemeral public key, {@code publicKeyBytes} long.
   */
  @JsonTypeName("tls.dhe_key_exchange")
  record DheKeyExchange(Side side, Direction dir, String peer, int bytes, KeyExchange mode, int publicKeyBytes)
      implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.dheKeyExchange(this);
    }
  }

  /**
   * A ChangeCipherSpec record: in TLS 1.2 the sender encrypts from the next record on; in TLS 1.3
   * ({@code dummy}) it is only there for middleboxes (RFC 8446 appendix D.4).
   */
  @JsonTypeName("tls.change_cipher_spec")
  record ChangeCipherSpec(Side side, Direction dir, String peer, int bytes, boolean dummy) implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.changeCipherSpec(this);
    }
  }

  /**
   * A Finished message, encrypted: in TLS 1.2 the handshake record after a ChangeCipherSpec; in
   * TLS 1.3 ({@code tls13}) the client's, known as such once the handshake has succeeded.
   */
  @JsonTypeName("tls.finished")
  record Finished(Side side, Direction dir, String peer, int bytes, boolean tls13) implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.finished(this);
    }
  }

  /**
   * TLS 1.3: an encrypted record of the handshake, the {@code ordinal}-th this way (1: the first
   * of the server's flight, which carries EncryptedExtensions, Certificate, CertificateVerify and
   * Finished). From the client, told so while the handshake still runs.
   */
  @JsonTypeName("tls.encrypted_handshake")
  record EncryptedHandshake(Side side, Direction dir, String peer, int bytes, int ordinal) implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.encryptedHandshake(this);
    }
  }

  /** A (plaintext) NewSessionTicket: a ticket to resume the session later. */
  @JsonTypeName("tls.new_session_ticket")
  record NewSessionTicket(Side side, Direction dir, String peer, int bytes) implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.newSessionTicket(this);
    }
  }

  /** Another plaintext handshake message: its number and name ({@code certificate_status}, ...). */
  @JsonTypeName("tls.handshake")
  record OtherHandshake(Side side, Direction dir, String peer, int bytes, int messageType, String name)
      implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.otherHandshake(this);
    }
  }

  /** An alert in the clear: its level ({@code warning}, {@code fatal}) and description. */
  @JsonTypeName("tls.alert")
  record Alert(Side side, Direction dir, String peer, int bytes, String level, String description)
      implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.alert(this);
    }
  }

  /** An alert whose level and description are encrypted; {@code reason}: why it is one. */
  @JsonTypeName("tls.encrypted_alert")
  record EncryptedAlert(Side side, Direction dir, String peer, int bytes, EncryptedAlertReason reason)
      implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.encryptedAlert(this);
    }
  }

  /**
   * An application data record, the {@code ordinal}-th this way; {@code tls13}: its true content
   * type is hidden inside the encryption; {@code lastNarrated}: later ones this way are only
   * counted (see {@link Summary}).
   */
  @JsonTypeName("tls.application_data")
  record ApplicationData(Side side, Direction dir, String peer, int bytes, boolean tls13, int ordinal,
                         boolean lastNarrated) implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.applicationData(this);
    }
  }

  /** A record of another content type ({@code contentType}; 24: heartbeat, RFC 6520). */
  @JsonTypeName("tls.record")
  record OtherRecord(Side side, Direction dir, String peer, int bytes, int contentType) implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.otherRecord(this);
    }
  }

  /**
   * The handshake succeeded, in the endpoint's view: the protocol and cipher suite its engine
   * reports ({@code TLSv1.3}, {@code TLS_AES_128_GCM_SHA256}).
   */
  @JsonTypeName("tls.handshake_done")
  record HandshakeDone(Side side, String peer, String protocol, String cipherSuite) implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.handshakeDone(this);
    }

    @Override
    @JsonIgnore
    public Direction dir() {
      return null;
    }
  }

  /**
   * The handshake failed at this end: how ({@code failure}), the fatal alert this end sent or
   * received when the engine says which ({@code alert}, else null), and the engine's account of
   * it ({@code reason}, e.g. the certificate check's refusal).
   */
  @JsonTypeName("tls.handshake_failed")
  record HandshakeFailed(Side side, String peer, Failure failure, String alert, String reason) implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.handshakeFailed(this);
    }

    @Override
    @JsonIgnore
    public Direction dir() {
      return null;
    }
  }

  /**
   * What came this way is not TLS ({@code cause}, with the offending {@code value}, the first
   * bytes of the record header as text or hex for record-layer causes, the handshake message's
   * name and the parser's {@code detail} for a message that does not parse); the narrator stops
   * following that direction.
   */
  @JsonTypeName("tls.malformed")
  record Malformed(Side side, Direction dir, String peer, MalformedCause cause, int value, String firstBytes,
                   String message, String detail) implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.malformed(this);
    }
  }

  /**
   * The connection closed with more application data records than were narrated, or with a
   * direction that was not TLS: the counts ({@code malformed}: directions given up).
   */
  @JsonTypeName("tls.summary")
  record Summary(Side side, String peer, long recordsSent, long recordsReceived, long appRecordsSent,
                 long appBytesSent, long appRecordsReceived, long appBytesReceived, long malformed) implements TlsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.summary(this);
    }

    @Override
    @JsonIgnore
    public Direction dir() {
      return null;
    }
  }
}
