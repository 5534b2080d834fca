package emu.node.names;

import emu.node.wire.Ipv4Address;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The node's static name table, like /etc/hosts: the lab gives every node the names of the
 * others (Mininet habit: {@code ping server}) plus any the topology declares.
 */
public final class Hosts {
  private final Map<String, Integer> byName = new LinkedHashMap<>();
  private final Map<Integer, String> byAddress = new LinkedHashMap<>();

  public Hosts(Map<String, String> table) {
    if (table != null) {
      table.forEach((name, addr) -> {
        int a = Ipv4Address.parse(addr);
        byName.put(name.toLowerCase(java.util.Locale.ROOT), a);
        byAddress.putIfAbsent(a, name);
      });
    }
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
