package emu.link.capture;

import emu.link.FrameReceiver;
import emu.link.LinkCounters;
import emu.link.LinkEndpoint;
import emu.link.time.TimeSource;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Wraps a link endpoint so that live captures ({@code emu capture}, the management API's
 * {@code GET /links/IF/capture}) can be attached and detached while the node runs, whether or not
 * the lab writes capture files. Every interface has one, so a capture needs no restart; with
 * nobody capturing, a frame costs one array-length check and nothing is allocated. Subscribers
 * see each frame sent (that the link can carry) and received, with one timestamp, and must copy
 * what they keep: the frame is not theirs. A subscriber that throws is detached (and counted), and
 * the frame goes on. Touched on the node's event loop only.
 */
public final class LiveTap implements LinkEndpoint {
  /** Sees every frame passing the tap; must not release or change it, nor keep it past the call. */
  @FunctionalInterface
  public interface Subscriber {
    void frame(ByteBuf frame, long epochNanos);
  }

  private static final Subscriber[] NONE = {};

  private final LinkEndpoint inner;
  private final TimeSource time;
  /** Copied on change, so a subscriber may detach itself (or another) while frames are handed out. */
  private Subscriber[] subscribers = NONE;
  private FrameReceiver receiver = ByteBuf::release;
  /** Subscribers detached because they threw. */
  private long failures;

  public LiveTap(LinkEndpoint inner, TimeSource time) {
    this.inner = inner;
    this.time = time;
    inner.receiver(frame -> {
      if (subscribers.length != 0) {
        deliver(frame);
      }
      receiver.onFrame(frame);
    });
  }

  /** Starts handing frames to {@code s} (from the next frame on). */
  public void add(Subscriber s) {
    Subscriber[] next = Arrays.copyOf(subscribers, subscribers.length + 1);
    next[subscribers.length] = s;
    subscribers = next;
  }

  /** Stops handing frames to {@code s}; true if it was attached. */
  public boolean remove(Subscriber s) {
    for (int i = 0; i < subscribers.length; i++) {
      if (subscribers[i] == s) {
        Subscriber[] next = new Subscriber[subscribers.length - 1];
        System.arraycopy(subscribers, 0, next, 0, i);
        System.arraycopy(subscribers, i + 1, next, i, next.length - i);
        subscribers = next.length == 0 ? NONE : next;
        return true;
      }
    }
    return false;
  }

  /** How many captures are attached. */
  public int subscribers() {
    return subscribers.length;
  }

  /** Subscribers detached because they threw (a bug in a capture, which must not stop the frames). */
  public long failures() {
    return failures;
  }

  private void deliver(ByteBuf frame) {
    Subscriber[] now = subscribers;
    long t = time.epochNanos();
    for (Subscriber s : now) {
      try {
        s.frame(frame, t);
      } catch (RuntimeException e) {
        // the frame goes on regardless; the capture that failed sees no more
        remove(s);
        if (failures++ == 0) {
          System.err.println("emu: " + inner.name() + ": a live capture failed and was detached (" + e
              + "); further such failures are counted, not printed");
        }
      }
    }
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
    // a frame too long for the link is dropped by it, so it never was on the wire (as CapturingEndpoint)
    if (subscribers.length != 0 && frame.readableBytes() <= LinkEndpoint.maxFrameLength(inner.mtu())) {
      deliver(frame);
    }
    inner.send(frame);
  }

  @Override
  public void receiver(FrameReceiver receiver) {
    this.receiver = receiver;
  }

  @Override
  public LinkCounters counters() {
    return inner.counters();
  }

  @Override
  public void close() {
    subscribers = NONE;
    inner.close();
  }
}
