package emu.control.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A lab's node processes: started from a {@link LabPlan} (one JVM per node, waited on until
 * each answers its health check), or found again from its {@link LabState}. Stopping asks each
 * node to shut down (so captures are flushed), then terminates, then kills what is left.
 */
public final class Lab {
  /** How long node JVMs get to come up (several start at once on two cores). */
  private static final long START_TIMEOUT_MS = 90_000;

  private final LabState state;
  private final Map<String, Process> processes;
  private volatile boolean stopping;

  private Lab(LabState state, Map<String, Process> processes) {
    this.state = state;
    this.processes = processes;
  }

  /**
   * Starts every node and waits until all are ready. On any failure every started node is
   * stopped and the exception names the node and quotes its log.
   */
  public static Lab start(LabPlan plan, boolean detached, Consumer<String> progress) throws LabException {
    Map<String, Process> procs = new LinkedHashMap<>();
    List<LabState.NodeState> nodes = new ArrayList<>();
    try {
      Files.createDirectories(plan.stateDir());
      Files.createDirectories(plan.outDir());
      for (PlannedNode n : plan.nodes()) {
        Path cfg = n.configFile();
        Files.deleteIfExists(cfg);
        Files.createFile(cfg, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        n.config().write(cfg);
      }
    } catch (IOException e) {
      throw new LabException("cannot write the lab's files: " + e.getMessage(), e);
    }
    Lab lab = null;
    try {
      for (PlannedNode n : plan.nodes()) {
        ProcessBuilder pb = new ProcessBuilder(NodeProcesses.command(n.configFile(), detached))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(n.logFile().toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        procs.put(n.name(), p);
        nodes.add(new LabState.NodeState(n.name(), n.kind(), p.pid(), n.mgmt(), n.logFile().toString(),
            n.configFile().toString()));
      }
      LabState state = new LabState(plan.name(), plan.topology().file().toAbsolutePath().toString(),
          plan.outDir().toString(), plan.stateDir().toString(), plan.token(), plan.seed(),
          Instant.now().toString(), nodes);
      lab = new Lab(state, procs);
      state.write();
      lab.awaitReady(plan, progress);
      return lab;
    } catch (IOException | LabException e) {
      if (lab != null) {
        lab.stop();
      } else {
        procs.values().forEach(Process::destroyForcibly);
      }
      if (e instanceof LabException le) {
        throw le;
      }
      throw new LabException("cannot start the lab's nodes: " + e.getMessage(), e);
    }
  }

  private void awaitReady(LabPlan plan, Consumer<String> progress) throws LabException {
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
    List<PlannedNode> waiting = new ArrayList<>(plan.nodes());
    int total = waiting.size();
    while (!waiting.isEmpty()) {
      for (var it = waiting.iterator(); it.hasNext(); ) {
        PlannedNode n = it.next();
        Process p = processes.get(n.name());
        if (!p.isAlive()) {
          throw new LabException("node " + n.name() + " exited during start-up with status " + p.exitValue()
              + "; its log (" + n.logFile() + ") ends with:\n" + NodeProcesses.tail(n.logFile(), 15));
        }
        if (client(n.name()).healthy()) {
          it.remove();
          progress.accept("node " + n.name() + " ready (pid " + p.pid() + ", " + (total - waiting.size()) + "/"
              + total + ")");
        }
      }
      if (System.currentTimeMillis() > deadline) {
        throw new LabException("nodes not ready after " + START_TIMEOUT_MS / 1000 + " s: "
            + waiting.stream().map(PlannedNode::name).toList());
      }
      try {
        Thread.sleep(40);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LabException("interrupted while starting nodes");
      }
    }
  }

  /** Finds a running lab by name (or the only one, if name is null). */
  public static Lab attach(String name) throws LabException {
    List<LabState> labs = LabState.all();
    LabState s;
    if (name == null) {
      if (labs.isEmpty()) {
        throw new LabException("no lab is up (start one with ./emu up FILE)");
      }
      if (labs.size() > 1) {
        throw new LabException("several labs are up (" + String.join(", ", labs.stream().map(LabState::name).toList())
            + "); name one with --lab");
      }
      s = labs.get(0);
    } else {
      s = labs.stream().filter(l -> l.name().equals(name)).findFirst()
          .orElseThrow(() -> new LabException("no lab named " + name + " is up"));
    }
    return new Lab(s, Map.of());
  }

  /** Calls {@code onDeath} (with a message naming the node) when a node dies unexpectedly. */
  public void watch(Consumer<String> onDeath) {
    processes.forEach((name, p) -> p.onExit().thenAccept(done -> {
      if (!stopping) {
        LabState.NodeState n = state.node(name);
        onDeath.accept("node " + name + " (pid " + done.pid() + ") died unexpectedly with status " + done.exitValue()
            + "; its log (" + n.log() + ") ends with:\n" + NodeProcesses.tail(Path.of(n.log()), 10));
      }
    }));
  }

  public NodeClient client(String node) {
    LabState.NodeState n = state.node(node);
    if (n == null) {
      throw new IllegalArgumentException("lab " + state.name() + " has no node named " + node + " (it has: "
          + String.join(", ", state.nodes().stream().map(LabState.NodeState::name).toList()) + ")");
    }
    return new NodeClient(node, n.mgmt(), state.token());
  }

  /** The live process of a node, if it is still running. */
  public Optional<ProcessHandle> process(String node) {
    LabState.NodeState n = state.node(node);
    return n == null ? Optional.empty() : NodeProcesses.find(n.pid(), n.config());
  }

  public LabState state() {
    return state;
  }

  /**
   * Stops every node: a shutdown request (captures flushed), then SIGTERM, then SIGKILL for
   * whatever still runs; removes the lab's state folder. Returns the nodes that had already
   * died.
   */
  public List<String> stop() {
    stopping = true;
    List<String> dead = new ArrayList<>();
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    for (LabState.NodeState n : state.nodes()) {
      Optional<ProcessHandle> p = Optional.ofNullable(processes.get(n.name())).filter(Process::isAlive)
          .map(Process::toHandle).or(() -> NodeProcesses.find(n.pid(), n.config()));
      if (p.isEmpty()) {
        dead.add(n.name());
        continue;
      }
      ProcessHandle h = p.get();
      waits.add(CompletableFuture.runAsync(() -> stopOne(n, h)));
    }
    waits.forEach(CompletableFuture::join);
    deleteState();
    return dead;
  }

  private void stopOne(LabState.NodeState n, ProcessHandle h) {
    try {
      new NodeClient(n.name(), n.mgmt(), state.token()).shutdown();
    } catch (IOException e) {
      // Not answering: fall through to signals.
    }
    if (await(h, 5_000)) {
      return;
    }
    h.destroy();
    if (await(h, 3_000)) {
      return;
    }
    h.destroyForcibly();
    await(h, 3_000);
  }

  private static boolean await(ProcessHandle h, long millis) {
    try {
      h.onExit().get(millis, TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception e) {
      return !h.isAlive();
    }
  }

  private void deleteState() {
    Path dir = Path.of(state.stateDir());
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Already gone.
    }
  }
}
