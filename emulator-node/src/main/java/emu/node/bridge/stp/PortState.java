package emu.node.bridge.stp;

/** A port's state (IEEE 802.1D-2004 17.4): what it does with the frames it carries. */
public enum PortState {
  /** Neither learns from nor forwards frames (802.1D-1998 disabled, blocking and listening). */
  DISCARDING,
  /** Learns source addresses, forwards nothing. */
  LEARNING,
  FORWARDING
}
