package emu.node.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The lab PKI: chains that PKIX accepts (or refuses, for the bad kinds), SANs, PEM both ways. */
class LabPkiTest {
  static LabPki.Ca ca;

  @BeforeAll
  static void makeCa() {
    ca = LabPki.newCa("emu lab corporate CA");
  }

  /** PKIX validation of {@code chain} (leaf first, without the anchor) against {@code anchor}, revocation off. */
  static void validate(List<X509Certificate> chain, X509Certificate anchor) throws Exception {
    List<X509Certificate> path = chain.stream().filter(c -> !c.equals(anchor)).toList();
    CertPath cp = CertificateFactory.getInstance("X.509").generateCertPath(path);
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(cp, params);
  }

  @Test
  void caIsASelfSignedCertificateAuthority() throws Exception {
    X509Certificate c = ca.certificate();
    assertEquals("CN=emu lab corporate CA", ca.name());
    assertTrue(c.getBasicConstraints() >= 0, "CA:true");
    assertTrue(c.getKeyUsage()[5], "keyCertSign");
    c.verify(c.getPublicKey());
    assertEquals(c, Pem.certificates(ca.certPem()).get(0));
    assertTrue(c.getNotAfter().toInstant().isAfter(Instant.now().plusSeconds(9L * 365 * 86400)));
  }

  @Test
  void validServerCertificateChainsToTheCa() throws Exception {
    LabPki.Credentials cred = ca.issue(List.of("payroll.corp.com", "www.corp.com", "192.168.5.100"),
        LabPki.Kind.VALID);
    List<X509Certificate> chain = cred.chain();
    assertEquals(2, chain.size(), "leaf, then the CA");
    X509Certificate leaf = chain.get(0);
    assertEquals(ca.certificate(), chain.get(1));
    validate(chain, ca.certificate());
    assertEquals(List.of("payroll.corp.com", "www.corp.com", "192.168.5.100"), Certificates.altNames(leaf));
    assertEquals("CN=payroll.corp.com", Certificates.subject(leaf));
    assertEquals("payroll.corp.com", Certificates.commonName(leaf));
    assertEquals(-1, leaf.getBasicConstraints(), "CA:false");
    assertTrue(leaf.getKeyUsage()[0] && leaf.getKeyUsage()[2], "digitalSignature and keyEncipherment");
    assertTrue(leaf.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.1"), "serverAuth");
    assertEquals("RSA 2048 bits", Certificates.keyDescription(leaf));
    assertTrue(Certificates.matchesHost(leaf, "WWW.corp.com"));
    assertTrue(!Certificates.matchesHost(leaf, "wiki.corp.com"));
    // the key belongs to the certificate
    assertSigns(Pem.privateKey(cred.keyPem()), leaf, "SHA256withRSA");
  }

  @Test
  void expiredCertificateFailsValidation() throws Exception {
    List<X509Certificate> chain = ca.issue(List.of("payroll.corp.com"), LabPki.Kind.EXPIRED).chain();
    assertTrue(chain.get(0).getNotAfter().toInstant().isBefore(Instant.now()));
    CertPathValidatorException e = assertThrows(CertPathValidatorException.class,
        () -> validate(chain, ca.certificate()));
    assertInstanceOf(CertificateExpiredException.class, e.getCause());
    assertEquals("certificate expired on " + Certificates.notAfter(chain.get(0)),
        ServerCertificateCheck.explain(chain, List.of(ca.certificate()), "the lab CA", "payroll.corp.com",
            Instant.now()));
  }

  @Test
  void selfSignedCertificateIsItsOwnIssuer() throws Exception {
    List<X509Certificate> chain = ca.issue(List.of("payroll.corp.com"), LabPki.Kind.SELF_SIGNED).chain();
    assertEquals(1, chain.size());
    assertTrue(Certificates.isSelfSigned(chain.get(0)));
    assertEquals(-1, chain.get(0).getBasicConstraints());
    assertThrows(CertPathValidatorException.class, () -> validate(chain, ca.certificate()));
    assertTrue(ServerCertificateCheck.explain(chain, List.of(ca.certificate()), "the lab CA", "payroll.corp.com",
        Instant.now()).startsWith("certificate is not trusted: it is self-signed"));
  }

  @Test
  void otherCaCertificateChainsToTheImpostorOnly() throws Exception {
    List<X509Certificate> chain = ca.issue(List.of("payroll.corp.com"), LabPki.Kind.OTHER_CA).chain();
    assertEquals("CN=emu impostor CA", Certificates.issuer(chain.get(0)));
    assertEquals(ca.impostor().certificate(), chain.get(1));
    assertThrows(CertPathValidatorException.class, () -> validate(chain, ca.certificate()));
    validate(chain, ca.impostor().certificate());
    assertEquals("certificate is not trusted (issuer CN=emu impostor CA is not the lab CA)",
        ServerCertificateCheck.explain(chain, List.of(ca.certificate()), "the lab CA", "payroll.corp.com",
            Instant.now()));
  }

  @Test
  void hostNameMismatchIsExplainedAndAGoodChainIsNot() throws Exception {
    List<X509Certificate> chain = ca.issue(List.of("payroll.corp.com"), LabPki.Kind.VALID).chain();
    assertEquals("host name wiki.corp.com does not match the certificate (names: payroll.corp.com)",
        ServerCertificateCheck.explain(chain, List.of(ca.certificate()), "the lab CA", "wiki.corp.com",
            Instant.now()));
    assertNull(ServerCertificateCheck.explain(chain, List.of(ca.certificate()), "the lab CA", "payroll.corp.com",
        Instant.now()));
  }

  @Test
  void ecKeysWork() throws Exception {
    LabPki.Credentials cred = ca.issue(List.of("ec.corp.com"), LabPki.Kind.VALID, LabPki.KeyType.EC_P256);
    X509Certificate leaf = cred.chain().get(0);
    assertEquals("EC", leaf.getPublicKey().getAlgorithm());
    assertTrue(!leaf.getKeyUsage()[2], "no keyEncipherment for an EC key");
    validate(cred.chain(), ca.certificate());
    assertSigns(Pem.privateKey(cred.keyPem()), leaf, "SHA256withECDSA");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TlsContexts.server(cred.keyPem(), cred.certChainPem(), "1.2-rsa", "bc"));
    assertTrue(e.getMessage().contains("needs an RSA certificate"), e.getMessage());
  }

  @Test
  void pemRoundTrips() throws Exception {
    LabPki.Credentials cred = ca.issue(List.of("payroll.corp.com"), LabPki.Kind.VALID);
    assertTrue(cred.keyPem().startsWith("-----BEGIN PRIVATE KEY-----\n"), "PKCS#8");
    assertTrue(cred.certChainPem().startsWith("-----BEGIN CERTIFICATE-----\n"));
    PrivateKey key = Pem.privateKey(cred.keyPem());
    assertEquals(cred.keyPem(), Pem.encode(key));
    assertEquals(cred.certChainPem(), Pem.encode(Pem.certificates(cred.certChainPem())));
    // OpenSSL's traditional "RSA PRIVATE KEY" (PKCS#1) is read too
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(key);
    }
    assertTrue(w.toString().startsWith("-----BEGIN RSA PRIVATE KEY-----"), w.toString());
    assertArrayEquals(key.getEncoded(), Pem.privateKey(w.toString()).getEncoded());
    assertThrows(IllegalArgumentException.class, () -> Pem.certificates("no pem here"));
    assertThrows(IllegalArgumentException.class, () -> Pem.privateKey(ca.certPem()));
    assertThrows(IllegalArgumentException.class, () -> Pem.certificates(
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
  }

  @Test
  void aSavedCaKeepsIssuing() throws Exception {
    LabPki.Ca again = LabPki.loadCa(ca.keyPem(), ca.certPem());
    assertEquals(ca.certificate(), again.certificate());
    validate(again.issue(List.of("later.corp.com"), LabPki.Kind.VALID).chain(), ca.certificate());
    LabPki.Credentials leaf = ca.issue(List.of("x.corp.com"), LabPki.Kind.VALID);
    assertThrows(IllegalArgumentException.class, () -> LabPki.loadCa(leaf.keyPem(), leaf.certChainPem()));
  }

  private static void assertSigns(PrivateKey key, X509Certificate cert, String alg) throws Exception {
    byte[] data = "payday".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Signature s = Signature.getInstance(alg);
    s.initSign(key);
    s.update(data);
    byte[] sig = s.sign();
    Signature v = Signature.getInstance(alg);
    v.initVerify(cert.getPublicKey());
    v.update(data);
    assertTrue(v.verify(sig), "the key matches the certificate");
  }
}
