package emu.node.mgmt;

import emu.node.config.NodeConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for a node's management API when the node runs on another machine or in a pod, where the
 * API is reached across a network: the server presents a certificate from the lab CA for the
 * names the control plane dials, and demands a client certificate from the same CA (which
 * issues one, to the control plane). Mutual TLS rather than the token alone, because the token
 * would otherwise cross the network in clear, and a client certificate keeps anyone without
 * the lab's key from even reaching the HTTP parser.
 *
 * <p>The JDK's JSSE (SunJSSE) through Netty, not Bouncy Castle: the management API needs no
 * choice of provider, and the JDK's is already loaded by any JVM. TLS 1.3 and 1.2 (RFC 8446,
 * RFC 5246), as the JDK enables them. The client certificate is checked by PKIX against the lab
 * CA only, including its extendedKeyUsage: a node's server certificate, or an HTTPS service's,
 * cannot be used as a client's.
 */
public final class ManagementTls {
  private ManagementTls() {}

  /** The server context; bad PEM or a key that does not match is an {@link IllegalArgumentException}. */
  public static SslContext server(NodeConfig.Management.Tls tls) {
    // The JDK's own PEM-free pieces (CertificateFactory, KeyFactory, KeyStore) and a Netty wrapper
    // around the SSLContext: measured here, a third of the start-up time of SslContextBuilder's
    // PEM path (about 270 against 700 ms in a cold JVM), which every remote node pays.
    try {
      CertificateFactory x509 = CertificateFactory.getInstance("X.509");
      Certificate[] chain = x509.generateCertificates(pem(tls.certChainPem())).toArray(Certificate[]::new);
      char[] password = "emu".toCharArray();
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("mgmt", privateKey(tls.keyPem()), password, chain);
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (Certificate ca : x509.generateCertificates(pem(tls.clientCaPem()))) {
        trust.setCertificateEntry("client-ca" + i++, ca);
      }
      if (chain.length == 0 || i == 0) {
        throw new IllegalArgumentException("no certificate in the chain or the client CA");
      }
      // PKIX: the client's chain to the lab CA, its validity, and its extendedKeyUsage clientAuth
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return new JdkSslContext(context, false, null, IdentityCipherSuiteFilter.INSTANCE, null, ClientAuth.REQUIRE,
          new String[] {"TLSv1.3", "TLSv1.2"}, false);
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot use the management TLS key and certificates: " + e.getMessage(), e);
    }
  }

  private static InputStream pem(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("management TLS needs a key, a certificate chain and the client CA");
    }
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
  }

  /** A PKCS#8 PEM key ({@code BEGIN PRIVATE KEY}, as LabPki writes them), EC or RSA. */
  private static PrivateKey privateKey(String pem) throws GeneralSecurityException {
    if (pem == null || !pem.contains("-----BEGIN PRIVATE KEY-----")) {
      throw new IllegalArgumentException("the management key is not a PKCS#8 PEM key (BEGIN PRIVATE KEY)");
    }
    String base64 = pem.substring(pem.indexOf("-----BEGIN PRIVATE KEY-----") + 27, pem.indexOf("-----END"));
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(base64));
    try {
      return KeyFactory.getInstance("EC").generatePrivate(spec);
    } catch (InvalidKeySpecException notEc) {
      return KeyFactory.getInstance("RSA").generatePrivate(spec);
    }
  }

  /**
   * The first handler of a management connection: TLS if the client speaks it, else one fixed
   * plain-text answer saying so (a client that forgot https learns why at once, rather than
   * seeing a connection reset), and the connection closed. No plain-text byte reaches the HTTP
   * codec.
   */
  static ChannelHandler handler(SslContext context) {
    return new OptionalSslHandler(context) {
      @Override
      protected ChannelHandler newNonSslHandler(ChannelHandlerContext ctx) {
        return new RefusePlainText();
      }
    };
  }

  /** Answers 400 once, reading nothing, and closes. */
  private static final class RefusePlainText extends ChannelInboundHandlerAdapter {
    private static final byte[] ANSWER = answer();
    private boolean answered;

    private static byte[] answer() {
      String body = "{\"error\":\"this management API speaks HTTPS only, with a client certificate from the lab CA\"}";
      return ("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
          + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
      if (!answered) {
        answered = true;
        ByteBuf b = Unpooled.wrappedBuffer(ANSWER);
        ctx.writeAndFlush(b).addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}
