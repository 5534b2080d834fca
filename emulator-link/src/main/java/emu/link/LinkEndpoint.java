package emu.link;

import emu.link.wire.VlanTag;
import io.netty.buffer.ByteBuf;

/**
 * One end of a virtual wire: it sends and receives whole Ethernet II frames.
 *
 * <p>Threading: an endpoint belongs to one node's event loop; every method is called on it.
 * Ownership: {@link #send} takes the frame and releases it once transmitted or dropped; a
 * {@link FrameReceiver} owns each frame it is handed.
 *
 * <p>Wrappers (capture, impairment, counters) implement this interface around another endpoint.
 */
public interface LinkEndpoint {
  /**
   * The longest frame a link of this MTU carries: the largest payload behind an Ethernet header
   * and one 802.1Q tag (18 bytes, Linux's {@code VLAN_ETH_HLEN}), so that a VLAN subinterface and a
   * trunk keep their parent's MTU, as on Linux and on switches (1,518 bytes at MTU 1,500, no FCS).
   * A longer frame never crosses.
   */
  static int maxFrameLength(int mtu) {
    return mtu + VlanTag.TAGGED_HEADER_LEN;
  }

  /**
   * The layer-3 payload length of {@code frame}: what follows the Ethernet header, and the 802.1Q
   * tag when there is one. What an MTU limits.
   */
  static int payloadLength(ByteBuf frame) {
    int header = VlanTag.isTagged(frame, frame.readerIndex()) ? VlanTag.TAGGED_HEADER_LEN : 14;
    return Math.max(0, frame.readableBytes() - header);
  }

  /** A human-readable name, e.g. {@code r1:eth0}. */
  String name();

  /** Largest layer-3 payload a frame on this link may carry. */
  int mtu();

  /** Sends one frame; takes ownership of {@code frame}. */
  void send(ByteBuf frame);

  /** Sets who gets the frames this endpoint receives. */
  void receiver(FrameReceiver receiver);

  /** Counters of the innermost (real) endpoint. */
  LinkCounters counters();

  /** Stops receiving and releases the socket (or file); idempotent. */
  void close();
}
