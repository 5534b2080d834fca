package emu.node.names;

import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv6Address;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The node's static name table, like /etc/hosts: the lab gives every node the names of the
 * others (Mininet habit: {@code ping server}) plus any the topology declares.
 */
public final class Hosts {
  private final Map<String, Integer> byName = new LinkedHashMap<>();
  private final Map<Integer, String> byAddress = new LinkedHashMap<>();
  private final Map<String, Ipv6Address> byName6 = new LinkedHashMap<>();
  private final Map<Ipv6Address, String> byAddress6 = new LinkedHashMap<>();

  public Hosts(Map<String, String> table) {
    this(table, null);
  }

  /** {@code table} names IPv4 addresses, {@code table6} IPv6 ones (a name may be in both, as in /etc/hosts). */
  public Hosts(Map<String, String> table, Map<String, String> table6) {
    if (table != null) {
      table.forEach((name, addr) -> {
        int a = Ipv4Address.parse(addr);
        byName.put(name.toLowerCase(java.util.Locale.ROOT), a);
        byAddress.putIfAbsent(a, name);
      });
    }
    if (table6 != null) {
      table6.forEach((name, addr) -> {
        Ipv6Address a = Ipv6Address.parse(addr);
        byName6.put(name.toLowerCase(java.util.Locale.ROOT), a);
        byAddress6.putIfAbsent(a, name);
      });
    }
  }

  /** The IPv6 address the table gives {@code name}, or null. */
  public Ipv6Address resolve6(String name) {
    return byName6.get(name.toLowerCase(java.util.Locale.ROOT));
  }

  /** The name for an IPv6 address, or its text. */
  public String nameOf(Ipv6Address address) {
    String n = byAddress6.get(address);
    return n != null ? n : address.toString();
  }

  /** An address literal or a known name; null if neither. */
  public Integer resolve(String nameOrAddress) {
    if (Ipv4Address.isValid(nameOrAddress)) {
      return Ipv4Address.parse(nameOrAddress);
    }
    return byName.get(nameOrAddress.toLowerCase(java.util.Locale.ROOT));
  }

  /** The name for an address, or its dotted form. */
  public String nameOf(int address) {
    String n = byAddress.get(address);
    return n != null ? n : Ipv4Address.format(address);
  }

  public Map<String, Integer> entries() {
    return byName;
  }
}
