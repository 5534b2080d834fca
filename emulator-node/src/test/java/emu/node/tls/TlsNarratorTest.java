package emu.node.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.event.TlsEvent;
import emu.node.event.TlsEvent.Direction;
import emu.node.event.TlsEvent.MalformedCause;
import emu.node.trace.MemoryTracer;
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
    TlsNarrator n = new TlsNarrator(t, TlsEvent.Side.SERVER);
    EmbeddedChannel ch = new EmbeddedChannel(n);
    int[] everyByte = new int[clientHello.length - 1];
    for (int i = 0; i < everyByte.length; i++) {
      everyByte[i] = i + 1;
    }
    assertArrayEquals(clientHello, feedInbound(ch, clientHello, everyByte), "bytes pass unchanged");
    List<TlsEvent.ClientHello> hellos = t.of(TlsEvent.ClientHello.class);
    assertEquals(1, hellos.size(), t.events().toString());
    TlsEvent.ClientHello h = hellos.get(0);
    assertEquals(Direction.RECEIVED, h.dir());
    assertEquals(TlsEvent.Side.SERVER, h.side());
    assertEquals(clientHello.length - 5 - 4, h.bytes(), "the message's body: less the record's and message's headers");
    assertEquals("payroll.corp.com", h.sni());
    assertEquals(List.of("TLS 1.3", "TLS 1.2"), h.supportedVersions());
    assertEquals("TLS 1.2", h.legacyVersion());
    assertTrue(h.cipherSuites().contains("TLS_AES_128_GCM_SHA256"));
    assertTrue(h.cipherSuites().contains("TLS_RSA_WITH_AES_128_GCM_SHA256"));
    assertFalse(h.keyShareGroups().isEmpty());
    assertFalse(h.supportedGroups().isEmpty());
    assertEquals(1, t.events().size(), "nothing but the ClientHello: " + t.events());
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
      TlsNarrator n = new TlsNarrator(new MemoryTracer(), TlsEvent.Side.SERVER);
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
      TlsNarrator n = new TlsNarrator(t, TlsEvent.Side.CLIENT);
      EmbeddedChannel ch = new EmbeddedChannel(n);
      assertArrayEquals(in, feedInbound(ch, in, randomCuts(r, in.length)));
      ch.writeOutbound(Unpooled.wrappedBuffer(out));
      ByteBuf sent = ch.readOutbound();
      byte[] got = new byte[sent.readableBytes()];
      sent.readBytes(got);
      sent.release();
      assertArrayEquals(out, got);
      assertTrue(n.malformed() <= 2);
      assertTrue(t.of(TlsEvent.Malformed.class).size() <= 2, "reported once per direction at most");
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void plainHttpIsReportedAsNotTls() {
    MemoryTracer t = new MemoryTracer();
    TlsNarrator n = new TlsNarrator(t, TlsEvent.Side.SERVER);
    EmbeddedChannel ch = new EmbeddedChannel(n);
    byte[] http = "GET / HTTP/1.1\r\nHost: payroll.corp.com\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    feedInbound(ch, http, new int[0]);
    feedInbound(ch, clientHello, new int[0]); // too late: that direction is given up
    assertEquals(1, n.malformed());
    assertEquals(1, t.events().size(), t.events().toString());
    TlsEvent.Malformed e = (TlsEvent.Malformed) t.events().get(0);
    assertEquals("tls.malformed", e.type());
    assertEquals(Direction.RECEIVED, e.dir());
    assertEquals(MalformedCause.CONTENT_TYPE, e.cause());
    assertEquals('G', e.value(), "content type 71");
    assertEquals("\"GET /\"", e.firstBytes(), "the header, as text since it is printable");
    ch.finishAndReleaseAll();
  }

  @Test
  void oversizedRecordAndHandshakeLengthsAreMalformed() {
    MemoryTracer t = new MemoryTracer();
    EmbeddedChannel ch = new EmbeddedChannel(new TlsNarrator(t, TlsEvent.Side.SERVER));
    feedInbound(ch, new byte[] {0x17, 0x03, 0x03, (byte) 0xFF, (byte) 0xFF}, new int[0]);
    TlsEvent.Malformed tooLong = t.of(TlsEvent.Malformed.class).get(0);
    assertEquals(MalformedCause.RECORD_LENGTH, tooLong.cause(), t.events().toString());
    assertEquals(65535, tooLong.value());
    assertEquals("17 03 03 ff ff", tooLong.firstBytes(), "not printable: hex");
    ch.finishAndReleaseAll();

    MemoryTracer t2 = new MemoryTracer();
    EmbeddedChannel ch2 = new EmbeddedChannel(new TlsNarrator(t2, TlsEvent.Side.SERVER));
    // a plausible record carrying a handshake header that claims 16 MiB
    feedInbound(ch2, new byte[] {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF},
        new int[0]);
    TlsEvent.Malformed huge = t2.of(TlsEvent.Malformed.class).get(0);
    assertEquals(MalformedCause.HANDSHAKE_LENGTH, huge.cause(), t2.events().toString());
    assertEquals(0xFFFFFF, huge.value());
    ch2.finishAndReleaseAll();

    MemoryTracer t3 = new MemoryTracer();
    EmbeddedChannel ch3 = new EmbeddedChannel(new TlsNarrator(t3, TlsEvent.Side.SERVER));
    // a ClientHello of 4 bytes: far too short to hold even the random
    feedInbound(ch3, new byte[] {0x16, 0x03, 0x01, 0x00, 0x08, 0x01, 0x00, 0x00, 0x04, 0x03, 0x03, 0x00, 0x00},
        new int[0]);
    TlsEvent.Malformed broken = t3.of(TlsEvent.Malformed.class).get(0);
    assertEquals(MalformedCause.HANDSHAKE_MESSAGE, broken.cause(), t3.events().toString());
    assertEquals("client_hello", broken.message());
    assertTrue(broken.detail().startsWith("truncated"), broken.detail());
    ch3.finishAndReleaseAll();
  }
}
