package emu.node.testing;

import emu.link.LinkEndpoint;
import emu.link.impair.ImpairedEndpoint;
import emu.link.impair.Impairment;
import emu.link.impair.ImpairmentParser;
import emu.link.memory.MemoryLink;
import emu.link.time.VirtualTime;
import emu.node.apps.diag.BridgeCommand;
import emu.node.apps.diag.IpCommand;
import emu.node.apps.diag.Ping;
import emu.node.apps.diag.Resolve;
import emu.node.apps.diag.Traceroute;
import emu.node.bridge.LearningBridge;
import emu.node.bridge.stp.Rstp;
import emu.node.bridge.stp.StpConfig;
import emu.node.config.DnsConfig;
import emu.node.dns.DnsServer;
import emu.node.dns.StubResolver;
import emu.node.names.Hosts;
import emu.node.shell.Shell;
import emu.node.stack.NeighborCache;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.stack.StackObserver;
import emu.node.tcp.TcpLayer;
import emu.node.tcp.TcpObserver;
import emu.node.trace.BridgeTrace;
import emu.node.trace.MemoryTracer;
import emu.node.trace.StackTrace;
import emu.node.trace.TcpTrace;
import emu.node.wire.Ipv4Address;
import io.netty.buffer.UnpooledByteBufAllocator;
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
 *
 * <p>Every wire end is an {@link ImpairedEndpoint} (pass-through until {@link #impair} gives it
 * an impairment), so a test can make any link lossy, slow or reordering, netem-style, on the
 * sender's egress. A {@linkplain #bulk bulk} lab is for volume: no frame recording, no trace
 * events, and buffers outside Netty's leak detector (still counted exactly).
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
  private final TrackingAllocator alloc;
  private final boolean bulk;
  private final Map<String, LabNode> nodes = new LinkedHashMap<>();
  private final Map<String, LabSwitch> switches = new LinkedHashMap<>();
  private final List<LinkEndpoint> allEnds = new ArrayList<>();
  private final Map<String, ImpairedEndpoint> impairable = new LinkedHashMap<>();
  private final Map<String, StubResolver> resolvers = new LinkedHashMap<>();
  private boolean closed;

  public VirtualLab(long seed) {
    this(seed, DEFAULT_LATENCY_NANOS, NeighborCache.Params.LINUX);
  }

  public VirtualLab(long seed, long latencyNanos, NeighborCache.Params neighborParams) {
    this(seed, latencyNanos, neighborParams, false);
  }

  private VirtualLab(long seed, long latencyNanos, NeighborCache.Params neighborParams, boolean bulk) {
    this(seed, latencyNanos, neighborParams, bulk, bulk ? countingOnly() : new TrackingAllocator(true));
  }

  private VirtualLab(long seed, long latencyNanos, NeighborCache.Params neighborParams, boolean bulk,
                     TrackingAllocator alloc) {
    this.seed = seed;
    this.latencyNanos = latencyNanos;
    this.neighborParams = neighborParams;
    this.bulk = bulk;
    this.alloc = alloc;
  }

  /** Counts every buffer exactly, outside Netty's leak detector and without allocation sites. */
  private static TrackingAllocator countingOnly() {
    return new TrackingAllocator(false, new UnpooledByteBufAllocator(false, true));
  }

  /**
   * The lab a Jazzer target builds for one input: wires without latency, Linux neighbour timers,
   * everything recorded and traced as usual. When Jazzer fuzzes ({@code JAZZER_FUZZ} set, as
   * benchmarks/fuzz.sh does) its buffers skip Netty's leak detector and no allocation site is
   * kept: at PARANOID every access to a tracked buffer records a stack trace, which made the
   * lab targets 15 to 60 times slower (DNS over TCP: 67 inputs/s, 4,000 without), and the lab's
   * close still checks every buffer it handed out exactly, so a leak fails the input all the same.
   * Replaying the failing input ({@code mvn test}, no JAZZER_FUZZ) then runs under PARANOID with
   * the allocation sites, to say where the buffer came from.
   */
  public static VirtualLab forFuzzing(long seed) {
    String fuzzing = System.getenv("JAZZER_FUZZ");
    boolean fast = fuzzing != null && !fuzzing.isEmpty() && !"0".equals(fuzzing);
    return new VirtualLab(seed, 0, NeighborCache.Params.LINUX, false,
        fast ? countingOnly() : new TrackingAllocator(true));
  }

  /**
   * A lab for moving a lot of data: frames are not recorded, nodes do not trace, and buffers
   * are heap buffers that Netty's leak detector does not track (at PARANOID it would record a
   * stack trace on every access); {@link #close()} still checks that every one was released.
   */
  public static VirtualLab bulk(long seed, long latencyNanos) {
    return new VirtualLab(seed, latencyNanos, NeighborCache.Params.LINUX, true);
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
    NetworkStack stack = new NetworkStack(name, time, random, bulk ? StackObserver.OFF : new StackTrace(tracer), alloc,
        forwarding, params);
    TcpLayer tcp = new TcpLayer(stack, bulk ? TcpObserver.OFF : new TcpTrace(tracer));
    LabNode n = new LabNode(name, stack, tcp, tracer, alloc);
    nodes.put(name, n);
    return n;
  }

  public LabSwitch bridge(String name) {
    return bridge(name, LearningBridge.DEFAULT_AGEING_NANOS);
  }

  public LabSwitch bridge(String name, long ageingNanos) {
    requireNewName(name);
    MemoryTracer tracer = new MemoryTracer();
    LabSwitch s = new LabSwitch(name, new LearningBridge(name, time, new BridgeTrace(tracer), ageingNanos), tracer);
    switches.put(name, s);
    return s;
  }

  /**
   * A switch running spanning tree with {@code config}; its bridge address is {@code mac} and port
   * n sends BPDUs from {@code mac + n}. Nothing runs until {@link #startSpanningTree()}.
   */
  public LabSwitch stpBridge(String name, StpConfig config, long mac) {
    requireNewName(name);
    MemoryTracer tracer = new MemoryTracer();
    LearningBridge b = new LearningBridge(name, time, new BridgeTrace(tracer), LearningBridge.DEFAULT_AGEING_NANOS);
    Rstp rstp = new Rstp(b, config, mac, time, alloc, new BridgeTrace(tracer));
    b.spanningTree(rstp);
    LabSwitch s = new LabSwitch(name, b, tracer, mac);
    switches.put(name, s);
    return s;
  }

  /** Starts every switch's spanning tree: first BPDUs out, one-second ticks from now on (never settles). */
  public void startSpanningTree() {
    switches.values().forEach(s -> {
      if (s.bridge().stp() != null) {
        s.bridge().stp().start();
      }
    });
  }

  /** Cables port {@code aPort} of switch {@code a} to port {@code bPort} of switch {@code b}. */
  public void connect(LabSwitch a, String aPort, LabSwitch b, String bPort) {
    LinkEndpoint[] link = wire(a.name() + ":" + aPort, b.name() + ":" + bPort, DEFAULT_MTU);
    a.addPort(aPort, recorder(link[0]));
    b.addPort(bPort, recorder(link[1]));
  }

  private void requireNewName(String name) {
    if (nodes.containsKey(name) || switches.containsKey(name)) {
      throw new IllegalArgumentException("duplicate node name " + name);
    }
  }

  /** Both ends of a new wire, each wrapped in a (pass-through) {@link ImpairedEndpoint}. */
  private LinkEndpoint[] wire(String nameA, String nameB, int mtu) {
    MemoryLink link = new MemoryLink(nameA, nameB, mtu, time, latencyNanos);
    ImpairedEndpoint a = new ImpairedEndpoint(link.a(), time, seed ^ nameA.hashCode());
    ImpairedEndpoint b = new ImpairedEndpoint(link.b(), time, seed ^ nameB.hashCode() ^ 0x5DEECE66DL);
    impairable.put(nameA, a);
    impairable.put(nameB, b);
    allEnds.add(a);
    allEnds.add(b);
    return new LinkEndpoint[] {a, b};
  }

  private RecordingEndpoint recorder(LinkEndpoint end) {
    return new RecordingEndpoint(end, time, !bulk);
  }

  /** Cables an interface of {@code node} to a port of {@code sw}. */
  public Nic connect(LabNode node, String nic, String mac, String cidr, LabSwitch sw, String port) {
    LinkEndpoint[] link = wire(node.name() + ":" + nic, sw.name() + ":" + port, DEFAULT_MTU);
    Nic n = node.addNic(nic, mac, cidr, recorder(link[0]));
    sw.addPort(port, recorder(link[1]));
    return n;
  }

  /** Cables two nodes back to back. */
  public void connect(LabNode a, String aNic, String aMac, String aCidr,
                      LabNode b, String bNic, String bMac, String bCidr, int mtu) {
    LinkEndpoint[] link = wire(a.name() + ":" + aNic, b.name() + ":" + bNic, mtu);
    a.addNic(aNic, aMac, aCidr, recorder(link[0]));
    b.addNic(bNic, bMac, bCidr, recorder(link[1]));
  }

  /** Gives {@code node} an interface whose far end is the test's {@link Tap}. */
  public Tap tap(LabNode node, String nic, String mac, String cidr) {
    LinkEndpoint[] link = wire(node.name() + ":" + nic, "tap@" + node.name() + ":" + nic, DEFAULT_MTU);
    node.addNic(nic, mac, cidr, recorder(link[0]));
    return new Tap(link[1], alloc, time);
  }

  /** Gives {@code sw} a port whose far end is the test's {@link Tap}. */
  public Tap tap(LabSwitch sw, String port) {
    LinkEndpoint[] link = wire(sw.name() + ":" + port, "tap@" + sw.name() + ":" + port, DEFAULT_MTU);
    sw.addPort(port, recorder(link[0]));
    return new Tap(link[1], alloc, time);
  }

  /**
   * Impairs what {@code node} sends on {@code nic} (netem acts on egress), in tc-netem words
   * ({@code Map.of("loss", "5%", "delay", "20ms")}); only the named parameters change.
   */
  public ImpairedEndpoint impair(LabNode node, String nic, Map<String, String> words) {
    ImpairedEndpoint e = impairedEnd(node.name() + ":" + nic);
    e.impairment(ImpairmentParser.apply(e.impairment(), words));
    return e;
  }

  /** Impairs both directions of the link on {@code node}'s {@code nic}: its egress and the far end's. */
  public void impairBothWays(LabNode node, String nic, Map<String, String> words) {
    String near = node.name() + ":" + nic;
    impair(node, nic, words);
    ImpairedEndpoint far = farEnd(near);
    far.impairment(ImpairmentParser.apply(far.impairment(), words));
  }

  /** Replaces the impairment of a wire end by name ({@code node:nic}), e.g. with {@link Impairment#NONE}. */
  public void impairment(String endName, Impairment i) {
    impairedEnd(endName).impairment(i);
  }

  /** The impairable wire end {@code node:nic} (or {@code switch:port}). */
  public ImpairedEndpoint impairedEnd(String endName) {
    ImpairedEndpoint e = impairable.get(endName);
    if (e == null) {
      throw new IllegalArgumentException("no wire end " + endName + "; ends: " + impairable.keySet());
    }
    return e;
  }

  private ImpairedEndpoint farEnd(String near) {
    List<String> names = new ArrayList<>(impairable.keySet());
    int i = names.indexOf(near);
    return impairable.get(names.get(i % 2 == 0 ? i + 1 : i - 1));
  }

  // ---- running ---------------------------------------------------------------------------

  /**
   * Brings every stack up (gratuitous ARP, as on link up) and lets the announcements land. A lab
   * with IPv6 never goes quiet (routers advertise every few minutes): there the IPv6 layers start
   * and a test runs time itself.
   */
  public void start() {
    nodes.values().forEach(n -> n.stack().start());
    settle();
    nodes.values().forEach(LabNode::startIpv6);
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

  /**
   * The node's shell: ping, traceroute, ip and resolve, knowing every lab node by name. Names
   * resolve through the node's {@linkplain #resolver stub resolver}.
   */
  public Shell shell(LabNode node) {
    StubResolver r = resolver(node);
    return new Shell(node.name()).add(new Ping(node.stack(), node.ipv6IfAny(), node.tracer(), r)).add(new Traceroute(node.stack(), node.ipv6IfAny(), r, r.hosts()))
        .add(new IpCommand(node.stack(), node.ipv6IfAny(), r)).add(new Resolve(r));
  }

  // ---- DNS -------------------------------------------------------------------------------

  /**
   * Gives {@code node} a stub resolver that asks the DNS server at {@code server} after the
   * lab's hosts table and its cache; it lives as long as the lab, so its cache does too.
   */
  public StubResolver nameserver(LabNode node, String server) {
    return nameserver(node, server, hosts());
  }

  /** As {@link #nameserver(LabNode, String)}, with the given hosts table instead of the lab's. */
  public StubResolver nameserver(LabNode node, String server, Hosts hosts) {
    return nameservers(node, hosts, server);
  }

  /**
   * Gives {@code node} a stub resolver asking {@code servers} in order (either family, as
   * resolv.conf lists them: {@code 2001:db8:5::53}, {@code fe80::53%eth0}), with glibc's waits.
   * Give the node its IPv6 first: the resolver asks over IPv6 only with it.
   */
  public StubResolver nameservers(LabNode node, Hosts hosts, String... servers) {
    StubResolver r = new StubResolver(node.stack(), node.ipv6IfAny(), node.tcp(), node.tracer(), hosts,
        java.util.Arrays.stream(servers).map(emu.node.dns.Nameserver::parse).toList(), null);
    resolvers.put(node.name(), r);
    return r;
  }

  /**
   * The node's stub resolver: the one {@link #nameserver} gave it, else one without a DNS
   * server that knows the lab's hosts table (every node by name, as before DNS).
   */
  public StubResolver resolver(LabNode node) {
    StubResolver r = resolvers.get(node.name());
    return r != null ? r : new StubResolver(node.stack(), node.ipv6IfAny(), node.tcp(), node.tracer(), hosts(), 0);
  }

  /**
   * Starts a DNS server on {@code node}, as the node process does from its configuration: over
   * IPv6 too if the node has been given IPv6 before.
   */
  public DnsServer dnsServer(LabNode node, DnsConfig config) {
    return DnsServer.start(node.stack(), node.ipv6IfAny(), node.tcp(), node.tracer(), config);
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
    switches.values().forEach(s -> {
      if (s.bridge().stp() != null) {
        s.bridge().stp().stop();
      }
    });
    settle();
    for (LabNode n : nodes.values()) {
      for (Nic nic : n.stack().nics()) {
        nic.neighbors().flush();
      }
      n.flushIpv6Neighbors();
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
