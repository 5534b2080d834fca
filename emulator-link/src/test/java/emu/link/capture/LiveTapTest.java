package emu.link.capture;

import static emu.link.TestBytes.ARP_REQUEST_FRAME;
import static emu.link.TestBytes.buf;
import static emu.link.TestBytes.bytes;
import static emu.link.TestBytes.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import emu.link.LinkEndpoint;
import emu.link.memory.MemoryLink;
import emu.link.time.VirtualTime;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live captures: a tap hands both directions to every attached capture and passes frames through
 * untouched; a capture whose sink is at its bound drops whole frames and counts them, so the
 * stream stays valid pcap (tshark reads it); a count ends it after exactly that many records.
 */
class LiveTapTest {
  @TempDir
  Path dir;

  /** A sink holding up to {@code bound} bytes until drained, as a socket buffer does. */
  private static final class BoundedSink implements PcapStream.Sink {
    final ByteBuf bytes = Unpooled.buffer();
    final int bound;
    int pending;
    int ends;

    BoundedSink(int bound) {
      this.bound = bound;
      ByteBuf header = PcapStream.globalHeader(ByteBufAllocator.DEFAULT);
      bytes.writeBytes(header);
      header.release();
    }

    @Override
    public boolean writable() {
      return pending < bound;
    }

    @Override
    public void record(ByteBuf record) {
      pending += record.readableBytes();
      bytes.writeBytes(record);
      record.release();
    }

    @Override
    public void end() {
      ends++;
    }

    void drain() {
      pending = 0;
    }
  }

  @Test
  void everyCaptureSeesBothDirectionsAndFramesPassUntouched() {
    VirtualTime time = new VirtualTime();
    MemoryLink link = new MemoryLink("a", "b", 1500, time, 1_000_000L);
    LiveTap a = new LiveTap(link.a(), time);
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
    a.send(buf(ARP_REQUEST_FRAME)); // nobody capturing yet
    time.advance(1_000_000L);
    List<String> one = new ArrayList<>();
    List<String> two = new ArrayList<>();
    LiveTap.Subscriber s1 = (f, t) -> one.add(f.readableBytes() + "@" + (t - VirtualTime.EPOCH_START_NANOS));
    LiveTap.Subscriber s2 = (f, t) -> two.add(f.readableBytes() + "@" + (t - VirtualTime.EPOCH_START_NANOS));
    a.add(s1);
    a.add(s2);
    assertEquals(2, a.subscribers());
    byte[] reply = pattern(60, 0x40);
    a.send(buf(ARP_REQUEST_FRAME));
    b.send(buf(reply));
    time.advance(1_000_000L);
    ByteBuf tooBig = buf(pattern(1519, 0));
    a.send(tooBig); // dropped by the link, so never on the wire
    assertEquals(0, tooBig.refCnt());
    assertTrue(a.remove(s1));
    assertFalse(a.remove(s1));
    b.send(buf(reply));
    time.advance(1_000_000L);
    assertTrue(a.remove(s2));
    assertEquals(0, a.subscribers());

    assertEquals(List.of("42@1000000", "60@2000000"), one);
    assertEquals(List.of("42@1000000", "60@2000000", "60@3000000"), two);
    assertEquals(2, atB.size());
    assertArrayEquals(ARP_REQUEST_FRAME, atB.get(1));
    assertEquals(2, atA.size());
    assertArrayEquals(reply, atA.get(0));
    a.close();
  }

  @Test
  void aCaptureThatThrowsIsDetachedAndTheFramesGoOn() {
    VirtualTime time = new VirtualTime();
    MemoryLink link = new MemoryLink("a", "b", 1500, time, 1_000_000L);
    LiveTap a = new LiveTap(link.a(), time);
    LiveTap b = new LiveTap(link.b(), time);
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
    List<Integer> good = new ArrayList<>();
    LiveTap.Subscriber bad = (f, t) -> {
      throw new IllegalStateException("broken capture");
    };
    a.add(bad);
    a.add((f, t) -> good.add(f.readableBytes()));
    b.add(bad);
    ByteBuf sent = buf(ARP_REQUEST_FRAME);
    a.send(sent);
    time.advance(1_000_000L);
    b.send(buf(pattern(60, 0x40)));
    time.advance(1_000_000L);
    a.send(buf(ARP_REQUEST_FRAME));
    time.advance(1_000_000L);
    assertEquals(2, atB.size(), "frames sent past a failing capture");
    assertEquals(1, atA.size(), "frames received past a failing capture");
    assertEquals(0, sent.refCnt());
    assertEquals(1, a.subscribers());
    assertEquals(0, b.subscribers());
    assertEquals(1, a.failures());
    assertEquals(1, b.failures());
    assertEquals(List.of(42, 60, 42), good);
    a.close();
    b.close();
  }

  @Test
  void aFullSinkDropsWholeFramesAndCountsThem() throws Exception {
    VirtualTime time = new VirtualTime();
    MemoryLink link = new MemoryLink("a", "b", 1500, time, 0);
    LiveTap a = new LiveTap(link.a(), time);
    link.b().receiver(ByteBuf::release);
    BoundedSink sink = new BoundedSink(3 * (16 + 100));
    PcapStream stream = new PcapStream(sink, ByteBufAllocator.DEFAULT, 0);
    a.add(stream);
    for (int i = 0; i < 10; i++) {
      a.send(buf(pattern(100, i)));
    }
    assertEquals(3, stream.captured(), "the bound holds three records");
    assertEquals(7, stream.dropped());
    sink.drain(); // the reader caught up
    a.send(buf(pattern(1514, 0xAA))); // past the bound now: the next is dropped
    a.send(buf(pattern(100, 0xCC)));
    sink.drain();
    a.send(buf(pattern(100, 0xBB)));
    assertEquals(5, stream.captured());
    assertEquals(8, stream.dropped());
    assertEquals(0, sink.ends);
    a.remove(stream);

    ByteBuffer in = ByteBuffer.wrap(bytes(sink.bytes)).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(PcapWriter.MAGIC_MICROS, in.getInt());
    in.position(PcapWriter.GLOBAL_HEADER_LEN);
    int[] lengths = {100, 100, 100, 1514, 100};
    int[] firstBytes = {0, 1, 2, 0xAA, 0xBB};
    for (int i = 0; i < lengths.length; i++) {
      in.getInt();
      in.getInt();
      assertEquals(lengths[i], in.getInt(), "caplen of record " + i);
      assertEquals(lengths[i], in.getInt(), "len of record " + i);
      byte[] data = new byte[lengths[i]];
      in.get(data);
      assertArrayEquals(pattern(lengths[i], firstBytes[i]), data, "record " + i);
    }
    assertEquals(0, in.remaining(), "nothing but whole records");
    tsharkReadsEveryRecord(sink.bytes, 5);
    sink.bytes.release();
    a.close();
    link.close();
  }

  @Test
  void aCountEndsTheStreamAfterExactlyThatManyRecords() {
    VirtualTime time = new VirtualTime();
    MemoryLink link = new MemoryLink("a", "b", 1500, time, 0);
    LiveTap a = new LiveTap(link.a(), time);
    link.b().receiver(ByteBuf::release);
    BoundedSink sink = new BoundedSink(Integer.MAX_VALUE);
    PcapStream stream = new PcapStream(sink, ByteBufAllocator.DEFAULT, 4);
    a.add(stream);
    for (int i = 0; i < 6; i++) {
      a.send(buf(ARP_REQUEST_FRAME));
    }
    assertEquals(4, stream.captured());
    assertEquals(0, stream.dropped());
    assertEquals(1, sink.ends);
    assertTrue(stream.ended());
    assertEquals(PcapWriter.GLOBAL_HEADER_LEN + 4 * (16 + ARP_REQUEST_FRAME.length), sink.bytes.readableBytes());
    assertThrows(IllegalArgumentException.class, () -> new PcapStream(sink, ByteBufAllocator.DEFAULT, -1));
    sink.bytes.release();
    a.close();
    link.close();
  }

  private void tsharkReadsEveryRecord(ByteBuf pcap, int records) throws Exception {
    Path tshark = PcapWriterTest.findOnPath("tshark");
    if (tshark == null) {
      if ("1".equals(System.getenv("EMU_REQUIRE_TOOLS"))) {
        fail("EMU_REQUIRE_TOOLS=1 but tshark is not on the PATH");
      }
      Assumptions.abort("tshark is not on the PATH");
    }
    Path file = dir.resolve("live.pcap");
    Files.write(file, bytes(pcap));
    Path err = dir.resolve("tshark.err");
    Process p = new ProcessBuilder(tshark.toString(), "-r", file.toString(), "-T", "fields", "-e", "frame.len")
        .redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("tshark did not finish");
    }
    assertEquals(0, p.exitValue(), "tshark: " + out + Files.readString(err));
    assertEquals(List.of("100", "100", "100", "1514", "100"), List.of(out.strip().split("\n")), Files.readString(err));
    assertEquals(records, out.strip().split("\n").length);
  }
}
