package emu.control.topology;

import emu.node.https.HttpsServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A node's HTTPS service as the file declares it.
 *
 * @param names DNS names it serves (its certificate's SANs)
 * @param content URL path to the file whose bytes it serves there
 * @param tls "1.3", "1.2" or "1.2-rsa"
 * @param provider "bc" or "jdk"
 * @param certificate "lab" (signed by the lab CA), or on purpose a bad one: "other-ca", "expired",
 *     "self-signed"
 * @param idleTimeoutNanos how long a connection may go without a complete request before the
 *     server closes it (default 60 s)
 */
public record HttpsSpec(int port, List<String> names, Map<String, Path> content, String tls, String provider,
                        String certificate, long idleTimeoutNanos) {
  public static final long DEFAULT_IDLE_TIMEOUT_NANOS = HttpsServer.DEFAULT_IDLE_TIMEOUT_NANOS;

  public static final List<String> TLS = List.of("1.3", "1.2", "1.2-rsa");
  public static final List<String> PROVIDERS = List.of("bc", "jdk");
  public static final List<String> CERTIFICATES = List.of("lab", "other-ca", "expired", "self-signed");

  public HttpsSpec {
    names = List.copyOf(names);
    content = Map.copyOf(content);
  }
}
