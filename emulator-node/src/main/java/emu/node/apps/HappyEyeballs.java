package emu.node.apps;

import emu.link.time.TimeSource;
import emu.node.event.AppEvent;
import emu.node.trace.Tracer;
import emu.node.wire.IpAddress;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Connecting to a name with addresses of both families the way browsers and curl do (Happy
 * Eyeballs v2, RFC 8305): the addresses in RFC 6724's order, interleaved by family (section 4:
 * the first address's family, then the other, and so on); the first attempt starts at once, the
 * next when the previous has not connected within the connection attempt delay (250 ms,
 * section 8's recommendation) or as soon as it fails; the first attempt that connects wins and
 * the others are closed. Each attempt and the winner are trace events ({@code
 * app.connect_attempt}, {@code app.connect_won}). Runs on the node's event loop.
 */
public final class HappyEyeballs {
  /** RFC 8305 section 8: "Connection Attempt Delay ... recommended value 250 ms". */
  public static final long ATTEMPT_DELAY_NANOS = 250_000_000L;

  /** What the caller hears. */
  public interface Listener {
    /** An attempt to {@code address} starts. */
    void trying(IpAddress address);

    /** {@code ch} connected to {@code address} first; every other attempt is being closed. */
    void connected(Channel ch, IpAddress address);

    /** Every attempt failed; {@code last} is the last one's cause, {@code address} its address. */
    void failed(Throwable last, IpAddress address);
  }

  private final TimeSource time;
  private final Tracer tracer;
  private final String target;
  private final int port;
  private final List<IpAddress> order;
  private final Function<IpAddress, ChannelFuture> attempt;
  private final Listener listener;
  private final long delayNanos;
  private final List<ChannelFuture> pending = new ArrayList<>();
  private int next;
  private TimeSource.Timer timer;
  private boolean done;

  private HappyEyeballs(TimeSource time, Tracer tracer, String target, int port, List<IpAddress> sorted,
                        Function<IpAddress, ChannelFuture> attempt, Listener listener, long delayNanos) {
    this.time = time;
    this.tracer = tracer;
    this.target = target;
    this.port = port;
    this.order = interleave(sorted);
    this.attempt = attempt;
    this.listener = listener;
    this.delayNanos = delayNanos;
  }

  /**
   * Connects to {@code target} (a name, for the events) at one of {@code sorted} on
   * {@code port}; {@code attempt} starts one connection (a bootstrap's connect).
   */
  public static HappyEyeballs connect(TimeSource time, Tracer tracer, String target, int port, List<IpAddress> sorted,
                                      Function<IpAddress, ChannelFuture> attempt, Listener listener) {
    return connect(time, tracer, target, port, sorted, attempt, listener, ATTEMPT_DELAY_NANOS);
  }

  /** As above with another connection attempt delay (RFC 8305 allows 100 ms to 2 s). */
  public static HappyEyeballs connect(TimeSource time, Tracer tracer, String target, int port, List<IpAddress> sorted,
                                      Function<IpAddress, ChannelFuture> attempt, Listener listener,
                                      long delayNanos) {
    if (sorted.isEmpty()) {
      throw new IllegalArgumentException("no address to connect to");
    }
    HappyEyeballs h = new HappyEyeballs(time, tracer, target, port, sorted, attempt, listener, delayNanos);
    h.start(AppEvent.AttemptReason.FIRST);
    return h;
  }

  /**
   * Ends the race (the command was cancelled or ran out of time): no further attempt starts and
   * every pending one is closed; the listener hears nothing more. Idempotent.
   */
  public void cancel() {
    if (done) {
      return;
    }
    done = true;
    if (timer != null) {
      timer.cancel();
    }
    List<ChannelFuture> others = new ArrayList<>(pending);
    pending.clear();
    for (ChannelFuture f : others) {
      f.cancel(false);
      f.channel().close();
    }
  }

  /** RFC 8305 section 4: alternate the families, starting with the first address's. */
  static List<IpAddress> interleave(List<IpAddress> sorted) {
    boolean firstV4 = sorted.get(0).isV4();
    List<IpAddress> first = sorted.stream().filter(a -> a.isV4() == firstV4).toList();
    List<IpAddress> second = sorted.stream().filter(a -> a.isV4() != firstV4).toList();
    List<IpAddress> out = new ArrayList<>();
    for (int i = 0; i < Math.max(first.size(), second.size()); i++) {
      if (i < first.size()) {
        out.add(first.get(i));
      }
      if (i < second.size()) {
        out.add(second.get(i));
      }
    }
    return out;
  }

  private void start(AppEvent.AttemptReason reason) {
    if (done || next >= order.size()) {
      return;
    }
    IpAddress a = order.get(next++);
    if (tracer.enabled() && order.size() > 1) { // one address: a plain connect, told by TCP's own events
      tracer.emit(new AppEvent.ConnectAttempt(target, a.toString(), port, next, order.size(), reason));
    }
    listener.trying(a);
    ChannelFuture f = attempt.apply(a);
    pending.add(f);
    if (timer != null) {
      timer.cancel();
    }
    timer = next < order.size() ? time.schedule(() -> start(AppEvent.AttemptReason.DELAY), delayNanos) : null;
    f.addListener(x -> finished(f, a));
  }

  private void finished(ChannelFuture f, IpAddress a) {
    pending.remove(f);
    if (done) {
      if (f.isSuccess()) {
        f.channel().close(); // a late winner: the race is over
      }
      return;
    }
    if (f.isSuccess()) {
      done = true;
      if (timer != null) {
        timer.cancel();
      }
      List<ChannelFuture> others = new ArrayList<>(pending);
      pending.clear(); // before cancelling: a cancelled attempt's listener runs at once
      for (ChannelFuture other : others) {
        other.cancel(false);
        other.channel().close();
      }
      int abandoned = others.size();
      if (tracer.enabled() && order.size() > 1) {
        tracer.emit(new AppEvent.ConnectWon(target, a.toString(), port, abandoned));
      }
      try {
        listener.connected(f.channel(), a);
      } catch (RuntimeException e) {
        f.channel().close(); // a caller that cannot take the connection must not leave it open
        throw e;
      }
      return;
    }
    if (next < order.size()) {
      start(AppEvent.AttemptReason.PREVIOUS_FAILED);
    } else if (pending.isEmpty()) {
      done = true;
      if (timer != null) {
        timer.cancel();
      }
      listener.failed(f.cause(), a);
    }
  }
}
