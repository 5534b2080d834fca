package emu.node.wire;

/** An IPv4 address with a prefix length, e.g. 192.168.1.100/24: an interface address or a route. */
public record Ipv4Cidr(int address, int prefixLength) {
  public Ipv4Cidr {
    if (prefixLength < 0 || prefixLength > 32) {
      throw new IllegalArgumentException("prefix length " + prefixLength + " outside 0..32");
    }
  }

  /** Parses {@code a.b.c.d/n}; a bare address means /32. */
  public static Ipv4Cidr parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    if (slash < 0) {
      return new Ipv4Cidr(Ipv4Address.parse(s), 32);
    }
    String len = s.substring(slash + 1);
    if (len.isEmpty() || len.length() > 2 || !len.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("not a prefix length in '" + text + "' (want 0..32)");
    }
    int n = Integer.parseInt(len);
    if (n > 32) {
      throw new IllegalArgumentException("prefix length " + n + " > 32 in '" + text + "'");
    }
    try {
      return new Ipv4Cidr(Ipv4Address.parse(s.substring(0, slash)), n);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not an IPv4 address/prefix: '" + text + "'");
    }
  }

  public int mask() {
    return Ipv4Address.mask(prefixLength);
  }

  public int network() {
    return address & mask();
  }

  /** The directed broadcast address of this subnet. */
  public int broadcast() {
    return network() | ~mask();
  }

  /** The same prefix with host bits cleared: 192.168.1.100/24 gives 192.168.1.0/24. */
  public Ipv4Cidr networkCidr() {
    return new Ipv4Cidr(network(), prefixLength);
  }

  public boolean contains(int addr) {
    return (addr & mask()) == network();
  }

  /** True if either prefix contains the other's network. */
  public boolean overlaps(Ipv4Cidr other) {
    int shorter = Math.min(prefixLength, other.prefixLength);
    return Ipv4Address.sameSubnet(address, other.address, shorter);
  }

  @Override
  public String toString() {
    return Ipv4Address.format(address) + "/" + prefixLength;
  }
}
