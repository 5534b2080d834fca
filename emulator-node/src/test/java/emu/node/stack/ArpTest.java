package emu.node.stack;

import emu.node.event.ArpEvent;
import static emu.node.testing.CorporateNetwork.mac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import emu.link.wire.MacAddress;
import emu.node.testing.CapturedFrame;
import emu.node.testing.CorporateNetwork;
import emu.node.testing.FrameMatcher;
import emu.node.testing.PacketBuilder;
import emu.node.testing.VirtualLab;
import emu.node.wire.ArpPacket;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ARP (RFC 826, RFC 5227) as the client answers and learns from a stranger on its LAN. */
class ArpTest {
  private static final long CLIENT = mac(CorporateNetwork.CLIENT_MAC);
  private static final long ME = PacketBuilder.STRANGER_MAC;
  private static final long BCAST = MacAddress.BROADCAST_BITS;

  private VirtualLab lab;
  private CorporateNetwork net;

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(8);
    net = CorporateNetwork.start(lab);
    net.clearRecords();
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  private List<CapturedFrame> fromClient() {
    return FrameMatcher.any().ethSrc(CLIENT).select(net.spare.frames());
  }

  @Test
  void requestForOurAddressGetsUnicastReplyWithFieldsSwapped() {
    net.spare.inject(PacketBuilder.arp(BCAST, ArpPacket.OP_REQUEST, ME, "192.168.1.60", 0, "192.168.1.100"));
    lab.advance(VirtualLab.millis(1));
    CapturedFrame reply = FrameMatcher.arpReply().ethDst(ME).ethSrc(CLIENT).arpSender("192.168.1.100", CLIENT)
        .arpTarget("192.168.1.60").single(fromClient());
    assertEquals(ME, reply.arp().targetMac());
    assertEquals(1, net.client.counters().arpRepliesSent);
  }

  @Test
  void requestForSomeoneElseIsNotAnsweredAndCreatesNoEntry() {
    net.spare.inject(PacketBuilder.arp(BCAST, ArpPacket.OP_REQUEST, ME, "192.168.1.60", 0, "192.168.1.200"));
    lab.advance(VirtualLab.millis(1));
    assertEquals(List.of(), fromClient());
    assertNull(net.client.neighbor("eth0", "192.168.1.60"));
  }

  @Test
  void unsolicitedReplyCreatesNoEntry() {
    net.spare.inject(PacketBuilder.arp(CLIENT, ArpPacket.OP_REPLY, ME, "192.168.1.60", CLIENT, "192.168.1.100"));
    lab.advance(VirtualLab.millis(1));
    assertNull(net.client.neighbor("eth0", "192.168.1.60"), "arp_accept=0: no entry we did not ask for");
  }

  @Test
  void requestFromMulticastSenderMacIsIgnored() {
    net.spare.inject(PacketBuilder.arp(BCAST, ArpPacket.OP_REQUEST, 0x01_00_5E_00_00_01L, "192.168.1.60", 0,
        "192.168.1.100"));
    lab.advance(VirtualLab.millis(1));
    assertEquals(List.of(), fromClient());
    assertNull(net.client.neighbor("eth0", "192.168.1.60"));
  }

  @Test
  void arpProbeForOurAddressIsDefendedButCreatesNoEntry() {
    // RFC 5227 2.1.1: a host checking whether 192.168.1.100 is free sends a probe with sender IP
    // 0.0.0.0; the owner answers it (RFC 826 processing: it is the target), which is how the
    // prober learns of the conflict. Linux (arp_process, "sip == 0" case) replies too.
    net.spare.inject(PacketBuilder.arp(BCAST, ArpPacket.OP_REQUEST, ME, "0.0.0.0", 0, "192.168.1.100"));
    lab.advance(VirtualLab.millis(1));
    FrameMatcher.arpReply().ethDst(ME).arpSender("192.168.1.100", CLIENT).single(fromClient());
    assertNull(net.client.neighbor("eth0", "0.0.0.0"), "a probe pollutes no cache");
    assertEquals(0, net.client.stack().nic("eth0").neighbors().size());
  }

  @Test
  void gratuitousAnnouncementOnStartIsABroadcastRequestForOwnAddress() {
    try (VirtualLab fresh = new VirtualLab(8)) {
      CorporateNetwork n = CorporateNetwork.start(fresh);
      CapturedFrame announce = FrameMatcher.arpAnnouncement().ethBroadcast().arpSender("192.168.1.100", CLIENT)
          .single(n.client.sent("eth0"));
      assertEquals(0, announce.arp().targetMac());
      FrameMatcher.arpAnnouncement().ethBroadcast().arpSender("192.168.1.1", mac(CorporateNetwork.R1_ETH0_MAC))
          .single(n.r1.sent("eth0"));
      FrameMatcher.arpAnnouncement().ethBroadcast().arpSender("192.168.5.1", mac(CorporateNetwork.R1_ETH1_MAC))
          .single(n.r1.sent("eth1"));
      // Hearing the announcements created no entries anywhere (nobody had asked).
      assertEquals(0, n.client.stack().nic("eth0").neighbors().size());
      assertEquals(0, n.server.stack().nic("eth0").neighbors().size());
      assertEquals(1, n.client.events(ArpEvent.Announced.class).size());
    }
  }
}
