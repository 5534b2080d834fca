package emu.node.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.trace.MemoryTracer;
import emu.node.event.TraceMeta.Legacy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The narrator alone (no SslHandler behind it): it reads records however the bytes are cut,
 * never changes them, and survives anything: truncations, flipped bits, random bytes, lengths
 * beyond the limit. Whatever it cannot follow it counts and then ignores.
 */
class TlsNarratorTest {
  static byte[] clientHello;

  /** A real ClientHello from Bouncy Castle JSSE, offering TLS 1.3 and 1.2 with SNI payroll.corp.com. */
  @BeforeAll
  static void captureClientHello() {
    LabPki.Ca ca = LabPki.newCa("emu lab corporate CA");
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().addLast(TlsContexts.client(ca.certPem(), null, "bc").newHandler(ch.alloc(), "payroll.corp.com", 443));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
      ByteBuf b = (ByteBuf) o;
      byte[] a = new byte[b.readableBytes()];
      b.readBytes(a);
      out.writeBytes(a);
      b.release();
    }
    ch.finishAndReleaseAll();
    clientHello = out.toByteArray();
    assertEquals(0x16, clientHello[0], "a handshake record");
  }

  /** Feeds {@code bytes} inbound in the given cut points; returns what came out the other side. */
  static byte[] feedInbound(EmbeddedChannel ch, byte[] bytes, int[] cuts) {
    int from = 0;
    for (int cut : cuts) {
      ch.writeInbound(Unpooled.copiedBuffer(bytes, from, cut - from));
      from = cut;
    }
    ch.writeInbound(Unpooled.copiedBuffer(bytes, from, bytes.length - from));
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    for (Object o = ch.readInbound(); o != null; o = ch.readInbound()) {
      ByteBuf b = (ByteBuf) o;
      byte[] a = new byte[b.readableBytes()];
      b.readBytes(a);
      got.writeBytes(a);
      b.release();
    }
    return got.toByteArray();
  }

  static int[] randomCuts(SplittableRandom r, int length) {
    int n = r.nextInt(4);
    int[] cuts = new int[n];
    for (int i = 0; i < n; i++) {
      cuts[i] = length == 0 ? 0 : r.nextInt(length + 1);
    }
    Arrays.sort(cuts);
    return cuts;
  }

  @Test
  void clientHelloFedOneByteAtATime() {
    MemoryTracer t = new MemoryTracer();
    TlsNarrator n = new TlsNarrator(t, TlsNarrator.Side.SERVER);
    EmbeddedChannel ch = new EmbeddedChannel(n);
    int[] everyByte = new int[clientHello.length - 1];
    for (int i = 0; i < everyByte.length; i++) {
      everyByte[i] = i + 1;
    }
    assertArrayEquals(clientHello, feedInbound(ch, clientHello, everyByte), "bytes pass unchanged");
    List<Legacy> hellos = t.ofType("tls.client_hello");
    assertEquals(1, hellos.size(), t.legacy().toString());
    Legacy h = hellos.get(0);
    assertEquals("received", h.fields().get("dir"));
    assertEquals("payroll.corp.com", h.fields().get("sni"));
    assertEquals(List.of("TLS 1.3", "TLS 1.2"), h.fields().get("supported_versions"));
    assertTrue(((List<?>) h.fields().get("cipher_suites")).contains("TLS_AES_128_GCM_SHA256"));
    assertTrue(((List<?>) h.fields().get("cipher_suites")).contains("TLS_RSA_WITH_AES_128_GCM_SHA256"));
    assertFalse(((List<?>) h.fields().get("key_share_groups")).isEmpty());
    assertEquals(1, n.recordsReceived());
    assertEquals(0, n.malformed());
    assertFalse(ch.finish());
  }

  @Test
  void mutatedClientHellosNeverThrowAndPassUnchanged() {
    SplittableRandom r = new SplittableRandom(2024);
    for (int round = 0; round < 500; round++) {
      byte[] b = Arrays.copyOf(clientHello, clientHello.length);
      if (r.nextBoolean()) {
        for (int flips = 1 + r.nextInt(4); flips > 0; flips--) {
          b[5 + r.nextInt(b.length - 5)] = (byte) r.nextInt(256); // keep the record header, break the inside
        }
      } else {
        b = Arrays.copyOf(b, r.nextInt(b.length)); // truncated
      }
      TlsNarrator n = new TlsNarrator(new MemoryTracer(), TlsNarrator.Side.SERVER);
      EmbeddedChannel ch = new EmbeddedChannel(n);
      assertArrayEquals(b, feedInbound(ch, b, randomCuts(r, b.length)), "round " + round);
      assertTrue(n.malformed() <= 1);
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void randomBytesBothWaysAreCountedNotFollowed() {
    SplittableRandom r = new SplittableRandom(99);
    for (int round = 0; round < 200; round++) {
      byte[] in = new byte[r.nextInt(3000)];
      byte[] out = new byte[r.nextInt(3000)];
      r.nextBytes(in);
      r.nextBytes(out);
      MemoryTracer t = new MemoryTracer();
      TlsNarrator n = new TlsNarrator(t, TlsNarrator.Side.CLIENT);
      EmbeddedChannel ch = new EmbeddedChannel(n);
      assertArrayEquals(in, feedInbound(ch, in, randomCuts(r, in.length)));
      ch.writeOutbound(Unpooled.wrappedBuffer(out));
      ByteBuf sent = ch.readOutbound();
      byte[] got = new byte[sent.readableBytes()];
      sent.readBytes(got);
      sent.release();
      assertArrayEquals(out, got);
      assertTrue(n.malformed() <= 2);
      assertTrue(t.ofType("tls.malformed").size() <= 2, "reported once per direction at most");
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void plainHttpIsReportedAsNotTls() {
    MemoryTracer t = new MemoryTracer();
    TlsNarrator n = new TlsNarrator(t, TlsNarrator.Side.SERVER);
    EmbeddedChannel ch = new EmbeddedChannel(n);
    byte[] http = "GET / HTTP/1.1\r\nHost: payroll.corp.com\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    feedInbound(ch, http, new int[0]);
    feedInbound(ch, clientHello, new int[0]); // too late: that direction is given up
    assertEquals(1, n.malformed());
    assertEquals(1, t.legacy().size(), t.legacy().toString());
    Legacy e = t.legacy().get(0);
    assertEquals("tls.malformed", e.type());
    assertTrue(e.message().contains("content type 71 is not a TLS record type (first bytes: \"GET /\")"),
        e.message());
    ch.finishAndReleaseAll();
  }

  @Test
  void oversizedRecordAndHandshakeLengthsAreMalformed() {
    MemoryTracer t = new MemoryTracer();
    EmbeddedChannel ch = new EmbeddedChannel(new TlsNarrator(t, TlsNarrator.Side.SERVER));
    feedInbound(ch, new byte[] {0x17, 0x03, 0x03, (byte) 0xFF, (byte) 0xFF}, new int[0]);
    assertTrue(t.legacy().get(0).message().contains("record length 65535 exceeds 2^14 + 2048"), t.legacy().toString());
    ch.finishAndReleaseAll();

    MemoryTracer t2 = new MemoryTracer();
    EmbeddedChannel ch2 = new EmbeddedChannel(new TlsNarrator(t2, TlsNarrator.Side.SERVER));
    // a plausible record carrying a handshake header that claims 16 MiB
    feedInbound(ch2, new byte[] {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF},
        new int[0]);
    assertEquals("tls.malformed", t2.legacy().get(0).type());
    assertTrue(t2.legacy().get(0).message().contains("beyond what the narrator follows"), t2.legacy().toString());
    ch2.finishAndReleaseAll();
  }
}
