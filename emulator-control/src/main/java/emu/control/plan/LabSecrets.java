package emu.control.plan;

import emu.control.topology.HttpsSpec;
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
 */
public final class LabSecrets {
  private final Path dir;
  private final LabPki.Ca ca;

  LabSecrets(String lab, Path stateDir, Path outDir) throws IOException {
    this.dir = stateDir.resolve("pki");
    Files.createDirectories(dir);
    this.ca = LabPki.newCa("emu lab " + lab + " CA");
    writePrivate(dir.resolve("ca.key"), ca.keyPem());
    Files.writeString(dir.resolve("ca.pem"), ca.certPem(), StandardCharsets.US_ASCII);
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

  /** Writes a file only its owner can read (mode 0600), replacing any file there. */
  public static void writePrivate(Path file, String text) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, text, StandardCharsets.US_ASCII);
  }
}
