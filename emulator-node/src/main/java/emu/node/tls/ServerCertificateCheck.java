package emu.node.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A client's trust manager: the TLS provider's own PKIX trust manager does the checking
 * (chain to a trusted CA, validity, and the host name when the engine's endpoint
 * identification algorithm is HTTPS); this wrapper keeps the chain the server presented and,
 * when the provider refuses it, says in plain words why: which of "not trusted", "expired",
 * "self-signed" or "host name does not match" it was, naming the issuer, the date or the names.
 *
 * <p>The last verdict is kept for the caller to print, so use one instance per connection
 * (TlsContexts makes one per client context).
 */
public final class ServerCertificateCheck extends X509ExtendedTrustManager {
  private final X509ExtendedTrustManager provider;
  private final List<X509Certificate> anchors;
  private final String trustedLabel;
  private final Clock clock;
  private volatile List<X509Certificate> presented = List.of();
  private volatile String rejection;

  /**
   * @param provider the TLS provider's PKIX trust manager over {@code anchors}
   * @param trustedLabel how the anchors are named in messages, e.g. "the lab CA"
   */
  public ServerCertificateCheck(X509ExtendedTrustManager provider, List<X509Certificate> anchors,
                                String trustedLabel, Clock clock) {
    this.provider = provider;
    this.anchors = List.copyOf(anchors);
    this.trustedLabel = trustedLabel;
    this.clock = clock;
  }

  /** The chain the server presented in the last handshake (leaf first), empty before one. */
  public List<X509Certificate> presented() {
    return presented;
  }

  /** How the trusted CAs are named in messages ("the lab CA"). */
  public String trustedLabel() {
    return trustedLabel;
  }

  /** Why the last chain was refused, in plain words; null if it was accepted (or none was seen). */
  public String rejection() {
    return rejection;
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    seen(chain);
    try {
      provider.checkServerTrusted(chain, authType, engine);
    } catch (CertificateException e) {
      throw refuse(chain, engine == null ? null : engine.getPeerHost(), e);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    seen(chain);
    try {
      provider.checkServerTrusted(chain, authType, socket);
    } catch (CertificateException e) {
      throw refuse(chain, null, e);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    seen(chain);
    try {
      provider.checkServerTrusted(chain, authType);
    } catch (CertificateException e) {
      throw refuse(chain, null, e);
    }
  }

  private void seen(X509Certificate[] chain) {
    presented = chain == null ? List.of() : List.of(chain);
    rejection = null;
  }

  private CertificateException refuse(X509Certificate[] chain, String host, CertificateException e) {
    String why = explain(chain == null ? List.of() : List.of(chain), anchors, trustedLabel, host, clock.instant());
    rejection = why != null ? why : "certificate rejected: " + (e.getMessage() != null ? e.getMessage() : e.toString());
    return new CertificateException(rejection, e);
  }

  /**
   * Why a chain the provider refused would be refused, or null if none of the usual reasons
   * applies. Order: not chained to a trusted CA (self-signed or another issuer), then validity,
   * then the host name.
   */
  public static String explain(List<X509Certificate> chain, List<X509Certificate> anchors, String trustedLabel,
                               String host, Instant now) {
    if (chain.isEmpty()) {
      return "the server sent no certificate";
    }
    X509Certificate leaf = chain.get(0);
    if (!chainsToAnchor(chain, anchors)) {
      if (Certificates.isSelfSigned(leaf)) {
        return "certificate is not trusted: it is self-signed (" + Certificates.subject(leaf)
            + " signed its own certificate), not issued by " + trustedLabel;
      }
      return "certificate is not trusted (issuer " + Certificates.issuer(leaf) + " is not " + trustedLabel + ")";
    }
    for (X509Certificate c : chain) {
      if (anchors.contains(c) && c != leaf) {
        break;
      }
      if (now.isAfter(c.getNotAfter().toInstant())) {
        return "certificate expired on " + Certificates.notAfter(c)
            + (c == leaf ? "" : " (" + Certificates.subject(c) + ")");
      }
      if (now.isBefore(c.getNotBefore().toInstant())) {
        return "certificate is not valid until " + Certificates.notBefore(c)
            + (c == leaf ? "" : " (" + Certificates.subject(c) + ")");
      }
    }
    if (host != null && !host.isEmpty() && !Certificates.matchesHost(leaf, host)) {
      return "host name " + host + " does not match the certificate (names: "
          + String.join(", ", Certificates.names(leaf)) + ")";
    }
    return null;
  }

  /** True if some certificate of the chain is a trusted CA or was signed by one. */
  static boolean chainsToAnchor(List<X509Certificate> chain, List<X509Certificate> anchors) {
    for (int i = 0; i < chain.size(); i++) {
      X509Certificate c = chain.get(i);
      if (i > 0 && !Certificates.signedBy(chain.get(i - 1), c)) {
        return false; // the chain is broken before it reaches a trusted CA
      }
      for (X509Certificate a : anchors) {
        if (a.equals(c) || Certificates.signedBy(c, a)) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    provider.checkClientTrusted(chain, authType, engine);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    provider.checkClientTrusted(chain, authType, socket);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    provider.checkClientTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return provider.getAcceptedIssuers();
  }
}
