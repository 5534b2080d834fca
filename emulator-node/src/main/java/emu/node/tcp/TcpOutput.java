package emu.node.tcp;

import emu.node.ipv6.Ipv6ChecksumFiller;
import emu.node.ipv6.Ipv6Layer;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.stack.SendResult;
import emu.node.stack.TransportChecksum;
import emu.node.wire.IpAddress;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Extensions;
import emu.node.wire.TcpOptions;
import emu.node.wire.TcpSegment;
import io.netty.buffer.ByteBuf;

/**
 * What a connection sends and when (RFC 9293 3.8, 3.10.7): segments at the MSS within the
 * send window and cwnd, Nagle's algorithm (RFC 9293 3.7.4) and sender-side silly window
 * avoidance (3.8.6.2.1), PSH on the segment that empties the buffer, FIN after the data,
 * acknowledgments with the receive window (receiver-side SWS avoidance, 3.8.6.2.2), timestamps
 * and SACK blocks; zero-window probes (3.8.6.1) and keepalives (3.8.4); RSTs. Loss recovery
 * decides what to retransmit ({@link LossRecovery}); this class builds and sends.
 *
 * <p>One instance per node; its views and option holder are reused for every segment.
 * Segments are built in a buffer from {@link NetworkStack#allocate} (headroom for IP and
 * Ethernet) and handed to {@code Ipv4Output}, which takes ownership; the checksum is filled
 * once IP has the addresses.
 */
final class TcpOutput {
  static final int TTL = 64;
  static final int NORMAL = 0;
  static final int FORCE_ONE = 1;
  static final int RECOVERY_ONE = 2;

  private final TcpLayer layer;
  private final NetworkStack stack;
  private final TcpCounters counters;
  private final TcpSegment seg = new TcpSegment();
  private final TcpSegment fill = new TcpSegment();
  private final TcpOptions opts = new TcpOptions();
  private final TransportChecksum checksum = (b, s, l, from, to) -> fill.wrap(b, s, l).fillChecksum(from, to);
  private final Ipv6ChecksumFiller checksum6 = (b, s, l, pseudo) -> fill.wrap(b, s, l).fillChecksum(pseudo);

  TcpOutput(TcpLayer layer) {
    this.layer = layer;
    this.stack = layer.stack();
    this.counters = layer.counters();
  }

  // ---- the send loop --------------------------------------------------------------------

  /**
   * Sends what the windows allow and, if nothing carried it, a pending ACK; arms the delayed
   * ACK and persist timers as needed. Call after anything that may let data or an ACK out.
   */
  void output(TcpConnection c) {
    if (c.state == TcpState.CLOSED) {
      return;
    }
    if (c.canSendData()) {
      if (c.inRecovery && c.sackOk) {
        layer.recovery().sackTransmit(c);
      } else {
        sendData(c, NORMAL);
      }
      armPersistIfBlocked(c);
    }
    if (c.ackNow && c.state != TcpState.SYN_SENT && c.state != TcpState.CLOSED) {
      sendAck(c);
    } else if (c.pendingAckBytes > 0) {
      c.timers.delayedAck(c.settings.delayedAckNanos());
    }
  }

  /**
   * New data (and, after a timeout, data being sent again from SND.NXT, skipping SACKed
   * ranges) as the send window and cwnd allow. Returns whether anything went out.
   *
   * @param mode {@link #NORMAL}; {@link #FORCE_ONE}: one segment even if Nagle or SWS avoidance
   *     would hold it (the persist timer's override); {@link #RECOVERY_ONE}: one segment, cwnd
   *     already checked against RFC 6675's pipe by the caller
   */
  boolean sendData(TcpConnection c, int mode) {
    boolean force = mode == FORCE_ONE;
    boolean sent = false;
    while (c.canSendData()) {
      int seq = c.sndNxt;
      if (c.sackOk && SeqNum.lt(seq, c.sndMax)) {
        int skip = c.scoreboard.skipSacked(seq);
        if (skip != seq) {
          c.sndNxt = skip;
          continue;
        }
      }
      int dataEnd = c.sndBufSeq + c.sendBuf.size();
      int avail = SeqNum.gt(dataEnd, seq) ? dataEnd - seq : 0;
      boolean finPending = c.finQueued && SeqNum.le(seq, c.finSeq);
      if (avail == 0 && !finPending) {
        break;
      }
      long usable = (long) (c.sndUna + c.sndWnd - seq);
      boolean newData = SeqNum.ge(seq, c.sndMax);
      long flight = (long) (seq - c.sndUna) - (c.sackOk ? c.scoreboard.sackedIn(c.sndUna, seq) : 0);
      long cwndAvail = mode == RECOVERY_ONE ? c.smss : c.congestionWindow() - flight;
      if (!c.inRecovery && c.dupAcks > 0 && newData) {
        cwndAvail += (long) Math.min(c.dupAcks, 2) * c.smss; // RFC 3042 limited transmit
      }
      long len = Math.min(Math.min(c.smss, avail), Math.min(usable, cwndAvail));
      if (c.sackOk && !newData) {
        len = Math.min(len, c.scoreboard.nextSackedStart(seq, c.sndMax) - seq);
      }
      len = Math.max(len, 0);
      boolean fin = finPending && len == avail && usable > len;
      if (len == 0 && !fin) {
        break;
      }
      if (newData && len < c.smss && !fin && !force) {
        // Nagle (RFC 9293 3.7.4), with Minshall's refinement as Linux has it: a short
        // segment only when no earlier short segment is unacknowledged (or TCP_NODELAY).
        // Sender SWS avoidance (3.8.6.2.1): or when it is at least half the largest window
        // the peer has offered and the window, not cwnd, is what limits it.
        boolean all = len == avail;
        boolean idle = c.sndMax == c.sndUna || SeqNum.le(c.sndSmall, c.sndUna);
        boolean windowLimited = usable <= cwndAvail && usable < avail;
        if (!((all && (c.noDelay || idle)) || (windowLimited && c.maxSndWnd > 0 && len >= c.maxSndWnd / 2))) {
          break;
        }
      }
      int n = (int) len;
      int flags = TcpSegment.ACK | (fin ? TcpSegment.FIN : 0) | (n > 0 && seq + n == dataEnd ? TcpSegment.PSH : 0);
      if (!transmit(c, seq, flags, n)) {
        break;
      }
      if (!newData) {
        counters.retransmits++;
        c.retransmits++;
        if (c.timing && SeqNum.inRange(c.timedSeq, seq, seq + n + 1)) {
          c.timing = false; // Karn: this segment's ACK will be ambiguous
        }
      } else if (!c.timing && n > 0) {
        c.timing = true;
        c.timedSeq = seq;
        c.timedAt = c.nanos();
      }
      c.bytesSent += n;
      if (n < c.smss) {
        c.sndSmall = seq + n;
      }
      c.sndNxt = seq + n + (fin ? 1 : 0);
      if (SeqNum.gt(c.sndNxt, c.sndMax)) {
        c.sndMax = c.sndNxt;
      }
      if (fin) {
        c.finSent = true;
      }
      if (!c.timers.retransmitArmed()) {
        c.timers.retransmit(c.rtt.rto()); // RFC 6298 5.1
      }
      sent = true;
      if (mode != NORMAL) {
        break;
      }
    }
    return sent;
  }

  /**
   * Sends (again) up to {@code maxLen} bytes from {@code seq}, with the FIN if the segment
   * reaches it; SND.NXT is not moved. Returns the sequence space covered (0 if nothing).
   */
  int retransmit(TcpConnection c, int seq, int maxLen) {
    int dataEnd = c.sndBufSeq + c.sendBuf.size();
    int len = SeqNum.gt(dataEnd, seq) ? Math.min(maxLen, dataEnd - seq) : 0;
    if (c.sackOk) {
      len = Math.min(len, Math.max(0, c.scoreboard.nextSackedStart(seq, dataEnd) - seq));
    }
    boolean fin = c.finQueued && (c.finSent || SeqNum.lt(seq, c.sndMax)) && seq + len == c.finSeq;
    if (len <= 0 && !fin) {
      return 0;
    }
    int flags = TcpSegment.ACK | (fin ? TcpSegment.FIN : 0) | (len > 0 && seq + len == dataEnd ? TcpSegment.PSH : 0);
    if (!transmit(c, seq, flags, len)) {
      return 0;
    }
    counters.retransmits++;
    c.retransmits++;
    c.bytesSent += len;
    if (fin) {
      c.finSent = true;
    }
    int end = seq + len + (fin ? 1 : 0);
    if (SeqNum.gt(end, c.sndMax)) {
      c.sndMax = end;
    }
    if (c.timing && SeqNum.inRange(c.timedSeq, seq, end)) {
      c.timing = false; // Karn
    }
    return end - seq;
  }

  /** Data or a FIN waits while nothing is in flight: the window holds it back, so probe (RFC 9293 3.8.6.1). */
  private void armPersistIfBlocked(TcpConnection c) {
    int dataEnd = c.sndBufSeq + c.sendBuf.size();
    boolean pending = SeqNum.lt(c.sndNxt, dataEnd) || (c.finQueued && SeqNum.le(c.sndNxt, c.finSeq));
    if (pending && c.sndMax == c.sndUna && !c.timers.retransmitArmed()) {
      if (!c.timers.persistArmed()) {
        c.timers.persist(persistInterval(c));
      }
    } else {
      c.timers.cancelPersist();
    }
  }

  private long persistInterval(TcpConnection c) {
    long t = c.rtt.rto();
    for (int i = 0; i < c.persistBackoff && t < c.settings.maxRtoNanos(); i++) {
      t *= 2;
    }
    return Math.min(t, c.settings.maxRtoNanos());
  }

  /**
   * RFC 9293 3.8.6.1: the persist timer fired. If the window has room, send a segment whatever
   * Nagle or SWS avoidance say; if it is zero, probe with a segment the receiver must answer
   * with an ACK carrying its window (sequence number SND.UNA - 1 and no data, as Linux does,
   * so the probe never consumes sequence space). Unanswered probes eventually time out
   * (maxRetries), as Linux's tcp_retries2 does for them.
   */
  void onPersistTimeout(TcpConnection c) {
    if (!c.canSendData() || c.sndMax != c.sndUna) {
      return;
    }
    if (c.probesUnanswered >= c.settings.maxRetries()) {
      counters.timeoutAborts++;
      c.terminate(TcpError.TIMEOUT, TcpCause.ZERO_WINDOW_PROBES_UNANSWERED);
      return;
    }
    long usable = (long) (c.sndUna + c.sndWnd - c.sndNxt);
    if (usable > 0 && sendData(c, FORCE_ONE)) {
      return; // data in flight: the retransmission timer takes over
    }
    counters.persistProbes++;
    c.probesUnanswered++;
    transmit(c, c.sndUna - 1, TcpSegment.ACK, 0);
    c.persistBackoff++;
    c.timers.persist(persistInterval(c));
  }

  /**
   * RFC 9293 3.8.4 / RFC 1122 4.2.3.6: after keepAliveIdle without a segment from the peer,
   * a probe (SND.UNA - 1, no data) every keepAliveInterval; after keepAliveProbes unanswered
   * probes the connection times out.
   */
  void onKeepAliveTimeout(TcpConnection c) {
    if (!c.keepAlive || (c.state != TcpState.ESTABLISHED && c.state != TcpState.CLOSE_WAIT)) {
      return;
    }
    TcpSettings s = c.settings;
    long idle = c.nanos() - c.lastReceived;
    if (c.sndMax != c.sndUna) {
      c.timers.keepAlive(s.keepAliveIdleNanos()); // data in flight: the retransmission timer watches
      return;
    }
    if (c.keepAliveSent == 0 && idle < s.keepAliveIdleNanos()) {
      c.timers.keepAlive(s.keepAliveIdleNanos() - idle);
      return;
    }
    if (c.keepAliveSent >= s.keepAliveProbes()) {
      counters.timeoutAborts++;
      c.terminate(c.softError != null ? c.softError : TcpError.TIMEOUT, TcpCause.KEEPALIVE_PROBES_UNANSWERED);
      return;
    }
    counters.keepaliveProbes++;
    c.keepAliveSent++;
    transmit(c, c.sndUna - 1, TcpSegment.ACK, 0);
    c.timers.keepAlive(s.keepAliveIntervalNanos());
  }

  /** After the application read buffered data: announce a window that opened by a useful amount. */
  void windowUpdateIfOpened(TcpConnection c, int before) {
    if (c.state == TcpState.CLOSED || c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED
        || c.state == TcpState.TIME_WAIT || c.peerFinSeen || c.appClosed) {
      return;
    }
    long wnd = Math.min(c.recvBuf.free(), 65535L << c.rcvShift);
    int threshold = Math.min(c.recvBuf.capacity() / 2, c.advMss);
    if (wnd - before >= threshold) {
      sendAck(c);
    }
  }

  // ---- single segments --------------------------------------------------------------------

  /** Our SYN (SYN-SENT) or SYN,ACK (SYN-RECEIVED), with options, at ISS. */
  void sendSyn(TcpConnection c) {
    int flags = c.state == TcpState.SYN_SENT ? TcpSegment.SYN : TcpSegment.SYN | TcpSegment.ACK;
    transmit(c, c.iss, flags, 0);
  }

  /** <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, also RFC 5961's challenge ACK. */
  void sendAck(TcpConnection c) {
    transmit(c, c.sndNxt, TcpSegment.ACK, 0);
  }

  /**
   * RFC 5961 challenge ACK, limited to {@link TcpSettings#challengeAckLimit()} per second for
   * the node (section 7).
   */
  void sendChallengeAck(TcpConnection c) {
    if (!layer.takeChallengeAckToken()) {
      counters.challengeAcksSuppressed++;
      return;
    }
    counters.challengeAcks++;
    sendAck(c);
  }

  /** RST for abort or close with unread data: <SEQ=SND.MAX><ACK=RCV.NXT><CTL=RST,ACK> as Linux sends it. */
  void sendReset(TcpConnection c) {
    if (c.state == TcpState.SYN_SENT || c.state == TcpState.CLOSED) {
      return;
    }
    counters.rstSent++;
    transmit(c, c.sndMax, TcpSegment.RST | TcpSegment.ACK, 0);
  }

  /**
   * RFC 9293 3.10.7.1: the answer to a segment that found no connection. Never to a RST. If
   * the segment had an ACK: <SEQ=SEG.ACK><CTL=RST>; else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
   */
  void sendResetFor(TcpConnection c, TcpSegment in) {
    sendResetFor(c.local.hi(), c.local.lo(), c.remote.hi(), c.remote.lo(), in, c.nic6);
  }

  /**
   * As above for addresses of either family as two longs each (nothing is allocated for IPv4);
   * {@code nic} names the link of a link-local IPv6 peer, else null.
   */
  void sendResetFor(long ourHi, long ourLo, long peerHi, long peerLo, TcpSegment in, Nic nic) {
    int f = in.flags();
    if ((f & TcpSegment.RST) != 0) {
      return;
    }
    int seq;
    int ack;
    int flags;
    if ((f & TcpSegment.ACK) != 0) {
      seq = in.ack();
      ack = 0;
      flags = TcpSegment.RST;
    } else {
      seq = 0;
      ack = in.seq() + in.sequenceLength();
      flags = TcpSegment.RST | TcpSegment.ACK;
    }
    counters.rstSent++;
    sendStateless(ourHi, ourLo, peerHi, peerLo, in, seq, ack, flags, 0, 0, nic);
  }

  /**
   * A SYN cookie's SYN-ACK (RFC 4987 3.6): <SEQ=cookie><ACK=SEG.SEQ+1><CTL=SYN,ACK> with only
   * the MSS option, and no connection behind it.
   */
  void sendCookieSynAck(long ourHi, long ourLo, long peerHi, long peerLo, TcpSegment in, int cookie, int mss,
                        int window, Nic nic) {
    sendStateless(ourHi, ourLo, peerHi, peerLo, in, cookie, in.seq() + 1, TcpSegment.SYN | TcpSegment.ACK, window,
        mss, nic);
  }

  /** A segment that answers {@code in} with no connection: ports swapped, the MSS option if {@code mss} > 0. */
  private void sendStateless(long ourHi, long ourLo, long peerHi, long peerLo, TcpSegment in, int seq, int ack,
                             int flags, int window, int mss, Nic nic) {
    TcpOptions o = opts.clear();
    if (mss > 0) {
      o.mss(mss);
    }
    int hl = TcpSegment.HEADER_LEN + o.length();
    ByteBuf buf = stack.allocate(hl);
    int start = buf.readerIndex();
    buf.writerIndex(start + hl);
    seg.wrap(buf, start, hl).srcPort(in.dstPort()).dstPort(in.srcPort()).seq(seq).ack(ack)
        .headerLength(hl).flags(flags).window(window).checksum(0).urgentPointer(0);
    o.emit(buf, start + TcpSegment.HEADER_LEN);
    counters.segmentsOut++;
    if (IpAddress.isV4(peerHi, peerLo)) {
      stack.ipv4Output().send((int) ourLo, (int) peerLo, Ipv4Packet.PROTO_TCP, TTL, true, buf, checksum);
    } else {
      send6(new Ipv6Address(ourHi, ourLo), new Ipv6Address(peerHi, peerLo), nic, buf);
    }
  }

  private SendResult send6(Ipv6Address from, Ipv6Address to, Nic nic, ByteBuf buf) {
    Ipv6Layer ipv6 = layer.ipv6();
    if (ipv6 == null) {
      buf.release();
      return SendResult.NO_ROUTE;
    }
    return ipv6.send(from, to, nic, Ipv6Extensions.TCP, ipv6.hopLimit(), buf, checksum6);
  }

  /**
   * Builds and sends one segment of {@code c}: {@code len} bytes of the send buffer from
   * {@code seq}. Anything carrying an ACK also acknowledges everything received (and stops
   * the delayed-ACK timer). Returns false if the connection cannot send at all (no route:
   * it fails, from a later task).
   */
  boolean transmit(TcpConnection c, int seq, int flags, int len) {
    TcpOptions o = opts.clear();
    boolean syn = (flags & TcpSegment.SYN) != 0;
    boolean rst = (flags & TcpSegment.RST) != 0;
    if (syn) {
      boolean active = (flags & TcpSegment.ACK) == 0;
      o.mss(c.advMss);
      if (active ? c.settings.sack() : c.sackOk) {
        o.sackPermitted(true);
      }
      if (active ? c.settings.timestamps() : c.tsOk) {
        o.timestamps(c.tsNow(), active ? 0 : c.tsRecent);
      }
      if (active ? c.settings.windowScaling() : c.wsOk) {
        o.windowScale(c.settings.receiveWindowShift());
      }
    } else if (!rst) {
      if (c.tsOk) {
        o.timestamps(c.tsNow(), c.tsRecent);
      }
      if (c.sackOk && c.recvBuf.hasOutOfOrder() && (flags & TcpSegment.ACK) != 0) {
        c.recvBuf.sackBlocks(o, c.tsOk ? 3 : 4);
      }
    }
    int hl = TcpSegment.HEADER_LEN + o.length();
    ByteBuf buf = stack.allocate(hl + len);
    int start = buf.readerIndex();
    buf.writerIndex(start + hl + len);
    boolean ack = (flags & TcpSegment.ACK) != 0;
    int window = rst ? 0 : syn ? synWindow(c) : windowField(c);
    seg.wrap(buf, start, hl + len).srcPort(c.localPort).dstPort(c.remotePort).seq(seq).ack(ack ? c.rcvNxt : 0)
        .headerLength(hl).flags(flags).window(window).checksum(0).urgentPointer(0);
    o.emit(buf, start + TcpSegment.HEADER_LEN);
    if (len > 0) {
      c.sendBuf.copyTo(seq - c.sndBufSeq, len, buf, start + hl);
    }
    if (ack) {
      c.lastAckSent = c.rcvNxt;
      c.pendingAckBytes = 0;
      c.ackNow = false;
      c.timers.cancelDelayedAck();
    }
    counters.segmentsOut++;
    SendResult r = c.v6 ? send6(c.local6, c.remote6, c.nic6, buf)
        : stack.ipv4Output().send(c.localIp, c.remoteIp, Ipv4Packet.PROTO_TCP, TTL, true, buf, checksum);
    if (r != SendResult.SENT) {
      counters.sendFailures++;
      if (r == SendResult.NO_ROUTE) {
        c.failLater(TcpError.NO_ROUTE);
        return false;
      }
      // Interface down or too big: the segment is lost; retransmission will try again.
    }
    return true;
  }

  /** The window in a SYN or SYN,ACK is never scaled (RFC 7323 2.2). */
  private int synWindow(TcpConnection c) {
    int w = Math.min(65535, c.recvBuf.free());
    if (c.state != TcpState.SYN_SENT) {
      int right = c.rcvNxt + w;
      if (c.rcvAdv == c.rcvNxt || SeqNum.gt(right, c.rcvAdv)) {
        c.rcvAdv = right;
      }
    }
    return w;
  }

  /**
   * The window field: receiver-side SWS avoidance (RFC 9293 3.8.6.2.2) keeps the right edge
   * where it is until it can move by min(half the buffer, one MSS); the value is scaled
   * (RFC 7323) by rounding down, and the right edge we accept data up to never moves left.
   */
  private int windowField(TcpConnection c) {
    int free = c.recvBuf.free();
    int cur = c.receiveWindow();
    int threshold = Math.min(c.recvBuf.capacity() / 2, c.advMss);
    long wnd = free - cur >= threshold ? free : Math.min(cur, free + ((1 << c.rcvShift) - 1));
    wnd = Math.min(wnd, 65535L << c.rcvShift);
    int field = (int) Math.min(65535, wnd >>> c.rcvShift);
    int right = c.rcvNxt + (field << c.rcvShift);
    if (SeqNum.gt(right, c.rcvAdv)) {
      c.rcvAdv = right;
    }
    return field;
  }
}
