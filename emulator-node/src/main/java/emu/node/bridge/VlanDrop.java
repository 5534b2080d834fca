package emu.node.bridge;

import java.util.Locale;

/**
 * Why a VLAN-aware switch dropped a frame at ingress (each counted per switch, in {@code
 * emu_bridge_vlan_drops_total{reason}}): what 802.1Q's ingress filtering refuses, and the tagged
 * frames an access port must not pass on (a double-tagged one is the VLAN-hopping attack: the
 * outer tag stripped as the native VLAN's, the inner one would carry it into another VLAN).
 */
public enum VlanDrop {
  /** A tagged frame on an access port. */
  TAGGED_ON_ACCESS,
  /** A frame with two tags on an access port (VLAN hopping). */
  DOUBLE_TAGGED,
  /**
   * VID 0 (a priority-tagged frame) on a trunk without native VLAN: no PVID to classify it into.
   * Elsewhere such a frame is accepted into the port's PVID, as an untagged one.
   */
  PRIORITY_TAGGED,
  /** VID 4095, reserved. */
  RESERVED_VID,
  /** A tagged frame of a VLAN the trunk does not carry. */
  NOT_ALLOWED,
  /** An untagged frame on a trunk without a native VLAN. */
  UNTAGGED_ON_TRUNK,
  /** EtherType 0x8100 but the frame ends inside the tag or before the inner EtherType. */
  TRUNCATED_TAG;

  private static final VlanDrop[] ALL = values();

  private final String label = name().toLowerCase(Locale.ROOT).replace('_', '-');

  /** The reason with this ordinal (values() without its copy). */
  static VlanDrop of(int ordinal) {
    return ALL[ordinal];
  }

  /** The metric's {@code reason} label: lower case, dashes. */
  public String label() {
    return label;
  }
}
