package emu.control.plan;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Nodes' own keys derived from one lab master key: {@code key(NODE) = hex(HMAC-SHA256(master,
 * "emu node key\n" NODE))}, the extract-free form of HKDF's expand step (RFC 5869; the master is
 * already 32 uniformly random bytes, so no extract step is needed).
 *
 * <p>Why, on Kubernetes: the control pod signs every request to a node with that node's key
 * (emu.node.mgmt.MgmtAuth), so it needs them all, and one Secret listing 10,000 nodes' keys grows
 * with the lab (some 700 KB of JSON there, and the Secret also held every node's TLS key, which
 * pushed it past Kubernetes' 1 MiB object limit). With derivation the control pod gets the master
 * alone, a Secret of constant size, and each node pod gets only its own derived key in its own
 * Secret. The hardening of issue 20 holds: keys are distinct per node (distinct HMAC inputs), and
 * a node that knows its key learns nothing of the master or of another node's key (HMAC-SHA256 is
 * a PRF), so it can sign for no other node.
 *
 * <p>Local labs keep one independent random key per node (LabPlanner.newNodeKey): the control
 * process there reads each key from the lab's state file, where 1,000 keys are 64 KB, and a lab
 * on one machine has no object size limit to meet.
 */
public final class NodeKeys {
  private static final String LABEL = "emu node key\n";

  private final byte[] master;

  private NodeKeys(byte[] master) {
    if (master.length < 32) {
      throw new IllegalArgumentException("a lab master key is at least 32 bytes (64 hex digits), not " + master.length);
    }
    this.master = master.clone();
  }

  /** A fresh master key: 32 bytes from a CSPRNG. */
  public static NodeKeys generate() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return new NodeKeys(b);
  }

  /** The master key as hex (a Secret's entry). */
  public static NodeKeys fromHex(String hex) {
    try {
      return new NodeKeys(HexFormat.of().parseHex(hex.strip()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the lab master key is not hex: " + e.getMessage(), e);
    }
  }

  public String hex() {
    return HexFormat.of().formatHex(master);
  }

  /** The key of node {@code node}, as hex, as a node's configuration carries it. */
  public String of(String node) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(master, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal((LABEL + node).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no HmacSHA256 in this JVM", e); // every Java SE has it
    }
  }
}
