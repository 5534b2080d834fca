package emu.control.plan;

import emu.control.topology.HttpsSpec;
import emu.node.config.NodeConfig;
import emu.node.tls.LabPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The lab's certificates, made with Bouncy Castle when a lab starts: one lab CA that every
 * client in the lab trusts, and for each HTTPS service a key and a certificate for its names.
 * Private keys are written to the lab's state folder with mode 0600; the CA certificate is also
 * copied next to the captures as {@code lab-ca.pem}, for tools outside the lab
 * ({@code curl --cacert}, {@code openssl s_client -CAfile}).
 *
 * <p>For the management APIs reached across a network (nodes on other machines, pods) a second
 * CA, the management CA (EC P-256, made with the first such certificate), issues each such node a
 * server certificate ({@link #issueManagement}) and the control plane one client certificate, CN
 * {@value #CONTROL_CN}, kept in {@link #pki}({@code stateDir}) as {@value #CONTROL_CERT} and
 * {@value #CONTROL_KEY} next to the management CA's {@value #CA_CERT}; the lab CA is
 * {@value #LAB_CA_CERT} there. Its own CA, and an EC one, because a lab on Kubernetes issues one
 * management certificate per node: signing with the lab CA's RSA 2048 key cost 6 ms a certificate
 * in the CLI's JVM (C1 only), 60 s for 10,000 nodes, and with an EC P-256 key 0.75 ms (measured on
 * the 2-core machine of BENCHMARKS.md). The lab CA stays RSA: the HTTPS services' chains are part
 * of what the lab shows (TLS narrative). Keeping the two apart also means no HTTPS certificate of
 * the lab's chain is ever accepted by a management API.
 */
public final class LabSecrets {
  /** The files of {@link #pki}: the lab CA's certificate, the control plane's certificate and key. */
  public static final String CA_CERT = "ca.pem";
  /** The lab CA's certificate (HTTPS services), also copied next to the captures as lab-ca.pem. */
  public static final String LAB_CA_CERT = "lab-ca.pem";
  public static final String CONTROL_CERT = "control.pem";
  public static final String CONTROL_KEY = "control.key";
  static final String CONTROL_CN = "emu control plane";

  private final Path dir;
  private final String lab;
  private final LabPki.Ca ca;
  private LabPki.Ca mgmtCa;

  /** The HTTPS services' RSA keys by node, made or read on other threads while this one does the CA's. */
  private final Map<String, CompletableFuture<KeyPair>> serviceKeys = new ConcurrentHashMap<>();

  /**
   * @param services the nodes with an HTTPS service: their keys are made (or read, {@link
   *     LabKeys}) alongside the CA's
   */
  LabSecrets(String lab, Path stateDir, Path outDir, List<String> services) throws IOException {
    this.dir = pki(stateDir);
    this.lab = lab;
    // Two RSA 2048 keys (the CA's and the seed's one service) took 0.5-1 s of the seed run's
    // planning one after the other (JFR of `./emu run`: 45 of its 62 samples); side by side on
    // 2 cores they take the longer of the two; kept from the lab's last start, none (LabKeys).
    LabKeys keys = LabKeys.of(lab, stateDir);
    for (String node : services) {
      serviceKeys.put(node, CompletableFuture.supplyAsync(() -> keys.rsa("https-" + node)));
    }
    Files.createDirectories(dir);
    this.ca = LabPki.newCa("emu lab " + lab + " CA", keys.rsa("lab-ca"));
    writePrivate(dir.resolve("lab-ca.key"), ca.keyPem());
    Files.writeString(dir.resolve(LAB_CA_CERT), ca.certPem(), StandardCharsets.US_ASCII);
    Files.createDirectories(outDir);
    Files.writeString(outDir.resolve("lab-ca.pem"), ca.certPem(), StandardCharsets.US_ASCII);
  }

  /** What clients trust: the lab CA certificate, PEM. */
  String trustPem() {
    return ca.certPem();
  }

  /** A key and certificate chain for a node's HTTPS service, of the kind the topology asks for. */
  LabPki.Credentials issue(String node, HttpsSpec spec) throws IOException {
    LabPki.Kind kind = switch (spec.certificate()) {
      case "other-ca" -> LabPki.Kind.OTHER_CA;
      case "expired" -> LabPki.Kind.EXPIRED;
      case "self-signed" -> LabPki.Kind.SELF_SIGNED;
      default -> LabPki.Kind.VALID;
    };
    // RSA keys, so that every TLS mode works, including TLS 1.2 with RSA key transport.
    CompletableFuture<KeyPair> made = serviceKeys.remove(node);
    LabPki.Credentials c = made != null ? ca.issue(List.copyOf(spec.names()), kind, made.join())
        : ca.issue(List.copyOf(spec.names()), kind, LabPki.KeyType.RSA_2048);
    writePrivate(dir.resolve(node + ".key"), c.keyPem());
    Files.writeString(dir.resolve(node + ".pem"), c.certChainPem(), StandardCharsets.US_ASCII);
    return c;
  }

  /** The lab's PKI folder in its state folder. */
  public static Path pki(Path stateDir) {
    return stateDir.resolve("pki");
  }

  /**
   * TLS for nodes' management APIs (node to names): for each a server certificate (EC P-256, CN
   * the node, for its names, the addresses and names the control plane dials, which it verifies
   * as HTTPS clients do) and the management CA as the only issuer of client certificates; and, the
   * first time, the management CA and the control plane's client certificate. Keys written with
   * mode 0600 as {@code NODE-mgmt.key}. On every core: key pairs and signatures are independent,
   * and a lab of 10,000 pods needs 10,000 of each.
   */
  Map<String, NodeConfig.Management.Tls> issueManagement(Map<String, List<String>> namesByNode) throws IOException {
    if (namesByNode.isEmpty()) {
      return Map.of();
    }
    LabPki.Ca m = managementCa();
    Map<String, NodeConfig.Management.Tls> out = new ConcurrentHashMap<>();
    try {
      namesByNode.entrySet().parallelStream().forEach(e -> {
        LabPki.Credentials c = m.issueServer(e.getKey(), e.getValue());
        try {
          writePrivate(dir.resolve(e.getKey() + "-mgmt.key"), c.keyPem());
          Files.writeString(dir.resolve(e.getKey() + "-mgmt.pem"), c.certChainPem(), StandardCharsets.US_ASCII);
        } catch (IOException ex) {
          throw new UncheckedIOException(ex);
        }
        out.put(e.getKey(), new NodeConfig.Management.Tls(c.keyPem(), c.certChainPem(), m.certPem()));
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return out;
  }

  private LabPki.Ca managementCa() throws IOException {
    if (mgmtCa == null) {
      mgmtCa = LabPki.newCa("emu lab " + lab + " management CA", LabPki.KeyType.EC_P256, Clock.systemUTC(),
          new SecureRandom());
      writePrivate(dir.resolve("ca.key"), mgmtCa.keyPem());
      Files.writeString(dir.resolve(CA_CERT), mgmtCa.certPem(), StandardCharsets.US_ASCII);
      LabPki.Credentials client = mgmtCa.issueClient(CONTROL_CN);
      writePrivate(dir.resolve(CONTROL_KEY), client.keyPem());
      Files.writeString(dir.resolve(CONTROL_CERT), client.certChainPem(), StandardCharsets.US_ASCII);
    }
    return mgmtCa;
  }

  /** Writes a file only its owner can read (mode 0600), replacing any file there. */
  public static void writePrivate(Path file, String text) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, text, StandardCharsets.US_ASCII);
  }
}
