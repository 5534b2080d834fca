package emu.node.tls;

import emu.node.wire.Ipv4Address;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The lab's public-key infrastructure, made with Bouncy Castle when a lab starts: a corporate
 * CA that every node's TLS clients trust, and server certificates it signs for the names a
 * node serves. For tests and demonstrations it also makes the certificates a client must
 * refuse: one from another CA (a man in the middle answering for the name), an expired one,
 * a self-signed one.
 *
 * <pre>{@code
 * LabPki.Ca ca = LabPki.newCa("emu lab corporate CA");               // RSA 2048, 10 years
 * LabPki.Credentials web = ca.issue(List.of("payroll.corp.com"), LabPki.Kind.VALID);
 * new HttpsConfig(443, names, content, "1.3", "bc", web.keyPem(), web.certChainPem());
 * String trustPem = ca.certPem();                                    // NodeConfig.trustPem
 * // keep the CA across runs: ca.keyPem() + ca.certPem(), then LabPki.loadCa(keyPem, certPem)
 * }</pre>
 *
 * <p>Keys are RSA 2048 by default (TLS 1.2 RSA key transport needs an RSA certificate) or EC
 * P-256. Server certificates carry the names as subjectAltName DNS entries (IP entries for
 * address literals), CN = the first name, CA:false, keyUsage digitalSignature +
 * keyEncipherment (the latter for RSA key transport), extendedKeyUsage serverAuth. Key
 * generation costs a few hundred milliseconds per RSA key; call this off the nodes' loops.
 */
public final class LabPki {
  /** What a server certificate is meant to be. */
  public enum Kind {
    /** Signed by this CA, valid now: clients that trust the CA accept it (for its names). */
    VALID,
    /** Signed by this CA, but its validity ended 30 days ago. */
    EXPIRED,
    /** Signed by its own key: trusted by nobody. */
    SELF_SIGNED,
    /** Signed by another CA ("emu impostor CA") that the lab's clients do not trust. */
    OTHER_CA
  }

  /** The key algorithm of a new key. */
  public enum KeyType {
    RSA_2048,
    EC_P256
  }

  /**
   * A key and its certificate chain, both PEM: the private key as PKCS#8, the chain leaf first
   * (the leaf, then the CA that signed it). These are {@code HttpsConfig.keyPem/certChainPem}.
   */
  public record Credentials(String keyPem, String certChainPem) {
    /** The certificates of the chain, leaf first. */
    public List<X509Certificate> chain() {
      return Pem.certificates(certChainPem);
    }
  }

  static final Duration CA_LIFETIME = Duration.ofDays(3650);
  static final Duration LEAF_LIFETIME = Duration.ofDays(397);
  /** Certificates start an hour early, so a node whose clock lags a little still accepts them. */
  static final Duration BACKDATE = Duration.ofHours(1);

  private LabPki() {}

  /** A new RSA 2048 CA, valid for ten years from now; {@code name} is a CN or a full DN. */
  public static Ca newCa(String name) {
    return newCa(name, KeyType.RSA_2048, Clock.systemUTC(), new SecureRandom());
  }

  /** A new CA with the given key type, clock and randomness. */
  public static Ca newCa(String name, KeyType keyType, Clock clock, SecureRandom random) {
    KeyPair kp = generate(keyType, random);
    X500Name dn = dn(name);
    Instant now = clock.instant();
    X509Certificate cert = caCertificate(dn, kp, now.minus(BACKDATE), now.plus(CA_LIFETIME), random);
    return new Ca(kp.getPrivate(), cert, clock, random);
  }

  /** A new CA with a key pair made beforehand, valid for ten years from now. */
  public static Ca newCa(String name, KeyPair keys) {
    SecureRandom random = new SecureRandom();
    Instant now = Instant.now();
    X509Certificate cert = caCertificate(dn(name), keys, now.minus(BACKDATE), now.plus(CA_LIFETIME), random);
    return new Ca(keys.getPrivate(), cert, Clock.systemUTC(), random);
  }

  /** A CA made earlier (its PKCS#8 key and certificate, e.g. saved in the lab's state folder). */
  public static Ca loadCa(String keyPem, String certPem) {
    PrivateKey key = Pem.privateKey(keyPem);
    X509Certificate cert = Pem.certificates(certPem).get(0);
    if (cert.getBasicConstraints() < 0) {
      throw new IllegalArgumentException("certificate " + cert.getSubjectX500Principal() + " is not a CA (CA:false)");
    }
    return new Ca(key, cert, Clock.systemUTC(), new SecureRandom());
  }

  /** A certificate authority: its key, its self-signed certificate, and the certificates it issues. */
  public static final class Ca {
    private final PrivateKey key;
    private final X509Certificate cert;
    private final Clock clock;
    private final SecureRandom random;
    private Ca impostor;

    private Ca(PrivateKey key, X509Certificate cert, Clock clock, SecureRandom random) {
      this.key = key;
      this.cert = cert;
      this.clock = clock;
      this.random = random;
    }

    /** A server key (RSA 2048) and certificate for {@code names} (DNS names or IPv4 literals). */
    public Credentials issue(List<String> names, Kind kind) {
      return issue(names, kind, KeyType.RSA_2048);
    }

    public Credentials issue(List<String> names, Kind kind, KeyType keyType) {
      return issue(names, kind, generate(keyType, random));
    }

    /** As {@link #issue(List, Kind, KeyType)}, for a key pair made beforehand ({@link #newKeyPair}). */
    public Credentials issue(List<String> names, Kind kind, KeyPair leafKeys) {
      Objects.requireNonNull(kind, "kind");
      if (names == null || names.isEmpty()) {
        throw new IllegalArgumentException("a server certificate needs at least one name");
      }
      Instant now = clock.instant();
      X500Name subject = new X500Name("CN=" + escape(names.get(0)));
      switch (kind) {
        case VALID -> {
          return leaf(subject, names, leafKeys, now.minus(BACKDATE), now.plus(LEAF_LIFETIME), this);
        }
        case EXPIRED -> {
          return leaf(subject, names, leafKeys, now.minus(Duration.ofDays(30 + 397)), now.minus(Duration.ofDays(30)),
              this);
        }
        case OTHER_CA -> {
          return leaf(subject, names, leafKeys, now.minus(BACKDATE), now.plus(LEAF_LIFETIME), impostor());
        }
        case SELF_SIGNED -> {
          X509Certificate c = build(subject, subject, leafKeys.getPublic(), leafKeys.getPrivate(), null,
              now.minus(BACKDATE), now.plus(LEAF_LIFETIME), names, KeyPurposeId.id_kp_serverAuth, random);
          return new Credentials(Pem.encode(leafKeys.getPrivate()), Pem.encode(c));
        }
        default -> throw new IllegalArgumentException("unknown kind " + kind);
      }
    }

    private Credentials leaf(X500Name subject, List<String> names, KeyPair keys, Instant from, Instant to, Ca issuer) {
      return leaf(subject, names, keys, from, to, issuer, KeyPurposeId.id_kp_serverAuth);
    }

    private Credentials leaf(X500Name subject, List<String> names, KeyPair keys, Instant from, Instant to, Ca issuer,
                             KeyPurposeId purpose) {
      X509Certificate c = build(X500Name.getInstance(issuer.cert.getSubjectX500Principal().getEncoded()), subject,
          keys.getPublic(), issuer.key, issuer.cert, from, to, names, purpose, random);
      return new Credentials(Pem.encode(keys.getPrivate()), Pem.encode(c, issuer.cert));
    }

    /**
     * A TLS server's key (EC P-256) and certificate, valid now, whose subject is
     * {@code CN=commonName} and whose subjectAltNames are {@code names}: for a server known by
     * another name than the ones clients connect to (a node's management API: CN the node, SANs
     * the addresses and service names the control plane dials).
     */
    public Credentials issueServer(String commonName, List<String> names) {
      if (names == null || names.isEmpty()) {
        throw new IllegalArgumentException("a server certificate needs at least one name");
      }
      Instant now = clock.instant();
      return leaf(new X500Name("CN=" + escape(commonName)), names, generate(KeyType.EC_P256, random),
          now.minus(BACKDATE), now.plus(LEAF_LIFETIME), this, KeyPurposeId.id_kp_serverAuth);
    }

    /**
     * A TLS client's key (EC P-256) and certificate, valid now: {@code CN=commonName}, no
     * subjectAltName, extendedKeyUsage clientAuth only, so that it cannot serve as a server's
     * certificate, as server certificates (serverAuth only) cannot serve as a client's: PKIX
     * validation checks the purpose (RFC 5280 4.2.1.12).
     */
    public Credentials issueClient(String commonName) {
      Instant now = clock.instant();
      return leaf(new X500Name("CN=" + escape(commonName)), null, generate(KeyType.EC_P256, random),
          now.minus(BACKDATE), now.plus(LEAF_LIFETIME), this, KeyPurposeId.id_kp_clientAuth);
    }

    /** The other CA that {@link Kind#OTHER_CA} certificates come from (made once per CA). */
    public Ca impostor() {
      if (impostor == null) {
        impostor = newCa("emu impostor CA", KeyType.RSA_2048, clock, random);
      }
      return impostor;
    }

    /** The CA certificate as PEM: what clients trust ({@code NodeConfig.trustPem}). */
    public String certPem() {
      return Pem.encode(cert);
    }

    /** The CA's private key as PKCS#8 PEM, to keep the CA across runs ({@link LabPki#loadCa}). */
    public String keyPem() {
      return Pem.encode(key);
    }

    public X509Certificate certificate() {
      return cert;
    }

    /** The CA's subject, e.g. {@code CN=emu lab corporate CA}. */
    public String name() {
      return cert.getSubjectX500Principal().getName();
    }
  }

  private static X509Certificate caCertificate(X500Name dn, KeyPair kp, Instant from, Instant to, SecureRandom random) {
    return build(dn, dn, kp.getPublic(), kp.getPrivate(), null, from, to, null, null, random);
  }

  /**
   * Builds and signs one certificate; {@code issuerCert} is null when it signs itself. A
   * {@code purpose} (serverAuth, clientAuth) makes an end entity's certificate with {@code names}
   * as subjectAltNames (none if null); no purpose makes a CA's.
   */
  private static X509Certificate build(X500Name issuer, X500Name subject, PublicKey pub, PrivateKey signingKey,
                                       X509Certificate issuerCert, Instant from, Instant to, List<String> names,
                                       KeyPurposeId purpose, SecureRandom random) {
    boolean ca = purpose == null;
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, random).add(BigInteger.ONE),
          Date.from(from), Date.from(to), subject, pub);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pub));
      if (issuerCert != null) {
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuerCert));
      }
      if (ca) {
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        int usage = KeyUsage.digitalSignature | ("RSA".equals(pub.getAlgorithm()) ? KeyUsage.keyEncipherment : 0);
        b.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        if (names != null) {
          b.addExtension(Extension.subjectAlternativeName, false, sans(names));
        }
      }
      String alg = "RSA".equals(signingKey.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
      ContentSigner signer = new JcaContentSignerBuilder(alg).build(signingKey);
      return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
      throw new IllegalStateException("cannot make a certificate for " + subject + ": " + e.getMessage(), e);
    }
  }

  private static GeneralNames sans(List<String> names) {
    List<GeneralName> out = new ArrayList<>();
    for (String n : names) {
      boolean address = Ipv4Address.isValid(n) || n.indexOf(':') >= 0; // an IPv6 literal too
      out.add(address ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n));
    }
    return new GeneralNames(out.toArray(GeneralName[]::new));
  }

  private static X500Name dn(String name) {
    return new X500Name(name.contains("=") ? name : "CN=" + escape(name));
  }

  private static String escape(String s) {
    return s.replaceAll("([,+\"\\\\<>;=])", "\\\\$1");
  }

  /**
   * A new key pair of {@code type}: to make one beforehand, alongside other work (an RSA 2048 key
   * costs 0.2-0.5 s in a JVM that compiles with C1 only, as emu's command line does).
   */
  public static KeyPair newKeyPair(KeyType type) {
    return generate(type, new SecureRandom());
  }

  static KeyPair generate(KeyType type, SecureRandom random) {
    try {
      if (type == KeyType.EC_P256) {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), random);
        return g.generateKeyPair();
      }
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048, random);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a " + type + " key", e);
    }
  }
}
