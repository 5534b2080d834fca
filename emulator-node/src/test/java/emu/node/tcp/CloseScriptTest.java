package emu.node.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.node.tcp.script.TcpScript;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Closing (RFC 9293 3.6): FIN-WAIT-1/2 and TIME-WAIT (active close), CLOSING (simultaneous
 * close), CLOSE-WAIT and LAST-ACK (passive close), half-close, FIN retransmission, close with
 * unread data, the orphaned FIN-WAIT-2 timeout, and keepalive.
 */
class CloseScriptTest {
  static final long MSL = 1_000_000_000L;

  static TcpSettings settings() {
    return TcpSettings.defaults().withOptions(false, false, false).withMsl(MSL).withCongestion("newreno");
  }

  static TcpScript open() {
    TcpScript s = new TcpScript(settings());
    s.run(DataScriptTest.OPEN);
    return s;
  }

  @Test
  void activeCloseThroughFinWait1FinWait2AndTimeWait() {
    TcpScript s = open();
    s.run("""
        +0    close
        +0    > F. 1:1(0) ack 1 win 65535
        +0    expect state FIN_WAIT_1
        +0.01 < . 1:1(0) ack 2 win 65535
        +0    expect state FIN_WAIT_2
        // the application closed: its part ended with everything acknowledged
        +0    expect closed ok
        +0.01 < F. 1:1(0) ack 2 win 65535
        +0    > . 2:2(0) ack 2 win 65535
        +0    expect state TIME_WAIT
        +0    expect connections 1
        // a retransmitted FIN is acknowledged again and restarts 2*MSL
        +1    < F. 1:1(0) ack 2 win 65535
        +0    > . 2:2(0) ack 2 win 65535
        +1.99 expect connections 1
        +0.02 expect connections 0
        """);
    assertEquals(List.of(TcpState.SYN_RECEIVED, TcpState.ESTABLISHED, TcpState.FIN_WAIT_1, TcpState.FIN_WAIT_2,
        TcpState.TIME_WAIT, TcpState.CLOSED), s.connection().stateHistory());
    assertEquals(1, s.app().closes());
    s.finish();
  }

  @Test
  void timeWaitLastsTwoMsl() {
    TcpScript s = open();
    s.run("""
        +0    close
        +0    > F. 1:1(0) ack 1 win 65535
        // FIN and ACK of our FIN together: FIN-WAIT-1 straight to TIME-WAIT
        +0.01 < F. 1:1(0) ack 2 win 65535
        +0    > . 2:2(0) ack 2 win 65535
        +0    expect state TIME_WAIT
        +1.999 expect connections 1
        +0.001 expect connections 0
        +1    quiet
        """);
    s.finish();
  }

  @Test
  void simultaneousCloseGoesThroughClosing() {
    TcpScript s = open();
    s.run("""
        +0    close
        +0    > F. 1:1(0) ack 1 win 65535
        // the peer's FIN crosses ours and does not acknowledge it
        +0.01 < F. 1:1(0) ack 1 win 65535
        +0    > . 2:2(0) ack 2 win 65535
        +0    expect state CLOSING
        +0.01 < . 2:2(0) ack 2 win 65535
        +0    expect state TIME_WAIT
        +0    expect closed ok
        """);
    s.run("+2 expect connections 0");
    s.finish();
  }

  @Test
  void passiveCloseThroughCloseWaitAndLastAck() {
    TcpScript s = open();
    s.run("""
        +0    < F. 1:1(0) ack 1 win 65535
        +0    > . 1:1(0) ack 2 win 65535
        +0    expect state CLOSE_WAIT
        +0    expect peerfin 1
        // we may still send in CLOSE-WAIT
        +0    write 10
        +0    > P. 1:11(10) ack 2 win 65535
        +0    close
        +0    > F. 11:11(0) ack 2 win 65535
        +0    expect state LAST_ACK
        +0.01 < . 2:2(0) ack 11 win 65535
        +0    expect state LAST_ACK
        +0    < . 2:2(0) ack 12 win 65535
        +0    expect state CLOSED
        +0    expect closed ok
        +0    expect connections 0
        """);
    s.finish();
  }

  @Test
  void finIsRetransmittedInLastAck() {
    TcpScript s = open();
    s.run("""
        +0    < F. 1:1(0) ack 1 win 65535
        +0    > . 1:1(0) ack 2 win 65535
        +0    close
        +0    > F. 1:1(0) ack 2 win 65535
        +0.2  > F. 1:1(0) ack 2 win 65535
        +0.4  > F. 1:1(0) ack 2 win 65535
        +0.1  < . 2:2(0) ack 2 win 65535
        +0    expect closed ok
        """);
    s.finish();
  }

  @Test
  void halfCloseKeepsReceiving() {
    TcpScript s = open();
    s.run("""
        +0    write 100
        +0    shutdown
        +0    > P. 1:101(100) ack 1 win 65535
        +0    > F. 101:101(0) ack 1 win 65535
        +0    expect state FIN_WAIT_1
        +0.01 < . 1:1(0) ack 102 win 65535
        +0    expect state FIN_WAIT_2
        +0    expect open
        +0    < P. 1:501(500) ack 102 win 65535
        +0    expect received 500
        +0.01 < F. 501:501(0) ack 102 win 65535
        +0    > . 102:102(0) ack 502 win 65535
        +0    expect state TIME_WAIT
        +0    expect peerfin 1
        +0    expect closed ok
        """);
    assertEquals("[established, data 500, peerfin, closed ok]", s.app().log().toString());
    s.finish();
  }

  @Test
  void closeWithUnreadDataResetsLikeLinux() {
    TcpScript s = open();
    s.run("""
        +0    pause
        +0    < P. 1:101(100) ack 1 win 65535
        +0    close
        +0    > R. 1:1(0) ack 101 win 0
        +0    expect closed ABORTED
        +0    expect connections 0
        """);
    s.finish();
  }

  @Test
  void dataAfterCloseResets() {
    TcpScript s = open();
    s.run("""
        +0    close
        +0    > F. 1:1(0) ack 1 win 65535
        +0.01 < . 1:1(0) ack 2 win 65535
        +0    expect state FIN_WAIT_2
        +0    < P. 1:11(10) ack 2 win 65535
        +0    > R. 2:2(0) ack 1 win 0
        +0    expect connections 0
        """);
    s.finish();
  }

  @Test
  void orphanedFinWait2TimesOut() {
    TcpScript s = new TcpScript(settings().withFinTimeout(5_000_000_000L));
    s.run(DataScriptTest.OPEN);
    s.run("""
        +0    close
        +0    > F. 1:1(0) ack 1 win 65535
        +0.01 < . 1:1(0) ack 2 win 65535
        +4.99 expect connections 1
        +0.01 expect connections 0
        """);
    s.finish();
  }

  @Test
  void abortSendsRstAndReportsAborted() {
    TcpScript s = open();
    s.run("""
        +0    write 100
        +0    > P. 1:101(100) ack 1 win 65535
        +0    abort
        +0    > R. 101:101(0) ack 1 win 0
        +0    expect closed ABORTED
        +1    quiet
        """);
    s.finish();
  }

  @Test
  void keepAliveProbesAndTimeout() {
    TcpScript s = new TcpScript(settings().withKeepAlive(false, 10_000_000_000L, 1_000_000_000L, 3));
    s.run(DataScriptTest.OPEN);
    s.run("""
        +0    keepalive on
        +10   > . 0:0(0) ack 1 win 65535
        +0.01 < . 1:1(0) ack 1 win 65535
        // answered: the next probe comes after another idle period
        +10   > . 0:0(0) ack 1 win 65535
        +1    > . 0:0(0) ack 1 win 65535
        +1    > . 0:0(0) ack 1 win 65535
        +0.99 expect open
        +0.01 expect closed TIMEOUT
        """);
    assertEquals(4, s.tcp().counters().keepaliveProbes);
    s.finish();
  }

  @Test
  void keepAliveIsOffByDefault() {
    TcpScript s = open();
    s.run("+7300 quiet");
    s.run("+0 abort\n+0 > R. 1:1(0) ack 1 win 0");
    s.finish();
  }

  @Test
  void newSynAboveRcvNxtReopensFromTimeWait() {
    TcpScript s = open();
    s.run("""
        +0    close
        +0    > F. 1:1(0) ack 1 win 65535
        +0.01 < F. 1:1(0) ack 2 win 65535
        +0    > . 2:2(0) ack 2 win 65535
        +0    expect state TIME_WAIT
        // RFC 9293 3.10.7.4 / RFC 6191: a SYN above RCV.NXT starts a new incarnation
        +0.5  < S 100000:100000(0) win 65535 <mss 1000>
        // the new ISS is the old one plus 0.51 s of the 4 µs ISN clock (RFC 6528): above the old sequence space
        +0    > S. 127500:127500(0) ack 100001 win 65535 <mss 1460>
        +0    expect connections 1
        """);
    assertEquals(TcpState.SYN_RECEIVED, s.tcp().connections().get(0).state());
    s.tcp().connections().get(0).abort();
    s.run("+0 > R. 127501:127501(0) ack 100001 win 0");
    s.finish();
  }
}
