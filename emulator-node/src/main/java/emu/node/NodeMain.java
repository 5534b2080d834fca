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

  public static void main(String[] args) throws Exception {
    if (args.length != 1 && args.length != 2) {
      System.err.println("usage: java emu.node.NodeMain CONFIG.json [SECRETS.json]");
      System.exit(2);
    }
    NodeConfig read;
    try {
      read = args.length == 1 ? NodeConfig.read(Path.of(args[0]))
          : NodeConfig.read(Path.of(args[0]), Path.of(args[1]));
    } catch (Exception e) {
      System.err.println("node config " + args[0] + ": " + e.getMessage());
      System.exit(2);
      return;
    }
    NodeConfig config;
    try {
      // Peers named by host (pods behind Services on Kubernetes); literal addresses pass as they are.
      String who = read.name();
      config = PeerNames.resolve(read, Duration.ofSeconds(Long.getLong("emu.peerResolveSeconds", 120)),
          msg -> System.err.println("node " + who + ": " + msg));
    } catch (IllegalArgumentException e) {
      System.err.println("node " + read.name() + ": " + e.getMessage());
      System.exit(2);
      return;
    }
    // Off the loop and alongside the node's making: the JDK's TLS costs a cold JVM a few hundred
    // milliseconds, which start-up need not wait for on top of the node's own.
    NodeConfig.Management.Tls tls = config.management().tls();
    CompletableFuture<SslContext> mgmtTls = tls == null ? CompletableFuture.completedFuture(null)
        : CompletableFuture.supplyAsync(() -> ManagementTls.server(tls));
    String warmed = warmUp(config);
    EventLoopGroup group = Transports.singleThreadGroup();
    EventLoop loop = group.next();
    EmulatedNode node;
    try {
      node = loop.submit(() -> EmulatedNode.create(config, loop)).get();
    } catch (java.util.concurrent.ExecutionException e) {
      System.err.println("node " + config.name() + ": bad configuration: " + e.getCause().getMessage());
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      System.exit(2);
      return;
    }
    ManagementServer mgmt = new ManagementServer(node, config.management().token(), () -> {
      Thread t = new Thread(() -> System.exit(0), "shutdown");
      t.start();
    });
    if (config.management().tls() == null) {
      // Signed to on this machine's clock: nothing signed before this process started is ours
      // (a request a squatter caught on a pinned port while the node was down; see MgmtAuth).
      mgmt.notBefore(ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli)
          .orElseGet(System::currentTimeMillis));
    }
    try {
      mgmt.tls(mgmtTls.join());
    } catch (java.util.concurrent.CompletionException e) {
      System.err.println("node " + config.name() + ": management TLS: " + e.getCause().getMessage());
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      System.exit(2);
      return;
    }
    InetSocketAddress mgmtAt;
    try {
      node.open();
      mgmtAt = mgmt.bind(new InetSocketAddress(config.management().host(), config.management().port()));
    } catch (java.io.IOException e) {
      System.err.println(e.getMessage());
      loop.submit(node::close).awaitUninterruptibly(2, TimeUnit.SECONDS);
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      System.exit(3);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      loop.submit(() -> {
        mgmt.close();
        node.close();
      }).awaitUninterruptibly(3, TimeUnit.SECONDS);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }, "emu-node-stop"));
    if (config.parentPid() != null) {
      ProcessHandle.of(config.parentPid()).ifPresentOrElse(
          p -> p.onExit().thenRun(() -> System.exit(0)),
          () -> System.exit(0));
    }
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
    loop.execute(node::start);
    System.out.println("READY " + config.name() + " pid=" + ProcessHandle.current().pid() + " mgmt="
        + mgmtAt.getAddress().getHostAddress() + ":" + mgmtAt.getPort() + " transport=" + Transports.name()
        + node.linkPorts() + warmed + startedIn());
    System.out.flush();
  }

  /**
   * Trains the node's hot paths on a throwaway copy ({@link WarmUp}) at the level of
   * {@code -Demu.node.warmup}; " warmup_ms=N" for the READY line, "" when off. A level that is not
   * one, or a training that fails, is said on standard error and the node starts cold.
   */
  private static String warmUp(NodeConfig config) {
    try {
      WarmUp.Result r = WarmUp.run(WarmUp.configured(), config.trace(), config.capture());
      return r == null ? "" : " warmup_ms=" + r.millis();
    } catch (Exception e) {
      System.err.println("node " + config.name() + ": warm-up skipped: " + e);
      return "";
    }
  }

  /** " started_ms=N": from the process's start (10 ms resolution, from /proc) to this line. */
  private static String startedIn() {
    return ProcessHandle.current().info().startInstant()
        .map(t -> " started_ms=" + java.time.Duration.between(t, java.time.Instant.now()).toMillis()).orElse("");
  }
}
