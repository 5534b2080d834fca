package emu.control.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.event.TlsEvent;
import emu.node.event.TlsEvent.Direction;
import emu.node.event.TlsEvent.Side;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ladder's roles of TLS events: what a node sends labels its next frame; what it receives is left out. */
class RolesTest {
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
}
