package emu.node.testing;

import emu.link.LinkEndpoint;
import emu.link.memory.MemoryLink;
import emu.link.time.VirtualTime;
import emu.node.apps.BridgeCommand;
import emu.node.apps.Hosts;
import emu.node.apps.IpCommand;
import emu.node.apps.Ping;
import emu.node.apps.Shell;
import emu.node.apps.Traceroute;
import emu.node.bridge.LearningBridge;
import emu.node.stack.NeighborCache;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.trace.MemoryTracer;
import emu.node.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * A whole network in one thread on one {@link VirtualTime}: hosts, routers and switches wired
 * with {@link MemoryLink}s, each node with its own {@link MemoryTracer} and a seeded
 * {@link SplittableRandom}, so a run is exactly repeatable and never sleeps. Commands run
 * through the same {@link Shell} a real node has; frames are recorded on every interface; a
 * {@link Tap} lets a test be a node's peer.
 *
 * <p>Buffers come from a {@link TrackingAllocator}: {@link #close()} lets the network settle,
 * empties the ARP queues, closes the wires and then fails if any buffer is still referenced.
 */
public final class VirtualLab implements AutoCloseable {
  public static final long DEFAULT_LATENCY_NANOS = 100_000; // 100 µs per wire
  public static final int DEFAULT_MTU = 1500;
  /** How long {@link #exec} and {@link #settle} may run in virtual time before giving up. */
  public static final long RUN_LIMIT_NANOS = 600_000_000_000L;

  private final VirtualTime time = new VirtualTime();
  private final long seed;
  private final long latencyNanos;
  private final NeighborCache.Params neighborParams;
  private final TrackingAllocator alloc = new TrackingAllocator(true);
  private final Map<String, LabNode> nodes = new LinkedHashMap<>();
  private final Map<String, LabSwitch> switches = new LinkedHashMap<>();
  private final List<LinkEndpoint> allEnds = new ArrayList<>();
  private boolean closed;

  public VirtualLab(long seed) {
    this(seed, DEFAULT_LATENCY_NANOS, NeighborCache.Params.LINUX);
  }

  public VirtualLab(long seed, long latencyNanos, NeighborCache.Params neighborParams) {
    this.seed = seed;
    this.latencyNanos = latencyNanos;
    this.neighborParams = neighborParams;
  }

  public static long millis(long ms) {
    return ms * 1_000_000L;
  }

  public static long seconds(double s) {
    return (long) (s * 1e9);
  }

  // ---- building --------------------------------------------------------------------------

  /** A host: does not forward. */
  public LabNode host(String name) {
    return node(name, false, neighborParams);
  }

  /** A router: forwards. */
  public LabNode router(String name) {
    return node(name, true, neighborParams);
  }

  public LabNode node(String name, boolean forwarding, NeighborCache.Params params) {
    requireNewName(name);
    MemoryTracer tracer = new MemoryTracer();
    // The same per-node seeding as EmulatedNode: one lab seed, varied by node name.
    SplittableRandom random = new SplittableRandom(seed ^ name.hashCode());
    NetworkStack stack = new NetworkStack(name, time, random, tracer, alloc, forwarding, params);
    LabNode n = new LabNode(name, stack, tracer, alloc);
    nodes.put(name, n);
    return n;
  }

  public LabSwitch bridge(String name) {
    return bridge(name, LearningBridge.DEFAULT_AGEING_NANOS);
  }

  public LabSwitch bridge(String name, long ageingNanos) {
    requireNewName(name);
    MemoryTracer tracer = new MemoryTracer();
    LabSwitch s = new LabSwitch(name, new LearningBridge(name, time, tracer, ageingNanos), tracer);
    switches.put(name, s);
    return s;
  }

  private void requireNewName(String name) {
    if (nodes.containsKey(name) || switches.containsKey(name)) {
      throw new IllegalArgumentException("duplicate node name " + name);
    }
  }

  private MemoryLink wire(String nameA, String nameB, int mtu) {
    MemoryLink link = new MemoryLink(nameA, nameB, mtu, time, latencyNanos);
    allEnds.add(link.a());
    allEnds.add(link.b());
    return link;
  }

  /** Cables an interface of {@code node} to a port of {@code sw}. */
  public Nic connect(LabNode node, String nic, String mac, String cidr, LabSwitch sw, String port) {
    MemoryLink link = wire(node.name() + ":" + nic, sw.name() + ":" + port, DEFAULT_MTU);
    Nic n = node.addNic(nic, mac, cidr, new RecordingEndpoint(link.a(), time));
    sw.addPort(port, new RecordingEndpoint(link.b(), time));
    return n;
  }

  /** Cables two nodes back to back. */
  public void connect(LabNode a, String aNic, String aMac, String aCidr,
                      LabNode b, String bNic, String bMac, String bCidr, int mtu) {
    MemoryLink link = wire(a.name() + ":" + aNic, b.name() + ":" + bNic, mtu);
    a.addNic(aNic, aMac, aCidr, new RecordingEndpoint(link.a(), time));
    b.addNic(bNic, bMac, bCidr, new RecordingEndpoint(link.b(), time));
  }

  /** Gives {@code node} an interface whose far end is the test's {@link Tap}. */
  public Tap tap(LabNode node, String nic, String mac, String cidr) {
    MemoryLink link = wire(node.name() + ":" + nic, "tap@" + node.name() + ":" + nic, DEFAULT_MTU);
    node.addNic(nic, mac, cidr, new RecordingEndpoint(link.a(), time));
    return new Tap(link.b(), alloc, time);
  }

  /** Gives {@code sw} a port whose far end is the test's {@link Tap}. */
  public Tap tap(LabSwitch sw, String port) {
    MemoryLink link = wire(sw.name() + ":" + port, "tap@" + sw.name() + ":" + port, DEFAULT_MTU);
    sw.addPort(port, new RecordingEndpoint(link.a(), time));
    return new Tap(link.b(), alloc, time);
  }

  // ---- running ---------------------------------------------------------------------------

  /** Brings every stack up (gratuitous ARP, as on link up) and lets the announcements land. */
  public void start() {
    nodes.values().forEach(n -> n.stack().start());
    settle();
  }

  /** Runs timers until none is left (or the run limit); returns whether the network went quiet. */
  public boolean settle() {
    return time.runUntil(() -> time.pending() == 0, RUN_LIMIT_NANOS);
  }

  public void advance(long nanos) {
    time.advance(nanos);
  }

  public boolean runUntil(BooleanSupplier done, long limitNanos) {
    return time.runUntil(done, limitNanos);
  }

  /** Starts a command on a node and returns at once; drive time to let it run. */
  public CommandRun launch(LabNode node, String commandLine) {
    CommandRun run = new CommandRun(node.name(), commandLine);
    shell(node).run(Shell.split(commandLine), run);
    return run;
  }

  /** Runs a command to completion on virtual time and returns its terminal. */
  public CommandRun exec(LabNode node, String commandLine) {
    return await(launch(node, commandLine));
  }

  /** Runs a command on a switch (its {@code bridge} and {@code ip} commands). */
  public CommandRun exec(LabSwitch sw, String commandLine) {
    CommandRun run = new CommandRun(sw.name(), commandLine);
    new Shell(sw.name()).add(new BridgeCommand(sw.bridge(), "bridge")).add(new BridgeCommand(sw.bridge(), "ip"))
        .run(Shell.split(commandLine), run);
    return await(run);
  }

  /** Drives virtual time until {@code run} exits; fails if it never does. */
  public CommandRun await(CommandRun run) {
    if (!time.runUntil(run::exited, RUN_LIMIT_NANOS)) {
      throw new AssertionError(run + " did not exit within " + RUN_LIMIT_NANOS / 1e9 + " s of virtual time; output:\n"
          + run.output());
    }
    return run;
  }

  /** The node's shell: ping, traceroute and ip, knowing every lab node by name. */
  public Shell shell(LabNode node) {
    Hosts hosts = hosts();
    return new Shell(node.name()).add(new Ping(node.stack(), hosts)).add(new Traceroute(node.stack(), hosts))
        .add(new IpCommand(node.stack(), hosts));
  }

  /** Every node's name mapped to its first address, like the lab's /etc/hosts. */
  public Hosts hosts() {
    Map<String, String> table = new LinkedHashMap<>();
    for (LabNode n : nodes.values()) {
      for (Nic nic : n.stack().nics()) {
        if (nic.address() != null) {
          table.put(n.name(), Ipv4Address.format(nic.ip()));
          break;
        }
      }
    }
    return new Hosts(table);
  }

  // ---- access ----------------------------------------------------------------------------

  public VirtualTime time() {
    return time;
  }

  public long now() {
    return time.nanos();
  }

  public TrackingAllocator alloc() {
    return alloc;
  }

  public LabNode node(String name) {
    return nodes.get(name);
  }

  public LabSwitch bridgeNamed(String name) {
    return switches.get(name);
  }

  // ---- teardown --------------------------------------------------------------------------

  /**
   * Lets the network settle, drops what still waits in ARP queues, closes every wire (frames
   * in flight are released on arrival), then fails if any buffer is still referenced.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    settle();
    for (LabNode n : nodes.values()) {
      for (Nic nic : n.stack().nics()) {
        nic.neighbors().flush();
      }
    }
    allEnds.forEach(LinkEndpoint::close);
    time.advance(RUN_LIMIT_NANOS);
    assertNoLeaks();
  }

  /** Fails if any buffer the lab's allocator handed out is still referenced. */
  public void assertNoLeaks() {
    if (!alloc.outstanding().isEmpty()) {
      throw new AssertionError(alloc.outstanding().size() + " ByteBuf(s) still referenced:\n"
          + alloc.describeOutstanding());
    }
  }
}
