package emu.control.narrative;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.node.event.EventCodec;
import emu.node.event.NatEvent;
import emu.node.event.Stamped;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The NAT's sentences: the issue's two examples, a hairpin, an ICMP error, an expiry and a refusal. */
class NatStoryTest {
  @Test
  void theRewriteOutAndBackAsTheIssueTellsIt() {
    assertEquals("rewrites 192.168.0.10:51234 -> 198.51.100.2:51234 (new mapping, TCP SYN to 203.0.113.10:443): the"
        + " outside routes only 198.51.100.2 back, so the packet leaves eth1 with the router's address as its source",
        Story.sentence(new NatEvent.Translated("eth1", "out", "tcp", "TCP SYN", "192.168.0.10", 51234,
            "198.51.100.2", 51234, "203.0.113.10", 443, "new")));
    assertEquals("rewrites 198.51.100.2:51234 -> 192.168.0.10:51234 (mapping found, TCP SYN-ACK from"
        + " 203.0.113.10:443)", Story.sentence(new NatEvent.Translated("eth1", "in", "tcp", "TCP SYN-ACK",
            "198.51.100.2", 51234, "192.168.0.10", 51234, "203.0.113.10", 443, "found")));
    assertEquals("rewrites 198.51.100.2:8443 -> 192.168.0.10:443 (port forward, TCP SYN from 203.0.113.10:40000)",
        Story.sentence(new NatEvent.Translated("eth1", "in", "tcp", "TCP SYN", "198.51.100.2", 8443,
            "192.168.0.10", 443, "203.0.113.10", 40000, "forward")));
    assertEquals("rewrites 192.168.0.10 id 7 -> 198.51.100.2 id 7 (new mapping, ICMP echo request to 203.0.113.10):"
        + " the outside routes only 198.51.100.2 back, so the packet leaves eth1 with the router's address as its"
        + " source", Story.sentence(new NatEvent.Translated("eth1", "out", "icmp", "ICMP echo request",
            "192.168.0.10", 7, "198.51.100.2", 7, "203.0.113.10", 0, "new")));
  }

  @Test
  void hairpinsErrorsExpiryAndRefusals() {
    assertEquals("hairpins TCP SYN for 198.51.100.2:8443 back inside to 192.168.0.10:443, from 198.51.100.2:40000"
        + " (the sender's own mapping, RFC 4787 REQ-9)", Story.sentence(new NatEvent.Translated("eth0", "hairpin",
            "tcp", "TCP SYN", "198.51.100.2", 8443, "192.168.0.10", 443, "198.51.100.2", 40000, "forward")));
    assertEquals("translates an ICMP time exceeded (code 0) for 198.51.100.2 back to 192.168.0.10, and the UDP"
        + " header it quotes from port 33434 to 33434 (RFC 5508: the error must name what the host sent)",
        Story.sentence(new NatEvent.IcmpError("eth1", "in", 11, 0, "198.51.100.2", "192.168.0.10", "udp", 33434,
            33434)));
    assertEquals("forgets the udp mapping 192.168.0.10:5000 = 198.51.100.2:5000, last with 203.0.113.53:53, idle 30s",
        Story.sentence(new NatEvent.Expired("udp", "192.168.0.10:5000", "198.51.100.2:5000", "203.0.113.53:53", null,
            30)));
    assertEquals("drops a udp packet 192.168.0.10 > 203.0.113.10: the NAT table is full",
        Story.sentence(new NatEvent.Refused("eth0", "nat_table_full", "udp", "192.168.0.10", "203.0.113.10")));
    assertEquals("masquerades what it forwards out of eth1 as 198.51.100.2 (source NAT; endpoint-independent mapping"
        + " and filtering, RFC 4787; at most 65536 mappings); port forwards tcp 8443 -> 192.168.0.10:443",
        Story.sentence(new NatEvent.Serving("eth1", "198.51.100.2", 65536, List.of("tcp 8443 -> 192.168.0.10:443"))));
  }

  @Test
  void eventsRoundTripThroughTheirJsonLines() throws java.io.IOException {
    NatEvent e = new NatEvent.Translated("eth1", "out", "udp", "UDP", "192.168.0.10", 5000, "198.51.100.2", 5000,
        "203.0.113.53", 53, "new");
    Stamped s = new Stamped(1, 2, "home", e);
    assertEquals(s, EventCodec.read(EventCodec.toJson(s, null)));
    assertEquals("nat.translate", e.type());
  }
}
