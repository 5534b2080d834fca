package emu.link.impair;

import emu.link.FrameReceiver;
import emu.link.LinkCounters;
import emu.link.LinkEndpoint;
import emu.link.time.TimeSource;
import io.netty.buffer.ByteBuf;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Wraps a link endpoint and impairs the frames it sends, like tc-netem on an interface's
 * egress: kernel netem does not exist inside an emulated node, so this is the fault injector.
 * Received frames pass straight to the receiver.
 *
 * <p>Per frame, in this order: down and MTU drops; loss (random with netem's correlation, or
 * Gilbert-Elliott); duplication (a {@linkplain ByteBuf#copy() copy}, never a shared buffer,
 * because receivers edit frames in place; the copy then goes through the steps below on its
 * own); corruption (one bit flipped after the 14-byte Ethernet header, so the frame still
 * reaches its node and shows up there as a bad checksum); delay with jitter; reordering; rate.
 * Frames leave in order of their send time, ties in arrival order, as netem's tfifo, so jitter
 * reorders frames.
 *
 * <p>Reordering, as netem: with {@code gap} N, every Nth frame (every frame when N is 0 or 1)
 * is a candidate and, with probability {@code reorder}, is sent at once, skipping the delay
 * line and the rate queue (netem puts it at the head of its queue).
 *
 * <p>Rate: a frame becomes ready after its delay, then waits for serialisation behind the
 * frames before it: {@code departure = max(ready, lastDeparture) + length * 8 / rate}.
 * <b>Unlike netem</b>, {@code limit} (and {@code limit-bytes}, bfifo-style: a frame is
 * admitted only if the queued bytes plus its own fit) bounds only this rate queue, the
 * bottleneck buffer, and not frames that are merely delayed: a 100 ms link does not drop
 * traffic beyond 1000 frames in flight the way netem's default limit silently does. Frames in
 * the delay line are bounded only by a safety cap of {@value #MAX_QUEUED_FRAMES}; frames over
 * either bound are dropped and counted in {@link ImpairmentCounters#queueDrops}.
 *
 * <p>Waiting frames sit in one array-based min-heap with one timer armed for its head. A real
 * event loop runs a timer late (on epoll, about 75 us after a 0.1-1 ms sleep and 100-160 us after
 * a 20 ms one, medians measured on the 2-core test machine; BENCHMARKS.md), so the timer is asked for that much
 * earlier: the lateness of the past wake-ups is averaged ({@link #wakeLateness}) and taken off
 * the next deadline. A frame still never leaves before its send time: a wake-up that comes
 * early re-arms at once for the rest, and every frame that is due leaves in the same wake-up.
 * On virtual time timers are never late, so the estimate stays 0 and nothing changes. All
 * randomness comes from one {@link SplittableRandom} seeded by the constructor, so the same
 * seed, impairment and frames give the same drops, copies, corruptions and delays.
 *
 * <p>With {@link Impairment#isNone()} the frame is handed to the inner endpoint at once, at
 * the cost of one branch and no allocation, and is not counted in the impairment counters.
 * Threading: the owning event loop only. Ownership: frames waiting here are owned by this
 * endpoint; {@link #close()} releases them.
 */
public final class ImpairedEndpoint implements LinkEndpoint {
  /** Safety cap on frames waiting here (delay line and rate queue together). */
  public static final int MAX_QUEUED_FRAMES = 1_000_000;
  /** Cap on one wake-up's lateness reading: the 99th percentile on epoll was about 0.5 ms. */
  static final long MAX_LATENESS = 500_000L;

  private final LinkEndpoint inner;
  private final TimeSource time;
  private final SplittableRandom random;
  private final ImpairmentCounters counters = new ImpairmentCounters();
  private final CorrelatedRandom lossRandom;
  private final CorrelatedRandom duplicateRandom;
  private final CorrelatedRandom corruptRandom;
  private final CorrelatedRandom delayRandom;
  private final CorrelatedRandom reorderRandom;
  private final FrameHeap waiting = new FrameHeap();
  private final RateQueue rateQueue = new RateQueue();
  private final Runnable onTimer = this::sendDue;
  private Impairment impairment = Impairment.NONE;
  /** impairment.isNone() or closed: hand frames straight to the inner endpoint. */
  private boolean passThrough = true;
  private boolean lossStateBad;
  private int reorderCounter;
  private TimeSource.Timer timer;
  private long timerDeadline;
  /** When the armed timer was asked to run; with {@link #timerSleeps}, to measure its lateness. */
  private long timerFireAt;
  /** The armed timer waits (a delay above 0): only such wake-ups say how late a timer runs. */
  private boolean timerSleeps;
  /**
   * The event loop's timer lateness (ns), a moving average over the wake-ups (weight 1/4: within
   * 10% of a steady lateness after 8 wake-ups), each reading capped at {@link #MAX_LATENESS} so
   * that a pause of the process (GC, SIGSTOP) does not make the next frames wait in re-arms.
   */
  private long wakeLateness;
  private boolean closed;

  public ImpairedEndpoint(LinkEndpoint inner, TimeSource time, long seed) {
    this.inner = Objects.requireNonNull(inner, "inner");
    this.time = Objects.requireNonNull(time, "time");
    this.random = new SplittableRandom(seed);
    lossRandom = new CorrelatedRandom(random);
    duplicateRandom = new CorrelatedRandom(random);
    corruptRandom = new CorrelatedRandom(random);
    delayRandom = new CorrelatedRandom(random);
    reorderRandom = new CorrelatedRandom(random);
  }

  /** Replaces the impairment; frames already waiting keep their send times. */
  public void impairment(Impairment i) {
    impairment = Objects.requireNonNull(i, "impairment");
    passThrough = closed || i.isNone();
  }

  public Impairment impairment() {
    return impairment;
  }

  public ImpairmentCounters impairmentCounters() {
    return counters;
  }

  public LinkEndpoint inner() {
    return inner;
  }

  /** Frames waiting for their send time. */
  public int queuedFrames() {
    return waiting.size();
  }

  @Override
  public String name() {
    return inner.name();
  }

  /** The impairment's MTU if it sets one, else the inner link's. */
  @Override
  public int mtu() {
    int mtu = impairment.mtu();
    return mtu > 0 ? mtu : inner.mtu();
  }

  @Override
  public void send(ByteBuf frame) {
    if (passThrough) {
      inner.send(frame);
      return;
    }
    impair(frame);
  }

  /** Frames received by the inner endpoint go straight to {@code receiver}: impairment acts on egress. */
  @Override
  public void receiver(FrameReceiver receiver) {
    inner.receiver(receiver);
  }

  @Override
  public LinkCounters counters() {
    return inner.counters();
  }

  /** Releases the frames still waiting and closes the inner endpoint; idempotent. */
  @Override
  public void close() {
    closed = true;
    passThrough = true;
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
    waiting.releaseAll();
    inner.close();
  }

  private void impair(ByteBuf frame) {
    Impairment imp = impairment;
    int length = frame.readableBytes();
    counters.frames++;
    counters.bytes += length;
    if (imp.down()) {
      counters.downDrops++;
      frame.release();
      return;
    }
    if (imp.mtu() > 0 && LinkEndpoint.payloadLength(frame) > imp.mtu()) {
      counters.mtuDrops++;
      frame.release();
      return;
    }
    if (lost(imp)) {
      counters.lossDrops++;
      frame.release();
      return;
    }
    ByteBuf copy = null;
    if (duplicateRandom.event(random, imp.duplicate(), imp.duplicateCorrelation())) {
      copy = frame.copy();
      counters.duplicated++;
    }
    long now = time.nanos();
    schedule(imp, frame, now);
    if (copy != null) {
      schedule(imp, copy, now);
    }
  }

  /** Loss: netem's correlated random loss, or its Gilbert-Elliott chain (lose by the current state, then move). */
  private boolean lost(Impairment imp) {
    GilbertElliott ge = imp.lossModel();
    if (ge == null) {
      return lossRandom.event(random, imp.loss(), imp.lossCorrelation());
    }
    boolean bad = lossStateBad;
    if (random.nextDouble() < (bad ? ge.r() : ge.p())) {
      lossStateBad = !bad;
    }
    double lose = bad ? ge.oneMinusH() : ge.oneMinusK();
    return lose > 0 && random.nextDouble() < lose;
  }

  /** Corruption, delay, reordering and rate for one frame (or copy); then send it or queue it. */
  private void schedule(Impairment imp, ByteBuf frame, long now) {
    if (corruptRandom.event(random, imp.corrupt(), imp.corruptCorrelation()) && flipOneBit(frame)) {
      counters.corrupted++;
    }
    if (reorderNow(imp)) {
      counters.reordered++;
      counters.sent++;
      inner.send(frame);
      return;
    }
    long sendTime = now + delay(imp);
    long rate = imp.rateBitsPerSecond();
    if (rate > 0) {
      int length = frame.readableBytes();
      rateQueue.expire(now);
      if (rateQueue.packetsAt(sendTime) >= imp.limitPackets()
          || (imp.limitBytes() > 0 && rateQueue.bytesAt(sendTime) + length > imp.limitBytes())) {
        counters.queueDrops++;
        frame.release();
        return;
      }
      long start = Math.max(sendTime, rateQueue.lastDeparture());
      sendTime = start + (length * 8L * 1_000_000_000L + rate / 2) / rate;
      rateQueue.admit(sendTime, length);
    }
    if (sendTime <= now && (waiting.isEmpty() || waiting.headTime() > now)) {
      counters.sent++;
      inner.send(frame);
      return;
    }
    if (waiting.size() >= MAX_QUEUED_FRAMES) {
      counters.queueDrops++;
      frame.release();
      return;
    }
    waiting.add(sendTime, frame);
    arm(now);
  }

  /** netem's reorder decision: candidates are every gap-th frame; a chosen one skips the queue. */
  private boolean reorderNow(Impairment imp) {
    if (imp.reorder() > 0
        && (imp.reorderGap() == 0 || reorderCounter >= imp.reorderGap() - 1)
        && reorderRandom.event(random, imp.reorder(), imp.reorderCorrelation())) {
      reorderCounter = 0;
      return true;
    }
    if (reorderCounter < Integer.MAX_VALUE) {
      reorderCounter++;
    }
    return false;
  }

  /** Delay plus jitter drawn from the distribution (correlated as netem's tabledist), never below 0. */
  private long delay(Impairment imp) {
    long delay = imp.delayNanos();
    long jitter = imp.jitterNanos();
    if (jitter > 0) {
      double u = delayRandom.next(random, imp.delayCorrelation());
      delay += Math.round(jitter * imp.distribution().deviation(u));
    }
    return Math.max(0, delay);
  }

  /** Flips one random bit after the Ethernet header; false if the frame has no bytes there (or is read-only). */
  private boolean flipOneBit(ByteBuf frame) {
    int after = frame.readableBytes() - 14;
    if (after <= 0 || frame.isReadOnly()) {
      return false;
    }
    int bit = random.nextInt(after * 8);
    int index = frame.readerIndex() + 14 + (bit >>> 3);
    frame.setByte(index, frame.getByte(index) ^ (1 << (bit & 7)));
    return true;
  }

  private void arm(long now) {
    if (waiting.isEmpty()) {
      return;
    }
    long head = waiting.headTime();
    if (timer != null) {
      if (timerDeadline <= head) {
        return;
      }
      timer.cancel();
    }
    timerDeadline = head;
    // Ask for the wake-up as early as the loop is late, never in the past. A wake-up that comes
    // before the head is due re-arms at once (delay 0) until it is: a busy wait of at most the
    // lateness (some 75 us, capped at MAX_LATENESS), chosen over sleeping again, which would
    // make that frame late by a whole wake-up.
    long fireAt = Math.max(now, head - wakeLateness);
    timerFireAt = fireAt;
    timerSleeps = fireAt > now;
    timer = time.schedule(onTimer, fireAt - now);
  }

  /** How late the event loop has been running this endpoint's timers (ns), the amount they are armed early. */
  public long wakeLateness() {
    return wakeLateness;
  }

  /** The timer: send every frame that is due, then re-arm for the next. */
  private void sendDue() {
    timer = null;
    if (closed) {
      return;
    }
    long now = time.nanos();
    if (timerSleeps) {
      long late = Math.min(Math.max(now - timerFireAt, 0), MAX_LATENESS);
      wakeLateness += (late - wakeLateness) / 4;
    }
    while (!waiting.isEmpty() && waiting.headTime() <= now) {
      ByteBuf frame = waiting.poll();
      counters.sent++;
      counters.delayed++;
      inner.send(frame);
    }
    arm(now);
  }
}
