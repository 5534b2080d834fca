package emu.node.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.stack.DropReason;
import emu.node.testing.LabNode;
import emu.node.testing.NarrowIpv6Path;
import emu.node.testing.VirtualLab;
import emu.node.wire.IpAddress;
import org.junit.jupiter.api.Test;

/**
 * The same TCP over IPv6 (RFC 8200 8.1's pseudo-header, MSS from the IPv6 MTU, ICMPv6 packet
 * too big for path MTU discovery), on virtual time: h1 - r1 - h2, dual stack.
 */
class TcpOverIpv6Test {
  static final long S = 1_000_000_000L;
  static final int PORT = 5001;
  static final IpAddress H2_V6 = IpAddress.parse("2001:db8:2::2");

  /** h1 - r1 - h2 with both families; {@code mtu} on the link of r1 and h2. */
  static LabNode[] topology(VirtualLab lab, int mtu) {
    LabNode h1 = lab.host("h1");
    LabNode r1 = lab.router("r1");
    LabNode h2 = lab.host("h2");
    lab.connect(h1, "eth0", "02:00:00:00:01:02", "10.0.1.2/24", r1, "eth0", "02:00:00:00:01:01", "10.0.1.1/24",
        VirtualLab.DEFAULT_MTU);
    lab.connect(r1, "eth1", "02:00:00:00:02:01", "10.0.2.1/24", h2, "eth0", "02:00:00:00:02:02", "10.0.2.2/24",
        mtu);
    h1.defaultRoute("10.0.1.1");
    h2.defaultRoute("10.0.2.1");
    h1.ipv6("eth0", false, "2001:db8:1::2/64");
    r1.ipv6("eth0", false, "2001:db8:1::1/64").ipv6("eth1", false, "2001:db8:2::1/64");
    h2.ipv6("eth0", false, "2001:db8:2::2/64");
    lab.start();
    lab.advance(3 * S); // duplicate address detection; the hosts learn r1 as default router
    return new LabNode[] {h1, r1, h2};
  }

  @Test
  void oneMegabyteAcrossARouterOverIpv6() {
    try (VirtualLab lab = VirtualLab.bulk(3, VirtualLab.DEFAULT_LATENCY_NANOS)) {
      LabNode[] n = topology(lab, VirtualLab.DEFAULT_MTU);
      Transfer.Sink sink = new Transfer.Sink();
      n[2].tcp().listen(IpAddress.ANY6, PORT, 0, c -> sink);
      Transfer.Source source = new Transfer.Source(1 << 20, 42);
      TcpConnection c = n[0].tcp().connect(H2_V6, PORT, 0, source);
      assertTrue(lab.runUntil(() -> source.closes == 1 && sink.closes == 1, 60 * S), "transfer finished");
      assertEquals(1 << 20, sink.received);
      assertEquals(source.sha(), sink.sha());
      assertNull(source.error);
      assertNull(sink.error);
      assertTrue(c.ipv6());
      assertEquals(IpAddress.parse("2001:db8:1::2"), c.local(), "source address selection");
      assertEquals(1500 - 60 - 12, c.info().mss(), "MSS from the IPv6 MTU, less 12 bytes of timestamps");
      assertTrue(c.info().ssLine().contains("[2001:db8:1::2]:") && c.info().ssLine().contains("[2001:db8:2::2]:5001"),
          c.info().ssLine());
      assertEquals(0, n[0].drops(DropReason.TCP_BAD_CHECKSUM) + n[2].drops(DropReason.TCP_BAD_CHECKSUM));
    }
  }

  @Test
  void aListenerOnTheIpv6WildcardTakesBothFamiliesAndOnTheIpv4OneOnlyIpv4() {
    try (VirtualLab lab = VirtualLab.bulk(4, VirtualLab.DEFAULT_LATENCY_NANOS)) {
      LabNode[] n = topology(lab, VirtualLab.DEFAULT_MTU);
      Transfer.Sink sink = new Transfer.Sink();
      n[2].tcp().listen(IpAddress.ANY6, PORT, 0, c -> sink);
      Transfer.Source v4 = new Transfer.Source(1000, 1);
      n[0].tcp().connect(IpAddress.parse("10.0.2.2"), PORT, 0, v4);
      assertTrue(lab.runUntil(() -> v4.closes == 1, 10 * S));
      assertNull(v4.error, "IPv4 reaches the :: listener");

      Transfer.Sink sink4 = new Transfer.Sink();
      n[2].tcp().listen(IpAddress.ANY4, PORT + 1, 0, c -> sink4);
      Transfer.Source v6 = new Transfer.Source(1000, 2);
      n[0].tcp().connect(H2_V6, PORT + 1, 0, v6);
      assertTrue(lab.runUntil(() -> v6.closes == 1, 10 * S));
      assertEquals(TcpError.REFUSED, v6.error, "0.0.0.0 takes no IPv6: the SYN is answered with a reset");
      assertEquals(0, sink4.closes);
    }
  }

  @Test
  void wildcardsOfBothFamiliesOnOnePortCollideAsOnLinux() {
    try (VirtualLab lab = VirtualLab.bulk(5, VirtualLab.DEFAULT_LATENCY_NANOS)) {
      LabNode[] n = topology(lab, VirtualLab.DEFAULT_MTU);
      n[2].tcp().listen(IpAddress.ANY6, PORT, 0, c -> new Transfer.Sink());
      IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
          () -> n[2].tcp().listen(IpAddress.ANY4, PORT, 0, c -> new Transfer.Sink()));
      assertEquals("Address already in use", e.getMessage());
      // a specific IPv6 address of the node on another port is fine; someone else's is not
      n[2].tcp().listen(H2_V6, PORT + 1, 0, c -> new Transfer.Sink());
      assertEquals("Cannot assign requested address", org.junit.jupiter.api.Assertions.assertThrows(
          IllegalStateException.class, () -> n[2].tcp().listen(IpAddress.parse("2001:db8:9::9"), PORT + 2, 0,
              c -> new Transfer.Sink())).getMessage());
    }
  }

  @Test
  void aClosedPortAnswersWithAResetOverIpv6() {
    try (VirtualLab lab = VirtualLab.bulk(6, VirtualLab.DEFAULT_LATENCY_NANOS)) {
      LabNode[] n = topology(lab, VirtualLab.DEFAULT_MTU);
      Transfer.Source s = new Transfer.Source(10, 1);
      n[0].tcp().connect(H2_V6, 9, 0, s);
      assertTrue(lab.runUntil(() -> s.closes == 1, 10 * S));
      assertEquals(TcpError.REFUSED, s.error);
      assertEquals(1, n[2].tcp().counters().noSocket);
    }
  }

  @Test
  void noRouteFailsFromALaterTask() {
    try (VirtualLab lab = VirtualLab.bulk(7, VirtualLab.DEFAULT_LATENCY_NANOS)) {
      LabNode[] n = topology(lab, VirtualLab.DEFAULT_MTU);
      n[0].ipv6().routes().removeIf(r -> r.isDefault());
      Transfer.Source s = new Transfer.Source(10, 1);
      n[0].tcp().connect(H2_V6, PORT, 0, s);
      assertEquals(0, s.closes, "not from inside connect");
      lab.advance(S / 100);
      assertEquals(TcpError.NO_ROUTE, s.error);
    }
  }

  @Test
  void theRoutersTooBigErrorIsWhatLowersIt() {
    try (VirtualLab lab = VirtualLab.bulk(9, VirtualLab.DEFAULT_LATENCY_NANOS)) {
      LabNode[] path = NarrowIpv6Path.build(lab);
      LabNode h1 = path[0];
      LabNode r1 = path[1];
      LabNode h2 = path[3];
      Transfer.Sink sink = new Transfer.Sink();
      h2.tcp().listen(IpAddress.ANY6, PORT, 0, c -> sink);
      Transfer.Source source = new Transfer.Source(200_000, 5);
      TcpConnection c = h1.tcp().connect(H2_V6, PORT, 0, source);
      assertTrue(lab.runUntil(() -> source.closes == 1 && sink.closes == 1, 60 * S), "transfer finished");
      assertEquals(source.sha(), sink.sha());
      assertEquals(1280 - 60 - 12, c.info().mss(), "the 1280 link's, learned from r1's packet too big");
      assertTrue(h1.tcp().counters().icmpSoftErrors > 0);
      assertTrue(r1.ipv6().counters().icmpErrorsSent > 0);
      // the path MTU is the node's, not the connection's: a second connection sizes its segments
      // by it from its handshake on, and r1 has nothing more to say (RFC 8201, one cache)
      assertEquals(1, h1.ipv6().counters().pathMtuLowered);
      long errors = r1.ipv6().counters().icmpErrorsSent;
      Transfer.Sink sink2 = new Transfer.Sink();
      h2.tcp().listen(IpAddress.ANY6, PORT + 1, 0, x -> sink2);
      Transfer.Source source2 = new Transfer.Source(200_000, 6);
      TcpConnection c2 = h1.tcp().connect(H2_V6, PORT + 1, 0, source2);
      assertTrue(lab.runUntil(() -> source2.closes == 1 && sink2.closes == 1, 60 * S), "second transfer finished");
      assertEquals(source2.sha(), sink2.sha());
      assertEquals(1280 - 60 - 12, c2.info().mss());
      assertEquals(errors, r1.ipv6().counters().icmpErrorsSent, "no packet too big for the second connection");
    }
  }
}
