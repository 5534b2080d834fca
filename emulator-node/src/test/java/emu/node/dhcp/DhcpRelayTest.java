package emu.node.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.node.apps.diag.DhcpCommand;
import emu.node.config.DhcpConfig;
import emu.node.event.DhcpEvent;
import emu.node.stack.Route;
import emu.node.testing.CapturedFrame;
import emu.node.testing.CommandRun;
import emu.node.testing.LabNode;
import emu.node.testing.LabSwitch;
import emu.node.testing.PacketBuilder;
import emu.node.testing.Tap;
import emu.node.testing.VirtualLab;
import emu.node.wire.DhcpMessage;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The relay agent on a router between emu's DHCP client and a server in another subnet, on
 * virtual time: the lease through the relay (the relayed scope's address, gateway and DNS), the
 * renewal at T1 unicast to the server directly (routed both ways, the relay not involved), the
 * hops limit, option 82 added, echoed and taken out again, and what is dropped and counted: a
 * reply for an unknown giaddr or with another circuit-id, a client's forged option 82, a request
 * relayed from a subnet no scope covers (the server stays silent), malformed messages.
 *
 * <pre>
 *   client --- sw1 --- r1 eth0 192.168.1.1 | r1 eth1 192.168.5.1 --- sw2 --- dhcpsrv 192.168.5.53
 *              (tap)                                                 (tap)
 * </pre>
 */
class DhcpRelayTest {
  private static final int DHCP_AT = EthernetFrame.HEADER_LEN + Ipv4Packet.MIN_HEADER_LEN + UdpDatagram.HEADER_LEN;
  private static final DhcpConfig RELAYED = new DhcpConfig("192.168.1.100", "192.168.1.101", 3600, "192.168.1.1",
      List.of("192.168.5.53"), "corp.com", null, "192.168.1.0/24", null, null, null);
  private static final DhcpConfig SERVER = new DhcpConfig(null, null, 0, null, null, null, null)
      .withRelayed(List.of(RELAYED));

  private VirtualLab lab;
  private LabNode client;
  private LabNode r1;
  private LabNode srv;
  private Tap lan;
  private Tap servers;
  private DhcpServer server;
  private DhcpRelay relay;
  private DhcpClient dhcp;

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(5);
    LabSwitch sw1 = lab.bridge("sw1");
    LabSwitch sw2 = lab.bridge("sw2");
    client = lab.host("client");
    r1 = lab.router("r1");
    srv = lab.host("dhcpsrv");
    lab.connect(client, "eth0", "02:00:00:00:00:64", null, sw1, "p1");
    lab.connect(r1, "eth0", "02:00:00:00:01:00", "192.168.1.1/24", sw1, "p2");
    lab.connect(r1, "eth1", "02:00:00:00:01:01", "192.168.5.1/24", sw2, "p1");
    lab.connect(srv, "eth0", "02:00:00:00:00:35", "192.168.5.53/24", sw2, "p2");
    lan = lab.tap(sw1, "p9");
    servers = lab.tap(sw2, "p9");
    srv.defaultRoute("192.168.5.1");
    server = new DhcpServer(srv.stack(), srv.tracer());
    dhcp = new DhcpClient(client.stack(), client.tracer(), "client", (nic, dns) -> { });
  }

  @AfterEach
  void tearDown() {
    dhcp.stop(); // RELEASE, routed through r1 (as a node's stop does), before the lab's wires close
    lab.settle();
    lab.close();
  }

  private void start(boolean option82) {
    server.serve(srv.nic("eth0"), SERVER);
    relay = new DhcpRelay(r1.stack(), r1.tracer(), null);
    relay.relay(r1.nic("eth0"), List.of("192.168.5.53"), option82);
    lab.start();
  }

  private void leased(boolean option82) {
    start(option82);
    dhcp.add(client.nic("eth0"));
    lab.runUntil(dhcp::allBound, VirtualLab.seconds(10));
    assertTrue(dhcp.allBound());
  }

  private <T> T last(LabNode n, Class<T> type) {
    @SuppressWarnings("unchecked")
    List<T> all = (List<T>) n.events((Class) type);
    return all.get(all.size() - 1);
  }

  @Test
  void theClientLeasesTheRelayedScopesAddressAndRenewsWithTheServerDirectly() {
    leased(false);
    assertEquals(Ipv4Cidr.parse("192.168.1.100/24"), client.nic("eth0").address());
    Route def = client.stack().routes().routes().stream().filter(r -> r.prefix().prefixLength() == 0).findFirst()
        .orElseThrow();
    assertEquals(Ipv4Address.parse("192.168.1.1"), def.gateway());
    assertEquals(new DhcpEvent.ClientBound("eth0", "192.168.1.100/24", "192.168.5.53", "192.168.1.1",
        List.of("192.168.5.53"), 3600, 1800, 3150, false), client.events(DhcpEvent.ClientBound.class).get(0));

    List<DhcpEvent.Relayed> up = r1.events(DhcpEvent.Relayed.class);
    assertEquals(List.of("DISCOVER", "REQUEST"), up.stream().map(DhcpEvent.Relayed::message).toList());
    DhcpEvent.Relayed discover = up.get(0);
    assertEquals("192.168.1.1", discover.giaddr());
    assertTrue(discover.giaddrSet());
    assertEquals(1, discover.hops());
    assertEquals("192.168.5.1", discover.src(), "from the router's address towards the server");
    assertEquals("192.168.5.53", discover.server());
    assertNull(discover.circuitId());
    List<DhcpEvent.RelayedReply> down = r1.events(DhcpEvent.RelayedReply.class);
    assertEquals(List.of("OFFER", "ACK"), down.stream().map(DhcpEvent.RelayedReply::message).toList());
    assertTrue(down.get(0).broadcast(), "emu's client sets the BROADCAST flag");
    assertEquals("192.168.5.53", down.get(0).server());

    DhcpEvent.Received heard = srv.events(DhcpEvent.Received.class).get(0);
    assertEquals("192.168.1.1", heard.relay());
    assertEquals("192.168.5.1", heard.src());
    DhcpEvent.Offered offer = srv.events(DhcpEvent.Offered.class).get(0);
    assertEquals("192.168.1.1", offer.relay());
    assertEquals("192.168.1.1", offer.to());
    assertEquals(1, server.leases().size());
    assertEquals(2, relay.counters().requestsRelayed);
    assertEquals(2, relay.counters().repliesRelayed);
    // on r1's shell: dhcp stats gives the relay's counters; it has no leases to show
    CommandRun stats = new CommandRun("r1", "dhcp stats");
    new DhcpCommand(null, null, relay).run(List.of("stats"), stats);
    assertTrue(stats.lines().contains("relay_requests_relayed 2"), stats.output());
    assertTrue(stats.lines().contains("relay_replies_relayed 2"), stats.output());
    CommandRun leases = new CommandRun("r1", "dhcp leases");
    new DhcpCommand(null, null, relay).run(List.of("leases"), leases);
    assertEquals(1, leases.exitCode());

    // the address works across the router
    lab.exec(client, "ping -c 1 192.168.5.53").assertExit(0);

    // T1: the REQUEST goes unicast to the server, routed, and the ACK comes back to ciaddr routed
    long toT1 = dhcp.renewsNanos(client.nic("eth0")) - lab.now();
    lab.advance(toT1 + VirtualLab.seconds(1));
    DhcpEvent.ClientSent renewal = last(client, DhcpEvent.ClientSent.class);
    assertEquals("renewing", renewal.state());
    assertEquals("192.168.1.100", renewal.src());
    assertEquals("192.168.5.53", renewal.dst());
    assertTrue(last(client, DhcpEvent.ClientBound.class).renewed());
    DhcpEvent.Acked ack = last(srv, DhcpEvent.Acked.class);
    assertTrue(ack.extended());
    assertNull(ack.relay());
    assertEquals("192.168.1.100", ack.to());
    assertEquals(2, relay.counters().requestsRelayed, "the renewal does not pass the relay agent");
    assertEquals(DhcpClient.State.BOUND, dhcp.state(client.nic("eth0")));
  }

  @Test
  void option82GoesUpIsEchoedAndIsTakenOutBeforeTheClient() {
    leased(true);
    assertEquals(Ipv4Cidr.parse("192.168.1.100/24"), client.nic("eth0").address());
    assertEquals("eth0", r1.events(DhcpEvent.Relayed.class).get(0).circuitId());
    assertTrue(r1.events(DhcpEvent.RelayedReply.class).stream().allMatch(DhcpEvent.RelayedReply::stripped));
    // what the server received carries it; its answers echo it; what the client received has none
    List<CapturedFrame> toServer = srv.received("eth0").stream().filter(CapturedFrame::isUdp)
        .filter(f -> f.udp().dstPort() == 67).toList();
    assertFalse(toServer.isEmpty());
    DhcpMessage m = parse(toServer.get(0));
    assertEquals(circuit("eth0"), option82(m));
    List<CapturedFrame> answers = srv.sent("eth0").stream().filter(CapturedFrame::isUdp)
        .filter(f -> f.udp().srcPort() == 67 && f.udp().dstPort() == 67).toList();
    assertFalse(answers.isEmpty());
    for (CapturedFrame f : answers) {
      assertEquals(circuit("eth0"), option82(parse(f)), "the server echoes option 82");
    }
    List<CapturedFrame> toClient = client.received("eth0").stream().filter(CapturedFrame::isUdp)
        .filter(f -> f.udp().dstPort() == 68).toList();
    assertEquals(2, toClient.size());
    for (CapturedFrame f : toClient) {
      assertTrue(f.udp().checksumValid());
      assertFalse(parse(f).has(DhcpMessage.OPT_RELAY_AGENT), "taken out before the client");
    }
  }

  @Test
  void aRequestWithTooManyHopsIsDroppedAndCounted() {
    start(false);
    lab.settle();
    discoverFromLan(16, 0, null);
    assertEquals(1, relay.counters().requestsRelayed, "16 hops: still relayed");
    assertEquals(17, last(r1, DhcpEvent.Relayed.class).hops());
    discoverFromLan(17, 0, null);
    assertEquals(1, relay.counters().requestsRelayed);
    assertEquals(1, relay.counters().dropped(DhcpRelayCounters.Reason.TOO_MANY_HOPS));
    assertEquals("too_many_hops", last(r1, DhcpEvent.RelayDropped.class).reason());
  }

  @Test
  void anEarlierRelaysGiaddrIsLeftAlone() {
    start(false);
    lab.settle();
    discoverFromLan(1, Ipv4Address.parse("192.168.1.7"), null);
    DhcpEvent.Relayed e = last(r1, DhcpEvent.Relayed.class);
    assertEquals("192.168.1.7", e.giaddr());
    assertFalse(e.giaddrSet());
    assertEquals(2, e.hops());
    // the server serves the scope that holds that giaddr, and answers it there
    assertEquals("192.168.1.7", last(srv, DhcpEvent.Offered.class).relay());
  }

  @Test
  void aClientsOwnOption82IsDroppedWhereTheRelayAddsOne() {
    start(true);
    lab.settle();
    discoverFromLan(0, 0, new byte[] {1, 1, 'x'});
    assertEquals(0, relay.counters().requestsRelayed);
    assertEquals(1, relay.counters().dropped(DhcpRelayCounters.Reason.AGENT_INFO_FROM_CLIENT));
  }

  @Test
  void theServerIsSilentToAGiaddrNoScopeCovers() {
    start(false);
    lab.settle();
    byte[] dhcpMsg = message(DhcpMessage.OP_REQUEST, DhcpMessage.DISCOVER, 3, Ipv4Address.parse("10.9.9.1"), 0, null);
    servers.clear();
    servers.inject(PacketBuilder.ipv4("192.168.5.1", "192.168.5.53").eth(srv.mac("eth0"), r1.mac("eth1"))
        .udp(67, 67, dhcpMsg).frame());
    lab.settle();
    assertEquals(1, server.counters().dropped(DhcpServerCounters.Reason.UNKNOWN_GIADDR));
    assertTrue(servers.frames().stream().noneMatch(f -> f.isUdp() && f.srcMac() == srv.mac("eth0")), "silence");
  }

  @Test
  void repliesNotForThisRelayAreDroppedAndCounted() {
    start(true);
    lab.settle();
    // a reply for a giaddr that is none of r1's relay interfaces
    replyFromServer(Ipv4Address.parse("192.168.9.1"), null);
    assertEquals(1, relay.counters().dropped(DhcpRelayCounters.Reason.UNKNOWN_GIADDR));
    // a reply carrying another circuit-id than the one r1 adds on eth0
    replyFromServer(Ipv4Address.parse("192.168.1.1"), new byte[] {1, 4, 'e', 't', 'h', '9'});
    assertEquals(1, relay.counters().dropped(DhcpRelayCounters.Reason.AGENT_INFO_MISMATCH));
    assertEquals(0, relay.counters().repliesRelayed);
    // a reply with r1's own circuit-id passes, broadcast (yiaddr 0 here)
    lan.clear();
    replyFromServer(Ipv4Address.parse("192.168.1.1"), new byte[] {1, 4, 'e', 't', 'h', '0'});
    assertEquals(1, relay.counters().repliesRelayed);
    assertTrue(lan.frames().stream().anyMatch(f -> f.isUdp() && f.udp().dstPort() == 68
        && f.dstMac() == MacAddress.BROADCAST_BITS));
    // garbage to port 67: counted, no crash
    byte[] junk = new byte[100];
    servers.inject(PacketBuilder.ipv4("192.168.5.53", "192.168.1.1").eth(r1.mac("eth1"), srv.mac("eth0"))
        .udp(67, 67, junk).frame());
    lab.settle();
    assertEquals(1, relay.counters().malformed(DhcpMessage.Check.TRUNCATED));
  }

  @Test
  void aNodeThatRelaysAndServesHandsTheServerItsOwnRequests() {
    // r1 serves its server-side subnet itself and relays its LAN to dhcpsrv
    DhcpServer own = new DhcpServer(r1.stack(), r1.tracer());
    own.serve(r1.nic("eth1"), new DhcpConfig("192.168.5.200", "192.168.5.201", 3600, null, null, null, null));
    server.serve(srv.nic("eth0"), SERVER);
    relay = new DhcpRelay(r1.stack(), r1.tracer(), own);
    relay.relay(r1.nic("eth0"), List.of("192.168.5.53"), false);
    lab.start();
    dhcp.add(client.nic("eth0"));
    lab.runUntil(dhcp::allBound, VirtualLab.seconds(10));
    assertEquals(Ipv4Cidr.parse("192.168.1.100/24"), client.nic("eth0").address(), "the LAN relayed to dhcpsrv");
    assertEquals(0, own.counters().offers, "r1's own server did not answer the LAN");
    // a client on the server side asks r1's own server (a broadcast on eth1), which answers
    servers.clear();
    byte[] d = message(DhcpMessage.OP_REQUEST, DhcpMessage.DISCOVER, 9, 0, 0, null);
    servers.inject(PacketBuilder.ipv4("0.0.0.0", "255.255.255.255").eth(MacAddress.BROADCAST_BITS, 0x02_00_00_00_00_77L)
        .udp(68, 67, d).frame());
    lab.settle();
    assertEquals(1, own.counters().offers);
    assertEquals(1, server.counters().received(DhcpMessage.DISCOVER), "dhcpsrv heard the LAN's DISCOVER only");
  }

  @Test
  void aNakGoesToTheRelayWithTheBroadcastFlagAndReachesTheClientAsABroadcast() {
    start(false);
    lab.settle();
    // INIT-REBOOT for an address off the relayed subnet: "wrong network"
    ByteBuf b = Unpooled.buffer();
    new DhcpMessage.Writer().begin(b, DhcpMessage.OP_REQUEST, 11, 0, 0, 0, 0, 0, 0, 0x02_00_00_00_00_66L)
        .optionByte(DhcpMessage.OPT_MESSAGE_TYPE, DhcpMessage.REQUEST)
        .optionInt(DhcpMessage.OPT_REQUESTED_IP, Ipv4Address.parse("10.0.0.5")).finish();
    byte[] req = new byte[b.readableBytes()];
    b.readBytes(req);
    lan.clear();
    lan.inject(PacketBuilder.ipv4("0.0.0.0", "255.255.255.255").eth(MacAddress.BROADCAST_BITS, 0x02_00_00_00_00_66L)
        .udp(68, 67, req).frame());
    lab.settle();
    DhcpEvent.Naked nak = last(srv, DhcpEvent.Naked.class);
    assertEquals("wrong network", nak.reason());
    assertEquals("192.168.1.1", nak.relay());
    DhcpEvent.RelayedReply passed = last(r1, DhcpEvent.RelayedReply.class);
    assertEquals("NAK", passed.message());
    assertTrue(passed.broadcast(), "RFC 2131 4.1: the server sets the BROADCAST flag in a relayed NAK");
    assertTrue(lan.frames().stream().anyMatch(f -> f.isUdp() && f.udp().dstPort() == 68
        && f.dstMac() == MacAddress.BROADCAST_BITS));
  }

  /** Mutations of requests on the LAN and replies from the server side: counted, never thrown, nothing leaked. */
  @Test
  void mutatedMessagesNeverBreakTheRelay() {
    start(true);
    lab.settle();
    byte[] request = message(DhcpMessage.OP_REQUEST, DhcpMessage.DISCOVER, 1, 0, 0, null);
    byte[] reply = message(DhcpMessage.OP_REPLY, DhcpMessage.OFFER, 2, Ipv4Address.parse("192.168.1.1"), 0,
        circuitBytes("eth0"));
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(1542);
    for (int i = 0; i < 2000; i++) {
      boolean up = rnd.nextBoolean();
      byte[] m = (up ? request : reply).clone();
      int edits = 1 + rnd.nextInt(4);
      for (int e = 0; e < edits; e++) {
        int at = rnd.nextBoolean() ? DhcpMessage.OPTIONS + rnd.nextInt(Math.min(40, m.length - DhcpMessage.OPTIONS))
            : rnd.nextInt(m.length);
        m[at] = (byte) rnd.nextInt(256);
      }
      if (rnd.nextInt(8) == 0) {
        m = java.util.Arrays.copyOf(m, rnd.nextInt(m.length + 1));
      }
      byte[] msg = m;
      org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> {
        if (up) {
          lan.inject(PacketBuilder.ipv4("0.0.0.0", "255.255.255.255").eth(MacAddress.BROADCAST_BITS,
              0x02_00_00_00_00_66L).udp(68, 67, msg).frame());
        } else {
          servers.inject(PacketBuilder.ipv4("192.168.5.53", "192.168.1.1").eth(r1.mac("eth1"), srv.mac("eth0"))
              .udp(67, 67, msg).frame());
        }
        lab.settle();
      });
    }
    lan.clear();
    servers.clear();
    lab.advance(VirtualLab.seconds(120));
    dhcp.add(client.nic("eth0"));
    lab.runUntil(dhcp::allBound, VirtualLab.seconds(30));
    assertTrue(dhcp.allBound(), "still relaying");
    lab.settle(); // the gratuitous ARP of the address bound is still on the wire
    lab.assertNoLeaks();
  }

  // ---- helpers ---------------------------------------------------------------------------

  private static byte[] circuitBytes(String id) {
    byte[] out = new byte[2 + id.length()];
    out[0] = DhcpMessage.AGENT_CIRCUIT_ID;
    out[1] = (byte) id.length();
    System.arraycopy(id.getBytes(StandardCharsets.US_ASCII), 0, out, 2, id.length());
    return out;
  }

  private static byte[] message(int op, int type, int xid, int giaddr, int hops, byte[] agentInfo) {
    ByteBuf b = Unpooled.buffer();
    DhcpMessage.Writer w = new DhcpMessage.Writer().begin(b, op, xid, 0, DhcpMessage.FLAG_BROADCAST, 0, 0, 0, giaddr,
        0x02_00_00_00_00_66L).optionByte(DhcpMessage.OPT_MESSAGE_TYPE, type);
    if (agentInfo != null) {
      w.optionBytes(DhcpMessage.OPT_RELAY_AGENT, agentInfo);
    }
    w.finish();
    b.setByte(DhcpMessage.HOPS, hops);
    byte[] bytes = new byte[b.readableBytes()];
    b.readBytes(bytes);
    return bytes;
  }

  private void discoverFromLan(int hops, int giaddr, byte[] agentInfo) {
    byte[] d = message(DhcpMessage.OP_REQUEST, DhcpMessage.DISCOVER, 7, giaddr, hops, agentInfo);
    lan.inject(PacketBuilder.ipv4("0.0.0.0", "255.255.255.255").eth(MacAddress.BROADCAST_BITS, 0x02_00_00_00_00_66L)
        .udp(68, 67, d).frame());
    lab.settle();
  }

  private void replyFromServer(int giaddr, byte[] agentInfo) {
    byte[] r = message(DhcpMessage.OP_REPLY, DhcpMessage.ACK, 8, giaddr, 0, agentInfo);
    servers.inject(PacketBuilder.ipv4("192.168.5.53", "192.168.5.1").eth(r1.mac("eth1"), srv.mac("eth0"))
        .udp(67, 67, r).frame());
    lab.settle();
  }

  private static DhcpMessage parse(CapturedFrame f) {
    byte[] b = f.bytes();
    DhcpMessage m = new DhcpMessage();
    assertEquals(DhcpMessage.Check.OK, m.wrap(Unpooled.wrappedBuffer(b), DHCP_AT, b.length - DHCP_AT).check());
    return m;
  }

  private static List<Integer> option82(DhcpMessage m) {
    int at = m.optionIndex(DhcpMessage.OPT_RELAY_AGENT);
    assertTrue(at >= 0, "option 82 present");
    List<Integer> out = new java.util.ArrayList<>();
    for (int k = 0; k < m.optionLength(DhcpMessage.OPT_RELAY_AGENT); k++) {
      out.add((int) m.buffer().getUnsignedByte(at + k));
    }
    return out;
  }

  /** Option 82 holding sub-option 1, the circuit-id {@code id}, as unsigned bytes. */
  private static List<Integer> circuit(String id) {
    List<Integer> out = new java.util.ArrayList<>(List.of(DhcpMessage.AGENT_CIRCUIT_ID, id.length()));
    for (byte b : id.getBytes(StandardCharsets.US_ASCII)) {
      out.add((int) b);
    }
    return out;
  }
}
