package emu.node.apps.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.apps.diag.TcpEcho;
import emu.node.names.Hosts;
import emu.node.names.HostsResolver;
import emu.node.names.NameResolver;
import emu.node.shell.Command;
import emu.node.testing.CommandRun;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * bulk and tcpecho, client and server, over the emulated TCP on a real event loop: what each
 * prints and its exit status, for a transfer, an echo, a name that does not resolve, a port
 * nobody listens on, a server started twice and stopped, and a caller who hangs up while the
 * name is being resolved.
 */
class BulkAndEchoTest {
  static final Map<String, String> HOSTS = Map.of("web", HttpsPerfLab.WEB);
  /** A resolver whose answer never comes (a DNS server that does not reply). */
  static final NameResolver SILENT = (name, done, fail) -> { };

  HttpsPerfLab lab;

  @BeforeEach
  void start() throws Exception {
    lab = new HttpsPerfLab();
  }

  @AfterEach
  void stop() throws Exception {
    lab.close();
  }

  @Test
  void bulkTransfersVerifiesAndSaysWhatWentWrong() throws Exception {
    Bulk server = new Bulk(lab.web, new HostsResolver(new Hosts(HOSTS)));
    Bulk client = new Bulk(lab.pc, new HostsResolver(new Hosts(HOSTS)));
    assertEquals(List.of("bulk server listening on TCP port 5201 (runs until the node stops)"),
        lab.exec(server, "bulk server").assertExit(0).lines());
    CommandRun again = lab.exec(server, "bulk server").assertExit(0);
    assertEquals(1, again.lines().size(), again.output());
    assertTrue(again.lines().get(0).startsWith("bulk server already listening on "), again.output());

    CommandRun verified = lab.exec(client, "bulk client web --bytes 256K --verify").assertExit(0);
    List<String> v = verified.lines();
    assertEquals("Connecting to host 10.0.0.2, port 5201", v.get(0), verified.output());
    assertTrue(v.get(1).matches("\\[  5\\] local 10\\.0\\.0\\.1 port \\d+ connected to 10\\.0\\.0\\.2 port 5201"),
        verified.output());
    assertEquals("[ ID] Interval           Transfer     Bitrate         Retr", v.get(2));
    assertTrue(v.get(v.size() - 2).endsWith("sender"), verified.output());
    assertTrue(v.get(v.size() - 1).matches("sha256 [0-9a-f]{64}  verified: the server received exactly the bytes sent"),
        verified.output());

    CommandRun plain = lab.exec(client, "bulk client 10.0.0.2 --bytes 64K").assertExit(0);
    assertEquals("done (add --verify to check a SHA-256 of the stream end to end)",
        plain.lines().get(plain.lines().size() - 1), plain.output());

    assertEquals(List.of("bulk: nowhere: Name or service not known"),
        lab.exec(client, "bulk client nowhere").assertExit(2).lines());
    assertEquals(List.of("bulk server stopped"), lab.exec(server, "bulk server --stop").assertExit(0).lines());
    assertEquals(List.of(), lab.exec(server, "bulk server --stop").assertExit(0).lines());
    CommandRun refused = lab.exec(client, "bulk client web --bytes 64K").assertExit(1);
    assertEquals("Connecting to host 10.0.0.2, port 5201", refused.lines().get(0), refused.output());
    assertEquals("bulk: connect to 10.0.0.2:5201 failed: Connection refused to 10.0.0.2:5201", refused.lines().get(1),
        refused.output());
    assertEquals(2, refused.lines().size(), refused.output());

    assertEquals(List.of("bulk: usage: bulk client DEST [-p port] [--bytes 100M] [--verify]"),
        lab.exec(client, "bulk client").assertExit(2).lines());
    assertEquals(2, lab.exec(client, "bulk").exitCode());
    assertEquals(0, lab.exec(client, "bulk --help").exitCode());
  }

  @Test
  void tcpechoEchoesAndSaysWhatWentWrong() throws Exception {
    TcpEcho server = new TcpEcho(lab.web, new HostsResolver(new Hosts(HOSTS)));
    TcpEcho client = new TcpEcho(lab.pc, new HostsResolver(new Hosts(HOSTS)));
    assertEquals(List.of("tcpecho server listening on TCP port 7"),
        lab.exec(server, "tcpecho server").assertExit(0).lines());
    assertEquals(List.of("tcpecho server already listening on port 7"),
        lab.exec(server, "tcpecho server").assertExit(0).lines());
    assertEquals(List.of("hello over emu"), lab.exec(client, "tcpecho web hello over emu").assertExit(0).lines());
    assertEquals(List.of("tcpecho: nowhere: Name or service not known"),
        lab.exec(client, "tcpecho nowhere x").assertExit(2).lines());
    CommandRun refused = lab.exec(client, "tcpecho web -p 9 x").assertExit(1);
    assertEquals(1, refused.lines().size(), refused.output());
    assertEquals("tcpecho: connect to web port 9 failed: Connection refused to 10.0.0.2:9", refused.lines().get(0),
        refused.output());
    assertEquals(List.of("usage: tcpecho server [-p port] | tcpecho DEST [-p port] TEXT..."),
        lab.exec(client, "tcpecho").assertExit(2).lines());
  }

  @Test
  void hangingUpWhileTheNameResolvesEndsTheCommand() throws Exception {
    Map<String, Command> commands = Map.of("bulk client web", new Bulk(lab.pc, SILENT), "tcpecho web x",
        new TcpEcho(lab.pc, SILENT));
    for (Map.Entry<String, Command> e : commands.entrySet()) {
      String line = e.getKey();
      Command cmd = e.getValue();
      CommandRun run = lab.launch(cmd, line);
      assertTrue(!lab.onLoop(run::exited), line);
      lab.onLoop(() -> {
        run.cancel();
        return null;
      });
      assertEquals(1, lab.onLoop(run::exitCode), line);
      assertEquals(List.of(), lab.onLoop(run::lines), line);
    }
  }
}
