package emu.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.config.NodeConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command channel of a JVM hosting several nodes (NodeGroup), on two real nodes a and b
 * (linked over loopback UDP, each on its own event loop with its management API bound): pause
 * blocks one node's loop and only its; resume frees it; kill ends one node and its loop while the
 * other runs; the JVM's end comes with the last node; a command for a node the group does not have
 * answers NOSUCH, and a line that is no command is said on standard error and changes nothing.
 */
class NodeGroupTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream stdout;
  private PrintStream stderr;
  private final AtomicInteger emptied = new AtomicInteger();
  private final AtomicBoolean bothClosedAtEnd = new AtomicBoolean();
  private NodeGroup group;
  private NodeMain.Running a;
  private NodeMain.Running b;

  @BeforeEach
  void twoNodes(@TempDir Path dir) throws Exception {
    stdout = System.out;
    stderr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int[] p = new int[2];
    for (int i = 0; i < 2; i++) {
      try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        p[i] = s.getLocalPort();
      }
    }
    group = new NodeGroup(() -> {
      // the JVM would exit now: every node must be closed by then, its captures flushed
      bothClosedAtEnd.set(a.group.isTerminated() && b.group.isTerminated());
      emptied.incrementAndGet();
    });
    NodeConfig ca = host(dir, "a", 1, p[0], p[1]);
    NodeConfig cb = host(dir, "b", 2, p[1], p[0]);
    a = NodeMain.Running.bring(ca, NodeMain.managementTls(ca), () -> { });
    b = NodeMain.Running.bring(cb, NodeMain.managementTls(cb), () -> { });
    group.add(a);
    group.add(b);
    a.start();
    b.start();
  }

  @AfterEach
  void restore() {
    for (NodeMain.Running r : List.of(a, b)) {
      if (r != null && !r.group.isShuttingDown()) {
        group.command("resume " + r.config.name());
        r.kill();
      }
    }
    System.setOut(stdout);
    System.setErr(stderr);
  }

  private static NodeConfig host(Path dir, String name, int i, int bind, int peer) {
    return NodeConfig.builder("group", name, "host").interfaces(List.of(new NodeConfig.Iface("eth0",
        "02:00:00:00:00:0" + i, "10.0.0." + i + "/24", 1500, "127.0.0.1:" + bind, "127.0.0.1:" + peer)))
        .hosts(Map.of()).management(new NodeConfig.Management("127.0.0.1", 0, "k" + name)).outputDir(dir.toString())
        .seed(i).build();
  }

  private String said() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private void awaitSaid(String line) throws InterruptedException {
    for (int i = 0; i < 500 && !said().contains(line + "\n"); i++) {
      Thread.sleep(10);
    }
    assertTrue(said().contains(line + "\n"), said());
  }

  @Test
  void pauseBlocksOneLoopResumeFreesItKillEndsOneNode() throws Exception {
    assertTrue(said().contains("READY a pid=") && said().contains("READY b pid="), said());
    group.command("pause a");
    awaitSaid("PAUSED a");
    Future<?> onA = a.loop.submit(() -> { });
    Thread.sleep(200);
    assertFalse(onA.isDone(), "a's loop runs nothing while paused");
    b.loop.submit(() -> { }).get(2, TimeUnit.SECONDS); // b's loop is not a's
    group.command("pause a");
    assertEquals(2, said().split("PAUSED a\n", -1).length - 1, "pausing twice says so, blocks once");
    group.command("resume a");
    awaitSaid("RESUMED a");
    onA.get(2, TimeUnit.SECONDS);

    group.command("pause a");
    awaitSaid("PAUSED a");
    group.command("kill a"); // a paused node can be killed: its loop is freed to close it
    awaitSaid("KILLED a");
    assertTrue(a.group.isShuttingDown(), "a's loop ends with it");
    assertEquals(0, emptied.get(), "b still runs: the JVM goes on");
    group.command("kill a");
    awaitSaid("NOSUCH a");
    b.loop.submit(() -> { }).get(2, TimeUnit.SECONDS);
    group.command("kill b");
    awaitSaid("KILLED b");
    assertEquals(1, emptied.get(), "the JVM ends with its last node");
  }

  /** Repeated: the two stops race, and the JVM once ended twice when both saw the group empty. */
  @RepeatedTest(8)
  void theJvmEndsOnlyOnceEveryNodeStoppingHasStopped() throws Exception {
    group.command("pause b"); // a paused node asked to stop is resumed to close
    awaitSaid("PAUSED b");
    group.shutdown("a"); // POST /shutdown of both, at once: the first done must not end the JVM
    group.shutdown("b");
    for (int i = 0; i < 500 && emptied.get() == 0; i++) {
      Thread.sleep(10);
    }
    assertEquals(1, emptied.get(), "the JVM ends once");
    assertTrue(bothClosedAtEnd.get(), "both nodes were closed before the JVM would end");
    group.command("kill a");
    awaitSaid("NOSUCH a");
  }

  @Test
  void linesThatAreNoCommandChangeNothing() throws Exception {
    String before = said();
    for (String bad : List.of("", "kill", "frobnicate a", "pause a b", "KILL a", "kill  ")) {
      group.command(bad.strip());
    }
    group.command("pause ghost");
    awaitSaid("NOSUCH ghost");
    assertEquals(before + "NOSUCH ghost\n", said(), "nothing else answered");
    String errors = err.toString(StandardCharsets.UTF_8);
    assertTrue(errors.contains("emu group: not a command: 'frobnicate a' (pause|resume|kill NAME)"), errors);
    assertTrue(errors.contains("not a command: 'KILL a'"), errors);
    a.loop.submit(() -> { }).get(2, TimeUnit.SECONDS);
    b.loop.submit(() -> { }).get(2, TimeUnit.SECONDS);
    assertEquals(0, emptied.get());
  }
}
