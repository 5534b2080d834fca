package emu.control.process;

import emu.control.plan.LabSecrets;
import emu.node.tls.Pem;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * The control plane's side of management TLS (see emu.node.mgmt.ManagementTls): it trusts the lab
 * CA only, not the JDK's CAs, presents its client certificate from that CA, and checks that the
 * node's certificate is for the address or name it dialled (the HTTP client's host-name
 * verification, RFC 2818 3.1 and RFC 6125, left on: the planner puts those names in the
 * certificates). One per lab, holding one {@link HttpClient}, whose connections and TLS sessions
 * are reused from request to request.
 */
public final class ControlTls {
  private final String caPem;
  private final String certChainPem;
  private final String keyPem;
  private HttpClient http;

  private ControlTls(String caPem, String certChainPem, String keyPem) {
    this.caPem = caPem;
    this.certChainPem = certChainPem;
    this.keyPem = keyPem;
  }

  /**
   * The lab CA's certificate, the control plane's certificate and key from {@code folder} (the
   * lab's {@link LabSecrets#pki} folder, or on Kubernetes the Secret's files).
   */
  public static ControlTls load(Path folder) throws IOException {
    return new ControlTls(read(folder, LabSecrets.CA_CERT), read(folder, LabSecrets.CONTROL_CERT),
        read(folder, LabSecrets.CONTROL_KEY));
  }

  private static String read(Path folder, String name) throws IOException {
    Path f = folder.resolve(name);
    if (!Files.isReadable(f)) {
      throw new IOException("management TLS: " + f + " is missing or unreadable");
    }
    return Files.readString(f, StandardCharsets.US_ASCII);
  }

  public String caPem() {
    return caPem;
  }

  public String certChainPem() {
    return certChainPem;
  }

  public String keyPem() {
    return keyPem;
  }

  /** The HTTP client that speaks to nodes' management APIs over TLS, made at the first call. */
  synchronized HttpClient http() {
    if (http == null) {
      SSLParameters params = new SSLParameters();
      params.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
      http = HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .sslContext(context())
          .sslParameters(params)
          .build();
    }
    return http;
  }

  private SSLContext context() {
    try {
      char[] password = "emu".toCharArray();
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      List<X509Certificate> chain = Pem.certificates(certChainPem);
      keys.setKeyEntry("control", Pem.privateKey(keyPem), password, chain.toArray(X509Certificate[]::new));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      List<X509Certificate> cas = Pem.certificates(caPem);
      for (int i = 0; i < cas.size(); i++) {
        trust.setCertificateEntry("lab-ca" + i, cas.get(i));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
      throw new IllegalStateException("management TLS: cannot use the control plane's certificate: "
          + e.getMessage(), e);
    }
  }
}
