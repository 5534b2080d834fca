package emu.control.narrative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.event.TlsEvent;
import emu.node.event.TlsEvent.Agreement;
import emu.node.event.TlsEvent.CertificateInfo;
import emu.node.event.TlsEvent.Direction;
import emu.node.event.TlsEvent.EncryptedAlertReason;
import emu.node.event.TlsEvent.Failure;
import emu.node.event.TlsEvent.KeyExchange;
import emu.node.event.TlsEvent.MalformedCause;
import emu.node.event.TlsEvent.Side;
import emu.node.event.TlsEvent.View;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The words for TLS: each sentence as the narrative printed it when the narrator still wrote
 * them, now from the facts the narrator reports.
 */
class TlsStoryTest {
  static final String CLIENT_PEER = "192.168.5.100:443";
  static final String SERVER_PEER = "192.168.1.100:44216";
  static final List<String> SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
      "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA256");
  static final CertificateInfo LEAF = new CertificateInfo("CN=payroll.corp.com", "CN=emu lab corporate CA",
      "2026-11-26T09:00:00Z", "2027-12-28T10:00:00Z", List.of("payroll.corp.com", "www.corp.com"), "RSA 2048 bits",
      "SHA256withRSA", false, "3e1f");
  static final CertificateInfo CA = new CertificateInfo("CN=emu lab corporate CA", "CN=emu lab corporate CA",
      "2026-11-26T09:00:00Z", "2036-11-24T10:00:00Z", List.of(), "RSA 2048 bits", "SHA256withRSA", true, "1");
  static final String CHAIN = "chain of 2; [0] CN=payroll.corp.com, issued by CN=emu lab corporate CA, valid Nov 26 "
      + "09:00:00 2026 GMT to Dec 28 10:00:00 2027 GMT, names payroll.corp.com, www.corp.com; [1] CN=emu lab corporate CA "
      + "(self-signed), valid Nov 26 09:00:00 2026 GMT to Nov 24 10:00:00 2036 GMT";

  @Test
  void theClientHelloOffersTls13And12WithSniInTheClear() {
    TlsEvent.ClientHello hello = new TlsEvent.ClientHello(Side.CLIENT, Direction.SENT, CLIENT_PEER, 292, "TLS 1.2",
        List.of("TLS 1.3", "TLS 1.2"), SUITES, "payroll.corp.com", List.of("X25519"),
        List.of("X25519", "secp256r1"), List.of());
    assertEquals("sends ClientHello (292 bytes): offers TLS 1.3, TLS 1.2 (supported_versions; the legacy version "
        + "field says TLS 1.2 as RFC 8446 requires); 14 cipher suites: TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, "
        + "TLS_CHACHA20_POLY1305_SHA256, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "
        + "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, ...; SNI payroll.corp.com (the name it wants, in the clear); key "
        + "shares X25519 (ephemeral public keys sent up front)", Story.sentence(hello));
    TlsEvent.ClientHello old = new TlsEvent.ClientHello(Side.SERVER, Direction.RECEIVED, SERVER_PEER, 120, "TLS 1.2",
        List.of(), SUITES.subList(11, 14), null, List.of(), List.of(), List.of());
    assertEquals("receives ClientHello (120 bytes): offers up to TLS 1.2; 3 cipher suites: "
        + "TLS_RSA_WITH_AES_256_GCM_SHA384, TLS_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_AES_256_CBC_SHA256; no SNI",
        Story.sentence(old));
  }

  @Test
  void theServerHelloSaysWhatTheServerPicked() {
    assertEquals("receives ServerHello (118 bytes): the server picks TLS 1.3 and cipher suite TLS_AES_128_GCM_SHA256; "
        + "key share X25519 (its ephemeral public key). Everything after this is encrypted",
        Story.sentence(new TlsEvent.ServerHello(Side.CLIENT, Direction.RECEIVED, CLIENT_PEER, 118, "TLS 1.3",
            "TLS_AES_128_GCM_SHA256", "X25519", null)));
    assertEquals("sends ServerHello (81 bytes): the server picks TLS 1.2 and cipher suite "
        + "TLS_RSA_WITH_AES_128_GCM_SHA256 (key exchange: RSA key transport: the client will encrypt a secret with the "
        + "server's public key)", Story.sentence(new TlsEvent.ServerHello(Side.SERVER, Direction.SENT, SERVER_PEER, 81,
        "TLS 1.2", "TLS_RSA_WITH_AES_128_GCM_SHA256", null, KeyExchange.RSA)));
    assertEquals("sends ServerHello (85 bytes): the server picks TLS 1.2 and cipher suite "
        + "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (key exchange: ephemeral elliptic-curve Diffie-Hellman, signed with "
        + "the certificate key)", Story.sentence(new TlsEvent.ServerHello(Side.SERVER, Direction.SENT, SERVER_PEER, 85,
        "TLS 1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", null, KeyExchange.ECDHE)));
    assertEquals("receives HelloRetryRequest: the server wants a key share for secp256r1; the client sends a second "
        + "ClientHello", Story.sentence(new TlsEvent.HelloRetryRequest(Side.CLIENT, Direction.RECEIVED, CLIENT_PEER, 88,
        "secp256r1")));
  }

  @Test
  void tls13KeyAgreementIsExplainedAgainstRsaKeyTransport() {
    String s = Story.sentence(new TlsEvent.KeyAgreement(Side.CLIENT, Direction.RECEIVED, CLIENT_PEER, Agreement.ECDHE,
        "X25519"));
    assertEquals("TLS 1.3 key agreement (ECDHE, X25519): the ClientHello carried the client's ephemeral public key and "
        + "the ServerHello the server's; each side combines its own ephemeral private key with the other's public key "
        + "and both arrive at the same shared secret, which never crosses the wire; the session keys are derived from "
        + "it. The certificate key only signs the handshake (CertificateVerify); nothing is encrypted with it. With RSA "
        + "key transport (TLS 1.2 TLS_RSA_* suites) the client encrypts the secret with the server's public key, so "
        + "anyone who later obtains the server's private key can decrypt every recorded session. Ephemeral keys are "
        + "thrown away after the handshake, so a stolen server key decrypts nothing recorded (forward secrecy): that "
        + "is why RFC 8446 removed static RSA key exchange", s);
    assertTrue(Story.sentence(new TlsEvent.KeyAgreement(Side.SERVER, Direction.SENT, SERVER_PEER,
        Agreement.HYBRID_ECDHE_ML_KEM, "X25519MLKEM768"))
        .startsWith("TLS 1.3 key agreement (hybrid ECDHE + ML-KEM (post-quantum), X25519MLKEM768): "));
  }

  @Test
  void theCertificateChainAsTheClientVerifiedItOrAsItCrossedTheWire() {
    assertEquals("the server's certificate chain, encrypted on the wire in TLS 1.3, as the client's TLS engine "
        + "decrypted and verified it: " + CHAIN, Story.sentence(new TlsEvent.Certificate(Side.CLIENT, null, CLIENT_PEER,
        null, View.ENDPOINT, List.of(LEAF, CA), 0)));
    assertEquals("the certificate chain the server sent, encrypted on the wire in TLS 1.3: " + CHAIN,
        Story.sentence(new TlsEvent.Certificate(Side.SERVER, null, SERVER_PEER, null, View.ENDPOINT,
            List.of(LEAF, CA), 0)));
    assertEquals("receives Certificate (1712 bytes, in the clear in TLS 1.2): " + CHAIN,
        Story.sentence(new TlsEvent.Certificate(Side.CLIENT, Direction.RECEIVED, CLIENT_PEER, 1712, View.WIRE,
            List.of(LEAF, CA), 0)));
    assertEquals("receives Certificate (1712 bytes, in the clear in TLS 1.2): chain of 1; [0] CN=payroll.corp.com, "
        + "issued by CN=emu lab corporate CA, valid Nov 26 09:00:00 2026 GMT to Dec 28 10:00:00 2027 GMT, names "
        + "payroll.corp.com, www.corp.com; 1 certificate(s) did not parse",
        Story.sentence(new TlsEvent.Certificate(Side.CLIENT, Direction.RECEIVED, CLIENT_PEER, 1712, View.WIRE,
            List.of(LEAF), 1)));
  }

  @Test
  void rsaKeyTransportIsTheSeedsClientEncryptsASecretWithTheServersPublicKey() {
    assertEquals("sends ClientKeyExchange (258 bytes): the client encrypts a secret with the server's public key: a "
        + "fresh 48-byte premaster secret, RSA-encrypted with the public key from the server's certificate into 256 "
        + "bytes of ciphertext. Only the server's private key can decrypt it; both sides then derive the session keys "
        + "from it. No forward secrecy: whoever later gets the server's private key can decrypt a recording of this "
        + "session", Story.sentence(new TlsEvent.RsaKeyTransport(Side.CLIENT, Direction.SENT, CLIENT_PEER, 258, 256)));
  }

  @Test
  void ephemeralKeyExchangeInTls12() {
    assertEquals("receives ServerKeyExchange (296 bytes): the server's ephemeral ECDHE public key on X25519 (32 bytes), "
        + "signed with its certificate's private key (rsa_pss_rsae_sha256)",
        Story.sentence(new TlsEvent.ServerKeyExchange(Side.CLIENT, Direction.RECEIVED, CLIENT_PEER, 296,
            KeyExchange.ECDHE, "X25519", 32, "rsa_pss_rsae_sha256")));
    assertEquals("receives ServerKeyExchange (520 bytes): the server's ephemeral DHE public key on finite-field group "
        + "(256 bytes), signed with its certificate's private key", Story.sentence(new TlsEvent.ServerKeyExchange(
        Side.CLIENT, Direction.RECEIVED, CLIENT_PEER, 520, KeyExchange.DHE, null, 256, null)));
    assertEquals("receives ServerKeyExchange (40 bytes)", Story.sentence(new TlsEvent.ServerKeyExchange(Side.CLIENT,
        Direction.RECEIVED, CLIENT_PEER, 40, KeyExchange.UNKNOWN, null, 0, null)));
    assertEquals("sends ClientKeyExchange (33 bytes): the client's ephemeral ECDHE public key (32 bytes). Each side "
        + "combines its own private key with the other's public key into the same premaster secret; the certificate "
        + "key only signed the ServerKeyExchange, so a stolen server key cannot decrypt this session later (forward "
        + "secrecy)", Story.sentence(new TlsEvent.DheKeyExchange(Side.CLIENT, Direction.SENT, CLIENT_PEER, 33,
        KeyExchange.ECDHE, 32)));
    assertEquals("receives ServerHelloDone: the server has said everything; the client now checks the certificate and "
        + "answers", Story.sentence(new TlsEvent.ServerHelloDone(Side.CLIENT, Direction.RECEIVED, CLIENT_PEER, 0)));
  }

  @Test
  void changeCipherSpecAndFinished() {
    assertEquals("sends ChangeCipherSpec (1 byte): a dummy in TLS 1.3, sent only so that middleboxes see a familiar "
        + "shape (RFC 8446 appendix D.4); it changes nothing", Story.sentence(new TlsEvent.ChangeCipherSpec(Side.SERVER,
        Direction.SENT, SERVER_PEER, 1, true)));
    assertEquals("receives ChangeCipherSpec: from the next record on, the client encrypts with the new session keys",
        Story.sentence(new TlsEvent.ChangeCipherSpec(Side.SERVER, Direction.RECEIVED, SERVER_PEER, 1, false)));
    assertEquals("receives ChangeCipherSpec: from the next record on, the server encrypts with the new session keys",
        Story.sentence(new TlsEvent.ChangeCipherSpec(Side.CLIENT, Direction.RECEIVED, CLIENT_PEER, 1, false)));
    assertEquals("sends the client's Finished (encrypted, 53 bytes): a MAC over the whole handshake, proving the client "
        + "derived the same keys and saw the same messages", Story.sentence(new TlsEvent.Finished(Side.CLIENT,
        Direction.SENT, CLIENT_PEER, 53, true)));
    assertEquals("receives Finished (encrypted, 40 bytes): a MAC over the whole handshake under the new keys; it proves "
        + "both sides derived the same keys and saw the same messages", Story.sentence(new TlsEvent.Finished(
        Side.SERVER, Direction.RECEIVED, SERVER_PEER, 40, false)));
  }

  @Test
  void tls13EncryptedHandshakeRecords() {
    assertEquals("receives an encrypted handshake record (23 bytes): in TLS 1.3 the server's EncryptedExtensions, "
        + "Certificate, CertificateVerify and Finished travel encrypted under keys from the key exchange, so an "
        + "observer on the wire cannot see the certificate", Story.sentence(new TlsEvent.EncryptedHandshake(Side.CLIENT,
        Direction.RECEIVED, CLIENT_PEER, 23, 1)));
    assertEquals("sends another encrypted handshake record from the server (1746 bytes)",
        Story.sentence(new TlsEvent.EncryptedHandshake(Side.SERVER, Direction.SENT, SERVER_PEER, 1746, 2)));
    assertEquals("sends an encrypted handshake record from the client (53 bytes)",
        Story.sentence(new TlsEvent.EncryptedHandshake(Side.CLIENT, Direction.SENT, CLIENT_PEER, 53, 1)));
  }

  @Test
  void aRefusedCertificateEndsInAnEncryptedAlertThatOnlyTheEndpointsCanRead() {
    assertEquals("the TLS handshake failed at the client: certificate is not trusted (issuer CN=emu impostor CA is not "
        + "the lab CA)", Story.sentence(new TlsEvent.HandshakeFailed(Side.CLIENT, CLIENT_PEER, Failure.CERTIFICATE,
        "certificate_unknown", "certificate is not trusted (issuer CN=emu impostor CA is not the lab CA)")));
    assertEquals("sends an encrypted alert (19 bytes): the client refuses the handshake; in TLS 1.3 even the alert is "
        + "encrypted, so only the endpoints know which one it is", Story.sentence(new TlsEvent.EncryptedAlert(
        Side.CLIENT, Direction.SENT, CLIENT_PEER, 19, EncryptedAlertReason.HANDSHAKE_REFUSED)));
    assertEquals("receives an encrypted alert (19 bytes): the client refuses the handshake; in TLS 1.3 even the alert is "
        + "encrypted, so only the endpoints know which one it is", Story.sentence(new TlsEvent.EncryptedAlert(
        Side.SERVER, Direction.RECEIVED, SERVER_PEER, 19, EncryptedAlertReason.HANDSHAKE_REFUSED)));
    assertEquals("sends an encrypted alert (26 bytes; after the handshake it is normally close_notify, the polite end "
        + "of the connection)", Story.sentence(new TlsEvent.EncryptedAlert(Side.CLIENT, Direction.SENT, CLIENT_PEER, 26,
        EncryptedAlertReason.ALERT_RECORD)));
    assertEquals("receives a fatal alert: certificate_unknown (in the clear; the connection ends)",
        Story.sentence(new TlsEvent.Alert(Side.SERVER, Direction.RECEIVED, SERVER_PEER, 2, "fatal",
            "certificate_unknown")));
    assertEquals("sends a warning alert: close_notify (in the clear)", Story.sentence(new TlsEvent.Alert(Side.SERVER,
        Direction.SENT, SERVER_PEER, 2, "warning", "close_notify")));
  }

  @Test
  void applicationDataRecordsShowOnlyTheirLength() {
    assertEquals("sends an application data record: 101 bytes, encrypted; only its length is visible on the wire (TLS "
        + "1.3 hides the true content type inside the encryption)", Story.sentence(new TlsEvent.ApplicationData(
        Side.CLIENT, Direction.SENT, CLIENT_PEER, 101, true, 1, false)));
    assertEquals("receives an application data record: 104 bytes, encrypted; only its length is visible on the wire. "
        + "Further records this way are counted, not narrated", Story.sentence(new TlsEvent.ApplicationData(
        Side.SERVER, Direction.RECEIVED, SERVER_PEER, 104, false, 8, true)));
    assertEquals("handshake complete (client's view): TLSv1.3 with TLS_AES_128_GCM_SHA256; application data is now "
        + "encrypted with the session keys", Story.sentence(new TlsEvent.HandshakeDone(Side.CLIENT, CLIENT_PEER,
        "TLSv1.3", "TLS_AES_128_GCM_SHA256")));
    assertEquals("connection closed: 12 application data records sent (9000 bytes), 3 received (300 bytes)",
        Story.sentence(new TlsEvent.Summary(Side.SERVER, SERVER_PEER, 14, 5, 12, 9000, 3, 300, 0)));
    assertEquals("connection closed: 0 application data records sent (0 bytes), 0 received (0 bytes); 1 direction(s) "
        + "were not TLS", Story.sentence(new TlsEvent.Summary(Side.SERVER, SERVER_PEER, 0, 0, 0, 0, 0, 0, 1)));
  }

  @Test
  void whatIsNotTlsIsSaidWithItsFirstBytes() {
    assertEquals("receives something that is not valid TLS: content type 71 is not a TLS record type (first bytes: "
        + "\"GET /\"); stops following the incoming stream", Story.sentence(new TlsEvent.Malformed(Side.SERVER,
        Direction.RECEIVED, SERVER_PEER, MalformedCause.CONTENT_TYPE, 71, "\"GET /\"", null, null)));
    assertEquals("receives something that is not valid TLS: record version 0x0203 is not TLS (first bytes: 16 02 03 00 "
        + "05); stops following the incoming stream", Story.sentence(new TlsEvent.Malformed(Side.SERVER,
        Direction.RECEIVED, SERVER_PEER, MalformedCause.RECORD_VERSION, 0x0203, "16 02 03 00 05", null, null)));
    assertEquals("receives something that is not valid TLS: record length 65535 exceeds 2^14 + 2048 (first bytes: 17 03 "
        + "03 ff ff); stops following the incoming stream", Story.sentence(new TlsEvent.Malformed(Side.SERVER,
        Direction.RECEIVED, SERVER_PEER, MalformedCause.RECORD_LENGTH, 65535, "17 03 03 ff ff", null, null)));
    assertEquals("sends something that is not valid TLS: handshake message of 16777215 bytes is beyond what the narrator "
        + "follows; stops following the outgoing stream", Story.sentence(new TlsEvent.Malformed(Side.CLIENT,
        Direction.SENT, CLIENT_PEER, MalformedCause.HANDSHAKE_LENGTH, 16777215, null, null, null)));
    assertEquals("receives something that is not valid TLS: a client_hello that does not parse (truncated: needs 32 "
        + "bytes, has 2); stops following the incoming stream", Story.sentence(new TlsEvent.Malformed(Side.SERVER,
        Direction.RECEIVED, SERVER_PEER, MalformedCause.HANDSHAKE_MESSAGE, 0, null, "client_hello",
        "truncated: needs 32 bytes, has 2")));
    assertEquals("the TLS handshake failed at the server: fatal alert decode_error",
        Story.sentence(new TlsEvent.HandshakeFailed(Side.SERVER, SERVER_PEER, Failure.ALERT_SENT, "decode_error",
            "fatal alert decode_error")));
  }

  @Test
  void otherMessagesAndRecords() {
    assertEquals("receives NewSessionTicket (186 bytes): a ticket to resume this session later without a full "
        + "handshake", Story.sentence(new TlsEvent.NewSessionTicket(Side.CLIENT, Direction.RECEIVED, CLIENT_PEER, 186)));
    assertEquals("receives CertificateRequest: the server asks the client for a certificate of its own",
        Story.sentence(new TlsEvent.CertificateRequest(Side.CLIENT, Direction.RECEIVED, CLIENT_PEER, 40)));
    assertEquals("receives certificate_status (470 bytes)", Story.sentence(new TlsEvent.OtherHandshake(Side.CLIENT,
        Direction.RECEIVED, CLIENT_PEER, 470, 22, "certificate_status")));
    assertEquals("sends heartbeat record, 19 bytes", Story.sentence(new TlsEvent.OtherRecord(Side.CLIENT,
        Direction.SENT, CLIENT_PEER, 19, 24)));
  }
}
