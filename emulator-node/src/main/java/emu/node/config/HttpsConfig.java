package emu.node.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A node's HTTPS service: HTTP/1.1 over TLS. The control plane made its key and certificate
 * (signed by the lab CA unless the topology asks for a bad one on purpose).
 *
 * @param port TCP port, 443 by default
 * @param names the DNS names it serves (the certificate's SANs)
 * @param content URL path to response body (e.g. "/" to the payroll page's HTML)
 * @param tls "1.3" (default), "1.2", or "1.2-rsa" (TLS 1.2 with RSA key transport only, the
 *     seed's description of key exchange)
 * @param provider "bc" (Bouncy Castle JSSE, default) or "jdk"
 * @param keyPem the private key, PKCS#8 PEM
 * @param certChainPem the certificate chain, leaf first, PEM
 * @param idleTimeoutNanos how long a connection may go without a complete request before the
 *     server closes it, or null for the server's default (60 s)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HttpsConfig(int port, List<String> names, Map<String, String> content, String tls, String provider,
                          String keyPem, String certChainPem, Long idleTimeoutNanos) {
  public HttpsConfig {
    if (idleTimeoutNanos != null && idleTimeoutNanos <= 0) {
      throw new IllegalArgumentException("https idle timeout must be positive: " + idleTimeoutNanos + " ns");
    }
  }

  /** With the server's default idle timeout. */
  public HttpsConfig(int port, List<String> names, Map<String, String> content, String tls, String provider,
                     String keyPem, String certChainPem) {
    this(port, names, content, tls, provider, keyPem, certChainPem, null);
  }
}
