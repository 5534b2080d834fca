package emu.node.mgmt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The management server's bounds, over real sockets on a real node: an oversized body is refused
 * from its headers (413, connection closed, the body never sent); a connection that brings no
 * request is closed at the deadline; a request being answered has no deadline ({@code /exec}
 * streams as long as its command runs). The deadline is the constructor's, 300 ms here. Before:
 * after 413 Netty kept the keep-alive connection and read the body; no deadline at all.
 */
class ManagementServerLimitsTest {
  private static final long DEADLINE_MS = 300;

  @TempDir
  Path out;

  private ServedNode served;
  private InetSocketAddress at;

  @BeforeEach
  void start() throws Exception {
    served = ServedNode.start("limits", out, "tok", new HttpLimits(1024, DEADLINE_MS), System::currentTimeMillis);
    at = served.at;
  }

  @AfterEach
  void stop() throws Exception {
    served.close();
  }

  @Test
  void anOversizedBodyIsRefusedFromItsHeadersAndTheConnectionClosed() throws IOException {
    try (Socket s = connect()) {
      send(s, "POST /exec HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tok\r\nContent-Type: application/json\r\n"
          + "Content-Length: 100000\r\n\r\n");
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
      assertTrue(answer.contains("request body larger than 1024 bytes"), answer);
    }
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAtTheDeadline() throws IOException {
    try (Socket s = connect()) {
      long t0 = System.nanoTime();
      assertEquals(-1, s.getInputStream().read(), "closed without an answer");
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms >= DEADLINE_MS - 50 && ms < 3_000, "closed after " + ms + " ms");
    }
  }

  @Test
  void anAnswerLongerThanTheDeadlineIsNotCutThenTheIdleConnectionIs() throws IOException {
    try (Socket s = connect()) {
      String body = "{\"argv\":[\"sleep\",\"0.8\"]}";
      String host = "127.0.0.1:" + at.getPort();
      String auth = MgmtAuth.authorization("tok".getBytes(StandardCharsets.UTF_8), "POST", host, "/exec",
          System.currentTimeMillis(), MgmtAuth.nonce(), body.getBytes(StandardCharsets.UTF_8));
      send(s, "POST /exec HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: " + auth
          + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
      long t0 = System.nanoTime();
      // the whole stream, then the close at the deadline after it (keep-alive otherwise)
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
      assertTrue(answer.contains("{\"exit\":0}"), answer);
      assertTrue(ms >= 800 + DEADLINE_MS - 50, "closed after " + ms + " ms");
    }
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(at.getAddress(), at.getPort());
    s.setSoTimeout(5_000);
    return s;
  }

  private static void send(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
  }
}
