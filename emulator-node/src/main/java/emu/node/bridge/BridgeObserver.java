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
}
