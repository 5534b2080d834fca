package emu.node.bridge.stp;

import emu.node.bridge.BridgePort;
import emu.node.wire.Bpdu;

/** What the spanning tree reports as it works, for tracing: values, never sentences. */
public interface StpObserver {
  StpObserver OFF = new StpObserver() {
    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public void rootChanged(long rootId, BridgePort rootPort, long rootPathCost) {}

    @Override
    public void portChanged(BridgePort port, PortRole role, PortState state) {}

    @Override
    public void edgeLost(BridgePort port) {}

    @Override
    public void legacyPeer(BridgePort port) {}

    @Override
    public void topologyChange(BridgePort port, boolean detected) {}

    @Override
    public void infoAged(BridgePort port) {}

    @Override
    public void bpduDropped(BridgePort port, Bpdu.Check reason) {}
  };

  boolean enabled();

  /** The bridge now takes {@code rootId} as root, through {@code rootPort} (null: it is the root itself). */
  void rootChanged(long rootId, BridgePort rootPort, long rootPathCost);

  /** {@code port} has a new role or state. */
  void portChanged(BridgePort port, PortRole role, PortState state);

  /** A BPDU arrived on an edge port: it is an edge port no more. */
  void edgeLost(BridgePort port);

  /** A configuration or TCN BPDU arrived: the port speaks 802.1D-1998 STP from now on. */
  void legacyPeer(BridgePort port);

  /** A topology change: detected here ({@code detected}) or notified by a BPDU on {@code port}. */
  void topologyChange(BridgePort port, boolean detected);

  /** What {@code port} last heard aged out: its neighbour fell silent. */
  void infoAged(BridgePort port);

  /** A BPDU that could not be used, by reason. */
  void bpduDropped(BridgePort port, Bpdu.Check reason);
}
