package emu.node.apps.diag;

import emu.link.time.TimeSource;
import emu.node.shell.CommandIo;
import emu.node.stack.SendResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * One ping invocation, whichever the family: the send loop (a request every interval, then a
 * wait for late replies), the round-trip statistics and iputils' summary. A subclass sends the
 * echo requests of its family and reports what its ICMP listener hears through {@link #reply}
 * and {@link #error}.
 */
abstract class PingRun {
  protected final String target;
  protected final int ident;
  private final int count;
  private final long interval;
  private final long timeout;
  private final int size;
  private final boolean quiet;
  protected final CommandIo io;
  private final TimeSource time;
  private final long[] sentAt;
  private final boolean[] answered;
  private int sent;
  private int received;
  private int errors;
  private long startedAt;
  private double minMs = Double.MAX_VALUE;
  private double maxMs;
  private double sumMs;
  private double sumSqMs;
  private TimeSource.Timer timer;
  private boolean done;

  PingRun(String target, int ident, int count, long interval, long timeout, int size, boolean quiet, CommandIo io,
          TimeSource time) {
    this.target = target;
    this.ident = ident;
    this.count = count;
    this.interval = interval;
    this.timeout = timeout;
    this.size = size;
    this.quiet = quiet;
    this.io = io;
    this.time = time;
    this.sentAt = new long[count + 1];
    this.answered = new boolean[count + 1];
  }

  /** Sends echo request {@code seq} carrying {@code data} (the caller releases it). */
  protected abstract SendResult send(int seq, ByteBuf data);

  /** Starts hearing ICMP replies and errors. */
  protected abstract void listen();

  /** Stops hearing them. */
  protected abstract void unlisten();

  /**
   * What connecting a socket to the destination would say (iputils connects before it prints
   * anything): {@link SendResult#SENT} if there is a route, else why not.
   */
  protected abstract SendResult connect();

  /** Prints iputils' first line, then sends the first request; or says why it cannot. */
  final void start(String firstLine) {
    SendResult c = connect();
    if (c != SendResult.SENT) {
      io.out("ping: connect: " + c.message());
      done = true;
      io.exit(2);
      return;
    }
    io.out(firstLine);
    listen();
    io.onCancel(this::finish);
    startedAt = time.nanos();
    sendNext();
  }

  protected final boolean done() {
    return done;
  }

  /** True if {@code seq} is a request this run has sent. */
  protected final boolean sentSeq(int seq) {
    return seq >= 1 && seq <= sent;
  }

  private void sendNext() {
    if (done) {
      return;
    }
    int seq = ++sent;
    ByteBuf data = Unpooled.buffer(size);
    for (int i = 0; i < size; i++) {
      data.writeByte(0x10 + i);
    }
    sentAt[seq] = time.nanos();
    SendResult r = send(seq & 0xFFFF, data);
    data.release();
    if (r != SendResult.SENT) {
      io.out("ping: " + (seq == 1 ? "connect" : "sendmsg") + ": " + r.message());
      if (seq == 1) {
        done = true;
        unlisten();
        io.exit(2);
        return;
      }
      errors++;
    }
    timer = sent < count ? time.schedule(this::sendNext, interval) : time.schedule(this::finish, timeout);
  }

  /** An echo reply for {@code seq}, {@code bytes} long, from {@code from} with TTL (hop limit) {@code ttl}. */
  protected final void reply(int seq, int bytes, String from, int ttl) {
    if (done || !sentSeq(seq)) {
      return;
    }
    double ms = (time.nanos() - sentAt[seq]) / 1e6;
    boolean dup = answered[seq];
    if (!dup) {
      answered[seq] = true;
      received++;
      minMs = Math.min(minMs, ms);
      maxMs = Math.max(maxMs, ms);
      sumMs += ms;
      sumSqMs += ms * ms;
    }
    if (!quiet) {
      io.out(bytes + " bytes from " + from + ": icmp_seq=" + seq + " ttl=" + ttl + " time=" + formatMs(ms) + " ms"
          + (dup ? " (DUP!)" : ""));
    }
    if (received == count && sent == count) {
      finish();
    }
  }

  /** An ICMP error about request {@code seq}, from {@code from}, in iputils' words. */
  protected final void error(int seq, String from, String text) {
    if (done) {
      return;
    }
    errors++;
    if (!quiet) {
      io.out("From " + from + " icmp_seq=" + seq + " " + text);
    }
  }

  private void finish() {
    if (done) {
      return;
    }
    done = true;
    if (timer != null) {
      timer.cancel();
    }
    unlisten();
    long elapsedMs = (time.nanos() - startedAt) / 1_000_000;
    io.out("");
    io.out("--- " + target + " ping statistics ---");
    int lossPct = sent == 0 ? 0 : (int) Math.round(100.0 * (sent - received) / sent);
    io.out(sent + " packets transmitted, " + received + " received"
        + (errors > 0 ? ", +" + errors + " errors" : "") + ", " + lossPct + "% packet loss, time " + elapsedMs + "ms");
    if (received > 0) {
      double avg = sumMs / received;
      double mdev = Math.sqrt(Math.max(0, sumSqMs / received - avg * avg));
      io.out("rtt min/avg/max/mdev = " + formatMs(minMs) + "/" + formatMs(avg) + "/" + formatMs(maxMs) + "/"
          + formatMs(mdev) + " ms");
    }
    io.exit(received > 0 ? 0 : 1);
  }

  static String formatMs(double ms) {
    return String.format(java.util.Locale.ROOT, "%.3f", ms);
  }
}
