package emu.control.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.topology.TopologyLoader;
import emu.node.mgmt.HttpLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control API's bounds, over real sockets: an oversized body is refused from its headers
 * (413, connection closed, the body never sent), a connection that sends nothing or trickles its
 * headers (slowloris) is closed at the request deadline, and with every worker busy a request is
 * answered 503 at once. The limits are the constructor's, small here so the test takes a second.
 * Before: a 1 MiB aggregator that kept a keep-alive connection open after 413, no deadline at all,
 * and an unbounded thread pool.
 */
class ControlApiLimitsTest {
  private static final long DEADLINE_MS = 300;

  private LabController controller;
  private ControlApi api;
  private InetSocketAddress at;

  @BeforeEach
  void setUp(@TempDir Path dir) throws Exception {
    var topo = TopologyLoader.parse(dir.resolve("pair.yml"), """
        name: bounded
        topology:
          nodes:
            a: {kind: host, interfaces: {eth0: {address: 10.0.0.1/24}}}
            b: {kind: host, interfaces: {eth0: {address: 10.0.0.2/24}}}
          links:
            - endpoints: ["a:eth0", "b:eth0"]
        """);
    controller = new LabController(topo, null, dir); // no nodes: these requests never reach them
    api = new ControlApi(controller, "tok", () -> { }, new HttpLimits(1024, DEADLINE_MS), 1, 0);
    at = api.bind(new InetSocketAddress("127.0.0.1", 0));
  }

  @AfterEach
  void tearDown() {
    api.close();
    controller.close();
  }

  @Test
  void anOversizedBodyIsRefusedFromItsHeadersAndTheConnectionClosed() throws IOException {
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(5_000);
      // keep-alive (HTTP/1.1) and no byte of the 100 000 announced: the answer cannot wait for them
      send(s, "POST /labs/bounded/partition HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tok\r\n"
          + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n");
      String answer = readToEnd(s.getInputStream());
      assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
      assertTrue(answer.contains("request body larger than 1024 bytes"), answer);
    }
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAtTheDeadline() throws IOException {
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(5_000);
      long t0 = System.nanoTime();
      assertEquals(-1, s.getInputStream().read(), "closed without an answer");
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms >= DEADLINE_MS - 50 && ms < 3_000, "closed after " + ms + " ms");
    }
  }

  @Test
  void aSlowlorisIsClosedAtTheDeadlineThoughItKeepsSending() throws Exception {
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(5_000);
      byte[] head = "GET /labs HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
          .getBytes(StandardCharsets.US_ASCII);
      Thread trickle = new Thread(() -> {
        try {
          OutputStream out = s.getOutputStream();
          for (byte b : head) { // a byte every 20 ms: every read would reset an idle timer
            out.write(b);
            out.flush();
            Thread.sleep(20);
          }
        } catch (IOException | InterruptedException e) {
          // closed by the server: what the test waits for
        }
      });
      long t0 = System.nanoTime();
      trickle.start();
      int first = readOrReset(s.getInputStream());
      long ms = (System.nanoTime() - t0) / 1_000_000;
      trickle.interrupt();
      trickle.join();
      assertEquals(-1, first, "closed without an answer");
      assertTrue(ms < DEADLINE_MS + 1_000, "closed after " + ms + " ms, while the headers still came");
    }
  }

  @Test
  void everyWorkerBusyIsAnswered503AtOnce() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch entered = new CountDownLatch(1);
    // the controller's one thread is stuck (a node that does not answer, say)...
    CompletableFuture<Boolean> stuck = CompletableFuture.supplyAsync(() -> controller.call(() -> {
      entered.countDown();
      return release.await(10, TimeUnit.SECONDS);
    }));
    // (for certain before the next request: else that one could take the controller first and be done)
    assertTrue(entered.await(5, TimeUnit.SECONDS), "the controller's thread was never taken");
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest heal = HttpRequest.newBuilder(uri("/labs/bounded/heal")).header("Authorization", "Bearer tok")
        .POST(HttpRequest.BodyPublishers.noBody()).build();
    // ... so a request for it holds the API's only worker (no queue here): one still unanswered
    // after 200 ms is in the worker, waiting for the controller; one answered 503 met the worker
    // busy with something else first, and is sent again
    CompletableFuture<HttpResponse<String>> waiting = http.sendAsync(heal, HttpResponse.BodyHandlers.ofString());
    for (int tries = 0; tries < 20; tries++) {
      try {
        waiting.get(200, TimeUnit.MILLISECONDS);
        waiting = http.sendAsync(heal, HttpResponse.BodyHandlers.ofString());
      } catch (java.util.concurrent.TimeoutException e) {
        break;
      }
    }
    // a request the controller's thread is not needed for (404 at once), until the worker is taken
    HttpRequest other = HttpRequest.newBuilder(uri("/labs/nosuch")).header("Authorization", "Bearer tok")
        .timeout(java.time.Duration.ofSeconds(5)).build();
    HttpResponse<String> refused = null;
    long deadline = System.currentTimeMillis() + 5_000;
    while (refused == null && System.currentTimeMillis() < deadline) {
      HttpResponse<String> r = http.send(other, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 503) {
        refused = r;
      }
    }
    assertTrue(refused != null, "never refused");
    assertTrue(refused.body().contains("the control API is busy"), refused.body());
    assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""));
    assertTrue(!waiting.isDone(), "the first request still waits");

    release.countDown();
    stuck.get(5, TimeUnit.SECONDS);
    assertEquals(200, waiting.get(5, TimeUnit.SECONDS).statusCode());
    // the worker sends its answer before it is free again: a request right after may still meet it busy
    int again = 503;
    for (long until = System.currentTimeMillis() + 5_000; again == 503 && System.currentTimeMillis() < until; ) {
      again = http.send(other, HttpResponse.BodyHandlers.ofString()).statusCode();
    }
    assertEquals(404, again, "served again");
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + at.getPort() + path);
  }

  private static void send(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
  }

  private static String readToEnd(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  private static int readOrReset(InputStream in) {
    try {
      return in.read();
    } catch (IOException e) { // reset: closed as well
      return -1;
    }
  }
}
