package emu.node.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.testing.LabNode;
import emu.node.testing.VirtualLab;
import emu.node.wire.IpAddress;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The layer's bookkeeping: ephemeral ports (RFC 6056), ISNs (RFC 6528), listeners, settings. */
class TcpLayerTest {
  static final long S = 1_000_000_000L;

  @Test
  void ephemeralPortsAreInLinuxRangeDistinctAndAvoidListeners() {
    try (VirtualLab lab = VirtualLab.bulk(1, VirtualLab.DEFAULT_LATENCY_NANOS)) {
      LabNode[] n = TcpEndToEndTest.topology(lab);
      TcpLayer tcp = n[0].tcp();
      Set<Integer> ports = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        TcpConnection c = tcp.connect(TcpEndToEndTest.ip("10.0.2.2"), 9, 0, new Transfer.Sink());
        assertTrue(c.localPort() >= TcpLayer.EPHEMERAL_LOW && c.localPort() <= TcpLayer.EPHEMERAL_HIGH);
        assertTrue(ports.add(c.localPort()), "ports of live connections to one destination differ");
      }
      int next = ports.iterator().next();
      assertThrows(IllegalStateException.class,
          () -> tcp.connect(TcpEndToEndTest.ip("10.0.2.2"), 9, next, new Transfer.Sink()), "Address already in use");
      tcp.connections().forEach(TcpConnection::abort);
      lab.runUntil(() -> tcp.connections().isEmpty(), S);
    }
  }

  @Test
  void isnsDependOnTheFourTupleAndAdvanceWithTime() {
    try (VirtualLab lab = VirtualLab.bulk(1, VirtualLab.DEFAULT_LATENCY_NANOS)) {
      LabNode[] n = TcpEndToEndTest.topology(lab);
      TcpLayer tcp = n[0].tcp();
      int a = tcp.isn(IpAddress.of(1), 1000, IpAddress.of(2), 80);
      int b = tcp.isn(IpAddress.of(1), 1001, IpAddress.of(2), 80);
      assertNotEquals(a, b, "keyed hash of the 4-tuple");
      lab.advance(S);
      int a2 = tcp.isn(IpAddress.of(1), 1000, IpAddress.of(2), 80);
      assertEquals(250_000, a2 - a, "a 4 µs clock: 250000 ticks per second");
    }
  }

  @Test
  void listenersConflictAndFreeTheirPort() {
    try (VirtualLab lab = VirtualLab.bulk(1, VirtualLab.DEFAULT_LATENCY_NANOS)) {
      LabNode[] n = TcpEndToEndTest.topology(lab);
      TcpLayer tcp = n[2].tcp();
      TcpListenSocket l = tcp.listen(0, 80, 0, c -> new Transfer.Sink());
      assertEquals(128, l.backlog(), "the settings' default backlog");
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> tcp.listen(0, 80, 5, c -> null));
      assertEquals("Address already in use", e.getMessage());
      assertThrows(IllegalStateException.class, () -> tcp.listen(TcpEndToEndTest.ip("10.0.2.2"), 80, 5, c -> null));
      l.close();
      l.close();
      tcp.listen(TcpEndToEndTest.ip("10.0.2.2"), 80, 5, c -> new Transfer.Sink()).close();
      TcpListenSocket any = tcp.listen(0, 0, 5, c -> null);
      assertTrue(any.port() >= TcpLayer.EPHEMERAL_LOW);
      assertThrows(IllegalStateException.class, () -> tcp.listen(TcpEndToEndTest.ip("192.0.2.1"), 81, 5, c -> null),
          "not one of our addresses");
    }
  }

  @Test
  void settingsApplyToLaterConnectionsAndUnknownCongestionIsRefused() {
    try (VirtualLab lab = VirtualLab.bulk(1, VirtualLab.DEFAULT_LATENCY_NANOS)) {
      LabNode[] n = TcpEndToEndTest.topology(lab);
      TcpLayer tcp = n[0].tcp();
      assertThrows(IllegalArgumentException.class, () -> tcp.settings(TcpSettings.defaults().withCongestion("bbr")));
      TcpConnection before = tcp.connect(TcpEndToEndTest.ip("10.0.2.2"), 9, 0, new Transfer.Sink());
      tcp.settings(TcpSettings.defaults().withCongestion("newreno"));
      TcpConnection after = tcp.connect(TcpEndToEndTest.ip("10.0.2.2"), 9, 0, new Transfer.Sink());
      assertEquals("cubic", before.info().congestion());
      assertEquals("newreno", after.info().congestion());
      assertEquals(7, TcpSettings.defaults().receiveWindowShift(), "4 MiB needs window scale 7, as Linux offers");
      assertEquals(0, TcpSettings.defaults().withBuffers(1 << 20, 65535).receiveWindowShift());
      lab.runUntil(() -> tcp.connections().isEmpty(), 10 * S);
    }
  }

  @Test
  void ipv6AddressesGoThroughTheKeyedHashWhole() {
    try (VirtualLab lab = VirtualLab.bulk(1, VirtualLab.DEFAULT_LATENCY_NANOS)) {
      TcpLayer tcp = TcpEndToEndTest.topology(lab)[0].tcp();
      IpAddress victim = IpAddress.parse("2001:db8:1::20");
      // equal under a linear mix (hi * 31 + lo): the keyed hash must still tell them apart
      IpAddress aimed = IpAddress.parse("2001:db8:66::ffff:ffff:f3c5:20");
      IpAddress server = IpAddress.parse("2001:db8:5::100");
      assertNotEquals(tcp.isn(victim, 40000, server, 443), tcp.isn(aimed, 40000, server, 443));
      // the table key: addresses that differ only in their upper bits land apart
      assertNotEquals(tcp.key(443, IpAddress.parse("2001:db8::20").hi(), IpAddress.parse("2001:db8::20").lo(), 5),
          tcp.key(443, IpAddress.parse("2001:db9::20").hi(), IpAddress.parse("2001:db9::20").lo(), 5));
    }
  }
}
