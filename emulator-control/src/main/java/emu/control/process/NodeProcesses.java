package emu.control.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Starting node JVMs, recognising them later by pid, and reading their logs. */
public final class NodeProcesses {
  /**
   * The newest JDK whose diagnostic options were measured here (JDK 17 and 25): a diagnostic
   * option may go in a later JDK, and an option the JVM does not know stops it.
   */
  static final int LAST_MEASURED = 25;

  private NodeProcesses() {}

  /**
   * JVM options for a node: a small heap and the serial collector keep a node's memory low;
   * {@code EMU_NODE_JVM_OPTS} (space separated) is added last so users can override.
   */
  public static List<String> jvmOptions() {
    return jvmOptions(NodeJava.chosen().version());
  }

  /** {@link #jvmOptions()} for a node JVM of version {@code v}. */
  public static List<String> jvmOptions(Runtime.Version v) {
    List<String> opts = new ArrayList<>(baseJvmOptions(v));
    String leak = System.getProperty("io.netty.leakDetection.level");
    if (leak != null) {
      opts.add("-Dio.netty.leakDetection.level=" + leak);
    }
    String transport = System.getProperty("emu.transport");
    if (transport != null) {
      opts.add("-Demu.transport=" + transport);
    }
    // the node's warm-up before READY (emu.node.warm): EMU_NODE_WARMUP=full|light|off, the property first
    String warmup = System.getProperty("emu.node.warmup", System.getenv("EMU_NODE_WARMUP"));
    if (warmup != null && !warmup.isBlank()) {
      opts.add("-Demu.node.warmup=" + warmup.strip());
      if (warmsUp(warmup)) {
        opts.add(TRAP_LIMIT);
      }
    }
    String extra = System.getenv("EMU_NODE_JVM_OPTS");
    if (extra != null && !extra.isBlank()) {
      opts.addAll(List.of(extra.trim().split("\\s+")));
    }
    return opts;
  }

  /**
   * For nodes that warm up before READY: C2 compiles the branches and calls a method's profile has
   * not seen instead of a trap that throws the compiled code away the first time one is taken
   * (the method then runs interpreted, with a fresh profile, until it is hot again). A lab's
   * first packets take branches the warm-up's lab never did (a blocked port, a VLAN tag, the
   * management connection's buffers): with the JDK's default (100 traps of a kind per method)
   * the seed lab in one JVM with the full warm-up took 5.7 ms for its first ping and 1.53x the
   * warm median for its first 100 while the JIT compiled the datapath again; with this 4.1 ms and
   * 1.34x, the warm median the same (16 labs each; BENCHMARKS.md, "Compiled code that a lab's
   * first packets keep"). Not for cold nodes: there C2's first compiles see thin profiles, and
   * compiling every unseen path made the first 100 pings slower (10.8 against 8.5 ms).
   * {@code EMU_NODE_JVM_OPTS=-XX:PerMethodTrapLimit=100} (it comes later) puts the default back.
   */
  static final String TRAP_LIMIT = "-XX:PerMethodTrapLimit=0";

  /** Whether a node given this warm-up level trains before READY (one it cannot read: it starts cold). */
  private static boolean warmsUp(String level) {
    try {
      return emu.node.warm.WarmUp.Level.parse(level) != emu.node.warm.WarmUp.Level.OFF;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * The warm-up level nodes started now are given ({@code EMU_NODE_WARMUP}, or the property
   * {@code emu.node.warmup}; unset or blank: off), for the command line to refuse a word that is
   * not one before anything starts: a node given one starts cold and says so only in its log, and
   * a user who asked for {@code fulll} would measure cold nodes believing them warm.
   *
   * @throws IllegalArgumentException naming the setting and the words it takes
   */
  public static emu.node.warm.WarmUp.Level warmupLevel() {
    String v = System.getProperty("emu.node.warmup", System.getenv("EMU_NODE_WARMUP"));
    if (v == null || v.isBlank()) {
      return emu.node.warm.WarmUp.Level.OFF;
    }
    try {
      return emu.node.warm.WarmUp.Level.parse(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("EMU_NODE_WARMUP must be full, light or off, not '" + v + "'");
    }
  }

  /**
   * The options every node JVM of version {@code v} gets, wherever it runs (also in a Kubernetes
   * pod, with the image's version): an option the JVM does not know would stop every node.
   */
  public static List<String> baseJvmOptions(Runtime.Version v) {
    List<String> opts = new ArrayList<>(List.of(
        "-XX:+UseSerialGC", "-Xms16m", NODE_HEAP, "-Xss512k", "-XX:MaxMetaspaceSize=96m",
        "-XX:ReservedCodeCacheSize=48m", "-XX:+ExitOnOutOfMemoryError",
        "-Dio.netty.allocator.numDirectArenas=1", "-Dio.netty.allocator.numHeapArenas=1",
        // the link endpoints' 64 KiB read buffers come from the event loop's thread cache
        "-Dio.netty.allocator.maxCachedBufferCapacity=65536",
        // Map class-data archives (the JDK's, emu's NodeClassArchive) at the address they were
        // dumped for. This JDK (17.0.15) maps them at a random address by
        // default and relocates every pointer in them: 12-36 MB of private page copies per node
        // instead of pages shared by all nodes (measured with /proc/PID/smaps). The archive is
        // read-only metadata; a node is not a target worth that address randomisation's cost.
        "-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0"));
    if (v.feature() <= LAST_MEASURED) {
      // An idle node's JVM threads woke 28 times a second (schedstat of the seed lab's nodes on
      // JDK 17): the performance-data sampler every 50 ms (jps and jstat read its file; emu
      // uses neither, and jcmd PID still works without it), the monitor deflation thread every
      // 250 ms, the VM thread's safepoint check every second (JDK 25's default is no such check).
      // Deflating idle monitors every 10 s is plenty for a node, whose one event loop uses few.
      opts.addAll(List.of("-XX:-UsePerfData", "-XX:AsyncDeflationInterval=10000",
          "-XX:GuaranteedSafepointInterval=0"));
    }
    if (trimsNativeHeap(v)) {
      // glibc keeps what the JIT compilers and start-up freed (8-16 MB a node, measured with
      // jcmd System.trim_native_heap); give it back every 2 s (a malloc_trim on a VM thread).
      // Experimental in 17.0.9 and 17.0.10, a product option later: unlocking is harmless.
      opts.addAll(List.of("-XX:+UnlockExperimentalVMOptions", "-XX:TrimNativeHeapInterval=2000"));
    }
    return opts;
  }

  /**
   * Whether a JVM of this version has {@code -XX:TrimNativeHeapInterval} (JDK 22, backported to
   * 17.0.9 and 21.0.1): nodes may run on any JDK from 17 on ({@link NodeJava}), and an unknown
   * option would stop every node from starting.
   */
  static boolean trimsNativeHeap(Runtime.Version v) {
    return v.feature() >= 22 || (v.feature() == 21 && v.update() >= 1) || (v.feature() == 17 && v.update() >= 9);
  }

  /** The {@code java} nodes run on ({@link NodeJava}; their class archive is made with it). */
  static String javaCommand() {
    return NodeJava.chosen().java().toString();
  }

  /** The command line that starts a node with {@code config}. */
  public static List<String> command(Path config, boolean detached) {
    return command(List.of(config), detached);
  }

  /**
   * The command line that starts the nodes with {@code configs}: one node, its own JVM; several,
   * one JVM for all ({@code NodeMain --group}, with a heap that grows by {@link #HEAP_PER_GROUPED_MB}
   * a node).
   */
  public static List<String> command(List<Path> configs, boolean detached) {
    Path config = configs.get(0);
    List<String> cmd = new ArrayList<>();
    if (detached && Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      // Its own session: closing the terminal that ran `emu up` does not hang up the lab.
      cmd.add("/usr/bin/setsid");
    }
    cmd.add(javaCommand());
    List<String> archive = NodeClassArchive.nodeOptions();
    cmd.addAll(archive);
    String classList = System.getenv("EMU_NODE_CLASSLIST_DIR");
    if (classList != null && !classList.isBlank()) {
      // emulator-control/node-classlist.sh: each node writes the classes it loaded, for the archive
      cmd.add("-XX:DumpLoadedClassList=" + Path.of(classList, config.getFileName() + ".classes"));
    }
    cmd.addAll(jvmOptions());
    if (configs.size() > 1) {
      // after the node options: the last -Xmx wins, EMU_NODE_JVM_OPTS' included
      int at = cmd.indexOf(NODE_HEAP);
      String heap = "-Xmx" + (NODE_HEAP_MB + HEAP_PER_GROUPED_MB * (configs.size() - 1)) + "m";
      if (at >= 0) {
        cmd.set(at, heap);
      }
    }
    cmd.add("-cp");
    // with the archive, its jars first (as it was made); otherwise the class path as given, whose order may be meant
    String classPath = System.getProperty("java.class.path");
    cmd.add(archive.isEmpty() ? classPath : NodeClassArchive.nodeClassPath(classPath));
    cmd.add("emu.node.NodeMain");
    if (configs.size() > 1) {
      cmd.add("--group");
    }
    configs.forEach(c -> cmd.add(c.toString()));
    return cmd;
  }

  /** A node JVM's heap limit, in MB: a JVM hosting several nodes starts from it. */
  static final int NODE_HEAP_MB = 128;
  private static final String NODE_HEAP = "-Xmx" + NODE_HEAP_MB + "m";

  /**
   * Heap a node adds to a JVM hosting several (the first has the usual 128 MB): an idle node's own
   * live objects are a few hundred KB (tables, timers, buffers' handles); what a node process's
   * heap holds besides is the JDK's and the libraries', shared in a group. The margin is for a
   * node moving data (TCP windows, captures' staging, a DNS zone).
   */
  static final int HEAP_PER_GROUPED_MB = 24;

  /**
   * Waits up to {@code millis} for {@code h} to exit; true if it has. {@code onExit()} alone is no
   * good for a process that is not this JVM's child (a lab's nodes and control process, seen from
   * {@code emu down}): the JDK then polls it with sleeps that grow from 300 ms, so {@code down}
   * noticed the control process's exit up to 1.5 s late. This asks every 20 ms instead; a child's
   * exit still ends the wait at once. A zombie has exited too: an orphan (the control process once
   * {@code emu up} has returned) waits for its new parent, PID 1, to collect its exit status, which
   * some container inits do only every second or two, and {@code isAlive()} is true until then.
   */
  public static boolean awaitExit(ProcessHandle h, long millis) {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    var exit = h.onExit();
    while (!exited(h)) {
      long left = (deadline - System.nanoTime()) / 1_000_000L;
      if (left <= 0) {
        return false;
      }
      try {
        exit.get(Math.min(left, 20), java.util.concurrent.TimeUnit.MILLISECONDS);
        return true;
      } catch (java.util.concurrent.TimeoutException e) {
        // ask again
      } catch (java.util.concurrent.ExecutionException e) {
        return !h.isAlive();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return !h.isAlive();
      }
    }
    return true;
  }

  /**
   * True if the process has exited: gone, or a {@link #zombie} its parent has not collected yet
   * (which the JDK still calls alive, possibly for a while on a loaded machine).
   */
  public static boolean exited(ProcessHandle h) {
    return !h.isAlive() || zombie(h.pid());
  }

  /**
   * True if process {@code pid} has exited and waits to be collected by its parent (Linux's /proc):
   * its first thread is a zombie and no other thread is left. The first thread of a JVM shows as a
   * zombie as soon as the exit begins, while its other threads still end and still hold the
   * process's sockets and files (the kernel keeps a group leader a zombie until its group is
   * empty): only once it is alone has the process let go of everything.
   */
  public static boolean zombie(long pid) {
    Path proc = Path.of("/proc", Long.toString(pid));
    try {
      String stat = Files.readString(proc.resolve("stat"));
      int end = stat.lastIndexOf(')'); // the command name, in parentheses, may hold anything
      if (end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z') {
        return false;
      }
      try (var tasks = Files.list(proc.resolve("task"))) {
        return tasks.count() == 1;
      }
    } catch (java.io.IOException | RuntimeException e) {
      return false; // gone (isAlive says so), or no /proc: onExit alone decides
    }
  }

  /** The process with {@code pid} if it is alive and is the node started with {@code config}. */
  public static Optional<ProcessHandle> find(long pid, String config) {
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .filter(p -> commandLine(p).map(cl -> cl.contains("emu.node.NodeMain") && cl.contains(config)).orElse(false));
  }

  /**
   * A process's whole command line. {@link ProcessHandle.Info#commandLine()} stops at 4096
   * bytes, which a node's class path alone can exceed, so on Linux it is read from /proc.
   */
  public static Optional<String> commandLine(ProcessHandle p) {
    Path proc = Path.of("/proc", Long.toString(p.pid()), "cmdline");
    if (Files.isReadable(proc)) {
      try {
        byte[] b = Files.readAllBytes(proc);
        return Optional.of(new String(b, java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' '));
      } catch (java.io.IOException e) {
        return Optional.empty(); // exited meanwhile
      }
    }
    return p.info().commandLine();
  }

  /** The last {@code n} lines of a log, for error messages. */
  public static String tail(Path log, int n) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    } catch (Exception e) {
      return "(no log at " + log + ")";
    }
  }
}
