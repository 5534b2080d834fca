package emu.link.memory;

import static emu.link.TestBytes.ARP_REQUEST_FRAME;
import static emu.link.TestBytes.buf;
import static emu.link.TestBytes.bytes;
import static emu.link.TestBytes.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.LinkEndpoint;
import emu.link.time.VirtualTime;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-JVM wire on virtual time: latency, ordering, no re-entrancy, MTU drops, close. */
class MemoryLinkTest {
  static final long LATENCY = 250_000L; // 250 us

  /** Collects copies of received frames (with the virtual time they arrived) and releases them. */
  static final class Sink {
    final List<byte[]> frames = new ArrayList<>();
    final List<Long> times = new ArrayList<>();

    void attach(LinkEndpoint e, VirtualTime time) {
      e.receiver(f -> {
        frames.add(bytes(f));
        times.add(time.nanos());
        f.release();
      });
    }
  }

  @Test
  void deliversAfterTheLatencyAndNotBefore() {
    VirtualTime time = new VirtualTime();
    MemoryLink link = new MemoryLink("r1:eth0", "r2:eth0", 1500, time, LATENCY);
    Sink atB = new Sink();
    atB.attach(link.b(), time);
    assertEquals("r1:eth0", link.a().name());
    assertEquals("r2:eth0", link.b().name());
    assertEquals(1500, link.a().mtu());

    link.a().send(buf(ARP_REQUEST_FRAME));
    assertTrue(atB.frames.isEmpty(), "not delivered from inside send()");
    time.runDue();
    assertTrue(atB.frames.isEmpty(), "not delivered before the latency");
    time.advance(LATENCY - 1);
    assertTrue(atB.frames.isEmpty(), "not delivered 1 ns early");
    time.advance(1);
    assertEquals(1, atB.frames.size());
    assertArrayEquals(ARP_REQUEST_FRAME, atB.frames.get(0));
    assertEquals(LATENCY, atB.times.get(0));

    assertEquals(1, link.a().counters().txFrames);
    assertEquals(42, link.a().counters().txBytes);
    assertEquals(1, link.b().counters().rxFrames);
    assertEquals(42, link.b().counters().rxBytes);
    assertEquals(0, link.a().counters().rxFrames);
    assertEquals(0, time.pending());
  }

  @Test
  void keepsOrderAndWorksBothWays() {
    VirtualTime time = new VirtualTime();
    MemoryLink link = new MemoryLink("a", "b", 1500, time, LATENCY);
    Sink atA = new Sink();
    Sink atB = new Sink();
    atA.attach(link.a(), time);
    atB.attach(link.b(), time);
    for (int i = 0; i < 10; i++) {
      link.a().send(buf(pattern(60 + i, i)));
      link.b().send(buf(pattern(100 + i, 0x80 + i)));
    }
    time.advance(LATENCY);
    assertEquals(10, atA.frames.size());
    assertEquals(10, atB.frames.size());
    for (int i = 0; i < 10; i++) {
      assertArrayEquals(pattern(60 + i, i), atB.frames.get(i));
      assertArrayEquals(pattern(100 + i, 0x80 + i), atA.frames.get(i));
    }
  }

  /**
   * A receiver that answers at once does not see its answer delivered while it is still
   * running, even with zero latency: delivery always goes through the time source.
   */
  @Test
  void neverDeliversReentrantly() {
    VirtualTime time = new VirtualTime();
    MemoryLink link = new MemoryLink("a", "b", 1500, time, 0);
    int[] depth = {0};
    List<String> events = new ArrayList<>();
    link.b().receiver(f -> {
      depth[0]++;
      events.add("b got " + f.readableBytes());
      link.b().send(f); // echo it back, handing the buffer on
      events.add("b sent");
      depth[0]--;
    });
    link.a().receiver(f -> {
      assertEquals(0, depth[0], "a's receiver ran inside b's receiver");
      events.add("a got " + f.readableBytes());
      f.release();
    });
    link.a().send(buf(ARP_REQUEST_FRAME));
    assertTrue(events.isEmpty());
    time.runDue();
    assertEquals(List.of("b got 42", "b sent", "a got 42"), events);
  }

  @Test
  void oversizeFramesAreDroppedCountedAndReleased() {
    VirtualTime time = new VirtualTime();
    MemoryLink link = new MemoryLink("a", "b", 1500, time, LATENCY);
    Sink atB = new Sink();
    atB.attach(link.b(), time);
    ByteBuf tooBig = buf(pattern(1519, 1));
    link.a().send(tooBig);
    assertEquals(0, tooBig.refCnt(), "send() owns and releases a dropped frame");
    ByteBuf exactlyMax = buf(pattern(1518, 2)); // 18 + MTU (header and an 802.1Q tag): the largest that crosses
    link.a().send(exactlyMax);
    time.advance(LATENCY);
    assertEquals(1, atB.frames.size());
    assertArrayEquals(pattern(1518, 2), atB.frames.get(0));
    assertEquals(1, link.a().counters().txDropOversize);
    assertEquals(1, link.a().counters().txDrops());
    assertEquals(1, link.a().counters().txFrames);
    assertEquals(1518, link.a().counters().txBytes);
    assertEquals(0, link.b().counters().rxDrops());
  }

  @Test
  void closedEndsDropAndReleaseFrames() {
    VirtualTime time = new VirtualTime();
    MemoryLink link = new MemoryLink("a", "b", 1500, time, LATENCY);
    Sink atB = new Sink();
    atB.attach(link.b(), time);
    // In flight when the receiving end closes: released on arrival, not delivered.
    ByteBuf inFlight = buf(ARP_REQUEST_FRAME);
    link.a().send(inFlight);
    link.b().close();
    time.advance(LATENCY);
    assertEquals(0, inFlight.refCnt());
    assertTrue(atB.frames.isEmpty());
    assertEquals(0, link.b().counters().rxFrames);
    // Sent after the peer closed: released at once.
    ByteBuf late = buf(ARP_REQUEST_FRAME);
    link.a().send(late);
    assertEquals(0, late.refCnt());
    assertEquals(0, time.pending());
    assertFalse(atB.frames.size() > 0);
  }

  @Test
  void defaultReceiverReleasesFrames() {
    VirtualTime time = new VirtualTime();
    MemoryLink link = new MemoryLink("a", "b", 1500, time, 0);
    ByteBuf f = buf(ARP_REQUEST_FRAME);
    link.a().send(f);
    time.runDue();
    assertEquals(0, f.refCnt());
    assertEquals(1, link.b().counters().rxFrames);
  }
}
