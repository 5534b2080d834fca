package emu.control.narrative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.event.ArpEvent;
import emu.node.event.IpEvent;
import emu.node.event.Ipv6Event;
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
        new Packet.Tcp(44216, 443, "S", 3040947763L, null, 65535, 1460, true, 3119171422L, 0L, 7, 0, 0), null);
    assertEquals("192.168.1.100 > 192.168.5.100: TCP 44216 > 443 [S], seq 3040947763, win 65535, options [mss 1460,"
        + "sackOK,TS val 3119171422 ecr 0,wscale 7], length 0", Story.packet(syn));
    Packet data = new Packet(4, "192.168.5.100", "192.168.1.100", 6, 63, 1, 92, 20, 0, false, null, null,
        new Packet.Tcp(443, 44216, "P.", 4294967290L, 5L, 502, null, false, null, null, null, 0, 40), null);
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
  void fragmentationReassemblyAndPathMtuAreToldWithTheirNumbers() {
    assertEquals("the packet for 2001:db8:2::2 is 3048 bytes, more than the path MTU 1280: sends it in 3 fragments"
        + " (fragment header, identification 0x1a2b3c4d; in IPv6 only the source fragments, routers never do)",
        Story.sentence(new Ipv6Event.Fragmented("2001:db8:2::2", 0x1a2b3c4dL, 3048, 1280, 3)));
    assertEquals("reassembles the packet from 2001:db8:1::2 (identification 0x7) from 3 fragments: 3048 bytes",
        Story.sentence(new Ipv6Event.Reassembled("2001:db8:1::2", "2001:db8:2::2", 7, 3, 3048)));
    assertEquals("gives up reassembling the packet from 2001:db8:1::a (identification 0x17) after 60 s with 2 "
        + "fragments; tells 2001:db8:1::a with ICMPv6 time exceeded (fragment reassembly time exceeded)",
        Story.sentence(new Ipv6Event.ReassemblyFailed("2001:db8:1::a", "2001:db8:1::b", 0x17,
            DropReason.IPV6_REASSEMBLY_TIMEOUT, 2, true, true)));
    assertTrue(Story.sentence(new Ipv6Event.ReassemblyFailed("a", "b", 1, DropReason.IPV6_REASSEMBLY_TIMEOUT, 1,
        false, false)).endsWith("its first fragment never came, so no error is sent"));
    assertTrue(Story.sentence(new Ipv6Event.ReassemblyFailed("a", "b", 9, DropReason.IPV6_FRAGMENT_OVERLAP, 2,
        true, false)).startsWith("fragments of the packet from a (identification 0x9) overlap: gives the whole "
        + "packet up, silently (RFC 5722)"));
    assertEquals("learns from 2001:db8:1::1's packet too big that the path to 2001:db8:2::2 carries at most 1280 "
        + "bytes (path MTU, RFC 8201): UDP and ping fragment to it, TCP sizes its segments to it; forgotten in "
        + "10 minutes", Story.sentence(new Ipv6Event.PathMtuLowered("2001:db8:2::2", 1280, "2001:db8:1::1")));
    // fragments as tcpdump shows them: frag (offset|length), the first with its transport
    Packet first = new Packet(6, "2001:db8:1::2", "2001:db8:2::2", 58, 64, 0, 1280, 48, 0, false,
        new Packet.Icmp(128, 0, 7, 1), null, null, 0x1a2b3c4dL);
    assertEquals("2001:db8:1::2 > 2001:db8:2::2: frag (0|1232) ICMP6, echo request, id 7, seq 1, length 1232",
        Story.packet(first));
    Packet later = new Packet(6, "2001:db8:1::2", "2001:db8:2::2", 58, 64, 0, 592, 48, 2464, false, null, null,
        null, 0x1a2b3c4dL);
    assertEquals("2001:db8:1::2 > 2001:db8:2::2: frag (2464|544)", Story.packet(later));
  }

  @Test
  void anEventMissingFieldsIsToldAsItsFactsNotAFailure() throws Exception {
    TraceEvent half = emu.node.event.EventCodec.read("{\"ts\":1,\"seq\":0,\"node\":\"r1\",\"type\":\"ip.forward\"}")
        .event();
    String s = Story.sentence(half);
    assertTrue(s.startsWith("ip.forward (incomplete event, told as its facts: Forwarded[in=null"), s);
  }
}
