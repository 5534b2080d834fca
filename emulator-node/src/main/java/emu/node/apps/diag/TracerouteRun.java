package emu.node.apps.diag;

import emu.link.time.TimeSource;
import emu.node.shell.CommandIo;
import emu.node.stack.SendResult;

/**
 * One traceroute invocation, whichever the family: hop after hop, {@code probes} UDP probes to
 * ports counting up from the base port, a wait for their answers, one line per hop in
 * traceroute's shape; the end when the destination answers (port unreachable), another
 * unreachable stops the path, or the hop limit is reached. A subclass sends its family's probes
 * and reports what its ICMP listener hears through {@link #answer}.
 */
abstract class TracerouteRun {
  protected final String target;
  private final int maxTtl;
  private final int probes;
  private final long wait;
  protected final int basePort;
  protected final CommandIo io;
  private final TimeSource time;
  private int ttl;
  protected int srcPort;
  private int probeIndex;
  private int hopFirstProbe;
  private long[] sentAt;
  private String[] answers;
  private int answered;
  private boolean reachedDestination;
  private boolean stopAfterHop;
  private TimeSource.Timer timer;
  private boolean done;

  TracerouteRun(String target, int firstTtl, int maxTtl, int probes, long wait, int basePort, CommandIo io,
                TimeSource time) {
    this.target = target;
    this.ttl = firstTtl;
    this.maxTtl = maxTtl;
    this.probes = probes;
    this.wait = wait;
    this.basePort = basePort;
    this.io = io;
    this.time = time;
  }

  /** Binds a UDP port for the probes; returns it, or -1. */
  protected abstract int bind();

  protected abstract void unbind(int port);

  /** Sends one probe to {@code dstPort} with TTL (hop limit) {@code ttl}. */
  protected abstract SendResult send(int dstPort, int ttl);

  protected abstract void listen();

  protected abstract void unlisten();

  /** Binds, prints traceroute's first line, and probes the first hop. */
  final void start(String firstLine) {
    srcPort = bind();
    if (srcPort < 0) {
      io.out("traceroute: no free UDP port");
      io.exit(2);
      return;
    }
    io.out(firstLine);
    listen();
    io.onCancel(this::finish);
    probeHop();
  }

  protected final boolean done() {
    return done;
  }

  private void probeHop() {
    sentAt = new long[probes];
    answers = new String[probes];
    answered = 0;
    hopFirstProbe = probeIndex;
    for (int i = 0; i < probes; i++) {
      sentAt[i] = time.nanos();
      SendResult r = send(basePort + probeIndex++, ttl);
      if (r != SendResult.SENT) {
        io.out("traceroute: send failed: " + r.message());
        finish();
        return;
      }
    }
    timer = time.schedule(this::hopDone, wait);
  }

  /**
   * An ICMP error about the probe sent to {@code dstPort}, from {@code who} (as the line prints
   * it); {@code note} is traceroute's mark (" !N" ...) or ""; {@code reached}: the destination
   * itself answered; {@code stop}: no later hop can answer (an unreachable).
   */
  protected final void answer(int dstPort, String who, String note, boolean reached, boolean stop) {
    int i = dstPort - basePort - hopFirstProbe;
    if (done || i < 0 || i >= probes || answers[i] != null) {
      return;
    }
    double ms = (time.nanos() - sentAt[i]) / 1e6;
    reachedDestination |= reached;
    stopAfterHop |= stop;
    answers[i] = who + "  " + PingRun.formatMs(ms) + " ms" + note;
    if (++answered == probes) {
      timer.cancel();
      hopDone();
    }
  }

  private void hopDone() {
    if (done) {
      return;
    }
    StringBuilder line = new StringBuilder(String.format("%2d ", ttl));
    String lastWho = null;
    for (String ans : answers) {
      if (ans == null) {
        line.append(" *");
        continue;
      }
      int split = ans.indexOf("  ");
      String who = ans.substring(0, split);
      String rest = ans.substring(split + 2);
      if (!who.equals(lastWho)) {
        line.append(' ').append(who);
        lastWho = who;
      }
      line.append("  ").append(rest);
    }
    io.out(line.toString());
    if (stopAfterHop || ttl >= maxTtl) {
      finish();
      return;
    }
    ttl++;
    probeHop();
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
    unbind(srcPort);
    io.exit(reachedDestination ? 0 : 1);
  }
}
