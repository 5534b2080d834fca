package emu.node.nat;

import emu.node.stack.Nic;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.LongObjectHashMap;
import java.util.ArrayList;
import java.util.List;

/**
 * One masquerading interface's mappings, by inside endpoint ({@link Nat#internalKey}) and by
 * external port ({@link Nat#externalKey}), port forwards among them; at most {@link #max}.
 */
final class NatTable {
  final Nic nic;
  final int max;
  final LongObjectHashMap<NatMapping> byInternal = new LongObjectHashMap<>();
  final IntObjectHashMap<NatMapping> byExternal = new IntObjectHashMap<>();
  private final NatCounters counters;
  /** The address the dynamic mappings were made for. */
  private int address;
  /** Port forwards among the mappings. */
  int forwards;

  NatTable(Nic nic, int max, NatCounters counters) {
    this.nic = nic;
    this.max = max;
    this.counters = counters;
    this.address = nic.ip();
  }

  /**
   * Masquerade forgets every dynamic mapping when the interface's address changes (a new DHCP
   * lease): they named an address the interface no longer has.
   */
  void checkAddress() {
    if (nic.ip() == address) {
      return;
    }
    address = nic.ip();
    List<NatMapping> stale = new ArrayList<>();
    for (NatMapping m : byInternal.values()) {
      if (!m.forward) {
        stale.add(m);
      }
    }
    stale.forEach(this::remove);
    counters.flushed += stale.size();
  }

  void remove(NatMapping m) {
    byInternal.remove(Nat.internalKey(m.proto, m.internalIp, m.internalPort));
    byExternal.remove(Nat.externalKey(m.proto, m.externalPort));
  }
}
