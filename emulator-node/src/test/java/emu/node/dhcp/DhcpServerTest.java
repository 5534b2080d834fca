package emu.node.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.time.VirtualTime;
import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.node.config.DhcpConfig;
import emu.node.event.DhcpEvent;
import emu.node.testing.CapturedFrame;
import emu.node.testing.LabNode;
import emu.node.testing.PacketBuilder;
import emu.node.testing.Tap;
import emu.node.testing.VirtualLab;
import emu.node.wire.DhcpMessage;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DHCP server on virtual time, asked through a tap that plays the client byte by byte:
 * DISCOVER/OFFER/REQUEST/ACK with the options asked for, renewal, NAK, DECLINE, RELEASE, static
 * bindings, expiry, the replies' addressing per RFC 2131 4.1, pool exhaustion under a flood of
 * random MACs, and malformed messages counted by reason.
 */
class DhcpServerTest {
  private static final int DHCP_AT = EthernetFrame.HEADER_LEN + Ipv4Packet.MIN_HEADER_LEN + UdpDatagram.HEADER_LEN;
  private static final long CLIENT = 0x02_00_00_00_00_64L;
  private static final long OTHER = 0x02_00_00_00_00_65L;
  private static final int SERVER = Ipv4Address.parse("192.168.1.2");
  private static final int CLIENT_IP = Ipv4Address.parse("192.168.1.100");

  private VirtualLab lab;
  private LabNode srv;
  private Tap tap;
  private DhcpServer server;

  @BeforeEach
  void setUp() {
    boot(0, null);
  }

  /**
   * The server's node started (again, after {@link #lab} is closed: a restart) on a fresh lab
   * whose clock is {@code atNanos} on, with the lease file {@code leases} read back if not null.
   */
  private void boot(long atNanos, Path leases) {
    lab = new VirtualLab(7);
    srv = lab.host("dhcpsrv");
    tap = lab.tap(srv, "eth0", "02:00:00:00:00:02", "192.168.1.2/24");
    lab.advance(atNanos);
    server = new DhcpServer(srv.stack(), srv.tracer());
    server.serve(srv.nic("eth0"), new DhcpConfig("192.168.1.100", "192.168.1.103", 3600, "192.168.1.1",
        List.of("192.168.1.53"), "corp.com", Map.of("02:00:00:00:00:77", "192.168.1.150")));
    if (leases != null) {
      server.restore(leases);
    }
    lab.start();
    lab.settle();
    tap.clear();
  }

  /** The server's node killed (no goodbye) and started again {@code laterNanos} on, reading {@code leases}. */
  private void restart(long laterNanos, Path leases) {
    long at = lab.now() + laterNanos;
    lab.close();
    boot(at, leases);
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  /** A client message from 0.0.0.0:68 (or ciaddr) to 255.255.255.255:67. */
  private static byte[] message(int type, long mac, int xid, int flags, int ciaddr, int requested, int serverId,
                                byte[] params) {
    ByteBuf b = Unpooled.buffer();
    DhcpMessage.Writer w = new DhcpMessage.Writer().begin(b, DhcpMessage.OP_REQUEST, xid, 0, flags, ciaddr, 0, 0, 0,
        mac).optionByte(DhcpMessage.OPT_MESSAGE_TYPE, type);
    if (requested != 0) {
      w.optionInt(DhcpMessage.OPT_REQUESTED_IP, requested);
    }
    if (serverId != 0) {
      w.optionInt(DhcpMessage.OPT_SERVER_ID, serverId);
    }
    if (params != null) {
      w.optionBytes(DhcpMessage.OPT_PARAMETER_LIST, params);
    }
    w.optionText(DhcpMessage.OPT_HOSTNAME, "client");
    w.finish();
    byte[] bytes = new byte[b.readableBytes()];
    b.readBytes(bytes);
    return bytes;
  }

  private void send(byte[] dhcp, long mac, int ciaddr) {
    String src = Ipv4Address.format(ciaddr);
    tap.inject(PacketBuilder.ipv4(src, ciaddr == 0 ? "255.255.255.255" : "192.168.1.2")
        .eth(ciaddr == 0 ? MacAddress.BROADCAST_BITS : srv.mac("eth0"), mac).udp(68, 67, dhcp).frame());
    lab.settle();
  }

  /** The DHCP replies the server sent since the last call. */
  private List<CapturedFrame> replies() {
    List<CapturedFrame> out = tap.frames().stream().filter(CapturedFrame::isUdp)
        .filter(f -> f.udp().srcPort() == 67).toList();
    tap.clear();
    return out;
  }

  private static DhcpMessage parse(CapturedFrame f) {
    byte[] b = f.bytes();
    DhcpMessage m = new DhcpMessage();
    assertEquals(DhcpMessage.Check.OK, m.wrap(Unpooled.wrappedBuffer(b), DHCP_AT, b.length - DHCP_AT).check());
    return m;
  }

  private DhcpMessage only() {
    List<CapturedFrame> r = replies();
    assertEquals(1, r.size(), () -> "one reply, got " + r);
    assertTrue(r.get(0).udp().checksumValid());
    return parse(r.get(0));
  }

  private int lease(long mac, int xid) {
    send(message(DhcpMessage.DISCOVER, mac, xid, DhcpMessage.FLAG_BROADCAST, 0, 0, 0, null), mac, 0);
    int offered = only().yiaddr();
    send(message(DhcpMessage.REQUEST, mac, xid, DhcpMessage.FLAG_BROADCAST, 0, offered, SERVER, null), mac, 0);
    DhcpMessage ack = only();
    assertEquals(DhcpMessage.ACK, ack.messageType());
    return ack.yiaddr();
  }

  @Test
  void discoverOfferRequestAckWithTheOptionsAskedFor() {
    byte[] params = {1, 3, 6, 15, 51};
    send(message(DhcpMessage.DISCOVER, CLIENT, 0x1234, DhcpMessage.FLAG_BROADCAST, 0, 0, 0, params), CLIENT, 0);
    List<CapturedFrame> r = replies();
    assertEquals(1, r.size());
    CapturedFrame f = r.get(0);
    assertEquals(MacAddress.BROADCAST_BITS, f.dstMac(), "BROADCAST flag: Ethernet broadcast");
    assertEquals(Ipv4Address.BROADCAST, f.ip().dst());
    assertEquals(SERVER, f.ip().src());
    assertEquals(68, f.udp().dstPort());
    DhcpMessage offer = parse(f);
    assertEquals(DhcpMessage.OFFER, offer.messageType());
    assertEquals(0x1234, offer.xid());
    assertEquals(CLIENT, offer.chaddr());
    assertEquals(Ipv4Address.parse("192.168.1.100"), offer.yiaddr());
    assertEquals(SERVER, offer.optionInt(DhcpMessage.OPT_SERVER_ID, 0));
    assertEquals(3600, offer.optionInt(DhcpMessage.OPT_LEASE_TIME, 0));
    assertEquals(1800, offer.optionInt(DhcpMessage.OPT_RENEWAL_TIME, 0));
    assertEquals(3150, offer.optionInt(DhcpMessage.OPT_REBINDING_TIME, 0));
    assertEquals(0xFFFFFF00, offer.optionInt(DhcpMessage.OPT_SUBNET_MASK, 0));
    assertEquals(Ipv4Address.parse("192.168.1.1"), offer.optionInt(DhcpMessage.OPT_ROUTER, 0));
    assertEquals(Ipv4Address.parse("192.168.1.53"), offer.optionInt(DhcpMessage.OPT_DNS, 0));
    assertEquals("corp.com", offer.optionText(DhcpMessage.OPT_DOMAIN));
    assertFalse(offer.has(DhcpMessage.OPT_BROADCAST), "28 was not asked for");
    assertFalse(offer.has(DhcpMessage.OPT_HOSTNAME), "12 was not asked for");

    send(message(DhcpMessage.REQUEST, CLIENT, 0x1234, DhcpMessage.FLAG_BROADCAST, 0, offer.yiaddr(), SERVER, params),
        CLIENT, 0);
    DhcpMessage ack = only();
    assertEquals(DhcpMessage.ACK, ack.messageType());
    assertEquals(offer.yiaddr(), ack.yiaddr());
    List<DhcpServer.Lease> leases = server.leases();
    assertEquals(1, leases.size());
    assertTrue(leases.get(0).bound());
    assertEquals("client", leases.get(0).hostname());
    assertEquals(lab.now() + VirtualLab.seconds(3600), leases.get(0).expiresNanos(), 1_000_000_000L);
    List<DhcpEvent.Offered> offers = srv.events(DhcpEvent.Offered.class);
    assertEquals(List.of(new DhcpEvent.Offered("02:00:00:00:00:64", "192.168.1.100", 3600, "192.168.1.1",
        List.of("192.168.1.53"), "255.255.255.255", true)), offers);
    assertEquals(1, srv.events(DhcpEvent.Acked.class).size());
    assertEquals("DISCOVER", srv.events(DhcpEvent.Received.class).get(0).message());
    assertEquals("0.0.0.0", srv.events(DhcpEvent.Received.class).get(0).src());
  }

  @Test
  void dhcpLeasesPrintsAHostnameWithControlCharactersOnOneSafeLine() {
    ByteBuf b = Unpooled.buffer();
    new DhcpMessage.Writer().begin(b, DhcpMessage.OP_REQUEST, 1, 0, DhcpMessage.FLAG_BROADCAST, 0, 0, 0, 0, CLIENT)
        .optionByte(DhcpMessage.OPT_MESSAGE_TYPE, DhcpMessage.DISCOVER)
        .optionText(DhcpMessage.OPT_HOSTNAME, "evil\n1 02:00:00:00:00:01 10.0.0.1 x *\u001b[2J\r").finish();
    byte[] m = new byte[b.readableBytes()];
    b.readBytes(m);
    send(m, CLIENT, 0);
    emu.node.testing.CommandRun run = new emu.node.testing.CommandRun("dhcpsrv", "dhcp leases");
    new emu.node.apps.diag.DhcpCommand(server).run(List.of("leases"), run);
    List<String> lines = run.output().lines().toList();
    assertEquals(1, lines.size(), run.output());
    assertTrue(lines.get(0).contains(" evil_1_02:00:00:00:00:01_10.0.0.1_x_*_[2J_ "), lines.get(0));
    assertTrue(lines.get(0).chars().allMatch(c -> c >= ' ' && c < 0x7F), lines.get(0));
  }

  @Test
  void dhcpHelpSaysItsUsage() {
    emu.node.testing.CommandRun run = new emu.node.testing.CommandRun("dhcpsrv", "dhcp --help");
    new emu.node.apps.diag.DhcpCommand(server).run(List.of("--help"), run);
    assertEquals(0, run.exitCode());
    assertTrue(run.output().startsWith("usage: dhcp leases|stats"), run.output());
  }

  @Test
  void optionSixCarriesAtMost63Nameservers() {
    server.serve(srv.nic("eth0"), new DhcpConfig("192.168.1.100", "192.168.1.103", 3600, null,
        java.util.stream.IntStream.rangeClosed(1, 64).mapToObj(k -> "10.0.0." + k).toList(), null, null));
    send(message(DhcpMessage.DISCOVER, CLIENT, 1, DhcpMessage.FLAG_BROADCAST, 0, 0, 0, null), CLIENT, 0);
    DhcpMessage offer = only();
    assertEquals(63 * 4, offer.optionLength(DhcpMessage.OPT_DNS));
    lab.assertNoLeaks();
  }

  @Test
  void anOffersCiaddrIsZero() {
    // a DISCOVER with ciaddr set (some clients keep their old address there): the OFFER's is 0
    int old = Ipv4Address.parse("192.168.1.103");
    send(message(DhcpMessage.DISCOVER, OTHER, 0x99, DhcpMessage.FLAG_BROADCAST, old, 0, 0, null), OTHER, 0);
    DhcpMessage offer = only();
    assertEquals(DhcpMessage.OFFER, offer.messageType());
    assertEquals(0, offer.ciaddr(), "RFC 2131 table 3");
  }

  @Test
  void theMaskAndRouterGoEvenIfTheListLeavesThemOut() {
    send(message(DhcpMessage.DISCOVER, CLIENT, 7, DhcpMessage.FLAG_BROADCAST, 0, 0, 0, new byte[] {6}), CLIENT, 0);
    DhcpMessage offer = only();
    assertEquals(0xFFFFFF00, offer.optionInt(DhcpMessage.OPT_SUBNET_MASK, 0));
    assertEquals(Ipv4Address.parse("192.168.1.1"), offer.optionInt(DhcpMessage.OPT_ROUTER, 0));
    assertTrue(offer.has(DhcpMessage.OPT_DNS));
    assertFalse(offer.has(DhcpMessage.OPT_DOMAIN), "15 was not asked for");
  }

  @Test
  void withoutTheBroadcastFlagTheReplyIsUnicastToTheHardwareAddressWithoutArp() {
    send(message(DhcpMessage.DISCOVER, CLIENT, 1, 0, 0, 0, 0, null), CLIENT, 0);
    List<CapturedFrame> r = replies();
    assertEquals(1, r.size(), "no ARP for an address the client does not have yet");
    assertEquals(CLIENT, r.get(0).dstMac());
    assertEquals(Ipv4Address.parse("192.168.1.100"), r.get(0).ip().dst());
    DhcpMessage offer = parse(r.get(0));
    assertTrue(offer.has(DhcpMessage.OPT_BROADCAST), "without a parameter list, every configured option");
    assertTrue(offer.has(DhcpMessage.OPT_DOMAIN));
  }

  @Test
  void renewalWithCiaddrIsUnicastAndExtendsTheLease() {
    int ip = lease(CLIENT, 5);
    lab.advance(VirtualLab.seconds(1800)); // T1
    send(message(DhcpMessage.REQUEST, CLIENT, 6, 0, ip, 0, 0, null), CLIENT, ip);
    List<CapturedFrame> r = replies();
    assertEquals(1, r.size());
    assertEquals(ip, r.get(0).ip().dst(), "to ciaddr");
    DhcpMessage ack = parse(r.get(0));
    assertEquals(DhcpMessage.ACK, ack.messageType());
    assertEquals(ip, ack.ciaddr());
    assertEquals(lab.now() + VirtualLab.seconds(3600), server.leases().get(0).expiresNanos(), 1_000_000_000L);
  }

  @Test
  void aRequestForAnAddressNotOfferedGetsANak() {
    send(message(DhcpMessage.DISCOVER, CLIENT, 9, DhcpMessage.FLAG_BROADCAST, 0, 0, 0, null), CLIENT, 0);
    only();
    send(message(DhcpMessage.REQUEST, CLIENT, 9, 0, 0, Ipv4Address.parse("192.168.1.101"), SERVER, null), CLIENT, 0);
    List<CapturedFrame> r = replies();
    assertEquals(MacAddress.BROADCAST_BITS, r.get(0).dstMac(), "a NAK is broadcast");
    DhcpMessage nak = parse(r.get(0));
    assertEquals(DhcpMessage.NAK, nak.messageType());
    assertEquals(0, nak.yiaddr());
    // INIT-REBOOT from another network
    send(message(DhcpMessage.REQUEST, CLIENT, 10, 0, 0, Ipv4Address.parse("10.0.0.5"), 0, null), CLIENT, 0);
    DhcpMessage wrong = only();
    assertEquals(DhcpMessage.NAK, wrong.messageType());
    assertEquals("wrong network", wrong.optionText(DhcpMessage.OPT_MESSAGE));
    assertEquals(2, server.counters().naks);
  }

  @Test
  void aRequestForAnotherServerWithdrawsTheOffer() {
    send(message(DhcpMessage.DISCOVER, CLIENT, 3, DhcpMessage.FLAG_BROADCAST, 0, 0, 0, null), CLIENT, 0);
    int offered = only().yiaddr();
    send(message(DhcpMessage.REQUEST, CLIENT, 3, DhcpMessage.FLAG_BROADCAST, 0, Ipv4Address.parse("192.168.1.230"),
        Ipv4Address.parse("192.168.1.9"), null), CLIENT, 0);
    assertTrue(replies().isEmpty(), "silent: the client took the other server's offer");
    assertEquals(1, server.counters().otherServerChosen);
    assertEquals(offered, lease(OTHER, 4), "the withdrawn offer is free again");
  }

  @Test
  void declineTakesTheAddressOutOfThePoolForAWhile() {
    int ip = lease(CLIENT, 1);
    send(message(DhcpMessage.DECLINE, CLIENT, 2, 0, 0, ip, SERVER, null), CLIENT, 0);
    assertTrue(replies().isEmpty(), "a DECLINE is not answered");
    assertEquals(1, server.counters().declines);
    assertTrue(server.leases().isEmpty());
    int next = lease(CLIENT, 3);
    assertEquals(ip + 1, next, "the declined address is not offered again");
    lab.advance(VirtualLab.seconds(DhcpServer.DECLINE_HOLD_SECONDS + 1));
    assertEquals(ip, lease(OTHER, 4), "after the hold it is");
  }

  @Test
  void releaseFreesTheAddressAndLeasesExpire() {
    int ip = lease(CLIENT, 1);
    send(message(DhcpMessage.RELEASE, CLIENT, 2, 0, ip, 0, SERVER, null), CLIENT, ip);
    assertEquals(1, server.counters().releases);
    assertTrue(server.leases().isEmpty());
    assertEquals(ip, lease(OTHER, 3), "the released address goes to the next client");
    int again = lease(CLIENT, 4);
    assertEquals(ip + 1, again);
    lab.advance(VirtualLab.seconds(3601));
    assertTrue(server.leases().isEmpty(), "both expired");
    assertEquals(ip, lease(0x02_00_00_00_00_99L, 5));
  }

  @Test
  void staticBindingsGoToTheirClientOnly() {
    assertEquals(Ipv4Address.parse("192.168.1.150"), lease(0x02_00_00_00_00_77L, 1));
    lease(CLIENT, 3);
    send(message(DhcpMessage.REQUEST, CLIENT, 2, 0, 0, Ipv4Address.parse("192.168.1.150"), 0, null), CLIENT, 0);
    assertEquals(DhcpMessage.NAK, only().messageType(), "a client with a record asking for another's address");
  }

  @Test
  void aDeclinedStaticAddressIsNotOfferedWhileItIsHeld() {
    long fixed = 0x02_00_00_00_00_77L;
    int ip = lease(fixed, 1);
    assertEquals(Ipv4Address.parse("192.168.1.150"), ip);
    send(message(DhcpMessage.DECLINE, fixed, 2, 0, 0, ip, SERVER, null), fixed, 0);
    send(message(DhcpMessage.DISCOVER, fixed, 3, DhcpMessage.FLAG_BROADCAST, 0, 0, 0, null), fixed, 0);
    assertTrue(replies().isEmpty(), "no OFFER the REQUEST would find declined");
    assertEquals(1, server.counters().dropped(DhcpServerCounters.Reason.STATIC_UNAVAILABLE));
    send(message(DhcpMessage.REQUEST, fixed, 4, 0, 0, ip, 0, null), fixed, 0);
    assertEquals(DhcpMessage.NAK, only().messageType(), "nor an ACK of an INIT-REBOOT for it");
    lab.advance(VirtualLab.seconds(DhcpServer.DECLINE_HOLD_SECONDS + 1));
    assertEquals(ip, lease(fixed, 5), "after the hold it is the client's again");
  }

  @Test
  void aClientWithNoRecordAskingForAnAddressOutsideThePoolGetsSilenceNotANak() {
    // a client leased 192.168.1.200 from a second server on the subnet: its INIT-REBOOT,
    // RENEWING (unicast by mistake) and REBINDING REQUESTs are none of this server's business
    int other = Ipv4Address.parse("192.168.1.200");
    send(message(DhcpMessage.REQUEST, CLIENT, 1, 0, 0, other, 0, null), CLIENT, 0);
    send(message(DhcpMessage.REQUEST, CLIENT, 2, 0, other, 0, 0, null), CLIENT, other);
    send(message(DhcpMessage.REQUEST, CLIENT, 3, DhcpMessage.FLAG_BROADCAST, other, 0, 0, null), CLIENT, 0);
    assertTrue(replies().isEmpty(), "RFC 2131 4.3.2: no record of the client, no answer");
    assertEquals(0, server.counters().naks);
    assertEquals(3, server.counters().dropped(DhcpServerCounters.Reason.NO_RECORD));
    // the wrong network is still refused, record or not
    send(message(DhcpMessage.REQUEST, CLIENT, 4, 0, 0, Ipv4Address.parse("10.0.0.5"), 0, null), CLIENT, 0);
    assertEquals(DhcpMessage.NAK, only().messageType());
  }

  @Test
  void aFloodOfRandomMacsExhaustsThePoolCountedAndTheServerStaysUp() {
    SplittableRandom rnd = new SplittableRandom(67);
    for (int i = 0; i < 200; i++) {
      long mac = (rnd.nextLong() & 0xFEFF_FFFF_FFFFL) | 0x0200_0000_0000L;
      send(message(DhcpMessage.DISCOVER, mac, i, DhcpMessage.FLAG_BROADCAST, 0, 0, 0, null), mac, 0);
    }
    assertEquals(4, replies().size(), "one OFFER per address of the pool");
    assertEquals(196, server.counters().poolExhausted);
    assertEquals(196, srv.events(DhcpEvent.PoolExhausted.class).size());
    send(message(DhcpMessage.DISCOVER, CLIENT, 1, DhcpMessage.FLAG_BROADCAST, 0, 0, 0, null), CLIENT, 0);
    assertTrue(replies().isEmpty());
    lab.advance(VirtualLab.seconds(DhcpServer.OFFER_HOLD_SECONDS + 1));
    assertEquals(Ipv4Address.parse("192.168.1.100"), lease(CLIENT, 2), "the flood's offers lapse");
    assertTrue(server.leases().size() <= 4);
    lab.assertNoLeaks();
  }

  @Test
  void malformedMessagesAreCountedByReason() {
    byte[] good = message(DhcpMessage.DISCOVER, CLIENT, 1, 0, 0, 0, 0, null);
    byte[] wrongOp = good.clone();
    wrongOp[0] = 9;
    send(wrongOp, CLIENT, 0);
    byte[] hlen = good.clone();
    hlen[2] = 16;
    send(hlen, CLIENT, 0);
    byte[] overrun = good.clone();
    overrun[DhcpMessage.OPTIONS + 1] = (byte) 250;
    send(overrun, CLIENT, 0);
    byte[] noType = good.clone();
    noType[DhcpMessage.OPTIONS] = 99;
    send(noType, CLIENT, 0);
    byte[] reply = good.clone();
    reply[0] = DhcpMessage.OP_REPLY;
    send(reply, CLIENT, 0);
    assertTrue(replies().isEmpty());
    DhcpServerCounters c = server.counters();
    assertEquals(1, c.malformed(DhcpMessage.Check.BAD_OP));
    assertEquals(1, c.malformed(DhcpMessage.Check.NOT_ETHERNET));
    assertEquals(1, c.malformed(DhcpMessage.Check.OPTIONS_OVERRUN));
    assertEquals(1, c.malformed(DhcpMessage.Check.NO_MESSAGE_TYPE));
    assertEquals(1, c.dropped(DhcpServerCounters.Reason.NOT_A_REQUEST));
    assertEquals(0L, c.snapshot().get("offers"));
    assertEquals(Ipv4Address.parse("192.168.1.100"), lease(CLIENT, 2), "still serving");
    lab.assertNoLeaks();
  }

  @Test
  void mutatedMessagesNeverThrowNorLeakAndTheServerKeepsServing() {
    List<byte[]> seeds = List.of(
        message(DhcpMessage.DISCOVER, CLIENT, 1, DhcpMessage.FLAG_BROADCAST, 0, 0, 0, new byte[] {1, 3, 6, 12, 15}),
        message(DhcpMessage.REQUEST, CLIENT, 2, 0, 0, Ipv4Address.parse("192.168.1.100"), SERVER, null),
        message(DhcpMessage.REQUEST, CLIENT, 3, 0, Ipv4Address.parse("192.168.1.100"), 0, 0, null),
        message(DhcpMessage.DECLINE, CLIENT, 4, 0, 0, Ipv4Address.parse("192.168.1.100"), SERVER, null),
        message(DhcpMessage.RELEASE, CLIENT, 5, 0, Ipv4Address.parse("192.168.1.100"), 0, SERVER, null),
        message(DhcpMessage.INFORM, CLIENT, 6, 0, Ipv4Address.parse("192.168.1.100"), 0, 0, null));
    SplittableRandom rnd = new SplittableRandom(2132);
    for (int i = 0; i < 3000; i++) {
      byte[] m = seeds.get(rnd.nextInt(seeds.size())).clone();
      int edits = 1 + rnd.nextInt(4);
      for (int e = 0; e < edits; e++) {
        int at = rnd.nextBoolean() ? DhcpMessage.OPTIONS + rnd.nextInt(40) : rnd.nextInt(m.length);
        m[at] = (byte) rnd.nextInt(256);
      }
      if (rnd.nextInt(8) == 0) {
        m = java.util.Arrays.copyOf(m, rnd.nextInt(m.length + 1));
      }
      long mac = m.length >= DhcpMessage.CHADDR + 8 ? Unpooled.wrappedBuffer(m).getLong(DhcpMessage.CHADDR) >>> 16
          : CLIENT;
      byte[] msg = m;
      org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> send(msg, mac & 0xFEFF_FFFF_FFFFL, 0));
      if (i % 500 == 0) {
        lab.advance(VirtualLab.seconds(DhcpServer.DECLINE_HOLD_SECONDS + 1));
      }
    }
    tap.clear();
    lab.advance(VirtualLab.seconds(7200));
    assertEquals(Ipv4Address.parse("192.168.1.100"), lease(0x02_00_00_00_00_42L, 99), "still serving");
    lab.assertNoLeaks();
  }

  @Test
  void aServerRestartedMidLeaseReadsItsLeasesBackAndAcksTheRenewal(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("dhcpsrv" + ".dhcp-server.leases");
    server.restore(file);
    assertFalse(Files.exists(file), "no lease yet, no file");
    assertTrue(srv.events(DhcpEvent.LeasesRestored.class).isEmpty(), "nothing to read, nothing told");
    int ip = lease(CLIENT, 5);
    long expiry = server.epochSeconds(server.leases().get(0).expiresNanos());
    assertEquals(List.of(expiry + " 02:00:00:00:00:64 192.168.1.100 client *"), Files.readAllLines(file),
        "written at the ACK, as dnsmasq's lease file");
    int other = lease(OTHER, 6);
    assertEquals(2, Files.readAllLines(file).size());
    send(message(DhcpMessage.RELEASE, OTHER, 7, 0, other, 0, SERVER, null), OTHER, other);
    assertEquals(1, Files.readAllLines(file).size(), "a RELEASE rewrites it");
    send(message(DhcpMessage.DISCOVER, 0x02_00_00_00_00_55L, 8, DhcpMessage.FLAG_BROADCAST, 0, 0, 0, null),
        0x02_00_00_00_00_55L, 0);
    only();
    assertEquals(1, Files.readAllLines(file).size(), "an offer is not written");

    // killed and started again 1000 s later: the lease is back, with its expiry
    restart(VirtualLab.seconds(1000), file);
    assertEquals(List.of(new DhcpEvent.LeasesRestored(file.toString(), 1, 0, 0, 0, List.of())),
        srv.events(DhcpEvent.LeasesRestored.class));
    assertEquals(1, server.leases().size());
    assertEquals(expiry, server.epochSeconds(server.leases().get(0).expiresNanos()));
    assertEquals("client", server.leases().get(0).hostname());
    // a newcomer does not get the remembered address
    send(message(DhcpMessage.DISCOVER, 0x02_00_00_00_00_56L, 9, DhcpMessage.FLAG_BROADCAST, 0, 0, 0, null),
        0x02_00_00_00_00_56L, 0);
    assertEquals(Ipv4Address.parse("192.168.1.101"), only().yiaddr());
    // the client renews at T1 (unicast, ciaddr): ACKed, its lease extended, not met with silence
    lab.advance(VirtualLab.seconds(800));
    send(message(DhcpMessage.REQUEST, CLIENT, 10, 0, ip, 0, 0, null), CLIENT, ip);
    DhcpMessage ack = only();
    assertEquals(DhcpMessage.ACK, ack.messageType());
    assertEquals(ip, ack.yiaddr());
    assertTrue(srv.events(DhcpEvent.Acked.class).get(0).extended(), "the restored lease is extended");
    assertEquals(0, server.counters().dropped(DhcpServerCounters.Reason.NO_RECORD));
    assertEquals(List.of(server.epochSeconds(server.leases().get(0).expiresNanos()) + " 02:00:00:00:00:64"
        + " 192.168.1.100 client *"), Files.readAllLines(file));
    // an INIT-REBOOT from the same client after another restart is ACKed too
    restart(VirtualLab.seconds(60), file);
    send(message(DhcpMessage.REQUEST, CLIENT, 11, DhcpMessage.FLAG_BROADCAST, 0, ip, 0, null), CLIENT, 0);
    assertEquals(DhcpMessage.ACK, only().messageType());
  }

  @Test
  void aBadOrTruncatedLeaseFileIsReadAsFarAsItGoesAndNeverStopsTheServer(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("dhcpsrv.dhcp-server.leases");
    long soon = (VirtualTime.EPOCH_START_NANOS + VirtualLab.seconds(2000)) / 1_000_000_000L;
    long past = VirtualTime.EPOCH_START_NANOS / 1_000_000_000L - 10;
    Files.writeString(file, String.join("\n",
        "# written by hand",
        soon + " 02:00:00:00:00:64 192.168.1.101 client 01:02:00:00:00:00:64",
        past + " 02:00:00:00:00:65 192.168.1.102 * *",
        soon + " 02:00:00:00:00:66 10.0.0.5 * *",
        soon + " 02:00:00:00:00:67 192.168.1.120 * *",
        soon + " 02:00:00:00:00:77 192.168.1.150 fixed *",
        soon + " 02:00:00:00:00:68 192.168.1.101 * *",
        soon + " 02:00:00:00:00:69 192.168.1.150 * *",
        "garbage",
        soon + " zz:00:00:00:00:70 192.168.1.103 * *",
        soon + " 02:00:00:00:00:71 \u00ff\u0001 * *",
        soon + " 02:00:00:00:00:72 192.168.1.10",
        "253402300799 02:00:00:00:00:73 192.168.1.103 * *"), java.nio.charset.StandardCharsets.ISO_8859_1);
    restart(VirtualLab.seconds(100), file);
    DhcpEvent.LeasesRestored r = srv.events(DhcpEvent.LeasesRestored.class).get(0);
    assertEquals(List.of(3, 1, 4, 4), List.of(r.restored(), r.expired(), r.outside(), r.skipped()), r.toString());
    assertEquals("line 9: 1 fields, not 5 (EXPIRY MAC ADDRESS HOSTNAME CLIENT-ID)", r.problems().get(0));
    assertTrue(r.problems().get(3).startsWith("line 12: 3 fields"), r.problems().toString());
    assertEquals(List.of("192.168.1.101", "192.168.1.103", "192.168.1.150"), server.leases().stream()
        .map(l -> Ipv4Address.format(l.ip())).sorted().toList());
    DhcpServer.Lease forever = server.leases().stream().filter(l -> l.mac() == 0x02_00_00_00_00_73L).findFirst()
        .orElseThrow();
    assertEquals(lab.now() + VirtualLab.seconds(3600), forever.expiresNanos(), 1_000_000_000L,
        "a lease the year 9999 ends is cut to the scope's lease time");
    assertEquals("01:02:00:00:00:00:64", server.leases().stream().filter(l -> l.mac() == CLIENT).findFirst()
        .orElseThrow().clientId());
    // the server serves on, around what it restored; the next change writes only good lines
    assertEquals(Ipv4Address.parse("192.168.1.100"), lease(OTHER, 1));
    List<String> lines = Files.readAllLines(file);
    assertEquals(4, lines.size(), lines.toString());
    assertTrue(lines.stream().allMatch(l -> l.matches("\\d+ 02:00:00:00:00:[0-9a-f]{2} 192\\.168\\.1\\.1\\d+ \\S+ \\S+")),
        lines.toString());
  }

  @Test
  void aLeaseFileThatCannotBeReadOrWrittenIsToldAndTheServerServesFromMemory(@TempDir Path dir) {
    Path file = dir.resolve("a-directory");
    assertTrue(file.toFile().mkdir());
    assertTrue(new java.io.File(file.toFile(), "inside").mkdir(), "a directory that is not empty");
    server.restore(file);
    assertEquals(CLIENT_IP, lease(CLIENT, 1));
    List<DhcpEvent.LeaseFileError> errors = srv.events(DhcpEvent.LeaseFileError.class);
    assertEquals(2, errors.size(), errors.toString());
    assertTrue(errors.get(0).reason().startsWith("cannot read it"), errors.toString());
    assertTrue(errors.get(1).reason().startsWith("cannot write it") && errors.get(1).reason()
        .endsWith("the leases stay in memory"), errors.toString());
    assertEquals(1, server.leases().size());
  }
}
