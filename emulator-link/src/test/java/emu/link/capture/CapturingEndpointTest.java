package emu.link.capture;

import static emu.link.TestBytes.ARP_REQUEST_FRAME;
import static emu.link.TestBytes.buf;
import static emu.link.TestBytes.bytes;
import static emu.link.TestBytes.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import emu.link.LinkEndpoint;
import emu.link.memory.MemoryLink;
import emu.link.time.VirtualTime;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A capture wrapper records both directions with virtual timestamps and passes frames through. */
class CapturingEndpointTest {
  @TempDir
  Path dir;

  @Test
  void recordsSentAndReceivedFramesUntouched() throws Exception {
    VirtualTime time = new VirtualTime();
    MemoryLink link = new MemoryLink("a", "b", 1500, time, 1_000_000L); // 1 ms
    Path file = dir.resolve("a.pcap");
    CapturingEndpoint a = new CapturingEndpoint(link.a(), new PcapWriter(file), time);
    LinkEndpoint b = link.b();
    List<byte[]> atA = new ArrayList<>();
    List<byte[]> atB = new ArrayList<>();
    a.receiver(f -> {
      atA.add(bytes(f));
      f.release();
    });
    b.receiver(f -> {
      atB.add(bytes(f));
      f.release();
    });
    assertEquals("a", a.name());
    assertEquals(1500, a.mtu());
    assertSame(link.a().counters(), a.counters());

    byte[] reply = pattern(60, 0x40);
    a.send(buf(ARP_REQUEST_FRAME));
    time.advance(1_000_000L);
    b.send(buf(reply));
    time.advance(1_000_000L);
    ByteBuf tooBig = buf(pattern(1519, 0)); // MTU 1500 + 18 (header and an 802.1Q tag) + 1
    a.send(tooBig); // dropped by the link, so not captured
    assertEquals(0, tooBig.refCnt());
    time.advance(1_000_000L);
    a.close();

    assertEquals(1, atB.size());
    assertArrayEquals(ARP_REQUEST_FRAME, atB.get(0));
    assertEquals(1, atA.size());
    assertArrayEquals(reply, atA.get(0));
    assertEquals(1, a.counters().txDropOversize);
    assertEquals(2, a.pcap().packets());

    ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    in.position(24);
    assertRecord(in, 0, ARP_REQUEST_FRAME); // sent at t = 0
    assertRecord(in, 2_000, reply); // received at t = 2 ms
    assertEquals(0, in.remaining());
  }

  private static void assertRecord(ByteBuffer in, int usec, byte[] data) {
    assertEquals(1_767_225_600L, in.getInt() & 0xFFFF_FFFFL);
    assertEquals(usec, in.getInt());
    assertEquals(data.length, in.getInt());
    assertEquals(data.length, in.getInt());
    byte[] got = new byte[data.length];
    in.get(got);
    assertArrayEquals(data, got);
  }
}
