package emu.node.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** NewReno arithmetic (RFC 5681, 3465, 6582, 6928) on a virtual ACK clock; and the factory. */
class NewRenoTest {
  static final int SMSS = 1460;
  static final long RTT = 50_000_000L; // 50 ms

  private long now = 1_000_000_000L;

  private NewReno started() {
    NewReno cc = new NewReno();
    cc.init(SMSS, now);
    return cc;
  }

  /** One round trip of a sender that fills cwnd: one ACK per segment sent at the round's start. */
  private void roundTrip(CongestionControl cc) {
    long segments = cc.cwnd() / SMSS;
    long flight = segments * SMSS;
    for (long i = 0; i < segments; i++) {
      now += RTT / segments;
      flight -= SMSS;
      cc.onAck(SMSS, RTT, flight, now);
    }
  }

  @ParameterizedTest(name = "SMSS {0} -> IW {1}")
  @CsvSource({"536, 5360", "1460, 14600", "1448, 14480", "9000, 18000"})
  void initialWindowPerRfc6928(int smss, long iw) {
    NewReno cc = new NewReno();
    cc.init(smss, 0);
    assertEquals(iw, cc.cwnd());
    assertEquals(CongestionControls.INITIAL_SSTHRESH, cc.ssthresh());
    assertTrue(cc.ssthresh() > 1L << 40, "initial ssthresh is arbitrarily high");
  }

  @Test
  void slowStartDoublesPerRoundTrip() {
    NewReno cc = started();
    assertEquals(10 * SMSS, cc.cwnd());
    roundTrip(cc);
    assertEquals(20 * SMSS, cc.cwnd());
    roundTrip(cc);
    assertEquals(40 * SMSS, cc.cwnd());
    roundTrip(cc);
    assertEquals(80 * SMSS, cc.cwnd());
  }

  @Test
  void abcLimitsOneAckToTwoSegments() {
    NewReno cc = started();
    cc.onAck(10L * SMSS, RTT, 0, now); // a stretch ACK for ten segments
    assertEquals(12 * SMSS, cc.cwnd());
    cc.onAck(SMSS / 2, RTT, 0, now); // a partial segment earns only its own bytes
    assertEquals(12 * SMSS + SMSS / 2, cc.cwnd());
    cc.onAck(0, RTT, 0, now);
    cc.onAck(-5, -1, -1, now);
    assertEquals(12 * SMSS + SMSS / 2, cc.cwnd());
  }

  @Test
  void slowStartStopsAtSsthreshAndTheRestCountsTowardAvoidance() {
    NewReno cc = started();
    cc.onLoss(40L * SMSS, now); // ssthresh = cwnd = 20 segments
    cc.onRecoveryEnd(now);
    cc.onTimeout(22L * SMSS, now); // ssthresh 11 segments, cwnd 1
    assertEquals(SMSS, cc.cwnd());
    assertEquals(11L * SMSS, cc.ssthresh());
    for (int i = 0; i < 9; i++) {
      cc.onAck(SMSS, RTT, 0, now);
    }
    assertEquals(10L * SMSS, cc.cwnd());
    cc.onAck(2L * SMSS, RTT, 0, now); // one segment reaches ssthresh, one counts in CA
    assertEquals(11L * SMSS, cc.cwnd());
    for (int i = 0; i < 9; i++) {
      cc.onAck(SMSS, RTT, 0, now);
    }
    assertEquals(11L * SMSS, cc.cwnd(), "10 of 11 segments acked in CA: no growth yet");
    cc.onAck(SMSS, RTT, 0, now);
    assertEquals(12L * SMSS, cc.cwnd());
  }

  @Test
  void congestionAvoidanceAddsOneSegmentPerRoundTrip() {
    NewReno cc = started();
    roundTrip(cc);
    roundTrip(cc); // 40 segments
    cc.onLoss(cc.cwnd(), now);
    cc.onRecoveryEnd(now);
    assertEquals(20L * SMSS, cc.cwnd());
    for (int round = 1; round <= 10; round++) {
      roundTrip(cc);
      assertEquals((20L + round) * SMSS, cc.cwnd(), "after round " + round);
    }
    assertEquals(20L * SMSS, cc.ssthresh());
  }

  @Test
  void congestionAvoidanceCountsBytesNotAcks() {
    NewReno cc = started();
    cc.onLoss(20L * SMSS, now); // cwnd = ssthresh = 10 segments = 14600 bytes
    for (int i = 0; i < 29; i++) {
      cc.onAck(500, RTT, 0, now); // 14500 bytes: not yet a full window
    }
    assertEquals(10L * SMSS, cc.cwnd());
    cc.onAck(500, RTT, 0, now);
    assertEquals(11L * SMSS, cc.cwnd());
  }

  @Test
  void lossHalvesFlightButNotBelowTwoSegments() {
    NewReno cc = started();
    cc.onLoss(31L * SMSS, now);
    assertEquals(31L * SMSS / 2, cc.ssthresh(), "FlightSize/2, not cwnd/2");
    assertEquals(cc.ssthresh(), cc.cwnd(), "RFC 6675: cwnd = ssthresh");

    NewReno small = started();
    small.onLoss(3L * SMSS, now);
    assertEquals(2L * SMSS, small.ssthresh());
    assertEquals(2L * SMSS, small.cwnd());
    small.onLoss(-1, now);
    assertEquals(2L * SMSS, small.cwnd());
  }

  @Test
  void timeoutDropsToOneSegmentAndSlowStartsAgain() {
    NewReno cc = started();
    roundTrip(cc); // 20 segments
    cc.onTimeout(20L * SMSS, now);
    assertEquals(SMSS, cc.cwnd());
    assertEquals(10L * SMSS, cc.ssthresh());
    cc.onTimeout(SMSS, now); // backed-off retransmission of the same segment
    assertEquals(10L * SMSS, cc.ssthresh(), "RFC 5681 3.1: not lowered again");
    assertEquals(SMSS, cc.cwnd());
    roundTrip(cc);
    assertEquals(2L * SMSS, cc.cwnd(), "slow start again");
    cc.onTimeout(2L * SMSS, now); // a new segment lost: equation 4 again
    assertEquals(2L * SMSS, cc.ssthresh());
  }

  @Test
  void recoveryEndDeflatesToSsthreshOnlyAfterALoss() {
    NewReno cc = started();
    roundTrip(cc);
    cc.onLoss(20L * SMSS, now);
    cc.onRecoveryEnd(now);
    assertEquals(10L * SMSS, cc.cwnd());
    assertEquals(10L * SMSS, cc.ssthresh());
    roundTrip(cc);
    assertEquals(11L * SMSS, cc.cwnd());
    cc.onRecoveryEnd(now); // not in recovery: nothing to deflate
    assertEquals(11L * SMSS, cc.cwnd());

    cc.onLoss(11L * SMSS, now);
    cc.onTimeout(5L * SMSS, now); // RTO during recovery ends it
    cc.onRecoveryEnd(now);
    assertEquals(SMSS, cc.cwnd(), "a timeout's loss window is not undone");
  }

  @Test
  void toStringShowsSegments() {
    NewReno cc = new NewReno();
    assertEquals("newreno (not initialised)", cc.toString());
    cc.init(SMSS, now);
    cc.onLoss(20L * SMSS, now);
    assertEquals("newreno cwnd=10.0 ssthresh=10.0 segments of 1460 bytes", cc.toString());
  }

  @Test
  void misuseIsRefused() {
    NewReno cc = new NewReno();
    assertEquals(0, cc.cwnd());
    assertThrows(IllegalStateException.class, () -> cc.onAck(SMSS, RTT, 0, now));
    assertThrows(IllegalArgumentException.class, () -> cc.init(0, now));
  }

  @Test
  void factoryCreatesByName() {
    assertEquals(List.of("newreno", "cubic"), CongestionControls.NAMES);
    for (String name : CongestionControls.NAMES) {
      CongestionControl cc = CongestionControls.create(name);
      assertEquals(name, cc.name());
    }
    assertInstanceOf(NewReno.class, CongestionControls.create("newreno"));
    assertInstanceOf(Cubic.class, CongestionControls.create("cubic"));
    assertTrue(CongestionControls.create("cubic") != CongestionControls.create("cubic"),
        "one instance per connection");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CongestionControls.create("bbr"));
    assertTrue(e.getMessage().contains("'bbr'") && e.getMessage().contains("newreno, cubic"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> CongestionControls.create(null));
  }
}
