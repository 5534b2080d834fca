package emu.node.apps.service;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * What {@code bulk client} and {@code bulk server} say to each other over TCP. The client
 * sends an 8-byte length N (its top bit, {@link #VERIFY_BIT}, set when it wants the bytes
 * verified), then N bytes; after N bytes the server answers with {@value #DIGEST_BYTES} bytes,
 * the SHA-256 of what it received (zeros when no verification was asked, so that a plain
 * goodput test does not pay for hashing, as iperf does not), and closes.
 */
public final class BulkProtocol {
  /** The length's top bit: the client asks for the SHA-256 of what the server receives. */
  public static final long VERIFY_BIT = 1L << 63;
  /** The length the client sends first. */
  public static final int HEADER_BYTES = 8;
  /** The server's answer: a SHA-256. */
  public static final int DIGEST_BYTES = 32;

  private BulkProtocol() {}

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
