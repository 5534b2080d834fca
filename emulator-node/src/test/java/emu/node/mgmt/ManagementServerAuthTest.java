package emu.node.mgmt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The management API's authentication, over real sockets on a real node whose clock the test
 * sets: only a request signed with the node's own key, for this server's port, at a time within
 * 120 s of the node's clock and with a nonce not seen before is served; the rest get 401. Every
 * answer (200, 401, the 413 of the limits, the streamed /exec) proves the node's key for the
 * request's nonce. Before: the node took {@code Authorization: Bearer KEY}, the key itself on
 * the wire, which anyone holding the port after the node died received; and proved nothing.
 */
class ManagementServerAuthTest {
  private static final byte[] KEY = "node-key-h0".getBytes(StandardCharsets.UTF_8);
  private static final long NOW = 1_800_000_000_000L;

  @TempDir
  Path out;

  private final AtomicLong clock = new AtomicLong(NOW);
  private ServedNode served;
  private InetSocketAddress at;

  @BeforeEach
  void start() throws Exception {
    served = ServedNode.start("auth", out, "node-key-h0", new HttpLimits(1024, 300), clock::get);
    at = served.at;
  }

  @AfterEach
  void stop() throws Exception {
    served.close();
  }

  /** One request and the whole answer (the server closes the idle connection at its 300 ms deadline). */
  private record Answer(int status, String proof, String text) {}

  private Answer send(String method, String path, String host, String authorization, String body) throws IOException {
    return send(method, path, host, authorization, body, true);
  }

  /** {@code withBody} false: only the headers, which announce the body (the server answers from them). */
  private Answer send(String method, String path, String host, String authorization, String body, boolean withBody)
      throws IOException {
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(5_000);
      StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
      if (authorization != null) {
        req.append("Authorization: ").append(authorization).append("\r\n");
      }
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      req.append("Content-Type: application/json\r\nContent-Length: ").append(b.length).append("\r\n\r\n")
          .append(withBody ? body : "");
      s.getOutputStream().write(req.toString().getBytes(StandardCharsets.UTF_8));
      String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(text.substring(9, 12));
      String proof = null;
      for (String line : text.substring(0, text.indexOf("\r\n\r\n")).split("\r\n")) {
        if (line.toLowerCase().startsWith(MgmtAuth.PROOF_HEADER.toLowerCase() + ":")) {
          proof = line.substring(line.indexOf(':') + 1).trim();
        }
      }
      return new Answer(status, proof, text);
    }
  }

  private String host() {
    return "127.0.0.1:" + at.getPort();
  }

  @Test
  void aSignedRequestIsServedAndItsAnswerProvesTheKey() throws IOException {
    String nonce = MgmtAuth.nonce();
    String auth = MgmtAuth.authorization(KEY, "GET", host(), "/health", NOW, nonce, new byte[0]);
    Answer a = send("GET", "/health", host(), auth, "");
    assertEquals(200, a.status(), a.text());
    int port = at.getPort();
    assertTrue(MgmtAuth.proves(KEY, auth, 200, port, a.proof()), a.text());
    assertFalse(MgmtAuth.proves("another key".getBytes(StandardCharsets.UTF_8), auth, 200, port, a.proof()));
    String other = MgmtAuth.authorization(KEY, "GET", host(), "/health", NOW, nonce, "x".getBytes(StandardCharsets.UTF_8));
    assertFalse(MgmtAuth.proves(KEY, other, 200, port, a.proof()), "the proof is for this request's mac, nonce or not");
    assertFalse(MgmtAuth.proves(KEY, auth, 401, port, a.proof()), "and for its status");
    assertFalse(MgmtAuth.proves(KEY, auth, 200, port + 1, a.proof()), "and for the port it answered on");
  }

  @Test
  void wrongKeyStaleTimeReplayOtherPortAndBearerAreRefusedWithAProvenRefusal() throws IOException {
    byte[] none = new byte[0];
    String n1 = MgmtAuth.nonce();
    String wrongAuth = MgmtAuth.authorization("wrong".getBytes(StandardCharsets.UTF_8), "GET", host(), "/status", NOW,
        n1, none);
    Answer wrongKey = send("GET", "/status", host(), wrongAuth, "");
    assertEquals(401, wrongKey.status(), wrongKey.text());
    assertTrue(wrongKey.text().contains("wrong mac"), wrongKey.text());
    assertTrue(MgmtAuth.proves(KEY, wrongAuth, 401, at.getPort(), wrongKey.proof()), "a refusal is proven too");

    for (long off : new long[] {-121_000, 121_000}) {
      String n = MgmtAuth.nonce();
      Answer stale = send("GET", "/status", host(), MgmtAuth.authorization(KEY, "GET", host(), "/status", NOW + off, n,
          none), "");
      assertEquals(401, stale.status(), stale.text());
      assertTrue(stale.text().contains("121 s off this node's clock"), stale.text());
    }
    String edge = MgmtAuth.nonce();
    assertEquals(200, send("GET", "/status", host(), MgmtAuth.authorization(KEY, "GET", host(), "/status",
        NOW - 119_000, edge, none), "").status(), "119 s off is within the window");

    String n2 = MgmtAuth.nonce();
    String once = MgmtAuth.authorization(KEY, "GET", host(), "/status", NOW, n2, none);
    assertEquals(200, send("GET", "/status", host(), once, "").status());
    Answer replay = send("GET", "/status", host(), once, "");
    assertEquals(401, replay.status(), replay.text());
    assertTrue(replay.text().contains("replayed"), replay.text());
    clock.addAndGet(200_000); // the nonce is forgotten by now, but the time is then stale
    Answer late = send("GET", "/status", host(), once, "");
    assertEquals(401, late.status(), late.text());
    assertTrue(late.text().contains("off this node's clock"), late.text());
    clock.set(NOW);

    // a request a squatter caught on the node's old port, replayed here: signed for that port
    int oldPort = at.getPort() == 65_535 ? 1 : at.getPort() + 1;
    String other = "127.0.0.1:" + oldPort;
    String caught = MgmtAuth.authorization(KEY, "GET", other, "/status", NOW, MgmtAuth.nonce(), none);
    Answer moved = send("GET", "/status", other, caught, "");
    assertEquals(401, moved.status(), moved.text());
    assertTrue(moved.text().contains("not for this node's port"), moved.text());
    // and the node's proven refusal is no use to the squatter: it proves this port, not the old one
    assertFalse(MgmtAuth.proves(KEY, caught, 401, oldPort, moved.proof()), moved.text());
    // nor is a refusal of a request the squatter made up around the nonce it saw
    String madeUp = "EMU-HMAC-SHA256 time=" + NOW + ", nonce=" + MgmtAuth.Signed.parse(caught).nonce() + ", mac=AAAA";
    Answer junk = send("GET", "/status", host(), madeUp, "");
    assertEquals(401, junk.status(), junk.text());
    assertFalse(MgmtAuth.proves(KEY, caught, 401, at.getPort(), junk.proof()), junk.text());

    // the body and the target are signed: changing either breaks the mac
    String n3 = MgmtAuth.nonce();
    String body = "{\"argv\":[\"ip\",\"addr\"]}";
    String sig = MgmtAuth.authorization(KEY, "POST", host(), "/exec", NOW, n3, body.getBytes(StandardCharsets.UTF_8));
    Answer changed = send("POST", "/exec", host(), sig, "{\"argv\":[\"ip\",\"route\"]}");
    assertEquals(401, changed.status(), changed.text());
    Answer elsewhere = send("POST", "/shutdown", host(), sig, body);
    assertEquals(401, elsewhere.status(), elsewhere.text());

    // the key itself, as the old scheme sent it, opens nothing
    Answer bearer = send("GET", "/status", host(), "Bearer node-key-h0", "");
    assertEquals(401, bearer.status(), bearer.text());
    assertTrue(MgmtAuth.proves(KEY, "Bearer node-key-h0", 401, at.getPort(), bearer.proof()), bearer.text());
    Answer bare = send("GET", "/status", host(), null, "");
    assertEquals(401, bare.status(), bare.text());
  }

  @Test
  void theStreamedExecAndTheLimitsRefusalCarryTheProof() throws IOException {
    String body = "{\"argv\":[\"ip\",\"addr\"]}";
    String auth = MgmtAuth.authorization(KEY, "POST", host(), "/exec", NOW, MgmtAuth.nonce(),
        body.getBytes(StandardCharsets.UTF_8));
    Answer exec = send("POST", "/exec", host(), auth, body);
    assertEquals(200, exec.status(), exec.text());
    assertTrue(exec.text().contains("{\"exit\":0}"), exec.text());
    assertTrue(MgmtAuth.proves(KEY, auth, 200, at.getPort(), exec.proof()), exec.text());

    String big = "x".repeat(2_000); // over this server's 1024-byte bound
    String bigAuth = MgmtAuth.authorization(KEY, "POST", host(), "/exec", NOW, MgmtAuth.nonce(),
        big.getBytes(StandardCharsets.UTF_8));
    Answer tooBig = send("POST", "/exec", host(), bigAuth, big, false);
    assertEquals(413, tooBig.status(), tooBig.text());
    assertTrue(MgmtAuth.proves(KEY, bigAuth, 413, at.getPort(), tooBig.proof()), tooBig.text());
  }

  @Test
  void theReplayCacheIsBoundedAndForgetsNothingItCouldStillBeFooledBy() {
    AtomicLong t = new AtomicLong(NOW);
    MgmtAuth.Verifier v = new MgmtAuth.Verifier(KEY, t::get);
    byte[] none = new byte[0];
    String host = "127.0.0.1:9";
    String first = MgmtAuth.authorization(KEY, "GET", host, "/health", NOW - 60_000, "n-first", none);
    assertNull(v.check(first, "GET", host, "/health", none, 9).refusal());
    for (int i = 0; i < MgmtAuth.MAX_NONCES; i++) {
      String h = MgmtAuth.authorization(KEY, "GET", host, "/health", NOW, "n" + i, none);
      assertNull(v.check(h, "GET", host, "/health", none, 9).refusal(), "request " + i);
    }
    // the first nonce was forgotten to make room: its time is now below the floor, so it is still refused
    assertTrue(v.check(first, "GET", host, "/health", none, 9).refusal().contains("replayed"));
    String older = MgmtAuth.authorization(KEY, "GET", host, "/health", NOW - 90_000, "n-older", none);
    assertTrue(v.check(older, "GET", host, "/health", none, 9).refusal().contains("replayed"),
        "at or before the floor: refused, it might be one forgotten");
    String fresh = MgmtAuth.authorization(KEY, "GET", host, "/health", NOW + 1, "n-fresh", none);
    assertNull(v.check(fresh, "GET", host, "/health", none, 9).refusal());
  }

  /**
   * A node with a pinned management port comes back on it after a restart, its nonce memory empty:
   * a request a squatter caught there while it was down, signed before the node started, is refused.
   */
  @Test
  void aRequestSignedBeforeTheNodeStartedIsRefused() {
    AtomicLong t = new AtomicLong(NOW);
    MgmtAuth.Verifier v = new MgmtAuth.Verifier(KEY, t::get);
    v.notBefore(NOW - 1_000);
    byte[] none = new byte[0];
    String host = "127.0.0.1:9";
    String caught = MgmtAuth.authorization(KEY, "GET", host, "/exec", NOW - 5_000, "n-caught", none);
    assertTrue(v.check(caught, "GET", host, "/exec", none, 9).refusal().contains("before this node started"));
    String now = MgmtAuth.authorization(KEY, "GET", host, "/exec", NOW, "n-now", none);
    assertNull(v.check(now, "GET", host, "/exec", none, 9).refusal());
  }

  /**
   * HTTP clients leave the scheme's default port out of Host (RFC 9110 7.2): the server reads a
   * bare Host as host:80, so a request signed for 127.0.0.1:80 checks out as signed (and is then
   * refused only because this server is not on port 80), where a bare Host used to break the mac.
   */
  @Test
  void aHostWithoutPortIsReadAsTheSchemesDefault() throws IOException {
    String signed = MgmtAuth.authorization(KEY, "GET", "127.0.0.1:80", "/health", NOW, MgmtAuth.nonce(), new byte[0]);
    Answer a = send("GET", "/health", "127.0.0.1", signed, "");
    assertEquals(401, a.status(), a.text());
    assertTrue(a.text().contains("signed for 127.0.0.1:80, not for this node's port"), a.text());
  }
}
