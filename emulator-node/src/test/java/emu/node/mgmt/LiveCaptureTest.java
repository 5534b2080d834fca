package emu.node.mgmt;

import static emu.node.mgmt.RawHttp.chunk;
import static emu.node.mgmt.RawHttp.chunks;
import static emu.node.mgmt.RawHttp.head;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.LinkCounters;
import emu.link.capture.PcapWriter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The management API's live captures over real sockets on a real node (h0, its eth0 a raw UDP
 * link whose peer is this test's socket): the answer is a pcap stream of whole records, a count
 * ends it with the counts as trailers; a reader that never reads gets frames dropped and counted
 * (every frame the link carried is either captured or dropped) while the node keeps answering;
 * a client that goes away detaches its capture; bad requests get clear errors.
 */
class LiveCaptureTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path out;

  private ServedNode served;
  private DatagramSocket peer;
  private InetSocketAddress nodeLink;

  @BeforeEach
  void start() throws Exception {
    served = ServedNode.start("capture", out, "tok", HttpLimits.DEFAULT, System::currentTimeMillis);
    var eth0 = served.node.config().interfaces().get(0);
    nodeLink = new InetSocketAddress("127.0.0.1", Integer.parseInt(eth0.bind().substring(eth0.bind().indexOf(':') + 1)));
    peer = new DatagramSocket(new InetSocketAddress("127.0.0.1",
        Integer.parseInt(eth0.peer().substring(eth0.peer().indexOf(':') + 1))));
  }

  @AfterEach
  void stop() throws Exception {
    peer.close();
    served.close();
  }

  @Test
  void aCountedCaptureIsWholeRecordsThenTheCountsAsTrailers() throws Exception {
    try (Socket s = connect()) {
      request(s, "GET", "/links/eth0/capture?count=3");
      InputStream in = s.getInputStream();
      Map<String, String> head = head(in);
      assertEquals("200", head.get(":status"), head.toString());
      assertEquals(LiveCaptures.CONTENT_TYPE, head.get("content-type"));
      assertEquals("close", head.get("connection"), head.toString());
      long id = Long.parseLong(head.get("x-emu-capture"));
      waitForCaptures(1);
      for (int i = 0; i < 5; i++) {
        sendFrame(100 + i);
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      Map<String, String> trailers = chunks(in, body);
      assertEquals("3", trailers.get("x-emu-captured"), trailers.toString());
      assertEquals("0", trailers.get("x-emu-dropped"), trailers.toString());
      assertEquals(-1, in.read(), "the connection closed after the trailers");
      ByteBuffer b = ByteBuffer.wrap(body.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
      assertEquals(PcapWriter.MAGIC_MICROS, b.getInt());
      b.position(PcapWriter.GLOBAL_HEADER_LEN);
      for (int i = 0; i < 3; i++) {
        long sec = b.getInt() & 0xFFFF_FFFFL;
        assertTrue(Math.abs(sec - System.currentTimeMillis() / 1000) < 60, "a wall-clock time: " + sec);
        b.getInt();
        assertEquals(100 + i, b.getInt());
        assertEquals(100 + i, b.getInt());
        byte[] data = new byte[100 + i];
        b.get(data);
        assertArrayEquals(frame(100 + i), data);
      }
      assertEquals(0, b.remaining());
      waitForCaptures(0);
      // asked after the end, the counts are still there
      JsonNode counts = JSON.readTree(call("DELETE", "/links/eth0/capture/" + id, 200));
      assertEquals(3, counts.path("captured").asLong(), counts.toString());
      assertEquals(0, counts.path("dropped").asLong(), counts.toString());
    }
  }

  @Test
  void aReaderThatNeverReadsGetsFramesDroppedAndCountedAndTheNodeGoesOn() throws Exception {
    LinkCounters before = counters();
    try (Socket s = new Socket()) {
      s.setReceiveBufferSize(4096);
      s.connect(served.at);
      request(s, "GET", "/links/eth0/capture");
      waitForCaptures(1);
      // 12 MB of frames into the node (UDP may lose some on a busy machine: sent until received),
      // far more than Netty's bound and the sockets' buffers hold
      int frames = 12_000;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (counters().rxFrames - before.rxFrames < frames && System.nanoTime() < deadline) {
        for (int i = 0; i < 500; i++) {
          sendFrame(1000);
          if (i % 20 == 0) {
            Thread.sleep(1); // paced, so that the node's UDP socket buffer takes (nearly) all
          }
        }
      }
      long t0 = System.nanoTime();
      call("GET", "/health", 200);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms < 2_000, "the node answered after " + ms + " ms");
      Thread.sleep(200);
      // datagrams still in the node's socket buffer may pass between the counters' reading and the
      // DELETE (a task of its own): read before and after, and the capture's frames lie between
      LinkCounters atStop = counters();
      // the capture's id is the first of this server's
      JsonNode counts = JSON.readTree(call("DELETE", "/links/eth0/capture/1", 200));
      LinkCounters after = counters();
      long seenBefore = atStop.rxFrames - before.rxFrames + atStop.txFrames - before.txFrames;
      long seen = after.rxFrames - before.rxFrames + after.txFrames - before.txFrames;
      long captured = counts.path("captured").asLong();
      long dropped = counts.path("dropped").asLong();
      assertTrue(dropped > 0, counts.toString());
      assertTrue(captured > 0, counts.toString());
      assertTrue(seenBefore >= frames, "the node received " + seenBefore + " frames");
      assertTrue(seenBefore <= captured + dropped && captured + dropped <= seen, "every frame on the link "
          + "captured or dropped: " + counts + ", the link carried " + seenBefore + " to " + seen);
      // what the reader never read is bounded: Netty's high mark plus what the kernel's buffers hold
      assertTrue(captured * 1016 < 16 << 20, counts.toString());
    }
  }

  @Test
  void aCaptureStartedOnAConnectionAlreadyClosedIsNotLeftAttached() throws Exception {
    LiveCaptures captures = new LiveCaptures(served.node);
    EmbeddedChannel closed = new EmbeddedChannel();
    closed.close().sync();
    int running = served.node.loop().submit(() -> {
      captures.start(closed, "eth0", 0);
      return captures.running();
    }).get(5, TimeUnit.SECONDS);
    assertEquals(0, running, "the capture of a closed connection ended at once");
    waitForCaptures(0);
  }

  @Test
  void anInterfaceTakesSixteenLiveCapturesAndRefusesTheSeventeenthClearly() throws Exception {
    List<Socket> open = new ArrayList<>();
    try {
      for (int i = 0; i < LiveCaptures.PER_INTERFACE; i++) {
        Socket s = connect();
        open.add(s);
        request(s, "GET", "/links/eth0/capture");
        assertEquals("200", head(s.getInputStream()).get(":status"));
      }
      waitForCaptures(LiveCaptures.PER_INTERFACE);
      String refused = call("GET", "/links/eth0/capture", 503);
      assertTrue(JSON.readTree(refused).path("error").asText().contains("16 live captures already"), refused);
      waitForCaptures(LiveCaptures.PER_INTERFACE);
      open.remove(0).close();
      waitForCaptures(LiveCaptures.PER_INTERFACE - 1);
      Socket again = connect();
      open.add(again);
      request(again, "GET", "/links/eth0/capture");
      assertEquals("200", head(again.getInputStream()).get(":status"));
    } finally {
      for (Socket s : open) {
        s.close();
      }
    }
  }

  @Test
  void aClientThatGoesAwayDetachesItsCapture() throws Exception {
    Socket a = connect();
    Socket b = connect();
    request(a, "GET", "/links/eth0/capture");
    request(b, "GET", "/links/eth0/capture");
    waitForCaptures(2);
    a.close();
    waitForCaptures(1);
    sendFrame(80);
    InputStream in = b.getInputStream();
    head(in);
    byte[] global = new DataInputStream(chunk(in)).readNBytes(24);
    assertEquals(24, global.length);
    byte[] record = chunk(in).readAllBytes();
    assertEquals(16 + 80, record.length, "the other capture goes on");
    b.close();
    waitForCaptures(0);
  }

  @Test
  void badRequestsGetClearErrors() throws Exception {
    assertTrue(call("GET", "/links/eth9/capture", 404).contains("has no interface eth9"));
    assertTrue(call("GET", "/links/eth0/capture?count=0", 400).contains("1 or more"));
    assertTrue(call("GET", "/links/eth0/capture?count=x", 400).contains("1 or more"));
    assertTrue(call("DELETE", "/links/eth0/capture/77", 404).contains("no capture 77"));
    assertTrue(call("POST", "/links/eth0/capture", 405).contains("use GET"));
    waitForCaptures(0);
  }

  // ---- helpers ----

  private static byte[] frame(int len) {
    byte[] f = new byte[len];
    for (int i = 0; i < 6; i++) {
      f[i] = (byte) 0x02; // to 02:02:02:02:02:02, nobody here: the node drops it after the tap
    }
    f[6] = 0x02;
    f[11] = 0x09;
    f[12] = (byte) 0x88;
    f[13] = (byte) 0xb5; // local experimental ethertype
    for (int i = 14; i < len; i++) {
      f[i] = (byte) i;
    }
    return f;
  }

  private void sendFrame(int len) throws IOException {
    byte[] f = frame(len);
    peer.send(new DatagramPacket(f, f.length, nodeLink));
  }

  private LinkCounters counters() throws Exception {
    return served.node.loop().submit(() -> {
      LinkCounters c = served.node.udpEndpoints().get(0).counters();
      LinkCounters copy = new LinkCounters();
      copy.rxFrames = c.rxFrames;
      copy.txFrames = c.txFrames;
      return copy;
    }).get(5, TimeUnit.SECONDS);
  }

  private void waitForCaptures(int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    int now;
    do {
      now = served.node.loop().submit(() -> served.node.tap("eth0").subscribers()).get(5, TimeUnit.SECONDS);
      if (now == n) {
        return;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    assertEquals(n, now, "captures attached to eth0");
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(served.at.getAddress(), served.at.getPort());
    s.setSoTimeout(10_000);
    return s;
  }

  private void request(Socket s, String method, String target) throws IOException {
    String host = "127.0.0.1:" + served.at.getPort();
    String auth = MgmtAuth.authorization("tok".getBytes(StandardCharsets.UTF_8), method, host, target,
        System.currentTimeMillis(), MgmtAuth.nonce(), new byte[0]);
    s.getOutputStream().write((method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: " + auth
        + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
  }

  /** A whole (non-streamed) answer's body, which must have status {@code status}. */
  private String call(String method, String target, int status) throws IOException {
    try (Socket s = connect()) {
      request(s, method, target);
      InputStream in = s.getInputStream();
      Map<String, String> head = head(in);
      byte[] body = in.readNBytes(Integer.parseInt(head.get("content-length")));
      String text = new String(body, StandardCharsets.UTF_8);
      assertEquals(String.valueOf(status), head.get(":status"), text);
      return text;
    }
  }
}
