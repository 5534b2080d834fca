package emu.node.tls;

import emu.node.event.TlsEvent;
import emu.node.event.TlsEvent.CertificateInfo;
import emu.node.event.TlsEvent.Direction;
import emu.node.event.TlsEvent.KeyExchange;
import emu.node.event.TlsEvent.Side;
import emu.node.event.TlsEvent.View;
import emu.node.tls.TlsHandshakeMessages.ClientHello;
import emu.node.tls.TlsHandshakeMessages.ServerHello;
import emu.node.tls.TlsHandshakeMessages.ServerKeyExchange;
import java.io.ByteArrayInputStream;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * The facts of the narrator's handshake events: the parsed plaintext messages turned into event
 * records with names instead of numbers (GREASE left out of lists). Stateless; the
 * {@link TlsNarrator} decides when to report what, and the control plane's renderer tells it.
 */
final class HandshakeFacts {
  private HandshakeFacts() {}

  static TlsEvent.ClientHello clientHello(Side side, Direction dir, String peer, ClientHello h, int len) {
    List<String> suites = h.cipherSuites().stream().filter(s -> !TlsNames.isGrease(s)).map(TlsNames::cipherSuite)
        .toList();
    List<String> versions = h.supportedVersions().stream().filter(v -> !TlsNames.isGrease(v)).map(TlsNames::version)
        .toList();
    List<String> shares = h.keyShareGroups().stream().filter(g -> !TlsNames.isGrease(g)).map(TlsNames::group).toList();
    List<String> groups = h.supportedGroups().stream().filter(g -> !TlsNames.isGrease(g)).map(TlsNames::group)
        .toList();
    return new TlsEvent.ClientHello(side, dir, peer, len, TlsNames.version(h.legacyVersion()), versions, suites,
        h.sni(), shares, groups, h.alpn());
  }

  /** A ServerHello (not a HelloRetryRequest). */
  static TlsEvent.ServerHello serverHello(Side side, Direction dir, String peer, ServerHello h, int len) {
    String suite = TlsNames.cipherSuite(h.cipherSuite());
    boolean tls13 = h.version() == 0x0304;
    String group = h.keyShareGroup() >= 0 ? TlsNames.group(h.keyShareGroup()) : null;
    return new TlsEvent.ServerHello(side, dir, peer, len, TlsNames.version(h.version()), suite, group,
        tls13 ? null : TlsNames.keyExchange(suite));
  }

  /** TLS 1.3 (EC)DHE key agreement on the ServerHello's group ({@code groupCode} -1: none named). */
  static TlsEvent.KeyAgreement keyAgreement13(Side side, Direction dir, String peer, int groupCode) {
    return new TlsEvent.KeyAgreement(side, dir, peer, TlsNames.groupKind(groupCode),
        groupCode >= 0 ? TlsNames.group(groupCode) : null);
  }

  /** TLS 1.2 Certificate, read off the wire (it travels in the clear). */
  static TlsEvent.Certificate certificate12(Side side, Direction dir, String peer, List<byte[]> ders, int len) {
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
    return new TlsEvent.Certificate(side, dir, peer, len, View.WIRE, chain(chain), unparsed);
  }

  /** The chain an endpoint holds once the handshake is over (TLS 1.3, where the wire hides it). */
  static TlsEvent.Certificate endpointCertificates(Side side, String peer, Certificate[] certs) {
    return new TlsEvent.Certificate(side, null, peer, null, View.ENDPOINT, chain(x509(certs)), 0);
  }

  static TlsEvent.ServerKeyExchange serverKeyExchange(Side side, Direction dir, String peer, ServerKeyExchange s,
                                                      KeyExchange kx, int len) {
    String group = s.group() >= 0 ? TlsNames.group(s.group()) : null;
    String sig = s.signatureScheme() >= 0 ? TlsNames.signatureScheme(s.signatureScheme()) : null;
    return new TlsEvent.ServerKeyExchange(side, dir, peer, len, kx, group, s.publicKeyBytes(), sig);
  }

  /** TLS 1.2 ClientKeyExchange; {@code n} is the size of the encrypted secret or public key. */
  static TlsEvent clientKeyExchange(Side side, Direction dir, String peer, KeyExchange kx, int n, int len) {
    if (kx == KeyExchange.RSA) {
      return new TlsEvent.RsaKeyTransport(side, dir, peer, len, n);
    }
    return new TlsEvent.DheKeyExchange(side, dir, peer, len, kx, n);
  }

  private static List<CertificateInfo> chain(List<X509Certificate> chain) {
    return chain.stream().map(Certificates::info).toList();
  }

  private static List<X509Certificate> x509(Certificate[] certs) {
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
