package emu.node.testing;

import emu.link.LinkEndpoint;
import emu.link.time.TimeSource;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The test's own end of a wire: it records (as copies) every frame the node on the other end
 * sends, and injects raw frames that arrive at that node after the link's latency, exactly as a
 * peer's would. Nothing answers unless the test does, which makes it the "next hop that never
 * replies" for ARP tests.
 */
public final class Tap {
  private final LinkEndpoint end;
  private final ByteBufAllocator alloc;
  private final TimeSource time;
  private final List<CapturedFrame> received = new ArrayList<>();

  Tap(LinkEndpoint end, ByteBufAllocator alloc, TimeSource time) {
    this.end = end;
    this.alloc = alloc;
    this.time = time;
    end.receiver(frame -> {
      try {
        received.add(new CapturedFrame(time.nanos(), end.name(), CapturedFrame.Direction.RX, frame));
      } finally {
        frame.release();
      }
    });
  }

  /** Sends raw bytes down the wire to the node. */
  public void inject(byte[] frame) {
    ByteBuf buf = alloc.buffer(frame.length);
    buf.writeBytes(frame);
    end.send(buf);
  }

  /** Frames the node sent to the tap, oldest first. */
  public List<CapturedFrame> frames() {
    return Collections.unmodifiableList(received);
  }

  public void clear() {
    received.clear();
  }

  public String name() {
    return end.name();
  }
}
