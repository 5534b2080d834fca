package emu.control.plan;

import emu.control.topology.HttpsSpec;
import emu.node.config.NodeConfig;
import emu.node.tls.LabPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The lab's certificates, made with Bouncy Castle when a lab starts: one lab CA that every
 * client in the lab trusts, and for each HTTPS service a key and a certificate for its names.
 * Private keys are written to the lab's state folder with mode 0600; the CA certificate is also
 * copied next to the captures as {@code lab-ca.pem}, for tools outside the lab
 * ({@code curl --cacert}, {@code openssl s_client -CAfile}).
 *
 * <p>For the management APIs reached across a network (nodes on other machines, pods) the same
 * CA issues each such node a server certificate ({@link #issueManagement}) and the control plane
 * one client certificate, CN {@value #CONTROL_CN}, kept in {@link #pki}({@code stateDir}) as
 * {@value #CONTROL_CERT} and {@value #CONTROL_KEY} next to {@value #CA_CERT}.
 */
public final class LabSecrets {
  /** The files of {@link #pki}: the lab CA's certificate, the control plane's certificate and key. */
  public static final String CA_CERT = "ca.pem";
  public static final String CONTROL_CERT = "control.pem";
  public static final String CONTROL_KEY = "control.key";
  static final String CONTROL_CN = "emu control plane";

  private final Path dir;
  private final LabPki.Ca ca;
  private boolean controlIssued;

  LabSecrets(String lab, Path stateDir, Path outDir) throws IOException {
    this.dir = pki(stateDir);
    Files.createDirectories(dir);
    this.ca = LabPki.newCa("emu lab " + lab + " CA");
    writePrivate(dir.resolve("ca.key"), ca.keyPem());
    Files.writeString(dir.resolve(CA_CERT), ca.certPem(), StandardCharsets.US_ASCII);
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
    LabPki.Credentials c = ca.issue(List.copyOf(spec.names()), kind, LabPki.KeyType.RSA_2048);
    writePrivate(dir.resolve(node + ".key"), c.keyPem());
    Files.writeString(dir.resolve(node + ".pem"), c.certChainPem(), StandardCharsets.US_ASCII);
    return c;
  }

  /** The lab's PKI folder in its state folder. */
  public static Path pki(Path stateDir) {
    return stateDir.resolve("pki");
  }

  /**
   * TLS for a node's management API: a server certificate (EC P-256, CN the node, for
   * {@code names}, the addresses and names the control plane dials, which it verifies as HTTPS
   * clients do) and the lab CA as the only issuer of client certificates; and, the first time,
   * the control plane's client certificate. Keys written with mode 0600 as {@code NODE-mgmt.key}.
   */
  NodeConfig.Management.Tls issueManagement(String node, List<String> names) throws IOException {
    if (!controlIssued) {
      LabPki.Credentials client = ca.issueClient(CONTROL_CN);
      writePrivate(dir.resolve(CONTROL_KEY), client.keyPem());
      Files.writeString(dir.resolve(CONTROL_CERT), client.certChainPem(), StandardCharsets.US_ASCII);
      controlIssued = true;
    }
    LabPki.Credentials c = ca.issueServer(node, names);
    writePrivate(dir.resolve(node + "-mgmt.key"), c.keyPem());
    Files.writeString(dir.resolve(node + "-mgmt.pem"), c.certChainPem(), StandardCharsets.US_ASCII);
    return new NodeConfig.Management.Tls(c.keyPem(), c.certChainPem(), ca.certPem());
  }

  /** Writes a file only its owner can read (mode 0600), replacing any file there. */
  public static void writePrivate(Path file, String text) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, text, StandardCharsets.US_ASCII);
  }
}
