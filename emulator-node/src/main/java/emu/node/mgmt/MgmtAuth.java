package emu.node.mgmt;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How the control plane and a node prove to each other that each knows the node's own key,
 * without the key ever crossing the wire. A management port is a plain TCP port on the host:
 * when the node is gone (killed, crashed) any local program may bind it, and must then learn
 * nothing it could use, nor be believed.
 *
 * <p>Request: {@code Authorization: EMU-HMAC-SHA256 time=MS, nonce=N, mac=M} with
 * {@code M = base64url(HMAC-SHA256(key, "emu-req\n" METHOD "\n" HOST "\n" PATH?QUERY "\n" MS "\n"
 * N "\n" hex(SHA-256(body))))}: the request as a whole (its target, its body, the Host it was sent
 * to) is signed, so a squatter can neither change it nor replay it to the real node on another
 * port (the node checks the Host's port is its own), and the node refuses a time more than
 * {@link #WINDOW_MS} off its clock or a nonce it has seen within that window.
 *
 * <p>Response: every answer of the node, refusals included, carries
 * {@code Emu-Node-Proof: base64url(HMAC-SHA256(key, "emu-resp\n" M "\n" STATUS "\n" PORT))}
 * for the request's mac M and the port the node listens on; the client believes nothing before
 * checking it against its own M and the port it dialled. Binding the proof to the whole request's
 * mac and to the port keeps a squatter from borrowing one: it cannot get the real node (on its
 * new port) to prove anything for the squatter's port, nor for a request it made up around a
 * nonce it saw. The "emu-req" and "emu-resp" prefixes keep one kind of MAC from ever standing
 * for the other.
 *
 * <p>A node started from a pinned port ({@code mgmt-port:}) gets the same port back after a
 * restart, and its memory of nonces starts empty: {@link Verifier#notBefore} refuses whatever
 * was signed before the node started, so a request a squatter caught while the node was down
 * cannot be replayed to it then.
 */
public final class MgmtAuth {
  public static final String SCHEME = "EMU-HMAC-SHA256";
  public static final String PROOF_HEADER = "Emu-Node-Proof";
  /** How far a request's time may be from the node's clock (either way), and how long nonces are kept. */
  public static final long WINDOW_MS = 120_000;
  /** Nonces remembered at most; past this the oldest go and nothing at or before their time is taken. */
  static final int MAX_NONCES = 50_000;

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final SecureRandom RANDOM = new SecureRandom();

  private MgmtAuth() {}

  /** A fresh nonce: 16 random bytes, base64url. */
  public static String nonce() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return B64.encodeToString(b);
  }

  /** The Authorization header's value for this request. */
  public static String authorization(byte[] key, String method, String host, String target, long timeMs,
                                     String nonce, byte[] body) {
    return SCHEME + " time=" + timeMs + ", nonce=" + nonce + ", mac="
        + B64.encodeToString(hmac(key, requestText(method, host, target, timeMs, nonce, body)));
  }

  /**
   * The proof header's value for an answer with {@code status} to the request signed {@code mac}
   * (its Authorization's mac, "" if it had none), from the server listening on {@code port}.
   */
  public static String proof(byte[] key, String mac, int status, int port) {
    return B64.encodeToString(hmac(key, "emu-resp\n" + mac + "\n" + status + "\n" + port));
  }

  /**
   * True if {@code header} is the proof for {@code status} to the request with this
   * {@code authorization}, from a server on {@code port} (compared in constant time).
   */
  public static boolean proves(byte[] key, String authorization, int status, int port, String header) {
    return header != null && MessageDigest.isEqual(
        proof(key, macOf(authorization), status, port).getBytes(StandardCharsets.US_ASCII),
        header.trim().getBytes(StandardCharsets.US_ASCII));
  }

  /** The mac of an Authorization header of this scheme, or "" if it has none. */
  public static String macOf(String authorization) {
    String mac = Signed.parse(authorization).mac();
    return mac == null ? "" : mac;
  }

  private static String requestText(String method, String host, String target, long timeMs, String nonce,
                                    byte[] body) {
    return "emu-req\n" + method + "\n" + host + "\n" + target + "\n" + timeMs + "\n" + nonce + "\n" + sha256Hex(body);
  }

  static String sha256Hex(byte[] body) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e); // every Java SE has it
    }
  }

  private static byte[] hmac(byte[] key, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no HmacSHA256 in this JVM", e); // every Java SE has it
    }
  }

  /** A request's parsed Authorization header; {@code nonce} null if it did not parse. */
  record Signed(long time, String nonce, String mac) {
    static Signed parse(String header) {
      if (header == null || !header.startsWith(SCHEME + " ")) {
        return new Signed(0, null, null);
      }
      Long time = null;
      String nonce = null;
      String mac = null;
      for (String part : header.substring(SCHEME.length() + 1).split(",")) {
        int eq = part.indexOf('=');
        if (eq < 0) {
          return new Signed(0, null, null);
        }
        String k = part.substring(0, eq).trim();
        String v = part.substring(eq + 1).trim();
        switch (k) {
          case "time" -> {
            try {
              time = Long.parseLong(v);
            } catch (NumberFormatException e) {
              return new Signed(0, null, null);
            }
          }
          case "nonce" -> nonce = v;
          case "mac" -> mac = v;
          default -> {
            // an unknown parameter: ignored, as HTTP auth schemes do
          }
        }
      }
      if (time == null || nonce == null || mac == null || nonce.isEmpty() || nonce.length() > 64) {
        return new Signed(0, null, null);
      }
      return new Signed(time, nonce, mac);
    }
  }

  /**
   * The node's side: checks requests against its key, its clock and the nonces it has seen.
   * Not thread-safe: the management server calls it on the node's event loop only.
   */
  public static final class Verifier {
    private final byte[] key;
    private final LongSupplier clock;
    private final Set<String> seen = new HashSet<>();
    private final PriorityQueue<Seen> byTime = new PriorityQueue<>();
    /** Nonces at or before this time were forgotten to bound memory: such requests are refused. */
    private long floor = Long.MIN_VALUE;
    /** Requests signed before this time (the node's start) are refused; see the class comment. */
    private long notBefore = Long.MIN_VALUE;

    private record Seen(long time, String nonce) implements Comparable<Seen> {
      @Override
      public int compareTo(Seen o) {
        return Long.compare(time, o.time);
      }
    }

    /** @param clock milliseconds since the epoch (the wall clock: the control plane's is another process's) */
    public Verifier(byte[] key, LongSupplier clock) {
      this.key = key.clone();
      this.clock = clock;
    }

    /**
     * Refuses requests signed before {@code epochMs}: the node's start, for a node whose requests
     * are signed on the same machine's clock (over TLS the squatter gets no signed request).
     */
    public void notBefore(long epochMs) {
      this.notBefore = epochMs;
    }

    /** What checking a request came to: {@code refusal} null if it is the control plane's. */
    public record Outcome(String nonce, String refusal) {}

    /**
     * Checks a request.
     *
     * @param ownPort the port this server listens on: a request signed for another port was
     *     meant for another server (a squatter's catch being replayed here)
     */
    public Outcome check(String authorization, String method, String host, String target, byte[] body,
                         int ownPort) {
      Signed s = Signed.parse(authorization);
      if (s.nonce() == null) {
        return new Outcome("", "missing or malformed Authorization (want " + SCHEME + " time=..., nonce=..., mac=...:"
            + " a request signed with this node's key)");
      }
      long now = clock.getAsLong();
      if (Math.abs(now - s.time()) > WINDOW_MS) {
        return new Outcome(s.nonce(), "request time " + s.time() + " is " + Math.abs(now - s.time()) / 1000
            + " s off this node's clock (at most " + WINDOW_MS / 1000 + " s: are the hosts' clocks set?)");
      }
      byte[] want = hmac(key, requestText(method, host, target, s.time(), s.nonce(), body));
      byte[] got;
      try {
        got = Base64.getUrlDecoder().decode(s.mac());
      } catch (IllegalArgumentException e) {
        got = new byte[0];
      }
      if (!MessageDigest.isEqual(want, got)) {
        return new Outcome(s.nonce(), "wrong mac: not signed with this node's key");
      }
      int colon = host.lastIndexOf(':');
      if (colon < 0 || !host.substring(colon + 1).equals(Integer.toString(ownPort))) {
        return new Outcome(s.nonce(), "request signed for " + host + ", not for this node's port " + ownPort);
      }
      if (s.time() < notBefore) {
        return new Outcome(s.nonce(), "request signed before this node started (a replayed request)");
      }
      while (!byTime.isEmpty() && byTime.peek().time() < now - WINDOW_MS) {
        seen.remove(byTime.poll().nonce());
      }
      if (s.time() <= floor || seen.contains(s.nonce())) {
        return new Outcome(s.nonce(), "replayed request (nonce already used)");
      }
      if (seen.size() >= MAX_NONCES) {
        Seen oldest = byTime.poll();
        seen.remove(oldest.nonce());
        floor = Math.max(floor, oldest.time());
      }
      seen.add(s.nonce());
      byTime.add(new Seen(s.time(), s.nonce()));
      return new Outcome(s.nonce(), null);
    }

    /** The proof for an answer with {@code status} to the request signed {@code mac}, from {@code port}. */
    public String proof(String mac, int status, int port) {
      return MgmtAuth.proof(key, mac, status, port);
    }
  }
}
