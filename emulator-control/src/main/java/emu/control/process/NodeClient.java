package emu.control.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Talks to one node's management API (see emu.node.mgmt.ManagementServer), with the lab token:
 * over plain HTTP, or over HTTPS with the lab's client certificate ({@link ControlTls}) for a node
 * on another machine or in a pod.
 */
public final class NodeClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  private final String node;
  private final String base;
  private final String token;
  private final HttpClient http;

  public NodeClient(String node, String mgmtHostPort, String token) {
    this(node, mgmtHostPort, token, null);
  }

  /** {@code tls}: the lab's management TLS, or null for plain HTTP. */
  public NodeClient(String node, String mgmtHostPort, String token, ControlTls tls) {
    this.node = node;
    this.base = (tls == null ? "http://" : "https://") + mgmtHostPort;
    this.token = token;
    this.http = tls == null ? HTTP : tls.http();
  }

  private HttpRequest.Builder request(String path, Duration timeout) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .header("Authorization", "Bearer " + token);
    if (timeout != null) {
      b.timeout(timeout);
    }
    return b;
  }

  /** True if the node answers /health now. */
  public boolean healthy() {
    try {
      HttpResponse<String> r = http.send(request("/health", Duration.ofSeconds(1)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** GET /status as a JSON tree; throws with the node's name if it does not answer. */
  public JsonNode status() throws IOException {
    return getJson("/status");
  }

  private JsonNode getJson(String path) throws IOException {
    try {
      HttpResponse<String> r = http.send(request(path, Duration.ofSeconds(3)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
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
    HttpRequest req = request("/metrics", timeout).GET().build();
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).handle((r, e) -> {
      if (e != null) {
        Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        String why = c instanceof java.net.http.HttpTimeoutException
            ? "no answer within " + timeout.toMillis() + " ms"
            : c instanceof java.net.ConnectException ? "connection refused" : String.valueOf(c.getMessage());
        throw new java.util.concurrent.CompletionException(new IOException("node " + node + ": " + why, c));
      }
      if (r.statusCode() != 200) {
        throw new java.util.concurrent.CompletionException(
            new Refused("node " + node + " answered " + r.statusCode() + ": " + r.body().strip()));
      }
      return r.body();
    });
  }

  /** The node answered, with an error status (an older node without the endpoint, a wrong token). */
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
    HttpRequest req = request("/exec", null).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    try {
      HttpResponse<Stream<String>> r = http.send(req, HttpResponse.BodyHandlers.ofLines());
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
    HttpRequest.Builder b = request(path, Duration.ofSeconds(5)).header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode j = r.body().isBlank() ? null : JSON.readTree(r.body());
      return new Reply(r.statusCode(), j);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException("node " + node + " sent something that is not JSON: " + e.getOriginalMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** Asks the node to stop (it flushes captures and events first). */
  public void shutdown() throws IOException {
    try {
      http.send(request("/shutdown", Duration.ofSeconds(2)).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public String node() {
    return node;
  }
}
