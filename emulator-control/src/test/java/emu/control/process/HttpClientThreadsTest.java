package emu.control.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpClientThreads} ends the selector threads of HttpClients that have talked to a real
 * server, and nothing else. In a JVM of its own: ending them here would break the clients that
 * this test JVM's other tests share (NodeClient's, ControlClient's).
 */
class HttpClientThreadsTest {
  @Test
  void selectorThreadsOfUsedClientsEnd() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        Child.class.getName()).redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not end");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    // two clients, each asked once: two selector threads before, none after, the other thread alive
    assertTrue(out.contains("answers=hello,hello"), out);
    assertTrue(out.contains("selectors before=2"), out);
    assertTrue(out.contains("selectors after=0"), out);
    assertTrue(out.contains("bystander alive=true"), out);
  }

  /**
   * Once the JVM's shutdown has begun (here System.exit; Ctrl-C alike), the threads are left
   * alone: a hook that still asks something (a lab's stop asking its nodes to shut down) gets its
   * answer. Before that check, such a hook waited forever and the JVM never exited (CI's
   * RunInterruptTest: Ctrl-C during a scenario).
   */
  @Test
  void aShutdownsHooksKeepTheirClients() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        InShutdown.class.getName()).redirectErrorStream(true).start();
    boolean ended = p.waitFor(60, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly();
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(ended, "the JVM did not exit: its hook's request never returned\n" + out);
    assertTrue(out.contains("hook's answer=hello"), out);
  }

  /**
   * With {@link HttpClientThreads#endAtShutdown} (what {@code emu exec} registers), a shutdown in
   * the middle of a streamed answer (Ctrl-C) ends the selector threads, so the JVM does not wait
   * 300 ms for them at its exit; without it they live on through the shutdown.
   */
  @Test
  void aShutdownDuringAStreamEndsTheSelectorThreadsWhenAsked() throws Exception {
    for (boolean asked : new boolean[] {true, false}) {
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
          MidStream.class.getName(), Boolean.toString(asked)).redirectErrorStream(true).start();
      boolean ended = p.waitFor(60, TimeUnit.SECONDS);
      if (!ended) {
        p.destroyForcibly();
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(ended, "the JVM did not exit\n" + out);
      assertTrue(out.contains("streaming"), out);
      assertTrue(out.contains("selectors alive after the shutdown's hooks=" + (asked ? 0 : 1)), asked + ": " + out);
    }
  }

  /** A client reading an answer that never ends when the JVM shuts down, with or without endAtShutdown. */
  public static final class MidStream {
    public static void main(String[] args) throws Exception {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/", x -> {
        x.sendResponseHeaders(200, 0); // chunked, and never finished: a ping that runs on
        x.getResponseBody().write("64 bytes\n".getBytes(StandardCharsets.UTF_8));
        x.getResponseBody().flush();
        try {
          Thread.sleep(60_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r);
        t.setDaemon(true);
        return t;
      }));
      server.start();
      if (Boolean.parseBoolean(args[0])) {
        HttpClientThreads.endAtShutdown();
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        long alive = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
          if (t.getName().endsWith("-SelectorManager")) {
            try {
              t.join(2_000);
            } catch (InterruptedException e) {
              return;
            }
            alive += t.isAlive() ? 1 : 0;
          }
        }
        System.out.println("selectors alive after the shutdown's hooks=" + alive);
      }));
      HttpClient c = HttpClient.newHttpClient();
      HttpResponse<java.io.InputStream> r = c.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/")).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      java.io.InputStream body = r.body();
      body.read(new byte[9]);
      System.out.println("streaming");
      System.exit(0); // as Ctrl-C's shutdown, with the answer still open
    }
  }

  /** A client used in a shutdown hook, after endBeforeExit was called from that hook. */
  public static final class InShutdown {
    public static void main(String[] args) throws Exception {
      HttpServer server = hello();
      URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
      HttpClient c = HttpClient.newHttpClient();
      c.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        HttpClientThreads.endBeforeExit();
        try {
          System.out.println("hook's answer="
              + c.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body());
        } catch (IOException | InterruptedException e) {
          System.out.println("hook's request failed: " + e);
        }
      }));
      System.exit(0);
    }
  }

  /** Two clients that each get an answer from a local server, then the threads are ended. */
  public static final class Child {
    public static void main(String[] args) throws IOException, InterruptedException {
      HttpServer server = hello();
      Thread bystander = new Thread(() -> {
        try {
          Thread.sleep(60_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "bystander");
      bystander.setDaemon(true);
      bystander.start();
      URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
      StringBuilder answers = new StringBuilder();
      for (HttpClient c : List.of(HttpClient.newHttpClient(), HttpClient.newHttpClient())) {
        answers.append(answers.length() == 0 ? "" : ",")
            .append(c.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body());
      }
      System.out.println("answers=" + answers);
      System.out.println("selectors before=" + selectors());
      HttpClientThreads.endBeforeExit();
      System.out.println("selectors after=" + selectors());
      System.out.println("bystander alive=" + bystander.isAlive());
      server.stop(0);
    }

    private static long selectors() {
      return Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().endsWith("-SelectorManager") && t.isAlive()).count();
    }
  }

  /** A server on loopback that answers every request with "hello". */
  static HttpServer hello() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", x -> {
      byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
      x.sendResponseHeaders(200, body.length);
      x.getResponseBody().write(body);
      x.close();
    });
    server.start();
    return server;
  }
}
