package emu.node.bridge;

import java.util.List;

/**
 * What the learning bridge reports as it works, for tracing: values, never sentences. Callers ask
 * {@link #enabled()} first, so a switch that does not trace computes nothing for it.
 */
public interface BridgeObserver {
  BridgeObserver OFF = new BridgeObserver() {
    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public void forwarded(BridgePort in, BridgePort out, long src, long dst) {}

    @Override
    public void learned(long mac, BridgePort port, boolean moved) {}

    @Override
    public void flooded(BridgePort in, List<BridgePort> out, long src, long dst) {}
  };

  boolean enabled();

  /** A frame {@code src > dst} went from {@code in} to {@code out}, where {@code dst} was learned. */
  void forwarded(BridgePort in, BridgePort out, long src, long dst);

  /** {@code mac} is now known behind {@code port}; {@code moved}: it was behind another before. */
  void learned(long mac, BridgePort port, boolean moved);

  /** A frame {@code src > dst} from {@code in} went out of every port in {@code out}. */
  void flooded(BridgePort in, List<BridgePort> out, long src, long dst);

  /**
   * On a VLAN-aware bridge: a frame of VLAN {@code vid} went from {@code in} to {@code out};
   * {@code taggedIn}/{@code taggedOut}: whether it arrived and left with an 802.1Q tag (they differ
   * when the bridge added or removed the tag); {@code priorityTagged}: the tag it arrived with had
   * VID 0 (a priority tag), which the bridge set to {@code vid} or removed.
   */
  default void forwarded(BridgePort in, BridgePort out, long src, long dst, int vid, boolean taggedIn,
                         boolean priorityTagged, boolean taggedOut) {
    forwarded(in, out, src, dst);
  }

  /** On a VLAN-aware bridge: {@code mac} is now known behind {@code port} in VLAN {@code vid}. */
  default void learned(long mac, BridgePort port, boolean moved, int vid) {
    learned(mac, port, moved);
  }

  /**
   * On a VLAN-aware bridge: a frame of VLAN {@code vid} flooded to the VLAN's ports {@code out},
   * those in {@code taggedOut} with the tag; {@code priorityTagged} as for {@link #forwarded}.
   */
  default void flooded(BridgePort in, List<BridgePort> out, long src, long dst, int vid, boolean taggedIn,
                       boolean priorityTagged, List<BridgePort> taggedOut) {
    flooded(in, out, src, dst);
  }

  /**
   * A VLAN-aware bridge refused a frame arriving on {@code in}; {@code vid}: its tag's VID, or -1
   * (untagged, or the tag cut short).
   */
  default void vlanDropped(BridgePort in, VlanDrop reason, int vid) {}
}
