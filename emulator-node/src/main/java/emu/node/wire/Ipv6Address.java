package emu.node.wire;

import io.netty.buffer.ByteBuf;

/**
 * An IPv6 address (RFC 4291) as two longs, the high and the low 64 bits in network order read
 * big-endian: compared, masked and hashed without allocation on the packet path, read and written
 * in place with {@link #read} and {@link #write}. Text follows RFC 5952 (lower case, no leading
 * zeros, the longest run of two or more zero groups as {@code ::}, the first of equal runs;
 * IPv4-mapped addresses as {@code ::ffff:192.0.2.1}); parsing accepts every RFC 4291 section 2.2
 * form, including an IPv4 tail.
 */
public record Ipv6Address(long hi, long lo) implements Comparable<Ipv6Address> {
  public static final Ipv6Address UNSPECIFIED = new Ipv6Address(0, 0);
  public static final Ipv6Address LOOPBACK = new Ipv6Address(0, 1);
  /** ff02::1, all nodes on the link (RFC 4291 2.7.1). */
  public static final Ipv6Address ALL_NODES = new Ipv6Address(0xff02_0000_0000_0000L, 1);
  /** ff02::2, all routers on the link. */
  public static final Ipv6Address ALL_ROUTERS = new Ipv6Address(0xff02_0000_0000_0000L, 2);
  /** Bytes on the wire. */
  public static final int LEN = 16;

  /** Reads the 16 bytes at {@code index}. */
  public static Ipv6Address read(ByteBuf buf, int index) {
    return new Ipv6Address(buf.getLong(index), buf.getLong(index + 8));
  }

  /** Writes the address's 16 bytes at {@code index}. */
  public void write(ByteBuf buf, int index) {
    buf.setLong(index, hi);
    buf.setLong(index + 8, lo);
  }

  /** True if the 16 bytes at {@code index} are this address (no allocation). */
  public boolean equalsAt(ByteBuf buf, int index) {
    return buf.getLong(index) == hi && buf.getLong(index + 8) == lo;
  }

  public byte[] bytes() {
    byte[] b = new byte[LEN];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (hi >>> (56 - 8 * i));
      b[8 + i] = (byte) (lo >>> (56 - 8 * i));
    }
    return b;
  }

  public static Ipv6Address of(byte[] b) {
    if (b.length != LEN) {
      throw new IllegalArgumentException("an IPv6 address has 16 bytes, not " + b.length);
    }
    long h = 0;
    long l = 0;
    for (int i = 0; i < 8; i++) {
      h = (h << 8) | (b[i] & 0xFF);
      l = (l << 8) | (b[8 + i] & 0xFF);
    }
    return new Ipv6Address(h, l);
  }

  /** The 16-bit group {@code i} (0..7). */
  public int group(int i) {
    long w = i < 4 ? hi : lo;
    return (int) (w >>> (48 - 16 * (i & 3))) & 0xFFFF;
  }

  // ---- kinds (RFC 4291 2.4) ----

  public boolean isUnspecified() {
    return hi == 0 && lo == 0;
  }

  public boolean isLoopback() {
    return hi == 0 && lo == 1;
  }

  /** ff00::/8. */
  public boolean isMulticast() {
    return (hi >>> 56) == 0xFF;
  }

  /** fe80::/10. */
  public boolean isLinkLocal() {
    return isLinkLocal(hi);
  }

  /** fe80::/10, from an address's upper half (no object needed: the forwarding path asks). */
  public static boolean isLinkLocal(long hi) {
    return (hi >>> 54) == (0xFE80L >>> 6);
  }

  /** ::ffff:0:0/96, an IPv4 address in IPv6 clothes (RFC 4291 2.5.5.2). */
  public boolean isIpv4Mapped() {
    return hi == 0 && (lo >>> 32) == 0xFFFFL;
  }

  /** A unicast address a node may use as its own global or link-local address. */
  public boolean isUnicast() {
    return !isMulticast() && !isUnspecified();
  }

  // ---- derived addresses ----

  /**
   * The solicited-node multicast address of this one (RFC 4291 2.7.1): ff02::1:ffXX:XXXX with
   * the low 24 bits of the address.
   */
  public Ipv6Address solicitedNode() {
    return new Ipv6Address(0xff02_0000_0000_0000L, 0x0000_0001_ff00_0000L | (lo & 0xFF_FFFFL));
  }

  /** The Ethernet multicast MAC of a multicast address (RFC 2464 7): 33:33 and its low 32 bits. */
  public long multicastMac() {
    return 0x3333_0000_0000L | (lo & 0xFFFF_FFFFL);
  }

  /**
   * The modified EUI-64 interface identifier of a 48-bit MAC (RFC 4291 appendix A): ff:fe in the
   * middle and the universal/local bit inverted.
   */
  public static long eui64(long mac) {
    long id = ((mac & 0xFFFF_FF00_0000L) << 16) | 0x0000_00FF_FE00_0000L | (mac & 0xFF_FFFFL);
    return id ^ 0x0200_0000_0000_0000L;
  }

  /** fe80::/64 with the EUI-64 identifier of {@code mac}: the link-local address Linux forms by default. */
  public static Ipv6Address linkLocal(long mac) {
    return new Ipv6Address(0xfe80_0000_0000_0000L, eui64(mac));
  }

  // ---- prefixes ----

  /** The address with all but the first {@code prefixLength} bits cleared. */
  public Ipv6Address masked(int prefixLength) {
    return new Ipv6Address(hi & maskHi(prefixLength), lo & maskLo(prefixLength));
  }

  /** True if the first {@code prefixLength} bits of both are equal. */
  public boolean samePrefix(Ipv6Address other, int prefixLength) {
    return ((hi ^ other.hi) & maskHi(prefixLength)) == 0 && ((lo ^ other.lo) & maskLo(prefixLength)) == 0;
  }

  public static long maskHi(int prefixLength) {
    return prefixLength <= 0 ? 0 : prefixLength >= 64 ? -1L : -1L << (64 - prefixLength);
  }

  public static long maskLo(int prefixLength) {
    return prefixLength <= 64 ? 0 : prefixLength >= 128 ? -1L : -1L << (128 - prefixLength);
  }

  /** The number of leading bits the two addresses share (RFC 6724's CommonPrefixLen). */
  public int commonPrefixLength(Ipv6Address other) {
    long x = hi ^ other.hi;
    if (x != 0) {
      return Long.numberOfLeadingZeros(x);
    }
    return 64 + Math.min(64, Long.numberOfLeadingZeros(lo ^ other.lo));
  }

  @Override
  public int compareTo(Ipv6Address o) {
    int c = Long.compareUnsigned(hi, o.hi);
    return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
  }

  // ---- text ----

  /** True if {@code text} is an IPv6 address in any RFC 4291 form. */
  public static boolean isValid(String text) {
    try {
      parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Parses RFC 4291 text: eight groups of up to four hex digits, one {@code ::} for a run of zero
   * groups, optionally an IPv4 dotted quad for the last 32 bits. Throws
   * {@link IllegalArgumentException} naming the text.
   */
  public static Ipv6Address parse(String text) {
    String s = text.trim();
    int[] groups = new int[8];
    int n = 0;
    int gap = -1; // where "::" stands, in groups
    int i = 0;
    int len = s.length();
    if (len < 2) {
      throw bad(text);
    }
    if (s.startsWith("::")) {
      gap = 0;
      i = 2;
    } else if (s.charAt(0) == ':') {
      throw bad(text);
    }
    while (i < len) {
      if (n == 8) {
        throw bad(text);
      }
      int end = i;
      while (end < len && s.charAt(end) != ':') {
        end++;
      }
      String part = s.substring(i, end);
      if (part.indexOf('.') >= 0) {
        if (end != len || n > 6) {
          throw bad(text);
        }
        int v4;
        try {
          v4 = Ipv4Address.parse(part);
        } catch (IllegalArgumentException e) {
          throw bad(text);
        }
        groups[n++] = v4 >>> 16;
        groups[n++] = v4 & 0xFFFF;
        i = end;
        break;
      }
      if (part.isEmpty() || part.length() > 4) {
        throw bad(text);
      }
      int g = 0;
      for (int k = 0; k < part.length(); k++) {
        char c = part.charAt(k);
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) {
          throw bad(text);
        }
        g = (g << 4) | d;
      }
      groups[n++] = g;
      if (end == len) {
        i = end;
        break;
      }
      // at a ':'
      if (end + 1 < len && s.charAt(end + 1) == ':') {
        if (gap >= 0) {
          throw bad(text); // a second "::"
        }
        gap = n;
        i = end + 2;
      } else if (end + 1 == len) {
        throw bad(text); // a trailing single ':'
      } else {
        i = end + 1;
      }
    }
    int[] full = new int[8];
    if (gap < 0) {
      if (n != 8) {
        throw bad(text);
      }
      full = groups;
    } else {
      if (n > 7) {
        throw bad(text); // "::" must stand for at least one group
      }
      int tail = n - gap;
      System.arraycopy(groups, 0, full, 0, gap);
      System.arraycopy(groups, gap, full, 8 - tail, tail);
    }
    long h = 0;
    long l = 0;
    for (int k = 0; k < 4; k++) {
      h = (h << 16) | full[k];
      l = (l << 16) | full[4 + k];
    }
    return new Ipv6Address(h, l);
  }

  private static IllegalArgumentException bad(String text) {
    return new IllegalArgumentException("not an IPv6 address: '" + text + "'");
  }

  /** RFC 5952's canonical text. */
  @Override
  public String toString() {
    if (isIpv4Mapped()) {
      return "::ffff:" + Ipv4Address.format((int) lo);
    }
    int bestStart = -1;
    int bestLen = 1; // a single zero group is not compressed (RFC 5952 4.2.2)
    for (int g = 0; g < 8; ) {
      if (group(g) != 0) {
        g++;
        continue;
      }
      int e = g;
      while (e < 8 && group(e) == 0) {
        e++;
      }
      if (e - g > bestLen) {
        bestStart = g;
        bestLen = e - g;
      }
      g = e;
    }
    StringBuilder sb = new StringBuilder(39);
    for (int g = 0; g < 8; g++) {
      if (g == bestStart) {
        sb.append("::");
        g += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(group(g)));
    }
    return sb.toString();
  }
}
