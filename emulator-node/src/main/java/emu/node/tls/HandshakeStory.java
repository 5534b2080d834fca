package emu.node.tls;

import emu.node.tls.TlsHandshakeMessages.ClientHello;
import emu.node.tls.TlsHandshakeMessages.ServerHello;
import emu.node.tls.TlsHandshakeMessages.ServerKeyExchange;
import emu.node.trace.ProseEvent;
import java.io.ByteArrayInputStream;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sentences and fields of the narrator's handshake events: what each plaintext message
 * says, in words a reader of the narrative can follow, with the real values. Stateless; the
 * {@link TlsNarrator} decides when to tell what. {@code verb} is "sends" or "receives".
 */
final class HandshakeStory {
  static final int SHOWN_SUITES = 6;

  private HandshakeStory() {}

  static ProseEvent clientHello(ProseEvent e, String verb, ClientHello h, int len) {
    List<String> suites = h.cipherSuites().stream().filter(s -> !TlsNames.isGrease(s)).map(TlsNames::cipherSuite)
        .toList();
    List<String> versions = h.supportedVersions().stream().filter(v -> !TlsNames.isGrease(v)).map(TlsNames::version)
        .toList();
    List<String> shares = h.keyShareGroups().stream().filter(g -> !TlsNames.isGrease(g)).map(TlsNames::group).toList();
    List<String> groups = h.supportedGroups().stream().filter(g -> !TlsNames.isGrease(g)).map(TlsNames::group)
        .toList();
    StringBuilder m = new StringBuilder(verb).append(" ClientHello (").append(len).append(" bytes): ");
    if (versions.isEmpty()) {
      m.append("offers up to ").append(TlsNames.version(h.legacyVersion()));
    } else {
      m.append("offers ").append(String.join(", ", versions)).append(" (supported_versions; the legacy version field "
          + "says ").append(TlsNames.version(h.legacyVersion())).append(" as RFC 8446 requires)");
    }
    m.append("; ").append(suites.size()).append(" cipher suites: ")
        .append(String.join(", ", suites.subList(0, Math.min(SHOWN_SUITES, suites.size()))))
        .append(suites.size() > SHOWN_SUITES ? ", ..." : "");
    m.append(h.sni() != null ? "; SNI " + h.sni() + " (the name it wants, in the clear)" : "; no SNI");
    if (!shares.isEmpty()) {
      m.append("; key shares ").append(String.join(", ", shares)).append(" (ephemeral public keys sent up front)");
    }
    return e.put("legacy_version", TlsNames.version(h.legacyVersion())).put("supported_versions", versions)
        .put("cipher_suites", suites).put("sni", h.sni()).put("key_share_groups", shares)
        .put("supported_groups", groups).put("alpn", h.alpn()).msg(m.toString());
  }

  /** A ServerHello (not a HelloRetryRequest). */
  static ProseEvent serverHello(ProseEvent e, String verb, ServerHello h, int len) {
    String suite = TlsNames.cipherSuite(h.cipherSuite());
    boolean tls13 = h.version() == 0x0304;
    String group = h.keyShareGroup() >= 0 ? TlsNames.group(h.keyShareGroup()) : null;
    return e.put("version", TlsNames.version(h.version())).put("cipher_suite", suite).put("key_share_group", group)
        .msg(verb + " ServerHello (" + len + " bytes): the server picks " + TlsNames.version(h.version())
            + " and cipher suite " + suite
            + (tls13 ? "; key share " + group + " (its ephemeral public key). Everything after this is encrypted"
                : " (key exchange: " + keyExchangeWords(TlsNames.keyExchange(suite)) + ")"));
  }

  private static String keyExchangeWords(String kx) {
    return switch (kx) {
      case "RSA" -> "RSA key transport: the client will encrypt a secret with the server's public key";
      case "ECDHE" -> "ephemeral elliptic-curve Diffie-Hellman, signed with the certificate key";
      case "DHE" -> "ephemeral Diffie-Hellman, signed with the certificate key";
      default -> "unknown";
    };
  }

  /** The one TLS 1.3 event that explains (EC)DHE key agreement against RSA key transport. */
  static ProseEvent keyAgreement13(ProseEvent e, int groupCode) {
    String group = groupCode >= 0 ? TlsNames.group(groupCode) : "?";
    String kind = TlsNames.groupKind(groupCode);
    return e.put("mode", kind).put("group", group).put("version", "TLS 1.3")
        .msg("TLS 1.3 key agreement (" + kind + ", " + group + "): the ClientHello carried the client's ephemeral "
            + "public key and the ServerHello the server's; each side combines its own ephemeral private key with "
            + "the other's public key and both arrive at the same shared secret, which never crosses the wire; the "
            + "session keys are derived from it. The certificate key only signs the handshake (CertificateVerify); "
            + "nothing is encrypted with it. With RSA key transport (TLS 1.2 TLS_RSA_* suites) the client encrypts "
            + "the secret with the server's public key, so anyone who later obtains the server's private key can "
            + "decrypt every recorded session. Ephemeral keys are thrown away after the handshake, so a stolen "
            + "server key decrypts nothing recorded (forward secrecy): that is why RFC 8446 removed static RSA key "
            + "exchange");
  }

  /** TLS 1.2 Certificate, read off the wire (it travels in the clear). */
  static ProseEvent certificate12(ProseEvent e, String verb, List<byte[]> ders, int len) {
    List<X509Certificate> chain = new ArrayList<>();
    int unparsed = 0;
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (byte[] der : ders) {
        try {
          chain.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
        } catch (Exception ex) {
          unparsed++;
        }
      }
    } catch (Exception ex) {
      unparsed = ders.size();
    }
    return e.put("view", "wire").put("chain", chainFields(chain))
        .msg(verb + " Certificate (" + len + " bytes, in the clear in TLS 1.2): " + describeChain(chain)
            + (unparsed > 0 ? "; " + unparsed + " certificate(s) did not parse" : ""));
  }

  static ProseEvent serverKeyExchange(ProseEvent e, String verb, ServerKeyExchange s, String kx, int len) {
    String group = s.group() >= 0 ? TlsNames.group(s.group()) : "finite-field group";
    String sig = s.signatureScheme() >= 0 ? TlsNames.signatureScheme(s.signatureScheme()) : null;
    return e.put("mode", kx).put("group", group).put("public_key_bytes", s.publicKeyBytes()).put("signature", sig)
        .msg(verb + " ServerKeyExchange (" + len + " bytes): the server's ephemeral " + kx + " public key on "
            + group + " (" + s.publicKeyBytes() + " bytes), signed with its certificate's private key"
            + (sig != null ? " (" + sig + ")" : ""));
  }

  /** TLS 1.2 ClientKeyExchange; {@code n} is the size of the encrypted secret or public key. */
  static ProseEvent clientKeyExchange(ProseEvent e, String verb, String kx, int n, int len) {
    e.put("mode", kx).put("version", "TLS 1.2");
    if ("RSA".equals(kx)) {
      return e.put("encrypted_bytes", n).msg(verb + " ClientKeyExchange (" + len + " bytes): the client encrypts a "
          + "secret with the server's public key: a fresh 48-byte premaster secret, RSA-encrypted with the public "
          + "key from the server's certificate into " + n + " bytes of ciphertext. Only the server's private key "
          + "can decrypt it; both sides then derive the session keys from it. No forward secrecy: whoever later "
          + "gets the server's private key can decrypt a recording of this session");
    }
    return e.put("public_key_bytes", n).msg(verb + " ClientKeyExchange (" + len + " bytes): the client's ephemeral "
        + kx + " public key (" + n + " bytes). Each side combines its own private key with the other's public "
        + "key into the same premaster secret; the certificate key only signed the ServerKeyExchange, so a "
        + "stolen server key cannot decrypt this session later (forward secrecy)");
  }

  static String describeChain(List<X509Certificate> chain) {
    if (chain.isEmpty()) {
      return "no certificates";
    }
    StringBuilder sb = new StringBuilder("chain of ").append(chain.size());
    for (int i = 0; i < chain.size(); i++) {
      sb.append("; [").append(i).append("] ").append(Certificates.oneLine(chain.get(i)));
    }
    return sb.toString();
  }

  static List<Map<String, Object>> chainFields(List<X509Certificate> chain) {
    return chain.stream().map(Certificates::fields).toList();
  }

  static List<X509Certificate> x509(Certificate[] certs) {
    List<X509Certificate> out = new ArrayList<>();
    if (certs != null) {
      for (Certificate c : certs) {
        if (c instanceof X509Certificate x) {
          out.add(x);
        }
      }
    }
    return out;
  }
}
