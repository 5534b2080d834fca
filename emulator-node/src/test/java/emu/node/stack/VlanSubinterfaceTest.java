package emu.node.stack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.wire.MacAddress;
import emu.node.config.DhcpConfig;
import emu.node.dhcp.DhcpClient;
import emu.node.dhcp.DhcpServer;
import emu.node.event.IpEvent;
import emu.node.testing.CapturedFrame;
import emu.node.testing.CommandRun;
import emu.node.testing.LabNode;
import emu.node.testing.PacketBuilder;
import emu.node.testing.Tap;
import emu.node.testing.VirtualLab;
import emu.node.wire.ArpPacket;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * VLAN subinterfaces on a router on a stick: r1's eth0 (192.168.0.1/24 untagged) carries
 * eth0.10 (10.10.0.1/24) and eth0.20 (10.20.0.1/24) to the test's tap; h2 sits behind r1's eth1.
 * Tagged frames reach the right subinterface with the tag removed, what a subinterface sends is
 * tagged with its VLAN (golden bytes), an unknown VLAN is dropped and counted, untagged frames
 * stay the parent's, and forwarding between a VLAN and a plain interface works. The lab's
 * tracking allocator fails a test that leaks a buffer (and emulator-node runs Netty's paranoid
 * leak detector).
 */
class VlanSubinterfaceTest {
  private static final long R1 = MacAddress.parse("02:00:00:00:01:01").bits();
  private static final long ME = PacketBuilder.STRANGER_MAC;
  private static final HexFormat HEX = HexFormat.of();

  private VirtualLab lab;
  private LabNode r1;
  private LabNode h2;
  private Tap wire;
  private List<CapturedFrame> startup;

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(23);
    r1 = lab.router("r1");
    h2 = lab.host("h2");
    wire = lab.tap(r1, "eth0", "02:00:00:00:01:01", "192.168.0.1/24");
    lab.connect(r1, "eth1", "02:00:00:00:01:02", "10.30.0.1/24", h2, "eth0", "02:00:00:00:02:01", "10.30.0.2/24",
        VirtualLab.DEFAULT_MTU);
    h2.defaultRoute("10.30.0.1");
    Nic eth0 = r1.nic("eth0");
    r1.stack().addVlan(eth0, "eth0.10", 10, Ipv4Cidr.parse("10.10.0.1/24"));
    r1.stack().addVlan(eth0, "eth0.20", 20, Ipv4Cidr.parse("10.20.0.1/24"));
    lab.start();
    lab.settle();
    startup = List.copyOf(wire.frames());
    wire.clear();
  }

  @AfterEach
  void tearDown() {
    lab.close(); // fails on any buffer still referenced
  }

  /** {@code frame} with an 802.1Q tag for {@code vid} (PCP 0) after its addresses, as a trunk carries it. */
  static byte[] tagged(byte[] frame, int vid) {
    byte[] out = new byte[frame.length + 4];
    System.arraycopy(frame, 0, out, 0, 12);
    out[12] = (byte) 0x81;
    out[14] = (byte) (vid >> 8);
    out[15] = (byte) vid;
    System.arraycopy(frame, 12, out, 16, frame.length - 12);
    return out;
  }

  @Test
  void arpOnVlan10IsAnsweredByTheSubinterfaceTaggedGoldenBytes() {
    wire.inject(tagged(PacketBuilder.arp(MacAddress.BROADCAST_BITS, ArpPacket.OP_REQUEST, ME, "10.10.0.60", 0,
        "10.10.0.1"), 10));
    lab.advance(VirtualLab.millis(1));
    assertEquals(1, wire.frames().size(), "one reply: " + wire.frames());
    // dst, src, TPID 0x8100, TCI (PCP 0, DEI 0, VID 10), ARP EtherType, then the ARP reply
    String golden = "020000009999" + "020000000101" + "8100" + "000a" + "0806"
        + "0001" + "0800" + "06" + "04" + "0002"
        + "020000000101" + "0a0a0001"    // sender: r1, 10.10.0.1
        + "020000009999" + "0a0a003c";   // target: the asker, 10.10.0.60
    byte[] sent = wire.frames().get(0).bytes();
    assertEquals(golden, HEX.formatHex(sent), "the whole frame: ARP's 28 bytes behind the tagged header");
    Nic sub = r1.nic("eth0.10");
    assertEquals(1, sub.rxFrames);
    assertEquals(2, sub.txFrames, "the gratuitous ARP at start, and the reply");
    assertEquals(1, sub.endpoint().counters().rxFrames);
    assertEquals(2, sub.endpoint().counters().txFrames);
    assertEquals(2 * 46, sub.endpoint().counters().txBytes, "as on the wire: 42 bytes and the tag");
    assertEquals(R1, sub.mac(), "a subinterface has its parent's MAC");
    assertEquals(1500, sub.mtu(), "and its MTU: the link carries the tag on top");
    assertEquals(ME, sub.neighbors().lookup(Ipv4Address.parse("10.10.0.60")).mac(), "learned on eth0.10");
    assertEquals(0, r1.nic("eth0").neighbors().size(), "not on the parent");
  }

  @Test
  void eachAddressIsAnnouncedOnItsOwnVlanAtStart() {
    assertEquals(3, startup.size(), startup.toString());
    assertEquals("0806", HEX.formatHex(startup.get(0).bytes(), 12, 14), "192.168.0.1 untagged");
    assertEquals("8100000a0806", HEX.formatHex(startup.get(1).bytes(), 12, 18), "10.10.0.1 on VLAN 10");
    assertEquals("810000140806", HEX.formatHex(startup.get(2).bytes(), 12, 18), "10.20.0.1 on VLAN 20");
    assertEquals("0a140001", HEX.formatHex(startup.get(2).bytes(), 32, 36));
  }

  @Test
  void echoOnVlan20IsAnsweredTaggedAndTheTracerSaysSo() {
    wire.inject(tagged(PacketBuilder.arp(MacAddress.BROADCAST_BITS, ArpPacket.OP_REQUEST, ME, "10.20.0.60", 0,
        "10.20.0.1"), 20));
    lab.advance(VirtualLab.millis(1));
    wire.clear();
    wire.inject(tagged(PacketBuilder.ipv4("10.20.0.60", "10.20.0.1").eth(R1, ME).icmpEcho(7, 1, 32).frame(), 20));
    lab.advance(VirtualLab.millis(1));
    CapturedFrame reply = wire.frames().get(0);
    byte[] b = reply.bytes();
    assertEquals("8100" + "0014" + "0800", HEX.formatHex(b, 12, 18), "tagged VLAN 20, IPv4 inside");
    CapturedFrame inner = untagged(reply);
    assertTrue(inner.isIpv4() && inner.icmp().type() == 0 && inner.icmp().checksumValid(), inner.toString());
    assertEquals(Ipv4Address.parse("10.20.0.1"), inner.ip().src());
    IpEvent.Received rx = r1.events(IpEvent.Received.class).stream().filter(e -> e.dev().equals("eth0.20"))
        .findFirst().orElseThrow();
    assertEquals(20, rx.vlan(), "the tag removed on the way in");
    IpEvent.FrameSent tx = r1.events(IpEvent.FrameSent.class).stream().filter(e -> e.dev().equals("eth0.20"))
        .findFirst().orElseThrow();
    assertEquals(20, tx.vlan(), "the tag added on the way out");
    assertEquals(b.length, tx.bytes(), "the frame's length on the wire, tag included");
  }

  @Test
  void unknownVlanIsDroppedAndCountedAndUntaggedStillReachesTheParent() {
    long[] before = r1.dropSnapshot();
    wire.inject(tagged(PacketBuilder.arp(MacAddress.BROADCAST_BITS, ArpPacket.OP_REQUEST, ME, "10.10.0.60", 0,
        "10.10.0.1"), 30));
    // a second tag inside VLAN 10's (QinQ): no subinterface of eth0.10 takes it
    wire.inject(tagged(tagged(PacketBuilder.ipv4("10.10.0.60", "10.10.0.1").eth(R1, ME).icmpEcho(7, 1, 8).frame(),
        99), 10));
    lab.advance(VirtualLab.millis(1));
    assertEquals(List.of(), wire.frames(), "nothing answered");
    assertEquals(2L, r1.dropsSince(before).get(DropReason.VLAN_UNKNOWN));
    assertEquals(1, r1.nic("eth0").rxDropped);
    assertEquals(1, r1.nic("eth0.10").rxDropped);

    wire.inject(PacketBuilder.arp(MacAddress.BROADCAST_BITS, ArpPacket.OP_REQUEST, ME, "192.168.0.60", 0,
        "192.168.0.1"));
    lab.advance(VirtualLab.millis(1));
    byte[] reply = wire.frames().get(0).bytes();
    assertEquals("0806", HEX.formatHex(reply, 12, 14), "the parent answers untagged");
    assertEquals(ME, r1.nic("eth0").neighbors().lookup(Ipv4Address.parse("192.168.0.60")).mac());
  }

  @Test
  void priorityTaggedFrameIsTheParents() {
    wire.inject(tagged(PacketBuilder.arp(MacAddress.BROADCAST_BITS, ArpPacket.OP_REQUEST, ME, "192.168.0.60", 0,
        "192.168.0.1"), 0));
    lab.advance(VirtualLab.millis(1));
    assertEquals("0806", HEX.formatHex(wire.frames().get(0).bytes(), 12, 14), "VID 0: no VLAN, answered untagged");
  }

  @Test
  void aVlanTagBehindAPriorityTagReachesItsSubinterface() {
    long[] before = r1.dropSnapshot();
    wire.inject(tagged(tagged(PacketBuilder.arp(MacAddress.BROADCAST_BITS, ArpPacket.OP_REQUEST, ME, "10.10.0.60", 0,
        "10.10.0.1"), 10), 0));
    lab.advance(VirtualLab.millis(1));
    assertEquals(1, wire.frames().size(), "answered: " + wire.frames());
    assertEquals("8100000a0806", HEX.formatHex(wire.frames().get(0).bytes(), 12, 18), "by eth0.10, tagged VLAN 10");
    assertEquals(1, r1.nic("eth0.10").rxFrames);
    assertEquals(1, r1.nic("eth0").rxFrames, "counted once on the parent, as it came off the wire");
    assertEquals(Map.of(), r1.dropsSince(before));
  }

  @Test
  void anInterfaceWithoutSubinterfacesTakesAPriorityTagOff() {
    try (VirtualLab l = new VirtualLab(25)) {
      LabNode h = l.host("h");
      Tap t = l.tap(h, "eth0", "02:00:00:00:0b:01", "192.168.5.1/24");
      l.start();
      l.settle();
      t.clear();
      long[] before = h.dropSnapshot();
      t.inject(tagged(PacketBuilder.arp(MacAddress.BROADCAST_BITS, ArpPacket.OP_REQUEST, ME, "192.168.5.60", 0,
          "192.168.5.1"), 0));
      // a priority tag in front of a VLAN tag: VLAN 10 has no subinterface here
      t.inject(tagged(tagged(PacketBuilder.arp(MacAddress.BROADCAST_BITS, ArpPacket.OP_REQUEST, ME, "192.168.5.61", 0,
          "192.168.5.1"), 10), 0));
      l.advance(VirtualLab.millis(1));
      assertEquals(1, t.frames().size(), "the priority-tagged request answered: " + t.frames());
      assertEquals("0806", HEX.formatHex(t.frames().get(0).bytes(), 12, 14), "untagged");
      assertEquals(Map.of(DropReason.VLAN_UNKNOWN, 1L), h.dropsSince(before));
      assertEquals(2, h.nic("eth0").rxFrames);
    } // the lab fails on a leaked buffer
  }

  @Test
  void theParentCountsItsSubinterfacesFramesBothWays() {
    Nic eth0 = r1.nic("eth0");
    assertEquals(startup.size(), eth0.txFrames, "its own announcement and each subinterface's");
    assertEquals(startup.stream().mapToLong(f -> f.bytes().length).sum(), eth0.txBytes, "as on the wire, tags too");
    wire.inject(tagged(PacketBuilder.arp(MacAddress.BROADCAST_BITS, ArpPacket.OP_REQUEST, ME, "10.20.0.60", 0,
        "10.20.0.1"), 20));
    lab.advance(VirtualLab.millis(1));
    assertEquals(1, eth0.rxFrames);
    assertEquals(46, eth0.rxBytes);
    assertEquals(startup.size() + 1, eth0.txFrames, "eth0.20's reply");
    assertEquals(2, r1.nic("eth0.20").txFrames);
  }

  @Test
  void routesBetweenAPlainInterfaceAndAVlan() {
    CommandRun ping = lab.launch(h2, "ping -c 1 10.10.0.60");
    lab.advance(VirtualLab.millis(5));
    // r1 asks for 10.10.0.60 on VLAN 10
    CapturedFrame ask = wire.frames().get(0);
    assertEquals("ffffffffffff020000000101" + "8100000a" + "0806", HEX.formatHex(ask.bytes(), 0, 18));
    wire.inject(tagged(PacketBuilder.arp(R1, ArpPacket.OP_REPLY, ME, "10.10.0.60", R1, "10.10.0.1"), 10));
    lab.advance(VirtualLab.millis(5));
    CapturedFrame request = wire.frames().get(1);
    assertEquals("020000009999020000000101" + "8100000a" + "0800", HEX.formatHex(request.bytes(), 0, 18));
    CapturedFrame inner = untagged(request);
    assertEquals(63, inner.ip().ttl(), "forwarded: TTL 64 - 1");
    assertEquals(8, inner.icmp().type());
    // the echo reply comes back tagged and is routed out of eth1, untagged
    byte[] echoReply = PacketBuilder.ipv4("10.10.0.60", "10.30.0.2").eth(R1, ME)
        .icmp(0, 0, inner.icmp().ident() << 16 | inner.icmp().seq(), new byte[inner.icmp().length() - 8]).frame();
    wire.inject(tagged(echoReply, 10));
    lab.await(ping);
    assertEquals(0, ping.exitCode(), ping.output());
    assertTrue(ping.output().contains("1 received"), ping.output());
    assertEquals(2, r1.counters().ipForwarded, "forwarded both ways");
  }

  @Test
  void aSubinterfaceHasItsParentsCarrier() {
    r1.stack().setLinkUp(r1.nic("eth0"), false);
    assertFalse(r1.nic("eth0.10").isUp());
    assertFalse(r1.nic("eth0.20").isUp());
    CommandRun link = lab.exec(r1, "ip link");
    assertTrue(link.output().contains("eth0.10@eth0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state"
        + " LOWERLAYERDOWN"), link.output());
    r1.stack().setLinkUp(r1.nic("eth0"), true);
    assertTrue(r1.nic("eth0.10").isUp());
    CommandRun addr = lab.exec(r1, "ip addr");
    assertTrue(addr.output().contains("eth0.20@eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500"), addr.output());
    assertTrue(addr.output().contains("    inet 10.20.0.1/24 brd 10.20.0.255 scope global eth0.20"), addr.output());
  }

  @Test
  void aVlanIsTakenOnceAndOnlyOnAPlainInterface() {
    Nic eth0 = r1.nic("eth0");
    assertEquals("eth0 already has a subinterface for VLAN 10", assertThrows(IllegalArgumentException.class,
        () -> r1.stack().addVlan(eth0, "vlan10", 10, null)).getMessage());
    assertEquals("VLAN 4095 of eth0.4095 is outside 1..4094", assertThrows(IllegalArgumentException.class,
        () -> r1.stack().addVlan(eth0, "eth0.4095", 4095, null)).getMessage());
    assertEquals("eth0.10.5: eth0.10 is itself a VLAN subinterface", assertThrows(IllegalArgumentException.class,
        () -> r1.stack().addVlan(r1.nic("eth0.10"), "eth0.10.5", 5, null)).getMessage());
  }

  @Test
  void aDhcpClientOnAVlanTakesALeaseFromAServerOnTheRoutersSubinterface() {
    try (VirtualLab l = new VirtualLab(24)) {
      LabNode router = l.router("gw");
      LabNode host = l.host("pc");
      // back to back: each eth0 has no address, only VLAN 30 on it
      l.connect(router, "eth0", "02:00:00:00:0a:01", null, host, "eth0", "02:00:00:00:0a:02", null,
          VirtualLab.DEFAULT_MTU);
      Nic served = router.stack().addVlan(router.nic("eth0"), "eth0.30", 30, Ipv4Cidr.parse("10.3.0.1/24"));
      Nic leasing = host.stack().addVlan(host.nic("eth0"), "eth0.30", 30, null);
      DhcpServer server = new DhcpServer(router.stack(), router.tracer());
      server.serve(served, new DhcpConfig("10.3.0.100", "10.3.0.101", 3600, "10.3.0.1", List.of(), null, null));
      DhcpClient client = new DhcpClient(host.stack(), host.tracer(), "pc", (nic, servers) -> { });
      l.start();
      client.add(leasing);
      assertTrue(l.runUntil(client::allBound, VirtualLab.seconds(10)), "no lease on VLAN 30");
      assertEquals("10.3.0.100/24", leasing.address().toString());
      assertEquals(null, host.nic("eth0").address(), "the parent took nothing");
      // every DHCP frame crossed tagged: the parent's own counters saw no untagged frame handed up
      assertEquals(0, host.nic("eth0").rxFrames - leasing.endpoint().counters().rxFrames);
      client.stop();
    }
  }

  /** The frame as the subinterface saw it: the tag taken out. */
  private static CapturedFrame untagged(CapturedFrame f) {
    byte[] b = f.bytes();
    byte[] out = new byte[b.length - 4];
    System.arraycopy(b, 0, out, 0, 12);
    System.arraycopy(b, 16, out, 12, b.length - 16);
    return new CapturedFrame(f.atNanos(), f.where(), f.direction(), out);
  }
}
