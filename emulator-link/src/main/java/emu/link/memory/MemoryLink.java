package emu.link.memory;

import emu.link.FrameReceiver;
import emu.link.LinkCounters;
import emu.link.LinkEndpoint;
import emu.link.time.TimeSource;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/**
 * A virtual wire inside one JVM: two endpoints whose frames are delivered through the
 * {@link TimeSource} (after an optional latency), never re-entrantly from {@code send}.
 * With {@link emu.link.time.VirtualTime} several nodes share one thread and one clock, which
 * keeps multi-node tests fast and exactly repeatable.
 *
 * <p>Frames in flight wait in a FIFO per direction with one timer armed for the head, so
 * closing an end releases what is still on the wire instead of leaving it in scheduled tasks.
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

  /** Closes both ends and releases every frame still in flight. */
  public void close() {
    a.close();
    b.close();
  }

  private static final class End implements LinkEndpoint {
    private final String name;
    private final int mtu;
    private final TimeSource time;
    private final long latency;
    private final LinkCounters counters = new LinkCounters();
    /** Frames on their way to this end, oldest first, with their delivery times. */
    private final ArrayDeque<ByteBuf> inFlight = new ArrayDeque<>();
    private final ArrayDeque<Long> dueAt = new ArrayDeque<>();
    private TimeSource.Timer timer;
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
      peer.arrive(frame, time.nanos() + latency);
    }

    private void arrive(ByteBuf frame, long at) {
      inFlight.addLast(frame);
      dueAt.addLast(at);
      if (timer == null) {
        timer = time.schedule(this::deliverDue, at - time.nanos());
      }
    }

    private void deliverDue() {
      timer = null;
      long now = time.nanos();
      while (!inFlight.isEmpty() && dueAt.peekFirst() <= now) {
        dueAt.pollFirst();
        ByteBuf frame = inFlight.pollFirst();
        if (closed) {
          frame.release();
          continue;
        }
        counters.rxFrames++;
        counters.rxBytes += frame.readableBytes();
        receiver.onFrame(frame);
      }
      if (!inFlight.isEmpty() && timer == null) {
        timer = time.schedule(this::deliverDue, dueAt.peekFirst() - now);
      }
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
      if (timer != null) {
        timer.cancel();
        timer = null;
      }
      ByteBuf f;
      while ((f = inFlight.pollFirst()) != null) {
        f.release();
      }
      dueAt.clear();
    }
  }
}
