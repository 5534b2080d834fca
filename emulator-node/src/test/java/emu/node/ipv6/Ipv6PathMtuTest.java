package emu.node.ipv6;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.event.IpEvent;
import emu.node.event.Ipv6Event;
import emu.node.stack.DropReason;
import emu.node.stack.SendResult;
import emu.node.testing.CommandRun;
import emu.node.testing.LabNode;
import emu.node.testing.NarrowIpv6Path;
import emu.node.testing.VirtualLab;
import emu.node.wire.Icmpv6Packet;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Extensions;
import emu.node.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Source fragmentation and path MTU discovery for UDP and ICMPv6 across a link of the IPv6
 * minimum MTU, on virtual time (RFC 8200 4.5, RFC 8201): the first large packet goes out in
 * fragments of the first link's 1500 bytes, r1 (a router: it never fragments) answers packet too
 * big with 1280, h1 lowers its path MTU to h2 and fragments to 1280 from then on; h2 reassembles.
 * r1 and r2 pass fragments on without reassembling them, and the path MTU is forgotten after 10
 * minutes. The path is {@link NarrowIpv6Path}'s: h1 --1500-- r1 --1280-- r2 --1500-- h2.
 */
class Ipv6PathMtuTest {
  static final long S = 1_000_000_000L;
  static final Ipv6Address H2 = Ipv6Address.parse("2001:db8:2::2");

  private final VirtualLab lab = new VirtualLab(1280);
  private final LabNode[] path = NarrowIpv6Path.build(lab);
  private final LabNode h1 = path[0];
  private final LabNode r1 = path[1];
  private final LabNode r2 = path[2];
  private final LabNode h2 = path[3];

  Ipv6PathMtuTest() {
    h1.clearRecords();
    h2.clearRecords();
    r1.clearRecords();
  }

  @AfterEach
  void close() {
    lab.close();
  }

  private int pathMtuToH2() {
    return h1.ipv6().pathMtu(H2, h1.ipv6().interfaceOf(h1.nic("eth0")));
  }

  private SendResult sendUdp(byte[] data) {
    ByteBuf b = h1.stack().allocate(data.length);
    b.writeBytes(data);
    return h1.ipv6().udp().send(null, 40000, H2, null, 9000, 64, b);
  }

  /** IPv6 lengths of the fragments {@code n} put on a wire. */
  private static List<Integer> fragmentsSent(LabNode n) {
    return n.events(IpEvent.FrameSent.class).stream().filter(e -> e.packet().fragmentId() != null)
        .map(e -> e.packet().length()).toList();
  }

  @Test
  void aUdpDatagramOverThePathMtuIsRefragmentedAfterPacketTooBigAndArrivesWhole() {
    List<byte[]> got = new ArrayList<>();
    h2.ipv6().udp().bind(9000, (src, sp, dst, dp, payload) -> {
      byte[] b = new byte[payload.readableBytes()];
      payload.getBytes(payload.readerIndex(), b);
      got.add(b);
    });
    byte[] data = new byte[3000];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 31 + 7);
    }
    assertEquals(1500, pathMtuToH2());
    long[] r1Drops = r1.dropSnapshot();
    assertEquals(SendResult.SENT, sendUdp(data));
    lab.advance(S);
    // 3008 bytes of UDP in fragments of 1448, 1448 and 112 bytes of data: the first two do not fit r1's
    // 1280 link, and r1 says so; the third reaches h2 and waits there for the others
    assertEquals(List.of(1496, 1496, 160), fragmentsSent(h1));
    assertEquals(Map.of(DropReason.MTU_EXCEEDED, 2L), r1.dropsSince(r1Drops));
    assertEquals(List.of(), got);
    assertEquals(1280, pathMtuToH2());
    Ipv6Event.PathMtuLowered learnt = h1.events(Ipv6Event.PathMtuLowered.class).get(0);
    assertEquals(List.of("2001:db8:2::2", "1280", "2001:db8:1::1"), List.of(learnt.dst(),
        String.valueOf(learnt.mtu()), learnt.reportedBy()));
    assertEquals(1, h1.ipv6().counters().pathMtuLowered, "the second packet too big says nothing new");

    // the application sends again (UDP does not): three fragments of at most 1280 bytes
    h1.clearRecords();
    assertEquals(SendResult.SENT, sendUdp(data));
    lab.advance(S);
    assertEquals(List.of(1280, 1280, 592), fragmentsSent(h1));
    assertEquals(1, got.size());
    assertArrayEquals(data, got.get(0), "the datagram arrives whole");
    Ipv6Event.Fragmented f = h1.events(Ipv6Event.Fragmented.class).get(0);
    assertEquals(List.of(3048, 1280, 3), List.of(f.length(), f.mtu(), f.fragments()));
    // routers pass fragments on: they reassemble nothing that is not theirs
    assertEquals(0, r1.ipv6().counters().reassemblyRequired + r2.ipv6().counters().reassemblyRequired);
    assertEquals(1, h2.ipv6().counters().reassembled);

    // the first datagram's third fragment times out at h2, without an error: its first never came
    long[] h2Drops = h2.dropSnapshot();
    lab.advance(60 * S);
    assertEquals(Map.of(DropReason.IPV6_REASSEMBLY_TIMEOUT, 1L), h2.dropsSince(h2Drops));
    assertEquals(0, h2.ipv6().counters().icmpErrorsSent);

    // 10 minutes after it was learnt the path MTU is forgotten, and discovery starts again
    CommandRun get = lab.exec(h1, "ip -6 route get 2001:db8:2::2");
    assertTrue(get.output().matches("2001:db8:2::2 from :: via fe80::ff:fe00:101 dev eth0 proto ra src "
        + "2001:db8:1::2 metric 1024 expires \\d+sec mtu 1280 pref medium"), get.output());
    lab.advance(600 * S);
    assertEquals(1500, pathMtuToH2());
    assertTrue(lab.exec(h1, "ip -6 route get 2001:db8:2::2").output().endsWith("metric 1024 pref medium"));
  }

  @Test
  void pingWith3000BytesHearsPacketTooBigThenGetsItsRepliesInFragments() {
    CommandRun ping = lab.exec(h1, "ping -6 -c 4 -s 3000 2001:db8:2::2");
    String out = ping.output();
    assertTrue(out.contains("PING 2001:db8:2::2(2001:db8:2::2) 3000 data bytes"), out);
    // the first request: r1 cannot pass its 1500-byte fragments; h1 learns 1280
    assertTrue(out.contains("From 2001:db8:1::1 icmp_seq=1 Packet too big: mtu=1280"), out);
    // the second reaches h2, whose reply, in fragments of its own 1500-byte link, r2 cannot pass:
    // h2 learns the path MTU back to h1 the same way, and that reply is lost
    assertEquals(List.of("3", "4"), ping.extract("^3008 bytes from 2001:db8:2::2: icmp_seq=(\\d+) ttl=62"), out);
    assertTrue(out.contains("4 packets transmitted, 2 received, +1 errors"), out);
    assertEquals(3, h2.ipv6().counters().reassembled);
    assertEquals(1280, h2.ipv6().pathMtu(Ipv6Address.parse("2001:db8:1::2"),
        h2.ipv6().interfaceOf(h2.nic("eth0"))));
    assertEquals(2, r2.ipv6().counters().icmpErrorsSent, "one per fragment it could not pass");
    assertEquals(2, h1.ipv6().counters().reassembled);
    assertTrue(h2.events(Ipv6Event.Reassembled.class).stream().allMatch(e -> e.length() == 3048));
    for (int len : fragmentsSent(h1)) {
      assertTrue(len <= 1500);
    }
    // nothing was lost but what the routers could not pass (and what waited for it)
    assertEquals(0, h1.ipv6().counters().reassemblyFailed);
  }

  @Test
  void theFirstFragmentsQuotedInPacketTooBigAreRecognisedByPing() {
    // what r1 quotes: the fixed header, the fragment header (offset 0), the echo header with ping's ident
    CommandRun ping = lab.exec(h1, "ping -6 -c 1 -s 2000 2001:db8:2::2");
    assertTrue(ping.output().contains("Packet too big: mtu=1280"), ping.output());
    Ipv6Event.ErrorSent e = r1.events(Ipv6Event.ErrorSent.class).get(0);
    assertEquals(Icmpv6Packet.TYPE_PACKET_TOO_BIG, e.icmpType());
    assertEquals(0, e.about().fragmentOffset());
    assertEquals(Ipv6Extensions.ICMPV6, e.about().protocol());
    assertEquals(Icmpv6Packet.TYPE_ECHO_REQUEST, e.about().icmp().type());
    assertEquals(Ipv6Packet.HEADER_LEN + Ipv6Extensions.FRAGMENT_HEADER_LEN, e.about().headerLength());
  }

  @Test
  void aFragmentFloodAtTheRouterNeitherStopsItsForwardingNorTakesMoreThanItsMemory() {
    // a forger on h1's link sends r1 first fragments that never complete, each under a new
    // identification, 50 every 10 ms for two seconds, while h1 pings h2 through r1
    Ipv6Address r1Address = Ipv6Address.parse("2001:db8:1::1");
    Ipv6Address forger = Ipv6Address.parse("2001:db8:1::66");
    byte[] junk = new byte[1232];
    long[] drops = r1.dropSnapshot();
    int[] sent = {0};
    for (int burst = 0; burst < 200; burst++) {
      lab.time().schedule(() -> {
        for (int i = 0; i < 50; i++) {
          r1.inject("eth0", Ipv6ReassemblyTest.fragment(0x02_66_00_00_00_01L, r1.mac("eth0"), forger, r1Address,
              new byte[0], Ipv6Extensions.UDP, sent[0]++, junk, 0, junk.length, true));
        }
      }, burst * 10_000_000L);
    }
    long forwarded = r1.ipv6().counters().forwarded;
    CommandRun ping = lab.exec(h1, "ping -6 -c 10 -i 0.2 2001:db8:2::2");
    assertTrue(ping.output().contains("10 packets transmitted, 10 received, 0% packet loss"), ping.output());
    assertEquals(20, r1.ipv6().counters().forwarded - forwarded, "every request and reply forwarded");
    lab.advance(S); // the flood's last bursts
    assertEquals(10_000, sent[0]);
    long held = r1.ipv6().reassemblyMemory();
    assertTrue(held <= Ipv6Reassembly.DEFAULT_MEMORY_LIMIT && held > Ipv6Reassembly.DEFAULT_MEMORY_LIMIT / 2,
        "r1 holds up to its limit: " + held);
    Map<DropReason, Long> dropped = r1.dropsSince(drops);
    assertTrue(dropped.get(DropReason.IPV6_REASSEMBLY_MEMORY) > 5000, dropped.toString());
    assertEquals(sent[0], r1.ipv6().counters().reassemblyRequired);
    assertEquals(sent[0] - dropped.get(DropReason.IPV6_REASSEMBLY_MEMORY), r1.ipv6().reassemblyQueues());
    // a minute later everything has timed out, and r1 told the forger about each (rate limited)
    lab.advance(61 * S);
    assertEquals(0, r1.ipv6().reassemblyMemory());
    assertEquals(0, r1.ipv6().reassemblyQueues());
    assertTrue(r1.ipv6().counters().icmpRateLimited > 0);
  }
}
