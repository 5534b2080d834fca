package emu.node.warm;

import emu.link.tunnel.Transports;
import emu.node.config.NodeConfig;
import emu.node.host.EmulatedNode;
import emu.node.shell.CommandIo;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Trains a fresh node's hot paths before it reports READY when asked ({@link #configured}: off
 * by default, see there why), so that a user's first packets measure the network and not the JVM
 * warming up. A fresh node runs interpreted code: in the seed
 * lab the first ping from client to payroll took 64 ms, the first 20 a median of 6.8 ms, and
 * only after some 300 pings did the round trip settle at 1.0 ms (measured on 2 cores; see
 * BENCHMARKS.md, "First packet"). The first few pings pay for class loading and linking, the next
 * hundreds for interpreted code; both are paid here instead.
 *
 * <p>The training lab is a throwaway copy built from the same classes the node runs: four
 * {@link EmulatedNode}s (host a, switch s, router r, host b) made from configurations, with the
 * real node's tracing and capture mode, linked by the real UDP tunnel endpoints on loopback
 * (127.0.0.2 where the machine has it, so that no port the lab planned on 127.0.0.1 is taken even
 * for a moment), on an event loop of the node's own transport. Host a pings b over IPv6 by name
 * (as the seed's client pings payroll) and over IPv4, sends UDP to it and a TCP transfer, all
 * through the same shell commands {@code emu exec} runs. Then everything is closed: the nodes,
 * their sockets, the event loop and its thread (and with it its buffer cache), and the folder
 * their events and captures went to. Nothing of the real node is touched; the JIT's compiled code
 * and the loaded classes are what stays.
 *
 * <p>A failure here never stops a node: the node then starts cold, as it would without.
 */
public final class WarmUp {
  /** How much training: none, or some number of pings, UDP datagrams and TCP bytes. */
  public enum Level {
    OFF(0, 0, 0, 0),
    LIGHT(1_500, 1, 256 << 10, 30),
    FULL(6_000, 4, 4 << 20, 100);

    /** Echo requests per family (IPv6 by name, IPv4). */
    final int pings;
    /** Pings of a family running at once (each at the shortest interval, 1 ms). */
    final int parallel;
    /** Bytes of the TCP transfer. */
    final long tcpBytes;
    /**
     * Pings (per family, one at a time) each sent after every node forgot its neighbours and
     * learned addresses, as a lab's first ping finds them (see {@link #forget}).
     */
    final int fresh;

    Level(int pings, int parallel, long tcpBytes, int fresh) {
      this.pings = pings;
      this.parallel = parallel;
      this.tcpBytes = tcpBytes;
      this.fresh = fresh;
    }

    /** full, light or off (any case); IllegalArgumentException naming them otherwise. */
    public static Level parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("warm-up level '" + s + "': one of full, light, off");
      }
    }
  }

  /**
   * What the training did, read from the throwaway nodes' own counters before they closed.
   *
   * @param echoReplies echo replies a received (both families)
   * @param routed packets the router forwarded (IPv4 and IPv6)
   * @param bridged frames the switch forwarded to a known port
   * @param tcpSegments TCP segments b received (the transfer and its handshakes)
   * @param udpSent datagrams the UDP load sent
   * @param freshReplies echo replies to the pings sent with every table emptied first
   * @param ports the UDP addresses the links bound (all closed again)
   * @param dir the folder the throwaway nodes wrote in (deleted again)
   * @param millis how long it took
   * @param probe the round trips (ms) of the pings sent after the training when asked ({@link #main})
   */
  public record Result(long echoReplies, long routed, long bridged, long tcpSegments, long udpSent,
                       long freshReplies, List<InetSocketAddress> ports,
                       Path dir, long millis, List<Double> probe) {}

  private static final Pattern RECEIVED = Pattern.compile(", (\\d+) received");
  private static final Pattern TIME = Pattern.compile("time=([0-9.]+) ms");
  private static final Pattern UDP_SENT = Pattern.compile("Datagrams sent: +(\\d+)");
  /** Longest a training may take before it is cut short (a machine far slower than expected). */
  private static final long LIMIT_SECONDS = Long.getLong("emu.node.warmupLimitSeconds", 30);

  private WarmUp() {}

  /**
   * {@code java emu.node.warm.WarmUp LEVEL [trace] [capture] [probe [cold]]}: one training in a
   * JVM of its own, for measuring what it costs and what it gives: prints the result, wall time
   * and this process's CPU time, and with {@code probe} the round trips of 100 pings 10 ms apart
   * sent after the training (also after none, for {@code off}): the first and the median; with
   * {@code cold} every node forgets its neighbours before them, as in a fresh lab.
   */
  public static void main(String[] args) throws Exception {
    Level level = Level.parse(args.length > 0 ? args[0] : "full");
    List<String> modes = List.of(args).subList(Math.min(1, args.length), args.length);
    Result r = train(level, modes.contains("trace"), modes.contains("capture"), modes.contains("probe") ? 100 : 0,
        modes.contains("cold"));
    long cpu = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime() / 1_000_000;
    List<Double> sorted = r.probe().stream().sorted().toList();
    System.out.println("warmup level=" + level.name().toLowerCase(Locale.ROOT) + " ms=" + r.millis() + " cpu_ms=" + cpu
        + (sorted.isEmpty() ? ""
            : " probe_first_ms=" + r.probe().get(0) + " probe_p50_ms=" + sorted.get(sorted.size() / 2))
        + " " + r);
  }

  /**
   * The level asked for by {@code -Demu.node.warmup} (full, light, off), which the control plane
   * passes from {@code EMU_NODE_WARMUP}; off by default: measured side by side on the seed lab
   * (BENCHMARKS.md, "First packet"), full cost each node 3.1 s more CPU at start (seed lab up in
   * 22.1 s instead of 7.1 s) and took the median of the first 100 pings only from 5.3 to 3.2 ms
   * (warm: 0.6 ms), short of what it was for.
   */
  public static Level configured() {
    return Level.parse(System.getProperty("emu.node.warmup", "off"));
  }

  /**
   * Trains at {@code level} with the node's tracing and capture modes; returns what was done, or
   * null for {@link Level#OFF}. Call from a thread other than an event loop's.
   */
  public static Result run(Level level, boolean trace, boolean capture) throws Exception {
    return level == Level.OFF ? null : train(level, trace, capture, 0, false);
  }

  /**
   * Trains at {@code level} (nothing for OFF), then sends {@code probe} pings 10 ms apart and
   * keeps their times; {@code cold}: with every table emptied before them.
   */
  private static Result train(Level level, boolean trace, boolean capture, int probe, boolean cold)
      throws Exception {
    long t0 = System.nanoTime();
    Path dir = Files.createTempDirectory("emu-warmup");
    EventLoopGroup group = Transports.singleThreadGroup();
    EventLoop loop = group.next();
    List<EmulatedNode> nodes = new ArrayList<>();
    try {
      String at = loopbackAddress();
      List<NodeConfig> configs = configs(dir, at, trace, capture);
      for (NodeConfig c : configs) {
        nodes.add(loop.submit(() -> EmulatedNode.create(c, loop)).get());
      }
      List<InetSocketAddress> ports = new ArrayList<>();
      for (EmulatedNode n : nodes) {
        n.open(msg -> {});
        n.udpEndpoints().forEach(u -> ports.add(u.localAddress()));
      }
      EmulatedNode a = nodes.get(0);
      EmulatedNode s = nodes.get(1);
      EmulatedNode r = nodes.get(2);
      EmulatedNode b = nodes.get(3);
      loop.submit(() -> {
        cable(a, "eth0", s, "p1");
        cable(s, "p2", r, "eth0");
        cable(r, "eth1", b, "eth0");
        nodes.forEach(EmulatedNode::start);
      }).get();
      Training t = new Training(loop);
      t.run(b, "bulk", "server");
      t.run(b, "udpperf", "server");
      if (level != Level.OFF) {
        for (int i = 0; i < level.parallel; i++) {
          String n = Integer.toString(Integer.getInteger("emu.node.warmupPings", level.pings) / level.parallel);
          t.expect(a, RECEIVED, t.replies, "ping", "-q", "-c", n, "-i", "0.001", "b");
          t.expect(a, RECEIVED, t.replies, "ping", "-4", "-q", "-c", n, "-i", "0.001", "b");
        }
        t.expect(a, UDP_SENT, t.udp, "udpperf", "b", "-l", level == Level.FULL ? "0.5" : "0.1");
        t.expect(a, null, null, "bulk", "client", "b", "--bytes", Long.toString(level.tcpBytes));
      }
      t.await();
      // A lab's first ping finds every neighbour table and forwarding database empty: it is
      // queued while its host asks for the next hop's address, flooded by the switch, and answered
      // the same way back. The pings above resolved each neighbour once and then ran thousands of
      // times on resolved entries, so the compiled code had never seen a miss: in a training lab
      // whose tables were then emptied, the first ping took 5-7 ms against 0.7-0.8 ms after 50 to
      // 300 pings each from empty tables (3: 5 ms; 20: 1 ms). BENCHMARKS.md, "The first packet".
      AtomicLong fresh = new AtomicLong();
      int rounds = Integer.getInteger("emu.node.warmupFresh", level.fresh);
      for (int i = 0; i < rounds && t.inTime(); i++) {
        for (String family : List.of("-6", "-4")) {
          loop.submit(() -> nodes.forEach(WarmUp::forget)).get();
          Training one = new Training(loop, t.until);
          one.expect(a, RECEIVED, fresh, "ping", family, "-q", "-c", "1", "-W", "1", "b");
          one.await();
        }
      }
      List<Double> times = new ArrayList<>();
      if (probe > 0) {
        if (cold) {
          loop.submit(() -> nodes.forEach(WarmUp::forget)).get();
        }
        Training p = new Training(loop);
        p.expect(a, null, null, line -> {
          Matcher m = TIME.matcher(line);
          if (m.find()) {
            times.add(Double.parseDouble(m.group(1)));
          }
        }, "ping", "-c", Integer.toString(probe), "-i", "0.01", "b");
        p.await();
      }
      long[] counted = loop.submit(() -> new long[] {r.stack().counters().ipForwarded
          + (r.ipv6() == null ? 0 : r.ipv6().counters().forwarded), s.bridge().forwarded,
          b.tcp().counters().segmentsIn}).get();
      return new Result(t.replies.get(), counted[0], counted[1], counted[2], t.udp.get(), fresh.get(),
          List.copyOf(ports), dir,
          (System.nanoTime() - t0) / 1_000_000, List.copyOf(times));
    } finally {
      try {
        loop.submit(() -> nodes.forEach(WarmUp::close)).get(5, TimeUnit.SECONDS);
      } finally {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        delete(dir);
        compiled();
      }
    }
  }

  /**
   * Waits (at most 5 s) until the JIT compilers have been idle for 100 ms: what the training made
   * hot is queued for compilation, and a node that said READY with a long queue still ran its
   * first packets interpreted while its compiler threads took the machine's cores (in the seed
   * lab with 8 nodes on 2 cores, before this wait, the first ping took 244 ms).
   */
  private static void compiled() throws InterruptedException {
    java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      return;
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    long last = jit.getTotalCompilationTime();
    int quiet = 0;
    while (quiet < 10 && System.nanoTime() < until) {
      Thread.sleep(10);
      long now = jit.getTotalCompilationTime();
      quiet = now == last ? quiet + 1 : 0;
      last = now;
    }
  }

  /** Points two nodes' interfaces at each other's bound port. */
  private static void cable(EmulatedNode x, String xi, EmulatedNode y, String yi) {
    x.peerPort(xi, port(y, yi));
    y.peerPort(yi, port(x, xi));
  }

  private static int port(EmulatedNode n, String iface) {
    List<NodeConfig.Iface> ifs = n.config().interfaces();
    for (int i = 0; i < ifs.size(); i++) {
      if (ifs.get(i).name().equals(iface)) {
        return n.udpEndpoints().get(i).localAddress().getPort();
      }
    }
    throw new IllegalStateException(iface);
  }

  /** Forgets every neighbour and learned MAC address, as in a fresh lab. */
  private static void forget(EmulatedNode n) {
    if (n.stack() != null) {
      n.stack().nics().forEach(nic -> nic.neighbors().flush());
    }
    if (n.ipv6() != null) {
      n.ipv6().interfaces().forEach(i -> i.neighbors().flush());
    }
    if (n.bridge() != null) {
      n.bridge().ports().forEach(port -> n.bridge().forget(port));
    }
  }

  /** Closes a throwaway node and drops what waits for a neighbour (a frame queued for ARP holds a buffer). */
  private static void close(EmulatedNode n) {
    n.close();
    if (n.stack() != null) {
      n.stack().nics().forEach(nic -> nic.neighbors().flush());
    }
    if (n.ipv6() != null) {
      n.ipv6().interfaces().forEach(i -> i.neighbors().flush());
      n.ipv6().flushReassembly();
    }
  }

  /**
   * 127.0.0.2 where it can be bound (Linux answers for all of 127/8), else the loopback address:
   * a lab plans its links on ports of 127.0.0.1 the kernel found free, which a training socket on
   * the same address could take from a node that has not bound yet.
   */
  private static String loopbackAddress() {
    try (java.net.DatagramSocket probe = new java.net.DatagramSocket(
        new java.net.InetSocketAddress("127.0.0.2", 0))) {
      return "127.0.0.2";
    } catch (IOException e) {
      return java.net.InetAddress.getLoopbackAddress().getHostAddress();
    }
  }

  /** a (host) - s (switch) - r (router) - b (host), dual stack, b known by name to a. */
  static List<NodeConfig> configs(Path dir, String at, boolean trace, boolean capture) {
    String bind = at + ":0";
    String peer = at + ":9"; // until cable() tells each end its peer's bound port; nothing is sent before
    NodeConfig.Iface a0 = iface("eth0", 1, "10.99.1.10/24", "fd99:1::10/64", bind, peer);
    NodeConfig.Iface s1 = iface("p1", 2, null, null, bind, peer);
    NodeConfig.Iface s2 = iface("p2", 3, null, null, bind, peer);
    NodeConfig.Iface r0 = iface("eth0", 4, "10.99.1.1/24", "fd99:1::1/64", bind, peer);
    NodeConfig.Iface r1 = iface("eth1", 5, "10.99.2.1/24", "fd99:2::1/64", bind, peer);
    NodeConfig.Iface b0 = iface("eth0", 6, "10.99.2.10/24", "fd99:2::10/64", bind, peer);
    Map<String, String> hosts = Map.of("b", "10.99.2.10", "a", "10.99.1.10");
    Map<String, String> hosts6 = Map.of("b", "fd99:2::10", "a", "fd99:1::10");
    return List.of(
        node("a", "host", List.of(a0), "10.99.1.1", "fd99:1::1", hosts, hosts6, dir, trace, capture),
        node("s", "switch", List.of(s1, s2), null, null, hosts, hosts6, dir, trace, capture),
        node("r", "router", List.of(r0, r1), null, null, hosts, hosts6, dir, trace, capture),
        node("b", "host", List.of(b0), "10.99.2.1", "fd99:2::1", hosts, hosts6, dir, trace, capture));
  }

  private static NodeConfig.Iface iface(String name, int n, String v4, String v6, String bind, String peer) {
    return new NodeConfig.Iface(name, String.format("02:99:00:00:00:%02x", n), v4, 1500, bind, peer, null, null,
        null, v6 == null ? null : List.of(v6), null);
  }

  private static NodeConfig node(String name, String kind, List<NodeConfig.Iface> ifs, String gw, String gw6,
                                 Map<String, String> hosts, Map<String, String> hosts6, Path dir, boolean trace,
                                 boolean capture) {
    return NodeConfig.builder("warmup", name, kind).interfaces(ifs).routes(List.of()).gateway(gw).hosts(hosts)
        .outputDir(dir.toString()).capture(capture).trace(trace).traceBudget(Long.MAX_VALUE).seed(1).gateway6(gw6)
        .hosts6(hosts6).seeded(true).build();
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Commands run on the throwaway nodes' shells, and what their summaries say. */
  private static final class Training {
    private final EventLoop loop;
    private final List<Runnable> cancels = new ArrayList<>();
    private final List<CountDownLatch> done = new ArrayList<>();
    final AtomicLong replies = new AtomicLong();
    final AtomicLong udp = new AtomicLong();
    /** When what is still running is cut short (System.nanoTime()). */
    final long until;

    Training(EventLoop loop) {
      this(loop, System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT_SECONDS));
    }

    Training(EventLoop loop, long until) {
      this.loop = loop;
      this.until = until;
    }

    boolean inTime() {
      return System.nanoTime() < until;
    }

    /** Starts a background command (a server); it ends with its node. */
    void run(EmulatedNode n, String... argv) throws Exception {
      loop.submit(() -> n.shell().run(List.of(argv), new Io(null, null, null, line -> {}))).get();
    }

    /** Starts a command whose summary's number matching {@code p} adds to {@code into}. */
    void expect(EmulatedNode n, Pattern p, AtomicLong into, String... argv) throws Exception {
      expect(n, p, into, line -> {}, argv);
    }

    void expect(EmulatedNode n, Pattern p, AtomicLong into, java.util.function.Consumer<String> lines, String... argv)
        throws Exception {
      CountDownLatch latch = new CountDownLatch(1);
      done.add(latch);
      loop.submit(() -> n.shell().run(List.of(argv), new Io(p, into, latch, lines))).get();
    }

    /** Waits for every command; past the limit, cancels what still runs. */
    void await() throws Exception {
      for (CountDownLatch l : done) {
        if (!l.await(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          loop.submit(() -> cancels.forEach(Runnable::run)).get();
          return;
        }
      }
    }

    private final class Io implements CommandIo {
      private final Pattern pattern;
      private final AtomicLong into;
      private final CountDownLatch latch;
      private final java.util.function.Consumer<String> lines;

      Io(Pattern pattern, AtomicLong into, CountDownLatch latch, java.util.function.Consumer<String> lines) {
        this.pattern = pattern;
        this.into = into;
        this.latch = latch;
        this.lines = lines;
      }

      @Override
      public void out(String line) {
        lines.accept(line);
        if (pattern != null) {
          Matcher m = pattern.matcher(line);
          if (m.find()) {
            into.addAndGet(Long.parseLong(m.group(1)));
          }
        }
      }

      @Override
      public void exit(int code) {
        if (latch != null) {
          latch.countDown();
        }
      }

      @Override
      public void onCancel(Runnable action) {
        cancels.add(action);
      }
    }
  }
}
