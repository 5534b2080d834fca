package emu.node.ipv6;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.event.IpEvent;
import emu.node.event.Ipv6Event;
import emu.node.stack.NeighborState;
import emu.node.testing.LabNode;
import emu.node.testing.LabSwitch;
import emu.node.testing.VirtualLab;
import emu.node.wire.Ipv6Address;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Frames exactly as Linux 6.18 sends them on a linux node's interface (taken from the captures of
 * LinuxIpv6InteropTest's lab and of a namespace with {@code force_mld_version=1}), handed to an emu
 * router and host: the kernel's MLD reports are ignored without a drop or an ICMPv6 error (a
 * report to a group the interface has not joined goes no further than a NIC's multicast filter;
 * one to a group it has joined, behind its hop-by-hop Router Alert, is delivered and ignored as
 * an ICMPv6 type emu has no use for); its duplicate address probe, with the nonce option of
 * RFC 7527, is read as a probe; its router solicitation is answered.
 *
 * <pre>
 *   kern (02:00:00:00:0a:01, frames injected) --- sw1 --- r1 eth0 2001:db8:1::1/64
 *   h1 (autoconf) --------------------------------/
 * </pre>
 */
class LinuxFramesTest {
  private static final long S = 1_000_000_000L;
  private static final HexFormat HEX = HexFormat.of();

  /** MLDv2 report from fe80::ff:fe00:a01 to ff02::16 (hop-by-hop Router Alert, PadN): joins ff02::1:ff00:a01. */
  static final byte[] MLDV2_REPORT = HEX.parseHex("333300000016020000000a0186dd6000000000240001fe80000000000000000000"
      + "fffe000a01ff0200000000000000000000000000163a000502000001008f005e070000000104000000ff020000000000000000"
      + "0001ff000a01");
  /**
   * MLDv1 report from :: (RFC 3590) to ff02::1:ff00:1, the solicited-node group of 2001:db8:1::1000:1
   * and so also of r1's 2001:db8:1::1: this one reaches r1's IPv6 layer.
   */
  static final byte[] MLDV1_REPORT_TO_R1S_GROUP = HEX.parseHex("3333ff000001020000000a0386dd60000000002000010000"
      + "0000000000000000000000000000ff0200000000000000000001ff0000013a00050200000100830080a100000000ff02000000"
      + "00000000000001ff000001");
  /** The kernel's duplicate address probe for 2001:db8:1::1000:1: from ::, with a nonce option (type 14). */
  static final byte[] DAD_PROBE_WITH_NONCE = HEX.parseHex("3333ff000001020000000a0386dd6000000000203aff000000"
      + "00000000000000000000000000ff0200000000000000000001ff0000018700153a0000000020010db80001000000000000100000"
      + "010e010b48c25c4c04");
  /** Router solicitation from fe80::ff:fe00:a01 with its source link-layer address. */
  static final byte[] ROUTER_SOLICITATION = HEX.parseHex("333300000002020000000a0186dd6000000000103afffe80000000"
      + "000000000000fffe000a01ff0200000000000000000000000000028500672c000000000101020000000a01");

  private final VirtualLab lab = new VirtualLab(23);
  private final LabNode r1 = lab.router("r1");
  private final LabNode h1 = lab.host("h1");
  private final LabSwitch sw1 = lab.bridge("sw1");

  LinuxFramesTest() {
    lab.connect(r1, "eth0", "02:00:00:00:01:01", null, sw1, "p1");
    lab.connect(h1, "eth0", "02:00:00:00:02:00", null, sw1, "p2");
    r1.ipv6("eth0", false, "2001:db8:1::1/64");
    h1.ipv6("eth0", true);
    lab.start();
    lab.advance(5 * S);
    r1.clearRecords();
    h1.clearRecords();
  }

  @AfterEach
  void close() {
    lab.close();
  }

  @Test
  void mldv2ReportsToAllMldRoutersStopAtTheMulticastFilterWithoutADrop() {
    for (LabNode n : List.of(r1, h1)) {
      long[] before = n.dropSnapshot();
      long filtered = n.ipv6().counters().multicastFiltered;
      long received = n.ipv6().counters().received;
      n.inject("eth0", MLDV2_REPORT);
      lab.advance(S);
      assertEquals(Map.of(), n.dropsSince(before), n + " drops an MLD report");
      assertEquals(filtered + 1, n.ipv6().counters().multicastFiltered, n + " counts it as filtered multicast");
      assertEquals(received + 1, n.ipv6().counters().received);
      assertEquals(List.of(), n.events(Ipv6Event.ErrorSent.class), n + " answers it with an error");
      assertEquals(List.of(), n.events(IpEvent.Received.class), n + " tells of it as a packet for it");
      assertEquals(List.of(), n.events(IpEvent.Dropped.class));
    }
  }

  @Test
  void anMldv1ReportToAJoinedGroupIsDeliveredAndIgnoredQuietly() {
    long[] before = r1.dropSnapshot();
    long delivered = r1.ipv6().counters().delivered;
    r1.inject("eth0", MLDV1_REPORT_TO_R1S_GROUP);
    lab.advance(S);
    assertEquals(Map.of(), r1.dropsSince(before), "the Router Alert option is skipped, the report not refused");
    assertEquals(delivered + 1, r1.ipv6().counters().delivered);
    assertEquals(List.of(), r1.events(Ipv6Event.ErrorSent.class), "no parameter problem about the hop-by-hop header");
    assertEquals(List.of(), r1.events(IpEvent.Dropped.class));
  }

  @Test
  void theKernelsDuplicateAddressProbeWithANonceIsReadAsAProbe() {
    long[] before = r1.dropSnapshot();
    long ndp = r1.ipv6().counters().ndpReceived;
    r1.inject("eth0", DAD_PROBE_WITH_NONCE);
    lab.advance(S);
    assertEquals(Map.of(), r1.dropsSince(before), "the nonce option is skipped as an unknown option must be");
    assertEquals(ndp + 1, r1.ipv6().counters().ndpReceived);
    Ipv6Event.SolicitationHeard heard = r1.events(Ipv6Event.SolicitationHeard.class).get(0);
    assertEquals(List.of("::", "2001:db8:1::1000:1", false), List.of(heard.src(), heard.target(), heard.forMe()));
    assertEquals(List.of(), r1.events(Ipv6Event.AdvertisementSent.class), "not r1's address: nothing to defend");
    assertEquals(Ipv6InterfaceAddress.State.PREFERRED,
        r1.ipv6().interfaces().get(0).find(Ipv6Address.parse("2001:db8:1::1")).state());
  }

  @Test
  void theKernelsRouterSolicitationIsAnswered() {
    r1.inject("eth0", ROUTER_SOLICITATION);
    lab.advance(4 * S); // an answer within MAX_RA_DELAY_TIME, but not sooner than 3 s after the last
    assertEquals("fe80::ff:fe00:a01", r1.events(Ipv6Event.RouterSolicitationHeard.class).get(0).src());
    Ipv6Event.RouterAdvertisementSent ra = r1.events(Ipv6Event.RouterAdvertisementSent.class).get(0);
    assertEquals(List.of("ff02::1", List.of("2001:db8:1::/64")), List.of(ra.dst(), ra.prefixes()));
    Ipv6Address kern = Ipv6Address.parse("fe80::ff:fe00:a01");
    var entry = r1.ipv6().interfaces().get(0).neighbors().lookup(kern.hi(), kern.lo());
    assertEquals(0x02_00_00_00_0a_01L, entry.mac(), "the solicitation's source link-layer address is learned");
    assertTrue(entry.state() == NeighborState.STALE || entry.state() == NeighborState.REACHABLE, entry.state().name());
    assertFalse(h1.events(Ipv6Event.RouterAdvertisementHeard.class).isEmpty(), "h1 hears the answer too");
  }
}
