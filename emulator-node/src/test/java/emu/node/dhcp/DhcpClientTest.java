package emu.node.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.wire.MacAddress;
import emu.node.apps.diag.IpCommand;
import emu.node.config.DhcpConfig;
import emu.node.event.DhcpEvent;
import emu.node.stack.Route;
import emu.node.testing.CommandRun;
import emu.node.testing.LabNode;
import emu.node.testing.LabSwitch;
import emu.node.testing.PacketBuilder;
import emu.node.testing.Tap;
import emu.node.testing.VirtualLab;
import emu.node.wire.DhcpMessage;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * emu's DHCP client against emu's server on virtual time: the lease and what it installs, the
 * ARP probe, renewal at T1, rebinding at T2 when the server is gone, expiry, a NAK, a DECLINE on a
 * conflict, the backoff while the pool is exhausted, a rogue second server, and the RELEASE at stop.
 */
class DhcpClientTest {
  private static final DhcpConfig POOL = new DhcpConfig("192.168.1.100", "192.168.1.101", 3600, "192.168.1.1",
      List.of("192.168.1.53"), "corp.com", null);

  private VirtualLab lab;
  private LabSwitch sw;
  private LabNode srv;
  private LabNode client;
  private DhcpServer server;
  private DhcpClient dhcp;
  private final List<List<Integer>> resolverUpdates = new ArrayList<>();

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(3);
    sw = lab.bridge("sw1");
    srv = lab.host("dhcpsrv");
    client = lab.host("client");
    lab.connect(srv, "eth0", "02:00:00:00:00:02", "192.168.1.2/24", sw, "p1");
    lab.connect(client, "eth0", "02:00:00:00:00:64", null, sw, "p2");
    server = new DhcpServer(srv.stack(), srv.tracer());
    dhcp = new DhcpClient(client.stack(), client.tracer(), "client", (nic, servers) -> resolverUpdates.add(servers));
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  private void start(DhcpConfig config) {
    server.serve(srv.nic("eth0"), config);
    lab.start();
    dhcp.add(client.nic("eth0"));
  }

  private void leased() {
    start(POOL);
    lab.runUntil(dhcp::allBound, VirtualLab.seconds(10));
    assertTrue(dhcp.allBound());
  }

  private Route defaultRoute() {
    return client.stack().routes().routes().stream().filter(r -> r.prefix().prefixLength() == 0).findFirst()
        .orElse(null);
  }

  @Test
  void theLeaseGivesAddressRouteAndResolverAfterAnArpProbe() {
    leased();
    assertEquals(Ipv4Cidr.parse("192.168.1.100/24"), client.nic("eth0").address());
    assertEquals(Ipv4Address.parse("192.168.1.1"), defaultRoute().gateway());
    assertEquals(List.of(List.of(Ipv4Address.parse("192.168.1.53"))), resolverUpdates);
    List<DhcpEvent.ClientSent> sent = client.events(DhcpEvent.ClientSent.class);
    assertEquals("DISCOVER", sent.get(0).message());
    assertEquals("0.0.0.0", sent.get(0).src());
    assertEquals("255.255.255.255", sent.get(0).dst());
    assertEquals("REQUEST", sent.get(1).message());
    assertEquals("192.168.1.2", sent.get(1).server());
    assertEquals(DhcpClient.PROBES, client.events(DhcpEvent.ClientProbe.class).size());
    DhcpEvent.ClientBound bound = client.events(DhcpEvent.ClientBound.class).get(0);
    assertEquals(new DhcpEvent.ClientBound("eth0", "192.168.1.100/24", "192.168.1.2", "192.168.1.1",
        List.of("192.168.1.53"), 3600, 1800, 3150, false), bound);
    // ip addr: dynamic, both lifetimes counting down to the expiry
    lab.advance(VirtualLab.seconds(100));
    CommandRun ip = new CommandRun("client", "ip addr");
    new IpCommand(client.stack(), lab.resolver(client)).dhcp(dhcp).run(List.of("addr"), ip);
    assertTrue(ip.output().contains("inet 192.168.1.100/24 brd 192.168.1.255 scope global dynamic eth0"), ip.output());
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("valid_lft (\\d+)sec preferred_lft (\\d+)sec")
        .matcher(ip.output());
    assertTrue(m.find(), ip.output());
    long left = Long.parseLong(m.group(1));
    assertTrue(left >= 3490 && left <= 3500, ip.output());
    assertEquals(m.group(1), m.group(2));
    // the address works: the server answers a ping from it
    lab.exec(client, "ping -c 1 192.168.1.2").assertExit(0);
    assertEquals(1, server.leases().size());
  }

  @Test
  void renewsAtT1RebindsAtT2WithoutTheServerAndLosesTheAddressAtExpiry() {
    leased();
    long bound = lab.now();
    lab.advance(VirtualLab.seconds(1800) - (lab.now() - bound) + VirtualLab.seconds(1));
    DhcpEvent.ClientSent renewal = last(DhcpEvent.ClientSent.class);
    assertEquals("renewing", renewal.state());
    assertEquals("192.168.1.100", renewal.src());
    assertEquals("192.168.1.2", renewal.dst(), "unicast to the server");
    assertTrue(last(DhcpEvent.ClientBound.class).renewed());
    assertEquals(DhcpClient.State.BOUND, dhcp.state(client.nic("eth0")));

    // the server goes: the next renewal goes unanswered, then the client rebinds by broadcast
    srv.nic("eth0").setUp(false);
    lab.advance(VirtualLab.seconds(1800 + 1400));
    assertEquals(DhcpClient.State.REBINDING, dhcp.state(client.nic("eth0")));
    DhcpEvent.ClientSent rebind = last(DhcpEvent.ClientSent.class);
    assertEquals("rebinding", rebind.state());
    assertEquals("255.255.255.255", rebind.dst());
    lab.advance(VirtualLab.seconds(500));
    assertEquals(1, client.events(DhcpEvent.ClientExpired.class).size());
    assertNull(client.nic("eth0").address(), "the address went with the lease");
    assertNull(defaultRoute(), "and the default route with it");
    assertEquals(List.of(), resolverUpdates.get(resolverUpdates.size() - 1));
  }

  @Test
  void aNakMakesTheClientStartOver() {
    Tap tap = lab.tap(sw, "p9");
    leased();
    srv.nic("eth0").setUp(false);
    long toT1 = dhcp.renewsNanos(client.nic("eth0")) - lab.now();
    lab.advance(toT1 + VirtualLab.seconds(1));
    DhcpEvent.ClientSent renewal = last(DhcpEvent.ClientSent.class);
    assertEquals("renewing", renewal.state());
    ByteBuf b = Unpooled.buffer();
    new DhcpMessage.Writer().begin(b, DhcpMessage.OP_REPLY, (int) renewal.xid(), 0, 0, 0, 0, 0, 0,
            client.mac("eth0")).optionByte(DhcpMessage.OPT_MESSAGE_TYPE, DhcpMessage.NAK)
        .optionInt(DhcpMessage.OPT_SERVER_ID, Ipv4Address.parse("192.168.1.2"))
        .optionText(DhcpMessage.OPT_MESSAGE, "address not available").finish();
    byte[] nak = new byte[b.readableBytes()];
    b.readBytes(nak);
    tap.inject(PacketBuilder.ipv4("192.168.1.2", "255.255.255.255").eth(MacAddress.BROADCAST_BITS,
        srv.mac("eth0")).udp(67, 68, nak).frame());
    lab.advance(VirtualLab.millis(10)); // not settle(): the client's retransmissions never let it go quiet
    assertEquals(new DhcpEvent.ClientNak("eth0", "192.168.1.2", "address not available"),
        client.events(DhcpEvent.ClientNak.class).get(0));
    assertNull(client.nic("eth0").address(), "a NAK takes the address away at once");
    assertEquals(DhcpClient.State.SELECTING, dhcp.state(client.nic("eth0")));
    assertEquals("DISCOVER", last(DhcpEvent.ClientSent.class).message());
    srv.nic("eth0").setUp(true);
    lab.runUntil(dhcp::allBound, VirtualLab.seconds(30));
    assertEquals(Ipv4Cidr.parse("192.168.1.100/24"), client.nic("eth0").address(), "leased again");
  }

  /** A reply from the server at 192.168.1.2, broadcast through {@code tap}; {@code options} adds to it. */
  private void inject(Tap tap, long xid, int type, java.util.function.Consumer<DhcpMessage.Writer> options) {
    ByteBuf b = Unpooled.buffer();
    DhcpMessage.Writer w = new DhcpMessage.Writer().begin(b, DhcpMessage.OP_REPLY, (int) xid, 0,
        DhcpMessage.FLAG_BROADCAST, 0, Ipv4Address.parse("192.168.1.100"), 0, 0, client.mac("eth0"))
        .optionByte(DhcpMessage.OPT_MESSAGE_TYPE, type)
        .optionInt(DhcpMessage.OPT_SERVER_ID, Ipv4Address.parse("192.168.1.2"));
    options.accept(w);
    w.finish();
    byte[] m = new byte[b.readableBytes()];
    b.readBytes(m);
    tap.inject(PacketBuilder.ipv4("192.168.1.2", "255.255.255.255").eth(MacAddress.BROADCAST_BITS,
        srv.mac("eth0")).udp(67, 68, m).frame());
    lab.advance(VirtualLab.millis(10));
  }

  @Test
  void aTinyLeaseOrAZeroT1CannotMakeTheClientRenewInALoop() {
    Tap tap = lab.tap(sw, "p9");
    leased();
    srv.nic("eth0").setUp(false);
    lab.advance(dhcp.renewsNanos(client.nic("eth0")) - lab.now() + VirtualLab.seconds(1));
    DhcpEvent.ClientSent renewal = last(DhcpEvent.ClientSent.class);
    assertEquals("renewing", renewal.state());
    // a 1 s lease with T1 = 0: kept as MIN_LEASE_SECONDS, T1 and T2 at their defaults
    inject(tap, renewal.xid(), DhcpMessage.ACK, w -> w.optionInt(DhcpMessage.OPT_LEASE_TIME, 1)
        .optionInt(DhcpMessage.OPT_SUBNET_MASK, 0xFFFFFF00).optionInt(DhcpMessage.OPT_RENEWAL_TIME, 0));
    DhcpEvent.ClientBound bound = last(DhcpEvent.ClientBound.class);
    assertEquals(List.of(16L, 8L, 14L), List.of(bound.leaseSeconds(), bound.t1Seconds(), bound.t2Seconds()));
    long renewals = client.events(DhcpEvent.ClientSent.class).stream().filter(s -> s.state().equals("renewing")).count();
    lab.advance(VirtualLab.seconds(7));
    assertEquals(renewals, client.events(DhcpEvent.ClientSent.class).stream()
        .filter(s -> s.state().equals("renewing")).count(), "no renewal before T1 = 8 s");
    lab.advance(VirtualLab.seconds(2));
    renewal = last(DhcpEvent.ClientSent.class);
    assertEquals("renewing", renewal.state());
    // an hour's lease with T1 = 0 and T2 past the lease: RFC 2131's 0.5 and 0.875
    inject(tap, renewal.xid(), DhcpMessage.ACK, w -> w.optionInt(DhcpMessage.OPT_LEASE_TIME, 3600)
        .optionInt(DhcpMessage.OPT_SUBNET_MASK, 0xFFFFFF00).optionInt(DhcpMessage.OPT_RENEWAL_TIME, 0)
        .optionInt(DhcpMessage.OPT_REBINDING_TIME, 4000));
    bound = last(DhcpEvent.ClientBound.class);
    assertEquals(List.of(3600L, 1800L, 3150L), List.of(bound.leaseSeconds(), bound.t1Seconds(), bound.t2Seconds()));
  }

  @Test
  void repliesTheClientLeavesAreCountedByReason() {
    Tap tap = lab.tap(sw, "p9");
    leased();
    srv.nic("eth0").setUp(false);
    lab.advance(dhcp.renewsNanos(client.nic("eth0")) - lab.now() + VirtualLab.seconds(1));
    long xid = last(DhcpEvent.ClientSent.class).xid();
    inject(tap, xid, DhcpMessage.ACK, w -> w.optionInt(DhcpMessage.OPT_SUBNET_MASK, 0xFFFFFF00));
    inject(tap, xid, DhcpMessage.ACK, w -> w.optionInt(DhcpMessage.OPT_LEASE_TIME, 3600)
        .optionInt(DhcpMessage.OPT_SUBNET_MASK, 0xFFFF00FF));
    inject(tap, xid, DhcpMessage.OFFER, w -> w.optionInt(DhcpMessage.OPT_LEASE_TIME, 3600));
    inject(tap, xid + 1, DhcpMessage.ACK, w -> w.optionInt(DhcpMessage.OPT_LEASE_TIME, 3600));
    DhcpClientCounters c = dhcp.counters();
    assertEquals(1, c.dropped(DhcpClientCounters.Reason.NO_LEASE_TIME));
    assertEquals(1, c.dropped(DhcpClientCounters.Reason.BAD_MASK));
    assertEquals(1, c.dropped(DhcpClientCounters.Reason.OFFER_NOT_TAKEN));
    assertEquals(1, c.dropped(DhcpClientCounters.Reason.NOT_OURS));
    assertEquals(java.util.Map.of("dropped_no_lease_time", 1L, "dropped_bad_mask", 1L, "dropped_offer_not_taken", 1L,
        "dropped_not_ours", 1L), c.snapshot());
    assertEquals(DhcpClient.State.RENEWING, dhcp.state(client.nic("eth0")), "none of them changed a thing");
  }

  @Test
  void aHostnameLongerThanAnOptionIsCutNotThrown() {
    DhcpClient longName = new DhcpClient(client.stack(), client.tracer(), "h".repeat(300), (nic, servers) -> { });
    server.serve(srv.nic("eth0"), POOL);
    lab.start();
    org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> longName.add(client.nic("eth0")));
    lab.runUntil(longName::allBound, VirtualLab.seconds(10));
    assertTrue(longName.allBound());
    assertEquals("h".repeat(255), server.leases().get(0).hostname());
    longName.stop();
    lab.settle();
    lab.assertNoLeaks();
  }

  @Test
  void anArpConflictDeclinesTheAddressAndStartsOver() {
    LabNode squatter = lab.host("squatter");
    lab.connect(squatter, "eth0", "02:00:00:00:00:99", "192.168.1.100/24", sw, "p3");
    start(POOL);
    lab.runUntil(dhcp::allBound, VirtualLab.seconds(60));
    assertTrue(dhcp.allBound());
    DhcpEvent.ClientConflict c = client.events(DhcpEvent.ClientConflict.class).get(0);
    assertEquals("192.168.1.100", c.address());
    assertEquals("02:00:00:00:00:99", c.mac());
    assertTrue(client.events(DhcpEvent.ClientSent.class).stream().anyMatch(s -> s.message().equals("DECLINE")));
    assertEquals(1, server.counters().declines);
    assertEquals(Ipv4Cidr.parse("192.168.1.101/24"), client.nic("eth0").address(), "the next address");
  }

  @Test
  void anExhaustedPoolMeansRetriesWithBackoffSayingWhy() {
    start(new DhcpConfig("192.168.1.100", "192.168.1.100", 3600, null, null, null,
        java.util.Map.of("02:00:00:00:00:77", "192.168.1.100")));
    lab.advance(VirtualLab.seconds(70));
    assertFalse(dhcp.allBound());
    List<DhcpEvent.ClientRetry> retries = client.events(DhcpEvent.ClientRetry.class);
    assertTrue(retries.size() >= 3, retries.toString());
    assertEquals("an OFFER", retries.get(0).waitingFor());
    long[] bases = {4000, 8000, 16000, 32000};
    for (int i = 0; i < Math.min(retries.size(), bases.length); i++) {
      long d = retries.get(i).delayMillis();
      assertTrue(d >= bases[i] - 1000 && d <= bases[i] + 1000, "randomised exponential backoff: " + retries);
    }
    assertTrue(server.counters().poolExhausted >= 3);
  }

  @Test
  void withTwoServersTheClientTakesTheFirstOffer() {
    LabNode rogue = lab.host("rogue");
    lab.connect(rogue, "eth0", "02:00:00:00:00:66", "192.168.1.3/24", sw, "p3");
    DhcpServer other = new DhcpServer(rogue.stack(), rogue.tracer());
    other.serve(rogue.nic("eth0"), new DhcpConfig("192.168.1.200", "192.168.1.210", 600, "192.168.1.3", null, null,
        null));
    leased();
    List<DhcpEvent.ClientOffer> offers = client.events(DhcpEvent.ClientOffer.class);
    assertEquals(2, offers.size(), offers.toString());
    assertTrue(offers.get(0).taken());
    assertFalse(offers.get(1).taken());
    assertEquals(offers.get(0).address(), offers.get(1).alreadyTaken());
    String chosen = offers.get(0).server();
    String address = client.nic("eth0").address().toString();
    assertTrue(chosen.equals("192.168.1.2") ? address.equals("192.168.1.100/24") : address.equals("192.168.1.200/24"),
        chosen + " " + address);
    DhcpServer loser = chosen.equals("192.168.1.2") ? other : server;
    assertEquals(1, loser.counters().otherServerChosen);
    assertTrue(loser.leases().isEmpty(), "the loser withdrew its offer");
  }

  @Test
  void stopReleasesTheLease() {
    leased();
    assertNull(client.nic("eth0").neighbors().lookup(Ipv4Address.parse("192.168.1.2")), "no ARP entry for the server");
    dhcp.stop();
    client.nic("eth0").setUp(false); // the node's links close right after the stop
    lab.settle();
    assertEquals(1, server.counters().releases, "the RELEASE left before the link closed");
    assertTrue(server.leases().isEmpty());
    assertNull(client.nic("eth0").address());
    lab.assertNoLeaks();
  }

  @Test
  void mutatedRepliesNeverThrowNorLeak() {
    Tap tap = lab.tap(sw, "p9");
    lab.start();
    dhcp.add(client.nic("eth0"));
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(2131);
    for (int i = 0; i < 2000; i++) {
      int xid = (int) last(DhcpEvent.ClientSent.class).xid();
      int type = new int[] {DhcpMessage.OFFER, DhcpMessage.ACK, DhcpMessage.NAK}[rnd.nextInt(3)];
      ByteBuf b = Unpooled.buffer();
      new DhcpMessage.Writer().begin(b, DhcpMessage.OP_REPLY, xid, 0, DhcpMessage.FLAG_BROADCAST, 0,
              Ipv4Address.parse("192.168.1.100"), 0, 0, client.mac("eth0"))
          .optionByte(DhcpMessage.OPT_MESSAGE_TYPE, type)
          .optionInt(DhcpMessage.OPT_SERVER_ID, Ipv4Address.parse("192.168.1.2"))
          .optionInt(DhcpMessage.OPT_LEASE_TIME, 3600)
          .optionInt(DhcpMessage.OPT_SUBNET_MASK, 0xFFFFFF00)
          .optionInts(DhcpMessage.OPT_ROUTER, new int[] {Ipv4Address.parse("192.168.1.1")})
          .optionInts(DhcpMessage.OPT_DNS, new int[] {Ipv4Address.parse("192.168.1.53")}).finish();
      byte[] m = new byte[b.readableBytes()];
      b.readBytes(m);
      for (int e = 1 + rnd.nextInt(4); e > 0; e--) {
        // mostly yiaddr and the options, where the client decides
        int at = rnd.nextBoolean() ? DhcpMessage.OPTIONS + rnd.nextInt(50) : DhcpMessage.YIADDR + rnd.nextInt(4);
        m[at] = (byte) rnd.nextInt(256);
      }
      byte[] frame = PacketBuilder.ipv4("192.168.1.2", "255.255.255.255").eth(MacAddress.BROADCAST_BITS,
          srv.mac("eth0")).udp(67, 68, m).frame();
      org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> tap.inject(frame));
      lab.advance(VirtualLab.millis(rnd.nextInt(3000)));
    }
    assertTrue(client.nic("eth0").address() == null || client.nic("eth0").address().prefixLength() <= 30);
    assertFalse(client.events(DhcpEvent.ClientBound.class).isEmpty(), "some mutants still lease");
    assertFalse(client.events(DhcpEvent.ClientNak.class).isEmpty(), "and some refuse");
    dhcp.stop();
    lab.advance(VirtualLab.seconds(1));
    lab.assertNoLeaks();
  }

  private <T extends DhcpEvent> T last(Class<T> type) {
    List<T> all = client.events(type);
    return all.get(all.size() - 1);
  }
}
