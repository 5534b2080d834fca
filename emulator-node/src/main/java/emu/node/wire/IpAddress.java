package emu.node.wire;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An address of either family, as a dual-stack socket holds it: 128 bits, an IPv4 address as
 * the IPv4-mapped IPv6 address {@code ::ffff:a.b.c.d} (RFC 4291 2.5.5.2). Transport code keys
 * and compares the two longs, so one connection table serves both families without allocating
 * per packet; {@link #toString()} writes each family as its users expect.
 */
public record IpAddress(long hi, long lo) {
  /** The upper 32 bits of an IPv4-mapped address's low half: {@code ::ffff:0:0/96}. */
  public static final long V4_MAPPED = 0x0000_FFFF_0000_0000L;
  /** 0.0.0.0: any IPv4 address of this node. */
  public static final IpAddress ANY4 = of(0);
  /** ::, any address of this node, either family. */
  public static final IpAddress ANY6 = new IpAddress(0, 0);

  public static IpAddress of(int v4) {
    return new IpAddress(0, v4Lo(v4));
  }

  public static IpAddress of(Ipv6Address a) {
    return new IpAddress(a.hi(), a.lo());
  }

  /** The low half of the IPv4 address {@code v4} as this class holds it. */
  public static long v4Lo(int v4) {
    return V4_MAPPED | (v4 & 0xFFFF_FFFFL);
  }

  /** True if {@code hi:lo} is an IPv4 address held this way. */
  public static boolean isV4(long hi, long lo) {
    return hi == 0 && (lo & 0xFFFF_FFFF_0000_0000L) == V4_MAPPED;
  }

  /** Parses either family's text: a.b.c.d, or any RFC 4291 form of an IPv6 address. */
  public static IpAddress parse(String text) {
    return text.indexOf(':') >= 0 ? of(Ipv6Address.parse(text)) : of(Ipv4Address.parse(text));
  }

  public static IpAddress of(InetAddress a) {
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      return of(((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF));
    }
    return of(Ipv6Address.of(b));
  }

  public boolean isV4() {
    return isV4(hi, lo);
  }

  /** The IPv4 address; only for {@link #isV4()}. */
  public int v4() {
    return (int) lo;
  }

  /** The IPv6 address (an IPv4 one as its mapped form). */
  public Ipv6Address v6() {
    return new Ipv6Address(hi, lo);
  }

  /** 0.0.0.0 or ::. */
  public boolean isAny() {
    return isV4() ? v4() == 0 : hi == 0 && lo == 0;
  }

  public InetAddress toInet() {
    try {
      return isV4() ? Ipv4Address.toInet(v4()) : Inet6Address.getByAddress(null, v6().bytes(), null);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // cannot happen: the bytes have the right length
    }
  }

  /** {@code a.b.c.d:port} or {@code [v6]:port}, as ss and most tools write a socket. */
  public String withPort(int port) {
    return isV4() ? this + ":" + port : "[" + this + "]:" + port;
  }

  @Override
  public String toString() {
    return isV4() ? Ipv4Address.format(v4()) : v6().toString();
  }
}
