package emu.node.tls;

import emu.node.event.TlsEvent.CertificateInfo;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * How certificates are shown to people: subjects and issuers as RFC 2253 names, dates as
 * curl and OpenSSL print them ("Nov 27 10:00:00 2026 GMT"), the subjectAltNames, and host
 * name matching (RFC 6125: DNS SANs, a wildcard only as the whole left-most label; the CN
 * only when there is no DNS SAN).
 */
public final class Certificates {
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("MMM d HH:mm:ss yyyy 'GMT'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private Certificates() {}

  public static String subject(X509Certificate c) {
    return name(c.getSubjectX500Principal());
  }

  public static String issuer(X509Certificate c) {
    return name(c.getIssuerX500Principal());
  }

  static String name(X500Principal p) {
    return p.getName(X500Principal.RFC2253);
  }

  public static String date(Instant t) {
    return DATE.format(t);
  }

  public static String notBefore(X509Certificate c) {
    return date(c.getNotBefore().toInstant());
  }

  public static String notAfter(X509Certificate c) {
    return date(c.getNotAfter().toInstant());
  }

  /** The DNS and IP subjectAltNames, in order ("payroll.corp.com", "192.168.5.100"). */
  public static List<String> altNames(X509Certificate c) {
    List<String> out = new ArrayList<>();
    try {
      Collection<List<?>> sans = c.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          int type = (Integer) san.get(0);
          if (type == 2 || type == 7) { // dNSName, iPAddress
            String name = String.valueOf(san.get(1));
            // Java writes an IPv6 SAN uncompressed (2001:db8:5:0:0:0:0:100): as users write it (RFC 5952)
            out.add(type == 7 && name.indexOf(':') >= 0 ? emu.node.wire.Ipv6Address.parse(name).toString() : name);
          }
        }
      }
    } catch (CertificateParsingException e) {
      // a certificate whose SAN extension does not parse has no names we can show
    }
    return out;
  }

  /** The names a host name is checked against: the DNS/IP SANs, or the CN when there are none. */
  public static List<String> names(X509Certificate c) {
    List<String> sans = altNames(c);
    if (!sans.isEmpty()) {
      return sans;
    }
    String cn = commonName(c);
    return cn == null ? List.of() : List.of(cn);
  }

  /** The CN of the subject, or null. */
  public static String commonName(X509Certificate c) {
    try {
      List<Rdn> rdns = new LdapName(subject(c)).getRdns();
      for (int i = rdns.size() - 1; i >= 0; i--) { // getRdns() lists the right-most RDN first
        if ("CN".equalsIgnoreCase(rdns.get(i).getType())) {
          return String.valueOf(rdns.get(i).getValue());
        }
      }
    } catch (InvalidNameException e) {
      // fall through: no CN we can read
    }
    return null;
  }

  /** True if {@code host} is one of the certificate's names (wildcards as RFC 6125 allows). */
  public static boolean matchesHost(X509Certificate c, String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    for (String n : names(c)) {
      String name = n.toLowerCase(Locale.ROOT);
      if (name.equals(h)) {
        return true;
      }
      if (name.startsWith("*.") && h.indexOf('.') > 0 && h.substring(h.indexOf('.')).equals(name.substring(1))) {
        return true;
      }
    }
    return false;
  }

  public static boolean isSelfSigned(X509Certificate c) {
    if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
      return false;
    }
    try {
      c.verify(c.getPublicKey());
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /** True if {@code issuer} signed {@code c}. */
  public static boolean signedBy(X509Certificate c, X509Certificate issuer) {
    if (!c.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      return false;
    }
    try {
      c.verify(issuer.getPublicKey());
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /** E.g. "RSA 2048 bits", "EC 256 bits". */
  public static String keyDescription(X509Certificate c) {
    var k = c.getPublicKey();
    if (k instanceof RSAKey r) {
      return "RSA " + r.getModulus().bitLength() + " bits";
    }
    if (k instanceof ECKey e) {
      return "EC " + e.getParams().getCurve().getField().getFieldSize() + " bits";
    }
    return k.getAlgorithm();
  }

  /** One certificate as the facts a trace event carries. */
  public static CertificateInfo info(X509Certificate c) {
    return new CertificateInfo(subject(c), issuer(c), c.getNotBefore().toInstant().toString(),
        c.getNotAfter().toInstant().toString(), altNames(c), keyDescription(c), c.getSigAlgName(), isSelfSigned(c),
        c.getSerialNumber().toString(16));
  }
}
