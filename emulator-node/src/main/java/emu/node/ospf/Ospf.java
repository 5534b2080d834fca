package emu.node.ospf;

import emu.link.time.TimeSource;
import emu.node.ospf.Lsa.Key;
import emu.node.ospf.OspfCounters.Refusal;
import emu.node.stack.IpProtocol;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.stack.Route;
import emu.node.stack.TransportChecksum;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.OspfDbDescription;
import emu.node.wire.OspfHello;
import emu.node.wire.OspfLsAck;
import emu.node.wire.OspfLsRequest;
import emu.node.wire.OspfLsUpdate;
import emu.node.wire.OspfLsa;
import emu.node.wire.OspfPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One router's OSPFv2 (RFC 2328) in the backbone area 0.0.0.0: its interfaces (the interface
 * state machine of 9.3 and the DR/BDR election of 9.4), its neighbours (the neighbour state
 * machine of 10.3, Hellos 10.5, the database exchange 10.6 to 10.9), the link-state database
 * (reliable flooding 13, ageing 14, origination 12.4) and the routing table (SPF through
 * {@link Spf}, throttled as FRR does, installed with {@code RouteTable.replace(OSPF, ...)}).
 *
 * <p>Everything runs on the node's event loop: packets arrive through {@link #input} (registered
 * as IP protocol 89), timers through the stack's {@link TimeSource}, carrier changes through
 * {@link #linkChanged}. Received packets are checked (wire shape, then the checks of RFC 2328
 * 8.2 and 10.5) and a refusal is counted by reason in {@link OspfCounters} and told to the
 * {@link Listener}; nothing a neighbour sends makes this class throw.
 *
 * <p>This class holds the state its parts share, checks and dispatches input, and sends; the parts
 * are package-private: {@code InterfaceMachine} (9.3, the election 9.4 run, Hellos sent),
 * {@code NeighborMachine} (10.3 to 10.5), {@code Exchange} (10.6 to 10.9), {@code Flooding} (13),
 * {@code Lsdb} (installation 13.2, ageing 14), {@code Origination} (12.4) and {@code Routing}
 * (SPF and route installation).
 *
 * <p>Decisions and deviations are in the package documentation.
 */
public final class Ospf implements IpProtocol {
  // ---- architectural constants (RFC 2328 B) and emu's choices ----
  public static final int AREA = 0;
  /** RxmtInterval: seconds between retransmissions of DDs, requests and updates (FRR: 5). */
  public static final long RXMT_NANOS = TimeUnit.SECONDS.toNanos(5);
  /** MinLSArrival: a newer instance of an LSA arriving sooner than this is dropped (13 step 5a). */
  public static final long MIN_LS_ARRIVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** MinLSInterval: the least time between two originations of one LSA (12.4). */
  public static final long MIN_LS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);
  /** InfTransDelay: seconds added to an LSA's age when it is sent. */
  public static final int INF_TRANS_DELAY = 1;
  /** Delayed acknowledgements are sent this long after the first is queued (13.5; below RxmtInterval). */
  public static final long ACK_DELAY_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** FRR's {@code timers throttle spf 0 50 5000}: delay 0 ms, initial hold 50 ms, hold doubling up to 5 s. */
  public static final long SPF_DELAY_NANOS = 0;
  public static final long SPF_INITIAL_HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  public static final long SPF_MAX_HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(5000);
  /** The database's bound: past it, new LSAs are dropped and counted (newer instances of known ones still go in). */
  public static final int MAX_LSAS = 10_000;
  /** Options we send: E (external routing capability), as FRR does in a normal area. */
  public static final int OPTIONS = OspfPacket.OPTION_E;
  /** The precedence "internetwork control" TOS byte OSPF packets carry, as FRR and Linux send them. */
  public static final int TOS = 0xC0;

  /** The kinds of network an interface may be configured as (RFC 2328 1.2). */
  public enum NetworkType {
    BROADCAST("BROADCAST"), POINT_TO_POINT("POINTOPOINT");

    private final String frr;

    NetworkType(String frr) {
      this.frr = frr;
    }

    /** As FRR prints it in {@code show ip ospf interface}. */
    public String frrName() {
      return frr;
    }
  }

  /** Interface states (RFC 2328 9.1); Loopback is not used. */
  public enum InterfaceState {
    DOWN("Down"), WAITING("Waiting"), POINT_TO_POINT("Point-To-Point"), DR_OTHER("DROther"), BACKUP("Backup"),
    DR("DR");

    private final String text;

    InterfaceState(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  /** Neighbour states (RFC 2328 10.1); Attempt is for NBMA networks, which emu does not have. */
  public enum NeighborState {
    DOWN("Down"), INIT("Init"), TWO_WAY("2-Way"), EXSTART("ExStart"), EXCHANGE("Exchange"), LOADING("Loading"),
    FULL("Full");

    private final String text;

    NeighborState(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  /** Neighbour events (RFC 2328 10.2), told with each state change. */
  public enum NeighborEvent {
    HELLO_RECEIVED("HelloReceived"), TWO_WAY_RECEIVED("2-WayReceived"), ONE_WAY_RECEIVED("1-WayReceived"),
    NEGOTIATION_DONE("NegotiationDone"), EXCHANGE_DONE("ExchangeDone"), LOADING_DONE("LoadingDone"),
    ADJ_OK("AdjOK?"), SEQ_NUMBER_MISMATCH("SeqNumberMismatch"), BAD_LS_REQ("BadLSReq"), KILL_NBR("KillNbr"),
    INACTIVITY_TIMER("InactivityTimer"), LL_DOWN("LLDown");

    private final String text;

    NeighborEvent(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  /**
   * One interface OSPF runs on: the stack interface's name, its cost, HelloInterval and
   * RouterDeadInterval in seconds, router priority, passive (advertised, no Hellos sent or taken)
   * and network type.
   */
  public record InterfaceConfig(String nic, int cost, int helloSeconds, int deadSeconds, int priority, boolean passive,
                                NetworkType type) {
    public static final int DEFAULT_COST = 10;
    public static final int DEFAULT_HELLO = 10;
    public static final int DEFAULT_DEAD = 40;
    public static final int DEFAULT_PRIORITY = 1;

    public InterfaceConfig {
      Objects.requireNonNull(nic, "nic");
      Objects.requireNonNull(type, "type");
      if (cost < 1 || cost > 0xFFFF || helloSeconds < 1 || helloSeconds > 0xFFFF || deadSeconds <= helloSeconds
          || priority < 0 || priority > 255) {
        throw new IllegalArgumentException("bad OSPF interface settings for " + nic);
      }
    }

    /** FRR's defaults on Ethernet: cost 10, hello 10, dead 40, priority 1, broadcast. */
    public static InterfaceConfig defaults(String nic) {
      return new InterfaceConfig(nic, DEFAULT_COST, DEFAULT_HELLO, DEFAULT_DEAD, DEFAULT_PRIORITY, false,
          NetworkType.BROADCAST);
    }
  }

  /** A router's OSPF: its router ID (0: the highest interface address) and its interfaces. */
  public record Config(int routerId, List<InterfaceConfig> interfaces) {
    public Config {
      interfaces = List.copyOf(interfaces);
    }
  }

  /** A route that SPF changed: old and new cost and gateways (cost -1: absent). */
  public record RouteChange(Ipv4Cidr prefix, int oldCost, List<Integer> oldGateways, int newCost,
                            List<Integer> newGateways) {
    public RouteChange {
      oldGateways = List.copyOf(oldGateways);
      newGateways = List.copyOf(newGateways);
    }
  }

  /** An LSA instance named: type, Link State ID, advertising router, sequence number. */
  public record LsaId(int type, int linkStateId, int advertisingRouter, int sequence) {}

  /** What the machine did, as values, for the node's tracing (events and narration live above). */
  public interface Listener {
    Listener NONE = new Listener() { };

    default void neighborChanged(String nic, int routerId, int address, NeighborState from, NeighborState to,
                                 NeighborEvent event) {
    }

    /** An election on {@code nic} gave these DR and BDR (router IDs, 0: none) and this interface state. */
    default void elected(String nic, int drRouterId, int bdrRouterId, InterfaceState state) {
    }

    default void lsaOriginated(int type, int linkStateId, int advertisingRouter, int sequence, boolean flushed) {
    }

    /** A newer instance from neighbour {@code fromRouterId} went into the database. */
    default void lsaInstalled(int type, int linkStateId, int advertisingRouter, int sequence, int fromRouterId) {
    }

    /**
     * SPF ran ({@code nanos} of wall time), scheduled first {@code after} that LSA went in (null:
     * for a change of this router's own, an interface or an adjacency), and changed these routes
     * (possibly none).
     */
    default void spfRan(long nanos, int routes, LsaId after, List<RouteChange> changes) {
    }

    /** A packet (or an LSA in one) was refused. */
    default void refused(String nic, int source, int packetType, Refusal reason) {
    }
  }

  // ---------------------------------------------------------------- state

  final NetworkStack stack;
  final TimeSource time;
  private final Config config;
  Listener listener = Listener.NONE;
  final OspfCounters counters = new OspfCounters();
  final Map<Nic, OspfIface> ifaces = new LinkedHashMap<>();
  final Lsdb lsdb = new Lsdb(this);
  final Map<Key, Long> lastOrigination = new HashMap<>();
  final Set<Key> deferred = new HashSet<>();
  final Set<Key> forced = new HashSet<>();
  final Set<Key> pendingWrap = new HashSet<>();
  final Routing routing = new Routing(this);
  final Origination origination = new Origination(this);
  final InterfaceMachine ism = new InterfaceMachine(this);
  final NeighborMachine nsm = new NeighborMachine(this);
  final Exchange exchange = new Exchange(this);
  final Flooding flooding = new Flooding(this);
  int routerId;
  boolean running;
  private boolean registered;
  int maxLsas = MAX_LSAS;
  private long startedNanos;
  // views reused on input
  private final Ipv4Packet ip = new Ipv4Packet();
  private final OspfPacket pkt = new OspfPacket();
  private final OspfHello hello = new OspfHello();
  private final OspfDbDescription dd = new OspfDbDescription();
  private final OspfLsRequest lsr = new OspfLsRequest();
  private final OspfLsUpdate lsu = new OspfLsUpdate();
  private final OspfLsAck ack = new OspfLsAck();

  /**
   * OSPF on {@code stack}'s interfaces named in {@code config}. Nothing is sent until
   * {@link #start}. Interfaces the stack does not have, or without an IPv4 address, are refused.
   */
  public Ospf(NetworkStack stack, Config config) {
    this.stack = stack;
    this.time = stack.time();
    this.config = config;
    for (InterfaceConfig c : config.interfaces()) {
      Nic nic = stack.nic(c.nic());
      if (nic == null || nic.address() == null) {
        throw new IllegalArgumentException(stack.name() + ": OSPF on " + c.nic() + ", which has no IPv4 address");
      }
      ifaces.put(nic, new OspfIface(this, nic, c));
    }
    this.routerId = config.routerId() != 0 ? config.routerId() : highestAddress();
  }

  /** FRR's choice without a configured ID: the highest interface address (unsigned compare). */
  private int highestAddress() {
    int best = 0;
    for (Nic n : stack.nics()) {
      if (n.address() != null && Integer.compareUnsigned(n.ip(), best) > 0) {
        best = n.ip();
      }
    }
    return best;
  }

  public Ospf listener(Listener l) {
    this.listener = l == null ? Listener.NONE : l;
    return this;
  }

  public int routerId() {
    return routerId;
  }

  public OspfCounters counters() {
    return counters;
  }

  public Config config() {
    return config;
  }

  /**
   * Takes protocol 89 from the stack, listens for carrier changes, brings up every interface
   * whose carrier is up, originates the router-LSA and starts the ageing tick.
   */
  public void start() {
    if (running) {
      return;
    }
    running = true;
    startedNanos = time.nanos();
    if (!registered) {
      // the stack has no unregistering: a stopped instance ignores packets and carrier changes
      stack.registerProtocol(OspfPacket.PROTOCOL, this);
      stack.addLinkListener(this::linkChanged);
      registered = true;
    }
    for (OspfIface i : ifaces.values()) {
      if (i.nic.isUp()) {
        ism.interfaceUp(i);
      }
    }
    origination.originateAll();
    lsdb.startAgeing();
  }

  /**
   * Stops every timer, leaves the groups and takes the OSPF routes out; packets are then ignored.
   * The database is forgotten, as by a restarted routing process: a later {@link #start} begins
   * afresh (and outdoes its old LSAs' sequence numbers when neighbours return them, RFC 2328 13.4).
   */
  public void stop() {
    if (!running) {
      return;
    }
    for (OspfIface i : ifaces.values()) {
      ism.interfaceDown(i, NeighborEvent.KILL_NBR);
    }
    running = false;
    routing.cancelTimer();
    lsdb.stopAgeing();
    stack.routes().replace(Route.Kind.OSPF, List.of());
    routing.clearInstalled();
    lsdb.clear();
    lastOrigination.clear();
    deferred.clear();
    forced.clear();
    pendingWrap.clear();
    routing.resetThrottle();
  }

  /** Test hook: a smaller database bound. */
  void maxLsas(int n) {
    this.maxLsas = n;
  }

  /** Test hook: {@code lsa} (another router's, say) installed here as if received, and flooded to every adjacency. */
  void floodForTest(OspfLsa.Repr lsa) {
    byte[] bytes = new byte[lsa.bufferLen()];
    lsa.emit(Unpooled.wrappedBuffer(bytes), 0);
    Lsa l = new Lsa(bytes, lsa.age(), now());
    Lsa old = lsdb.get(l.key);
    flooding.removeFromRxmt(l.key);
    lsdb.install(l, old, 0);
    flooding.flood(l, null, null);
  }

  /**
   * Test hook: this router's router-LSA in the database as if its last instance had been
   * originated with sequence number {@code seq} (not flooded), so that a test reaches
   * MaxSequenceNumber without 2^31 originations.
   */
  void ownRouterLsaSequence(int seq) {
    Key k = new Key(OspfLsa.TYPE_ROUTER, routerId, routerId);
    Lsa have = lsdb.get(k);
    if (have == null) {
      return;
    }
    byte[] bytes = have.bytes.clone();
    ByteBuf w = Unpooled.wrappedBuffer(bytes);
    w.setInt(OspfLsa.SEQUENCE, seq);
    OspfLsa.fillChecksum(w, 0);
    lsdb.put(new Lsa(bytes, have.ageAtInstall, have.installedNanos));
  }

  static void cancel(TimeSource.Timer t) {
    if (t != null) {
      t.cancel();
    }
  }

  long now() {
    return time.nanos();
  }

  // ---------------------------------------------------------------- interfaces (RFC 2328 9): see InterfaceMachine

  /** Carrier lost: the interface goes Down, its neighbours with it (LLDown, KillNbr); regained: it comes up. */
  public void linkChanged(Nic nic, boolean up) {
    OspfIface i = ifaces.get(nic);
    if (i == null || !running) {
      return;
    }
    if (up && i.state == InterfaceState.DOWN) {
      ism.interfaceUp(i);
      origination.originateAll();
    } else if (!up && i.state != InterfaceState.DOWN) {
      ism.interfaceDown(i, NeighborEvent.LL_DOWN);
      origination.originateAll();
      routing.scheduleSpf();
    }
  }

  // ---------------------------------------------------------------- input (RFC 2328 8.2)

  @Override
  public void input(Nic nic, ByteBuf buf, int ipStart, boolean noErrors) {
    try {
      receive(nic, buf, ipStart);
    } finally {
      buf.release();
    }
  }

  void refuse(OspfIface i, int src, int type, Refusal r) {
    counters.refuse(r);
    listener.refused(i == null ? "" : i.nic.name(), src, type, r);
  }

  private void receive(Nic nic, ByteBuf buf, int ipStart) {
    ip.wrap(buf, ipStart);
    int src = ip.src();
    int dst = ip.dst();
    OspfIface i = ifaces.get(nic);
    if (!running || i == null || i.cfg.passive() || i.state == InterfaceState.DOWN) {
      refuse(i, src, 0, Refusal.NOT_OSPF_INTERFACE);
      return;
    }
    int start = ip.payloadIndex();
    int len = ip.totalLength() - ip.headerLength();
    pkt.wrap(buf, start, len);
    OspfPacket.Check c = pkt.check();
    if (c != OspfPacket.Check.OK) {
      refuse(i, src, 0, switch (c) {
        case TRUNCATED -> Refusal.TRUNCATED;
        case BAD_VERSION -> Refusal.BAD_VERSION;
        case BAD_LENGTH -> Refusal.BAD_LENGTH;
        case BAD_TYPE -> Refusal.BAD_TYPE;
        case UNSUPPORTED_AUTH -> Refusal.UNSUPPORTED_AUTH;
        case BAD_CHECKSUM -> Refusal.BAD_CHECKSUM;
        case BAD_BODY_LENGTH -> Refusal.BAD_BODY_LENGTH;
        default -> Refusal.BAD_LSA_FRAMING;
      });
      return;
    }
    int type = pkt.type();
    if (pkt.areaId() != AREA) {
      refuse(i, src, type, Refusal.WRONG_AREA);
      return;
    }
    if (pkt.routerId() == routerId || src == nic.ip()) {
      refuse(i, src, type, Refusal.OWN_ROUTER_ID);
      return;
    }
    boolean toUs = dst == nic.ip() || dst == OspfPacket.ALL_SPF_ROUTERS
        || dst == OspfPacket.ALL_D_ROUTERS && (i.state == InterfaceState.DR || i.state == InterfaceState.BACKUP);
    if (!toUs) {
      refuse(i, src, type, Refusal.BAD_DESTINATION);
      return;
    }
    if (i.broadcast() && !i.nic.address().contains(src)) {
      refuse(i, src, type, Refusal.SUBNET_MISMATCH);
      return;
    }
    counters.received[type]++;
    if (type == OspfPacket.TYPE_HELLO) {
      nsm.onHello(i, src, hello.wrap(pkt));
      return;
    }
    OspfNeighbor n = i.nbrs.get(src);
    if (n == null || n.routerId != pkt.routerId()) {
      refuse(i, src, type, Refusal.UNKNOWN_NEIGHBOR);
      return;
    }
    switch (type) {
      case OspfPacket.TYPE_DB_DESCRIPTION -> exchange.onDd(n, dd.wrap(pkt));
      case OspfPacket.TYPE_LS_REQUEST -> exchange.onLsRequest(n, lsr.wrap(pkt));
      case OspfPacket.TYPE_LS_UPDATE -> flooding.onLsUpdate(n, lsu.wrap(pkt));
      default -> flooding.onLsAck(n, ack.wrap(pkt));
    }
  }

  // ---------------------------------------------------------------- output

  ByteBuf packet(int len) {
    ByteBuf b = stack.allocate(len);
    b.writeZero(len);
    return b;
  }

  /** Out of the interface, TTL 1, TOS 0xC0 (RFC 2328 A.1), from the interface's address. */
  void send(OspfIface i, int dst, ByteBuf b, int type) {
    counters.sent[type]++;
    stack.ipv4Output().sendOn(i.nic, i.nic.ip(), dst, OspfPacket.PROTOCOL, 1, TOS, b, TransportChecksum.NONE);
  }

  // ---------------------------------------------------------------- inspection (values, for show commands)

  /** An interface as {@code show ip ospf interface} needs it; {@code helloDueNanos} -1 when no Hello is due. */
  public record InterfaceView(String nic, Ipv4Cidr address, NetworkType type, int cost, InterfaceState state,
                              int priority, int drRouterId, int drAddress, int bdrRouterId, int bdrAddress,
                              int helloSeconds, int deadSeconds, boolean passive, int neighbors, int adjacent,
                              long helloDueNanos, int mtu) {}

  /** A neighbour as {@code show ip ospf neighbor} needs it. */
  public record NeighborView(int routerId, int priority, NeighborState state, InterfaceState role, long upNanos,
                             long deadInNanos, int address, String nic, Ipv4Cidr nicAddress, int retransmit,
                             int requests, int summary, boolean weAreMaster) {}

  /** An LSA as {@code show ip ospf database} lists it. */
  public record LsaView(int type, int linkStateId, int advertisingRouter, int age, int sequence, int checksum,
                        int length, OspfLsa.Repr lsa) {}

  public List<InterfaceView> interfaces() {
    List<InterfaceView> out = new ArrayList<>();
    for (OspfIface i : ifaces.values()) {
      int adj = (int) i.nbrs.values().stream().filter(n -> n.state == NeighborState.FULL).count();
      out.add(new InterfaceView(i.nic.name(), i.nic.address(), i.cfg.type(), i.cfg.cost(), i.state, i.cfg.priority(),
          i.routerIdOf(i.dr), i.dr, i.routerIdOf(i.bdr), i.bdr, i.cfg.helloSeconds(), i.cfg.deadSeconds(),
          i.cfg.passive(), i.nbrs.size(), adj, i.helloTimer == null ? -1 : Math.max(0, i.helloDue - now()),
          i.nic.mtu()));
    }
    return out;
  }

  public List<NeighborView> neighbors() {
    long now = now();
    List<NeighborView> out = new ArrayList<>();
    for (OspfIface i : ifaces.values()) {
      for (OspfNeighbor n : i.nbrs.values()) {
        InterfaceState role = !i.broadcast() ? InterfaceState.DR_OTHER
            : n.addr == i.dr ? InterfaceState.DR : n.addr == i.bdr ? InterfaceState.BACKUP : InterfaceState.DR_OTHER;
        long dead = n.lastHello + TimeUnit.SECONDS.toNanos(i.cfg.deadSeconds()) - now;
        out.add(new NeighborView(n.routerId, n.priority, n.state, role,
            n.state == NeighborState.FULL ? now - n.upSince : 0, Math.max(0, dead), n.addr, i.nic.name(),
            i.nic.address(), n.rxmt.size(), n.requests.size(), n.summary.size(), n.weAreMaster));
      }
    }
    return out;
  }

  /** The database, ordered by type, Link State ID, advertising router (unsigned), as FRR lists it. */
  public List<LsaView> database() {
    long now = now();
    List<LsaView> out = new ArrayList<>();
    for (Lsa l : lsdb.values()) {
      out.add(new LsaView(l.key.type(), l.key.id(), l.key.adv(), l.age(now), l.seq, l.checksum, l.bytes.length,
          l.repr));
    }
    out.sort(Comparator.comparingInt(LsaView::type)
        .thenComparing((a, b) -> Integer.compareUnsigned(a.linkStateId(), b.linkStateId()))
        .thenComparing((a, b) -> Integer.compareUnsigned(a.advertisingRouter(), b.advertisingRouter())));
    return out;
  }

  /** The routes the last SPF installed. */
  public List<Route> routes() {
    return routing.installedRoutes();
  }

  /** Milliseconds since the last SPF ran, -1 if never. */
  public long sinceLastSpfNanos() {
    return routing.sinceLastSpfNanos();
  }

  public long startedNanos() {
    return startedNanos;
  }

  public boolean running() {
    return running;
  }

  @Override
  public String toString() {
    return "ospf " + Ipv4Address.format(routerId);
  }
}
