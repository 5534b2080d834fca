package emu.control.narrative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.event.ArpEvent;
import emu.node.event.IpEvent;
import emu.node.event.Packet;
import emu.node.event.RouteInfo;
import emu.node.event.Samples;
import emu.node.event.TcpEvent;
import emu.node.event.TraceEvent;
import emu.node.stack.DropReason;
import emu.node.tcp.TcpCause;
import emu.node.tcp.TcpError;
import emu.node.tcp.TcpState;
import org.junit.jupiter.api.Test;

/** The renderer: the facts a sentence must state, for the steps of the seed's connection process. */
class StoryTest {
  private static final RouteInfo DEFAULT = new RouteInfo("0.0.0.0/0", "192.168.1.1", "eth0", "static", null, 0);
  private static final RouteInfo LAN = new RouteInfo("192.168.1.0/24", null, "eth0", "kernel", "192.168.1.100", 0);

  @Test
  void everyEventRendersToOneLineOfText() {
    for (int variant = 0; variant < 3; variant++) {
      for (TraceEvent e : Samples.all(variant)) {
        String s = Story.sentence(e);
        assertFalse(s.isBlank(), e.toString());
        assertFalse(s.contains("\n"), s);
        assertFalse(s.contains("null"), "a missing value shows as 'null': " + s);
      }
    }
  }

  @Test
  void theRoutingDecisionToAnotherSubnetNamesTheGatewayAndWhy() {
    String s = Story.sentence(new IpEvent.RouteDecision("192.168.5.100", DEFAULT, "192.168.1.1", false, "eth0",
        "192.168.1.100/24"));
    assertEquals("routing decision for 192.168.5.100: matched 'default via 192.168.1.1 dev eth0'; my address "
        + "192.168.1.100/24 is in 192.168.1.0/24; 192.168.5.100 masked with 255.255.255.0 gives 192.168.5.0: "
        + "different subnets, so I cannot reach it directly; send to my default gateway 192.168.1.1 and ARP for the "
        + "gateway, not for the destination", s);
  }

  @Test
  void theRoutingDecisionOnTheOwnSubnetSaysDirectly() {
    String s = Story.sentence(new IpEvent.RouteDecision("192.168.1.101", LAN, "192.168.1.101", true, "eth0",
        "192.168.1.100/24"));
    assertEquals("routing decision for 192.168.1.101: matched '192.168.1.0/24 dev eth0 proto kernel scope link src "
        + "192.168.1.100'; 192.168.1.101 is on my own subnet 192.168.1.0/24 (my address 192.168.1.100/24): deliver "
        + "directly, ARP for the destination itself", s);
    assertEquals("routing decision for 10.9.9.9: no route matches (no default gateway either)",
        Story.sentence(new IpEvent.RouteDecision("10.9.9.9", null, null, false, null, null)));
  }

  @Test
  void forwardingTellsTtlAndChecksumBeforeAndAfter() {
    RouteInfo out = new RouteInfo("192.168.5.0/24", null, "eth1", "kernel", "192.168.5.1", 0);
    assertEquals("routes 192.168.5.100: longest match '192.168.5.0/24 dev eth1 proto kernel scope link src "
        + "192.168.5.1'; TTL 64 -> 63, header checksum 0xc6f5 -> 0xc7f5 (updated incrementally); forwards out eth1 to "
        + "the destination itself 192.168.5.100", Story.sentence(new IpEvent.Forwarded("eth0", "eth1",
        "192.168.5.100", out, "192.168.5.100", 64, 63, 0xc6f5, 0xc7f5)));
  }

  @Test
  void packetsReadAsTcpdumpPrintsThem() {
    Packet syn = new Packet(4, "192.168.1.100", "192.168.5.100", 6, 64, 60333, 60, 20, 0, false, null, null,
        new Packet.Tcp(44216, 443, "S", 3040947763L, null, 65535, 1460, true, 3119171422L, 0L, 7, 0, 0));
    assertEquals("192.168.1.100 > 192.168.5.100: TCP 44216 > 443 [S], seq 3040947763, win 65535, options [mss 1460,"
        + "sackOK,TS val 3119171422 ecr 0,wscale 7], length 0", Story.packet(syn));
    Packet data = new Packet(4, "192.168.5.100", "192.168.1.100", 6, 63, 1, 92, 20, 0, false, null, null,
        new Packet.Tcp(443, 44216, "P.", 4294967290L, 5L, 502, null, false, null, null, null, 0, 40));
    assertEquals("192.168.5.100 > 192.168.1.100: TCP 443 > 44216 [P.], seq 4294967290:34, ack 5, win 502, length 40",
        Story.packet(data), "the end of the data wraps around 2^32");
  }

  @Test
  void arpAndNeighbourLines() {
    assertEquals("ARP request on eth0: who-has 192.168.1.1 tell 192.168.1.100 (broadcast to ff:ff:ff:ff:ff:ff: every "
        + "device on the subnet receives it)", Story.sentence(new ArpEvent.RequestSent("eth0", "192.168.1.1",
        "192.168.1.100", "02:00:00:00:01:00", true, null)));
    assertEquals("hears ARP request on eth0: who-has 192.168.1.1 tell 192.168.1.100 (not me)",
        Story.sentence(new ArpEvent.Heard("eth0", ArpEvent.Op.REQUEST, "192.168.1.100", "02:00:00:00:01:00",
            "192.168.1.1", false)));
    assertEquals("hears gratuitous ARP on eth0: 192.168.1.50 is-at 02:00:00:00:02:00",
        Story.sentence(new ArpEvent.Heard("eth0", ArpEvent.Op.REQUEST, "192.168.1.50", "02:00:00:00:02:00",
            "192.168.1.50", false)));
    assertEquals("ARP cache: 192.168.1.1 on eth0 new -> INCOMPLETE", Story.sentence(new ArpEvent.NeighborChanged(
        "eth0", "192.168.1.1", null, emu.node.stack.NeighborState.INCOMPLETE, null)));
  }

  @Test
  void tcpSaysWhyAndDropsSayWhat() {
    assertEquals("TCP 192.168.1.100:44216 > 192.168.5.100:443 SYN-SENT -> ESTAB: SYN,ACK in SYN-SENT",
        Story.sentence(new TcpEvent.StateChanged("192.168.1.100:44216", "192.168.5.100:443", TcpState.SYN_SENT,
            TcpState.ESTABLISHED, TcpCause.SYN_ACK_IN_SYN_SENT, null)));
    assertEquals("TCP 10.0.0.1:40000 > 10.0.9.9:80 SYN-SENT -> UNCONN: no route to 10.0.9.9",
        Story.sentence(new TcpEvent.StateChanged("10.0.0.1:40000", "10.0.9.9:80", TcpState.SYN_SENT,
            TcpState.CLOSED, TcpCause.NO_ROUTE, TcpError.NO_ROUTE)));
    assertTrue(Story.sentence(new TcpEvent.StateChanged("a:1", "b:2", TcpState.ESTABLISHED, TcpState.CLOSED,
        TcpCause.SEND_FAILED, TcpError.UNREACHABLE)).endsWith("send failed: No route to host"));
    assertEquals("dropped a packet for 192.168.1.7: next hop did not answer ARP",
        Story.sentence(new IpEvent.Dropped(DropReason.ARP_TIMEOUT, "eth0", "192.168.1.7")));
    for (DropReason r : DropReason.values()) {
      assertFalse(Story.sentence(new IpEvent.Dropped(r, null, null)).endsWith(": "), r.name());
    }
  }

  @Test
  void anEventMissingFieldsIsToldAsItsFactsNotAFailure() throws Exception {
    TraceEvent half = emu.node.event.EventCodec.read("{\"ts\":1,\"seq\":0,\"node\":\"r1\",\"type\":\"ip.forward\"}")
        .event();
    String s = Story.sentence(half);
    assertTrue(s.startsWith("ip.forward (incomplete event, told as its facts: Forwarded[in=null"), s);
  }
}
