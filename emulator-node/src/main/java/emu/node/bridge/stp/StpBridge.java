package emu.node.bridge.stp;

import emu.node.bridge.BridgePort;
import io.netty.buffer.ByteBuf;

/**
 * What the spanning tree asks of the bridge it runs on, and nothing more: to forget the addresses
 * learned behind a port (a topology change, 802.1D-2004 17.19.14's flush) and to send a BPDU out
 * of a port. The bridge implements it and hands the tree every BPDU and every port's link change;
 * the tree sets the ports' states. So the bridge knows its tree, and the tree knows only this
 * face of the bridge (no loop between the two classes).
 */
public interface StpBridge {
  /** Forgets every address learned behind {@code port}. */
  void forget(BridgePort port);

  /** Sends a frame the tree made (a BPDU) out of {@code out}; it takes the frame. */
  void sendControl(BridgePort out, ByteBuf frame);
}
