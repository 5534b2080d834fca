package emu.control.narrative;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.node.event.ArpEvent;
import emu.node.event.IpEvent;
import emu.node.event.Packet;
import emu.node.event.Stamped;
import emu.node.event.TraceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ordering events of hosts whose clocks differ by their send/receive pairs. */
class ClockOffsetsTest {
  private static final long MS = 1_000_000;
  private long seq;

  /** A frame sent ("eth.tx"), received ("ip.rx"), or something else a node did ("app"). */
  private Stamped event(String node, long tsMs, String type, String src, String dst, Integer id) {
    Packet p = id == null ? null : new Packet(4, src, dst, 17, 64, id, 28, 20, 0, false, null, new Packet.Udp(9, 9, 0), null, null);
    TraceEvent e = switch (type) {
      case "eth.tx" -> new IpEvent.FrameSent("eth0", "02:00:00:00:00:01", "02:00:00:00:00:02", 42, p);
      case "ip.rx" -> new IpEvent.Received("eth0", "02:00:00:00:00:01", "02:00:00:00:00:02", true, true, p);
      default -> new ArpEvent.Announced("eth0", "10.0.0.9", "02:00:00:00:00:09");
    };
    return new Stamped(tsMs * MS, seq++, node, e);
  }

  @Test
  void aHostWhoseClockIsAheadIsSetBackSoEveryReceiveFollowsItsSend() {
    // b's host clock is 500 ms ahead; 10 ms each way on the wire.
    Stamped aSends = event("a", 1000, "eth.tx", "10.0.0.1", "10.0.0.2", 7);
    Stamped bReceives = event("b", 1510, "ip.rx", "10.0.0.1", "10.0.0.2", 7);
    Stamped bThinks = event("b", 1550, "app", null, null, null);
    Stamped bSends = event("b", 1600, "eth.tx", "10.0.0.2", "10.0.0.1", 9);
    Stamped aReceives = event("a", 1110, "ip.rx", "10.0.0.2", "10.0.0.1", 9);
    Stamped aLater = event("a", 1200, "app", null, null, null);
    ClockOffsets clocks = new ClockOffsets(Map.of("a", "m1", "b", "m2"), "a");
    List<Stamped> ordered = clocks.apply(new ArrayList<>(List.of(aSends, aReceives, aLater, bReceives, bThinks,
        bSends)));
    assertEquals(List.of(aSends.seq(), bReceives.seq(), bThinks.seq(), bSends.seq(), aReceives.seq(), aLater.seq()),
        ordered.stream().map(Stamped::seq).toList());
    assertEquals(500 * MS, clocks.offsets().get("m2"));
    assertEquals(1010 * MS, ordered.get(1).ts());
  }

  @Test
  void withoutPairsBothWaysClocksAreKeptButAReceiveStillFollowsItsSend() {
    Stamped aSends = event("a", 1000, "eth.tx", "10.0.0.1", "10.0.0.2", 7);
    Stamped bReceives = event("b", 700, "ip.rx", "10.0.0.1", "10.0.0.2", 7); // b's clock 310 ms behind
    ClockOffsets clocks = new ClockOffsets(Map.of("a", "m1", "b", "m2"), "a");
    List<Stamped> ordered = clocks.apply(new ArrayList<>(List.of(bReceives, aSends)));
    assertEquals(List.of(aSends.seq(), bReceives.seq()), ordered.stream().map(Stamped::seq).toList());
  }

  @Test
  void sendsOfAnEarlierPollAreRemembered() {
    ClockOffsets clocks = new ClockOffsets(Map.of("a", "m1", "b", "m2"), "a");
    Stamped aSends = event("a", 1000, "eth.tx", "10.0.0.1", "10.0.0.2", 7);
    clocks.apply(new ArrayList<>(List.of(aSends)));
    Stamped bReceives = event("b", 900, "ip.rx", "10.0.0.1", "10.0.0.2", 7);
    assertEquals(1000 * MS + 1_000, clocks.apply(new ArrayList<>(List.of(bReceives))).get(0).ts());
  }
}
