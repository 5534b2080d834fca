package emu.node.stack;

import static emu.node.testing.CorporateNetwork.mac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.wire.MacAddress;
import emu.node.testing.CapturedFrame;
import emu.node.testing.CorporateNetwork;
import emu.node.testing.FrameMatcher;
import emu.node.testing.PacketBuilder;
import emu.node.testing.Tap;
import emu.node.testing.VirtualLab;
import emu.node.wire.ArpPacket;
import emu.node.wire.IcmpPacket;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ARP cache at work inside whole nodes: queueing, giving up, re-checking, announcements. */
class NeighborIntegrationTest {
  private static final long R1_ETH0 = mac(CorporateNetwork.R1_ETH0_MAC);
  private static final long CLIENT = mac(CorporateNetwork.CLIENT_MAC);

  private VirtualLab lab;
  private CorporateNetwork net;

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(21);
    net = CorporateNetwork.start(lab);
    net.clearRecords();
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  @Test
  void arpQueueIsBoundedDropsOldestAndLeaksNothing() {
    // r1 learns the client first, so that its ICMP errors need no ARP of their own.
    lab.exec(net.client, "ping -c 1 192.168.1.1").assertExit(0);
    int queueLength = NeighborCache.Params.LINUX.queueLength();
    int sent = queueLength + 6;
    for (int i = 0; i < sent; i++) {
      net.r1.inject("eth0", PacketBuilder.ipv4("192.168.1.100", "192.168.5.77").ident(i).eth(R1_ETH0, CLIENT)
          .udp(40000, 1000 + i, new byte[8]).frame());
    }
    NeighborCache.Entry e = net.r1.neighbor("eth1", "192.168.5.77");
    assertEquals(NeighborState.INCOMPLETE, e.state());
    assertEquals(queueLength, e.queued());
    assertEquals(6, net.r1.drops(DropReason.ARP_QUEUE_FULL));
    assertEquals(1, FrameMatcher.arpRequest().arpTarget("192.168.5.77").select(net.r1.sent("eth1")).size(),
        "one resolution for all the queued packets");

    lab.settle();
    assertEquals(NeighborState.FAILED, e.state());
    assertEquals(0, e.queued());
    assertEquals(queueLength, net.r1.drops(DropReason.ARP_TIMEOUT));
    // Each survivor got a host unreachable (as far as the ICMP rate limit allows), oldest first:
    // the six oldest (ports 1000..1005) were the ones dropped.
    List<CapturedFrame> errors = FrameMatcher.ipv4()
        .icmp(IcmpPacket.TYPE_DEST_UNREACHABLE, IcmpPacket.CODE_HOST_UNREACHABLE).select(net.r1.sent("eth0"));
    assertEquals(net.r1.counters().icmpErrorsSent, errors.size());
    assertEquals(queueLength, errors.size() + net.r1.counters().icmpRateLimited);
    for (int i = 0; i < errors.size(); i++) {
      assertEquals(1006 + i, errors.get(i).icmp().quotedDstPort());
    }
    // lab.close() (after each test) fails if any of the 70 buffers is still referenced.
  }

  @Test
  void hostQueuesWhileResolvingGatewayAndSendsInOrder() {
    for (int i = 0; i < 5; i++) {
      io.netty.buffer.ByteBuf data = net.client.stack().allocate(1);
      data.writeByte(i);
      net.client.stack().udp().send(0, 7000, emu.node.wire.Ipv4Address.parse("192.168.5.100"), 7000 + i, 64, data);
    }
    assertEquals(5, net.client.neighbor("eth0", "192.168.1.1").queued());
    lab.settle();
    List<CapturedFrame> out = FrameMatcher.ipv4().select(net.client.sent("eth0"));
    assertEquals(List.of(7000, 7001, 7002, 7003, 7004), out.stream().map(f -> f.udp().dstPort()).toList());
    FrameMatcher.ipv4().ethDst(R1_ETH0).assertAll(out);
  }

  @Test
  void staleGatewayIsReprobedByUnicastAfterDelay() {
    lab.exec(net.client, "ping -c 1 192.168.5.100").assertExit(0);
    assertEquals(NeighborState.REACHABLE, net.client.neighbor("eth0", "192.168.1.1").state());
    lab.advance(VirtualLab.seconds(46)); // past the longest randomised reachable time
    assertEquals(NeighborState.STALE, net.client.neighbor("eth0", "192.168.1.1").state());
    net.clearRecords();

    var ping = lab.launch(net.client, "ping -c 1 192.168.5.100");
    lab.runUntil(ping::exited, VirtualLab.seconds(3));
    ping.assertExit(0);
    // The STALE entry was used at once (no broadcast) and moved to DELAY.
    assertEquals(NeighborState.DELAY, net.client.neighbor("eth0", "192.168.1.1").state());
    FrameMatcher.arpRequest().assertNone(net.client.sent("eth0"));

    lab.settle();
    List<CapturedFrame> probes = FrameMatcher.arpRequest().arpTarget("192.168.1.1").select(net.client.sent("eth0"));
    assertEquals(1, probes.size(), probes.toString());
    FrameMatcher.arpRequest().ethDst(R1_ETH0).ethSrc(CLIENT).assertMatches(probes.get(0));
    assertEquals(VirtualLab.seconds(5), probes.get(0).atNanos() - net.client.sent("eth0").get(0).atNanos(),
        "unicast probe 5 s (delay_first_probe_time) after the stale entry was used");
    assertEquals(NeighborState.REACHABLE, net.client.neighbor("eth0", "192.168.1.1").state());
    assertEquals(List.of("192.168.1.1 dev eth0 lladdr " + CorporateNetwork.R1_ETH0_MAC + " REACHABLE"),
        lab.exec(net.client, "ip neigh").lines());
  }

  @Test
  void gratuitousArpUpdatesKnownEntryButCreatesNone() {
    lab.exec(net.client, "ping -c 1 192.168.1.1").assertExit(0);
    long newMac = 0x02_00_00_00_AB_CDL;
    // A gratuitous ARP from 192.168.1.1 at a new MAC, and one from a stranger.
    net.spare.inject(PacketBuilder.arp(MacAddress.BROADCAST_BITS, ArpPacket.OP_REQUEST, newMac, "192.168.1.1", 0,
        "192.168.1.1"));
    net.spare.inject(PacketBuilder.arp(MacAddress.BROADCAST_BITS, ArpPacket.OP_REQUEST, 0x02_00_00_00_AB_CEL,
        "192.168.1.50", 0, "192.168.1.50"));
    lab.advance(VirtualLab.millis(1));
    NeighborCache.Entry gw = net.client.neighbor("eth0", "192.168.1.1");
    assertEquals(NeighborState.STALE, gw.state());
    assertEquals(newMac, gw.mac());
    assertNull(net.client.neighbor("eth0", "192.168.1.50"));
  }

  @Test
  void arpRequestForUsCreatesStaleEntryAndIsAnswered() {
    Tap lan = net.spare;
    long me = PacketBuilder.STRANGER_MAC;
    lan.inject(PacketBuilder.arp(MacAddress.BROADCAST_BITS, ArpPacket.OP_REQUEST, me, "192.168.1.50", 0, "192.168.1.100"));
    lab.advance(VirtualLab.millis(1));
    NeighborCache.Entry e = net.client.neighbor("eth0", "192.168.1.50");
    assertEquals(NeighborState.STALE, e.state());
    assertEquals(me, e.mac());
    CapturedFrame reply = FrameMatcher.arpReply().ethDst(me).ethSrc(CLIENT).arpSender("192.168.1.100", CLIENT)
        .arpTarget("192.168.1.50").single(lan.frames());
    assertEquals(me, reply.arp().targetMac());
    // Nobody else answered, and client2 (not the target) created no entry.
    assertEquals(1, FrameMatcher.arpReply().select(lan.frames()).size());
    assertNull(net.client2.neighbor("eth0", "192.168.1.50"));
    assertTrue(net.client2.stack().nic("eth0").neighbors().size() == 0);
  }
}
