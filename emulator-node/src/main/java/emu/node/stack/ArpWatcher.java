package emu.node.stack;

/** Hears every well-formed ARP message an interface receives (before the stack acts on it). */
@FunctionalInterface
public interface ArpWatcher {
  void heard(Nic nic, int op, int senderIp, long senderMac, int targetIp);
}
