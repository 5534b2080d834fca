package emu.node.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.tcp.script.TcpScript;
import org.junit.jupiter.api.Test;

/**
 * Data both ways (RFC 9293 3.8): delayed ACKs (RFC 5681 4.2), Nagle and TCP_NODELAY (3.7.4),
 * zero windows and persist probes (3.8.6.1), a reader that pauses, data in SYN-RECEIVED.
 */
class DataScriptTest {
  /** Passive open, no options but MSS 1000 from the peer; RTT 0, so RTO 200 ms. */
  static final String OPEN = """
      0     listen 8080
      +0    < S 0:0(0) win 65535 <mss 1000>
      +0    > S. 0:0(0) ack 1 win 65535 <mss 1460>
      +0    < . 1:1(0) ack 1 win 65535
      +0    expect state ESTABLISHED
      """;

  static TcpScript open(TcpSettings settings) {
    TcpScript s = new TcpScript(settings);
    s.run(OPEN);
    return s;
  }

  static TcpSettings plain() {
    return TcpSettings.defaults().withOptions(false, false, false).withCongestion("newreno");
  }

  @Test
  void delayedAckEverySecondSegmentAndAtOnceForOutOfOrder() {
    TcpScript s = open(plain());
    s.run("""
        // one segment: the delayed-ACK timer, 40 ms
        +0    < P. 1:1001(1000) ack 1 win 65535
        +0.04 > . 1:1(0) ack 1001 win 65535
        // two full-sized segments: an ACK at once for the second (RFC 5681 4.2)
        +0.1  < . 1001:2001(1000) ack 1 win 65535
        +0    < P. 2001:3001(1000) ack 1 win 65535
        +0    > . 1:1(0) ack 3001 win 65535
        // out of order: a duplicate ACK at once; filling the hole: an ACK at once
        +0.1  < P. 4001:5001(1000) ack 1 win 65535
        +0    > . 1:1(0) ack 3001 win 65535
        +0.01 < . 3001:4001(1000) ack 1 win 65535
        +0    > . 1:1(0) ack 5001 win 65535
        // an old duplicate: ACK at once
        +0.01 < . 1001:2001(1000) ack 1 win 65535
        +0    > . 1:1(0) ack 5001 win 65535
        +0    expect received 5000
        +0.1  quiet
        """);
    assertEquals(1, s.tcp().counters().delayedAcks);
    assertEquals(1, s.tcp().counters().outOfOrder);
    s.run("+0 abort\n+0 > R. 1:1(0) ack 5001 win 0");
    s.finish();
  }

  @Test
  void dataOnTheAckThatCompletesTheHandshake() {
    TcpScript s = new TcpScript(plain());
    s.run("""
        0     listen 8080
        +0    < S 0:0(0) win 65535 <mss 1000>
        +0    > S. 0:0(0) ack 1 win 65535 <mss 1460>
        // the peer's ACK was lost; its first data segment carries the ACK
        +0.1  < P. 1:101(100) ack 1 win 65535
        +0    expect state ESTABLISHED
        +0    expect received 100
        +0.04 > . 1:1(0) ack 101 win 65535
        """);
    assertEquals("[established, data 100]", s.app().log().toString());
    s.run("+0 abort\n+0 > R. 1:1(0) ack 101 win 0");
    s.finish();
  }

  @Test
  void nagleHoldsSmallSegmentsUntilAckedAndNoDelaySendsAtOnce() {
    TcpScript s = open(plain());
    s.run("""
        +0    write 100
        +0    > P. 1:101(100) ack 1 win 65535
        // a second small write waits for the ACK of the first (Nagle, RFC 9293 3.7.4)
        +0    write 100
        +0    write 50
        +0.03 quiet
        +0.01 < . 1:1(0) ack 101 win 65535
        +0    > P. 101:251(150) ack 1 win 65535
        // with TCP_NODELAY small segments go at once
        +0    nodelay on
        +0    write 10
        +0    > P. 251:261(10) ack 1 win 65535
        +0    write 10
        +0    > P. 261:271(10) ack 1 win 65535
        // full-sized segments never wait; the short tail goes too when no short one is unacknowledged
        +0.01 < . 1:1(0) ack 271 win 65535
        +0    nodelay off
        +0    write 2500
        +0    > . 271:1271(1000) ack 1 win 65535
        +0    > . 1271:2271(1000) ack 1 win 65535
        +0    > P. 2271:2771(500) ack 1 win 65535
        +0.01 < . 1:1(0) ack 2771 win 65535
        """);
    s.run("+0 abort\n+0 > R. 2771:2771(0) ack 1 win 0");
    s.finish();
  }

  @Test
  void zeroWindowPersistProbesBackOffUntilTheWindowOpens() {
    TcpScript s = open(plain());
    s.run("""
        +0    < . 1:1(0) ack 1 win 0
        +0    write 2000
        +0.01 quiet
        // probes: SND.UNA - 1 with no data, after RTO (200 ms), then backing off
        +0.19 > . 0:0(0) ack 1 win 65535
        +0.4  > . 0:0(0) ack 1 win 65535
        +0.8  > . 0:0(0) ack 1 win 65535
        +0.1  < . 1:1(0) ack 1 win 0
        +1.5  > . 0:0(0) ack 1 win 65535
        +0.05 < . 1:1(0) ack 1 win 65535
        +0    > . 1:1001(1000) ack 1 win 65535
        +0    > P. 1001:2001(1000) ack 1 win 65535
        +0.01 < . 1:1(0) ack 2001 win 65535
        +1    quiet
        """);
    assertEquals(4, s.tcp().counters().persistProbes);
    s.run("+0 abort\n+0 > R. 2001:2001(0) ack 1 win 0");
    s.finish();
  }

  @Test
  void persistProbesUnansweredTimeOut() {
    TcpScript s = open(plain().withRetries(3, 6));
    s.run("""
        +0    < . 1:1(0) ack 1 win 0
        +0    write 10
        +0.2  > . 0:0(0) ack 1 win 65535
        +0.4  > . 0:0(0) ack 1 win 65535
        +0.8  > . 0:0(0) ack 1 win 65535
        +1.59 expect open
        +0.01 expect closed TIMEOUT
        """);
    s.finish();
  }

  @Test
  void pausedReaderClosesItsWindowAndResumeReopensIt() {
    TcpScript s = new TcpScript(plain().withBuffers(4 * TcpSettings.MIB, 3000));
    s.run("""
        0     listen 8080
        +0    < S 0:0(0) win 65535 <mss 1000>
        +0    > S. 0:0(0) ack 1 win 3000 <mss 1460>
        +0    < . 1:1(0) ack 1 win 65535
        +0    pause
        +0    < . 1:1001(1000) ack 1 win 65535
        +0    < . 1001:2001(1000) ack 1 win 65535
        +0    > . 1:1(0) ack 2001 win 1000
        +0    < P. 2001:3001(1000) ack 1 win 65535
        +0.04 > . 1:1(0) ack 3001 win 0
        // beyond the window: dropped, answered with an ACK
        +0.01 < . 3001:4001(1000) ack 1 win 65535
        +0    > . 1:1(0) ack 3001 win 0
        // the peer's zero-window probe gets the (still zero) window
        +0.2  < . 3000:3000(0) ack 1 win 65535
        +0    > . 1:1(0) ack 3001 win 0
        +0    expect received 0
        +0.1  resume
        +0    expect received 3000
        // the window update (RFC 9293 3.8.6.2.2: it opened by more than an MSS)
        +0    > . 1:1(0) ack 3001 win 3000
        +0.01 < P. 3001:4001(1000) ack 1 win 65535
        +0    expect received 4000
        """);
    assertTrue(s.tcp().counters().outOfWindow >= 2);
    s.run("+0 abort\n+0 > R. 1:1(0) ack 4001 win 0");
    s.finish();
  }

  @Test
  void pausedReaderGetsPeerFinOnlyAfterItsData() {
    TcpScript s = open(plain());
    s.run("""
        +0    pause
        +0    < P. 1:101(100) ack 1 win 65535
        +0    < F. 101:101(0) ack 1 win 65535
        +0    > . 1:1(0) ack 102 win 65535
        +0    expect state CLOSE_WAIT
        +0    expect peerfin 0
        +0.1  resume
        +0    expect peerfin 1
        +0    expect received 100
        +0    close
        +0    > F. 1:1(0) ack 102 win 65535
        +0.01 < . 102:102(0) ack 2 win 65535
        +0    expect closed ok
        """);
    assertEquals("[established, data 100, peerfin, closed ok]", s.app().log().toString());
    s.finish();
  }

  @Test
  void windowScalingScalesBothWays() {
    TcpScript s = new TcpScript(TcpSettings.defaults().withOptions(false, false, true).withCongestion("newreno"));
    s.run("""
        0     listen 8080
        +0    < S 0:0(0) win 65535 <mss 1000,nop,wscale 2>
        +0    > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>
        // the peer's window field 500 means 2000 bytes: two segments fit
        +0    < . 1:1(0) ack 1 win 500
        +0    write 3000
        +0    > . 1:1001(1000) ack 1 win 32768
        +0    > . 1001:2001(1000) ack 1 win 32768
        +0.01 < . 1:1(0) ack 2001 win 500
        +0    > P. 2001:3001(1000) ack 1 win 32768
        +0.01 < . 1:1(0) ack 3001 win 500
        """);
    s.run("+0 abort\n+0 > R. 3001:3001(0) ack 1 win 0");
    s.finish();
  }
}
