package emu.node.stack;

/** Told when an interface loses or regains its carrier: network layers beside IPv4 flush and re-announce. */
@FunctionalInterface
public interface LinkListener {
  void linkChanged(Nic nic, boolean up);
}
