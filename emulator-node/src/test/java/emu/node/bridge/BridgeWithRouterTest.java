package emu.node.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.link.wire.MacAddress;
import emu.node.testing.CapturedFrame;
import emu.node.testing.FrameMatcher;
import emu.node.testing.LabNode;
import emu.node.testing.LabSwitch;
import emu.node.testing.PacketBuilder;
import emu.node.testing.Tap;
import emu.node.testing.VirtualLab;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A switch in front of a router that forwards by editing frames in place. Every port a frame is
 * flooded to owns its frame (LinkEndpoint: send takes ownership), so what one receiver does to
 * its frame must not show in the frame another receiver gets.
 */
class BridgeWithRouterTest {
  private static final long SENDER = 0x02_00_00_00_00_0AL;
  private static final String R1_MAC = "02:00:00:00:00:01";

  private VirtualLab lab;
  private LabSwitch sw;
  private Tap sender;
  private Tap observer;
  private LabNode r1;
  private Tap far;

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(4);
    sw = lab.bridge("sw");
    sender = lab.tap(sw, "p1");
    r1 = lab.router("r1");
    lab.connect(r1, "eth0", R1_MAC, "10.0.0.1/24", sw, "p2");
    observer = lab.tap(sw, "p3");
    far = lab.tap(r1, "eth1", "02:00:00:00:01:01", "10.0.1.1/24");
    // No start(): r1 has not announced itself, so sw1 has not learned its MAC yet.
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  @Test
  void floodedUnicastReachesOtherPortsAsSentEvenWhenARouterForwardsItsCopy() {
    byte[] frame = PacketBuilder.ipv4("10.0.0.5", "10.0.1.5").ttl(64)
        .eth(MacAddress.parse(R1_MAC).bits(), SENDER).udp(4000, 5000, new byte[16]).frame();
    sender.inject(frame);
    lab.advance(VirtualLab.millis(1));

    assertEquals(1, sw.bridge().flooded, "r1's MAC was unknown, so the frame was flooded");
    assertEquals(1, r1.counters().ipForwarded);
    CapturedFrame seen = observer.frames().get(0);
    FrameMatcher.ipv4().ethSrc(SENDER).ethDst(MacAddress.parse(R1_MAC).bits()).ttl(64).checksumValid()
        .assertMatches(seen);
    assertArrayEquals(frame, seen.bytes(), "the observer's copy must be the frame as sent");
    // And r1's copy is forwarded (queued for ARP towards 10.0.1.5) with TTL 63.
    FrameMatcher.arpRequest().arpTarget("10.0.1.5").single(far.frames());
  }
}
