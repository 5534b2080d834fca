package emu.node.testing;

import emu.link.FrameReceiver;
import emu.link.LinkCounters;
import emu.link.LinkEndpoint;
import emu.link.time.TimeSource;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A wrapper (like the capture wrapper in emulator-link) that copies every frame crossing an
 * endpoint, both ways, into a list a test can inspect. Ownership is unchanged: frames are only
 * read, then passed on.
 */
public final class RecordingEndpoint implements LinkEndpoint {
  private final LinkEndpoint inner;
  private final TimeSource time;
  private final List<CapturedFrame> frames = new ArrayList<>();
  private final boolean record;

  public RecordingEndpoint(LinkEndpoint inner, TimeSource time) {
    this(inner, time, true);
  }

  /** {@code record} false: a plain pass-through (bulk tests, where copying every frame would not fit). */
  public RecordingEndpoint(LinkEndpoint inner, TimeSource time, boolean record) {
    this.inner = inner;
    this.time = time;
    this.record = record;
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public int mtu() {
    return inner.mtu();
  }

  @Override
  public void send(ByteBuf frame) {
    if (record) {
      frames.add(new CapturedFrame(time.nanos(), inner.name(), CapturedFrame.Direction.TX, frame));
    }
    inner.send(frame);
  }

  @Override
  public void receiver(FrameReceiver receiver) {
    if (!record) {
      inner.receiver(receiver);
      return;
    }
    inner.receiver(frame -> {
      frames.add(new CapturedFrame(time.nanos(), inner.name(), CapturedFrame.Direction.RX, frame));
      receiver.onFrame(frame);
    });
  }

  @Override
  public LinkCounters counters() {
    return inner.counters();
  }

  @Override
  public void close() {
    inner.close();
  }

  /** Every frame, both directions, in the order seen. */
  public List<CapturedFrame> frames() {
    return Collections.unmodifiableList(frames);
  }

  /** Frames the owner sent. */
  public List<CapturedFrame> sent() {
    return frames.stream().filter(f -> f.direction() == CapturedFrame.Direction.TX).toList();
  }

  /** Frames the owner received. */
  public List<CapturedFrame> received() {
    return frames.stream().filter(f -> f.direction() == CapturedFrame.Direction.RX).toList();
  }

  public void clear() {
    frames.clear();
  }
}
