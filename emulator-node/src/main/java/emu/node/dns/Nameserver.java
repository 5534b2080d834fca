package emu.node.dns;

import emu.node.wire.IpAddress;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv6Address;
import java.util.Objects;

/**
 * A DNS server a resolver asks, on port 53: an address of either family, and for a link-local
 * IPv6 address the interface it is reached on, written as resolv.conf and ping write it
 * ({@code fe80::53%eth0}, RFC 4007 11.2).
 *
 * @param address the server's address
 * @param zone the interface of a link-local IPv6 address, else null
 */
public record Nameserver(IpAddress address, String zone) {
  public Nameserver {
    Objects.requireNonNull(address, "address");
    if (zone != null && (address.isV4() || !address.v6().isLinkLocal())) {
      zone = null; // only a link-local address has a zone
    }
  }

  /** An IPv4 server. */
  public static Nameserver of(int v4) {
    return new Nameserver(IpAddress.of(v4), null);
  }

  /**
   * Reads {@code 192.168.1.53}, {@code 2001:db8:5::53} or {@code fe80::53%eth0}.
   *
   * @throws IllegalArgumentException with the reason, for text that is none of these, an
   *     address no server can have (unspecified, multicast, broadcast, IPv4-mapped), or a
   *     link-local address without its interface
   */
  public static Nameserver parse(String text) {
    String s = text == null ? "" : text.strip();
    int pct = s.indexOf('%');
    String zone = pct < 0 ? null : s.substring(pct + 1);
    String a = pct < 0 ? s : s.substring(0, pct);
    if (a.indexOf(':') < 0) {
      if (!Ipv4Address.isValid(a) || zone != null) {
        throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address");
      }
      int v4 = Ipv4Address.parse(a);
      if (v4 == 0 || v4 == Ipv4Address.BROADCAST || Ipv4Address.isMulticast(v4)) {
        throw new IllegalArgumentException(a + " cannot be a DNS server's address (it is "
            + (v4 == 0 ? "the unspecified address" : v4 == Ipv4Address.BROADCAST ? "the broadcast address"
            : "a multicast address") + ")");
      }
      return of(v4);
    }
    Ipv6Address v6;
    try {
      v6 = Ipv6Address.parse(a);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address (" + e.getMessage() + ")");
    }
    if (v6.isUnspecified() || v6.isMulticast() || v6.isIpv4Mapped()) {
      throw new IllegalArgumentException(v6 + " cannot be a DNS server's address (it is " + (v6.isUnspecified()
          ? "the unspecified address" : v6.isMulticast() ? "a multicast address"
          : "an IPv4-mapped address; write the IPv4 address") + ")");
    }
    if (v6.isLinkLocal() && (zone == null || zone.isEmpty())) {
      throw new IllegalArgumentException(v6 + " is link-local: name its interface, like " + v6 + "%eth0");
    }
    if (!v6.isLinkLocal() && zone != null) {
      throw new IllegalArgumentException(s + ": only a link-local address takes an interface (%" + zone + ")");
    }
    return new Nameserver(IpAddress.of(v6), zone);
  }

  public boolean isV6() {
    return !address.isV4();
  }

  /** {@code 192.168.1.53}, {@code 2001:db8:5::53}, {@code fe80::53%eth0}. */
  @Override
  public String toString() {
    return zone == null ? address.toString() : address + "%" + zone;
  }
}
