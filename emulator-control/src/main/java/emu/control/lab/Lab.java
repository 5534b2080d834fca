package emu.control.lab;

import emu.control.linux.LinuxException;
import emu.control.linux.LinuxNamespaces;
import emu.control.linux.LinuxPlan;
import emu.control.plan.LabPlan;
import emu.control.plan.LabPlanner;
import emu.control.plan.LabSecrets;
import emu.control.plan.PlannedNode;
import emu.control.process.ControlTls;
import emu.control.process.NodeClient;
import emu.control.process.NodeJava;
import emu.control.process.NodeJvmGroup;
import emu.control.process.NodeProcesses;
import emu.control.process.NodeStartException;
import emu.control.process.ReadyLine;
import emu.control.process.RemoteNodes;
import emu.control.process.Ssh;
import emu.control.state.LabState;
import emu.node.config.NodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A lab's node processes: started from a {@link LabPlan} (one JVM per node, waited on until
 * each answers its health check), or found again from its {@link LabState}. Nodes can be
 * killed, restarted with the same configuration, paused and resumed. Stopping asks each node
 * to shut down (so captures are flushed), then terminates, then kills what is left.
 */
public final class Lab {
  /** How long node JVMs get to come up (several start at once on two cores). */
  private static final long START_TIMEOUT_MS = 90_000;

  private volatile LabState state;
  private final Map<String, Process> processes = new ConcurrentHashMap<>();
  /** For nodes on other machines: the ssh sessions following their events files. */
  private final Map<String, Process> followers = new ConcurrentHashMap<>();
  /** For nodes on other machines: the threads copying their sessions' output into their logs. */
  private final Map<String, Thread> outputs = new ConcurrentHashMap<>();
  private final Set<String> expectedExits = ConcurrentHashMap.newKeySet();
  /** Per node: the length of its log before its latest launch (its READY line comes after). */
  private final Map<String, Long> readyFrom = new ConcurrentHashMap<>();
  /** Per node: its READY line since its latest launch, once seen. */
  private final Map<String, ReadyLine> ready = new ConcurrentHashMap<>();
  private final boolean detached;
  /** Per node sharing a JVM with others: its group (until it is restarted in a JVM of its own). */
  private final Map<String, NodeJvmGroup> groups = new ConcurrentHashMap<>();
  /** Nodes killed inside a group whose JVM goes on: not running, though their process is. */
  private final Set<String> endedInGroup = ConcurrentHashMap.newKeySet();
  /** Nodes paused inside a group (their loops blocked): thawed before they are asked to stop. */
  private final Set<String> pausedInGroup = ConcurrentHashMap.newKeySet();
  /** Per node to start in a shared JVM: the nodes of that JVM (see nodesPerJvm). */
  private Map<String, List<String>> plannedGroups = Map.of();
  private volatile Consumer<String> onDeath;
  private volatile boolean stopping;
  /** Stops the lab when this JVM exits (Ctrl-C), while the lab lives as long as this process. */
  private Thread exitHook;
  /** The management TLS of the lab's nodes on other machines, loaded at the first use. */
  private ControlTls tls;
  private final Object tlsLock = new Object();
  private volatile Runnable beforeExitStop = () -> { };

  private Lab(LabState state, boolean detached) {
    this.state = state;
    this.detached = detached;
  }

  /**
   * Starts every node and waits until all are ready. On any failure every started node is
   * stopped and the exception names the node and quotes its log.
   *
   * @param detached nodes get their own session (they outlive the starting process)
   * @param controller the controlling process and its API address, recorded in the state, or null
   */
  public static Lab start(LabPlan plan, boolean detached, LabState.Controller controller,
                          Consumer<String> progress) throws LabException {
    // a bad EMU_START_CONCURRENCY fails before anything starts
    int localCount = (int) plan.nodes().stream().filter(n -> n.host() == null).count();
    int perJvm = StartPolicy.nodesPerJvm();
    int inFlight = StartPolicy.startConcurrency((localCount + perJvm - 1) / perJvm); // JVMs, whatever each hosts
    List<LabState.NodeState> nodes = new ArrayList<>();
    for (PlannedNode n : plan.nodes()) {
      nodes.add(new LabState.NodeState(n.name(), n.kind(), 0, n.mgmt(), n.logFile().toString(),
          n.configFile().toString(), n.host() == null ? null
              : new LabState.Remote(n.host(), LabPlanner.nodeDir(n.host(), plan.name(), n.name()), 0),
          n.config().management().token()));
    }
    for (LinuxPlan l : plan.linux()) {
      nodes.add(new LabState.NodeState(l.node(), "linux", 0, null, null,
          plan.stateDir().resolve(l.node() + ".linux.json").toString()));
    }
    LabState initial = new LabState(plan.name(), plan.topology().file().toAbsolutePath().toString(),
        plan.outDir().toString(), plan.stateDir().toString(), plan.token(), plan.seed(), Instant.now().toString(),
        nodes, controller, plan.seeded());
    Lab lab = new Lab(initial, detached);
    // Before the first file is written: Ctrl-C (SIGINT, to the CLI and its nodes alike) while
    // the nodes start must not leave a state record that `emu status` shows as a lab up.
    lab.exitHook = new Thread(lab::stopAtExit, "emu-lab-stop");
    Runtime.getRuntime().addShutdownHook(lab.exitHook);
    try {
      Files.createDirectories(plan.stateDir());
      Files.createDirectories(plan.outDir());
      plan.hosts().write(plan.stateDir().resolve(emu.node.config.HostsTable.FILE)); // before any node reads it
      for (PlannedNode n : plan.nodes()) {
        Path cfg = n.configFile();
        Files.deleteIfExists(cfg);
        Files.createFile(cfg, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        n.config().write(cfg);
      }
      for (LinuxPlan l : plan.linux()) {
        l.write(plan.stateDir().resolve(l.node() + ".linux.json"));
      }
    } catch (IOException e) {
      lab.abandon();
      throw new LabException("cannot write the lab's files: " + e.getMessage(), e);
    }
    try {
      LinuxNamespaces.preflight(plan.linux());
    } catch (LinuxException e) {
      lab.abandon();
      throw new LabException(e.getMessage(), e);
    }
    try {
      // Namespaces first: the emu ends of their links bind the underlay addresses made here.
      for (LinuxPlan l : plan.linux()) {
        LinuxNamespaces.create(l);
        progress.accept("linux node " + l.node() + " ready (network namespace " + l.netns() + ")");
      }
      LabPreflight.hosts(plan);
      List<String> names = plan.nodes().stream().map(PlannedNode::name).toList();
      // nodes on other machines all at once (their cost is not this machine's), then this
      // machine's, a bounded number at a time (see startConcurrency), in launchOrder
      java.util.ArrayDeque<String> local = new java.util.ArrayDeque<>();
      boolean remote = false;
      for (PlannedNode n : plan.nodes()) {
        if (n.host() != null) {
          lab.launch(n.name(), true);
          remote = true;
        }
      }
      plan.nodes().stream().filter(n -> n.host() == null)
          .sorted(java.util.Comparator.comparingInt(StartPolicy::launchOrder))
          .forEach(n -> local.add(n.name()));
      lab.plannedGroups = StartPolicy.groupsOf(List.copyOf(local), perJvm);
      if (remote) {
        synchronized (lab) { // so that `emu down` from elsewhere finds the remote nodes while they start
          if (lab.stopping) {
            throw new LabException("the lab is stopping");
          }
          lab.state.write();
        }
      }
      lab.awaitReady(names, local, inFlight, progress);
      lab.followMovedLinks(plan.nodes().stream().map(PlannedNode::name).toList());
      synchronized (lab) {
        if (lab.stopping) {
          throw new LabException("the lab is stopping");
        }
        lab.state.write(); // with the ports the nodes reported
      }
      // The kernel's IPv6 only now that the emu ends listen: its address checks and router
      // solicitations reach them (see LinuxNamespaces.startIpv6).
      List<LinuxPlan> v6 = plan.linux().stream().filter(LinuxPlan::hasIpv6).toList();
      if (!v6.isEmpty()) {
        if (LinuxNamespaces.startIpv6(v6, progress)) {
          progress.accept("IPv6 up in linux node" + (v6.size() > 1 ? "s " : " ")
              + String.join(", ", v6.stream().map(LinuxPlan::node).toList()));
        }
      }
      if (detached) {
        lab.releaseExitHook(); // up: the lab outlives this process, until `emu down`
      }
      return lab;
    } catch (LinuxException e) {
      lab.stop();
      throw new LabException(e.getMessage(), e);
    } catch (IOException | LabException e) {
      lab.stop();
      if (e instanceof LabException le) {
        throw le;
      }
      throw new LabException("cannot start the lab's nodes: " + e.getMessage(), e);
    }
  }

  /** True for a linux node: a network namespace, not an emu process. */
  public boolean isLinux(String node) {
    LabState.NodeState n = state.node(node);
    return n != null && "linux".equals(n.kind());
  }

  /** The namespace of a linux node. */
  public String netns(String node) {
    return LinuxNamespaces.netnsName(state.name(), node);
  }

  /** What a linux node was made from (its state file), or null if that cannot be read. */
  public LinuxPlan linuxPlan(String node) {
    LabState.NodeState n = state.node(node);
    try {
      return n == null ? null : LinuxPlan.read(Path.of(n.config()));
    } catch (IOException e) {
      return null;
    }
  }

  /** True if the node runs: its process, or for a linux node its namespace. */
  public boolean running(String node) {
    return isLinux(node) ? LinuxNamespaces.exists(netns(node)) : process(node).isPresent();
  }

  /**
   * Runs a command on a node, passing each output line on, and returns its exit status: through
   * the node's management API, or for a linux node as a real program in its namespace.
   */
  public int exec(String node, List<String> argv, Consumer<String> out) throws IOException {
    if (isLinux(node)) {
      return LinuxNamespaces.exec(netns(node), argv, out);
    }
    return client(node).exec(argv, out);
  }

  /**
   * Starts (or starts again) one node's process with its configuration.
   *
   * @param fresh its first start in this lab
   */
  private synchronized void launch(String node, boolean fresh) throws IOException, LabException {
    // synchronized with stop(): a node started while the exit hook stops the lab would be missed
    if (stopping) { // Ctrl-C while the nodes start: start no more
      throw new LabException("the lab is stopping");
    }
    LabState.NodeState n = state.node(node);
    if (groups.remove(node) != null) {
      // started again (restart, a moved link): in a JVM of its own, writing to its own log again
      endedInGroup.remove(node);
      n = n.withLog(Path.of(state.outDir(), node + ".log").toString());
    }
    // Where the node's READY line will be: only what this launch writes counts, not an earlier
    // run's line (whose port may be anyone's by now).
    Path log = Path.of(n.log());
    if (n.remote() != null) {
      logComplete(node); // the previous session's copy into the log must not interleave with this one's
    }
    readyFrom.put(node, Files.exists(log) ? Files.size(log) : 0L);
    ready.remove(node);
    n = n.withMgmtPort(NodeConfig.readAsWritten(Path.of(n.config())).management().port());
    state = state.with(n);
    if (n.remote() != null) {
      launchRemote(n, fresh);
      return;
    }
    // which JVM runs the node (EMU_JAVA, JAVA_HOME or the newest JDK found): the log's first word on it
    Files.writeString(log, "emu: node JVM " + NodeJava.chosen().describe() + "\n", StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    ProcessBuilder pb = new ProcessBuilder(NodeProcesses.command(Path.of(n.config()), detached))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of(n.log()).toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p = pb.start();
    processes.put(node, p);
    state = state.withPid(node, p.pid());
    p.onExit().thenAccept(done -> {
      Consumer<String> cb = onDeath;
      if (!stopping && !expectedExits.remove(node + ":" + done.pid()) && cb != null) {
        cb.accept("node " + node + " (pid " + done.pid() + ") died unexpectedly with status " + done.exitValue()
            + "; its log (" + log + ") ends with:\n" + NodeProcesses.tail(log, 10));
      }
    });
  }

  /**
   * Starts the (local) nodes of {@code members} in one JVM ({@link NodeJvmGroup}), writing to one
   * log, OUT/jvm.FIRST.log (node names have no dot: no node's own log is called that); each still
   * prints its own READY line and answers on its own port. The JVM exits when its standard input,
   * held here, closes: the process that starts a group must live as long as the lab (the lab's
   * control process does; nothing else starts groups).
   */
  private synchronized void launchGroup(List<String> members) throws IOException, LabException {
    if (stopping) {
      throw new LabException("the lab is stopping");
    }
    Path log = Path.of(state.outDir(), "jvm." + members.get(0) + ".log");
    long from = Files.exists(log) ? Files.size(log) : 0L;
    List<Path> configs = new ArrayList<>();
    for (String node : members) {
      LabState.NodeState n = state.node(node);
      readyFrom.put(node, from);
      ready.remove(node);
      state = state.with(n.withLog(log.toString())
          .withMgmtPort(NodeConfig.readAsWritten(Path.of(n.config())).management().port()));
      configs.add(Path.of(n.config()));
    }
    Files.writeString(log, "emu: nodes " + String.join(", ", members) + " in one JVM " + NodeJava.chosen().describe()
        + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    Process p = new ProcessBuilder(NodeProcesses.command(configs, detached))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.PIPE) // its commands (NodeJvmGroup); it exits when this closes
        .start();
    NodeJvmGroup g = new NodeJvmGroup(p, List.copyOf(members), log);
    for (String node : members) {
      processes.put(node, p);
      groups.put(node, g);
      state = state.withPid(node, p.pid());
    }
    p.onExit().thenAccept(done -> {
      Consumer<String> cb = onDeath;
      // its nodes still running in it: a node killed in it, or started again elsewhere, is not lost
      List<String> lost = members.stream().filter(m -> groups.get(m) == g && !endedInGroup.contains(m)).toList();
      if (!stopping && cb != null && !lost.isEmpty()) {
        cb.accept("node" + (lost.size() > 1 ? "s " : " ") + String.join(", ", lost) + " (one JVM, pid " + done.pid()
            + ") died unexpectedly with status " + done.exitValue() + "; its log (" + log + ") ends with:\n"
            + NodeProcesses.tail(log, 10));
      }
    });
  }

  private void launchRemote(LabState.NodeState n, boolean fresh) throws IOException, LabException {
    String node = n.name();
    RemoteNodes.Started started;
    try {
      started = RemoteNodes.launch(n, Files.readAllBytes(Path.of(n.config())), state.name(), Path.of(state.outDir()),
          fresh);
    } catch (NodeStartException e) {
      throw new LabException(e.getMessage(), e);
    }
    Process p = started.session();
    processes.put(node, p);
    outputs.put(node, started.output());
    Process old = followers.put(node, started.events());
    if (old != null) {
      old.destroy();
    }
    LabState.NodeState now = new LabState.NodeState(n.name(), n.kind(), p.pid(), n.mgmt(), n.log(), n.config(),
        n.remote(), n.key()).withRemotePid(started.pid());
    state = state.with(now);
    p.onExit().thenAccept(done -> {
      Consumer<String> cb = onDeath;
      if (stopping || expectedExits.remove(node + ":" + done.pid()) || cb == null) {
        return;
      }
      LabState.Remote r = now.remote();
      logComplete(node);
      if (done.exitValue() == Ssh.SSH_FAILED && !stopping && !RemoteNodes.reachable(r.host())) {
        cb.accept("host " + r.host().label() + " unreachable: lost the ssh session of node " + node + " (pid "
            + r.pid() + " there); its log (" + n.log() + ") ends with:\n" + NodeProcesses.tail(Path.of(n.log()), 5));
      } else if (!stopping) {
        cb.accept("node " + node + " on host " + r.host().label() + " (pid " + r.pid() + " there) died unexpectedly"
            + (done.exitValue() == Ssh.SSH_FAILED ? "" : " with status " + done.exitValue()) + "; its log ("
            + n.log() + ") ends with:\n" + NodeProcesses.tail(Path.of(n.log()), 10));
      }
    });
  }

  /** Waits (2 s at most) until a remote node's ended session has all been copied into its log. */
  private void logComplete(String node) {
    Thread t = outputs.get(node);
    if (t != null) {
      try {
        t.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** "node r1" or "node r1 on host m2 (10.77.0.12)", for messages. */
  String describe(String node) {
    LabState.NodeState n = state.node(node);
    return "node " + node + (n != null && n.remote() != null ? " on host " + n.remote().host().label() : "");
  }

  private void awaitReady(List<String> names, Consumer<String> progress) throws LabException {
    try {
      awaitReady(names, new java.util.ArrayDeque<>(), 1, progress);
    } catch (IOException e) {
      throw new LabException(e.getMessage(), e); // not reached: there is nothing to launch
    }
  }

  /**
   * Launches the nodes of {@code later} as the others become ready, at most {@code inFlight}
   * starting at once, and waits until every node of {@code names} is ready. Each node has
   * START_TIMEOUT_MS from its launch; a node that dies or cannot be used fails the start at once.
   */
  private void awaitReady(List<String> names, java.util.Deque<String> later, int inFlight,
                          Consumer<String> progress) throws IOException, LabException {
    Map<String, Long> deadlines = new java.util.HashMap<>();
    long now = System.currentTimeMillis();
    List<String> waiting = new ArrayList<>();
    for (String name : names) {
      if (!later.contains(name)) {
        waiting.add(name);
        deadlines.put(name, now + START_TIMEOUT_MS);
      }
    }
    int total = names.size();
    int done = 0;
    while (!waiting.isEmpty() || !later.isEmpty()) {
      // JVMs starting on this machine: a node's own, or one a few nodes share (nodesPerJvm)
      int starting = (int) waiting.stream().filter(name -> state.node(name).remote() == null).map(processes::get)
          .distinct().count();
      boolean launched = false;
      while (starting < inFlight && !later.isEmpty()) {
        List<String> members = plannedGroups.getOrDefault(later.peek(), List.of(later.peek()));
        later.removeAll(members);
        if (members.size() == 1) {
          launch(members.get(0), true);
        } else {
          launchGroup(members);
        }
        for (String name : members) {
          waiting.add(name);
          // a JVM brings its nodes up one after the other: a second more for each before it
          deadlines.put(name, System.currentTimeMillis() + START_TIMEOUT_MS + 1_000L * members.indexOf(name));
        }
        starting++;
        launched = true;
      }
      if (launched) {
        // with stop(): a lab that Ctrl-C stopped meanwhile must not have its record written again;
        // written at every launch so that `emu down` from elsewhere finds every process started
        synchronized (this) {
          if (stopping) {
            throw new LabException("the lab is stopping");
          }
          state.write();
        }
      }
      for (var it = waiting.iterator(); it.hasNext(); ) {
        String name = it.next();
        Process p = processes.get(name);
        if (!p.isAlive()) {
          LabState.NodeState n = state.node(name);
          logComplete(name);
          throw new LabException(describe(name) + " exited during start-up with status " + p.exitValue()
              + "; its log (" + n.log() + ") ends with:\n" + NodeProcesses.tail(Path.of(n.log()), 15));
        }
        if (!readyLine(name)) {
          continue;
        }
        String why = client(name).unhealthyBecause();
        if (why != null && !why.isEmpty()) {
          // it answers, but not as the control plane needs: waiting would only hide why
          throw new LabException(describe(name) + " started, but the control plane cannot use it: " + why);
        }
        if (why == null) {
          it.remove();
          done++;
          LabState.Remote r = state.node(name).remote();
          String pid = r == null ? Long.toString(p.pid()) : r.pid() + " on host " + r.host().label();
          progress.accept("node " + name + " ready (pid " + pid + ", " + done + "/" + total + ")");
        }
      }
      long t = System.currentTimeMillis();
      List<String> late = waiting.stream().filter(name -> t > deadlines.get(name)).toList();
      if (!late.isEmpty()) {
        throw new LabException("nodes not ready " + START_TIMEOUT_MS / 1000 + " s after their start: " + late);
      }
      if (!waiting.isEmpty() && waiting.size() >= inFlight || later.isEmpty()) {
        try {
          Thread.sleep(40);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new LabException("interrupted while starting nodes");
        }
      }
    }
  }

  /**
   * True once the node has printed its READY line since its launch; takes the management port
   * from it into the state. The control plane learns the port from the node itself instead of
   * planning one for it: a planned port is free for anyone until the node binds it, and again
   * once the node dies.
   */
  private boolean readyLine(String node) throws LabException {
    if (ready.containsKey(node)) {
      return true;
    }
    LabState.NodeState n = state.node(node);
    String line = ReadyLine.find(Path.of(n.log()), readyFrom.getOrDefault(node, 0L), node);
    if (line == null) {
      return false;
    }
    ReadyLine r;
    try {
      r = ReadyLine.parse(line);
    } catch (IllegalArgumentException e) {
      throw new LabException(describe(node) + " printed a READY line emu cannot read (" + line + "): is its emu the "
          + "same version as the control plane's?", e);
    }
    ready.put(node, r);
    state = state.with(state.node(node).withMgmtPort(r.mgmtPort()));
    return true;
  }

  /** See {@link MovedLinks#follow}: the links of {@code started} whose port was taken and moved. */
  private void followMovedLinks(List<String> started) throws LabException {
    Map<String, ReadyLine> lines = new java.util.LinkedHashMap<>();
    for (String name : started) {
      ReadyLine r = ready.get(name);
      if (r != null) {
        lines.put(name, r);
      }
    }
    new MovedLinks(this).follow(lines);
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
    return new Lab(s, true);
  }

  /** Calls {@code onDeath} (with a message naming the node) when a node dies unexpectedly. */
  public void watch(Consumer<String> onDeath) {
    this.onDeath = onDeath;
  }

  public NodeClient client(String node) {
    LabState.NodeState n = state.node(node);
    if (n == null) {
      throw new IllegalArgumentException("lab " + state.name() + " has no node named " + node + " (it has: "
          + String.join(", ", state.nodes().stream().map(LabState.NodeState::name).toList()) + ")");
    }
    return client(n);
  }

  /**
   * A node on another machine speaks TLS, with the certificates the planner issued into the
   * state folder (LabPlanner.remoteManagementNames); a node on this one plain HTTP on loopback.
   * Either way every request is signed with the node's own key (MgmtAuth).
   */
  private NodeClient client(LabState.NodeState n) {
    if (n.key() == null) {
      throw new IllegalArgumentException("node " + n.name() + " has no key in the lab's state (a lab started by an "
          + "older emu, or a linux node): ./emu down " + state.name() + " and start it again");
    }
    return new NodeClient(n.name(), n.mgmt(), n.key(), n.remote() == null ? null : tls());
  }

  /**
   * Not synchronized on the lab: stop() holds that lock while its threads stop remote nodes
   * through their clients, which need this.
   */
  private ControlTls tls() {
    synchronized (tlsLock) {
      if (tls == null) {
        try {
          tls = ControlTls.load(LabSecrets.pki(Path.of(state.stateDir())));
        } catch (IOException e) {
          throw new IllegalStateException("lab " + state.name() + ": " + e.getMessage(), e);
        }
      }
      return tls;
    }
  }

  /**
   * True if the node is known to be paused: its own process stopped (SIGSTOP, state T), or paused
   * inside its group by this Lab. (A node paused inside a shared JVM by another emu command is not
   * recorded anywhere this can see.)
   */
  public boolean paused(String node) {
    LabState.NodeState n = state.node(node);
    if (n == null || n.remote() != null) {
      return false;
    }
    return pausedInGroup.contains(node) || process(node).map(h -> LabStats.stopped(h.pid())).orElse(false);
  }

  /** The live process of a node, if it is still running (none for a node ended inside its group's JVM). */
  public Optional<ProcessHandle> process(String node) {
    LabState.NodeState n = state.node(node);
    if (n == null || endedInGroup.contains(node)) {
      return Optional.empty();
    }
    Process p = processes.get(node);
    if (p != null) {
      return p.isAlive() ? Optional.of(p.toHandle()) : Optional.empty();
    }
    return NodeProcesses.find(n.pid(), n.remote() == null ? n.config() : RemoteNodes.marker(n.remote()));
  }

  /**
   * Kills a node abruptly (SIGKILL), as a crash would; a node sharing its JVM with others ends
   * inside it, its sockets closed at once and nothing said (NodeJvmGroup).
   */
  public void kill(String node) throws LabException {
    ProcessHandle h = process(node).orElseThrow(() -> new LabException(describe(node) + " is not running"));
    NodeJvmGroup g = groups.get(node);
    if (g != null) {
      endedInGroup.add(node); // before: its JVM exits with its last node, and must not report it lost
      pausedInGroup.remove(node);
      try {
        g.command("kill", node);
      } catch (IOException e) {
        if (g.process().isAlive()) { // not answering: it may still run, so it is not marked ended
          endedInGroup.remove(node);
          throw new LabException("cannot kill " + describe(node) + ": " + e.getMessage(), e);
        }
        // its JVM is gone, and the node with it
      }
      // no pid: `emu exec` or `status` from another process (Lab.attach) must not take the JVM, still
      // running its other nodes, for this node's
      state = state.withPid(node, 0);
      try {
        writeUnlessStopping();
      } catch (IOException e) {
        throw new LabException("cannot record that " + describe(node) + " was killed: " + e.getMessage(), e);
      }
      return;
    }
    expectedExits.add(node + ":" + h.pid());
    LabState.NodeState n = state.node(node);
    if (n.remote() != null) {
      // The node dies on its host; its ssh session ends with it.
      Ssh.Result r = RemoteNodes.signal(n, "KILL");
      if (!await(h, 10_000)) {
        h.destroyForcibly(); // the host does not answer: drop the session, the node exits when it sees that
        await(h, 3_000);
      }
      if (!r.ok() && r.exit() == Ssh.SSH_FAILED) {
        throw new LabException("cannot kill " + describe(node) + ": " + Ssh.explain(n.remote().host(), r.output()));
      }
      return;
    }
    h.destroyForcibly();
    await(h, 5_000);
  }

  /**
   * Starts a node again with the same configuration (same link ports and MACs), killing it first
   * if it still runs, and waits until it is ready. Its management API gets a new port (the kernel's
   * choice, unless the topology pins one), recorded in the state for later commands.
   */
  public void restart(String node) throws LabException {
    Optional<ProcessHandle> h = process(node);
    if (h.isPresent()) {
      signal(node, "CONT"); // a paused process cannot die until it is thawed
      kill(node);
    }
    try {
      launch(node, false);
      writeUnlessStopping();
    } catch (IOException e) {
      throw new LabException("cannot restart node " + node + ": " + e.getMessage(), e);
    }
    awaitReady(List.of(node), line -> { });
    followMovedLinks(List.of(node));
    try {
      writeUnlessStopping(); // with its new port: `emu status`, `emu exec` read it from there
    } catch (IOException e) {
      throw new LabException("cannot record node " + node + "'s new port: " + e.getMessage(), e);
    }
  }

  /**
   * Writes the state record, unless the lab is being stopped: stop() removes the record, and a
   * restart that waited for its node meanwhile must not bring it back (synchronized with stop()).
   */
  private synchronized void writeUnlessStopping() throws IOException, LabException {
    if (stopping) {
      throw new LabException("the lab is stopping");
    }
    state.write();
  }

  /**
   * Sends a signal (STOP freezes a node, CONT thaws it). A node sharing its JVM with others is
   * frozen and thawed inside it (its event loop blocked, NodeJvmGroup); other signals it cannot get.
   */
  public void signal(String node, String signal) throws LabException {
    ProcessHandle h = process(node).orElseThrow(() -> new LabException(describe(node) + " is not running"));
    NodeJvmGroup g = groups.get(node);
    if (g != null) {
      String verb = switch (signal) {
        case "STOP" -> "pause";
        case "CONT" -> "resume";
        default -> throw new LabException(describe(node) + " shares its JVM with other nodes (EMU_NODES_PER_JVM): it "
            + "can be paused, resumed and killed, not sent SIG" + signal);
      };
      try {
        if (!g.command(verb, node)) {
          throw new LabException(describe(node) + " is not running");
        }
      } catch (IOException e) {
        throw new LabException("cannot " + verb + " " + describe(node) + ": " + e.getMessage(), e);
      }
      if (verb.equals("pause")) {
        pausedInGroup.add(node);
      } else {
        pausedInGroup.remove(node);
      }
      return;
    }
    LabState.NodeState n = state.node(node);
    if (n.remote() != null) {
      Ssh.Result r = RemoteNodes.signal(n, signal);
      if (!r.ok()) {
        throw new LabException("kill -" + signal + " " + n.remote().pid() + " failed for " + describe(node) + ": "
            + (r.exit() == Ssh.SSH_FAILED ? Ssh.explain(n.remote().host(), r.output()) : r.output()));
      }
      return;
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(h.pid())).redirectErrorStream(true).start();
      if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new LabException("kill -" + signal + " " + h.pid() + " failed for node " + node);
      }
    } catch (IOException e) {
      throw new LabException("cannot signal node " + node + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted");
    }
  }

  public LabState state() {
    return state;
  }

  /** Records the process controlling the lab and its API address in the lab's state. */
  public void controller(LabState.Controller controller) throws IOException {
    state = state.withController(controller);
    state.write();
  }

  /**
   * Stops every node: a shutdown request (captures flushed), then SIGTERM, then SIGKILL for
   * whatever still runs; removes the lab's state folder. Returns the nodes that had already
   * died.
   */
  public synchronized List<String> stop() {
    stopping = true;
    List<String> dead = new ArrayList<>();
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    Map<Long, List<LabState.NodeState>> byProcess = new java.util.LinkedHashMap<>();
    Map<Long, ProcessHandle> handles = new java.util.HashMap<>();
    for (LabState.NodeState n : state.nodes()) {
      if ("linux".equals(n.kind())) {
        try {
          LinuxPlan l = LinuxPlan.read(Path.of(n.config()));
          LinuxNamespaces.delete(l.netns(), l.hostVeth());
        } catch (IOException e) {
          LinuxNamespaces.delete(netns(n.name()), null);
        }
        continue;
      }
      Optional<ProcessHandle> p = process(n.name());
      if (p.isEmpty()) {
        dead.add(n.name());
        if (n.remote() != null && n.remote().pid() != 0) {
          waits.add(CompletableFuture.runAsync(() -> collect(n))); // what it wrote before it died
        }
        continue;
      }
      ProcessHandle h = p.get();
      if (n.remote() == null) {
        byProcess.computeIfAbsent(h.pid(), k -> new ArrayList<>()).add(n);
        handles.put(h.pid(), h);
        continue;
      }
      waits.add(CompletableFuture.runAsync(() -> {
        stopOne(n, h);
        collect(n);
      }));
    }
    // this machine's JVMs, one task each: a JVM hosting several nodes exits when all have stopped
    byProcess.forEach((pid, ns) -> waits.add(CompletableFuture.runAsync(() -> stopOne(ns, handles.get(pid)))));
    waits.forEach(CompletableFuture::join);
    deleteState();
    releaseExitHook();
    return dead;
  }

  /**
   * What to do when this JVM exits (Ctrl-C) before the lab's nodes are stopped: a controller
   * stops its fault plan and its API first, so that nothing restarts a node being stopped.
   */
  public void beforeExitStop(Runnable action) {
    beforeExitStop = action;
  }

  private void stopAtExit() {
    try {
      beforeExitStop.run();
    } finally {
      stop();
    }
  }

  /** A start that failed before anything ran: its files go, nothing else to stop. */
  private synchronized void abandon() {
    stopping = true;
    deleteState();
    releaseExitHook();
  }

  private synchronized void releaseExitHook() {
    if (exitHook == null || Thread.currentThread() == exitHook) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(exitHook);
    } catch (IllegalStateException e) {
      // the JVM is exiting: the hook runs (or ran) and stops the lab anyway
    }
    exitHook = null;
  }

  /** Copies a remote node's captures and events into the run folder and clears its folder on the host. */
  private void collect(LabState.NodeState n) {
    Process f = followers.remove(n.name());
    if (f != null) {
      f.destroy(); // tail ends by itself when the node does; don't wait for its next poll
    }
    String problem = RemoteNodes.collect(n, Path.of(state.outDir()));
    if (problem != null) {
      System.err.println("emu: " + problem);
    }
  }

  private void stopRemote(LabState.NodeState n, ProcessHandle h) {
    RemoteNodes.signal(n, "CONT"); // a paused node would not answer, nor die of SIGTERM
    askToShutDown(n);
    if (await(h, 5_000)) {
      return;
    }
    RemoteNodes.signal(n, "TERM");
    if (await(h, 3_000)) {
      return;
    }
    RemoteNodes.signal(n, "KILL");
    if (!await(h, 3_000)) {
      // The host does not answer: ending the session ends the node when the host sees it.
      h.destroyForcibly();
      await(h, 2_000);
    }
  }

  private void stopOne(LabState.NodeState n, ProcessHandle h) {
    if (n.remote() != null) {
      stopRemote(n, h);
      return;
    }
    stopOne(List.of(n), h);
  }

  /** Stops the nodes {@code ns} of one process on this machine (one node, or those a JVM hosts). */
  private void stopOne(List<LabState.NodeState> ns, ProcessHandle h) {
    try {
      // A paused node would not answer, nor die of SIGTERM: thaw it first.
      new ProcessBuilder("kill", "-CONT", Long.toString(h.pid())).start().waitFor(2, TimeUnit.SECONDS);
    } catch (IOException e) {
      // kill(1) missing: signals below still work
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (LabState.NodeState n : ns) {
      NodeJvmGroup g = groups.get(n.name());
      if (g != null && pausedInGroup.remove(n.name())) {
        try {
          g.command("resume", n.name()); // a blocked loop would not answer
        } catch (IOException e) {
          // SIGTERM below stops it anyway
        }
      }
    }
    // a JVM's nodes asked all at once: one after the other, a lab in one JVM waited a round trip each
    emu.control.process.FanOut.map(ns, n -> {
      askToShutDown(n);
      return n;
    });
    // the lab's stop asks every node a JVM still runs: its command pipe has nothing left to carry
    NodeJvmGroup g = groups.get(ns.get(0).name());
    if (g != null && g.process().pid() == h.pid()) {
      g.endCommands();
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

  /** POST /shutdown, if the node has said where it listens (else signals alone stop it). */
  private void askToShutDown(LabState.NodeState n) {
    LabState.NodeState now = state.node(n.name());
    if (now == null || !now.mgmtKnown() || now.key() == null) {
      return;
    }
    try {
      client(now).shutdown();
    } catch (IOException | IllegalStateException e) {
      // Not answering, or the lab's certificates gone from its state folder: fall through to signals.
    }
  }

  private static boolean await(ProcessHandle h, long millis) {
    return NodeProcesses.awaitExit(h, millis);
  }

  private void deleteState() {
    Path dir = Path.of(state.stateDir());
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | java.io.UncheckedIOException e) {
      // Already gone.
    }
  }
}
