package emu.link.wire;

import io.netty.buffer.ByteBuf;

/**
 * A 48-bit IEEE 802 MAC address. Hot paths carry it as a primitive {@code long} (the low 48 bits);
 * this record is the value type for configuration, tests and printing.
 */
public record MacAddress(long bits) {
  public static final long BROADCAST_BITS = 0xFFFF_FFFF_FFFFL;
  public static final MacAddress BROADCAST = new MacAddress(BROADCAST_BITS);
  public static final MacAddress ZERO = new MacAddress(0);

  public MacAddress {
    if ((bits & ~BROADCAST_BITS) != 0) {
      throw new IllegalArgumentException("MAC address has more than 48 bits: " + Long.toHexString(bits));
    }
  }

  /** Parses {@code aa:bb:cc:dd:ee:ff} (or with dashes): six pairs of ASCII hex digits. */
  public static MacAddress parse(String text) {
    String t = text == null ? "" : text.trim();
    if (t.length() != 17) {
      throw bad(text);
    }
    char sep = t.charAt(2);
    if (sep != ':' && sep != '-') {
      throw bad(text);
    }
    long v = 0;
    for (int i = 0; i < 17; i++) {
      char c = t.charAt(i);
      if (i % 3 == 2) {
        if (c != sep) {
          throw bad(text);
        }
        continue;
      }
      int d = hexDigit(c);
      if (d < 0) {
        throw bad(text);
      }
      v = (v << 4) | d;
    }
    return new MacAddress(v);
  }

  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static IllegalArgumentException bad(String text) {
    return new IllegalArgumentException("not a MAC address (want six hex pairs like 02:00:00:00:01:00): " + text);
  }

  /** Reads six bytes at {@code index} without moving the reader index. */
  public static long read(ByteBuf buf, int index) {
    return ((long) buf.getUnsignedShort(index) << 32) | buf.getUnsignedInt(index + 2);
  }

  /** Writes six bytes at {@code index} without moving the writer index. */
  public static void write(ByteBuf buf, int index, long mac) {
    buf.setShort(index, (int) (mac >>> 32));
    buf.setInt(index + 2, (int) mac);
  }

  /** Group bit (I/G) of the first octet: broadcast and multicast frames. */
  public static boolean isMulticast(long mac) {
    return (mac & 0x0100_0000_0000L) != 0;
  }

  public static boolean isBroadcast(long mac) {
    return mac == BROADCAST_BITS;
  }

  public static String format(long mac) {
    char[] out = new char[17];
    for (int i = 0; i < 6; i++) {
      int b = (int) (mac >>> (40 - 8 * i)) & 0xFF;
      out[i * 3] = Character.forDigit(b >>> 4, 16);
      out[i * 3 + 1] = Character.forDigit(b & 0xF, 16);
      if (i < 5) {
        out[i * 3 + 2] = ':';
      }
    }
    return new String(out);
  }

  public boolean isMulticast() {
    return isMulticast(bits);
  }

  @Override
  public String toString() {
    return format(bits);
  }
}
