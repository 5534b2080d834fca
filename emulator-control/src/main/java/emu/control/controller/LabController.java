package emu.control.controller;

import com.fasterxml.jackson.databind.JsonNode;
import emu.control.lab.Lab;
import emu.control.lab.LabException;
import emu.control.linux.LinuxException;
import emu.control.linux.LinuxNamespaces;
import emu.control.process.NodeClient;
import emu.control.state.LabState;
import emu.control.topology.FaultSpec;
import emu.control.topology.LinkSpec;
import emu.control.topology.Topology;
import emu.link.time.SystemClock;
import emu.node.trace.JsonLinesTracer;
import emu.node.event.ControlEvent;
import emu.node.event.TraceEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The control plane of a running lab: link impairments and link state, node faults (kill,
 * restart, pause, resume), partitions, and the topology's timed fault plan. Every operation runs
 * on one thread, in order, so two requests never interleave; each is narrated as an event of the
 * node called {@code control}.
 *
 * <p>It remembers what it set at run time, so a restarted node gets its runtime impairments
 * and link states back, and {@code heal} restores only what a partition took down.
 */
public final class LabController implements AutoCloseable {
  /** The name control-plane events carry in the narrative. */
  public static final String NODE = "control";

  private final Topology topo;
  private final Lab lab;
  private final ExecutorService ops = Executors.newSingleThreadExecutor(r -> daemon(r, "emu-control"));
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
      r -> daemon(r, "emu-fault-plan"));
  private final JsonLinesTracer events;
  private final Map<String, NodeMode> modes = new ConcurrentHashMap<>();
  /** Runtime impairment words in force per endpoint (node:iface), as the node last reported them. */
  private final Map<String, Map<String, String>> impairments = new ConcurrentHashMap<>();
  /** Links (by their first endpoint) taken down by a user; links cut by the partition. */
  private final Set<String> userDown = ConcurrentHashMap.newKeySet();
  private final Set<String> partitionDown = ConcurrentHashMap.newKeySet();
  private volatile List<String> partitioned = List.of();
  private final List<ScheduledFuture<?>> plan = new ArrayList<>();
  private final Map<FaultSpec, String> planResults = new ConcurrentHashMap<>();

  /** What the control plane last did to a node's process. */
  public enum NodeMode { RUNNING, KILLED, PAUSED }

  public LabController(Topology topo, Lab lab, Path outDir) throws IOException {
    this.topo = topo;
    this.lab = lab;
    this.events = new JsonLinesTracer(outDir.resolve(NODE + ".events.jsonl"), NODE, new SystemClock(timers), 10_000);
    topo.nodes().forEach(n -> modes.put(n.name(), NodeMode.RUNNING));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  public Topology topology() {
    return topo;
  }

  public Lab lab() {
    return lab;
  }

  /** Runs an operation on the control thread and waits for it; {@link ApiException}s pass through. */
  public <T> T call(Callable<T> op) {
    try {
      return ops.submit(op).get(180, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ApiException a) {
        throw a;
      }
      throw new ApiException(500, String.valueOf(e.getCause().getMessage()));
    } catch (TimeoutException e) {
      throw new ApiException(504, "the operation did not finish in 180 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "interrupted");
    }
  }

  // ---- links ----

  /** The link an endpoint belongs to; 404 naming the endpoints there are. */
  private LinkSpec linkOf(String endpoint) {
    int colon = endpoint.indexOf(':');
    LinkSpec l = colon < 0 ? null : topo.link(endpoint.substring(0, colon), endpoint.substring(colon + 1));
    if (l == null) {
      List<String> all = new ArrayList<>();
      topo.links().forEach(k -> {
        all.add(k.a().toString());
        all.add(k.b().toString());
      });
      throw ApiException.notFound("no link endpoint '" + endpoint + "' in lab " + topo.name() + " (endpoints: "
          + String.join(", ", all) + ")");
    }
    return l;
  }

  private static String key(LinkSpec l) {
    return l.a().toString();
  }

  /** Changes only the named impairment parameters of an endpoint's egress. */
  public Map<String, Object> impair(String endpoint, Map<String, String> words) {
    return call(() -> {
      linkOf(endpoint);
      if (words.isEmpty()) {
        throw ApiException.badRequest("no impairment parameters given (e.g. {\"loss\": \"5%\"})");
      }
      JsonNode state = nodeRequest(endpoint, "POST", "impairment", words);
      Map<String, String> now = words(state.path("impairment"));
      impairments.put(endpoint, now);
      narrate(new ControlEvent.ImpairmentSet(endpoint, words, now));
      return toMap(state);
    });
  }

  /** Removes every impairment of an endpoint's egress (the file's included). */
  public Map<String, Object> clear(String endpoint) {
    return call(() -> {
      linkOf(endpoint);
      JsonNode state = nodeRequest(endpoint, "DELETE", "impairment", null);
      impairments.put(endpoint, Map.of());
      narrate(new ControlEvent.ImpairmentCleared(endpoint));
      return toMap(state);
    });
  }

  /** Takes a link down (or up) at both ends, so both nodes see it. */
  public Map<String, Object> linkState(String endpoint, boolean up) {
    return call(() -> {
      LinkSpec l = linkOf(endpoint);
      if (up && partitionDown.contains(key(l))) {
        throw ApiException.conflict("link " + l.a() + " -- " + l.b() + " is cut by the partition of "
            + partitioned + "; heal first");
      }
      setBothEnds(l, up);
      if (up) {
        userDown.remove(key(l));
      } else {
        userDown.add(key(l));
      }
      narrate(new ControlEvent.LinkState(l.a() + "--" + l.b(), up));
      return linkJson(l);
    });
  }

  private void setBothEnds(LinkSpec l, boolean up) {
    for (LinkSpec.Endpoint e : List.of(l.a(), l.b())) {
      if (lab.isLinux(e.node())) {
        // The namespace's end is a real VXLAN device: set its state with iproute2.
        try {
          LinuxNamespaces.setLinkUp(lab.netns(e.node()), e.iface(), up);
          if (up) {
            LinuxNamespaces.restoreRoutes(lab.linuxPlan(e.node()), e.iface());
          }
        } catch (LinuxException ex) {
          throw new ApiException(502, ex.getMessage());
        }
      } else if (topo.node(e.node()).isEmu() && modes.get(e.node()) == NodeMode.RUNNING) {
        nodeRequest(e.toString(), "POST", up ? "up" : "down", null);
      }
    }
  }

  /** Cuts {@code nodes} off from every other node: each link with exactly one end among them goes down. */
  public Map<String, Object> partition(List<String> nodes) {
    return call(() -> {
      if (nodes.isEmpty()) {
        throw ApiException.badRequest("name at least one node to cut off");
      }
      for (String n : nodes) {
        if (topo.node(n) == null) {
          throw ApiException.notFound("no node named " + n + " in lab " + topo.name());
        }
      }
      Set<String> inside = new HashSet<>(nodes);
      if (inside.size() == topo.nodes().size()) {
        throw ApiException.badRequest("a partition must leave some nodes on the other side");
      }
      if (!partitioned.isEmpty()) {
        throw ApiException.conflict("a partition of " + partitioned + " is in force; heal first");
      }
      List<String> cut = new ArrayList<>();
      for (LinkSpec l : topo.links()) {
        if (inside.contains(l.a().node()) != inside.contains(l.b().node())) {
          if (!userDown.contains(key(l))) {
            setBothEnds(l, false);
          }
          partitionDown.add(key(l));
          cut.add(l.a() + "--" + l.b());
        }
      }
      partitioned = List.copyOf(nodes);
      narrate(new ControlEvent.Partitioned(List.copyOf(nodes), List.copyOf(cut)));
      return Map.of("partitioned", nodes, "links_down", cut);
    });
  }

  /** Ends the partition: brings back the links it took down (not those a user took down). */
  public Map<String, Object> heal() {
    return call(() -> {
      List<String> back = new ArrayList<>();
      for (LinkSpec l : topo.links()) {
        if (partitionDown.remove(key(l)) && !userDown.contains(key(l))) {
          setBothEnds(l, true);
          back.add(l.a() + "--" + l.b());
        }
      }
      List<String> was = partitioned;
      partitioned = List.of();
      narrate(new ControlEvent.Healed(was, List.copyOf(back)));
      return Map.of("healed", was, "links_up", back);
    });
  }

  /** Toxiproxy's reset: every impairment cleared, every link up, no partition. */
  public Map<String, Object> reset() {
    heal();
    return call(() -> {
      for (LinkSpec l : topo.links()) {
        if (userDown.remove(key(l))) {
          setBothEnds(l, true);
        }
        for (LinkSpec.Endpoint e : List.of(l.a(), l.b())) {
          if (topo.node(e.node()).isEmu() && modes.get(e.node()) == NodeMode.RUNNING) {
            nodeRequest(e.toString(), "DELETE", "impairment", null);
          }
          impairments.put(e.toString(), Map.of());
        }
      }
      narrate(new ControlEvent.Reset());
      return Map.of("reset", true);
    });
  }

  // ---- nodes ----

  private void requireNode(String node) {
    if (topo.node(node) == null) {
      throw ApiException.notFound("no node named " + node + " in lab " + topo.name() + " (nodes: "
          + String.join(", ", topo.nodes().stream().map(n -> n.name()).toList()) + ")");
    }
  }

  /** kill, restart, pause or resume a node. */
  public Map<String, Object> node(String node, String action) {
    return call(() -> {
      requireNode(node);
      if (lab.isLinux(node)) {
        throw ApiException.conflict("node " + node + " is a linux network namespace, not an emu process: run or stop"
            + " its programs with exec, or take its links down");
      }
      NodeMode mode = modes.get(node);
      try {
        switch (action) {
          case "kill" -> {
            if (mode == NodeMode.KILLED) {
              throw ApiException.conflict("node " + node + " is already killed");
            }
            if (mode == NodeMode.PAUSED) {
              lab.signal(node, "CONT");
            }
            lab.kill(node);
            modes.put(node, NodeMode.KILLED);
            narrate(new ControlEvent.NodeAction(node, ControlEvent.Action.KILL, 0));
          }
          case "restart" -> {
            narrate(new ControlEvent.NodeAction(node, ControlEvent.Action.RESTART, 0));
            lab.restart(node);
            modes.put(node, NodeMode.RUNNING);
            reapply(node);
            narrate(new ControlEvent.NodeAction(node, ControlEvent.Action.BACK, lab.state().node(node).pid()));
          }
          case "pause" -> {
            if (mode != NodeMode.RUNNING) {
              throw ApiException.conflict("node " + node + " is " + mode.name().toLowerCase() + ", not running");
            }
            lab.signal(node, "STOP");
            modes.put(node, NodeMode.PAUSED);
            narrate(new ControlEvent.NodeAction(node, ControlEvent.Action.PAUSE, 0));
          }
          case "resume" -> {
            if (mode != NodeMode.PAUSED) {
              throw ApiException.conflict("node " + node + " is not paused");
            }
            lab.signal(node, "CONT");
            modes.put(node, NodeMode.RUNNING);
            narrate(new ControlEvent.NodeAction(node, ControlEvent.Action.RESUME, 0));
          }
          default -> throw ApiException.notFound("no node action '" + action + "' (kill, restart, pause, resume)");
        }
      } catch (LabException e) {
        throw ApiException.conflict(e.getMessage());
      }
      return nodeJson(node);
    });
  }

  /** A restarted node starts from its file configuration: give it back what was set at run time. */
  private void reapply(String node) {
    for (LinkSpec l : topo.links()) {
      for (LinkSpec.Endpoint e : List.of(l.a(), l.b())) {
        if (!e.node().equals(node)) {
          continue;
        }
        Map<String, String> words = impairments.get(e.toString());
        if (words != null) {
          nodeRequest(e.toString(), "DELETE", "impairment", null);
          if (!words.isEmpty()) {
            nodeRequest(e.toString(), "POST", "impairment", words);
          }
        }
        if (userDown.contains(key(l)) || partitionDown.contains(key(l))) {
          nodeRequest(e.toString(), "POST", "down", null);
        }
      }
    }
  }

  /** Nodes the control plane killed on purpose (and has not restarted). */
  public java.util.Set<String> killed() {
    java.util.Set<String> k = new java.util.TreeSet<>();
    modes.forEach((n, m) -> {
      if (m == NodeMode.KILLED) {
        k.add(n);
      }
    });
    return k;
  }

  // ---- the timed plan ----

  /** Schedules the topology's fault plan, with times counted from now. */
  public void startFaultPlan() {
    for (FaultSpec f : topo.faults()) {
      plan.add(timers.schedule(() -> runFault(f), f.atNanos(), TimeUnit.NANOSECONDS));
    }
    if (!topo.faults().isEmpty()) {
      narrate(new ControlEvent.PlanStarted(topo.faults().size()));
    }
  }

  private void runFault(FaultSpec f) {
    narrate(new ControlEvent.FaultDue(f.atNanos(), f.text(), f.line()));
    try {
      switch (f.verb()) {
        case FaultSpec.SET -> impair(f.args().get(0), f.words());
        case FaultSpec.CLEAR -> clear(f.args().get(0));
        case FaultSpec.DOWN -> linkState(f.args().get(0), false);
        case FaultSpec.UP -> linkState(f.args().get(0), true);
        case FaultSpec.PARTITION -> partition(f.args());
        case FaultSpec.HEAL -> heal();
        default -> node(f.args().get(0), f.verb());
      }
      planResults.put(f, "done");
    } catch (ApiException e) {
      planResults.put(f, "failed: " + e.getMessage());
      narrate(new ControlEvent.FaultFailed(f.text(), f.line(), e.getMessage()));
    }
  }


  // ---- status ----

  /** The lab as the API shows it: nodes with their mode, links with state and impairments, the plan. */
  public Map<String, Object> status() {
    Map<String, Object> m = new LinkedHashMap<>();
    LabState s = lab.state();
    m.put("lab", s.name());
    m.put("topology", s.topology());
    m.put("output", s.outDir());
    m.put("started", s.startedAt());
    m.putAll(s.randomnessStatus());
    // every node at once (a bounded number at a time): one silent node must not hold up the rest
    List<Object> nodes = new ArrayList<>(emu.control.process.FanOut.map(s.nodes(), n -> nodeJson(n.name())));
    m.put("nodes", nodes);
    List<Object> links = new ArrayList<>();
    topo.links().forEach(l -> links.add(linkJson(l)));
    m.put("links", links);
    m.put("partition", partitioned);
    List<Object> faults = new ArrayList<>();
    for (FaultSpec f : topo.faults()) {
      faults.add(Map.of("fault", f.text(), "line", f.line(), "result", planResults.getOrDefault(f, "pending")));
    }
    m.put("faults", faults);
    return m;
  }

  /**
   * Every node's metrics (or those of {@code only}), asked at once with a short timeout each; a
   * node this controller killed or paused says so. Read-only: it does not queue behind faults.
   */
  public com.fasterxml.jackson.databind.node.ObjectNode stats(List<String> only) {
    return emu.control.lab.LabStats.collect(lab, only, emu.control.lab.LabStats.DEFAULT_TIMEOUT, node -> {
      NodeMode m = modes.get(node);
      return m == NodeMode.KILLED ? "killed" : m == NodeMode.PAUSED ? "paused" : null;
    });
  }

  /** One node: mode and, if it answers, its live status (interfaces, counters, impairments). */
  public Map<String, Object> nodeJson(String node) {
    LabState.NodeState n = lab.state().node(node);
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("name", n.name());
    o.put("kind", n.kind());
    if (n.remote() != null) {
      // pid is the node's on its host; ssh_pid the local session that started it
      o.put("pid", n.remote().pid());
      o.put("host", n.remote().host().name());
      o.put("host_address", n.remote().host().address());
      o.put("ssh_pid", n.pid());
    } else {
      o.put("pid", n.pid());
    }
    o.put("mgmt", n.mgmt());
    if (lab.isLinux(node)) {
      com.fasterxml.jackson.databind.node.ObjectNode j = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
          .objectNode();
      LinuxNamespaces.status(lab.netns(n.name()), j);
      o.putAll(toMap(j));
      return o;
    }
    NodeMode mode = modes.getOrDefault(node, NodeMode.RUNNING);
    boolean alive = lab.process(node).isPresent();
    String state = switch (mode) {
      case KILLED -> "killed";
      case PAUSED -> "paused";
      case RUNNING -> alive ? "running" : "dead";
    };
    o.put("state", state);
    if (!alive) {
      o.put("reason", n.whyGone() + "; see " + n.log());
    } else if (mode == NodeMode.RUNNING) {
      try {
        JsonNode st = lab.client(node).status();
        // interfaces, ip, ipv6, bridge, nat, dhcp_*, ospf (router ID, neighbours, LSAs, SPF runs), ...
        NodeClient.sections(st).forEach((k, v) -> o.put(k, toMap(v)));
      } catch (IOException e) {
        o.put("state", "not answering");
        o.put("reason", String.valueOf(e.getMessage()));
      }
    }
    return o;
  }

  private Map<String, Object> linkJson(LinkSpec l) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", l.a() + "--" + l.b());
    m.put("state", userDown.contains(key(l)) || partitionDown.contains(key(l)) ? "down" : "up");
    m.put("cut_by_partition", partitionDown.contains(key(l)));
    Map<String, Object> ends = new LinkedHashMap<>();
    for (LinkSpec.Endpoint e : List.of(l.a(), l.b())) {
      Map<String, String> words = impairments.get(e.toString());
      ends.put(e.toString(), words != null ? words : topo.effectiveImpairments(e.node(), e.iface()));
    }
    m.put("impairments", ends);
    return m;
  }

  // ---- plumbing ----

  /** A request to the node owning {@code endpoint}, about its interface; errors become ApiExceptions. */
  private JsonNode nodeRequest(String endpoint, String method, String what, Object body) {
    int colon = endpoint.indexOf(':');
    String node = endpoint.substring(0, colon);
    String iface = endpoint.substring(colon + 1);
    if (topo.node(node).isExternal() || lab.isLinux(node)) {
      throw ApiException.conflict(endpoint + " is the " + topo.node(node).kind() + " end of its link, which emu does"
          + " not drive; set impairments or link state on the emu end");
    }
    NodeMode mode = modes.get(node);
    if (mode != NodeMode.RUNNING) {
      throw ApiException.conflict("node " + node + " is " + mode.name().toLowerCase()
          + "; restart or resume it first");
    }
    NodeClient c = lab.client(node);
    try {
      NodeClient.Reply r = c.request(method, "/links/" + iface + "/" + what, body);
      if (r.status() != 200) {
        throw new ApiException(r.status() >= 400 && r.status() < 500 ? r.status() : 502,
            endpoint + ": " + r.message());
      }
      return r.body();
    } catch (IOException e) {
      throw new ApiException(502, "node " + node + " did not answer: " + e.getMessage());
    }
  }

  /**
   * The client of the node that owns {@code endpoint}, to stream a live capture of it from: 404 for
   * no such link end, 409 for a linux or external end (emu does not capture there) or a node that
   * is not running.
   */
  public NodeClient captureClient(String endpoint) {
    linkOf(endpoint);
    String node = endpoint.substring(0, endpoint.indexOf(':'));
    if (topo.node(node).isExternal() || lab.isLinux(node)) {
      throw ApiException.conflict(endpoint + " is the " + topo.node(node).kind() + " end of its link, which emu does"
          + " not capture on; capture the emu end");
    }
    NodeMode mode = modes.get(node);
    if (mode != NodeMode.RUNNING) {
      throw ApiException.conflict("node " + node + " is " + mode.name().toLowerCase() + "; restart or resume it first");
    }
    return lab.client(node);
  }

  private static Map<String, String> words(JsonNode n) {
    Map<String, String> w = new LinkedHashMap<>();
    n.fields().forEachRemaining(e -> w.put(e.getKey(), e.getValue().asText()));
    return w;
  }

  /** One for the controller: a mapper is costly to make, and a 1,000-node lab's status converts thousands of trees. */
  private static final com.fasterxml.jackson.databind.ObjectMapper TREES = new com.fasterxml.jackson.databind.ObjectMapper();

  @SuppressWarnings("unchecked")
  private static <T> T toMap(JsonNode n) {
    return (T) TREES.convertValue(n, Object.class);
  }


  private void narrate(TraceEvent e) {
    synchronized (events) {
      events.emit(e);
    }
  }

  /** Cancels the plan and stops the control threads (the lab itself is stopped by its owner). */
  @Override
  public void close() {
    plan.forEach(f -> f.cancel(false));
    timers.shutdownNow();
    ops.shutdownNow();
    synchronized (events) {
      events.close();
    }
  }
}
