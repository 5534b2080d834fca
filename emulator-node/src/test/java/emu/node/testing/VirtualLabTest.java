package emu.node.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.wire.MacAddress;
import emu.node.wire.ArpPacket;
import emu.node.wire.IcmpPacket;
import io.netty.buffer.ByteBuf;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The harness itself: repeatable runs, leak accounting, taps, matchers and terminals. */
class VirtualLabTest {
  @Test
  void sameSeedGivesIdenticalRunsAndTraces() {
    List<String> first = run(99);
    List<String> second = run(99);
    assertEquals(first, second);
  }

  private static List<String> run(long seed) {
    try (VirtualLab lab = new VirtualLab(seed)) {
      CorporateNetwork net = CorporateNetwork.start(lab);
      String out = lab.exec(net.client, "traceroute -n server").output() + lab.exec(net.client, "ping -c 2 server").output();
      return List.of(out, net.r1.tracer().events().toString(), net.client.frames("eth0").toString());
    }
  }

  @Test
  void closeFailsOnAnUnreleasedBuffer() {
    VirtualLab lab = new VirtualLab(1);
    ByteBuf leaked = lab.alloc().buffer(8);
    AssertionError e = assertThrows(AssertionError.class, lab::close);
    assertTrue(e.getMessage().startsWith("1 ByteBuf(s) still referenced"), e.getMessage());
    assertTrue(e.getMessage().contains("closeFailsOnAnUnreleasedBuffer"), "names the allocation site");
    leaked.release();
    lab.assertNoLeaks();
  }

  @Test
  void closeReleasesFramesStillQueuedForArp() {
    VirtualLab lab = new VirtualLab(1);
    LabNode h = lab.host("h");
    Tap tap = lab.tap(h, "eth0", "02:00:00:00:00:01", "10.0.0.1/24");
    lab.start();
    CommandRun ping = lab.launch(h, "ping -c 1 10.0.0.2");
    lab.advance(VirtualLab.millis(10));
    assertEquals(1, h.neighbor("eth0", "10.0.0.2").queued());
    assertFalse(ping.exited());
    lab.close(); // settles (ARP gives up), then checks: no exception means nothing leaked
    assertTrue(ping.exited());
    FrameMatcher.arpRequest().arpTarget("10.0.0.2").ethBroadcast().assertAll(
        FrameMatcher.arpRequest().select(tap.frames()));
  }

  @Test
  void tapInjectsThroughTheWireAndRecordsReplies() {
    try (VirtualLab lab = new VirtualLab(1)) {
      LabNode h = lab.host("h");
      Tap tap = lab.tap(h, "eth0", "02:00:00:00:00:01", "10.0.0.1/24");
      lab.start();
      FrameMatcher.arpAnnouncement().arpSender("10.0.0.1", 0x02_00_00_00_00_01L).single(tap.frames());
      tap.clear();
      long me = PacketBuilder.STRANGER_MAC;
      tap.inject(PacketBuilder.arp(MacAddress.BROADCAST_BITS, ArpPacket.OP_REQUEST, me, "10.0.0.9", 0, "10.0.0.1"));
      tap.inject(PacketBuilder.ipv4("10.0.0.9", "10.0.0.1").eth(0x02_00_00_00_00_01L, me).icmpEcho(7, 3, 10).frame());
      lab.settle();
      FrameMatcher.arpReply().ethDst(me).single(tap.frames());
      CapturedFrame reply = FrameMatcher.ipv4().src("10.0.0.1").dst("10.0.0.9").ttl(64).checksumValid()
          .icmp(IcmpPacket.TYPE_ECHO_REPLY, 0).single(tap.frames());
      assertEquals(7, reply.icmp().ident());
      assertEquals(3, reply.icmp().seq());
      CapturedFrame sent = FrameMatcher.ipv4().single(h.sent("eth0"));
      org.junit.jupiter.api.Assertions.assertArrayEquals(reply.bytes(), sent.bytes(), "the tap saw what the node sent");
      // The node's DELAY timer then re-checked 10.0.0.9 with unicast ARP, which nobody answered.
      assertEquals(3, FrameMatcher.arpRequest().ethDst(me).select(tap.frames()).size());
    }
  }

  @Test
  void matcherNamesEveryClauseThatFailed() {
    CapturedFrame arp = new CapturedFrame(0, "x", CapturedFrame.Direction.TX,
        PacketBuilder.arp(MacAddress.BROADCAST_BITS, ArpPacket.OP_REQUEST, 2, "10.0.0.1", 0, "10.0.0.2"));
    List<String> m = FrameMatcher.ipv4().ttl(63).mismatches(arp);
    assertEquals(3, m.size(), m.toString());
    assertEquals("ethertype: expected 2048 but was 2054", m.get(0));
    assertTrue(FrameMatcher.arpRequest().arpTarget("10.0.0.2").test(arp));
    CapturedFrame runt = new CapturedFrame(0, "x", CapturedFrame.Direction.RX, new byte[3]);
    assertFalse(FrameMatcher.ipv4().test(runt));
    assertTrue(runt.toString().contains("runt"));
  }

  @Test
  void terminalIgnoresOutputAfterExit() {
    CommandRun run = new CommandRun("n", "x");
    run.out("a");
    run.exit(3);
    run.out("b");
    run.exit(0);
    assertEquals(List.of("a"), run.lines());
    assertEquals(3, run.exitCode());
  }
}
