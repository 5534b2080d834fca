package emu.link.capture;

import static emu.link.TestBytes.ARP_REQUEST_FRAME;
import static emu.link.TestBytes.buf;
import static emu.link.TestBytes.hex;
import static emu.link.TestBytes.pattern;
import static emu.link.TestBytes.toHex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import emu.link.time.VirtualTime;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The classic pcap format byte for byte, and (when tshark is installed) that tshark reads it. */
class PcapWriterTest {
  /** 2026-01-01T00:00:00Z in seconds: {@link VirtualTime#EPOCH_START_NANOS}. */
  static final long T0_SEC = 1_767_225_600L;

  /**
   * Global header, little-endian: magic a1b2c3d4 (microseconds), version 2.4, thiszone 0,
   * sigfigs 0, snaplen 65535, linktype 1 (Ethernet).
   */
  static final byte[] GLOBAL_HEADER = hex(
      "d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000000");

  @TempDir
  Path dir;

  @Test
  void globalHeaderAndTwoRecords() throws IOException {
    Path file = dir.resolve("two.pcap");
    byte[] second = pattern(60, 0x30);
    ByteBuf a = buf(ARP_REQUEST_FRAME);
    ByteBuf b = buf(second);
    try (PcapWriter w = new PcapWriter(file)) {
      assertEquals(toHex(GLOBAL_HEADER), toHex(Files.readAllBytes(file)), "header written on open");
      // 1.500000999 s after T0: the nanoseconds below a microsecond are dropped.
      w.write(a, VirtualTime.EPOCH_START_NANOS + 1_500_000_999L);
      // 2.000001 s after T0.
      w.write(b, VirtualTime.EPOCH_START_NANOS + 2_000_001_000L);
      assertEquals(2, w.packets());
      assertEquals(0, a.readerIndex(), "the frame is not consumed");
      assertEquals(1, a.refCnt(), "the frame is not released");
    } finally {
      a.release();
      b.release();
    }
    byte[] bytes = Files.readAllBytes(file);
    assertEquals(24 + 16 + 42 + 16 + 60, bytes.length);
    assertEquals(toHex(GLOBAL_HEADER), toHex(Arrays.copyOf(bytes, 24)));

    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    in.position(24);
    assertRecord(in, T0_SEC + 1, 500_000, 42, 42, ARP_REQUEST_FRAME);
    assertRecord(in, T0_SEC + 2, 1, 60, 60, second);
    assertEquals(0, in.remaining());

    // The first record header spelled out, so the byte order is pinned too.
    long sec = T0_SEC + 1;
    byte[] rec = hex(String.format("%02x%02x%02x%02x 20a10700 2a000000 2a000000",
        sec & 0xFF, (sec >>> 8) & 0xFF, (sec >>> 16) & 0xFF, (sec >>> 24) & 0xFF));
    assertEquals(toHex(rec), toHex(Arrays.copyOfRange(bytes, 24, 40)));
  }

  /** Only the readable bytes are recorded, from the reader index, without moving it. */
  @Test
  void recordsReadableBytesOnly() throws IOException {
    Path file = dir.resolve("slice.pcap");
    ByteBuf b = Unpooled.buffer(128).writeBytes(hex("cafe")).writeBytes(ARP_REQUEST_FRAME).writeBytes(hex("beef"));
    try (PcapWriter w = new PcapWriter(file)) {
      b.readerIndex(2).writerIndex(2 + 42);
      w.write(b, VirtualTime.EPOCH_START_NANOS);
      assertEquals(2, b.readerIndex());
      assertEquals(44, b.writerIndex());
    } finally {
      b.release();
    }
    ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    in.position(24);
    assertRecord(in, T0_SEC, 0, 42, 42, ARP_REQUEST_FRAME);
    assertEquals(0, in.remaining());
  }

  /** A frame longer than the snap length is cut to 65535 bytes; orig_len keeps the real size. */
  @Test
  void framesBeyondSnapLengthAreTruncated() throws IOException {
    Path file = dir.resolve("jumbo.pcap");
    byte[] big = pattern(70_000, 7);
    ByteBuf b = buf(big);
    try (PcapWriter w = new PcapWriter(file)) {
      w.write(b, VirtualTime.EPOCH_START_NANOS);
    } finally {
      b.release();
    }
    ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    in.position(24);
    assertRecord(in, T0_SEC, 0, 65_535, 70_000, Arrays.copyOf(big, 65_535));
    assertEquals(0, in.remaining());
  }

  /** Many records, more than the staging buffer holds, come back complete and in order. */
  @Test
  void manyRecordsSurviveStagingFlushes() throws IOException {
    Path file = dir.resolve("many.pcap");
    List<byte[]> frames = new ArrayList<>();
    try (PcapWriter w = new PcapWriter(file)) {
      for (int i = 0; i < 200; i++) {
        byte[] f = pattern(60 + (i * 977) % 9000, i);
        frames.add(f);
        ByteBuf b = buf(f);
        try {
          w.write(b, VirtualTime.EPOCH_START_NANOS + i * 1_000L);
        } finally {
          b.release();
        }
      }
      assertEquals(200, w.packets());
    }
    ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    in.position(24);
    for (int i = 0; i < frames.size(); i++) {
      byte[] f = frames.get(i);
      assertRecord(in, T0_SEC, i, f.length, f.length, f);
    }
    assertEquals(0, in.remaining());
  }

  /** flush() makes records visible while open; close() is idempotent; writes after it are ignored. */
  @Test
  void flushCloseAndWriteAfterClose() throws IOException {
    Path file = dir.resolve("flush.pcap");
    PcapWriter w = new PcapWriter(file);
    ByteBuf b = buf(ARP_REQUEST_FRAME);
    try {
      w.write(b, VirtualTime.EPOCH_START_NANOS);
      w.flush();
      assertEquals(24 + 16 + 42, Files.size(file));
      w.close();
      w.close();
      w.write(b, VirtualTime.EPOCH_START_NANOS);
      w.flush();
      assertEquals(1, w.packets());
      assertEquals(24 + 16 + 42, Files.size(file));
    } finally {
      b.release();
      w.close();
    }
  }

  /** tshark reads the file and decodes the ARP request inside it. */
  @Test
  void tsharkDecodesAnArpRequest() throws Exception {
    Path tshark = findOnPath("tshark");
    if (tshark == null) {
      if ("1".equals(System.getenv("EMU_REQUIRE_TOOLS"))) {
        fail("EMU_REQUIRE_TOOLS=1 but tshark is not on the PATH");
      }
      Assumptions.abort("tshark is not on the PATH");
    }
    Path file = dir.resolve("arp.pcap");
    ByteBuf b = buf(ARP_REQUEST_FRAME);
    try (PcapWriter w = new PcapWriter(file)) {
      w.write(b, VirtualTime.EPOCH_START_NANOS + 1_500_000_000L);
    } finally {
      b.release();
    }
    Path err = dir.resolve("tshark.err");
    Process p = new ProcessBuilder(tshark.toString(), "-r", file.toString(), "-T", "fields",
        "-e", "eth.src", "-e", "eth.dst", "-e", "eth.type",
        "-e", "arp.opcode", "-e", "arp.src.proto_ipv4", "-e", "arp.dst.proto_ipv4",
        "-e", "frame.time_epoch")
        .redirectErrorStream(false)
        .redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("tshark did not finish");
    }
    String stdout = new String(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), "tshark failed: " + stdout + Files.readString(err));
    String[] lines = stdout.strip().split("\n");
    assertEquals(1, lines.length, stdout);
    String[] fields = lines[0].split("\t", -1);
    assertEquals("00:1a:2b:3c:4d:5e", fields[0]);
    assertEquals("ff:ff:ff:ff:ff:ff", fields[1]);
    assertEquals(0x0806, Integer.decode(fields[2]));
    assertEquals("1", fields[3], "ARP request");
    assertEquals("192.168.1.100", fields[4]);
    assertEquals("192.168.1.1", fields[5]);
    assertTrue(fields[6].startsWith("1767225601.5"), "timestamp " + fields[6]);
  }

  /**
   * With a time source: a record is on disk 200 ms after it was written, by one timer armed at
   * the first record after a flush; a writer with nothing staged arms none, so an idle link
   * wakes nobody (the node flushed every capture every 200 ms before, idle or not).
   */
  @Test
  void timedFlushArmsOneTimerOnlyWhileRecordsWait() throws IOException {
    VirtualTime time = new VirtualTime();
    Path file = dir.resolve("timed.pcap");
    long after = TimeUnit.MILLISECONDS.toNanos(200);
    try (PcapWriter w = new PcapWriter(file, time, after)) {
      assertEquals(0, time.pending(), "nothing staged: no timer");
      time.advance(TimeUnit.SECONDS.toNanos(60));
      assertEquals(0, time.pending(), "60 idle seconds: still no timer");
      w.write(buf(ARP_REQUEST_FRAME), time.epochNanos());
      w.write(buf(ARP_REQUEST_FRAME), time.epochNanos());
      assertEquals(1, time.pending(), "one timer for both records");
      time.advance(after - 1);
      assertEquals(PcapWriter.GLOBAL_HEADER_LEN, Files.size(file), "not yet on disk");
      time.advance(1);
      assertEquals(PcapWriter.GLOBAL_HEADER_LEN + 2 * (PcapWriter.RECORD_HEADER_LEN + ARP_REQUEST_FRAME.length), Files.size(file),
          "on disk 200 ms after the first record");
      assertEquals(0, time.pending(), "flushed: no timer left");
      w.write(buf(ARP_REQUEST_FRAME), time.epochNanos());
      assertEquals(1, time.pending());
    }
    time.advance(after); // the cancelled timer (VirtualTime counts it until its time) writes nothing more
    assertEquals(PcapWriter.GLOBAL_HEADER_LEN + 3 * (PcapWriter.RECORD_HEADER_LEN + ARP_REQUEST_FRAME.length), Files.size(file));
  }

  static Path findOnPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String d : path.split(File.pathSeparator)) {
      if (d.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(d, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private static void assertRecord(ByteBuffer in, long sec, int usec, int caplen, int origLen, byte[] data) {
    assertEquals(sec, in.getInt() & 0xFFFF_FFFFL, "ts_sec");
    assertEquals(usec, in.getInt(), "ts_usec");
    assertEquals(caplen, in.getInt(), "caplen");
    assertEquals(origLen, in.getInt(), "orig_len");
    byte[] got = new byte[caplen];
    in.get(got);
    assertArrayEquals(data, got);
  }
}
