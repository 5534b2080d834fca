package emu.node.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.event.TlsEvent;
import emu.node.event.TlsEvent.MalformedCause;
import emu.node.trace.MemoryTracer;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Arrays;

/**
 * Jazzer target for the TLS parsing emu does itself: {@link TlsNarrator}'s record framing (RFC 8446
 * 5.1) and its reading of handshake messages (ClientHello, ServerHello, Certificate,
 * ServerKeyExchange...), the rest being Bouncy Castle's. Each input is one direction's byte
 * stream, fed inbound to a server-side narrator in one buffer and to a client-side one in two
 * (cut in the middle, so records span buffers). The bytes must pass unchanged, each direction be
 * given up as malformed at most once, and no narrator bug be caught and reported (NARRATOR_ERROR);
 * the corpus holds the real flights of Bouncy Castle handshakes (TLS 1.3 and 1.2 with RSA).
 */
class TlsNarratorFuzzTest {
  @FuzzTest(maxDuration = "10m")
  void inbound(byte[] stream) {
    follow(TlsEvent.Side.SERVER, stream, stream.length);
    follow(TlsEvent.Side.CLIENT, stream, stream.length / 2);
  }

  private static void follow(TlsEvent.Side side, byte[] stream, int cut) {
    MemoryTracer t = new MemoryTracer();
    TlsNarrator n = new TlsNarrator(t, side);
    EmbeddedChannel ch = new EmbeddedChannel(n);
    int[] cuts = cut < stream.length ? new int[] {cut} : new int[0];
    assertArrayEquals(stream, TlsNarratorTest.feedInbound(ch, stream, cuts), "bytes pass unchanged");
    ch.finishAndReleaseAll();
    assertTrue(n.malformed() <= 1, "given up at most once");
    for (TlsEvent.Malformed m : t.of(TlsEvent.Malformed.class)) {
      assertTrue(m.cause() != MalformedCause.NARRATOR_ERROR, "the narrator threw: " + m + " on "
          + Arrays.toString(stream));
    }
  }
}
