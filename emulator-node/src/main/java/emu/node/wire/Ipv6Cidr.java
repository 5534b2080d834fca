package emu.node.wire;

/** An IPv6 address with a prefix length, e.g. 2001:db8:1::100/64: an interface address or a route. */
public record Ipv6Cidr(Ipv6Address address, int prefixLength) {
  public Ipv6Cidr {
    if (prefixLength < 0 || prefixLength > 128) {
      throw new IllegalArgumentException("prefix length " + prefixLength + " outside 0..128");
    }
  }

  /** Parses {@code ADDRESS/n}; a bare address means /128. */
  public static Ipv6Cidr parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    if (slash < 0) {
      return new Ipv6Cidr(Ipv6Address.parse(s), 128);
    }
    String len = s.substring(slash + 1);
    if (len.isEmpty() || len.length() > 3 || !len.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("not a prefix length in '" + text + "' (want 0..128)");
    }
    int n = Integer.parseInt(len);
    if (n > 128) {
      throw new IllegalArgumentException("prefix length " + n + " > 128 in '" + text + "'");
    }
    try {
      return new Ipv6Cidr(Ipv6Address.parse(s.substring(0, slash)), n);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not an IPv6 address/prefix: '" + text + "'");
    }
  }

  /** The prefix itself: the address with host bits cleared. */
  public Ipv6Address network() {
    return address.masked(prefixLength);
  }

  /** The same prefix with host bits cleared: 2001:db8:1::100/64 gives 2001:db8:1::/64. */
  public Ipv6Cidr networkCidr() {
    return new Ipv6Cidr(network(), prefixLength);
  }

  public boolean contains(Ipv6Address a) {
    return address.samePrefix(a, prefixLength);
  }

  /** True if either prefix contains the other's network. */
  public boolean overlaps(Ipv6Cidr other) {
    return address.samePrefix(other.address, Math.min(prefixLength, other.prefixLength));
  }

  @Override
  public String toString() {
    return address + "/" + prefixLength;
  }
}
