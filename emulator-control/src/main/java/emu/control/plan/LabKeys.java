package emu.control.plan;

import emu.node.tls.LabPki;
import emu.node.tls.Pem;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Locale;

/**
 * The RSA keys of a lab's HTTPS PKI (the lab CA's, each HTTPS service's), kept from one start of
 * the lab to the next in {@code $EMU_STATE_DIR/keys/LAB/} (folder 0700, files 0600), as a real
 * server keeps its key across reboots; the certificates are issued afresh at every start (new
 * serial numbers and validity), only the keys stay.
 *
 * <p>Why: making an RSA 2048 key is a search for two large primes, 0.3-2.5 s of the CLI's CPU
 * (its JVM runs the C1 compiler only, for a fast start, and C1 has none of the intrinsics that
 * make {@code BigInteger}'s modular arithmetic fast: 1.5-2.5 s a key against 0.13-0.33 s with C2,
 * measured on the 2-core machine of BENCHMARKS.md), and it came before the first node could start:
 * in a JFR profile of the seed `./emu run`, 200 of the CLI's 213 samples were RSA key generation.
 *
 * <p>{@code EMU_LAB_KEYS=fresh} makes new keys at every start (and replaces the kept ones);
 * {@code keep} is the default. Keys are kept only for labs in the state folder's {@code labs/}
 * (a Kubernetes render or a test planning elsewhere makes its own each time). A kept key that
 * cannot be read (a truncated file, say) is replaced, and said on stderr.
 */
public final class LabKeys {
  public static final String SETTING = "EMU_LAB_KEYS";

  /** Null: nothing is kept, every key is new. */
  private final Path dir;

  private LabKeys(Path dir) {
    this.dir = dir;
  }

  /**
   * The keys of lab {@code lab} whose state folder is {@code stateDir}: kept in {@code keys/LAB}
   * beside the state folder's {@code labs/} when {@code stateDir} is {@code labs/LAB} there
   * (EmuHome's layout), else none kept.
   */
  static LabKeys of(String lab, Path stateDir) {
    Path labDir = stateDir == null ? null : stateDir.toAbsolutePath().normalize();
    boolean inLabs = labDir != null && labDir.getParent() != null && labDir.getParent().getParent() != null
        && labDir.getFileName().toString().equals(lab) && labDir.getParent().getFileName().toString().equals("labs");
    return new LabKeys(inLabs && keep() ? labDir.getParent().resolveSibling("keys").resolve(lab) : null);
  }

  /** Keys kept in {@code dir} (tests). */
  static LabKeys in(Path dir) {
    return new LabKeys(dir);
  }

  /**
   * Whether {@value #SETTING} (or {@code -Demu.labKeys}) says to keep keys: {@code keep} (or
   * unset) or {@code fresh}; IllegalArgumentException naming both otherwise.
   */
  public static boolean keep() {
    String v = System.getenv(SETTING);
    if (v == null || v.isBlank()) {
      v = System.getProperty("emu.labKeys");
    }
    if (v == null || v.isBlank()) {
      return true;
    }
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "keep" -> true;
      case "fresh" -> false;
      default -> throw new IllegalArgumentException(SETTING + " must be keep (the default: a lab's RSA keys are kept"
          + " from one start to the next) or fresh (new keys at every start), not '" + v + "'");
    };
  }

  /**
   * The RSA 2048 key pair kept as {@code role}.key, made (and kept) if there is none yet or the
   * file cannot be read. Safe to call from several threads for different roles.
   */
  KeyPair rsa(String role) {
    if (dir == null) {
      return LabPki.newKeyPair(LabPki.KeyType.RSA_2048);
    }
    Path file = dir.resolve(role + ".key");
    if (Files.exists(file)) {
      try {
        return pairOf(Pem.privateKey(Files.readString(file, StandardCharsets.US_ASCII)));
      } catch (IOException | RuntimeException | GeneralSecurityException e) {
        System.err.println("emu: the kept key " + file + " cannot be read (" + e.getMessage() + "); making a new one");
      }
    }
    KeyPair made = LabPki.newKeyPair(LabPki.KeyType.RSA_2048);
    try {
      save(file, Pem.encode(made.getPrivate()));
    } catch (IOException e) {
      System.err.println("emu: cannot keep the lab's key in " + file + " (" + e.getMessage() + "); the next start"
          + " makes a new one");
    }
    return made;
  }

  /** The public half of an RSA private key in CRT form (what PKCS#8 RSA keys hold). */
  private static KeyPair pairOf(PrivateKey key) throws GeneralSecurityException {
    if (!(key instanceof RSAPrivateCrtKey crt)) {
      throw new GeneralSecurityException("not an RSA key with its public exponent (" + key.getAlgorithm() + ")");
    }
    if (crt.getModulus().bitLength() != 2048 || crt.getPublicExponent().compareTo(BigInteger.ONE) <= 0) {
      throw new GeneralSecurityException("not an RSA 2048 key (" + crt.getModulus().bitLength() + " bits)");
    }
    return new KeyPair(KeyFactory.getInstance("RSA")
        .generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent())), key);
  }

  /** Writes mode 0600 under a temporary name, then moves it in place: never half a key. */
  private static void save(Path file, String pem) throws IOException {
    Path folder = file.getParent();
    if (!Files.isDirectory(folder)) {
      Files.createDirectories(folder.getParent());
      try {
        Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // another thread made it
      }
    }
    Path tmp = Files.createTempFile(folder, file.getFileName().toString(), ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
