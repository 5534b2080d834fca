package emu.node.bridge;

import emu.link.wire.VlanTag;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A switch port's VLAN membership (IEEE 802.1Q clause 8.6.2, as a Linux bridge with {@code
 * vlan_filtering 1} keeps it per port): the VLANs it belongs to, those it sends untagged, and the
 * port VLAN id (PVID) that untagged frames arriving on it are classified into. An access port
 * ({@link #access}) is in one VLAN, untagged both ways, and refuses tagged frames; a trunk
 * ({@link #trunk}) carries its VLANs tagged, plus an optional native VLAN untagged.
 *
 * <p>Membership is a 4096-bit set (64 longs) so the datapath's check is one array read and a mask.
 */
public final class PortVlans {
  /** 802.1Q's default PVID: the VLAN of every port a VLAN-aware switch's topology does not configure. */
  public static final int DEFAULT_VID = 1;

  private final long[] member = new long[64];
  private final long[] untagged = new long[64];
  private final int pvid;
  private final boolean trunk;

  private PortVlans(int pvid, boolean trunk) {
    this.pvid = pvid;
    this.trunk = trunk;
  }

  /** An access port in VLAN {@code vid}: untagged in and out, tagged frames refused. */
  public static PortVlans access(int vid) {
    check(vid);
    PortVlans p = new PortVlans(vid, false);
    set(p.member, vid);
    set(p.untagged, vid);
    return p;
  }

  /**
   * A trunk carrying {@code vids} tagged and, if {@code nativeVid} is not 0, that VLAN untagged
   * (untagged frames arriving are classified into it; without one they are refused).
   */
  public static PortVlans trunk(Collection<Integer> vids, int nativeVid) {
    PortVlans p = new PortVlans(nativeVid, true);
    for (int v : vids) {
      check(v);
      set(p.member, v);
    }
    if (nativeVid != 0) {
      check(nativeVid);
      set(p.member, nativeVid);
      set(p.untagged, nativeVid);
    }
    return p;
  }

  private static void check(int vid) {
    if (!VlanTag.isValidVid(vid)) {
      throw new IllegalArgumentException("VLAN " + vid + " outside " + VlanTag.MIN_VID + ".." + VlanTag.MAX_VID);
    }
  }

  private static void set(long[] bits, int vid) {
    bits[vid >>> 6] |= 1L << vid;
  }

  private static boolean get(long[] bits, int vid) {
    return (bits[vid >>> 6] & 1L << vid) != 0;
  }

  /** Whether the port belongs to VLAN {@code vid} (0..4095). */
  public boolean isMember(int vid) {
    return get(member, vid);
  }

  /** Whether frames of VLAN {@code vid} leave this port untagged. */
  public boolean isUntagged(int vid) {
    return get(untagged, vid);
  }

  /** The VLAN untagged frames arriving here belong to, or 0: they are refused (a trunk without native VLAN). */
  public int pvid() {
    return pvid;
  }

  /** True for a trunk (tagged frames accepted), false for an access port. */
  public boolean isTrunk() {
    return trunk;
  }

  /** The VLANs the port belongs to, ascending. */
  public List<Integer> vids() {
    List<Integer> out = new ArrayList<>();
    for (int v = VlanTag.MIN_VID; v <= VlanTag.MAX_VID; v++) {
      if (isMember(v)) {
        out.add(v);
      }
    }
    return out;
  }
}
