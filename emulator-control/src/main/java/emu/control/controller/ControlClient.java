package emu.control.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import emu.control.state.LabState;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** What the CLI uses to talk to a lab's control API. */
public final class ControlClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(3)).build();

  private final String base;
  private final String token;
  private final String lab;

  public ControlClient(LabState state) {
    this.base = "http://" + state.controller().api();
    this.token = state.token();
    this.lab = state.name();
  }

  /** True if the lab has a control process and it is alive. */
  public static boolean available(LabState state) {
    return state.controller() != null && ProcessHandle.of(state.controller().pid()).map(ProcessHandle::isAlive)
        .orElse(false);
  }

  /** Path below /labs/LAB. */
  public JsonNode lab(String method, String rest, Object body) throws IOException {
    return send(method, "/labs/" + lab + rest, body);
  }

  /** Sends a request; a 4xx/5xx answer throws {@link ApiException} with the server's message. */
  public JsonNode send(String method, String path, Object body) throws IOException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(200))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    try {
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode j = r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
      if (r.statusCode() != 200) {
        throw new ApiException(r.statusCode(), j.has("error") ? j.get("error").asText() : r.body());
      }
      return j;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** GET /metrics as text. */
  public String metrics() throws IOException {
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/metrics")).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token).GET().build();
    try {
      HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new ApiException(r.statusCode(), r.body());
      }
      return r.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
