package emu.node.bridge;

import emu.node.event.BridgeEvent;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.node.testing.CapturedFrame;
import emu.node.testing.LabSwitch;
import emu.node.testing.PacketBuilder;
import emu.node.testing.Tap;
import emu.node.testing.VirtualLab;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The learning switch (IEEE 802.1D section 7 without spanning tree) with a tap on every port. */
class LearningBridgeTest {
  private static final long A = 0x02_00_00_00_00_0AL;
  private static final long B = 0x02_00_00_00_00_0BL;
  private static final long C = 0x02_00_00_00_00_0CL;
  private static final long UNKNOWN = 0x02_00_00_00_00_99L;

  private VirtualLab lab;
  private LabSwitch sw;
  private Tap p1;
  private Tap p2;
  private Tap p3;
  private Tap p4;

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(1);
    sw = lab.bridge("sw1");
    p1 = lab.tap(sw, "p1");
    p2 = lab.tap(sw, "p2");
    p3 = lab.tap(sw, "p3");
    p4 = lab.tap(sw, "p4");
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  private static byte[] frame(long dst, long src, int tag) {
    byte[] payload = new byte[46];
    payload[0] = (byte) tag;
    return PacketBuilder.ethernet(dst, src, 0x88B5, payload); // local experimental EtherType
  }

  private void send(Tap from, long dst, long src, int tag) {
    from.inject(frame(dst, src, tag));
    lab.settle();
  }

  /** Which taps received a frame with {@code tag}, by name. */
  private List<String> receiversOf(int tag) {
    return Stream.of(p1, p2, p3, p4)
        .filter(t -> t.frames().stream().anyMatch(f -> f.length() > 14 && f.bytes()[14] == (byte) tag))
        .map(t -> t.name().substring(t.name().lastIndexOf(':') + 1)).toList();
  }

  @Test
  void broadcastIsFloodedToEveryOtherPortUnchanged() {
    byte[] f = frame(MacAddress.BROADCAST_BITS, A, 1);
    p1.inject(f);
    lab.settle();
    assertEquals(List.of("p2", "p3", "p4"), receiversOf(1));
    for (Tap t : List.of(p2, p3, p4)) {
      assertArrayEquals(f, t.frames().get(0).bytes(), "frames pass through unchanged");
    }
    assertEquals(1, sw.bridge().flooded);
  }

  @Test
  void multicastIsFloodedAndMulticastSourceIsNotLearned() {
    send(p1, 0x01_00_5E_00_00_01L, A, 1);
    assertEquals(List.of("p2", "p3", "p4"), receiversOf(1));
    send(p2, A, 0x01_00_5E_00_00_02L, 2);
    assertEquals(List.of(A), sw.bridge().fdb().stream().map(LearningBridge.FdbEntry::mac).toList());
  }

  @Test
  void unknownUnicastIsFlooded() {
    send(p1, UNKNOWN, A, 1);
    assertEquals(List.of("p2", "p3", "p4"), receiversOf(1));
  }

  @Test
  void learnsSourcesAndForwardsKnownUnicastToOnePortOnly() {
    send(p1, MacAddress.BROADCAST_BITS, A, 1);
    send(p2, A, B, 2);
    assertEquals(List.of("p1"), receiversOf(2), "A was learned behind p1");
    send(p1, B, A, 3);
    assertEquals(List.of("p2"), receiversOf(3), "B was learned behind p2");
    assertEquals(2, sw.bridge().forwarded);

    Map<Long, String> fdb = new java.util.HashMap<>();
    sw.bridge().fdb().forEach(e -> fdb.put(e.mac(), e.port().name()));
    assertEquals(Map.of(A, "p1", B, "p2"), fdb);
    assertEquals(List.of("02:00:00:00:00:0a dev p1 master sw1", "02:00:00:00:00:0b dev p2 master sw1"),
        lab.exec(sw, "bridge fdb").assertExit(0).lines());
    List<BridgeEvent.Learned> learned = sw.tracer().of(BridgeEvent.Learned.class);
    assertEquals(2, learned.size());
  }

  @Test
  void frameForAMacOnItsOwnIngressPortIsFiltered() {
    send(p1, MacAddress.BROADCAST_BITS, A, 1);
    send(p1, MacAddress.BROADCAST_BITS, C, 2); // A and C share the segment behind p1
    long sentBefore = sw.port("p1").txFrames + sw.port("p2").txFrames + sw.port("p3").txFrames + sw.port("p4").txFrames;
    send(p1, A, C, 3);
    assertEquals(List.of(), receiversOf(3));
    assertEquals(1, sw.bridge().filtered);
    assertEquals(sentBefore,
        sw.port("p1").txFrames + sw.port("p2").txFrames + sw.port("p3").txFrames + sw.port("p4").txFrames);
  }

  static Stream<Arguments> ageing() {
    long ageing = LearningBridge.DEFAULT_AGEING_NANOS;
    return Stream.of(
        Arguments.of(ageing - 1, List.of("p1")),
        Arguments.of(ageing, List.of("p1", "p3", "p4")),
        Arguments.of(ageing + VirtualLab.seconds(60), List.of("p1", "p3", "p4")));
  }

  @ParameterizedTest(name = "{0} ns after last seen -> {1}")
  @MethodSource("ageing")
  void entriesAgeOutAfterThreeHundredSeconds(long idle, List<String> expectedReceivers) {
    p1.inject(frame(MacAddress.BROADCAST_BITS, A, 1));
    lab.settle();
    long learnedAt = sw.bridge().fdb().get(0).lastSeen();
    lab.advance(learnedAt + idle - lab.now() - VirtualLab.DEFAULT_LATENCY_NANOS);
    // The frame reaches the switch one latency after injection: exactly `idle` after A was seen.
    p2.inject(frame(A, B, 2));
    lab.settle();
    assertEquals(expectedReceivers, receiversOf(2));
  }

  @Test
  void expireForgetsOnlyOldEntries() {
    send(p1, MacAddress.BROADCAST_BITS, A, 1);
    lab.advance(VirtualLab.seconds(200));
    send(p2, MacAddress.BROADCAST_BITS, B, 2);
    lab.advance(VirtualLab.seconds(100));
    assertEquals(1, sw.bridge().expire());
    assertEquals(List.of(B), sw.bridge().fdb().stream().map(LearningBridge.FdbEntry::mac).toList());
    assertEquals(0, sw.bridge().expire());
  }

  @Test
  void trafficRefreshesAnEntry() {
    send(p1, MacAddress.BROADCAST_BITS, A, 1);
    lab.advance(VirtualLab.seconds(250));
    send(p1, UNKNOWN, A, 2);
    lab.advance(VirtualLab.seconds(250));
    send(p2, A, B, 3);
    assertEquals(List.of("p1"), receiversOf(3));
  }

  @Test
  void movedMacIsRelearned() {
    send(p1, MacAddress.BROADCAST_BITS, A, 1);
    send(p3, MacAddress.BROADCAST_BITS, A, 2); // A moved behind p3
    send(p2, A, B, 3);
    assertEquals(List.of("p3"), receiversOf(3));
    List<BridgeEvent.Learned> learn = sw.tracer().of(BridgeEvent.Learned.class);
    BridgeEvent.Learned relearned = learn.get(learn.size() - 2);
    assertTrue(relearned.moved(), learn.toString());
    assertEquals("p3", relearned.port());
    assertEquals("p3", sw.bridge().fdb().stream().filter(e -> e.mac() == A).findFirst().orElseThrow().port().name());
  }

  @Test
  void runtFramesAreCountedAndDropped() {
    p1.inject(new byte[0]);
    p1.inject(new byte[] {1, 2, 3});
    p1.inject(new byte[EthernetFrame.HEADER_LEN - 1]);
    lab.settle();
    assertEquals(3, sw.bridge().runts);
    assertEquals(3, sw.port("p1").rxDropped);
    for (Tap t : List.of(p1, p2, p3, p4)) {
      assertEquals(List.<CapturedFrame>of(), t.frames());
    }
    assertTrue(sw.bridge().fdb().isEmpty());
    // A 14-byte frame (header only) is not a runt.
    p1.inject(PacketBuilder.ethernet(MacAddress.BROADCAST_BITS, A, 0x88B5, new byte[0]));
    lab.settle();
    assertEquals(3, sw.bridge().runts);
    assertEquals(3, p2.frames().size() + p3.frames().size() + p4.frames().size());
  }

  @Test
  void portCountersAddUp() {
    send(p1, MacAddress.BROADCAST_BITS, A, 1);
    send(p2, A, B, 2);
    assertEquals(1, sw.port("p1").rxFrames);
    assertEquals(1, sw.port("p2").rxFrames);
    // The broadcast went out p2, p3, p4; the unicast to A only out p1.
    assertEquals(List.of(1L, 1L, 1L, 1L), Stream.of("p1", "p2", "p3", "p4").map(p -> sw.port(p).txFrames).toList());
    assertEquals(60 * 2, sw.port("p1").txBytes + sw.port("p2").txBytes);
  }
}
