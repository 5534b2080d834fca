package emu.node.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.impair.ImpairmentCounters;
import emu.node.stack.DropReason;
import emu.node.testing.LabNode;
import emu.node.testing.VirtualLab;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 100 MB through a router whose links lose 5%, duplicate 1%, reorder 5% (gap 3), corrupt 0.5%
 * and delay 20 ms with 5 ms jitter, in both directions of both links: the bytes must arrive
 * exactly (SHA-256), within a bound on virtual time. The run fails rather than hangs if the
 * transfer gets stuck: {@code runUntil} has a virtual-time limit. With cubic and with newreno
 * (SACK-based recovery, RFC 6675), and 20 MB each without SACK (NewReno recovery, RFC 6582).
 * Virtual and real times are printed.
 */
class TcpImpairedTransferTest {
  static final long S = 1_000_000_000L;
  static final long BYTES = 100L << 20;
  /** Virtual-time bound: about five times what the 100 MB runs take (2600 to 2900 s). */
  static final long LIMIT = 4 * 3600 * S;

  static final Map<String, String> NETEM = Map.of("loss", "5%", "duplicate", "1%", "reorder", "5%", "gap", "3",
      "corrupt", "0.5%", "delay", "20ms", "jitter", "5ms");

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"cubic", "newreno"})
  void hundredMegabytesThroughAnImpairedRouter(String congestion) {
    transfer(congestion, TcpSettings.defaults().withCongestion(congestion), BYTES);
  }

  /** Without SACK, loss recovery is NewReno's (RFC 6582 partial ACKs); 20 MB keeps it short. */
  @ParameterizedTest(name = "{0} without SACK")
  @ValueSource(strings = {"cubic", "newreno"})
  void twentyMegabytesWithoutSack(String congestion) {
    transfer(congestion + " without SACK",
        TcpSettings.defaults().withCongestion(congestion).withOptions(false, true, true), 20L << 20);
  }

  private static void transfer(String congestion, TcpSettings settings, long bytes) {
    long realStart = System.nanoTime();
    try (VirtualLab lab = VirtualLab.bulk(2026, 0)) {
      LabNode[] n = TcpEndToEndTest.topology(lab);
      n[0].tcp().settings(settings);
      n[2].tcp().settings(settings);
      lab.impairBothWays(n[1], "eth0", NETEM);
      lab.impairBothWays(n[1], "eth1", NETEM);

      Transfer.Sink sink = new Transfer.Sink();
      n[2].tcp().listen(0, TcpEndToEndTest.PORT, 0, c -> sink);
      Transfer.Source source = new Transfer.Source(bytes, 20260101);
      TcpConnection c = n[0].tcp().connect(TcpEndToEndTest.ip("10.0.2.2"), TcpEndToEndTest.PORT, 0, source);
      long t0 = lab.now();
      boolean done = lab.runUntil(() -> source.closes == 1 && sink.closes == 1, LIMIT);
      long virtual = lab.now() - t0;
      TcpCounters tx = n[0].tcp().counters();
      TcpCounters rx = n[2].tcp().counters();
      ImpairmentCounters imp = lab.impairedEnd("r1:eth1").impairmentCounters();
      String report = String.format(Locale.ROOT,
          "%s: %d bytes in %.1f s virtual (%.1f KB/s), %.1f s real; sender: %d segments out, %d retransmitted "
              + "(%d fast, %d timeouts), %d SACK / %d NewReno recoveries; receiver: %d bad checksums, %d out of order; "
              + "r1:eth1 impairment: %s; last info: %s",
          congestion, sink.received, virtual / 1e9, sink.received / (virtual / 1e9) / 1024,
          (System.nanoTime() - realStart) / 1e9, tx.segmentsOut, tx.retransmits, tx.fastRetransmits, tx.timeouts,
          tx.sackRecoveries, tx.renoRecoveries, rx.badChecksum, rx.outOfOrder, imp, c.info().ssLine());
      System.out.println(report);
      assertTrue(done, "the transfer did not finish within " + LIMIT / 1e9 + " s of virtual time: " + report);
      assertEquals(bytes, sink.received);
      assertEquals(source.sha(), sink.sha(), "SHA-256 of what was sent and what arrived");
      assertNull(source.error);
      assertNull(sink.error);
      assertTrue(tx.retransmits > 0 && rx.badChecksum + n[2].drops(DropReason.IP_BAD_CHECKSUM) > 0,
          "the impairments did happen");
    }
  }
}
