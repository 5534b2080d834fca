package emu.node.tls;

import emu.node.event.TlsEvent.Agreement;
import emu.node.event.TlsEvent.KeyExchange;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.HandshakeType;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.SignatureScheme;

/**
 * IANA names for the numbers on the TLS wire (cipher suites, versions, groups, alerts,
 * handshake types, signature schemes), so the narrative says TLS_AES_128_GCM_SHA256 and
 * x25519 rather than 0x1301 and 29. The tables are Bouncy Castle's; unknown numbers print as
 * hex, and GREASE values (RFC 8701) as "GREASE".
 */
public final class TlsNames {
  private static final Map<Integer, String> SUITES = suites();

  private TlsNames() {}

  private static Map<Integer, String> suites() {
    Map<Integer, String> m = new HashMap<>();
    for (Field f : CipherSuite.class.getFields()) {
      int mod = f.getModifiers();
      if (Modifier.isStatic(mod) && f.getType() == int.class && f.getName().startsWith("TLS_")) {
        try {
          m.putIfAbsent(f.getInt(null), f.getName());
        } catch (IllegalAccessException e) {
          // not readable: that suite prints as hex
        }
      }
    }
    return m;
  }

  /** RFC 8701: 0x0A0A, 0x1A1A, ... 0xFAFA. */
  public static boolean isGrease(int v) {
    return (v & 0x0F0F) == 0x0A0A && (v >> 8) == (v & 0xFF);
  }

  public static String cipherSuite(int code) {
    if (isGrease(code)) {
      return "GREASE";
    }
    String n = SUITES.get(code);
    return n != null ? n : hex(code);
  }

  /** True for TLS 1.2 suites whose key exchange is RSA key transport (TLS_RSA_WITH_...). */
  public static boolean isRsaKeyTransport(String suite) {
    return suite != null && suite.startsWith("TLS_RSA_WITH_");
  }

  /** The key exchange a TLS 1.2 suite names (UNKNOWN for none, or a null suite). */
  public static KeyExchange keyExchange(String suite) {
    if (suite == null) {
      return KeyExchange.UNKNOWN;
    }
    if (isRsaKeyTransport(suite)) {
      return KeyExchange.RSA;
    }
    if (suite.startsWith("TLS_ECDHE_")) {
      return KeyExchange.ECDHE;
    }
    if (suite.startsWith("TLS_DHE_")) {
      return KeyExchange.DHE;
    }
    return KeyExchange.UNKNOWN;
  }

  public static String version(int v) {
    return switch (v) {
      case 0x0304 -> "TLS 1.3";
      case 0x0303 -> "TLS 1.2";
      case 0x0302 -> "TLS 1.1";
      case 0x0301 -> "TLS 1.0";
      case 0x0300 -> "SSL 3.0";
      default -> isGrease(v) ? "GREASE" : hex(v);
    };
  }

  public static String group(int g) {
    if (isGrease(g)) {
      return "GREASE";
    }
    String n = NamedGroup.getStandardName(g);
    if (n == null) {
      n = NamedGroup.getName(g);
    }
    return n == null || n.startsWith("UNKNOWN") ? hex(g) : n;
  }

  /** The kind of a TLS 1.3 key-share group: (EC)DHE, ML-KEM, or a hybrid of both. */
  public static Agreement groupKind(int g) {
    String n = group(g).toLowerCase(Locale.ROOT);
    if (n.contains("mlkem")) {
      return n.startsWith("mlkem") ? Agreement.ML_KEM : Agreement.HYBRID_ECDHE_ML_KEM;
    }
    return n.startsWith("ffdhe") ? Agreement.DHE : Agreement.ECDHE;
  }

  public static String alert(int description) {
    String n = AlertDescription.getName((short) description);
    return n == null || n.startsWith("UNKNOWN") ? "alert " + description : n;
  }

  /** The number of an alert description named as {@link #alert} names it, or -1. */
  public static int alertCode(String name) {
    for (int d = 0; d < 256; d++) {
      if (alert(d).equals(name)) {
        return d;
      }
    }
    return -1;
  }

  public static String alertLevel(int level) {
    return switch (level) {
      case 1 -> "warning";
      case 2 -> "fatal";
      default -> "level " + level;
    };
  }

  public static String handshakeType(int type) {
    String n = HandshakeType.getName((short) type);
    return n == null || n.startsWith("UNKNOWN") ? "handshake type " + type : n;
  }

  public static String signatureScheme(int s) {
    String n = SignatureScheme.getName(s);
    return n == null || n.startsWith("UNKNOWN") ? hex(s) : n;
  }

  static String hex(int v) {
    return String.format(Locale.ROOT, "0x%04x", v);
  }
}
