package emu.node.wire;

import io.netty.buffer.ByteBuf;

/**
 * IPv4 addresses as primitive {@code int}s (network order read as a big-endian int), which is
 * how the stack carries them on hot paths; helpers to parse, print and mask them.
 */
public final class Ipv4Address {
  public static final int ANY = 0;
  public static final int BROADCAST = 0xFFFF_FFFF;

  private Ipv4Address() {}

  /** Parses dotted-quad text; throws {@link IllegalArgumentException} naming the bad text. */
  public static int parse(String text) {
    String s = text.trim();
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
    }
    int v = 0;
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
      }
      int octet = Integer.parseInt(p);
      if (octet > 255) {
        throw new IllegalArgumentException("not an IPv4 address (octet " + octet + " > 255): '" + text + "'");
      }
      v = (v << 8) | octet;
    }
    return v;
  }

  /** True if {@code text} parses as an address. */
  public static boolean isValid(String text) {
    try {
      parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  public static String format(int addr) {
    return ((addr >>> 24) & 0xFF) + "." + ((addr >>> 16) & 0xFF) + "." + ((addr >>> 8) & 0xFF) + "." + (addr & 0xFF);
  }

  /** The netmask of a prefix length: 24 gives 255.255.255.0; 0 gives 0. */
  public static int mask(int prefixLength) {
    return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
  }

  public static boolean sameSubnet(int a, int b, int prefixLength) {
    int m = mask(prefixLength);
    return (a & m) == (b & m);
  }

  public static boolean isMulticast(int addr) {
    return (addr >>> 28) == 0xE;
  }

  public static boolean isLoopback(int addr) {
    return (addr >>> 24) == 127;
  }

  public static int read(ByteBuf buf, int index) {
    return buf.getInt(index);
  }

  public static java.net.InetAddress toInet(int addr) {
    try {
      return java.net.InetAddress.getByAddress(new byte[] {
          (byte) (addr >>> 24), (byte) (addr >>> 16), (byte) (addr >>> 8), (byte) addr});
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
