package emu.node.tls;

import emu.node.config.HttpsConfig;
import emu.node.wire.Ipv4Address;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * Netty {@link SslContext}s for the lab's HTTPS servers and clients, on Netty's JDK engine
 * with the JSSE provider chosen: Bouncy Castle JSSE by default (as conventions.md says:
 * {@code sslProvider(SslProvider.JDK).sslContextProvider(new BouncyCastleJsseProvider())}), or
 * the JDK's own ("jdk").
 *
 * <p>Versions ({@code HttpsConfig.tls}, {@code https-get --tls}):
 * <ul>
 *   <li>"1.3" (servers' default): TLS 1.3 only; (EC)DHE key agreement, always.
 *   <li>"1.2": TLS 1.2 only; servers offer ECDHE suites only (forward secrecy), clients ECDHE and
 *       RSA key transport.
 *   <li>"1.2-rsa": TLS 1.2 with RSA key transport suites only (TLS_RSA_WITH_AES_128_GCM_SHA256...):
 *       the seed's "the client encrypts a session key with the server's public key". Needs an
 *       RSA certificate.
 *   <li>null/"auto" (clients' default): TLS 1.3 and 1.2, every suite above, as a browser offers.
 * </ul>
 *
 * <p>Clients check the chain against the given CA certificates and the host name: handlers come
 * from {@link Client#newHandler}, which passes the host to the engine, sets the endpoint
 * identification algorithm to HTTPS and sends the host as SNI.
 */
public final class TlsContexts {
  /** The TLS versions and cipher suites on offer. */
  public enum Version {
    AUTO, TLS13, TLS12, TLS12_RSA;

    /** "1.3", "1.2", "1.2-rsa", or null/"auto"; anything else is an {@link IllegalArgumentException}. */
    public static Version parse(String s) {
      if (s == null || s.isEmpty() || s.equalsIgnoreCase("auto")) {
        return AUTO;
      }
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "1.3", "tls1.3", "tlsv1.3" -> TLS13;
        case "1.2", "tls1.2", "tlsv1.2" -> TLS12;
        case "1.2-rsa", "rsa" -> TLS12_RSA;
        default -> throw new IllegalArgumentException("unknown TLS version '" + s + "' (1.3, 1.2 or 1.2-rsa)");
      };
    }

    List<String> protocols() {
      return switch (this) {
        case AUTO -> List.of("TLSv1.3", "TLSv1.2");
        case TLS13 -> List.of("TLSv1.3");
        case TLS12, TLS12_RSA -> List.of("TLSv1.2");
      };
    }

    List<String> suites(boolean server) {
      return switch (this) {
        case AUTO -> concat(TLS13_SUITES, ECDHE_SUITES, RSA_SUITES);
        case TLS13 -> TLS13_SUITES;
        case TLS12 -> server ? ECDHE_SUITES : concat(ECDHE_SUITES, RSA_SUITES);
        case TLS12_RSA -> RSA_SUITES;
      };
    }
  }

  /** Which JSSE implementation does the TLS. */
  public enum Provider {
    BC, JDK;

    /** "bc" (or null) or "jdk". */
    public static Provider parse(String s) {
      if (s == null || s.isEmpty() || s.equalsIgnoreCase("bc") || s.equalsIgnoreCase("bcjsse")) {
        return BC;
      }
      if (s.equalsIgnoreCase("jdk") || s.equalsIgnoreCase("sunjsse")) {
        return JDK;
      }
      throw new IllegalArgumentException("unknown TLS provider '" + s + "' (bc or jdk)");
    }

    /** The JSSE provider, or null for the JDK's default. */
    java.security.Provider jsse() {
      return this == BC ? bouncyCastleJsse() : null;
    }

    public String displayName() {
      return this == BC ? "Bouncy Castle JSSE" : "JDK SunJSSE";
    }
  }

  static final List<String> TLS13_SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256");
  static final List<String> ECDHE_SUITES = List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
  static final List<String> RSA_SUITES = List.of("TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA");

  private static java.security.Provider bcJsse;
  /** Held so that the level set on it stays (java.util.logging keeps loggers weakly). */
  private static java.util.logging.Logger bcJsseLog;

  private TlsContexts() {}

  /**
   * The one Bouncy Castle JSSE provider instance, made on first use. Its crypto goes through
   * the JCA (the JDK's providers first); it asks the JCA for a "DEFAULT" SecureRandom, which only
   * the Bouncy Castle JCA provider has, so that provider is registered too, at the lowest
   * priority, where it serves only what no JDK provider offers. BC JSSE's own log (connections
   * and alerts at INFO) is turned down to SEVERE unless a level was configured.
   */
  public static synchronized java.security.Provider bouncyCastleJsse() {
    if (bcJsse == null) {
      if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
        Security.addProvider(new BouncyCastleProvider());
      }
      // BC JSSE logs every connection and alert at INFO on stderr; the narrator tells that story
      // in the trace instead. A level configured explicitly (logging.properties) is left alone.
      bcJsseLog = java.util.logging.Logger.getLogger("org.bouncycastle.jsse");
      if (bcJsseLog.getLevel() == null) {
        bcJsseLog.setLevel(java.util.logging.Level.SEVERE);
      }
      bcJsse = new BouncyCastleJsseProvider();
    }
    return bcJsse;
  }

  // ---- servers ----

  /** The server context of a node's HTTPS service. */
  public static SslContext server(HttpsConfig cfg) {
    return server(cfg.keyPem(), cfg.certChainPem(), cfg.tls(), cfg.provider());
  }

  /**
   * A server context from a PKCS#8 key and a chain (leaf first), both PEM. Bad PEM, a key that
   * does not fit the mode or a mode the provider cannot do are {@link IllegalArgumentException}s.
   */
  public static SslContext server(String keyPem, String certChainPem, String tls, String provider) {
    Version v = Version.parse(tls == null ? "1.3" : tls);
    Provider p = Provider.parse(provider);
    PrivateKey key = Pem.privateKey(keyPem);
    List<X509Certificate> chain = Pem.certificates(certChainPem);
    if (v == Version.TLS12_RSA && !"RSA".equals(chain.get(0).getPublicKey().getAlgorithm())) {
      throw new IllegalArgumentException("TLS 1.2 RSA key transport needs an RSA certificate, not "
          + chain.get(0).getPublicKey().getAlgorithm());
    }
    SslContextBuilder b = SslContextBuilder.forServer(keyManagers(key, chain, p));
    return build(b, v, p, true);
  }

  /**
   * The provider's own key manager over the key and chain. Bouncy Castle's matters: it knows the
   * key types BC asks for per key exchange (an RSA key for RSA key transport), which the JDK's
   * default SunX509 one, Netty's choice otherwise, does not.
   */
  private static KeyManagerFactory keyManagers(PrivateKey key, List<X509Certificate> chain, Provider p) {
    try {
      char[] password = "emu".toCharArray();
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("server", key, password, chain.toArray(X509Certificate[]::new));
      KeyManagerFactory kmf = p == Provider.BC
          ? KeyManagerFactory.getInstance("PKIX", bouncyCastleJsse())
          : KeyManagerFactory.getInstance("PKIX");
      kmf.init(ks, password);
      return kmf;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalArgumentException("cannot use the server key and certificate: " + e.getMessage(), e);
    }
  }

  // ---- clients ----

  /**
   * A client context and the check that explains refusals. Meant for one connection at a time
   * (the check keeps the last verdict).
   */
  public record Client(SslContext context, ServerCertificateCheck check, Version version, Provider provider) {
    /**
     * A handler for a connection to {@code host}: the engine knows the peer (for host-name
     * verification, endpoint identification HTTPS) and sends the host as SNI unless it is an
     * address literal (RFC 6066 3).
     */
    public SslHandler newHandler(ByteBufAllocator alloc, String host, int port) {
      SslHandler h = context.newHandler(alloc, host, port);
      SSLEngine e = h.engine();
      SSLParameters params = e.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      if (!isAddressLiteral(host)) {
        params.setServerNames(List.of(new SNIHostName(host)));
      }
      e.setSSLParameters(params);
      return h;
    }
  }

  /** A client trusting the CA certificates in {@code trustPem} ("the lab CA" in messages). */
  public static Client client(String trustPem, String tls, String provider) {
    return client(Pem.certificates(trustPem), "the lab CA", Version.parse(tls), Provider.parse(provider));
  }

  /** A client trusting {@code trust}; {@code trustedLabel} names them in refusals. */
  public static Client client(List<X509Certificate> trust, String trustedLabel, Version v, Provider p) {
    if (trust.isEmpty()) {
      throw new IllegalArgumentException("a TLS client needs at least one trusted CA certificate");
    }
    X509ExtendedTrustManager pkix = pkixTrustManager(trust, p);
    ServerCertificateCheck check = new ServerCertificateCheck(pkix, trust, trustedLabel, Clock.systemUTC());
    SslContextBuilder b = SslContextBuilder.forClient().trustManager(check).endpointIdentificationAlgorithm("HTTPS");
    return new Client(build(b, v, p, false), check, v, p);
  }

  private static X509ExtendedTrustManager pkixTrustManager(List<X509Certificate> trust, Provider p) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      for (int i = 0; i < trust.size(); i++) {
        ks.setCertificateEntry("ca" + i, trust.get(i));
      }
      TrustManagerFactory tmf = p == Provider.BC
          ? TrustManagerFactory.getInstance("PKIX", bouncyCastleJsse())
          : TrustManagerFactory.getInstance("PKIX");
      tmf.init(ks);
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager x) {
          return x;
        }
      }
      throw new IllegalStateException(p.displayName() + " has no X509ExtendedTrustManager");
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot make a trust manager: " + e.getMessage(), e);
    }
  }

  // ---- both ----

  private static SslContext build(SslContextBuilder b, Version v, Provider p, boolean server) {
    b.sslProvider(SslProvider.JDK).protocols(v.protocols()).ciphers(v.suites(server), SupportedCipherSuiteFilter.INSTANCE);
    if (p.jsse() != null) {
      b.sslContextProvider(p.jsse());
    }
    SslContext ctx;
    try {
      ctx = b.build();
    } catch (SSLException | RuntimeException e) {
      throw new IllegalArgumentException(p.displayName() + " cannot make a TLS " + v + " context: " + e.getMessage(), e);
    }
    // A provider or java.security policy may refuse a whole mode (e.g. jdk.tls.disabledAlgorithms
    // listing TLS_RSA_*): say so now rather than at the first handshake.
    List<String> enabled = Arrays.asList(ctx.newEngine(UnpooledByteBufAllocator.DEFAULT).getEnabledCipherSuites());
    List<String> wanted = new ArrayList<>(v.suites(server));
    wanted.retainAll(enabled);
    if (wanted.isEmpty()) {
      throw new IllegalArgumentException(p.displayName() + " enables none of the cipher suites of TLS mode " + v
          + " " + v.suites(server) + " (a java.security jdk.tls.disabledAlgorithms entry?)");
    }
    return ctx;
  }

  static boolean isAddressLiteral(String host) {
    return Ipv4Address.isValid(host) || host.indexOf(':') >= 0;
  }

  @SafeVarargs
  private static List<String> concat(List<String>... lists) {
    List<String> out = new ArrayList<>();
    for (List<String> l : lists) {
      out.addAll(l);
    }
    return List.copyOf(out);
  }
}
