package emu.control.process;

import emu.node.mgmt.MgmtAuth;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Talks to one node's management API (see emu.node.mgmt.ManagementServer). Every request is
 * signed with the node's own key and every answer must prove the node knows that key
 * ({@link MgmtAuth}); the key itself is never sent. An answer without that proof comes from some
 * other program that holds the port (one that took it after the node died, say): it is not
 * believed, and the call fails with an IOException that says so. Over plain HTTP, or over HTTPS
 * with the lab's client certificate ({@link ControlTls}) for a node on another machine or in a pod.
 */
public final class NodeClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  private final String node;
  private final String hostPort;
  private final byte[] key;
  private final String scheme;
  private final HttpClient http;

  /** @param key the node's own key (its configuration's {@code management.token}) */
  public NodeClient(String node, String mgmtHostPort, String key) {
    this(node, mgmtHostPort, key, null);
  }

  /** {@code tls}: the lab's management TLS, or null for plain HTTP. */
  public NodeClient(String node, String mgmtHostPort, String key, ControlTls tls) {
    this.node = node;
    this.hostPort = mgmtHostPort;
    this.key = key.getBytes(StandardCharsets.UTF_8);
    this.scheme = tls == null ? "http://" : "https://";
    this.http = tls == null ? HTTP : tls.http();
  }

  /**
   * A request signed for the node, its Authorization (whose mac the answer's proof must be for)
   * and the port it is sent to (which the proof names too).
   */
  private record Signed(HttpRequest request, String authorization, int port) {}

  private Signed sign(String method, String path, byte[] body, Duration timeout, String contentType)
      throws IOException {
    if (hostPort.endsWith(":0")) {
      // port 0 in the state: the node is (re)starting and has not said where it listens yet
      throw new IOException("node " + node + " is starting: its management port is not known yet (the node reports "
          + "it on its READY line); try again in a moment");
    }
    URI uri = URI.create(scheme + hostPort + path);
    String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    String authorization = MgmtAuth.authorization(key, method, uri.getRawAuthority(), target,
        System.currentTimeMillis(), MgmtAuth.nonce(), body);
    HttpRequest.Builder b = HttpRequest.newBuilder(uri)
        .header("Authorization", authorization)
        .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (timeout != null) {
      b.timeout(timeout);
    }
    int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
    return new Signed(b.build(), authorization, port);
  }

  private Signed get(String path, Duration timeout) throws IOException {
    return sign("GET", path, new byte[0], timeout, null);
  }

  /** Throws unless {@code r} proves the node's key for this request: before anything in it is believed. */
  private void check(Signed s, HttpResponse<?> r) throws NotTheNode {
    String proof = r.headers().firstValue(MgmtAuth.PROOF_HEADER).orElse(null);
    if (!MgmtAuth.proves(key, s.authorization(), r.statusCode(), s.port(), proof)) {
      throw new NotTheNode("the process at " + hostPort + " is not node " + node + " (its answer, HTTP "
          + r.statusCode() + ", does not prove " + node + "'s key): another program may have taken the port, or the "
          + "key used is not " + node + "'s");
    }
  }

  /** An answer that does not prove the node's key: another program holds the port. */
  public static final class NotTheNode extends IOException {
    public NotTheNode(String message) {
      super(message);
    }
  }

  /** True if the node answers /health now, proving its key. */
  public boolean healthy() {
    return unhealthyBecause() == null;
  }

  /**
   * Null if the node answers /health with 200 now, proving its key; "" if nothing answers (yet);
   * otherwise why what answered cannot be used, which waiting will not mend: the node refused the
   * control plane (a request time off its clock, a wrong key), something else answered on its
   * port, or the TLS handshake failed.
   */
  public String unhealthyBecause() {
    try {
      Signed s = get("/health", Duration.ofSeconds(1));
      HttpResponse<String> r = http.send(s.request(), HttpResponse.BodyHandlers.ofString());
      check(s, r);
      if (r.statusCode() == 200) {
        return null;
      }
      String why = r.body().strip();
      try {
        JsonNode j = JSON.readTree(why);
        why = j.has("error") ? j.get("error").asText() : why;
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        // not JSON: quote it as it is
      }
      return "node " + node + " refused the control plane's request (HTTP " + r.statusCode() + "): " + why;
    } catch (NotTheNode e) {
      return e.getMessage();
    } catch (javax.net.ssl.SSLException e) {
      return "TLS with node " + node + " at " + hostPort + " failed: " + e.getMessage();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** GET /status as a JSON tree; throws with the node's name if it does not answer. */
  public JsonNode status() throws IOException {
    return getJson("/status");
  }

  /** What a node's own status says of itself, which a lab's record of the node says already. */
  private static final java.util.Set<String> IDENTITY = java.util.Set.of("node", "kind", "pid");

  /**
   * The sections of a node's {@link #status} that a lab's status shows under the node, in the
   * node's order: every one but its identity (name, kind, pid: the lab's record has them, and a
   * node on another machine has its pid there): {@code interfaces}, {@code ip}, {@code ipv6},
   * {@code bridge}, {@code nat}, {@code dhcp_client}, {@code dhcp_server}, {@code dhcp_relay},
   * {@code ospf}, {@code transport}, as the node reports them. A protocol the node learns shows in
   * {@code status --json} and the control API without a change to the control plane.
   */
  public static java.util.Map<String, JsonNode> sections(JsonNode status) {
    java.util.Map<String, JsonNode> out = new java.util.LinkedHashMap<>();
    status.fields().forEachRemaining(f -> {
      if (!IDENTITY.contains(f.getKey())) {
        out.put(f.getKey(), f.getValue());
      }
    });
    return out;
  }

  private JsonNode getJson(String path) throws IOException {
    try {
      Signed s = get(path, Duration.ofSeconds(3));
      HttpResponse<String> r = http.send(s.request(), HttpResponse.BodyHandlers.ofString());
      check(s, r);
      if (r.statusCode() != 200) {
        throw new IOException("node " + node + " answered " + r.statusCode() + ": " + r.body());
      }
      return JSON.readTree(r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /**
   * GET /metrics (Prometheus text), asynchronously: completes with the text, or exceptionally
   * with an IOException naming the node if it does not answer within {@code timeout}. A paused
   * (SIGSTOP) node still accepts the connection in the kernel but never answers: the timeout
   * covers the answer, not only the connection.
   */
  public java.util.concurrent.CompletableFuture<String> metrics(Duration timeout) {
    Signed s;
    try {
      s = get("/metrics", timeout);
    } catch (IOException e) {
      return java.util.concurrent.CompletableFuture.failedFuture(e);
    }
    return http.sendAsync(s.request(), HttpResponse.BodyHandlers.ofString()).handle((r, e) -> {
      if (e != null) {
        Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        String why = c instanceof java.net.http.HttpTimeoutException
            ? "no answer within " + timeout.toMillis() + " ms"
            : c instanceof java.net.ConnectException ? "connection refused" : String.valueOf(c.getMessage());
        throw new java.util.concurrent.CompletionException(new IOException("node " + node + ": " + why, c));
      }
      try {
        check(s, r);
      } catch (NotTheNode n) {
        throw new java.util.concurrent.CompletionException(n);
      }
      if (r.statusCode() != 200) {
        throw new java.util.concurrent.CompletionException(
            new Refused("node " + node + " answered " + r.statusCode() + ": " + r.body().strip()));
      }
      return r.body();
    });
  }

  /** The node answered, with an error status (an older node without the endpoint, a request it refused). */
  public static final class Refused extends IOException {
    public Refused(String message) {
      super(message);
    }
  }

  /**
   * Runs a command on the node, passing each output line to {@code out} as it arrives; returns
   * the command's exit status.
   */
  public int exec(List<String> argv, Consumer<String> out) throws IOException {
    byte[] body = JSON.writeValueAsBytes(Map.of("argv", argv));
    Signed s = sign("POST", "/exec", body, null, "application/json");
    try {
      HttpResponse<Stream<String>> r = http.send(s.request(), HttpResponse.BodyHandlers.ofLines());
      try {
        check(s, r); // from the head, before a line of the stream is taken for the command's
      } catch (NotTheNode n) {
        r.body().close();
        throw n;
      }
      if (r.statusCode() != 200) {
        String text = String.join("\n", r.body().toList());
        throw new IOException("node " + node + " refused the command (" + r.statusCode() + "): " + text);
      }
      Integer exit = null;
      try (Stream<String> lines = r.body()) {
        for (String line : (Iterable<String>) lines::iterator) {
          if (line.isBlank()) {
            continue;
          }
          JsonNode j = JSON.readTree(line);
          if (j.has("out")) {
            out.accept(j.get("out").asText());
          } else if (j.has("exit")) {
            exit = j.get("exit").asInt();
          }
        }
      }
      if (exit == null) {
        throw new IOException("node " + node + " went away before the command finished");
      }
      return exit;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /**
   * A live capture being streamed by the node: {@code body} is classic pcap (global header, then
   * whole records as frames pass); {@code id} names it for {@link #stopCapture}.
   */
  public record Capture(long id, InputStream body) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      body.close();
    }
  }

  /**
   * How long the node may take to start a capture's answer (a paused node never does); the
   * HTTP client's timeout covers the head only, never the stream that follows.
   */
  private static final Duration CAPTURE_HEAD_TIMEOUT = Duration.ofSeconds(10);

  private static String capturePath(String iface, long count) {
    return "/links/" + iface + "/capture" + (count > 0 ? "?count=" + count : "");
  }

  /**
   * Starts a live capture of {@code iface} ({@code count} frames, 0 for no end but
   * {@link #stopCapture}); {@link Refused} with the node's reason (an unknown interface, one not
   * linked), whose message starts "HTTP STATUS".
   */
  public Capture capture(String iface, long count) throws IOException {
    Signed s = get(capturePath(iface, count), CAPTURE_HEAD_TIMEOUT);
    try {
      HttpResponse<InputStream> r = http.send(s.request(), HttpResponse.BodyHandlers.ofInputStream());
      try {
        check(s, r);
      } catch (NotTheNode n) {
        r.body().close();
        throw n;
      }
      if (r.statusCode() != 200) {
        String text;
        try (InputStream in = r.body()) {
          text = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8).strip();
        }
        throw new Refused("HTTP " + r.statusCode() + ": " + errorOf(text));
      }
      return new Capture(r.headers().firstValueAsLong("X-Emu-Capture").orElse(-1), r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /**
   * A live capture's answer for a relay: with status 200, {@code body} streams the pcap;
   * otherwise {@code error} says why the node refused.
   */
  public record CaptureAnswer(int status, long id, java.util.concurrent.Flow.Publisher<List<ByteBuffer>> body,
                              String error) {}

  /**
   * Starts a live capture as {@link #capture} does, asynchronously, for a relay: completes once
   * the node's head is in (and proven), or exceptionally if the node does not answer.
   */
  @SuppressWarnings("unchecked")
  public java.util.concurrent.CompletableFuture<CaptureAnswer> captureAsync(String iface, long count) {
    Signed s;
    try {
      s = get(capturePath(iface, count), CAPTURE_HEAD_TIMEOUT);
    } catch (IOException e) {
      return java.util.concurrent.CompletableFuture.failedFuture(e);
    }
    HttpResponse.BodyHandler<Object> handler = info -> info.statusCode() == 200
        ? HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofPublisher(), p -> (Object) p)
        : HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8),
            text -> (Object) text);
    return http.sendAsync(s.request(), handler).thenApply(r -> {
      try {
        check(s, r);
      } catch (NotTheNode n) {
        throw new java.util.concurrent.CompletionException(n);
      }
      if (r.statusCode() != 200) {
        return new CaptureAnswer(r.statusCode(), -1, null, errorOf(((String) r.body()).strip()));
      }
      return new CaptureAnswer(200, r.headers().firstValueAsLong("X-Emu-Capture").orElse(-1),
          (java.util.concurrent.Flow.Publisher<List<ByteBuffer>>) r.body(), null);
    });
  }

  /**
   * Ends a live capture (one already ended is fine: the node remembers its last ones' counts);
   * the node's answer, {@code {"captured": N, "dropped": M}} with status 200.
   */
  public Reply stopCapture(String iface, long id) throws IOException {
    return request("DELETE", "/links/" + iface + "/capture/" + id, null);
  }

  private static String errorOf(String text) {
    try {
      JsonNode j = JSON.readTree(text);
      return j != null && j.has("error") ? j.get("error").asText() : text;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return text;
    }
  }

  /** A JSON answer and its HTTP status. */
  public record Reply(int status, JsonNode body) {
    /** The node's error message, or the body. */
    public String message() {
      return body != null && body.has("error") ? body.get("error").asText() : String.valueOf(body);
    }
  }

  /**
   * Sends a JSON request ({@code body} null for none) and returns the node's answer, whatever
   * its status; throws only if the node does not answer.
   */
  public Reply request(String method, String path, Object body) throws IOException {
    Signed s = sign(method, path, body == null ? new byte[0] : JSON.writeValueAsBytes(body), Duration.ofSeconds(5),
        "application/json");
    try {
      HttpResponse<String> r = http.send(s.request(), HttpResponse.BodyHandlers.ofString());
      check(s, r);
      JsonNode j = r.body().isBlank() ? null : JSON.readTree(r.body());
      return new Reply(r.statusCode(), j);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException("node " + node + " sent something that is not JSON: " + e.getOriginalMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /**
   * Asks the node to stop (it flushes captures and events first). Waits 3 s at most, whatever
   * the client's state: a lab's stop runs this from a shutdown hook too, perhaps after the CLI's
   * last moment ended the clients' threads ({@link HttpClientThreads}), when a request would
   * otherwise never return; the stop then goes on with signals.
   */
  public void shutdown() throws IOException {
    try {
      // Signed like any request, so a squatter learns nothing from it; its answer does not matter
      http.sendAsync(sign("POST", "/shutdown", new byte[0], Duration.ofSeconds(2), null).request(),
          HttpResponse.BodyHandlers.discarding()).get(3, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException("node " + node + " did not answer its shutdown request in 3 s");
    }
  }

  public String node() {
    return node;
  }
}
