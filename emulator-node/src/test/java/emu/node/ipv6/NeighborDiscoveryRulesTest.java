package emu.node.ipv6;

import static emu.node.ipv6.NdpFrames.FORGER_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.event.Ipv6Event;
import emu.node.ipv6.NdpFrames.Prefix;
import emu.node.stack.DropReason;
import emu.node.stack.NeighborCache;
import emu.node.stack.NeighborState;
import emu.node.testing.LabNode;
import emu.node.testing.VirtualLab;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Extensions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The rules of RFC 4861 and 4862 a forger on the link tests, on virtual time: h1 (SLAAC) and
 * router r1 share a link; frames are injected into their interfaces as if they had arrived.
 */
class NeighborDiscoveryRulesTest {
  private static final long S = 1_000_000_000L;
  private static final long R1_MAC = 0x02_00_00_00_05_00L;
  private static final Ipv6Address R1_LL = Ipv6Address.parse("fe80::ff:fe00:500");
  private static final Ipv6Address R1 = Ipv6Address.parse("2001:db8:1::1");
  private static final Ipv6Address H1_LL = Ipv6Address.parse("fe80::ff:fe00:100");
  private static final long H1_MAC = 0x02_00_00_00_01_00L;
  private final VirtualLab lab = new VirtualLab(41);
  private final LabNode h1 = lab.host("h1");
  private final LabNode r1 = lab.router("r1");
  private final LabNode h2 = lab.host("h2");

  NeighborDiscoveryRulesTest() {
    lab.connect(h1, "eth0", "02:00:00:00:01:00", null, r1, "eth0", "02:00:00:00:05:00", null, 1500);
    lab.connect(r1, "eth1", "02:00:00:00:05:01", null, h2, "eth0", "02:00:00:00:08:00", null, 1500);
    h1.ipv6("eth0", true);
    r1.ipv6("eth0", false, "2001:db8:1::1/64").ipv6("eth1", false, "2001:db8:5::1/64");
    h2.ipv6("eth0", false, "2001:db8:5::100/64");
  }

  @AfterEach
  void close() {
    lab.close();
  }

  private void startAndSettle() {
    lab.start();
    lab.advance(4 * S);
  }

  private Ipv6Interface h1eth0() {
    return h1.ipv6().interfaces().get(0);
  }

  private long raRoutes(boolean defaults) {
    return h1.ipv6().routes().routes().stream()
        .filter(r -> r.kind() == Ipv6Route.Kind.RA && r.isDefault() == defaults).count();
  }

  @Test
  void aFloodOfSolicitationsGetsOneAdvertisement() {
    startAndSettle();
    int before = r1.events(Ipv6Event.RouterAdvertisementSent.class).size();
    int pendingBefore = lab.time().pending();
    for (int i = 0; i < 200; i++) {
      r1.inject("eth0", NdpFrames.rs(FORGER_MAC, Ipv6Address.UNSPECIFIED));
    }
    assertTrue(lab.time().pending() <= pendingBefore + 1, "one pending answer, not 200");
    lab.advance(4 * S);
    assertEquals(1, r1.events(Ipv6Event.RouterAdvertisementSent.class).size() - before);
  }

  @Test
  void forgedAdvertisementsCannotGrowAHostWithoutBound() {
    startAndSettle();
    for (int r = 0; r < 100; r++) {
      Prefix[] prefixes = new Prefix[8];
      for (int k = 0; k < 8; k++) {
        prefixes[k] = Prefix.slaac("2001:db8:" + Integer.toHexString(0x100 + r) + ":" + k + "::", 86400, 3600);
      }
      h1.inject("eth0", NdpFrames.ra(FORGER_MAC + r, Ipv6Address.parse("fe80::66:" + Integer.toHexString(r + 1)),
          1800, 64, 0, prefixes));
    }
    lab.advance(3 * S);
    long slaac = h1eth0().addresses().stream()
        .filter(a -> a.origin() == Ipv6InterfaceAddress.Origin.SLAAC).count();
    assertEquals(NeighborDiscovery.MAX_SLAAC_ADDRESSES, slaac, "Linux's max_addresses");
    assertEquals(NeighborDiscovery.MAX_DEFAULT_ROUTERS, raRoutes(true));
    assertEquals(NeighborDiscovery.MAX_RA_PREFIXES, raRoutes(false), "r1's own prefix and the forger's, capped");
    assertTrue(lab.time().pending() < 200, "timers: " + lab.time().pending());
  }

  @Test
  void aRefreshedPrefixKeepsOneLifetimeTimer() {
    startAndSettle();
    Ipv6Address forger = Ipv6Address.parse("fe80::66:1");
    h1.inject("eth0", NdpFrames.ra(FORGER_MAC, forger, 1800, 64, 0, Prefix.slaac("2001:db8:77::", 86400, 3600)));
    lab.advance(3 * S);
    int pending = lab.time().pending();
    for (int i = 0; i < 1000; i++) {
      h1.inject("eth0", NdpFrames.ra(FORGER_MAC, forger, 1800, 64, 0, Prefix.slaac("2001:db8:77::", 86400, 3600)));
    }
    assertTrue(lab.time().pending() <= pending + 2, "was " + pending + ", now " + lab.time().pending());
  }

  @Test
  void advertisementFlagsFollowRfc4861Section725() {
    startAndSettle();
    lab.exec(h1, "ping -c 1 2001:db8:1::1").assertExit(0);
    NeighborCache cache = h1eth0().neighbors();
    assertEquals(NeighborState.REACHABLE, cache.lookup(R1.hi(), R1.lo()).state());
    // solicited, no override, another address: the cached one stays, no longer trusted
    h1.inject("eth0", NdpFrames.na(FORGER_MAC, H1_MAC, R1, H1_LL, R1, 0x40, FORGER_MAC));
    assertEquals(R1_MAC, cache.lookup(R1.hi(), R1.lo()).mac());
    assertEquals(NeighborState.STALE, cache.lookup(R1.hi(), R1.lo()).state());
    // override: the new address is taken, as STALE (unsolicited)
    h1.inject("eth0", NdpFrames.na(FORGER_MAC, H1_MAC, R1, H1_LL, R1, 0x20, FORGER_MAC));
    assertEquals(FORGER_MAC, cache.lookup(R1.hi(), R1.lo()).mac());
    assertEquals(NeighborState.STALE, cache.lookup(R1.hi(), R1.lo()).state());
    // solicited with the same address: REACHABLE
    h1.inject("eth0", NdpFrames.na(FORGER_MAC, H1_MAC, R1, H1_LL, R1, 0x40, FORGER_MAC));
    assertEquals(NeighborState.REACHABLE, cache.lookup(R1.hi(), R1.lo()).state());
  }

  @Test
  void aRouterThatStopsBeingOneLeavesTheDefaultRouterList() {
    startAndSettle();
    NeighborCache.Entry router = h1eth0().neighbors().lookup(R1_LL.hi(), R1_LL.lo());
    assertNotNull(router);
    assertTrue(router.router(), "learned from its advertisement");
    assertEquals(1, raRoutes(true));
    assertTrue(lab.exec(h1, "ip -6 neigh").output().contains("lladdr 02:00:00:00:05:00 router "));
    h1.inject("eth0", NdpFrames.na(R1_MAC, H1_MAC, R1_LL, H1_LL, R1_LL, 0x20, R1_MAC)); // R flag clear
    assertFalse(router.router());
    assertEquals(0, raRoutes(true));
  }

  @Test
  void routerLifetimeZeroRemovesTheDefaultRoute() {
    startAndSettle();
    assertEquals(1, raRoutes(true));
    h1.inject("eth0", NdpFrames.ra(R1_MAC, R1_LL, 0, 64, 0, Prefix.slaac("2001:db8:1::", 2_592_000, 604_800)));
    assertEquals(0, raRoutes(true));
  }

  @Test
  void slaacLifetimesFollowRfc4862Section553() {
    startAndSettle();
    Ipv6Address forger = Ipv6Address.parse("fe80::66:1");
    // a new prefix with preferred lifetime 0: the address is made, but deprecated from the start
    h1.inject("eth0", NdpFrames.ra(FORGER_MAC, forger, 0, 0, 0, Prefix.slaac("2001:db8:aa::", 3600, 0)));
    lab.advance(3 * S);
    assertEquals(Ipv6InterfaceAddress.State.DEPRECATED,
        h1eth0().find(Ipv6Address.parse("2001:db8:aa::ff:fe00:100")).state());
    // an existing address: preferred 0 deprecates it; a valid lifetime under two hours cannot cut
    // one that has more than two hours left below two hours (the two-hour rule)
    Ipv6InterfaceAddress a = h1eth0().find(Ipv6Address.parse("2001:db8:1::ff:fe00:100"));
    assertEquals(Ipv6InterfaceAddress.State.PREFERRED, a.state());
    long now = lab.time().nanos();
    h1.inject("eth0", NdpFrames.ra(R1_MAC, R1_LL, 1800, 64, 0, Prefix.slaac("2001:db8:1::", 60, 0)));
    assertEquals(Ipv6InterfaceAddress.State.DEPRECATED, a.state());
    assertEquals(now + 7200 * S, a.validUntil());
    // valid lifetime 0 for an existing address is the same rule: two hours left
    h1.inject("eth0", NdpFrames.ra(R1_MAC, R1_LL, 1800, 64, 0, Prefix.slaac("2001:db8:1::", 0, 0)));
    assertEquals(now + 7200 * S, a.validUntil());
    // the forger's prefix is never refreshed: its address goes when its valid lifetime ends
    lab.advance(3600 * S);
    assertEquals(null, h1eth0().find(Ipv6Address.parse("2001:db8:aa::ff:fe00:100")), "removed when valid ends");
  }

  @Test
  void anMtuOptionOutOfRangeIsIgnored() {
    startAndSettle();
    h1.inject("eth0", NdpFrames.ra(R1_MAC, R1_LL, 1800, 64, 1000, Prefix.slaac("2001:db8:1::", 2_592_000, 604_800)));
    assertEquals(1500, h1eth0().mtu(), "below the IPv6 minimum 1280");
    h1.inject("eth0", NdpFrames.ra(R1_MAC, R1_LL, 1800, 64, 1400, Prefix.slaac("2001:db8:1::", 2_592_000, 604_800)));
    assertEquals(1400, h1eth0().mtu());
    h1.inject("eth0", NdpFrames.ra(R1_MAC, R1_LL, 1800, 64, 9000, Prefix.slaac("2001:db8:1::", 2_592_000, 604_800)));
    assertEquals(1400, h1eth0().mtu(), "above the link's MTU");
  }

  @Test
  void theCurrentHopLimitOfAnAdvertisementIsUsed() {
    startAndSettle();
    h1.inject("eth0", NdpFrames.ra(R1_MAC, R1_LL, 1800, 17, 0, Prefix.slaac("2001:db8:1::", 2_592_000, 604_800)));
    assertEquals(17, h1.ipv6().hopLimit());
  }

  /** An echo request from {@code src} to {@code dst}, in a frame to {@code dstMac}. */
  private static byte[] echo(Ipv6Address src, Ipv6Address dst, long dstMac) {
    byte[] icmp = {(byte) 128, 0, 0, 0, 0, 1, 0, 1, 'h', 'i'};
    return NdpFrames.frame(FORGER_MAC, dstMac, src, dst, 64, Ipv6Extensions.ICMPV6, icmp);
  }

  @Test
  void aRouterNeverForwardsToItsOwnAddressNorFromTheUnspecifiedOne() {
    lab.start();
    // while r1 checks 2001:db8:1::1, someone says it holds it: r1's is now a duplicate
    h1.ipv6(); // (h1 keeps quiet here)
    r1.inject("eth0", NdpFrames.na(FORGER_MAC, Ipv6Address.ALL_NODES.multicastMac(), Ipv6Address.parse("fe80::66:1"),
        Ipv6Address.ALL_NODES, R1, 0x20, FORGER_MAC));
    lab.advance(4 * S);
    assertEquals(Ipv6InterfaceAddress.State.DUPLICATE, r1.ipv6().interfaces().get(0).find(R1).state());
    long forwarded = r1.ipv6().counters().forwarded;
    r1.inject("eth0", echo(Ipv6Address.parse("2001:db8:1::66"), R1, R1_MAC));
    assertEquals(forwarded, r1.ipv6().counters().forwarded, "to its own (duplicate) address: not forwarded");
    r1.inject("eth0", echo(Ipv6Address.UNSPECIFIED, Ipv6Address.parse("2001:db8:5::100"), R1_MAC));
    assertEquals(forwarded, r1.ipv6().counters().forwarded, "from ::: not forwarded");
    assertEquals(1, r1.drops(DropReason.IPV6_MARTIAN));
  }

  @Test
  void noErrorAboutAnErrorEvenBehindExtensionHeaders() {
    startAndSettle();
    // destination options with an option of type 10xxxxxx (discard, and report), then an ICMPv6
    // error: the packet is discarded, and no parameter problem goes back about it
    byte[] upper = {
        (byte) Ipv6Extensions.ICMPV6, 0, (byte) 0x80, 4, 0, 0, 0, 0, // destination options, 8 bytes
        1, 0, 0, 0, 0, 0, 0, 0}; // ICMPv6 destination unreachable (nothing quoted)
    long errors = r1.ipv6().counters().icmpErrorsSent;
    r1.inject("eth0", NdpFrames.frame(H1_MAC, R1_MAC, Ipv6Address.parse("2001:db8:1::ff:fe00:100"), R1, 64,
        Ipv6Extensions.DESTINATION_OPTIONS, upper));
    assertEquals(errors, r1.ipv6().counters().icmpErrorsSent);
    // the same options before an echo request do draw the parameter problem
    byte[] echoUpper = {
        (byte) Ipv6Extensions.ICMPV6, 0, (byte) 0x80, 4, 0, 0, 0, 0,
        (byte) 128, 0, 0, 0, 0, 1, 0, 1};
    r1.inject("eth0", NdpFrames.frame(H1_MAC, R1_MAC, Ipv6Address.parse("2001:db8:1::ff:fe00:100"), R1, 64,
        Ipv6Extensions.DESTINATION_OPTIONS, echoUpper));
    assertEquals(errors + 1, r1.ipv6().counters().icmpErrorsSent);
  }

  @Test
  void anIpv4MappedSourceIsAMartian() {
    startAndSettle();
    long sent = r1.ipv6().counters().sent;
    r1.inject("eth0", echo(Ipv6Address.parse("::ffff:10.0.0.5"), R1, R1_MAC));
    assertEquals(1, r1.drops(DropReason.IPV6_MARTIAN), "never on a wire (RFC 4291 2.5.5.2)");
    lab.advance(S);
    assertEquals(sent, r1.ipv6().counters().sent, "no answer");
  }
}
