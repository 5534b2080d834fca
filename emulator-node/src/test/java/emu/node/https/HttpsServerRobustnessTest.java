package emu.node.https;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.config.HttpsConfig;
import emu.node.tls.LabPki;
import emu.node.event.HttpsEvent;
import emu.node.event.TlsEvent;
import emu.node.wire.Ipv4Address;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Port 443 gets what is not TLS: a plain-HTTP client, random bytes, bytes that start like a
 * TLS record and then are junk. The server closes each of those connections, counts it, and
 * then serves a real client as if nothing had happened.
 */
class HttpsServerRobustnessTest {
  static final String HOST = "payroll.corp.com";
  static LabPki.Ca ca;
  static LabPki.Credentials valid;

  HttpsLab lab;
  HttpsServer server;

  @BeforeAll
  static void pki() {
    ca = LabPki.newCa("emu lab corporate CA");
    valid = ca.issue(List.of(HOST), LabPki.Kind.VALID);
  }

  @BeforeEach
  void start() throws Exception {
    lab = new HttpsLab(null);
    server = lab.serve(lab.web, lab.webTrace, new HttpsConfig(443, List.of(HOST), Map.of("/", "<p>pay</p>\n"), "1.3",
        "bc", valid.keyPem(), valid.certChainPem()));
  }

  @AfterEach
  void stop() throws Exception {
    lab.close();
  }

  /** What a raw TCP client got back before the server closed the connection. */
  private byte[] sendRaw(byte[] bytes) throws Exception {
    return sendRaw(bytes, 443);
  }

  private byte[] sendRaw(byte[] bytes, int port) throws Exception {
    CompletableFuture<byte[]> closed = new CompletableFuture<>();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    // half-closure: the server's FIN shows as an input-shutdown event
    lab.pc.tcpClient().option(ChannelOption.ALLOW_HALF_CLOSURE, true).handler(new ChannelInboundHandlerAdapter() {
      @Override
      public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(bytes));
      }

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf b = (ByteBuf) msg;
        byte[] a = new byte[b.readableBytes()];
        b.readBytes(a);
        got.writeBytes(a);
        b.release();
      }

      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
          closed.complete(got.toByteArray());
          ctx.close();
        }
      }
    }).connect(new InetSocketAddress(Ipv4Address.toInet(Ipv4Address.parse(HttpsLab.WEB)), port)).sync();
    return closed.get(5, TimeUnit.SECONDS); // well before the SslHandler's 10 s handshake timeout
  }

  @Test
  void plainHttpToPort443IsClosedAndCounted() throws Exception {
    byte[] reply = sendRaw("GET / HTTP/1.1\r\nHost: payroll.corp.com\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    assertEquals(0, reply.length, "nothing is served in the clear");
    assertEquals(1L, lab.onLoop(server::notTls));
    TlsEvent.Malformed malformed = lab.events(lab.webTrace, TlsEvent.Malformed.class).get(0);
    assertEquals(TlsEvent.Direction.RECEIVED, malformed.dir());
    assertEquals(TlsEvent.MalformedCause.CONTENT_TYPE, malformed.cause());
    assertEquals("\"GET /\"", malformed.firstBytes());
    HttpsEvent.Rejected rejected = lab.events(lab.webTrace, HttpsEvent.Rejected.class).get(0);
    assertTrue(rejected.notTls(), rejected.toString());
    assertTrue(rejected.reason().contains("not TLS"), rejected.reason());
    assertEquals(1, rejected.notTlsSoFar(), "counted");
    assertEquals(0, rejected.failedSoFar());
    assertEquals(TlsEvent.Failure.NOT_TLS, lab.events(lab.webTrace, TlsEvent.HandshakeFailed.class).get(0).failure());
    realClientStillServed();
  }

  @Test
  void randomGarbageIsClosedAndCounted() throws Exception {
    byte[] junk = new byte[1500];
    new SplittableRandom(7).nextBytes(junk);
    sendRaw(junk);
    assertEquals(1L, lab.onLoop(() -> server.notTls() + server.handshakeFailures()));
    assertFalse(lab.events(lab.webTrace, TlsEvent.Malformed.class).isEmpty());
    realClientStillServed();
  }

  @Test
  void junkInsideATlsLookingRecordIsClosedAndCounted() throws Exception {
    // a record header that promises a ClientHello, then 60 bytes of noise
    byte[] junk = new byte[5 + 4 + 60];
    new SplittableRandom(11).nextBytes(junk);
    byte[] head = {0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0x00, 0x00, 0x3c};
    System.arraycopy(head, 0, junk, 0, head.length);
    sendRaw(junk);
    assertEquals(1L, lab.onLoop(server::handshakeFailures));
    TlsEvent.Malformed malformed = lab.events(lab.webTrace, TlsEvent.Malformed.class).get(0);
    assertEquals(TlsEvent.MalformedCause.HANDSHAKE_MESSAGE, malformed.cause());
    assertEquals("client_hello", malformed.message());
    TlsEvent.HandshakeFailed failed = lab.events(lab.webTrace, TlsEvent.HandshakeFailed.class).get(0);
    assertEquals("decode_error", failed.alert(), failed.toString());
    assertTrue(failed.reason().contains("decode_error"), failed.reason());
    HttpsEvent.Rejected rejected = lab.events(lab.webTrace, HttpsEvent.Rejected.class).get(0);
    assertFalse(rejected.notTls());
    assertEquals(1, rejected.failedSoFar());
    realClientStillServed();
  }

  @Test
  void aConnectionThatSaysNothingIsClosedByTheIdleTimeout() throws Exception {
    // before the idle timeout only the SslHandler's 10 s handshake timeout closed it: sendRaw's 5 s wait failed.
    // The timeout comes from the configuration, as a topology's 'idle-timeout: 300ms' sets it
    HttpsServer quick = lab.serve(lab.web, lab.webTrace, new HttpsConfig(8443, List.of(HOST), Map.of("/", "x"),
        "1.3", "bc", valid.keyPem(), valid.certChainPem(), 300_000_000L));
    long start = System.nanoTime();
    assertEquals(0, sendRaw(new byte[0], 8443).length);
    assertTrue(System.nanoTime() - start >= 300_000_000L, "not before the timeout");
    assertEquals(1L, lab.onLoop(quick::idleClosed));
    assertEquals(0L, lab.onLoop(quick::handshakeFailures));
    realClientStillServed();
  }

  private void realClientStillServed() throws Exception {
    lab.httpsGet(Map.of(HOST, HttpsLab.WEB), ca.certPem(), "https://" + HOST + "/").assertExit(0);
    assertEquals(1L, lab.onLoop(server::handshakes));
    assertEquals(1L, lab.onLoop(server::requests));
  }
}
