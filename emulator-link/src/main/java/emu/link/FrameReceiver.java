package emu.link;

import io.netty.buffer.ByteBuf;

/** Gets the frames a {@link LinkEndpoint} receives; it owns (and must release) each one. */
@FunctionalInterface
public interface FrameReceiver {
  void onFrame(ByteBuf frame);
}
