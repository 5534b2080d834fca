package emu.control.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.narrative.Story;
import emu.control.topology.Topology;
import emu.control.topology.TopologyLoader;
import emu.node.event.ArpEvent;
import emu.node.event.IpEvent;
import emu.node.event.Packet;
import emu.node.event.Stamped;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The 802.1Q tag in the story and on the ladder: a frame sent from a VLAN subinterface is drawn
 * to the node at the far end of its parent's link and labelled with the tag it was given; the
 * narrative says the tag is added on the way out and removed on the way in.
 */
class VlanLadderTest {
  private static Topology topo() throws Exception {
    return TopologyLoader.parse(Path.of("lab.yml"), """
        name: stick
        topology:
          nodes:
            r1:
              kind: router
              interfaces:
                eth0: {mac: "02:00:00:00:00:01"}
                eth0.20: {address: 10.20.0.1/24}
            srv:
              kind: host
              interfaces:
                eth0: {mac: "02:00:00:00:00:02"}
                eth0.20: {address: 10.20.0.2/24}
          links:
            - endpoints: ["r1:eth0", "srv:eth0"]
        """);
  }

  private static final Packet ECHO = new Packet(4, "10.20.0.1", "10.20.0.2", 1, 64, 5, 84, 20, 0, false,
      new Packet.Icmp(8, 0, 7, 1), null, null, null);

  @Test
  void aTaggedFrameGoesAcrossTheParentsLinkLabelledWithItsTag() throws Exception {
    IpEvent.FrameSent sent = new IpEvent.FrameSent("eth0.20", "02:00:00:00:00:01", "02:00:00:00:00:02", 102, ECHO,
        20);
    List<Stamped> events = List.of(
        new Stamped(1_000, 0, "r1", new ArpEvent.RequestSent("eth0.20", "10.20.0.2", "10.20.0.1",
            "02:00:00:00:00:01", true, null)),
        new Stamped(2_000, 1, "r1", sent));
    Ladder.Model m = Ladder.build(topo(), events, List.of(), Map.of(), 100, 100);
    assertEquals(List.of("srv"), m.rows().get(0).to(), "the broadcast crosses eth0's link");
    assertEquals(List.of("srv"), m.rows().get(1).to());
    assertEquals("10.20.0.1 > 10.20.0.2: ICMP echo request, id 7, seq 1, length 64 [802.1Q tag VLAN 20 added]",
        m.rows().get(1).label());
  }

  @Test
  void theStorySaysWhereTheTagIsAddedAndRemoved() {
    IpEvent.FrameSent sent = new IpEvent.FrameSent("eth0.20", "02:00:00:00:00:01", "02:00:00:00:00:02", 102, ECHO,
        20);
    assertTrue(Story.sentence(sent).endsWith("; adds an 802.1Q tag (EtherType 0x8100, VLAN 20) and transmits on"
        + " eth0.20's link eth0"), Story.sentence(sent));
    IpEvent.Received got = new IpEvent.Received("eth0.20", "02:00:00:00:00:01", "02:00:00:00:00:02", true, true,
        ECHO, 20);
    assertEquals("receives a frame on eth0.20 from 02:00:00:00:00:01 to its own MAC 02:00:00:00:00:02 tagged VLAN 20"
        + " on eth0; removes the 802.1Q tag; strips the Ethernet header: IPv4 [10.20.0.1 > 10.20.0.2: ICMP echo"
        + " request, id 7, seq 1, length 64], TTL 64; the destination is this node", Story.sentence(got));
    IpEvent.FrameSent plain = new IpEvent.FrameSent("eth0", "02:00:00:00:00:01", "02:00:00:00:00:02", 98, ECHO);
    assertTrue(Story.sentence(plain).endsWith("; transmits on eth0"), Story.sentence(plain));
  }
}
