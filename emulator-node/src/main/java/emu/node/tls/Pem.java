package emu.node.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * PEM text, the form keys and certificates take in node configurations and files: X.509
 * certificates ("CERTIFICATE", a chain is several, leaf first) and private keys written as
 * PKCS#8 ("PRIVATE KEY"; OpenSSL's older "RSA PRIVATE KEY" and "EC PRIVATE KEY" are read too).
 * Bad input throws {@link IllegalArgumentException} saying what was wrong.
 */
public final class Pem {
  private static final Base64.Encoder BASE64 = Base64.getMimeEncoder(64, new byte[] {'\n'});

  private Pem() {}

  /** One or more certificates as PEM blocks, in the order given (a chain: leaf first). */
  public static String encode(List<X509Certificate> certificates) {
    StringBuilder sb = new StringBuilder();
    for (X509Certificate c : certificates) {
      try {
        block(sb, "CERTIFICATE", c.getEncoded());
      } catch (java.security.cert.CertificateEncodingException e) {
        throw new IllegalArgumentException("cannot encode certificate " + c.getSubjectX500Principal(), e);
      }
    }
    return sb.toString();
  }

  public static String encode(X509Certificate... certificates) {
    return encode(List.of(certificates));
  }

  /** A private key as PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"). */
  public static String encode(PrivateKey key) {
    if (!"PKCS#8".equals(key.getFormat())) {
      throw new IllegalArgumentException("key " + key.getAlgorithm() + " does not encode as PKCS#8");
    }
    return block(new StringBuilder(), "PRIVATE KEY", key.getEncoded()).toString();
  }

  private static StringBuilder block(StringBuilder sb, String type, byte[] der) {
    sb.append("-----BEGIN ").append(type).append("-----\n");
    sb.append(BASE64.encodeToString(der)).append('\n');
    sb.append("-----END ").append(type).append("-----\n");
    return sb;
  }

  /** Every certificate in {@code pem}, in order; other blocks (keys) are skipped. At least one. */
  public static List<X509Certificate> certificates(String pem) {
    if (pem == null) {
      throw new IllegalArgumentException("no certificate PEM given");
    }
    List<X509Certificate> out = new ArrayList<>();
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (Object o = p.readObject(); o != null; o = p.readObject()) {
        if (o instanceof X509CertificateHolder h) {
          out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(h.getEncoded())));
        }
      }
    } catch (IOException | CertificateException | RuntimeException e) {
      throw new IllegalArgumentException("bad certificate PEM: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no CERTIFICATE block in the PEM text");
    }
    return out;
  }

  /** The (first) private key in {@code pem}. */
  public static PrivateKey privateKey(String pem) {
    if (pem == null) {
      throw new IllegalArgumentException("no private key PEM given");
    }
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object o = p.readObject(); o != null; o = p.readObject()) {
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (o instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("bad private key PEM: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("no PRIVATE KEY block in the PEM text (encrypted keys are not supported)");
  }
}
