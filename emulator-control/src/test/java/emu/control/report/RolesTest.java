package emu.control.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.event.DnsEvent;
import emu.node.event.DnsEvent.Transport;
import emu.node.event.DnsResponse;
import emu.node.event.OspfEvent;
import emu.node.event.TlsEvent;
import emu.node.event.TlsEvent.Direction;
import emu.node.event.TlsEvent.Side;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which DNS and TLS events label the next frame their node sends in the ladder, and which are left out. */
class RolesTest {
  private static final DnsResponse NODATA = new DnsResponse("NOERROR", DnsResponse.Outcome.NODATA, List.of(), null);

  @Test
  void queriesForwardsAnswersSentRetriesAndTcpClosesLabelTheNextFrame() {
    for (DnsEvent e : List.of(
        new DnsEvent.QuerySent(1, "192.168.1.53", "payroll.corp.com", "A", Transport.UDP, 40000, 1, 2),
        new DnsEvent.Retried(1, "192.168.1.53", "payroll.corp.com", "A", 2, 5_000_000_000L, 10_000_000_000L),
        new DnsEvent.Forwarded("192.168.1.100", 40000, Transport.UDP, 1, "payroll.corp.com", "A", "192.168.5.53"),
        new DnsEvent.Served("192.168.1.53", 50000, Transport.UDP, 2, "payroll.corp.com", "MX", "corp.com", true, NODATA),
        new DnsEvent.OutOfZone("192.168.1.53", 50000, Transport.UDP, 2, "www.example.org", "A"),
        new DnsEvent.ServedFromCache("192.168.1.100", 40000, Transport.UDP, 1, "payroll.corp.com", "MX", 3, NODATA),
        new DnsEvent.ServedFromUpstream("192.168.1.100", 40000, Transport.UDP, 1, "payroll.corp.com", "MX",
            "192.168.5.53", NODATA),
        new DnsEvent.UpstreamFailed("192.168.1.100", 40000, Transport.UDP, 1, "payroll.corp.com", "A", "192.168.5.53",
            null, "timed out"),
        new DnsEvent.Rejected("192.168.1.100", 40000, Transport.UDP, 1, "FORMERR", DnsEvent.RejectWhy.QUESTION_COUNT,
            null, null, null, null, 2, null, null, 40, null),
        new DnsEvent.ServeFailed("192.168.1.100", 40000, Transport.UDP, 1, "payroll.corp.com", "A", "bug"),
        new DnsEvent.TcpIdleClosed("192.168.1.100", 40000, 10_000_000_000L))) {
      assertTrue(Roles.labelsNextFrame(e), e.type());
    }
  }

  @Test
  void whatARequesterLearnsOrAServerWaitsForLabelsNothing() {
    for (DnsEvent e : List.of(
        new DnsEvent.Answered(1, "192.168.1.53", "payroll.corp.com", "MX", Transport.UDP, NODATA),
        new DnsEvent.CacheMiss("payroll.corp.com", "A"),
        new DnsEvent.Cached("payroll.corp.com", "A", 300, false),
        new DnsEvent.ForwardJoined("192.168.1.101", 40001, Transport.UDP, 3, "payroll.corp.com", "A", "192.168.5.53"),
        new DnsEvent.Resolved("payroll.corp.com", "192.168.5.100"))) {
      assertFalse(Roles.labelsNextFrame(e), e.type());
    }
  }

  @Test
  void dhcpMessagesSentLabelTheFrameAndWhatTheServerHeardDoesNot() {
    assertTrue(Roles.labelsNextFrame(new emu.node.event.DhcpEvent.ClientSent("eth0", "DISCOVER", "init", 1, "0.0.0.0",
        "255.255.255.255", null, null, 1)));
    assertTrue(Roles.labelsNextFrame(new emu.node.event.DhcpEvent.Offered("02:00:00:00:00:64", "192.168.1.100", 3600,
        null, List.of(), "255.255.255.255", true)));
    assertFalse(Roles.labelsNextFrame(new emu.node.event.DhcpEvent.Received("eth0", "DISCOVER", "02:00:00:00:00:64", 1,
        "0.0.0.0", "255.255.255.255", null, null, true)));
  }

  @Test
  void tlsRecordsSentLabelTheFrameAndRecordsReceivedAreLeftOut() {
    TlsEvent sent = new TlsEvent.ClientHello(Side.CLIENT, Direction.SENT, "10.0.0.2:443", 292, "TLS 1.2",
        List.of("TLS 1.3"), List.of("TLS_AES_128_GCM_SHA256"), "payroll.corp.com", List.of(), List.of(), List.of());
    TlsEvent received = new TlsEvent.ClientHello(Side.SERVER, Direction.RECEIVED, "10.0.0.1:40000", 292, "TLS 1.2",
        List.of("TLS 1.3"), List.of("TLS_AES_128_GCM_SHA256"), "payroll.corp.com", List.of(), List.of(), List.of());
    assertTrue(Roles.labelsNextFrame(sent));
    assertFalse(Roles.received(sent));
    assertFalse(Roles.labelsNextFrame(received));
    assertTrue(Roles.received(received));
    TlsEvent endpoint = new TlsEvent.HandshakeDone(Side.CLIENT, "10.0.0.2:443", "TLSv1.3", "TLS_AES_128_GCM_SHA256");
    assertFalse(Roles.labelsNextFrame(endpoint), "the endpoint's own view is a note");
    assertFalse(Roles.received(endpoint));
  }

  @Test
  void ospfStepsAreNotesNotLabels() {
    // an origination is flooded only where an adjacency has reached Exchange: a lone router
    // originates and sends nothing, so it would label an unrelated frame (its next Hello)
    OspfEvent.Change moved = new OspfEvent.Change("10.3.0.0/24", 10, List.of("10.0.13.3"), 20, List.of("10.0.12.2"));
    for (OspfEvent e : List.of(
        new OspfEvent.Originated(1, "1.1.1.1", "1.1.1.1", "0x80000001", false),
        new OspfEvent.Neighbor("eth0", "2.2.2.2", "10.0.12.2", "Init", "2-Way", "2-WayReceived"),
        new OspfEvent.Elected("eth0", "2.2.2.2", "1.1.1.1", "Backup"),
        new OspfEvent.Spf(100, 3, 1, "2.2.2.2", "2.2.2.2", "0x80000002", List.of(moved)))) {
      assertFalse(Roles.labelsNextFrame(e), e.type());
      assertFalse(Roles.received(e), e.type());
      assertFalse(Roles.quiet(e), e.type());
    }
  }

  @Test
  void ospfInstallsAndSpfRunsThatMovedNoRouteAreLeftOut() {
    assertTrue(Roles.quiet(new OspfEvent.Installed(1, "2.2.2.2", "2.2.2.2", "0x80000002", "2.2.2.2")));
    assertTrue(Roles.quiet(new OspfEvent.Spf(100, 3, 1, "2.2.2.2", "2.2.2.2", "0x80000002", List.of())));
  }
}
