package emu.node.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.wire.MacAddress;
import emu.node.config.StormSettings;
import emu.node.testing.LabSwitch;
import emu.node.testing.PacketBuilder;
import emu.node.testing.Tap;
import emu.node.testing.VirtualLab;
import emu.node.wire.Bpdu;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Storm control on a switch port, in virtual time: the level per one-second interval per class, and what it polices. */
class StormControlTest {
  private static final long A = 0x02_00_00_00_00_0AL;
  private static final long B = 0x02_00_00_00_00_0BL;
  private static final long UNKNOWN = 0x02_00_00_00_00_99L;
  private static final long MULTICAST = 0x01_00_5E_00_00_FBL; // mDNS's group

  private VirtualLab lab;
  private LabSwitch sw;
  private Tap p1;
  private Tap p2;

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(1);
    sw = lab.bridge("sw1");
    p1 = lab.tap(sw, "p1");
    p2 = lab.tap(sw, "p2");
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  private void police(StormSettings s) {
    sw.port("p1").storm(new StormControl(s));
  }

  /** {@code count} frames to {@code dst} from p1, {@code gapNanos} apart; how many came out of p2. */
  private int send(long dst, int count, long gapNanos) {
    int before = p2.frames().size();
    for (int i = 0; i < count; i++) {
      p1.inject(PacketBuilder.ethernet(dst, A, 0x88B5, new byte[46]));
      if (gapNanos > 0) {
        lab.advance(gapNanos);
      }
    }
    lab.settle();
    return p2.frames().size() - before;
  }

  @Test
  void theLevelPerOneSecondIntervalThenDrops() {
    police(new StormSettings(100L, null, null));
    assertEquals(100, send(MacAddress.BROADCAST_BITS, 300, 0), "100 pass in the interval, the rest is dropped");
    StormControl storm = sw.port("p1").storm();
    assertEquals(200, storm.drops(StormControl.Kind.BROADCAST));
    // 10 s of one broadcast a millisecond (1000 pps) through 100 pps, from the same instant: the first
    // second's interval is full already, each of the next nine passes 100
    assertEquals(900, send(MacAddress.BROADCAST_BITS, 10_000, VirtualLab.millis(1)));
    assertEquals(200 + 10_000 - 900, storm.drops(StormControl.Kind.BROADCAST));
    assertEquals(storm.drops(StormControl.Kind.BROADCAST), sw.bridge().stormDrops(StormControl.Kind.BROADCAST));
    // under the level nothing is dropped: 50 pps for 4 s
    long drops = storm.drops(StormControl.Kind.BROADCAST);
    lab.advance(VirtualLab.seconds(1));
    assertEquals(200, send(MacAddress.BROADCAST_BITS, 200, VirtualLab.millis(20)));
    assertEquals(drops, storm.drops(StormControl.Kind.BROADCAST));
  }

  @Test
  void afterAQuietSpellAtMostTheLevelPassesInASecond() {
    // a token bucket holding one second's worth would pass 100 at once and then refill: ~200 in this second
    police(new StormSettings(100L, null, null));
    lab.advance(VirtualLab.seconds(5));
    assertEquals(100, send(MacAddress.BROADCAST_BITS, 1000, VirtualLab.millis(1)), "1000 pps for one second");
    assertEquals(900, sw.port("p1").storm().drops(StormControl.Kind.BROADCAST));
    assertEquals(100, send(MacAddress.BROADCAST_BITS, 1000, VirtualLab.millis(1)), "and the next second");
  }

  @Test
  void eachClassIsCountedOnItsOwn() {
    police(new StormSettings(10L, 20L, null));
    assertEquals(10, send(MacAddress.BROADCAST_BITS, 50, 0));
    assertEquals(20, send(MULTICAST, 50, 0), "broadcast used its level up, not multicast's");
    assertEquals(50, send(UNKNOWN, 50, 0), "unknown unicast is not policed here");
    StormControl storm = sw.port("p1").storm();
    assertEquals(40, storm.drops(StormControl.Kind.BROADCAST));
    assertEquals(30, storm.drops(StormControl.Kind.MULTICAST));
    assertEquals(0, storm.drops(StormControl.Kind.UNKNOWN_UNICAST));
    for (int i = 0; i < 50; i++) {
      p2.inject(PacketBuilder.ethernet(MacAddress.BROADCAST_BITS, B, 0x88B5, new byte[46]));
    }
    lab.settle();
    assertEquals(50, p1.frames().size(), "policing is per ingress port: p2 has none");
  }

  @Test
  void unicastToAKnownStationIsNeverPoliced() {
    police(new StormSettings(null, null, 10L));
    assertEquals(10, send(UNKNOWN, 100, 0), "UNKNOWN is in no table: its frames are flooded, and policed");
    p2.inject(PacketBuilder.ethernet(A, B, 0x88B5, new byte[46])); // the switch learns B behind p2
    lab.settle();
    assertEquals(1000, send(B, 1000, 0), "known unicast goes to one port: storm control leaves it alone");
    assertEquals(90, sw.port("p1").storm().drops(StormControl.Kind.UNKNOWN_UNICAST));
  }

  @Test
  void bpdusFloodedByASwitchWithoutSpanningTreeArePolicedAsMulticast() {
    // a host (or an RSTP switch across a loop of stp: false switches) must not flood the BPDU address unpoliced
    police(new StormSettings(null, 10L, null));
    assertEquals(10, send(Bpdu.GROUP_ADDRESS, 100, 0));
    assertEquals(90, sw.port("p1").storm().drops(StormControl.Kind.MULTICAST));
  }
}
