package emu.node.tls;

import emu.node.event.TlsEvent.KeyExchange;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Read-only parsers for the plaintext TLS handshake messages the narrator reports (RFC 8446
 * section 4, RFC 5246 section 7.4). Each takes one message body (after the 4-byte handshake
 * header) and returns a small value; a body that does not parse throws {@link Malformed},
 * never anything else. No state, no I/O.
 *
 * <pre>
 *  ClientHello: legacy_version(2) random(32) session_id(1+n) cipher_suites(2+2n)
 *               compression_methods(1+n) extensions(2+n)
 *  ServerHello: legacy_version(2) random(32) session_id(1+n) cipher_suite(2)
 *               compression_method(1) extensions(2+n)
 *  extension:   type(2) length(2) data
 * </pre>
 */
public final class TlsHandshakeMessages {
  public static final int CLIENT_HELLO = 1;
  public static final int SERVER_HELLO = 2;
  public static final int NEW_SESSION_TICKET = 4;
  public static final int ENCRYPTED_EXTENSIONS = 8;
  public static final int CERTIFICATE = 11;
  public static final int SERVER_KEY_EXCHANGE = 12;
  public static final int CERTIFICATE_REQUEST = 13;
  public static final int SERVER_HELLO_DONE = 14;
  public static final int CERTIFICATE_VERIFY = 15;
  public static final int CLIENT_KEY_EXCHANGE = 16;
  public static final int FINISHED = 20;

  static final int EXT_SERVER_NAME = 0;
  static final int EXT_SUPPORTED_GROUPS = 10;
  static final int EXT_SIGNATURE_ALGORITHMS = 13;
  static final int EXT_ALPN = 16;
  static final int EXT_SUPPORTED_VERSIONS = 43;
  static final int EXT_KEY_SHARE = 51;

  /** SHA-256("HelloRetryRequest"): the ServerHello random that marks a HelloRetryRequest (RFC 8446 4.1.3). */
  private static final byte[] HRR_RANDOM = hex("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C");

  private TlsHandshakeMessages() {}

  /** A body that is not what its type promises. */
  public static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  public record ClientHello(int legacyVersion, List<Integer> cipherSuites, String sni, List<Integer> supportedVersions,
                            List<Integer> keyShareGroups, List<Integer> supportedGroups, List<String> alpn) {}

  /** {@code selectedVersion} 0 without supported_versions; {@code keyShareGroup} -1 without key_share. */
  public record ServerHello(int legacyVersion, boolean helloRetryRequest, int cipherSuite, int selectedVersion,
                            int keyShareGroup) {
    /** The version the server chose: supported_versions if present, else legacy_version. */
    public int version() {
      return selectedVersion != 0 ? selectedVersion : legacyVersion;
    }
  }

  /** TLS 1.2 ServerKeyExchange for (EC)DHE: the group (-1 for finite-field DHE), public value size, signature. */
  public record ServerKeyExchange(int group, int publicKeyBytes, int signatureScheme) {}

  public static ClientHello clientHello(byte[] b, int off, int len) throws Malformed {
    Reader r = new Reader(b, off, len);
    int legacy = r.u16();
    r.skip(32);
    r.skip(r.u8()); // session id
    int suitesLen = r.u16();
    List<Integer> suites = new ArrayList<>();
    Reader s = r.sub(suitesLen);
    while (s.remaining() >= 2) {
      suites.add(s.u16());
    }
    r.skip(r.u8()); // compression methods
    String sni = null;
    List<Integer> versions = new ArrayList<>();
    List<Integer> shares = new ArrayList<>();
    List<Integer> groups = new ArrayList<>();
    List<String> alpn = new ArrayList<>();
    if (r.remaining() > 0) {
      Reader exts = r.sub(r.u16());
      while (exts.remaining() > 0) {
        int type = exts.u16();
        Reader e = exts.sub(exts.u16());
        switch (type) {
          case EXT_SERVER_NAME -> {
            Reader list = e.sub(e.u16());
            while (list.remaining() > 0) {
              int nameType = list.u8();
              Reader name = list.sub(list.u16());
              if (nameType == 0 && sni == null) {
                sni = name.ascii();
              }
            }
          }
          case EXT_SUPPORTED_VERSIONS -> {
            Reader list = e.sub(e.u8());
            while (list.remaining() >= 2) {
              versions.add(list.u16());
            }
          }
          case EXT_KEY_SHARE -> {
            Reader list = e.sub(e.u16());
            while (list.remaining() > 0) {
              shares.add(list.u16());
              list.skip(list.u16());
            }
          }
          case EXT_SUPPORTED_GROUPS -> {
            Reader list = e.sub(e.u16());
            while (list.remaining() >= 2) {
              groups.add(list.u16());
            }
          }
          case EXT_ALPN -> {
            Reader list = e.sub(e.u16());
            while (list.remaining() > 0) {
              alpn.add(list.sub(list.u8()).ascii());
            }
          }
          default -> {
            // not narrated
          }
        }
      }
    }
    return new ClientHello(legacy, suites, sni, versions, shares, groups, alpn);
  }

  public static ServerHello serverHello(byte[] b, int off, int len) throws Malformed {
    Reader r = new Reader(b, off, len);
    int legacy = r.u16();
    boolean hrr = r.matches(HRR_RANDOM);
    r.skip(32);
    r.skip(r.u8());
    int suite = r.u16();
    r.u8(); // compression method
    int version = 0;
    int group = -1;
    if (r.remaining() > 0) {
      Reader exts = r.sub(r.u16());
      while (exts.remaining() > 0) {
        int type = exts.u16();
        Reader e = exts.sub(exts.u16());
        if (type == EXT_SUPPORTED_VERSIONS) {
          version = e.u16();
        } else if (type == EXT_KEY_SHARE) {
          group = e.u16(); // ServerHello: group + key; HelloRetryRequest: the group alone
        }
      }
    }
    return new ServerHello(legacy, hrr, suite, version, group);
  }

  /** TLS 1.2 Certificate: the DER of each certificate, leaf first. */
  public static List<byte[]> certificates12(byte[] b, int off, int len) throws Malformed {
    Reader r = new Reader(b, off, len);
    Reader list = r.sub(r.u24());
    List<byte[]> out = new ArrayList<>();
    while (list.remaining() > 0) {
      out.add(list.bytes(list.u24()));
    }
    return out;
  }

  /** TLS 1.2 ServerKeyExchange; {@code ecdhe} from the chosen cipher suite. */
  public static ServerKeyExchange serverKeyExchange(byte[] b, int off, int len, boolean ecdhe) throws Malformed {
    Reader r = new Reader(b, off, len);
    int group = -1;
    int pub;
    if (ecdhe) {
      if (r.u8() != 3) {
        throw new Malformed("ServerKeyExchange: only named curves are narrated");
      }
      group = r.u16();
      pub = r.u8();
      r.skip(pub);
    } else {
      r.skip(r.u16()); // p
      r.skip(r.u16()); // g
      pub = r.u16();
      r.skip(pub);
    }
    int scheme = r.remaining() >= 4 ? r.u16() : -1;
    return new ServerKeyExchange(group, pub, scheme);
  }

  /**
   * TLS 1.2 ClientKeyExchange: the size of what the client sent: for RSA the encrypted
   * premaster secret (2-byte length prefix, RFC 5246 7.4.7.1), for ECDHE the public point
   * (1-byte prefix), for DHE the public value (2-byte prefix).
   */
  public static int clientKeyExchangeBytes(byte[] b, int off, int len, KeyExchange keyExchange) throws Malformed {
    Reader r = new Reader(b, off, len);
    int n = keyExchange == KeyExchange.ECDHE ? r.u8() : r.u16();
    r.skip(n);
    return n;
  }

  /** Bounds-checked reads over a byte range; running past the end is {@link Malformed}. */
  static final class Reader {
    private final byte[] b;
    private int pos;
    private final int end;

    Reader(byte[] b, int off, int len) throws Malformed {
      if (off < 0 || len < 0 || off + len > b.length) {
        throw new Malformed("range outside the buffer");
      }
      this.b = b;
      this.pos = off;
      this.end = off + len;
    }

    int remaining() {
      return end - pos;
    }

    private void need(int n) throws Malformed {
      if (n < 0 || n > end - pos) {
        throw new Malformed("truncated: needs " + n + " bytes, has " + (end - pos));
      }
    }

    int u8() throws Malformed {
      need(1);
      return b[pos++] & 0xFF;
    }

    int u16() throws Malformed {
      need(2);
      int v = ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF);
      pos += 2;
      return v;
    }

    int u24() throws Malformed {
      need(3);
      int v = ((b[pos] & 0xFF) << 16) | ((b[pos + 1] & 0xFF) << 8) | (b[pos + 2] & 0xFF);
      pos += 3;
      return v;
    }

    void skip(int n) throws Malformed {
      need(n);
      pos += n;
    }

    Reader sub(int n) throws Malformed {
      need(n);
      Reader r = new Reader(b, pos, n);
      pos += n;
      return r;
    }

    byte[] bytes(int n) throws Malformed {
      need(n);
      byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + n);
      pos += n;
      return out;
    }

    String ascii() {
      String s = new String(b, pos, end - pos, StandardCharsets.US_ASCII);
      pos = end;
      return s;
    }

    boolean matches(byte[] expected) {
      if (end - pos < expected.length) {
        return false;
      }
      for (int i = 0; i < expected.length; i++) {
        if (b[pos + i] != expected[i]) {
          return false;
        }
      }
      return true;
    }
  }

  private static byte[] hex(String s) {
    byte[] out = new byte[s.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }
}
