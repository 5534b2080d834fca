package emu.link.memory;

import emu.link.FrameReceiver;
import emu.link.LinkCounters;
import emu.link.LinkEndpoint;
import emu.link.time.TimeSource;
import io.netty.buffer.ByteBuf;

/**
 * A virtual wire inside one JVM: two endpoints whose frames are delivered through the
 * {@link TimeSource} (after an optional latency), never re-entrantly from {@code send}.
 * With {@link emu.link.time.VirtualTime} several nodes share one thread and one clock, which
 * keeps multi-node tests fast and exactly repeatable.
 */
public final class MemoryLink {
  private final End a;
  private final End b;

  public MemoryLink(String nameA, String nameB, int mtu, TimeSource time, long latencyNanos) {
    a = new End(nameA, mtu, time, latencyNanos);
    b = new End(nameB, mtu, time, latencyNanos);
    a.peer = b;
    b.peer = a;
  }

  public LinkEndpoint a() {
    return a;
  }

  public LinkEndpoint b() {
    return b;
  }

  private static final class End implements LinkEndpoint {
    private final String name;
    private final int mtu;
    private final TimeSource time;
    private final long latency;
    private final LinkCounters counters = new LinkCounters();
    private FrameReceiver receiver = ByteBuf::release;
    private End peer;
    private boolean closed;

    End(String name, int mtu, TimeSource time, long latency) {
      this.name = name;
      this.mtu = mtu;
      this.time = time;
      this.latency = latency;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public int mtu() {
      return mtu;
    }

    @Override
    public void send(ByteBuf frame) {
      int len = frame.readableBytes();
      if (len > LinkEndpoint.maxFrameLength(mtu)) {
        counters.txDropOversize++;
        frame.release();
        return;
      }
      if (closed || peer.closed) {
        frame.release();
        return;
      }
      counters.txFrames++;
      counters.txBytes += len;
      time.schedule(() -> peer.deliver(frame), latency);
    }

    private void deliver(ByteBuf frame) {
      if (closed) {
        frame.release();
        return;
      }
      counters.rxFrames++;
      counters.rxBytes += frame.readableBytes();
      receiver.onFrame(frame);
    }

    @Override
    public void receiver(FrameReceiver receiver) {
      this.receiver = receiver;
    }

    @Override
    public LinkCounters counters() {
      return counters;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
