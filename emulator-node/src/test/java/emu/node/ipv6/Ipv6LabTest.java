package emu.node.ipv6;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.event.ArpEvent;
import emu.node.event.IpEvent;
import emu.node.event.Ipv6Event;
import emu.node.stack.NeighborState;
import emu.node.stack.SendResult;
import emu.node.testing.LabNode;
import emu.node.testing.LabSwitch;
import emu.node.testing.VirtualLab;
import emu.node.wire.Icmpv6Packet;
import emu.node.wire.Ipv6Address;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * IPv6 across a switch and a router on virtual time: link-local addresses checked by duplicate
 * address detection, router discovery, stateless autoconfiguration from the router's prefix,
 * neighbour discovery for the router (not the far host), forwarding with the hop limit
 * decremented, and ICMPv6's answers and errors.
 *
 * <pre>
 *   h1 (autoconf) --- sw1 --- r1 eth0 2001:db8:1::1/64   r1 eth1 2001:db8:5::1/64 --- h2 2001:db8:5::100/64
 * </pre>
 */
class Ipv6LabTest {
  private static final long S = 1_000_000_000L;
  private final VirtualLab lab = new VirtualLab(17);
  private final LabNode h1 = lab.host("h1");
  private final LabNode r1 = lab.router("r1");
  private final LabNode h2 = lab.host("h2");
  private final LabSwitch sw1 = lab.bridge("sw1");

  Ipv6LabTest() {
    lab.connect(h1, "eth0", "02:00:00:00:01:00", null, sw1, "p1");
    lab.connect(r1, "eth0", "02:00:00:00:05:00", null, sw1, "p2");
    lab.connect(r1, "eth1", "02:00:00:00:05:01", null, h2, "eth0", "02:00:00:00:08:00", null, 1500);
    h1.ipv6("eth0", true);
    r1.ipv6("eth0", false, "2001:db8:1::1/64").ipv6("eth1", false, "2001:db8:5::1/64");
    h2.ipv6("eth0", false, "2001:db8:5::100/64");
    h2.ipv6().addRoute(emu.node.wire.Ipv6Cidr.parse("::/0"), Ipv6Address.parse("2001:db8:5::1"), null, 1024);
    lab.start();
  }

  @AfterEach
  void close() {
    lab.close();
  }

  private static Ipv6InterfaceAddress address(LabNode n, Ipv6InterfaceAddress.Origin origin) {
    return n.ipv6().interfaces().get(0).addresses().stream().filter(a -> a.origin() == origin).findFirst()
        .orElse(null);
  }

  @Test
  void aHostChecksItsLinkLocalAddressThenTakesAnAddressFromTheRoutersPrefix() {
    lab.advance(3 * S);
    Ipv6InterfaceAddress ll = address(h1, Ipv6InterfaceAddress.Origin.LINK_LOCAL);
    assertEquals("fe80::ff:fe00:100/64", ll.cidr().toString());
    assertEquals(Ipv6InterfaceAddress.State.PREFERRED, ll.state());
    // duplicate address detection: a solicitation for its own address from ::, to its solicited-node group
    List<Ipv6Event.SolicitationSent> dad = h1.events(Ipv6Event.SolicitationSent.class).stream()
        .filter(e -> e.src().equals("::")).toList();
    assertEquals(List.of("fe80::ff:fe00:100", "ff02::1:ff00:100"), List.of(dad.get(0).target(), dad.get(0).dst()));
    // router discovery and SLAAC: the router's prefix plus h1's EUI-64 interface identifier
    assertFalse(h1.events(Ipv6Event.RouterSolicitationSent.class).isEmpty());
    Ipv6Event.RouterAdvertisementHeard ra = h1.events(Ipv6Event.RouterAdvertisementHeard.class).get(0);
    assertEquals("fe80::ff:fe00:500", ra.router());
    assertEquals(List.of("2001:db8:1::/64"), ra.prefixes());
    assertEquals(1500, ra.mtu());
    Ipv6InterfaceAddress slaac = address(h1, Ipv6InterfaceAddress.Origin.SLAAC);
    assertNotNull(slaac, "an autoconfigured address");
    assertEquals("2001:db8:1::ff:fe00:100/64", slaac.cidr().toString());
    assertEquals(Ipv6InterfaceAddress.State.PREFERRED, slaac.state());
    Ipv6Route def = h1.ipv6().routes().lookup(Ipv6Address.parse("2001:db8:5::100"), 3 * S);
    String shown = def.describe(3 * S);
    assertTrue(shown.matches("default via fe80::ff:fe00:500 dev eth0 proto ra metric 1024 expires \\d+sec pref medium"),
        shown);
    // the router does not configure itself from advertisements, nor do hosts without autoconf
    assertEquals(List.of(), r1.events(Ipv6Event.RouterAdvertisementHeard.class));
    assertEquals(0, h2.ipv6().interfaces().get(0).addresses().stream()
        .filter(a -> a.origin() == Ipv6InterfaceAddress.Origin.SLAAC).count());
  }

  /** Sends one echo request from h1 and returns the echo replies h1 hears. */
  private List<Integer> ping(Ipv6Address dst, int hopLimit) {
    List<Integer> replies = new ArrayList<>();
    Icmpv6Listener l = (ip, icmp) -> replies.add(icmp.type());
    h1.ipv6().addIcmpListener(l);
    assertEquals(SendResult.SENT, h1.ipv6().sendEcho(dst, null, 7, 1, hopLimit, Unpooled.wrappedBuffer(new byte[56])));
    lab.advance(2 * S);
    h1.ipv6().removeIcmpListener(l);
    return replies;
  }

  @Test
  void anEchoCrossesTheRouterWhichDecrementsTheHopLimitAndTheHostAsksOnlyForTheRouter() {
    lab.advance(3 * S);
    h1.clearRecords();
    r1.clearRecords();
    assertEquals(List.of(Icmpv6Packet.TYPE_ECHO_REPLY), ping(Ipv6Address.parse("2001:db8:5::100"), 64));
    IpEvent.RouteDecision d = h1.events(IpEvent.RouteDecision.class).get(0);
    assertFalse(d.direct());
    assertEquals("fe80::ff:fe00:500", d.nextHop());
    assertEquals("2001:db8:1::ff:fe00:100/64", d.ownAddress());
    List<Ipv6Event.Forwarded> fwd = r1.events(Ipv6Event.Forwarded.class);
    assertEquals(2, fwd.size(), "the request out eth1, the reply out eth0");
    assertEquals(List.of(64, 63), List.of(fwd.get(0).hopLimitBefore(), fwd.get(0).hopLimitAfter()));
    assertEquals("eth1", fwd.get(0).out());
    // h1 never solicits the far host, only its router (already known from the advertisement)
    assertTrue(h1.events(Ipv6Event.SolicitationSent.class).stream().noneMatch(e -> e.target().equals("2001:db8:5::100")));
    IpEvent.FrameSent frame = h1.events(IpEvent.FrameSent.class).stream()
        .filter(f -> f.packet().dst().equals("2001:db8:5::100")).findFirst().orElseThrow();
    assertEquals(6, frame.packet().version());
    assertEquals("02:00:00:00:05:00", frame.dstMac());
    assertEquals(128, frame.packet().icmp().type());
    // the router resolved h2 with a neighbour solicitation to h2's solicited-node group
    Ipv6Event.SolicitationSent ns = r1.events(Ipv6Event.SolicitationSent.class).stream()
        .filter(e -> e.target().equals("2001:db8:5::100")).findFirst().orElseThrow();
    assertEquals("ff02::1:ff00:100", ns.dst());
    assertEquals(NeighborState.REACHABLE, r1.ipv6().interfaceOf(r1.nic("eth1")).neighbors()
        .lookup(Ipv6Address.parse("2001:db8:5::100").hi(), Ipv6Address.parse("2001:db8:5::100").lo()).state());
    assertFalse(r1.events(ArpEvent.NeighborChanged.class).isEmpty());
  }

  @Test
  void theRouterSaysTimeExceededWhenTheHopLimitRunsOutAndUnreachableWhenNoRouteMatches() {
    lab.advance(3 * S);
    assertEquals(List.of(Icmpv6Packet.TYPE_TIME_EXCEEDED), ping(Ipv6Address.parse("2001:db8:5::100"), 1));
    Ipv6Event.ErrorSent te = r1.events(Ipv6Event.ErrorSent.class).get(0);
    assertEquals(Icmpv6Packet.TYPE_TIME_EXCEEDED, te.icmpType());
    assertEquals("2001:db8:1::ff:fe00:100", te.to());
    assertEquals(List.of(Icmpv6Packet.TYPE_DEST_UNREACHABLE), ping(Ipv6Address.parse("2001:db8:99::1"), 64));
  }

  @Test
  void aSecondNodeWithTheSameAddressFindsItADuplicate() {
    LabNode h3 = lab.host("h3");
    lab.connect(h3, "eth0", "02:00:00:00:09:00", null, sw1, "p3");
    h3.ipv6("eth0", false, "2001:db8:1::ff:fe00:100/64"); // what h1 will autoconfigure
    lab.advance(5 * S);
    h3.ipv6().start(); // h3 comes up after h1 holds the address
    lab.advance(3 * S);
    Ipv6InterfaceAddress dup = h3.ipv6().interfaces().get(0).find(Ipv6Address.parse("2001:db8:1::ff:fe00:100"));
    assertEquals(Ipv6InterfaceAddress.State.DUPLICATE, dup.state());
    assertEquals(1, h3.ipv6().counters().duplicateAddresses, h3.tracer().events().toString());
    assertTrue(h3.events(Ipv6Event.AddressChanged.class).stream()
        .anyMatch(e -> e.state() == Ipv6Event.AddressState.DUPLICATE));
    // h1 defended it: an advertisement to all nodes, and keeps using it
    assertEquals(Ipv6InterfaceAddress.State.PREFERRED, address(h1, Ipv6InterfaceAddress.Origin.SLAAC).state());
  }
}
