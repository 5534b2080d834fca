package emu.node;

import emu.link.tunnel.Transports;
import emu.node.config.NodeConfig;
import emu.node.config.PeerNames;
import emu.node.host.EmulatedNode;
import emu.node.mgmt.ManagementServer;
import emu.node.mgmt.ManagementTls;
import emu.node.warm.WarmUp;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Entry point of one node process: {@code java emu.node.NodeMain CONFIG.json [SECRETS.json]}
 * (secrets merged into the configuration; see {@link NodeConfig#read(Path, Path)}). Builds the node
 * on a single event loop, binds its links and management API, prints one {@code READY} line
 * (with the ports it bound: its management port, which is the kernel's choice unless the
 * configuration pins one, and each link's, which moves to a free one if the planned one is taken),
 * and runs until told to stop (POST /shutdown, SIGTERM, or its parent process ending; with
 * {@code -Demu.node.exitOnStdinEof=true}, as when started over ssh on another machine, its standard
 * input ending).
 *
 * <p>Exit codes: 0 stopped normally, 2 configuration unusable, 3 a port could not be bound (a
 * pinned management port that is taken, an address that is not the machine's).
 */
public final class NodeMain {
  private NodeMain() {}

  /** Exit status: the configuration is unusable. */
  static final int BAD_CONFIG = 2;
  /** Exit status: a port could not be bound. */
  static final int CANNOT_BIND = 3;

  public static void main(String[] args) throws Exception {
    if (args.length >= 1 && args[0].equals(NodeGroup.FLAG)) {
      NodeGroup.main(java.util.Arrays.asList(args).subList(1, args.length));
      return;
    }
    if (args.length != 1 && args.length != 2) {
      System.err.println("usage: java emu.node.NodeMain CONFIG.json [SECRETS.json]\n"
          + "       java emu.node.NodeMain " + NodeGroup.FLAG + " CONFIG.json... (several nodes in this JVM)");
      System.exit(BAD_CONFIG);
    }
    Running node;
    try {
      NodeConfig config = config(args[0], args.length == 2 ? args[1] : null);
      CompletableFuture<SslContext> tls = managementTls(config);
      String warmed = warmUp(config);
      node = Running.bring(config, tls, () -> {
        Thread t = new Thread(() -> System.exit(0), "shutdown");
        t.start();
      });
      node.readyLine = node.readyLine + warmed;
    } catch (Failure f) {
      System.err.println(f.getMessage());
      System.exit(f.status);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(node::stop, "emu-node-stop"));
    exitWithParent(node.config.parentPid());
    if (Boolean.getBoolean("emu.node.exitOnStdinEof")) {
      // Started over ssh on another machine: stdin is the ssh session's, which ends when the
      // control plane stops or dies, or loses the host; the node must not outlive its lab.
      Thread watch = new Thread(() -> {
        try {
          while (System.in.read() >= 0) {
            // nothing is sent after the configuration; wait for the end
          }
        } catch (java.io.IOException e) {
          // the session broke: same as its end
        }
        System.exit(0);
      }, "emu-stdin-watch");
      watch.setDaemon(true);
      watch.start();
    }
    node.start();
  }

  /** A node's start that cannot go on: what to say and the exit status. */
  static final class Failure extends Exception {
    final int status;

    Failure(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  /** Reads a node's configuration (secrets merged in) and resolves the peers it names by host. */
  static NodeConfig config(String file, String secrets) throws Failure {
    NodeConfig read;
    try {
      read = secrets == null ? NodeConfig.read(Path.of(file)) : NodeConfig.read(Path.of(file), Path.of(secrets));
    } catch (Exception e) {
      throw new Failure(BAD_CONFIG, "node config " + file + ": " + e.getMessage());
    }
    try {
      // Peers named by host (pods behind Services on Kubernetes); literal addresses pass as they are.
      String who = read.name();
      return PeerNames.resolve(read, Duration.ofSeconds(Long.getLong("emu.peerResolveSeconds", 120)),
          msg -> System.err.println("node " + who + ": " + msg));
    } catch (IllegalArgumentException e) {
      throw new Failure(BAD_CONFIG, "node " + read.name() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure(BAD_CONFIG, "node " + read.name() + ": interrupted while resolving its peers");
    }
  }

  /**
   * The management API's TLS context, made off the loop and alongside the warm-up and the node's
   * making: the JDK's TLS costs a cold JVM a few hundred milliseconds, which start-up need not
   * wait for on top of the node's own. Null inside for plain HTTP.
   */
  static CompletableFuture<SslContext> managementTls(NodeConfig config) {
    NodeConfig.Management.Tls tls = config.management().tls();
    return tls == null ? CompletableFuture.completedFuture(null)
        : CompletableFuture.supplyAsync(() -> ManagementTls.server(tls));
  }

  /** Exits when the process that started this one does (null: nothing to watch). */
  static void exitWithParent(Long parentPid) {
    if (parentPid != null) {
      ProcessHandle.of(parentPid).ifPresentOrElse(
          p -> p.onExit().thenRun(() -> System.exit(0)),
          () -> System.exit(0));
    }
  }

  /**
   * One node made and bound, on its own event loop, with its management API: what a node process
   * holds, once per node where one JVM hosts several ({@link NodeGroup}).
   */
  static final class Running {
    final NodeConfig config;
    final EmulatedNode node;
    final ManagementServer mgmt;
    final EventLoopGroup group;
    final EventLoop loop;
    String readyLine;
    private final java.util.concurrent.atomic.AtomicBoolean ending = new java.util.concurrent.atomic.AtomicBoolean();

    private Running(NodeConfig config, EmulatedNode node, ManagementServer mgmt, EventLoopGroup group) {
      this.config = config;
      this.node = node;
      this.mgmt = mgmt;
      this.group = group;
      this.loop = node.loop();
    }

    /**
     * Makes the node on a new event loop of its own, binds its links and management API (which
     * calls {@code onShutdown} on POST /shutdown); not started yet ({@link #start}).
     */
    static Running bring(NodeConfig config, CompletableFuture<SslContext> mgmtTls, Runnable onShutdown)
        throws Failure {
      EventLoopGroup group = Transports.singleThreadGroup("emu-" + config.name());
      EventLoop loop = group.next();
      EmulatedNode node;
      try {
        node = loop.submit(() -> EmulatedNode.create(config, loop)).get();
      } catch (java.util.concurrent.ExecutionException | InterruptedException e) {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        throw new Failure(BAD_CONFIG, "node " + config.name() + ": bad configuration: "
            + (e.getCause() == null ? e : e.getCause()).getMessage());
      }
      ManagementServer mgmt = new ManagementServer(node, config.management().token(), onShutdown);
      if (config.management().tls() == null) {
        // Signed to on this machine's clock: nothing signed before this process started is ours
        // (a request a squatter caught on a pinned port while the node was down; see MgmtAuth).
        mgmt.notBefore(ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli)
            .orElseGet(System::currentTimeMillis));
      }
      try {
        mgmt.tls(mgmtTls.join());
      } catch (java.util.concurrent.CompletionException e) {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        throw new Failure(BAD_CONFIG, "node " + config.name() + ": management TLS: " + e.getCause().getMessage());
      }
      InetSocketAddress mgmtAt;
      try {
        node.open();
        mgmtAt = mgmt.bind(new InetSocketAddress(config.management().host(), config.management().port()));
      } catch (java.io.IOException e) {
        loop.submit(node::close).awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        throw new Failure(CANNOT_BIND, e.getMessage());
      }
      Running r = new Running(config, node, mgmt, group);
      r.readyLine = "READY " + config.name() + " pid=" + ProcessHandle.current().pid() + " mgmt="
          + mgmtAt.getAddress().getHostAddress() + ":" + mgmtAt.getPort() + " transport=" + Transports.name()
          + node.linkPorts();
      return r;
    }

    /** Starts the node's protocols and prints its READY line. */
    void start() {
      loop.execute(node::start);
      System.out.println(readyLine + startedIn());
      System.out.flush();
    }

    /** Closes the node as POST /shutdown or SIGTERM do: what it says on the way out said, captures flushed. */
    void stop() {
      end(node::close);
    }

    /** Closes the node as a crash would ({@link EmulatedNode#abort}). */
    void kill() {
      end(node::abort);
    }

    private void end(Runnable close) {
      if (!ending.compareAndSet(false, true)) {
        // ended or ending by another path (POST /shutdown and SIGTERM at once): wait for that one
        group.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        return;
      }
      if (loop.isShuttingDown()) {
        return;
      }
      loop.submit(() -> {
        mgmt.close();
        close.run();
      }).awaitUninterruptibly(3, TimeUnit.SECONDS);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
  }

  /**
   * Trains the node's hot paths on a throwaway copy ({@link WarmUp}) at the level of
   * {@code -Demu.node.warmup}; " warmup_ms=N" for the READY line, "" when off. A level that is not
   * one, or a training that fails, is said on standard error and the node starts cold.
   */
  static String warmUp(NodeConfig config) {
    try {
      WarmUp.Result r = WarmUp.run(WarmUp.configured(), config.trace(), config.capture());
      return r == null ? "" : " warmup_ms=" + r.millis();
    } catch (Exception e) {
      System.err.println("node " + config.name() + ": warm-up skipped: " + e);
      return "";
    }
  }

  /** " started_ms=N": from the process's start (10 ms resolution, from /proc) to this line. */
  static String startedIn() {
    return ProcessHandle.current().info().startInstant()
        .map(t -> " started_ms=" + java.time.Duration.between(t, java.time.Instant.now()).toMillis()).orElse("");
  }
}
