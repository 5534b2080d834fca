package emu.node.bridge.stp;

import static emu.node.bridge.stp.RstpTriangleTest.frame;
import static emu.node.bridge.stp.RstpTriangleTest.received;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.wire.MacAddress;
import emu.node.event.BridgeEvent;
import emu.node.event.IpEvent;
import emu.node.stack.DropReason;
import emu.node.testing.CapturedFrame;
import emu.node.testing.LabNode;
import emu.node.testing.LabSwitch;
import emu.node.testing.Tap;
import emu.node.testing.VirtualLab;
import emu.node.wire.Bpdu;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Edge ports, bad BPDUs and the fallback to 802.1D-1998 STP, on virtual time. */
class RstpPortTest {
  static final long S1 = 0x02_00_00_00_01_00L;
  static final long S2 = 0x02_00_00_00_02_00L;
  static final long A = 0x02_00_00_00_00_0AL;
  static final long B = 0x02_00_00_00_00_0BL;
  private final VirtualLab lab = new VirtualLab(1);

  @AfterEach
  void tearDown() {
    lab.close();
  }

  /** A frame to the bridge group address carrying {@code bpdu} (LLC included), padded to 60 bytes. */
  static byte[] bpduFrame(long src, byte[] bpdu) {
    ByteBuf f = Unpooled.buffer(60);
    f.writeMedium((int) (Bpdu.GROUP_ADDRESS >>> 24)).writeMedium((int) (Bpdu.GROUP_ADDRESS & 0xFFFFFF));
    f.writeMedium((int) (src >>> 24)).writeMedium((int) (src & 0xFFFFFF)).writeShort(bpdu.length).writeBytes(bpdu);
    f.writeZero(Math.max(0, 60 - f.writerIndex()));
    return ByteBufUtil.getBytes(f);
  }

  static byte[] bpdu(Bpdu.Repr r) {
    ByteBuf b = Unpooled.buffer(r.bufferLen()).writeZero(r.bufferLen());
    r.emit(new Bpdu().wrap(b, 0, r.bufferLen()));
    return ByteBufUtil.getBytes(b);
  }

  /** An RST BPDU from a designated port of bridge {@code bridgeId} naming it root. */
  static Bpdu.Repr rootClaim(long bridgeId) {
    return new Bpdu.Repr(Bpdu.TYPE_RST, Bpdu.ROLE_DESIGNATED << Bpdu.ROLE_SHIFT | Bpdu.FLAG_PROPOSAL, bridgeId, 0,
        bridgeId, 0x8001, 0, 20 * 256, 2 * 256, 15 * 256);
  }

  static Stream<Arguments> badBpdus() {
    byte[] good = bpdu(rootClaim(0xF000_0200_0000_0099L));
    byte[] wrongProtocol = good.clone();
    wrongProtocol[Bpdu.PROTOCOL_ID + 1] = 1;
    byte[] tooOld = good.clone();
    tooOld[Bpdu.MESSAGE_AGE] = 0x14; // 20 s: as old as the max age
    byte[] badType = good.clone();
    badType[Bpdu.TYPE] = 0x33;
    return Stream.of(
        Arguments.of("short", java.util.Arrays.copyOf(good, 20), Bpdu.Check.TRUNCATED, "truncated"),
        Arguments.of("wrong protocol id", wrongProtocol, Bpdu.Check.BAD_PROTOCOL_ID, "bad-protocol-id"),
        Arguments.of("message age = max age", tooOld, Bpdu.Check.BAD_MESSAGE_AGE, "bad-message-age"),
        Arguments.of("unknown type", badType, Bpdu.Check.BAD_TYPE, "bad-type"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBpdus")
  void badBpdusAreCountedAndDroppedAndForwardingGoesOn(String name, byte[] bpdu, Bpdu.Check reason, String word) {
    LabSwitch s = lab.stpBridge("s1", StpConfig.DEFAULT, S1);
    Tap p1 = lab.tap(s, "p1");
    Tap p2 = lab.tap(s, "p2");
    lab.startSpanningTree();
    p1.inject(bpduFrame(A, bpdu));
    lab.advance(VirtualLab.millis(10));
    StpCounters c = s.bridge().stp().counters();
    assertEquals(1, c.drops(reason));
    assertEquals(1, c.dropsTotal());
    assertEquals(List.of(new BridgeEvent.StpDropped("p1", word)), s.tracer().of(BridgeEvent.StpDropped.class));
    assertTrue(s.stp("p1").operEdge(), "a bad BPDU says nothing: the port stays an edge port");
    assertEquals(0, p2.frames().stream().filter(f -> f.dstMac() == Bpdu.GROUP_ADDRESS && f.srcMac() == A).count(),
        "never flooded");
    p1.inject(frame(MacAddress.BROADCAST_BITS, A, 7));
    lab.advance(VirtualLab.millis(10));
    assertEquals(1, received(p2, 7), "forwarding goes on");
  }

  @Test
  void edgePortsForwardAtOnceAndABpduMakesOneANonEdgePort() {
    LabSwitch s = lab.stpBridge("s1", StpConfig.DEFAULT, S1);
    Tap p1 = lab.tap(s, "p1");
    Tap p2 = lab.tap(s, "p2");
    lab.startSpanningTree();
    p1.inject(frame(MacAddress.BROADCAST_BITS, A, 1)); // the first frame, on the first microsecond
    lab.advance(VirtualLab.millis(1));
    assertEquals(1, received(p2, 1), "edge ports forward from the first frame");
    assertTrue(p2.frames().stream().anyMatch(f -> f.dstMac() == Bpdu.GROUP_ADDRESS), "BPDUs go out of edge ports");

    // An inferior BPDU (priority 61440) on p2: a switch is there after all.
    p2.inject(bpduFrame(B, bpdu(rootClaim(0xF000_0200_0000_0099L))));
    lab.advance(VirtualLab.millis(1));
    assertFalse(s.stp("p2").operEdge());
    assertEquals(1, s.bridge().stp().counters().edgeLost);
    assertEquals(List.of(new BridgeEvent.StpEdgeLost("p2")), s.tracer().of(BridgeEvent.StpEdgeLost.class));
    assertEquals(PortRole.DESIGNATED, s.stp("p2").role());
    assertEquals(PortState.DISCARDING, s.stp("p2").state(), "it waits for an agreement");
    assertTrue(s.stp("p1").operEdge());
    p1.inject(frame(MacAddress.BROADCAST_BITS, A, 2));
    lab.advance(VirtualLab.millis(1));
    assertEquals(0, received(p2, 2), "a discarding port forwards nothing");
    assertEquals(0, s.bridge().fdb().stream().filter(e -> e.mac() == B).count(), "nor learns");
    // No agreement comes (the far end says nothing more): the forward delay, twice, opens it.
    lab.advance(VirtualLab.seconds(14));
    assertEquals(PortState.DISCARDING, s.stp("p2").state());
    lab.advance(VirtualLab.seconds(2));
    assertEquals(PortState.LEARNING, s.stp("p2").state());
    lab.advance(VirtualLab.seconds(15));
    assertEquals(PortState.FORWARDING, s.stp("p2").state());
  }

  /**
   * 802.1D-2004 17.25 AutoEdge: a port that heard a switch comes back from a link down non-edge
   * and proposes; re-cabled to a host (no BPDU for 3 s) it becomes edge again and forwards, with no
   * topology change; re-cabled to a switch that speaks up in time it stays non-edge.
   */
  @Test
  void aPortRecabledFromASwitchToAHostBecomesEdgeAgain() {
    LabSwitch s = lab.stpBridge("s1", StpConfig.DEFAULT, S1);
    Tap p1 = lab.tap(s, "p1");
    Tap p2 = lab.tap(s, "p2");
    lab.startSpanningTree();
    lab.advance(VirtualLab.millis(1));
    p2.inject(bpduFrame(B, bpdu(rootClaim(0xF000_0200_0000_0099L)))); // a switch, inferior
    lab.advance(VirtualLab.seconds(31)); // no agreement: forwarding after 2 x forward delay
    StpPort port = s.stp("p2");
    assertFalse(port.operEdge());
    assertEquals(PortState.FORWARDING, port.state());
    StpCounters c = s.bridge().stp().counters();

    // Unplugged, and a host plugged in: it sends no BPDU.
    s.bridge().setPortUp(s.port("p2"), false);
    lab.advance(VirtualLab.millis(10));
    long tcs = c.topologyChanges;
    s.bridge().setPortUp(s.port("p2"), true);
    lab.advance(VirtualLab.millis(10));
    assertFalse(port.operEdge(), "a switch may still be there: non-edge first");
    assertEquals(PortState.DISCARDING, port.state());
    lab.advance(VirtualLab.seconds(2));
    assertEquals(PortState.DISCARDING, port.state(), "2 s: still waiting");
    lab.advance(VirtualLab.seconds(2)); // the 3 s edge delay, and a tick
    assertTrue(port.operEdge(), "no BPDU for 3 s: edge again");
    assertEquals(PortState.FORWARDING, port.state());
    assertEquals(1, c.edgeRegained);
    assertEquals(tcs, c.topologyChanges, "an edge port forwarding is no topology change");
    p1.inject(frame(MacAddress.BROADCAST_BITS, A, 1));
    lab.advance(VirtualLab.millis(1));
    assertEquals(1, received(p2, 1));

    // Back to a switch: its first BPDU makes the port non-edge, and a link down and up (a switch
    // answering within the edge delay) keeps it so.
    p2.inject(bpduFrame(B, bpdu(rootClaim(0xF000_0200_0000_0099L))));
    lab.advance(VirtualLab.millis(1));
    assertFalse(port.operEdge());
    s.bridge().setPortUp(s.port("p2"), false);
    lab.advance(VirtualLab.millis(10));
    s.bridge().setPortUp(s.port("p2"), true);
    lab.advance(VirtualLab.seconds(1));
    p2.inject(bpduFrame(B, bpdu(rootClaim(0xF000_0200_0000_0099L))));
    lab.advance(VirtualLab.seconds(5));
    assertFalse(port.operEdge(), "a BPDU within 3 s: a switch, no edge");
    assertEquals(1, c.edgeRegained);
  }

  @Test
  void aSuperiorBpduOnAnEdgePortMakesItTheRootPort() {
    LabSwitch s = lab.stpBridge("s1", StpConfig.DEFAULT, S1);
    lab.tap(s, "p1");
    Tap p2 = lab.tap(s, "p2");
    lab.startSpanningTree();
    lab.advance(VirtualLab.millis(1));
    p2.inject(bpduFrame(B, bpdu(rootClaim(0x1000_0200_0000_0099L))));
    lab.advance(VirtualLab.millis(1));
    assertEquals(PortRole.ROOT, s.stp("p2").role());
    assertEquals(PortState.FORWARDING, s.stp("p2").state());
    assertEquals(0x1000_0200_0000_0099L, s.bridge().stp().rootId());
    // It agreed to the proposal: the last BPDU out of p2 carries the agreement, with role root.
    CapturedFrame last = p2.frames().stream().filter(f -> f.dstMac() == Bpdu.GROUP_ADDRESS).reduce((a, b) -> b)
        .orElseThrow();
    int flags = last.bytes()[14 + Bpdu.FLAGS] & 0xff;
    assertEquals(Bpdu.ROLE_ROOT, Bpdu.role(flags));
    assertTrue((flags & Bpdu.FLAG_AGREEMENT) != 0);
  }

  @Test
  void fallsBackToStpAgainstALegacyBridgeAndForwardsAfterTwiceTheForwardDelay() {
    // s1 is an 802.1D-1998 bridge (Force Protocol Version 0), and the root; s2 runs RSTP.
    LabSwitch s1 = lab.stpBridge("s1", StpConfig.DEFAULT.withForceVersion(0), S1);
    LabSwitch s2 = lab.stpBridge("s2", StpConfig.DEFAULT, S2);
    lab.connect(s1, "p1", s2, "p1");
    Tap a = lab.tap(s1, "p2");
    Tap b = lab.tap(s2, "p2");
    lab.startSpanningTree();
    lab.advance(VirtualLab.millis(100));
    assertTrue(s2.stp("p1").legacy(), "s2 heard configuration BPDUs: the port speaks STP");
    assertEquals(List.of(new BridgeEvent.StpLegacy("p1")), s2.tracer().of(BridgeEvent.StpLegacy.class));
    assertEquals(PortRole.ROOT, s2.stp("p1").role());
    assertTrue(s2.sent("p1").stream().skip(1).noneMatch(f -> f.bytes()[14 + Bpdu.TYPE] == Bpdu.TYPE_RST),
        "after the first, s2 sends no RST BPDU to s1");
    assertTrue(s1.sent("p1").stream().allMatch(f -> f.bytes()[14 + Bpdu.TYPE] == Bpdu.TYPE_CONFIG));

    lab.advance(VirtualLab.seconds(29));
    a.inject(frame(MacAddress.BROADCAST_BITS, A, 1));
    lab.advance(VirtualLab.millis(10));
    assertEquals(0, received(b, 1), "29 s: listening and learning, nothing forwarded yet");
    lab.advance(VirtualLab.seconds(2.5)); // 2 x 15 s forward delay, and a tick
    assertEquals(PortState.FORWARDING, s2.stp("p1").state());
    assertEquals(PortState.FORWARDING, s1.stp("p1").state());
    a.inject(frame(MacAddress.BROADCAST_BITS, A, 2));
    lab.advance(VirtualLab.millis(10));
    assertEquals(1, received(b, 2));
    // s2's root port started forwarding: it tells the root with a TCN, which s1 acknowledges (TCA).
    assertTrue(s2.sent("p1").stream().anyMatch(f -> f.bytes()[14 + Bpdu.TYPE] == (byte) Bpdu.TYPE_TCN));
    lab.advance(VirtualLab.seconds(2));
    assertTrue(s1.sent("p1").stream().anyMatch(f -> (f.bytes()[14 + Bpdu.FLAGS] & Bpdu.FLAG_TCA) != 0));
    assertTrue(s1.bridge().stp().counters().tcReceived >= 1);
  }

  @Test
  void twoParallelLinksCarryPingsOnOneAndHostsIgnoreBpdusQuietly() {
    LabSwitch s1 = lab.stpBridge("s1", StpConfig.DEFAULT, S1);
    LabSwitch s2 = lab.stpBridge("s2", StpConfig.DEFAULT, S2);
    lab.connect(s1, "p1", s2, "p1");
    lab.connect(s1, "p2", s2, "p2"); // a loop of two links
    LabNode h1 = lab.host("h1");
    LabNode h2 = lab.host("h2");
    lab.connect(h1, "eth0", "02:00:00:00:00:01", "192.168.1.1/24", s1, "p3");
    lab.connect(h2, "eth0", "02:00:00:00:00:02", "192.168.1.2/24", s2, "p3");
    // Spanning tree first: the hosts' gratuitous ARPs would circulate in the loop without it.
    lab.startSpanningTree();
    lab.advance(VirtualLab.millis(500));
    h1.stack().start();
    h2.stack().start();
    assertEquals(PortRole.ROOT, s2.stp("p1").role());
    assertEquals(PortRole.ALTERNATE, s2.stp("p2").role(), "the second link to the same bridge is the alternate");
    lab.exec(h1, "ping -c 3 192.168.1.2").assertExit(0);
    assertEquals(List.of("2: p1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master s2 state forwarding priority 128"
        + " cost 20000 ", "3: p2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master s2 state blocking priority 128"
        + " cost 20000 ", "4: p3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master s2 state forwarding priority 128"
        + " cost 20000 "), lab.exec(s2, "bridge link").assertExit(0).lines());
    List<String> stp = lab.exec(s2, "bridge stp").assertExit(0).lines();
    assertEquals("s2 rstp bridge id 8000.020000000200", stp.get(0));
    assertEquals("  designated root 8000.020000000100 root port p1 path cost 20000", stp.get(1));
    assertTrue(stp.get(4).matches("  p2 +alternate +blocking +8\\.003"), stp.get(4));
    assertTrue(stp.get(5).endsWith(" edge"), stp.get(5));
    assertTrue(h2.counters().drops(DropReason.BPDU) >= 1, "h2 heard s2's BPDUs and dropped them, counted");
    assertTrue(h2.events(IpEvent.Dropped.class).isEmpty(), "without a trace event each");
  }

  @Test
  void withoutSpanningTreeABpduIsFloodedLikeAnyMulticast() {
    LabSwitch s = lab.bridge("s1"); // stp: false
    Tap p1 = lab.tap(s, "p1");
    Tap p2 = lab.tap(s, "p2");
    byte[] bpdu = bpduFrame(A, bpdu(rootClaim(0x1000_0200_0000_0099L)));
    p1.inject(bpdu);
    lab.settle();
    assertEquals(1, p2.frames().size());
    assertEquals(List.of(bpdu.length), List.of(p2.frames().get(0).length()));
    assertEquals(1, s.bridge().flooded);
  }
}
