package emu.node.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.node.tcp.script.TcpScript;
import org.junit.jupiter.api.Test;

/**
 * Loss recovery: retransmission timeouts with backoff and Karn's rule (RFC 6298), giving up
 * after maxRetries, fast retransmit and NewReno partial ACKs (RFC 5681, RFC 6582), SACK-based
 * recovery that resends only the holes (RFC 6675).
 */
class LossScriptTest {
  static final long S = 1_000_000_000L;

  static TcpSettings newreno() {
    return TcpSettings.defaults().withOptions(false, false, false).withCongestion("newreno");
  }

  @Test
  void retransmissionTimeoutBacksOff1s2s4sAndKarnTakesNoSample() {
    TcpScript s = new TcpScript(newreno().withRto(S, S, 60 * S));
    s.run(DataScriptTest.OPEN);
    s.run("""
        +0    write 100
        +0    > P. 1:101(100) ack 1 win 65535
        +1    > P. 1:101(100) ack 1 win 65535
        +2    > P. 1:101(100) ack 1 win 65535
        +4    > P. 1:101(100) ack 1 win 65535
        +0.5  < . 1:1(0) ack 101 win 65535
        """);
    TcpInfo info = s.connection().info();
    assertEquals(0.0, info.srttMs(), "Karn: an ACK of a retransmitted segment is no sample");
    assertEquals(3, info.backoff(), "the backed-off RTO stays until a valid sample");
    assertEquals(8000, info.rtoMs());
    assertEquals(3, info.retransmitsTotal());
    assertEquals(3, s.tcp().counters().timeouts);
    s.run("""
        +0    write 100
        +0    > P. 101:201(100) ack 1 win 65535
        +0.3  < . 1:1(0) ack 201 win 65535
        """);
    info = s.connection().info();
    assertEquals(0, info.backoff());
    assertEquals(37.5, info.srttMs(), 0.001, "RFC 6298 2.3: SRTT = 7/8 * 0 + 1/8 * 300 ms");
    assertEquals(75.0, info.rttvarMs(), 0.001);
    assertEquals(1000, info.rtoMs(), "337.5 ms, raised to the 1 s minimum");
    s.run("+0 abort\n+0 > R. 201:201(0) ack 1 win 0");
    s.finish();
  }

  @Test
  void connectionTimesOutAfterMaxRetries() {
    TcpScript s = new TcpScript(newreno().withRto(S, S, 60 * S).withRetries(3, 6));
    s.run(DataScriptTest.OPEN);
    s.run("""
        +0    write 100
        +0    > P. 1:101(100) ack 1 win 65535
        +1    > P. 1:101(100) ack 1 win 65535
        +2    > P. 1:101(100) ack 1 win 65535
        +4    > P. 1:101(100) ack 1 win 65535
        +7.99 expect open
        +0.01 expect closed TIMEOUT
        +1    quiet
        """);
    s.finish();
  }

  @Test
  void fastRetransmitOnThreeDuplicateAcks() {
    TcpScript s = new TcpScript(newreno());
    s.run(DataScriptTest.OPEN);
    s.run("""
        +0    write 5000
        +0    > . 1:1001(1000) ack 1 win 65535
        +0    > . 1001:2001(1000) ack 1 win 65535
        +0    > . 2001:3001(1000) ack 1 win 65535
        +0    > . 3001:4001(1000) ack 1 win 65535
        +0    > P. 4001:5001(1000) ack 1 win 65535
        +0.05 < . 1:1(0) ack 1001 win 65535
        +0    < . 1:1(0) ack 1001 win 65535
        +0    < . 1:1(0) ack 1001 win 65535
        +0.01 quiet
        +0    < . 1:1(0) ack 1001 win 65535
        +0    > . 1001:2001(1000) ack 1 win 65535
        +0.05 < . 1:1(0) ack 5001 win 65535
        +1    quiet
        """);
    assertEquals(1, s.tcp().counters().renoRecoveries);
    assertEquals(1, s.tcp().counters().fastRetransmits);
    assertEquals(0, s.tcp().counters().timeouts);
    s.run("+0 abort\n+0 > R. 5001:5001(0) ack 1 win 0");
    s.finish();
  }

  @Test
  void newRenoPartialAckRetransmitsTheNextHole() {
    TcpScript s = new TcpScript(newreno());
    s.run(DataScriptTest.OPEN);
    s.run("""
        +0    write 8000
        +0    > . 1:1001(1000) ack 1 win 65535
        +0    > . 1001:2001(1000) ack 1 win 65535
        +0    > . 2001:3001(1000) ack 1 win 65535
        +0    > . 3001:4001(1000) ack 1 win 65535
        +0    > . 4001:5001(1000) ack 1 win 65535
        +0    > . 5001:6001(1000) ack 1 win 65535
        +0    > . 6001:7001(1000) ack 1 win 65535
        +0    > P. 7001:8001(1000) ack 1 win 65535
        // segments 2 and 4 are lost
        +0.05 < . 1:1(0) ack 1001 win 65535
        +0    < . 1:1(0) ack 1001 win 65535
        +0    < . 1:1(0) ack 1001 win 65535
        +0    < . 1:1(0) ack 1001 win 65535
        +0    > . 1001:2001(1000) ack 1 win 65535
        +0    < . 1:1(0) ack 1001 win 65535
        +0    < . 1:1(0) ack 1001 win 65535
        // the partial ACK (RFC 6582): the next hole goes at once
        +0.05 < . 1:1(0) ack 3001 win 65535
        +0    > . 3001:4001(1000) ack 1 win 65535
        +0.05 < . 1:1(0) ack 8001 win 65535
        +1    quiet
        """);
    assertEquals(2, s.tcp().counters().fastRetransmits);
    assertEquals(0, s.tcp().counters().timeouts);
    s.run("+0 abort\n+0 > R. 8001:8001(0) ack 1 win 0");
    s.finish();
  }

  @Test
  void sackRecoveryRetransmitsOnlyTheHoles() {
    TcpScript s = new TcpScript(newreno().withOptions(true, false, false));
    s.run("""
        0     listen 8080
        +0    < S 0:0(0) win 65535 <mss 1000,sackOK>
        +0    > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK>
        +0    < . 1:1(0) ack 1 win 65535
        +0    write 8000
        +0    > . 1:1001(1000) ack 1 win 65535
        +0    > . 1001:2001(1000) ack 1 win 65535
        +0    > . 2001:3001(1000) ack 1 win 65535
        +0    > . 3001:4001(1000) ack 1 win 65535
        +0    > . 4001:5001(1000) ack 1 win 65535
        +0    > . 5001:6001(1000) ack 1 win 65535
        +0    > . 6001:7001(1000) ack 1 win 65535
        +0    > P. 7001:8001(1000) ack 1 win 65535
        // segments 2 and 5 are lost; the others are SACKed
        +0.05 < . 1:1(0) ack 1001 win 65535
        +0    < . 1:1(0) ack 1001 win 65535 <sack 2001:3001>
        +0    < . 1:1(0) ack 1001 win 65535 <sack 2001:4001>
        +0    < . 1:1(0) ack 1001 win 65535 <sack 5001:6001 2001:4001>
        +0    > . 1001:2001(1000) ack 1 win 65535
        +0    < . 1:1(0) ack 1001 win 65535 <sack 5001:7001 2001:4001>
        +0    < . 1:1(0) ack 1001 win 65535 <sack 5001:8001 2001:4001>
        // now more than 2 SMSS above 4001 are SACKed: it is lost (IsLost), and pipe has room
        +0    > . 4001:5001(1000) ack 1 win 65535
        +0.05 < . 1:1(0) ack 4001 win 65535 <sack 5001:8001>
        +0.01 quiet
        +0.04 < . 1:1(0) ack 8001 win 65535
        +1    quiet
        """);
    assertEquals(1, s.tcp().counters().sackRecoveries);
    assertEquals(2, s.tcp().counters().fastRetransmits);
    assertEquals(2, s.tcp().counters().retransmits);
    s.run("+0 abort\n+0 > R. 8001:8001(0) ack 1 win 0");
    s.finish();
  }

  @Test
  void ourSackBlocksMostRecentFirst() {
    TcpScript s = new TcpScript(newreno().withOptions(true, false, false));
    s.run("""
        0     listen 8080
        +0    < S 0:0(0) win 65535 <mss 1000,sackOK>
        +0    > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK>
        +0    < . 1:1(0) ack 1 win 65535
        +0    < . 1001:2001(1000) ack 1 win 65535
        +0    > . 1:1(0) ack 1 win 65535 <nop,nop,sack 1001:2001>
        +0    < . 3001:4001(1000) ack 1 win 65535
        +0    > . 1:1(0) ack 1 win 65535 <nop,nop,sack 3001:4001 1001:2001>
        +0    < . 2001:3001(1000) ack 1 win 65535
        +0    > . 1:1(0) ack 1 win 65535 <nop,nop,sack 1001:4001>
        +0    < . 1:1001(1000) ack 1 win 65535
        +0    > . 1:1(0) ack 4001 win 65535 <>
        +0    expect received 4000
        """);
    s.run("+0 abort\n+0 > R. 1:1(0) ack 4001 win 0");
    s.finish();
  }

  @Test
  void timeoutAfterSackGoesBackAndSkipsSackedData() {
    TcpScript s = new TcpScript(newreno().withOptions(true, false, false));
    s.run("""
        0     listen 8080
        +0    < S 0:0(0) win 65535 <mss 1000,sackOK>
        +0    > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK>
        +0    < . 1:1(0) ack 1 win 65535
        +0    write 4000
        +0    > . 1:1001(1000) ack 1 win 65535
        +0    > . 1001:2001(1000) ack 1 win 65535
        +0    > . 2001:3001(1000) ack 1 win 65535
        +0    > P. 3001:4001(1000) ack 1 win 65535
        // only segment 3 arrives: one SACK, too little for recovery
        +0.05 < . 1:1(0) ack 1 win 65535 <sack 2001:3001>
        // RTO (200 ms): the first segment, then in slow start the rest but not the SACKed one
        +0.15 > . 1:1001(1000) ack 1 win 65535
        +0.05 < . 1:1(0) ack 1001 win 65535 <sack 2001:3001>
        +0    > . 1001:2001(1000) ack 1 win 65535
        +0    > P. 3001:4001(1000) ack 1 win 65535
        +0.05 < . 1:1(0) ack 4001 win 65535
        +1    quiet
        """);
    s.run("+0 abort\n+0 > R. 4001:4001(0) ack 1 win 0");
    s.finish();
  }
}
