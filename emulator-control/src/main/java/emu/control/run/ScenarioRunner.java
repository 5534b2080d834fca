package emu.control.run;

import emu.control.controller.ControlApi;
import emu.control.controller.LabController;
import emu.control.lab.Lab;
import emu.control.lab.LabException;
import emu.control.lab.LabLauncher;
import emu.control.narrative.BridgeNames;
import emu.control.narrative.EventLog;
import emu.control.narrative.Narrative;
import emu.node.event.Stamped;
import emu.control.report.LabSnapshot;
import emu.control.report.RunReport;
import emu.control.state.LabState;
import emu.control.topology.ScenarioStep;
import emu.control.topology.Topology;
import emu.node.shell.Shell;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@code ./emu run}: start a lab, run its scenario step by step, print each step's output and
 * the merged narrative of what every node did, stop every node, and say where the captures
 * and logs are. Exit status 0 only if every step succeeded.
 */
public final class ScenarioRunner {
  /** Exit statuses of {@code run}. */
  public static final int OK = 0;
  public static final int STEP_FAILED = 1;
  public static final int LAB_FAILED = 3;

  /**
   * Lets in-flight frames land before a step's events are read: reading goes on until no new
   * event came for this long. A step's last frames (a connection's close) land within a few
   * milliseconds of its end on loopback; the fixed 150 ms wait this replaced took that much from
   * every step and from the start.
   */
  private static final long QUIET_MS = 60;
  /** The most a settle waits on a lab whose nodes never fall quiet (traffic that goes on between steps). */
  private static final long SETTLE_MAX_MS = 300;
  /**
   * The most a run waits for IPv6 to come up: a random delay before duplicate address detection
   * (up to 1 s), the detection (1 s), a router's answer to a solicitation (up to 0.5 s), then the
   * detection of the address made from its prefix (1 s), with room to spare on a busy machine.
   */
  private static final long IPV6_START_MS = 6_000;
  /** Two DISCOVERs (the first may leave before the server's node is up), the exchange and the probe. */
  private static final long DHCP_START_MS = 15_000;
  /** How often the waits read the nodes' events: what it adds to a run is half of this, on average. */
  private static final long POLL_MS = 20;
  /** With nodes on other machines: how long no new event must come before a step's events are complete. */
  private static final long REMOTE_QUIET_MS = 1_000;

  private ScenarioRunner() {}

  /**
   * Runs the lab; returns {@link #OK}, {@link #STEP_FAILED} or {@link #LAB_FAILED}.
   *
   * @param showStatus prints the lab's state once every node is up, before the first step (the
   *     command line's status table)
   */
  public static int run(Topology topo, Path outDir, long seed, boolean seeded, boolean capture, PrintWriter out,
                        PrintWriter err, Consumer<Lab> showStatus) {
    out.println("emu: lab " + topo.name() + " from " + topo.file() + " (" + topo.nodes().size() + " nodes, "
        + topo.links().size() + " links, " + topo.scenario().size() + " steps)");
    out.println("output: " + outDir.toAbsolutePath());
    Lab lab;
    try {
      lab = LabLauncher.launch(topo, outDir, seed, seeded, capture, true, false, out);
    } catch (LabException e) {
      err.println("emu: " + e.getMessage());
      err.flush();
      return LAB_FAILED;
    }
    LabController controller;
    ControlApi api;
    try {
      controller = new LabController(topo, lab, outDir);
      api = new ControlApi(controller, lab.state().token(), () -> { });
      var at = api.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
      lab.controller(new LabState.Controller(ProcessHandle.current().pid(),
          at.getAddress().getHostAddress() + ":" + at.getPort()));
    } catch (IOException e) {
      err.println("emu: " + e.getMessage());
      lab.stop();
      return LAB_FAILED;
    }
    // Ctrl-C: the lab stops itself at exit (Lab.start's hook); the fault plan and the API first
    lab.beforeExitStop(() -> {
      controller.close();
      api.close();
    });
    AtomicReference<String> death = new AtomicReference<>();
    lab.watch(msg -> {
      death.compareAndSet(null, msg);
      err.println("emu: " + msg);
      err.flush();
    });
    int failed = 0;
    boolean remote = lab.state().nodes().stream().anyMatch(n -> n.remote() != null);
    List<String> nodeNames = new ArrayList<>(lab.state().nodes().stream().map(LabState.NodeState::name).toList());
    nodeNames.add(LabController.NODE);
    java.util.Map<String, String> hostOf = new java.util.HashMap<>();
    lab.state().nodes().stream().filter(n -> n.remote() != null)
        .forEach(n -> hostOf.put(n.name(), n.remote().host().name()));
    EventLog events = new EventLog(outDir, nodeNames, hostOf).naming(BridgeNames.read(lab.state().nodes().stream()
        .filter(n -> n.config() != null).map(n -> Path.of(n.config())).toList()));
    List<RunReport.Step> steps = new ArrayList<>();
    try (Narrative story = new Narrative(out, outDir, nodeNames)) {
      out.println();
      showStatus.accept(lab);
      var startEvents = settle(events, remote);
      Ipv6Start ipv6 = new Ipv6Start(topo);
      if (!ipv6.none()) {
        startEvents = awaitStart(ipv6, events, startEvents, IPV6_START_MS);
      }
      DhcpStart dhcp = new DhcpStart(topo);
      if (!dhcp.none()) {
        startEvents = awaitStart(dhcp, events, startEvents, DHCP_START_MS);
      }
      story.heading(Narrative.labStartHeading(!ipv6.none()));
      if (!ipv6.none() && !ipv6.up()) {
        story.note("IPv6 is not up after " + IPV6_START_MS / 1000 + " s on " + ipv6.missing()
            + "; the scenario runs anyway");
      }
      if (!dhcp.none() && !dhcp.up()) {
        story.note("no DHCP lease after " + DHCP_START_MS / 1000 + " s on " + dhcp.missing()
            + "; the scenario runs anyway");
      }
      story.events(startEvents, startEvents.isEmpty() ? 0 : startEvents.get(0).ts());
      controller.startFaultPlan();
      int i = 0;
      for (ScenarioStep step : topo.scenario()) {
        i++;
        story.heading("step " + i + "/" + topo.scenario().size() + "  " + step.node() + ": " + step.command());
        long t0 = nowEpochNanos();
        int exit;
        try {
          exit = lab.exec(step.node(), Shell.split(step.command()), line -> story.note("│ " + line));
        } catch (IOException | IllegalArgumentException e) {
          story.note("emu: " + e.getMessage());
          exit = -1;
        }
        List<Stamped> stepEvents = settle(events, remote);
        if (!stepEvents.isEmpty()) {
          story.note("what happened on the wire:");
          story.events(stepEvents, t0);
        }
        if (exit == 0) {
          story.note("✔ step " + i + " succeeded");
        } else {
          failed++;
          story.note("✘ step " + i + " failed (exit status " + exit + ")");
        }
        steps.add(new RunReport.Step(i, step.node(), step.command(), exit, t0));
      }
      out.println();
    } catch (IOException e) {
      err.println("emu: cannot write the narrative: " + e.getMessage());
      failed++;
    }
    // the nodes' state for the report, taken before they stop
    List<com.fasterxml.jackson.databind.JsonNode> snapshot = LabSnapshot.take(lab.state(), controller::nodeJson);
    controller.close();
    api.close();
    // The report is made of what the run recorded up to its last step (every event until then was
    // read above, the narrative is closed, the counters are in the snapshot): written while the nodes stop.
    CompletableFuture<RunReport.Written> report = RunReport.writeWhile(outDir, topo, nodeNames, steps, snapshot,
        "./emu run");
    List<String> dead = new ArrayList<>(lab.stop());
    dead.removeAll(controller.killed()); // killed on purpose by the fault plan
    report(outDir, topo, failed, dead, out);
    RunReport.Written written = report.join();
    (written.error() == null ? out : err).println(written.line());
    out.flush();
    if (death.get() != null || !dead.isEmpty()) {
      return LAB_FAILED;
    }
    return failed == 0 ? OK : STEP_FAILED;
  }

  /**
   * Waits up to {@code timeoutMs} for {@code wait}, and returns every event until then. A wait
   * that is over before it begins (the DHCP lease, taken while IPv6 addresses were checked)
   * returns at once: the events of what it waited for were read long before.
   */
  private static List<Stamped> awaitStart(StartWait wait, EventLog events, List<Stamped> got, long timeoutMs) {
    List<Stamped> all = new ArrayList<>(got);
    long deadline = System.currentTimeMillis() + timeoutMs;
    wait.seen(got);
    if (!wait.up()) {
      while (!wait.up() && System.currentTimeMillis() < deadline) {
        sleep(POLL_MS);
        List<Stamped> more = events.poll();
        all.addAll(more);
        wait.seen(more);
      }
      all.addAll(settle(events, false)); // what the last address's own announcements made happen
    }
    all.sort(EventLog.ORDER);
    return all;
  }

  /**
   * The events so far, read until no new one came for {@link #QUIET_MS} (at most
   * {@link #SETTLE_MAX_MS}). Events of nodes on other machines come over ssh ({@code tail -F})
   * and may lag: with such nodes, until nothing new came for {@link #REMOTE_QUIET_MS} (at most
   * 5 s), so that a step's story is complete.
   */
  private static List<Stamped> settle(EventLog events, boolean remote) {
    long quiet = remote ? REMOTE_QUIET_MS : QUIET_MS;
    long start = System.currentTimeMillis();
    long deadline = start + (remote ? 5_000 : SETTLE_MAX_MS);
    long quietUntil = start + quiet;
    List<Stamped> got = new ArrayList<>(events.poll());
    while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
      sleep(remote ? 100 : POLL_MS);
      List<Stamped> more = events.poll();
      if (!more.isEmpty()) {
        got.addAll(more);
        quietUntil = System.currentTimeMillis() + quiet;
      }
    }
    got.sort(EventLog.ORDER);
    return got;
  }

  private static void report(Path outDir, Topology topo, int failed, List<String> dead, PrintWriter out) {
    List<String> pcaps = new ArrayList<>();
    try (var s = Files.list(outDir)) {
      s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".pcap")).sorted().forEach(pcaps::add);
    } catch (IOException e) {
      // reported as none
    }
    int steps = topo.scenario().size();
    out.println("result: " + (steps - failed) + "/" + steps + " steps succeeded"
        + (dead.isEmpty() ? "" : "; nodes that died: " + String.join(", ", dead)));
    out.println("captures (" + pcaps.size() + "): " + outDir + "/{" + String.join(",", pcaps) + "}");
    out.println("narrative: " + outDir.resolve("narrative.txt") + "   events: " + outDir.resolve("events.jsonl")
        + "   node logs: " + outDir + "/*.log");
    out.flush();
  }

  static long nowEpochNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
