package emu.control.topology;

import emu.link.wire.MacAddress;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Cidr;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks of single values (names, addresses, MACs) that need no context; each throws
 * {@link IllegalArgumentException} whose message says what is wrong and how to write it.
 */
final class Values {
  /** Checks {@code host:port} (an IPv4 address and a port 1..65535); throws with the reason. */
  static void hostPort(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("'" + text + "' is not ADDRESS:PORT, such as 127.0.0.1:40100");
    }
    address(text.substring(0, colon));
    try {
      int p = Integer.parseInt(text.substring(colon + 1));
      if (p < 1 || p > 65535) {
        throw new IllegalArgumentException("port " + p + " in '" + text + "' is outside 1..65535");
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' does not end with a port number");
    }
  }

  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");
  static final Pattern IFNAME = Pattern.compile("[a-z][a-z0-9]{0,14}");
  static final String NAME_RULE = "use 1-40 characters of a-z, 0-9, '_' and '-', starting with a letter or digit";
  static final String IFNAME_RULE = "use a lower-case letter then up to 14 letters or digits, like eth0 or p1";
  /**
   * A VLAN subinterface's name as Linux's convention writes it, PARENT.VID ({@code eth0.10}); the
   * VID is checked on its own (so that {@code eth0.x} or {@code eth0.4095} gets its own message).
   */
  static final Pattern SUBIF = Pattern.compile("([a-z][a-z0-9]{0,14})\\.([^.]*)");
  /**
   * The VLAN in a subinterface's name: 1 to 4 digits, no leading zero (Linux names VLAN 10's device
   * eth0.10, never eth0.010); {@link SubinterfaceBinder} says which rule a declared name breaks.
   */
  static final Pattern VID = Pattern.compile("[1-9][0-9]{0,3}");
  /** Linux's limit on a device name (IFNAMSIZ less the terminating NUL). */
  static final int IFNAME_MAX = 15;

  /** True for an interface name, or a VLAN subinterface's PARENT.VID (numeric VID) within Linux's 15 characters. */
  static boolean isIfname(String name) {
    if (IFNAME.matcher(name).matches()) {
      return true;
    }
    Matcher m = SUBIF.matcher(name);
    return m.matches() && name.length() <= IFNAME_MAX && VID.matcher(m.group(2)).matches();
  }

  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
  private static final Pattern MAC = Pattern.compile("\\p{XDigit}{2}([:-]\\p{XDigit}{2}){5}");

  private Values() {}

  /** True for a DNS-style host name: dot-separated labels of letters, digits and inner hyphens. */
  static boolean isHostname(String s) {
    if (s.isEmpty() || s.length() > 253) {
      return false;
    }
    for (String label : s.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        return false;
      }
    }
    return true;
  }

  /** A plain IPv4 address. */
  static int address(String text) {
    return Ipv4Address.parse(text);
  }

  /** An interface address a.b.c.d/n that can talk to a neighbour on its subnet. */
  static Ipv4Cidr interfaceAddress(String text) {
    String s = text.strip();
    if (s.indexOf('/') < 0) {
      if (Ipv4Address.isValid(s)) {
        throw new IllegalArgumentException("'" + text + "' has no prefix length; write it like " + s + "/24");
      }
      throw new IllegalArgumentException("'" + text + "' is not a valid CIDR address; write it like 192.168.1.10/24");
    }
    Ipv4Cidr cidr;
    try {
      cidr = Ipv4Cidr.parse(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "' is not a valid CIDR address (" + e.getMessage()
          + "); write it like 192.168.1.10/24");
    }
    String a = Ipv4Address.format(cidr.address());
    int addr = cidr.address();
    if (addr == 0) {
      throw new IllegalArgumentException("0.0.0.0 means 'any address' and cannot be an interface address");
    }
    if (addr == Ipv4Address.BROADCAST) {
      throw new IllegalArgumentException("255.255.255.255 is the limited broadcast address, not an interface address");
    }
    if (Ipv4Address.isMulticast(addr)) {
      throw new IllegalArgumentException(a + " is a multicast address (224.0.0.0/4), not an interface address");
    }
    if (Ipv4Address.isLoopback(addr)) {
      throw new IllegalArgumentException(a + " is a loopback address (127.0.0.0/8); use a private range such as"
          + " 192.168.0.0/16 or 10.0.0.0/8");
    }
    int len = cidr.prefixLength();
    if (len == 32 || len == 0) {
      throw new IllegalArgumentException("prefix length /" + len + " leaves no room for a neighbour; use a subnet"
          + " such as /24 (or /31 for a point-to-point link)");
    }
    if (len < 31) {
      String subnet = cidr.networkCidr().toString();
      String hint = "; use a host address such as " + Ipv4Address.format(cidr.network() + 1) + "/" + len;
      if (addr == cidr.network()) {
        throw new IllegalArgumentException(a + " is the network address of " + subnet + hint);
      }
      if (addr == cidr.broadcast()) {
        throw new IllegalArgumentException(a + " is the broadcast address of " + subnet + hint);
      }
    }
    return cidr;
  }

  /** A route destination: a prefix without host bits, or "default" (0.0.0.0/0); a bare address is a /32. */
  static Ipv4Cidr routeDestination(String text) {
    String s = text.strip();
    if (s.equals("default")) {
      return new Ipv4Cidr(0, 0);
    }
    Ipv4Cidr cidr;
    try {
      cidr = Ipv4Cidr.parse(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "' is not a CIDR prefix or 'default' (" + e.getMessage() + ")");
    }
    if (cidr.address() != cidr.network()) {
      throw new IllegalArgumentException("'" + text + "' has host bits set; did you mean " + cidr.networkCidr() + "?");
    }
    return cidr;
  }

  /** True if {@code text} is written as an IPv6 address or prefix (it has a colon), false for IPv4. */
  static boolean isIpv6(String text) {
    return text.indexOf(':') >= 0;
  }

  /** A plain IPv6 address (RFC 4291 text, any form RFC 5952 reads back). */
  static Ipv6Address address6(String text) {
    try {
      return Ipv6Address.parse(text.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "' is not an IPv6 address (" + e.getMessage()
          + "); write it like 2001:db8:1::1");
    }
  }

  /**
   * An IPv6 next hop: a global address, or a link-local one with the interface it is reached on
   * (RFC 4007 zone syntax, as ping and ip write it: fe80::1%eth0).
   */
  static Draft.Hop6 hop6(String text) {
    String s = text.strip();
    int pct = s.indexOf('%');
    String zone = pct < 0 ? null : s.substring(pct + 1);
    Ipv6Address a = address6(pct < 0 ? s : s.substring(0, pct));
    if (a.isMulticast() || a.isUnspecified() || a.isLoopback()) {
      throw new IllegalArgumentException(a + " cannot be a next hop: give a neighbour's unicast address");
    }
    if (zone != null && !a.isLinkLocal()) {
      throw new IllegalArgumentException("'" + text + "': only a link-local next hop names its interface;"
          + " write " + a + " alone");
    }
    if (zone == null && a.isLinkLocal()) {
      throw new IllegalArgumentException(a + " is link-local, so on every link at once: name the interface it is"
          + " reached on, like " + a + "%eth0");
    }
    if (zone != null && !isIfname(zone)) {
      throw new IllegalArgumentException("'" + zone + "' in '" + text + "' is not an interface name: " + IFNAME_RULE);
    }
    return new Draft.Hop6(a, zone);
  }

  /**
   * A static global IPv6 interface address ADDRESS/n. Link-local addresses are not written: every
   * IPv6 interface makes its own from its MAC (RFC 4291 EUI-64). A /128 leaves no neighbour on
   * the link, as a /32 does in IPv4; a /127 is the point-to-point length of RFC 6164.
   */
  static Ipv6Cidr interfaceAddress6(String text) {
    String s = text.strip();
    if (s.indexOf('/') < 0) {
      throw new IllegalArgumentException("'" + text + "' has no prefix length; write it like " + s + "/64");
    }
    Ipv6Cidr cidr;
    try {
      cidr = Ipv6Cidr.parse(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "' is not a valid IPv6 address with prefix length ("
          + e.getMessage() + "); write it like 2001:db8:1::10/64");
    }
    Ipv6Address a = cidr.address();
    if (a.isUnspecified()) {
      throw new IllegalArgumentException(":: means 'any address' and cannot be an interface address");
    }
    if (a.isLoopback()) {
      throw new IllegalArgumentException("::1 is the loopback address, not an interface address");
    }
    if (a.isMulticast()) {
      throw new IllegalArgumentException(a + " is a multicast address (ff00::/8), not an interface address");
    }
    if (a.isLinkLocal()) {
      throw new IllegalArgumentException(a + " is link-local (fe80::/10): every IPv6 interface makes its own from"
          + " its MAC; give a global address such as 2001:db8:1::10/64");
    }
    if (a.isIpv4Mapped()) {
      throw new IllegalArgumentException(a + " is an IPv4-mapped address (::ffff:0:0/96); give the IPv4 address"
          + " itself, or a global IPv6 one");
    }
    int len = cidr.prefixLength();
    if (len == 128 || len == 0) {
      throw new IllegalArgumentException("prefix length /" + len + " leaves no room for a neighbour on the link;"
          + " use /64 (or /127 for a point-to-point link, RFC 6164)");
    }
    if (len < 127 && a.equals(cidr.network())) {
      throw new IllegalArgumentException(a + " is the subnet-router anycast address of " + cidr.networkCidr()
          + " (RFC 4291 2.6.1); use a host address such as " + new Ipv6Address(a.hi(), a.lo() + 1) + "/" + len);
    }
    return cidr;
  }

  /** An IPv6 route destination: a prefix without host bits, or "default" (::/0); a bare address is a /128. */
  static Ipv6Cidr routeDestination6(String text) {
    String s = text.strip();
    if (s.equals("default")) {
      return new Ipv6Cidr(Ipv6Address.UNSPECIFIED, 0);
    }
    Ipv6Cidr cidr;
    try {
      cidr = s.indexOf('/') < 0 ? new Ipv6Cidr(Ipv6Address.parse(s), 128) : Ipv6Cidr.parse(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "' is not an IPv6 prefix or 'default' (" + e.getMessage() + ")");
    }
    if (!cidr.address().equals(cidr.network())) {
      throw new IllegalArgumentException("'" + text + "' has host bits set; did you mean " + cidr.networkCidr() + "?");
    }
    return cidr;
  }

  /** A unicast, non-zero MAC address; returns its 48 bits. */
  static long mac(String text) {
    String s = text.strip();
    if (!MAC.matcher(s).matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a MAC address; write six hex pairs like"
          + " 02:00:00:00:01:00");
    }
    long bits = MacAddress.parse(s).bits();
    if (MacAddress.isMulticast(bits)) {
      throw new IllegalArgumentException(MacAddress.format(bits) + " is a multicast address (group bit set in the"
          + " first octet); use a unicast one such as 02:00:00:00:01:00");
    }
    if (bits == 0) {
      throw new IllegalArgumentException("00:00:00:00:00:00 is not a usable MAC address");
    }
    return bits;
  }
}
