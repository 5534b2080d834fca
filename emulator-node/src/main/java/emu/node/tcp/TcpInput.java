package emu.node.tcp;

import emu.node.ipv6.Ipv6Layer;
import emu.node.stack.DropReason;
import emu.node.wire.IpAddress;
import emu.node.wire.TcpOptions;
import emu.node.wire.TcpSegment;

/**
 * Segment arrival, step by step as RFC 9293 section 3.10.7 orders it, with the RST, SYN and
 * ACK checks of RFC 5961, PAWS and TS.Recent of RFC 7323, and SACK information of RFC 2018 /
 * RFC 6675. One instance per node; the segment and its parsed options are valid only during a
 * call. Every method returns null when the segment was used, or the reason it was dropped.
 */
final class TcpInput {
  /** RFC 7323 5.5: TS.Recent older than 24 days is no longer trusted for PAWS. */
  private static final long PAWS_IDLE_NANOS = 24L * 24 * 3600 * 1_000_000_000L;

  private final TcpLayer layer;
  private final TcpCounters counters;
  /** The options of a SYN cookie's handshake: none (the cookie carries only the MSS). */
  private final TcpOptions noOptions = new TcpOptions().clear();

  TcpInput(TcpLayer layer) {
    this.layer = layer;
    this.counters = layer.counters();
  }

  private TcpOutput output() {
    return layer.output();
  }

  // ---- LISTEN ------------------------------------------------------------------------------

  /** RFC 9293 3.10.7.2: a segment for a listening port and no connection. */
  DropReason listen(TcpListenSocket l, long ourHi, long ourLo, long peerHi, long peerLo, TcpSegment seg,
                    TcpOptions opts) {
    int f = seg.flags();
    if ((f & TcpSegment.RST) != 0) {
      return DropReason.TCP_INVALID; // first: an incoming RST is ignored
    }
    if ((f & TcpSegment.ACK) != 0) {
      // An ACK may return a SYN cookie, if this listener sent any lately (Linux checks only then
      // too: otherwise every stray ACK would cost two hashes and could probe for cookies).
      long now = layer.stack().time().nanos();
      if ((f & TcpSegment.SYN) == 0 && l.cookieSent && now - l.lastCookieNanos < 2 * SynCookies.SLOT_NANOS) {
        SipHash h = layer.secret();
        long tuple = SynCookies.tupleHash(h, layer.addresses(ourHi, ourLo, peerHi, peerLo), seg.dstPort(),
            seg.srcPort(), seg.seq() - 1);
        int index = SynCookies.check(h, tuple, SynCookies.slot(now), seg.ack() - 1);
        if (index >= 0) {
          counters.synCookiesValidated++;
          return cookieAck(l, ourHi, ourLo, peerHi, peerLo, seg, opts, SynCookies.MSS_TABLE[index]);
        }
        counters.synCookiesFailed++;
      }
      output().sendResetFor(ourHi, ourLo, peerHi, peerLo, seg, null); // second: <SEQ=SEG.ACK><CTL=RST>
      return DropReason.TCP_NO_SOCKET;
    }
    if ((f & TcpSegment.SYN) == 0) {
      return DropReason.TCP_INVALID; // fourth: anything else is dropped
    }
    // third: SYN. First the connection caps: refused with a RST, so that a real client learns at
    // once (ECONNREFUSED) instead of retrying for two minutes; a spoofed SYN gets one small
    // segment, no more than a SYN-ACK would be.
    if (capReached(l)) {
      counters.connectionCapRefusals++;
      output().sendResetFor(ourHi, ourLo, peerHi, peerLo, seg, layer.arrival());
      return DropReason.TCP_CONNECTION_LIMIT;
    }
    // The backlog counts half-open connections; when full, a SYN cookie (RFC 4987 3.6) if they
    // are on, else drop (the peer retries).
    if (l.halfOpen >= l.backlog()) {
      TcpSettings s = layer.settings();
      if (!s.synCookies()) {
        counters.listenOverflows++;
        return DropReason.TCP_LISTEN_OVERFLOW;
      }
      long now = layer.stack().time().nanos();
      SipHash h = layer.secret();
      long tuple = SynCookies.tupleHash(h, layer.addresses(ourHi, ourLo, peerHi, peerLo), seg.dstPort(),
          seg.srcPort(), seg.seq());
      int cookie = SynCookies.make(h, tuple, SynCookies.slot(now),
          SynCookies.mssIndex(opts.hasMss() ? opts.mss() : TcpConnection.DEFAULT_MSS));
      output().sendCookieSynAck(ourHi, ourLo, peerHi, peerLo, seg, cookie, layer.advMssTo(peerHi, peerLo),
          Math.min(65535, s.receiveBuffer()), layer.arrival());
      counters.synCookiesSent++;
      l.cookieSent = true;
      l.lastCookieNanos = now;
      return null;
    }
    TcpConnection c = layer.newConnection(ourHi, ourLo, seg.dstPort(), peerHi, peerLo, seg.srcPort(), l);
    c.irs = seg.seq();
    c.rcvNxt = seg.seq() + 1; // RCV.NXT = SEG.SEQ + 1, IRS = SEG.SEQ; data on a SYN is not queued (as Linux)
    c.rcvAdv = c.rcvNxt;
    c.lastAckSent = c.rcvNxt;
    negotiate(c, opts);
    layer.startSequence(c);
    c.sndWnd = seg.window(); // a SYN's window is never scaled (RFC 7323 2.2)
    c.maxSndWnd = c.sndWnd;
    c.sndWl1 = seg.seq();
    c.sndWl2 = c.iss;
    layer.register(c);
    l.halfOpen++;
    c.halfOpenCounted = true;
    counters.passiveOpens++;
    c.transition(TcpState.SYN_RECEIVED, TcpCause.SYN_ON_LISTEN);
    c.timing = true;
    c.timedSeq = c.iss;
    c.timedAt = c.nanos();
    output().sendSyn(c); // <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>
    c.timers.retransmit(c.rtt.rto());
    return null;
  }

  /** True if {@code l} may take no more connections: its cap or the node's is reached. */
  private boolean capReached(TcpListenSocket l) {
    TcpSettings s = layer.settings();
    return l.established + l.halfOpen >= s.maxConnectionsPerListener() || layer.established >= s.maxConnections();
  }

  /**
   * The ACK of a valid SYN cookie: the connection its SYN would have made, created now in
   * SYN-RECEIVED with SND.UNA = ISS = SEG.ACK - 1 and IRS = SEG.SEQ - 1, the MSS the cookie
   * carried and no other option; the segment then completes the handshake as in 3.10.7.4 (and
   * its text, if any, is received).
   */
  private DropReason cookieAck(TcpListenSocket l, long ourHi, long ourLo, long peerHi, long peerLo, TcpSegment seg,
                               TcpOptions opts, int peerMss) {
    if (capReached(l)) {
      counters.connectionCapRefusals++;
      output().sendResetFor(ourHi, ourLo, peerHi, peerLo, seg, layer.arrival());
      return DropReason.TCP_CONNECTION_LIMIT;
    }
    TcpConnection c = layer.newConnection(ourHi, ourLo, seg.dstPort(), peerHi, peerLo, seg.srcPort(), l);
    c.irs = seg.seq() - 1;
    c.rcvNxt = seg.seq();
    c.lastAckSent = c.rcvNxt;
    negotiate(c, noOptions, peerMss);
    c.rcvAdv = c.rcvNxt + Math.min(65535, c.recvBuf.free()); // what the cookie's SYN-ACK advertised
    layer.startSequence(c, seg.ack() - 1);
    c.sndWl1 = c.irs;
    c.sndWl2 = c.iss;
    layer.register(c);
    counters.passiveOpens++;
    c.transition(TcpState.SYN_RECEIVED, TcpCause.SYN_COOKIE_ACK);
    return segmentArrives(c, seg, opts);
  }

  // ---- connections -------------------------------------------------------------------------

  /** A segment for an existing connection; delivers events and runs output afterwards. */
  DropReason segmentArrives(TcpConnection c, TcpSegment seg, TcpOptions opts) {
    c.lastReceived = c.nanos();
    c.keepAliveSent = 0;
    c.probesUnanswered = 0;
    DropReason r = c.state == TcpState.SYN_SENT ? synSent(c, seg, opts) : otherStates(c, seg, opts);
    c.deliverEvents();
    if (c.state != TcpState.CLOSED) {
      output().output(c);
    }
    return r;
  }

  /** RFC 9293 3.10.7.3: SYN-SENT. */
  private DropReason synSent(TcpConnection c, TcpSegment seg, TcpOptions opts) {
    int f = seg.flags();
    int seq = seg.seq();
    int ack = seg.ack();
    boolean hasAck = (f & TcpSegment.ACK) != 0;
    // First: the ACK bit. SEG.ACK =< ISS or SEG.ACK > SND.NXT: reset (unless RST), drop.
    if (hasAck && (SeqNum.le(ack, c.iss) || SeqNum.gt(ack, c.sndMax))) {
      if ((f & TcpSegment.RST) == 0) {
        output().sendResetFor(c, seg);
      }
      counters.ackUnsent++;
      return DropReason.TCP_INVALID;
    }
    // Second: RST. Only with an acceptable ACK (RFC 5961 3.2): "connection refused".
    if ((f & TcpSegment.RST) != 0) {
      if (!hasAck) {
        return DropReason.TCP_INVALID;
      }
      counters.rstReceived++;
      counters.attemptFails++;
      c.terminate(TcpError.REFUSED, TcpCause.RST_IN_SYN_SENT);
      return null;
    }
    // Fourth: SYN.
    if ((f & TcpSegment.SYN) == 0) {
      return DropReason.TCP_INVALID; // fifth: neither SYN nor RST
    }
    c.irs = seq;
    c.rcvNxt = seq + 1;
    c.lastAckSent = c.rcvNxt;
    negotiate(c, opts);
    c.rcvAdv = c.rcvNxt + Math.min(65535, c.recvBuf.free()); // what our SYN advertised
    c.sndWnd = seg.window();
    c.maxSndWnd = c.sndWnd;
    c.sndWl1 = seq;
    c.sndWl2 = ack;
    if (hasAck) {
      c.sndUna = ack;
      rttSample(c, ack, opts);
    }
    if (SeqNum.gt(c.sndUna, c.iss)) {
      // Our SYN is acknowledged: ESTABLISHED, ACK it; text after the SYN is processed (sixth step on).
      c.timers.cancelRetransmit(); // RFC 6298 5.2: everything sent is acknowledged
      c.enterEstablished(TcpCause.SYN_ACK_IN_SYN_SENT);
      c.ackNow = true;
      int dataLen = seg.payloadLength();
      if (dataLen > 0) {
        receiveText(c, seg, seq + 1, dataLen);
      }
      return null;
    }
    // Simultaneous open: SYN-RECEIVED, send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>; text waits.
    c.transition(TcpState.SYN_RECEIVED, TcpCause.SYN_IN_SYN_SENT);
    c.timing = false;
    output().sendSyn(c);
    return null;
  }

  /** RFC 9293 3.10.7.4: SYN-RECEIVED and every synchronized state. */
  private DropReason otherStates(TcpConnection c, TcpSegment seg, TcpOptions opts) {
    int f = seg.flags();
    int seq = seg.seq();
    int ack = seg.ack();
    int dataLen = seg.payloadLength();
    int segLen = seg.sequenceLength();
    boolean hasSyn = (f & TcpSegment.SYN) != 0;
    boolean hasRst = (f & TcpSegment.RST) != 0;
    boolean hasAck = (f & TcpSegment.ACK) != 0;
    boolean hasFin = (f & TcpSegment.FIN) != 0;

    // TIME-WAIT: a SYN above RCV.NXT (or with a newer timestamp) starts a new incarnation
    // (RFC 9293 3.10.7.4 fourth step, RFC 6191), if someone listens.
    if (c.state == TcpState.TIME_WAIT && hasSyn && !hasAck && !hasRst) {
      boolean newer = SeqNum.gt(seq, c.rcvNxt)
          || (c.tsOk && opts.hasTimestamps() && SeqNum.gt(opts.tsVal(), c.tsRecent));
      TcpListenSocket l = layer.findListener(c.local, c.localPort);
      if (newer && l != null) {
        c.terminate(null, TcpCause.NEW_SYN_IN_TIME_WAIT);
        return listen(l, c.local.hi(), c.local.lo(), c.remote.hi(), c.remote.lo(), seg, opts);
      }
    }
    // SYN-RECEIVED: the peer's SYN again means our SYN,ACK was lost: send it again (as Linux).
    if (c.state == TcpState.SYN_RECEIVED && hasSyn && !hasAck && !hasRst && seq == c.irs) {
      output().sendSyn(c);
      return null;
    }
    // Simultaneous open: the peer's SYN,ACK in SYN-RECEIVED acknowledges our SYN. Its SYN is
    // old (SEG.SEQ = IRS), so taken literally it fails the sequence test and RFC 5961 4.2
    // would challenge it; like Linux, let it complete the handshake as RFC 9293 figure 8 shows.
    if (c.state == TcpState.SYN_RECEIVED && c.listener == null && hasSyn && hasAck && !hasRst && seq == c.irs
        && SeqNum.lt(c.sndUna, ack) && SeqNum.le(ack, c.sndMax)) {
      c.sndWnd = seg.window(); // a SYN's window is not scaled
      c.sndWl1 = seq;
      c.sndWl2 = ack;
      c.maxSndWnd = Math.max(c.maxSndWnd, c.sndWnd);
      c.enterEstablished(TcpCause.SYN_ACK_IN_SYN_RECEIVED);
      processAck(c, seg, opts, seq, ack);
      return null;
    }
    // PAWS (RFC 7323 5.3 R1): an older timestamp than TS.Recent is a duplicate from the past.
    if (c.tsOk && opts.hasTimestamps() && !hasRst && SeqNum.lt(opts.tsVal(), c.tsRecent)
        && c.nanos() - c.tsRecentAt < PAWS_IDLE_NANOS) {
      counters.pawsRejected++;
      output().sendAck(c);
      return DropReason.TCP_OUT_OF_WINDOW;
    }

    // First: the sequence number (four cases of RFC 9293 3.10.7.4).
    int wnd = c.receiveWindow();
    boolean acceptable;
    if (segLen == 0) {
      acceptable = wnd == 0 ? seq == c.rcvNxt : SeqNum.inRange(seq, c.rcvNxt, c.rcvNxt + wnd);
    } else {
      acceptable = wnd != 0 && (SeqNum.inRange(seq, c.rcvNxt, c.rcvNxt + wnd)
          || SeqNum.inRange(seq + segLen - 1, c.rcvNxt, c.rcvNxt + wnd));
    }
    // "If RCV.WND is zero, no segments will be acceptable, but special allowance should be
    // made to accept valid ACKs, URGs, and RSTs": at RCV.NXT, process control, drop text.
    boolean controlOnly = false;
    if (!acceptable) {
      if (wnd == 0 && seq == c.rcvNxt) {
        controlOnly = true;
        counters.outOfWindow++;
        c.ackNow = true; // a zero-window probe carrying data: answer with the (still zero) window
      } else {
        if (hasRst) {
          return DropReason.TCP_OUT_OF_WINDOW; // RFC 5961 3.2: outside the window, silently
        }
        if (c.state == TcpState.TIME_WAIT && hasFin) {
          c.timers.timeWait(2 * c.settings.mslNanos()); // the peer's FIN again: ACK it, restart 2*MSL
        }
        counters.outOfWindow++;
        if (hasSyn && c.state != TcpState.SYN_RECEIVED) {
          output().sendChallengeAck(c); // RFC 5961 4.2: a SYN, whatever its sequence number
        } else {
          output().sendAck(c); // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
        }
        return DropReason.TCP_OUT_OF_WINDOW;
      }
    }
    // RFC 7323 4.3: remember the timestamp to echo.
    if (c.tsOk && opts.hasTimestamps() && SeqNum.ge(opts.tsVal(), c.tsRecent) && SeqNum.le(seq, c.lastAckSent)) {
      c.tsRecent = opts.tsVal();
      c.tsRecentAt = c.nanos();
    }

    // Second: RST (RFC 5961 3.2): exactly RCV.NXT resets, elsewhere in the window a challenge ACK.
    if (hasRst) {
      counters.rstReceived++;
      if (seq != c.rcvNxt) {
        output().sendChallengeAck(c);
        return null;
      }
      resetReceived(c);
      return null;
    }
    // Third: security/compartment: not implemented (no IP security options).

    // Fourth: SYN (RFC 5961 4.2): a challenge ACK in synchronized states.
    if (hasSyn) {
      if (c.state == TcpState.SYN_RECEIVED && c.listener != null) {
        // RFC 9293: a passive open goes back to LISTEN.
        c.transition(TcpState.CLOSED, TcpCause.SYN_IN_SYN_RECEIVED);
        c.destroy();
        return null;
      }
      output().sendChallengeAck(c);
      return null;
    }

    // Fifth: ACK.
    if (!hasAck) {
      return DropReason.TCP_INVALID;
    }
    if (c.state == TcpState.SYN_RECEIVED) {
      if (SeqNum.lt(c.sndUna, ack) && SeqNum.le(ack, c.sndMax)) {
        c.sndWnd = seg.window() << c.sndShift;
        c.sndWl1 = seq;
        c.sndWl2 = ack;
        c.maxSndWnd = Math.max(c.maxSndWnd, c.sndWnd);
        c.enterEstablished(TcpCause.ACK_OF_SYN_ACK);
      } else {
        output().sendResetFor(c, seg); // <SEQ=SEG.ACK><CTL=RST>
        return DropReason.TCP_INVALID;
      }
    }
    if (c.state != TcpState.TIME_WAIT) {
      // RFC 5961 5.2: acceptable if SND.UNA - MAX.SND.WND =< SEG.ACK =< SND.NXT.
      if (SeqNum.gt(ack, c.sndMax)) {
        counters.ackUnsent++;
        output().sendAck(c);
        return DropReason.TCP_INVALID;
      }
      if (SeqNum.lt(ack, c.sndUna - c.maxSndWnd)) {
        counters.ackTooOld++;
        output().sendChallengeAck(c);
        return DropReason.TCP_INVALID;
      }
      processAck(c, seg, opts, seq, ack);
      switch (c.state) {
        case FIN_WAIT_1 -> {
          if (c.finAcked()) { // our FIN is acknowledged: FIN-WAIT-2
            c.transition(TcpState.FIN_WAIT_2, TcpCause.ACK_OF_FIN);
            c.timers.cancelRetransmit();
            if (c.appClosed) {
              c.orphanedInFinWait2();
            }
          }
        }
        case CLOSING -> {
          if (c.finAcked()) {
            c.enterTimeWait(TcpCause.ACK_OF_FIN_IN_CLOSING);
          }
          return null; // otherwise ignore the segment
        }
        case LAST_ACK -> {
          if (c.finAcked()) {
            c.terminate(null, TcpCause.ACK_OF_FIN_IN_LAST_ACK);
          }
          return null;
        }
        default -> { }
      }
    }

    // Sixth: URG. Not supported: urgent data is delivered inline, the pointer ignored.

    // Seventh: segment text, in ESTABLISHED, FIN-WAIT-1 and FIN-WAIT-2 only.
    if (dataLen > 0 && !controlOnly) {
      switch (c.state) {
        case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 -> {
          if (!receiveText(c, seg, seq, dataLen)) {
            return null; // reset: data after close
          }
        }
        default -> { } // CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: the peer already sent its FIN
      }
    }

    // Eighth: FIN, once everything before it has arrived.
    if (hasFin && !controlOnly && c.state != TcpState.CLOSED) {
      int finAt = seq + dataLen;
      if (SeqNum.ge(finAt, c.rcvNxt) && SeqNum.lt(finAt, c.rcvAdv) && !c.peerFinSeen) {
        c.peerFinKnown = true;
        c.peerFinSeq = finAt;
      } else if (c.peerFinSeen) {
        c.ackNow = true;
        if (c.state == TcpState.TIME_WAIT) {
          c.timers.timeWait(2 * c.settings.mslNanos());
        }
      }
    }
    if (c.peerFinKnown && !c.peerFinSeen && c.rcvNxt == c.peerFinSeq) {
      finReceived(c);
    }
    return null;
  }

  /** RFC 9293 3.10.7.4 second step, for a RST at exactly RCV.NXT. */
  private void resetReceived(TcpConnection c) {
    switch (c.state) {
      case SYN_RECEIVED -> {
        if (c.listener != null) { // passive open: back to LISTEN, nobody to tell
          c.transition(TcpState.CLOSED, TcpCause.RST_IN_SYN_RECEIVED);
          c.destroy();
        } else {
          counters.attemptFails++;
          c.terminate(TcpError.REFUSED, TcpCause.RST_IN_SYN_RECEIVED_SIMULTANEOUS);
        }
      }
      case ESTABLISHED, CLOSE_WAIT -> {
        counters.estabResets++;
        c.terminate(TcpError.RESET, TcpCause.RST);
      }
      case FIN_WAIT_1, FIN_WAIT_2, CLOSING, LAST_ACK -> c.terminate(TcpError.RESET, TcpCause.RST);
      case TIME_WAIT -> c.terminate(null, TcpCause.RST_IN_TIME_WAIT);
      default -> { }
    }
  }

  /** RFC 9293 3.10.7.4 fifth step for an acceptable ACK in a synchronized state. */
  private void processAck(TcpConnection c, TcpSegment seg, TcpOptions opts, int seq, int ack) {
    int oldWnd = c.sndWnd;
    int newWnd = seg.window() << c.sndShift;
    int newlySacked = 0;
    if (c.sackOk && opts.sackCount() > 0) {
      newlySacked = c.scoreboard.update(c.sndUna, c.sndMax, opts);
    }
    if (SeqNum.gt(ack, c.sndUna)) {
      int dataEnd = c.sndBufSeq + c.sendBuf.size();
      int consumeTo = SeqNum.min(ack, dataEnd);
      int acked = 0; // data bytes; the SYN and FIN are not data
      if (SeqNum.gt(consumeTo, c.sndBufSeq)) {
        acked = consumeTo - c.sndBufSeq;
        c.sendBuf.consume(acked);
        c.sndBufSeq = consumeTo;
        c.bytesAcked += acked;
      }
      c.sndUna = ack;
      if (SeqNum.lt(c.sndNxt, ack)) {
        c.sndNxt = ack;
      }
      c.scoreboard.ackTo(ack);
      c.retries = 0;
      long sample = rttSample(c, ack, opts);
      layer.recovery().onNewAck(c, acked, sample);
      if (c.sndUna == c.sndMax) {
        c.timers.cancelRetransmit(); // RFC 6298 5.2
      } else {
        c.timers.retransmit(c.rtt.rto()); // RFC 6298 5.3
      }
      c.sendSpaceFreed();
    } else if (ack == c.sndUna) {
      boolean duplicate = c.sndMax != c.sndUna && (c.sackOk
          ? newlySacked > 0
          : seg.payloadLength() == 0 && (seg.flags() & (TcpSegment.SYN | TcpSegment.FIN)) == 0 && newWnd == oldWnd);
      layer.recovery().onDuplicateAck(c, duplicate);
    }
    // Window update: SND.UNA =< SEG.ACK and (SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)).
    if (SeqNum.ge(ack, c.sndUna) && (SeqNum.lt(c.sndWl1, seq) || (c.sndWl1 == seq && SeqNum.le(c.sndWl2, ack)))) {
      c.sndWnd = newWnd;
      c.sndWl1 = seq;
      c.sndWl2 = ack;
      c.maxSndWnd = Math.max(c.maxSndWnd, newWnd);
      if (oldWnd == 0 && newWnd > 0) {
        c.persistBackoff = 0;
      }
    }
  }

  /**
   * An RTT sample for an ACK that acknowledges new data: from the one timed segment if it is
   * covered and was not retransmitted (Karn), else from the echoed timestamp (RFC 7323 4).
   * Returns it in ns, or -1.
   */
  private static long rttSample(TcpConnection c, int ack, TcpOptions opts) {
    long sample = -1;
    if (c.timing && SeqNum.gt(ack, c.timedSeq)) {
      sample = c.nanos() - c.timedAt;
      c.timing = false;
    } else if (c.tsOk && opts.hasTimestamps() && opts.tsEcr() != 0) {
      int ms = c.tsNow() - opts.tsEcr();
      if (ms >= 0 && ms < 3_600_000) {
        sample = ms * 1_000_000L;
      }
    }
    if (sample >= 0) {
      c.rtt.sample(sample);
      c.layer.counters().rttSamples++;
      c.layer.counters().rttSumNanos += sample;
    }
    return sample;
  }

  /**
   * Seventh step: the bytes of the segment inside the window go to the receive buffer (in
   * order, or held for reassembly). ACK policy (RFC 5681 4.2, RFC 9293 3.8.6.3): at once for
   * out-of-order data, for data that fills a hole, and for every second full-sized segment;
   * otherwise the delayed-ACK timer. Returns false if the connection was reset (data after
   * the application closed, as Linux does).
   */
  private boolean receiveText(TcpConnection c, TcpSegment seg, int seq, int dataLen) {
    int start = seq;
    int index = seg.payloadIndex() + (seq - seg.seq()) - ((seg.flags() & TcpSegment.SYN) != 0 ? 1 : 0);
    int len = dataLen;
    if (SeqNum.lt(start, c.rcvNxt)) {
      int d = c.rcvNxt - start;
      if (d >= len) {
        c.ackNow = true; // all duplicate
        return true;
      }
      start += d;
      index += d;
      len -= d;
    }
    if (SeqNum.gt(start + len, c.rcvAdv)) {
      len = c.rcvAdv - start;
      if (len <= 0) {
        c.ackNow = true;
        return true;
      }
    }
    if (c.appClosed) {
      output().sendReset(c);
      c.terminate(TcpError.ABORTED, TcpCause.DATA_AFTER_CLOSE);
      return false;
    }
    c.rcvMss = Math.max(c.rcvMss, Math.min(dataLen, c.advMss));
    boolean hadHoles = c.recvBuf.hasOutOfOrder();
    int advance = c.recvBuf.store(c.rcvNxt, start, seg.buffer(), index, len);
    if (advance < 0) {
      counters.outOfWindow++;
      c.ackNow = true;
      return true;
    }
    if (advance == 0) {
      counters.outOfOrder++;
      c.ackNow = true;
      return true;
    }
    c.rcvNxt += advance;
    c.bytesReceived += advance;
    c.pendingAckBytes += advance;
    if (hadHoles || c.pendingAckBytes >= 2 * c.rcvMss) {
      c.ackNow = true;
    }
    return true;
  }

  /** Eighth step: the peer's FIN, in order. */
  private void finReceived(TcpConnection c) {
    c.rcvNxt += 1;
    c.peerFinSeen = true;
    c.ackNow = true;
    switch (c.state) {
      case SYN_RECEIVED, ESTABLISHED -> c.transition(TcpState.CLOSE_WAIT, TcpCause.FIN);
      case FIN_WAIT_1 -> {
        if (c.finAcked()) {
          c.enterTimeWait(TcpCause.FIN_AFTER_ACK_OF_FIN);
        } else {
          c.transition(TcpState.CLOSING, TcpCause.FIN_IN_FIN_WAIT_1);
        }
      }
      case FIN_WAIT_2 -> c.enterTimeWait(TcpCause.FIN_IN_FIN_WAIT_2);
      default -> { } // CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: stay
    }
  }

  /**
   * Options of a SYN (RFC 9293 3.7.1, RFC 7323, RFC 2018): each used only if both SYNs carry
   * it; the send MSS is the peer's (536 if absent) clamped by our MTU (over IPv6, the path MTU
   * learnt for the peer), less the timestamps option when those are on (RFC 6691).
   */
  void negotiate(TcpConnection c, TcpOptions o) {
    negotiate(c, o, o.hasMss() ? Math.max(o.mss(), 64) : TcpConnection.DEFAULT_MSS);
  }

  /** {@link #negotiate(TcpConnection, TcpOptions)} with the peer's MSS known otherwise (a SYN cookie's). */
  private void negotiate(TcpConnection c, TcpOptions o, int peerMss) {
    TcpSettings s = c.settings;
    c.peerMss = peerMss;
    c.wsOk = s.windowScaling() && o.hasWindowScale();
    if (c.wsOk) {
      c.sndShift = Math.min(14, o.windowScale()); // RFC 7323 2.3: larger shifts are taken as 14
      c.rcvShift = s.receiveWindowShift();
    } else {
      c.sndShift = 0;
      c.rcvShift = 0;
    }
    c.sackOk = s.sack() && o.sackPermitted();
    c.tsOk = s.timestamps() && o.hasTimestamps();
    if (c.tsOk) {
      c.tsRecent = o.tsVal();
      c.tsRecentAt = c.nanos();
    }
    int mss = Math.min(c.peerMss, c.advMss);
    Ipv6Layer ipv6 = layer.ipv6();
    if (c.v6 && ipv6 != null) {
      // the path MTU IPv6 has learnt for the peer (RFC 8201), shared with UDP and ICMPv6
      mss = Math.min(mss, ipv6.pathMtuCache().pathMtu(c.remote6, 0xFFFF, c.nanos()) - 60);
    }
    c.smss = Math.max(32, mss - (c.tsOk ? TcpOptions.TIMESTAMPS_LENGTH : 0));
    c.rcvMss = Math.min(c.rcvMss, c.smss);
  }
}
