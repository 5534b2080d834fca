package emu.link;

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
  /** Ethernet header (14) plus the largest payload; a frame longer than this never crosses. */
  static int maxFrameLength(int mtu) {
    return mtu + 14;
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
