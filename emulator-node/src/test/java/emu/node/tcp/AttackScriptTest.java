package emu.node.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.node.stack.DropReason;
import emu.node.tcp.script.TcpScript;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RST and SYN acceptance with RFC 5961 challenge ACKs, and bad input: every malformed or
 * unacceptable segment is counted under one drop reason, answered only as the RFCs say, and
 * the connection carries on.
 */
class AttackScriptTest {
  static TcpScript open() {
    TcpScript s = new TcpScript(CloseScriptTest.settings());
    s.run(DataScriptTest.OPEN);
    return s;
  }

  @Test
  void rstAtExactlyRcvNxtResets() {
    TcpScript s = open();
    s.run("""
        +0    < R. 1:1(0) ack 1 win 0
        +0    expect closed RESET
        +0    expect connections 0
        +0.1  quiet
        """);
    assertEquals(1, s.tcp().counters().estabResets);
    s.finish();
  }

  @Test
  void rstInWindowButNotExactGetsAChallengeAck() {
    TcpScript s = open();
    s.run("""
        +0    < R. 5:5(0) ack 1 win 0
        +0    > . 1:1(0) ack 1 win 65535
        +0    expect open
        // a RST with no ACK bit, in the window: the same
        +0    < R 1000:1000(0) win 0
        +0    > . 1:1(0) ack 1 win 65535
        +0    expect open
        // outside the window: silently dropped
        +0    < R. 70000:70000(0) ack 1 win 0
        +0    < R. 4294967000:4294967000(0) ack 1 win 0
        +0.1  quiet
        +0    expect open
        // the peer answers the challenge with the right sequence number
        +0    < R 1:1(0) win 0
        +0    expect closed RESET
        """);
    assertEquals(2, s.tcp().counters().challengeAcks);
    s.finish();
  }

  @Test
  void synInEstablishedGetsAChallengeAck() {
    TcpScript s = open();
    s.run("""
        +0    < S 5000:5000(0) win 65535 <mss 1000>
        +0    > . 1:1(0) ack 1 win 65535
        +0    < S 0:0(0) win 65535 <mss 1000>
        +0    > . 1:1(0) ack 1 win 65535
        +0    expect open
        +0    expect state ESTABLISHED
        """);
    assertEquals(2, s.tcp().counters().challengeAcks);
    s.run("+0 abort\n+0 > R. 1:1(0) ack 1 win 0");
    s.finish();
  }

  @Test
  void challengeAcksAreRateLimited() {
    TcpScript s = new TcpScript(CloseScriptTest.settings().withChallengeAckLimit(2));
    s.run(DataScriptTest.OPEN);
    s.run("""
        +0    < R. 5:5(0) ack 1 win 0
        +0    > . 1:1(0) ack 1 win 65535
        +0    < R. 6:6(0) ack 1 win 0
        +0    > . 1:1(0) ack 1 win 65535
        +0    < R. 7:7(0) ack 1 win 0
        +0.1  quiet
        +0.5  < R. 8:8(0) ack 1 win 0
        +0    > . 1:1(0) ack 1 win 65535
        """);
    assertEquals(3, s.tcp().counters().challengeAcks);
    assertEquals(1, s.tcp().counters().challengeAcksSuppressed);
    s.run("+0 abort\n+0 > R. 1:1(0) ack 1 win 0");
    s.finish();
  }

  @Test
  void ackOfUnsentDataIsAnsweredAndDropped() {
    TcpScript s = open();
    s.run("""
        +0    write 10
        +0    > P. 1:11(10) ack 1 win 65535
        +0.01 < P. 1:11(10) ack 500 win 65535
        +0    > . 11:11(0) ack 1 win 65535
        +0    expect received 0
        +0    < . 1:1(0) ack 11 win 65535
        +0    expect open
        """);
    assertEquals(1, s.tcp().counters().ackUnsent);
    s.run("+0 abort\n+0 > R. 11:11(0) ack 1 win 0");
    s.finish();
  }

  @Test
  void outOfWindowDataIsAnsweredWithAnAck() {
    TcpScript s = open();
    s.run("""
        +0    < P. 70001:70101(100) ack 1 win 65535
        +0    > . 1:1(0) ack 1 win 65535
        +0    < P. 1:101(100) ack 1 win 65535
        +0    expect received 100
        """);
    assertEquals(1, s.node().drops(DropReason.TCP_OUT_OF_WINDOW));
    s.run("+0 abort\n+0 > R. 1:1(0) ack 101 win 0");
    s.finish();
  }

  @Test
  void segmentWithoutAckIsDropped() {
    TcpScript s = open();
    s.run("""
        +0    < P 1:101(100) win 65535
        +0.1  quiet
        +0    expect received 0
        """);
    assertEquals(1, s.node().drops(DropReason.TCP_INVALID));
    s.run("+0 abort\n+0 > R. 1:1(0) ack 1 win 0");
    s.finish();
  }

  /** name, peer segment (script notation), how to break it, expected drop. */
  static Stream<Arguments> badSegments() {
    return Stream.of(
        Arguments.of("SYN+FIN", "SF 1:1(0) win 65535", "", DropReason.TCP_BAD_FLAGS),
        Arguments.of("SYN+RST", "SR. 1:1(0) ack 1 win 65535", "", DropReason.TCP_BAD_FLAGS),
        Arguments.of("no flags", "0 1:1(0) win 65535", "", DropReason.TCP_BAD_FLAGS),
        Arguments.of("bad checksum", "P. 1:11(10) ack 1 win 65535", "checksum", DropReason.TCP_BAD_CHECKSUM),
        Arguments.of("data offset 4", "P. 1:11(10) ack 1 win 65535", "offset4", DropReason.TCP_MALFORMED),
        Arguments.of("data offset past the segment", ". 1:1(0) ack 1 win 65535", "offset15", DropReason.TCP_MALFORMED),
        Arguments.of("truncated header", ". 1:1(0) ack 1 win 65535", "truncate", DropReason.TCP_MALFORMED),
        Arguments.of("option length 0", ". 1:1(0) ack 1 win 65535 <raw 02 00 00 00>", "", DropReason.TCP_MALFORMED),
        Arguments.of("option past the header", ". 1:1(0) ack 1 win 65535 <nop,nop,raw 08 0a 00 00>", "",
            DropReason.TCP_MALFORMED),
        Arguments.of("source port 0", ". 1:1(0) ack 1 win 65535", "port0", DropReason.TCP_MALFORMED));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSegments")
  void badSegmentsAreCountedAndDropped(String name, String spec, String breakIt, DropReason reason) {
    TcpScript s = open();
    long[] before = s.node().dropSnapshot();
    byte[] tcp = s.segmentBytes(spec);
    boolean fix = true;
    switch (breakIt) {
      case "checksum" -> {
        fix = false;
        tcp[16] = 0x12;
        tcp[17] = 0x34;
      }
      case "offset4" -> tcp[12] = 0x40;
      case "offset15" -> tcp[12] = (byte) 0xF0;
      case "truncate" -> tcp = java.util.Arrays.copyOf(tcp, 19);
      case "port0" -> {
        tcp[0] = 0;
        tcp[1] = 0;
      }
      default -> { }
    }
    s.injectTcp(tcp, fix);
    assertEquals(Map.of(reason, 1L), s.node().dropsSince(before), name);
    s.run("""
        +0.1  quiet
        +0    expect state ESTABLISHED
        +0    < P. 1:11(10) ack 1 win 65535
        +0    expect received 10
        +0    abort
        +0    > R. 1:1(0) ack 11 win 0
        """);
    s.finish();
  }

  @Test
  void badInputForNoConnectionIsStillCountedAndNeverAnswered() {
    TcpScript s = new TcpScript(CloseScriptTest.settings());
    long[] before = s.node().dropSnapshot();
    s.injectTcp(s.segmentBytes("SF 0:0(0) win 65535"), true);
    s.injectTcp(s.segmentBytes("S 0:0(0) win 65535"), false);
    s.run("+0.1 quiet");
    assertEquals(Map.of(DropReason.TCP_BAD_FLAGS, 1L, DropReason.TCP_BAD_CHECKSUM, 1L), s.node().dropsSince(before));
    s.finish();
  }
}
