package emu.control.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.state.EmuHome;
import emu.control.topology.HttpsSpec;
import emu.node.tls.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lab's RSA keys are kept from one start to the next, only its owner can read them, a damaged
 * one is replaced, and {@code fresh} makes new ones; the certificates are new at every start.
 */
class LabKeysTest {
  @AfterEach
  void clear() {
    System.clearProperty("emu.labKeys");
  }

  @Test
  void aKeyIsKeptOwnerOnlyAndADamagedOneReplaced(@TempDir Path dir) throws Exception {
    Path keys = dir.resolve("keys").resolve("lab1");
    KeyPair first = LabKeys.in(keys).rsa("lab-ca");
    KeyPair again = LabKeys.in(keys).rsa("lab-ca");
    assertEquals(first.getPublic(), again.getPublic(), "the kept key comes back");
    assertEquals(first.getPrivate(), again.getPrivate());
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys)));
    Path file = keys.resolve("lab-ca.key");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    try (Stream<Path> files = Files.list(keys)) {
      assertEquals(List.of(file), files.toList(), "no temporary file left");
    }
    assertNotEquals(first.getPublic(), LabKeys.in(keys).rsa("other").getPublic(), "another role, another key");

    String pem = Files.readString(file);
    Files.writeString(file, pem.substring(0, pem.length() / 2));
    KeyPair replaced = LabKeys.in(keys).rsa("lab-ca");
    assertNotEquals(first.getPublic(), replaced.getPublic(), "half a key is not used");
    assertEquals(replaced.getPrivate(), Pem.privateKey(Files.readString(file)), "and the new one is kept");
  }

  @Test
  void aLabInTheStateFolderKeepsItsKeysAndGetsNewCertificates(@TempDir Path out) throws Exception {
    String lab = "keystest-" + ProcessHandle.current().pid();
    Path state = EmuHome.lab(lab);
    Path kept = EmuHome.state().resolve("keys").resolve(lab);
    HttpsSpec https = new HttpsSpec(443, List.of("web.example"), java.util.Map.of(), "1.3", "bc", "valid",
        HttpsSpec.DEFAULT_IDLE_TIMEOUT_NANOS);
    try {
      LabSecrets one = new LabSecrets(lab, state, out, List.of("web"));
      var web1 = one.issue("web", https);
      LabSecrets two = new LabSecrets(lab, state, out, List.of("web"));
      var web2 = two.issue("web", https);
      X509Certificate ca1 = Pem.certificates(one.trustPem()).get(0);
      X509Certificate ca2 = Pem.certificates(two.trustPem()).get(0);
      assertEquals(ca1.getPublicKey(), ca2.getPublicKey(), "the lab CA's key was kept");
      assertNotEquals(ca1.getSerialNumber(), ca2.getSerialNumber(), "its certificate is new");
      assertEquals(Pem.privateKey(web1.keyPem()), Pem.privateKey(web2.keyPem()), "the service's key was kept");
      X509Certificate leaf2 = Pem.certificates(web2.certChainPem()).get(0);
      leaf2.verify(ca2.getPublicKey());
      assertTrue(Files.exists(kept.resolve("lab-ca.key")) && Files.exists(kept.resolve("https-web.key")));

      System.setProperty("emu.labKeys", "fresh");
      LabSecrets three = new LabSecrets(lab, state, out, List.of("web"));
      assertNotEquals(ca1.getPublicKey(), Pem.certificates(three.trustPem()).get(0).getPublicKey(),
          "fresh: a new CA key");
      assertNotEquals(Pem.privateKey(web1.keyPem()), Pem.privateKey(three.issue("web", https).keyPem()));
    } finally {
      for (Path p : List.of(state, kept)) {
        if (Files.exists(p)) {
          try (Stream<Path> all = Files.walk(p)) {
            for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
              Files.delete(f);
            }
          }
        }
      }
    }
  }

  @Test
  void theSettingIsKeepOrFresh() {
    assertTrue(LabKeys.keep() || System.getenv(LabKeys.SETTING) != null);
    System.setProperty("emu.labKeys", "Fresh");
    assertFalse(LabKeys.keep() && System.getenv(LabKeys.SETTING) == null);
    System.setProperty("emu.labKeys", "always");
    if (System.getenv(LabKeys.SETTING) == null) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, LabKeys::keep);
      assertEquals("EMU_LAB_KEYS must be keep (the default: a lab's RSA keys are kept from one start to the next)"
          + " or fresh (new keys at every start), not 'always'", e.getMessage());
    }
  }
}
