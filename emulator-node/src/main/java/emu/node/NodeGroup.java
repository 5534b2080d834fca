package emu.node;

import emu.node.config.NodeConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * Several nodes in one JVM: {@code java emu.node.NodeMain --group CONFIG.json...}. Each node is
 * what a node process is (its own event loop thread, its own links, its own management API and
 * key, its own READY line, all on the same standard output), so the control plane and the other
 * nodes see no difference; what they share is the JVM: its classes, its compiled code, its heap
 * and its threads besides the loops, paid once instead of once per node (BENCHMARKS.md "Many nodes
 * in one JVM").
 *
 * <p>What a process-per-node lab does with signals, a group does per node on its standard input,
 * which the control plane that started it holds, one command a line, each answered on standard
 * output once done:
 * <ul>
 *   <li>{@code pause NAME}: the node's event loop blocks, as SIGSTOP would stop its process: no
 *       frame read, no timer fired, its management API silent; {@code PAUSED NAME} once blocked.</li>
 *   <li>{@code resume NAME}: the loop goes on; {@code RESUMED NAME}.</li>
 *   <li>{@code kill NAME}: the node ends as a crash would (EmulatedNode#abort), its loop with it;
 *       {@code KILLED NAME}.</li>
 * </ul>
 * A command for a node the group does not have (any more) answers {@code NOSUCH NAME}; a line that
 * is no command is said on standard error and ignored. POST /shutdown ends one node; the JVM exits
 * when its last node has ended, when standard input ends (the control plane is gone, and the nodes
 * must not outlive it), on SIGTERM (every node stopped as by /shutdown), or with its parent process.
 * A node that cannot start fails the whole group with that node's exit status (NodeMain): a lab
 * starts whole or not at all.
 */
final class NodeGroup {
  static final String FLAG = "--group";

  /** The nodes running: commands reach these. */
  private final Map<String, NodeMain.Running> live = new ConcurrentHashMap<>();
  /**
   * Nodes stopping (POST /shutdown: what they say on the way out said, captures flushed): no
   * longer commanded, but the JVM waits for them before it exits.
   */
  private final Map<String, NodeMain.Running> ending = new ConcurrentHashMap<>();
  private final Map<String, CountDownLatch> paused = new ConcurrentHashMap<>();
  /** What happens when the last node has ended: the JVM exits. */
  private final Runnable onEmpty;
  /** onEmpty has been given its turn (guarded by this). */
  private boolean emptied;

  NodeGroup(Runnable onEmpty) {
    this.onEmpty = onEmpty;
  }

  /** A node made and bound ({@link NodeMain.Running#bring}) joins the group. */
  void add(NodeMain.Running r) {
    live.put(r.config.name(), r);
  }

  static void main(List<String> files) {
    if (files.isEmpty()) {
      System.err.println("usage: java emu.node.NodeMain " + FLAG + " CONFIG.json...");
      System.exit(NodeMain.BAD_CONFIG);
    }
    NodeGroup g = new NodeGroup(() -> System.exit(0));
    // from the start: a control plane gone while the nodes start ends the JVM too
    Thread commands = new Thread(g::readCommands, "emu-group-commands");
    commands.setDaemon(true);
    commands.start();
    List<NodeMain.Running> started = new ArrayList<>();
    try {
      List<NodeConfig> configs = new ArrayList<>();
      for (String f : files) {
        NodeConfig c = NodeMain.config(f, null);
        if (configs.stream().anyMatch(o -> o.name().equals(c.name()))) {
          throw new NodeMain.Failure(NodeMain.BAD_CONFIG, "node " + c.name() + " is twice in the group");
        }
        configs.add(c);
      }
      List<java.util.concurrent.CompletableFuture<io.netty.handler.ssl.SslContext>> tls =
          configs.stream().map(NodeMain::managementTls).toList(); // alongside the warm-up
      // one warm-up for the JVM: what it compiles serves every node of the group
      String warmed = NodeMain.warmUp(configs.get(0));
      Runtime.getRuntime().addShutdownHook(new Thread(g::stopAll, "emu-group-stop"));
      NodeMain.exitWithParent(configs.get(0).parentPid());
      for (int i = 0; i < configs.size(); i++) {
        NodeConfig c = configs.get(i);
        NodeMain.Running r = NodeMain.Running.bring(c, tls.get(i), () -> g.shutdown(c.name()));
        r.readyLine = r.readyLine + warmed;
        started.add(r);
        g.add(r);
        r.start();
      }
    } catch (NodeMain.Failure | RuntimeException e) {
      // the nodes started so far end here, not again in the exit hook (their loops are gone)
      started.forEach(r -> g.live.remove(r.config.name()));
      started.forEach(NodeMain.Running::kill);
      if (e instanceof NodeMain.Failure f) {
        System.err.println(f.getMessage());
        System.exit(f.status);
      }
      System.err.println("emu group: cannot start its nodes: " + e);
      System.exit(NodeMain.BAD_CONFIG);
    }
  }

  /** Reads the control plane's commands until standard input ends, then exits. */
  private void readCommands() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        command(line.strip());
      }
    } catch (java.io.IOException e) {
      // the pipe broke: same as its end
    }
    System.exit(0);
  }

  /** One command line: {@code pause|resume|kill NAME}. */
  void command(String line) {
    String[] w = line.split("\\s+");
    if (w.length != 2 || !List.of("pause", "resume", "kill").contains(w[0])) {
      if (!line.isEmpty()) {
        System.err.println("emu group: not a command: '" + line + "' (pause|resume|kill NAME)");
      }
      return;
    }
    String name = w[1];
    NodeMain.Running r = live.get(name);
    if (r == null) {
      say("NOSUCH " + name);
      return;
    }
    switch (w[0]) {
      case "pause" -> {
        CountDownLatch latch = new CountDownLatch(1);
        if (paused.putIfAbsent(name, latch) != null) {
          say("PAUSED " + name); // already
          return;
        }
        r.loop.execute(() -> {
          say("PAUSED " + name);
          awaitUninterruptibly(latch);
        });
      }
      case "resume" -> {
        resume(name);
        say("RESUMED " + name);
      }
      default -> {
        resume(name); // a blocked loop could not close the node
        boolean mine;
        synchronized (this) { // never neither running nor ending: the JVM must not see it gone too soon
          mine = live.remove(name) != null;
          if (mine) {
            ending.put(name, r);
          }
        }
        boolean last = false;
        if (mine) {
          r.kill();
          last = ended(name);
        }
        say("KILLED " + name);
        if (last) {
          onEmpty.run();
        }
      }
    }
  }

  private void resume(String name) {
    CountDownLatch latch = paused.remove(name);
    if (latch != null) {
      latch.countDown();
    }
  }

  /** POST /shutdown of one node: it stops as a node process would, and the JVM with its last node. */
  void shutdown(String name) {
    Thread t = new Thread(() -> {
      NodeMain.Running r;
      synchronized (this) {
        r = live.remove(name);
        if (r == null) {
          return;
        }
        ending.put(name, r);
      }
      resume(name); // paused meanwhile: its loop must run to close it
      r.stop();
      if (ended(name)) {
        onEmpty.run();
      }
    }, "shutdown-" + name);
    t.start();
  }

  /**
   * A node that was ending has ended: true for exactly one caller, the one whose node was the last
   * (none running, none still stopping with its captures being flushed), which then ends the JVM.
   * The removal and the look at what is left are one step: two nodes ending at once must not both
   * see the group empty (nor neither).
   */
  private synchronized boolean ended(String name) {
    ending.remove(name);
    if (emptied || !live.isEmpty() || !ending.isEmpty()) {
      return false;
    }
    emptied = true;
    return true;
  }

  /** SIGTERM, or the JVM exiting otherwise: every node still running stops, all at once. */
  private void stopAll() {
    paused.keySet().forEach(this::resume);
    List<Thread> stops = new ArrayList<>();
    List<NodeMain.Running> all;
    synchronized (this) {
      all = new ArrayList<>(live.values());
      all.addAll(ending.values()); // stopping on their own: stop() waits for what is left of that
    }
    for (NodeMain.Running r : all) {
      Thread t = new Thread(r::stop, "stop-" + r.config.name());
      t.start();
      stops.add(t);
    }
    for (Thread t : stops) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // the loop is shutting down: still paused until resumed or killed
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
