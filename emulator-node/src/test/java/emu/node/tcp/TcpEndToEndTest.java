package emu.node.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.testing.LabNode;
import emu.node.testing.VirtualLab;
import emu.node.wire.Ipv4Address;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * TCP between two hosts across a router, in one JVM on virtual time: a clean transfer, a slow
 * reader, a peer that dies, a peer that restarts, a closed port. (The 100 MB impaired transfer
 * is {@link TcpImpairedTransferTest}.) Bulk labs: no frame recording, buffers outside Netty's
 * PARANOID leak detector (which records a stack trace per byte read by a checksum) but still
 * counted exactly when the lab closes.
 *
 * <pre>
 * h1 10.0.1.2 --- 10.0.1.1 r1 10.0.2.1 --- 10.0.2.2 h2
 * </pre>
 */
class TcpEndToEndTest {
  static final long S = 1_000_000_000L;
  static final int PORT = 5001;

  /** The three nodes, routes, started. */
  static LabNode[] topology(VirtualLab lab) {
    LabNode[] n = topologyUnstarted(lab);
    lab.start();
    return n;
  }

  /** The three nodes and routes, for a test to add to before it starts the lab. */
  static LabNode[] topologyUnstarted(VirtualLab lab) {
    LabNode h1 = lab.host("h1");
    LabNode r1 = lab.router("r1");
    LabNode h2 = lab.host("h2");
    lab.connect(h1, "eth0", "02:00:00:00:01:02", "10.0.1.2/24", r1, "eth0", "02:00:00:00:01:01", "10.0.1.1/24",
        VirtualLab.DEFAULT_MTU);
    lab.connect(r1, "eth1", "02:00:00:00:02:01", "10.0.2.1/24", h2, "eth0", "02:00:00:00:02:02", "10.0.2.2/24",
        VirtualLab.DEFAULT_MTU);
    h1.defaultRoute("10.0.1.1");
    h2.defaultRoute("10.0.2.1");
    return new LabNode[] {h1, r1, h2};
  }

  static int ip(String dotted) {
    return Ipv4Address.parse(dotted);
  }

  @Test
  void oneMegabyteAcrossARouter() {
    try (VirtualLab lab = VirtualLab.bulk(1, VirtualLab.DEFAULT_LATENCY_NANOS)) {
      LabNode[] n = topology(lab);
      Transfer.Sink sink = new Transfer.Sink();
      n[2].tcp().listen(0, PORT, 0, c -> sink);
      Transfer.Source source = new Transfer.Source(1 << 20, 42);
      TcpConnection c = n[0].tcp().connect(ip("10.0.2.2"), PORT, 0, source);
      assertTrue(lab.runUntil(() -> source.closes == 1 && sink.closes == 1, 60 * S), "transfer finished");
      assertEquals(1 << 20, sink.received);
      assertEquals(source.sha(), sink.sha());
      assertNull(source.error);
      assertNull(sink.error);
      assertEquals(0, n[0].tcp().counters().retransmits);
      assertTrue(lab.now() < 2 * S, "1 MB on a clean 400 µs path takes well under 2 s: " + lab.now() / 1e9);
      assertEquals(TcpState.TIME_WAIT, c.state(), "the side that closed first (h1) lingers");
      TcpInfo info = c.info();
      assertEquals(1 << 20, info.bytesAcked());
      assertEquals("cubic", info.congestion());
      assertEquals(1448, info.mss());
    }
  }

  @Test
  void slowReaderGetsEverythingAfterZeroWindowsAndPersistProbes() {
    try (VirtualLab lab = VirtualLab.bulk(2, VirtualLab.DEFAULT_LATENCY_NANOS)) {
      LabNode[] n = topology(lab);
      n[2].tcp().settings(TcpSettings.defaults().withBuffers(4 * TcpSettings.MIB, 64 * 1024));
      Transfer.Sink sink = new Transfer.Sink();
      n[2].tcp().listen(0, PORT, 0, c -> {
        c.pauseReading();
        return sink;
      });
      Transfer.Source source = new Transfer.Source(2 << 20, 7);
      n[0].tcp().connect(ip("10.0.2.2"), PORT, 0, source);
      // Read in bursts: paused for 3 s at a time, so the window stays shut and h1 probes it.
      for (int round = 0; round < 100 && sink.closes == 0; round++) {
        lab.advance(3 * S);
        if (sink.conn != null) {
          sink.conn.resumeReading();
          lab.advance(S / 100);
          sink.conn.pauseReading();
        }
      }
      sink.conn.resumeReading();
      assertTrue(lab.runUntil(() -> source.closes == 1 && sink.closes == 1, 120 * S), "transfer finished");
      assertEquals(2 << 20, sink.received);
      assertEquals(source.sha(), sink.sha());
      assertTrue(n[0].tcp().counters().persistProbes > 0, "h1 probed the zero window");
      assertEquals(0, n[0].tcp().counters().timeoutAborts);
    }
  }

  @Test
  void peerThatStopsAnsweringTimesOut() {
    try (VirtualLab lab = VirtualLab.bulk(3, VirtualLab.DEFAULT_LATENCY_NANOS)) {
      LabNode[] n = topology(lab);
      Transfer.Sink sink = new Transfer.Sink();
      n[2].tcp().listen(0, PORT, 0, c -> sink);
      Transfer.Source source = new Transfer.Source(Long.MAX_VALUE, 9);
      n[0].tcp().connect(ip("10.0.2.2"), PORT, 0, source);
      lab.advance(S / 100);
      assertTrue(sink.received > 0);
      long t0 = lab.now();
      // h2 is killed: everything to and from it is dropped. r1 knows h2's MAC statically, so
      // no ARP failure turns into an ICMP error: h1 hears nothing at all.
      n[1].nic("eth1").neighbors().addPermanent(ip("10.0.2.2"), n[2].mac("eth0"));
      lab.impairBothWays(n[2], "eth0", Map.of("down", "true"));
      assertTrue(lab.runUntil(() -> source.closes == 1, 3600 * S), "h1 gave up");
      assertEquals(TcpError.TIMEOUT, source.error);
      double took = (lab.now() - t0) / 1e9;
      // 15 retransmissions: RTO from 200 ms doubling up to the 60 s cap, about 7.7 minutes in all.
      assertTrue(took > 300 && took < 1000, "timed out after " + took + " s");
      assertEquals(1, n[0].tcp().counters().timeoutAborts);
      assertTrue(n[0].tcp().connections().isEmpty());
      sink.conn.abort();
    }
  }

  @Test
  void deadHostBehindARouterIsReportedUnreachableAfterTheRetriesLikeLinux() {
    try (VirtualLab lab = VirtualLab.bulk(3, VirtualLab.DEFAULT_LATENCY_NANOS)) {
      LabNode[] n = topology(lab);
      Transfer.Sink sink = new Transfer.Sink();
      n[2].tcp().listen(0, PORT, 0, c -> sink);
      Transfer.Source source = new Transfer.Source(Long.MAX_VALUE, 9);
      n[0].tcp().connect(ip("10.0.2.2"), PORT, 0, source);
      lab.advance(S / 100);
      long t0 = lab.now();
      // h2 is killed: nothing gets to or from it. r1's ARP for it fails and r1 answers h1's
      // retransmissions with ICMP host unreachable: a soft error (RFC 1122 4.2.3.9), which
      // is what the connection reports once its retries run out (Linux: EHOSTUNREACH).
      lab.impairBothWays(n[2], "eth0", Map.of("down", "true"));
      assertTrue(lab.runUntil(() -> source.closes == 1, 3600 * S), "h1 gave up");
      assertEquals(TcpError.UNREACHABLE, source.error);
      double took = (lab.now() - t0) / 1e9;
      assertTrue(took > 300 && took < 1000, "timed out after " + took + " s");
      assertTrue(n[0].tcp().counters().icmpSoftErrors > 0);
      sink.conn.abort();
    }
  }

  @Test
  void peerThatRestartedAnswersWithRstAndTheConnectionIsReset() {
    try (VirtualLab lab = VirtualLab.bulk(4, VirtualLab.DEFAULT_LATENCY_NANOS)) {
      LabNode[] n = topology(lab);
      Transfer.Sink sink = new Transfer.Sink();
      n[2].tcp().listen(0, PORT, 0, c -> sink);
      Transfer.Source source = new Transfer.Source(Long.MAX_VALUE, 9);
      n[0].tcp().connect(ip("10.0.2.2"), PORT, 0, source);
      lab.advance(S / 100);
      // h2 goes down and loses its connection state (its RST is lost with the link) ...
      lab.impairBothWays(n[2], "eth0", Map.of("down", "true"));
      sink.conn.abort();
      lab.advance(2 * S);
      // ... and comes back: h1's next retransmission finds no connection and gets a RST.
      lab.impairBothWays(n[2], "eth0", Map.of("down", "false"));
      assertTrue(lab.runUntil(() -> source.closes == 1, 600 * S), "h1 learned of the restart");
      assertEquals(TcpError.RESET, source.error);
      assertTrue(n[2].tcp().counters().rstSent >= 1);
      assertEquals(1, n[0].tcp().counters().estabResets);
    }
  }

  @Test
  void connectToAClosedPortIsRefused() {
    try (VirtualLab lab = VirtualLab.bulk(5, VirtualLab.DEFAULT_LATENCY_NANOS)) {
      LabNode[] n = topology(lab);
      Transfer.Source source = new Transfer.Source(10, 1);
      TcpConnection c = n[0].tcp().connect(ip("10.0.2.2"), 9999, 0, source);
      assertEquals(TcpState.SYN_SENT, c.state());
      assertTrue(lab.runUntil(() -> source.closes == 1, 10 * S));
      assertEquals(TcpError.REFUSED, source.error);
      assertTrue(lab.now() < S / 100, "refused within one round trip");
      assertEquals(1, n[2].tcp().counters().noSocket);
    }
  }

  @Test
  void connectWithoutARouteFailsFromALaterTask() {
    try (VirtualLab lab = VirtualLab.bulk(6, VirtualLab.DEFAULT_LATENCY_NANOS)) {
      LabNode h = lab.host("h");
      lab.connect(h, "eth0", "02:00:00:00:00:01", "10.0.0.1/24", lab.host("other"), "eth0", "02:00:00:00:00:02",
          "10.0.0.2/24", VirtualLab.DEFAULT_MTU);
      lab.start();
      Transfer.Source source = new Transfer.Source(10, 1);
      TcpConnection c = h.tcp().connect(ip("192.0.2.1"), 80, 0, source);
      assertEquals(0, source.closes, "never from inside connect");
      lab.runUntil(() -> source.closes == 1, S);
      assertEquals(TcpError.NO_ROUTE, source.error);
      assertEquals(TcpState.CLOSED, c.state());
    }
  }

  @Test
  void echoOverLoopbackToOwnAddress() {
    try (VirtualLab lab = new VirtualLab(8)) {
      LabNode[] n = topology(lab);
      Transfer.Sink sink = new Transfer.Sink();
      n[0].tcp().listen(0, PORT, 0, c -> sink);
      Transfer.Source source = new Transfer.Source(64 * 1024, 3); // a tracked lab: PARANOID leak checks
      n[0].tcp().connect(ip("10.0.1.2"), PORT, 0, source);
      assertTrue(lab.runUntil(() -> source.closes == 1 && sink.closes == 1, 60 * S));
      assertEquals(source.sha(), sink.sha());
    }
  }

  @Test
  void hostUnreachableDuringSynSentFailsTheAttempt() {
    try (VirtualLab lab = VirtualLab.bulk(9, VirtualLab.DEFAULT_LATENCY_NANOS)) {
      LabNode[] n = topology(lab);
      Transfer.Source source = new Transfer.Source(10, 1);
      // Nobody has 10.0.2.99: r1's ARP fails and it answers the SYN with ICMP host unreachable.
      n[0].tcp().connect(ip("10.0.2.99"), PORT, 0, source);
      assertTrue(lab.runUntil(() -> source.closes == 1, 60 * S));
      assertEquals(TcpError.UNREACHABLE, source.error);
      assertTrue(lab.now() < 10 * S, "failed when the ICMP error came, not after the SYN retries");
      assertEquals(1, n[0].tcp().counters().icmpHardErrors);
    }
  }

  @Test
  void fragmentationNeededLowersTheMss() {
    try (VirtualLab lab = VirtualLab.bulk(10, VirtualLab.DEFAULT_LATENCY_NANOS)) {
      LabNode h1 = lab.host("h1");
      LabNode r1 = lab.router("r1");
      LabNode r2 = lab.router("r2");
      LabNode h2 = lab.host("h2");
      lab.connect(h1, "eth0", "02:00:00:00:01:02", "10.0.1.2/24", r1, "eth0", "02:00:00:00:01:01", "10.0.1.1/24",
          1500);
      // A narrower link between the routers: the hosts' SYNs both say MSS 1460, so h1 only
      // learns of it from r1's ICMP "fragmentation needed" (RFC 1191).
      lab.connect(r1, "eth1", "02:00:00:00:03:01", "10.0.3.1/24", r2, "eth0", "02:00:00:00:03:02", "10.0.3.2/24",
          1000);
      lab.connect(r2, "eth1", "02:00:00:00:02:01", "10.0.2.1/24", h2, "eth0", "02:00:00:00:02:02", "10.0.2.2/24",
          1500);
      h1.defaultRoute("10.0.1.1");
      h2.defaultRoute("10.0.2.1");
      r1.route("10.0.2.0/24", "10.0.3.2", 0);
      r2.route("10.0.1.0/24", "10.0.3.1", 0);
      lab.start();
      Transfer.Sink sink = new Transfer.Sink();
      h2.tcp().listen(0, PORT, 0, c -> sink);
      Transfer.Source source = new Transfer.Source(200_000, 5);
      TcpConnection c = h1.tcp().connect(ip("10.0.2.2"), PORT, 0, source);
      assertTrue(lab.runUntil(() -> source.closes == 1 && sink.closes == 1, 60 * S), "transfer finished");
      assertEquals(source.sha(), sink.sha());
      assertEquals(960 - 12, c.info().mss(), "MTU 1000 - 40 - 12 bytes of timestamps");
      assertTrue(h1.tcp().counters().icmpSoftErrors > 0);
      assertTrue(r1.drops(emu.node.stack.DropReason.MTU_EXCEEDED) > 0);
    }
  }
}
