package emu.node.tcp;

/**
 * Loss detection and recovery; the window arithmetic is the {@link CongestionControl}'s.
 *
 * <ul>
 * <li>Duplicate ACKs (RFC 5681 2: no data, no SYN/FIN, same window, outstanding data; with
 *     SACK, RFC 6675 counts ACKs that SACK new data instead). On the first two, limited
 *     transmit (RFC 3042) lets new data out.
 * <li>With SACK on both sides, RFC 6675: recovery starts at DupThresh duplicate ACKs or when
 *     IsLost(HighACK + 1); the first segment is retransmitted at once, then NextSeg() fills
 *     cwnd - pipe: lost holes first (rule 1), new data (2), un-SACKed data that is not yet
 *     lost (3), one rescue retransmission (4). Recovery ends when the cumulative ACK reaches
 *     RecoveryPoint.
 * <li>Without SACK, NewReno (RFC 6582 with RFC 5681 3.2): fast retransmit at 3 duplicate ACKs,
 *     cwnd inflated by 3 SMSS and by one SMSS per further duplicate, each partial ACK
 *     retransmits the next hole and deflates by what it acknowledged (adding back one SMSS),
 *     the full ACK ends recovery. The retransmission timer restarts on every partial ACK (the
 *     "slow but steady" variant of RFC 6582 section 4).
 * <li>A new recovery starts only when the cumulative ACK has passed the previous recovery
 *     point (RFC 6582 3.2 step 2, RFC 6675 5).
 * <li>Retransmission timeout (RFC 6298 5.4 to 5.6, RFC 5681 3.1): back off, retransmit the
 *     first unacknowledged segment, then send again from there in slow start ("go back N"),
 *     skipping what the receiver SACKed. A second timeout in a row forgets SACK information, in
 *     case the receiver reneged (RFC 2018 8).
 * </ul>
 */
final class LossRecovery {
  private final TcpLayer layer;
  private final TcpCounters counters;

  LossRecovery(TcpLayer layer) {
    this.layer = layer;
    this.counters = layer.counters();
  }

  /** An ACK advanced SND.UNA by {@code acked} (already applied). */
  void onNewAck(TcpConnection c, int acked, long rttSample) {
    long now = c.nanos();
    if (c.inRecovery) {
      if (SeqNum.ge(c.sndUna, c.recoverPoint)) {
        // RFC 6582 3.2 step 3 / RFC 6675 5: full acknowledgment ends recovery.
        c.inRecovery = false;
        c.inflation = 0;
        c.dupAcks = 0;
        c.cc.onRecoveryEnd(now);
        return;
      }
      if (!c.sackOk) {
        // RFC 6582 3.2 step 4: partial ACK. Retransmit the next hole, deflate, add back one SMSS.
        layer.output().retransmit(c, c.sndUna, c.smss);
        counters.fastRetransmits++;
        c.inflation = Math.max(0, c.inflation - acked) + (acked >= c.smss ? c.smss : 0);
      } else {
        checkLostRetransmission(c);
      }
      return; // with SACK, NextSeg in output() does the rest
    }
    c.dupAcks = 0;
    c.cc.onAck(acked, rttSample, inFlight(c), now);
  }

  /** An acceptable ACK that did not advance SND.UNA; {@code duplicate} per RFC 5681 / RFC 6675. */
  void onDuplicateAck(TcpConnection c, boolean duplicate) {
    if (!duplicate) {
      return;
    }
    counters.dupAcks++;
    c.dupAcks++;
    if (c.inRecovery) {
      if (!c.sackOk) {
        c.inflation += c.smss; // RFC 5681 3.2 step 4
      } else {
        checkLostRetransmission(c);
      }
      return;
    }
    boolean mayStart = !c.recoverValid || SeqNum.ge(c.sndUna, c.recoverPoint);
    boolean lost = c.dupAcks >= SackScoreboard.DUP_THRESH
        || (c.sackOk && SeqNum.lt(c.sndUna, c.scoreboard.lostBoundary(c.sndUna, c.smss)));
    if (mayStart && lost) {
      enterRecovery(c);
    }
  }

  private void enterRecovery(TcpConnection c) {
    c.inRecovery = true;
    c.recoverPoint = c.sndMax;
    c.recoverValid = true;
    c.cc.onLoss(inFlight(c), c.nanos());
    if (c.sackOk) {
      counters.sackRecoveries++;
      c.highRxt = c.sndUna;
      c.rescueValid = false;
      c.rxtCount = 0;
    } else {
      counters.renoRecoveries++;
      c.inflation = 3L * c.smss; // RFC 5681 3.2 step 2: cwnd = ssthresh + 3*SMSS
    }
    // RFC 5681 3.2 step 3 / RFC 6675 5 step 4.3: retransmit the first unacknowledged segment now.
    int n = layer.output().retransmit(c, c.sndUna, c.smss);
    if (n > 0) {
      counters.fastRetransmits++;
      if (c.sackOk) {
        c.highRxt = c.sndUna + n;
        noteRetransmission(c, c.sndUna);
      }
    }
  }

  private static void noteRetransmission(TcpConnection c, int seq) {
    int i = c.rxtCount++ % c.rxtSeq.length;
    c.rxtSeq[i] = seq;
    c.rxtMark[i] = c.sndMax;
  }

  /**
   * RFC 6675 cannot see a retransmission that is lost again: the recovery would wait for the
   * retransmission timer. Like Linux (tcp_mark_lost_retrans, and RACK, RFC 8985, in spirit):
   * if the first hole was retransmitted and data sent after that retransmission has since been
   * SACKed DupThresh segments beyond, the retransmission is presumed lost and is sent again.
   */
  private void checkLostRetransmission(TcpConnection c) {
    int n = Math.min(c.rxtCount, c.rxtSeq.length);
    for (int i = 0; i < n; i++) {
      if (c.rxtSeq[i] != c.sndUna) {
        continue;
      }
      int beyond = c.rxtMark[i] + SackScoreboard.DUP_THRESH * c.smss;
      if (SeqNum.ge(c.scoreboard.highestSacked(c.sndUna), beyond)) {
        if (layer.output().retransmit(c, c.sndUna, c.smss) > 0) {
          counters.fastRetransmits++;
          counters.lostRetransmissions++;
          c.rxtMark[i] = c.sndMax;
        }
      }
      return;
    }
  }

  /**
   * RFC 6675 section 5 step (C): while cwnd - pipe is at least one SMSS, send what NextSeg()
   * picks. Returns whether anything went out.
   */
  boolean sackTransmit(TcpConnection c) {
    boolean sent = false;
    int smss = c.smss;
    int lost = c.scoreboard.lostBoundary(c.sndUna, smss);
    for (int guard = 0; guard < 100_000; guard++) {
      long pipe = c.scoreboard.pipe(c.sndUna, c.sndMax, c.highRxt, lost);
      if (c.congestionWindow() - pipe < smss) {
        break;
      }
      int from = SeqNum.max(c.highRxt, c.sndUna);
      int s = c.scoreboard.firstUnsacked(from);
      // Rule 1: the first un-SACKed, not yet retransmitted, lost segment.
      if (SeqNum.lt(s, lost) && SeqNum.lt(s, c.sndMax)) {
        if (!retransmitAt(c, s)) {
          break;
        }
        sent = true;
        continue;
      }
      // Rule 2: new data, if the receive window allows.
      if (SeqNum.ge(c.sndNxt, c.sndMax) && hasNewData(c)) {
        if (layer.output().sendData(c, TcpOutput.RECOVERY_ONE)) {
          sent = true;
          continue;
        }
      }
      // Rule 3: un-SACKed data below the highest SACKed byte, not yet retransmitted.
      if (SeqNum.lt(s, c.scoreboard.highestSacked(c.sndUna)) && SeqNum.lt(s, c.sndMax)) {
        if (!retransmitAt(c, s)) {
          break;
        }
        sent = true;
        continue;
      }
      // Rule 4: one rescue retransmission of the highest un-SACKed segment per recovery,
      // if that data was not already retransmitted in this recovery (at or above HighRxt).
      if (!c.rescueValid || SeqNum.gt(c.sndUna, c.rescueRxt)) {
        int end = c.scoreboard.highestUnsackedEnd(c.sndUna, c.sndMax);
        if (SeqNum.gt(end, c.sndUna) && SeqNum.gt(end, c.highRxt)) {
          int start = SeqNum.max(c.sndUna, end - smss);
          c.rescueValid = true;
          c.rescueRxt = c.recoverPoint;
          if (layer.output().retransmit(c, start, end - start) > 0) {
            counters.fastRetransmits++;
            sent = true;
            continue;
          }
        }
      }
      break;
    }
    return sent;
  }

  private boolean retransmitAt(TcpConnection c, int s) {
    int n = layer.output().retransmit(c, s, c.smss);
    if (n <= 0) {
      return false;
    }
    counters.fastRetransmits++;
    c.highRxt = s + n;
    noteRetransmission(c, s);
    return true;
  }

  private static boolean hasNewData(TcpConnection c) {
    int dataEnd = c.sndBufSeq + c.sendBuf.size();
    return SeqNum.lt(c.sndNxt, dataEnd) || (c.finQueued && SeqNum.le(c.sndNxt, c.finSeq));
  }

  /** FlightSize of RFC 5681: sent and not yet acknowledged (nor SACKed). */
  static long inFlight(TcpConnection c) {
    long f = (long) (c.sndMax - c.sndUna);
    if (c.sackOk) {
      f -= c.scoreboard.sackedBytes();
    }
    return Math.max(0, f);
  }

  /**
   * The retransmission timer expired (RFC 6298 5.4 to 5.7): SYN and SYN,ACK retries with
   * backoff until synRetries; otherwise up to maxRetries consecutive timeouts, each backing
   * off, telling congestion control, and going back to SND.UNA.
   */
  void onRetransmitTimeout(TcpConnection c) {
    TcpSettings s = c.settings;
    switch (c.state) {
      case SYN_SENT, SYN_RECEIVED -> {
        if (++c.synRetransmits > s.synRetries()) {
          counters.timeoutAborts++;
          if (c.state == TcpState.SYN_SENT || c.listener == null) {
            counters.attemptFails++;
            c.terminate(c.softError != null ? c.softError : TcpError.TIMEOUT, TcpCause.HANDSHAKE_TIMED_OUT);
          } else {
            c.transition(TcpState.CLOSED, TcpCause.SYN_ACK_RETRIES_EXHAUSTED);
            c.destroy(); // a half-open passive connection: nobody was told about it
          }
          return;
        }
        counters.timeouts++;
        counters.retransmits++;
        c.retransmits++;
        c.rtt.backoff();
        c.timing = false;
        layer.output().sendSyn(c);
        c.timers.retransmit(c.rtt.rto());
      }
      case ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, CLOSING, LAST_ACK -> {
        if (c.sndMax == c.sndUna) {
          return; // nothing outstanding
        }
        if (++c.retries > s.maxRetries()) {
          counters.timeoutAborts++;
          c.terminate(c.softError != null ? c.softError : TcpError.TIMEOUT, TcpCause.RETRANSMISSIONS_UNANSWERED);
          return;
        }
        counters.timeouts++;
        c.cc.onTimeout(inFlight(c), c.nanos());
        c.inRecovery = false;
        c.inflation = 0;
        c.dupAcks = 0;
        c.recoverPoint = c.sndMax;
        c.recoverValid = true;
        c.timing = false;
        if (c.retries > 1) {
          c.scoreboard.clear();
        }
        c.rtt.backoff();
        c.sndNxt = c.sndUna;
        int n = layer.output().retransmit(c, c.sndUna, c.smss);
        c.sndNxt = c.sndUna + n;
        c.timers.retransmit(c.rtt.rto());
      }
      default -> { }
    }
  }
}
