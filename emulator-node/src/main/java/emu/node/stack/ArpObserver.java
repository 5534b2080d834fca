package emu.node.stack;

/**
 * What ARP and the neighbour cache report as they work, for tracing: values, never sentences.
 * Callers ask {@link #enabled()} first.
 */
public interface ArpObserver {
  boolean enabled();

  /** An ARP packet ({@code op} of {@code emu.node.wire.ArpPacket}) arrived on {@code nic}; {@code forUs}: it asks for our address. */
  void heard(Nic nic, int op, int senderIp, long senderMac, int targetIp, boolean forUs);

  /** A request for {@code targetIp}: broadcast when {@code unicastMac} is -1, else a unicast re-check. */
  void requestSent(Nic nic, int targetIp, long unicastMac);

  /** A gratuitous request for {@code nic}'s own address. */
  void announced(Nic nic);

  /** A reply for {@code nic}'s address to {@code toIp} at {@code toMac}. */
  void replySent(Nic nic, int toIp, long toMac);

  /** A neighbour entry changed state ({@code from} null: new entry; {@code mac} -1: unknown). */
  void neighborChanged(Nic nic, int ip, NeighborState from, NeighborState to, long mac);
}
