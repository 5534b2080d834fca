package emu.node.stack;

import emu.link.LinkEndpoint;
import emu.link.time.TimeSource;
import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.link.wire.VlanTag;
import emu.node.wire.Bpdu;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import emu.node.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.collection.IntObjectHashMap;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A host's or router's IPv4 stack: interfaces, ARP, routing, forwarding, ICMP and UDP.
 * Frames come in from link endpoints ({@link #input}); everything runs on the one thread that
 * owns the node, with time and randomness injected.
 *
 * <p>Packet path: frame in -> Ethernet check -> {@link Arp} or {@link Ipv4Input} -> (forward:
 * {@link Ipv4Forwarder}) or (deliver: {@link Icmp}, or the {@link IpProtocol} registered for the
 * packet's protocol number: {@link Udp} here, TCP and whatever else from above). Out:
 * {@link Ipv4Output} -> {@link LinkOutput} (ARP resolution, Ethernet header) -> link endpoint.
 * Each stage holds the stages it hands packets to; what they all share (interfaces, routes,
 * counters, time) stays here. What happens is reported to the {@link StackObserver}, as values.
 */
public final class NetworkStack {
  /** Bytes kept free in front of locally built payloads for every header below them. */
  public static final int HEADROOM = 128;

  private final String name;
  private final TimeSource time;
  private final RandomGenerator random;
  private final RandomGenerator secrets;
  private final StackObserver observer;
  private final ByteBufAllocator alloc;
  private final boolean forwarding;
  private final NeighborCache.Params neighborParams;
  private final StackCounters counters = new StackCounters();
  private final InternalErrors internalErrors;
  private final RouteTable routes = new RouteTable();
  private final List<Nic> nics = new ArrayList<>();
  private final EthernetFrame eth = new EthernetFrame();
  private long inputSrcMac;
  /** Address translation on the forwarding path, or null (the common case: one branch per packet). */
  private NatHook nat;

  private final LinkOutput linkOutput;
  private final Arp arp;
  private final Ipv4Output ipv4Output;
  private final Ipv4Input ipv4Input;
  private final Ipv4Forwarder forwarder;
  private final Icmp icmp;
  private final Udp udp;
  /** Protocols above IPv4 by protocol number (ICMP is part of IPv4 itself and not in here). */
  private final IpProtocol[] protocols = new IpProtocol[256];
  /** Network-layer protocols other than ARP and IPv4, by EtherType. */
  private final IntObjectHashMap<EtherProtocol> etherProtocols = new IntObjectHashMap<>();
  private final List<LinkListener> linkListeners = new ArrayList<>();
  /** The VLAN demultiplexer of each interface that has subinterfaces, by interface index. */
  private final IntObjectHashMap<VlanDemux> demuxes = new IntObjectHashMap<>();

  /** A stack whose secrets come from {@code random} too: a seeded lab, or a test, reproduces them. */
  public NetworkStack(String name, TimeSource time, RandomGenerator random, StackObserver observer,
                      ByteBufAllocator alloc, boolean forwarding, NeighborCache.Params neighborParams) {
    this(name, time, random, random, observer, alloc, forwarding, neighborParams);
  }

  /**
   * @param random timers' jitter and other choices nobody gains by guessing
   * @param secrets what an off-path attacker must not guess (see {@link #secrets()}): a
   *     {@link #secureRandom()} unless the run is meant to be reproducible
   */
  public NetworkStack(String name, TimeSource time, RandomGenerator random, RandomGenerator secrets,
                      StackObserver observer, ByteBufAllocator alloc, boolean forwarding,
                      NeighborCache.Params neighborParams) {
    this.name = name;
    this.time = time;
    this.random = random;
    this.secrets = secrets;
    this.observer = observer;
    this.alloc = alloc;
    this.forwarding = forwarding;
    this.neighborParams = neighborParams;
    this.internalErrors = new InternalErrors(name, System.err);
    this.linkOutput = new LinkOutput(this, observer);
    this.arp = new Arp(this, linkOutput, observer);
    this.ipv4Output = new Ipv4Output(this, linkOutput, observer);
    this.icmp = new Icmp(this, ipv4Output, observer);
    this.forwarder = new Ipv4Forwarder(this, icmp, linkOutput, observer);
    this.ipv4Input = new Ipv4Input(this, icmp, forwarder, protocols, observer);
    this.udp = new Udp(this, ipv4Output, icmp, observer);
    // the two loops of the output path: the link layer asks ARP to resolve and ICMP to report a
    // neighbour that never answered; a packet to one of our own addresses comes back in
    linkOutput.connect(arp, icmp);
    ipv4Output.connect(ipv4Input);
    registerProtocol(Ipv4Packet.PROTO_UDP, udp::input);
  }

  /**
   * Registers the protocol above IPv4 that takes the packets numbered {@code protocol} (RFC 790's
   * numbers: 6 TCP, 17 UDP, 89 OSPF ...).
   *
   * @throws IllegalStateException if that number is taken or is ICMP's (part of IPv4 itself)
   */
  public void registerProtocol(int protocol, IpProtocol handler) {
    if (protocol == Ipv4Packet.PROTO_ICMP || protocols[protocol & 0xFF] != null) {
      throw new IllegalStateException("IP protocol " + protocol + " is already handled by " + name + "'s stack");
    }
    protocols[protocol & 0xFF] = handler;
  }

  /**
   * Registers the network-layer protocol that takes the frames of {@code etherType} (IEEE's
   * numbers: 0x86DD IPv6 ...), beside the stack's own ARP and IPv4.
   *
   * @throws IllegalStateException if that EtherType is taken
   */
  public void registerEtherType(int etherType, EtherProtocol handler) {
    if (etherType == EthernetFrame.ETHERTYPE_ARP || etherType == EthernetFrame.ETHERTYPE_IPV4
        || etherProtocols.containsKey(etherType)) {
      throw new IllegalStateException(String.format("EtherType 0x%04x is already handled by %s's stack", etherType,
          name));
    }
    etherProtocols.put(etherType, handler);
  }

  /**
   * Adds an interface, its connected route, and starts receiving from its endpoint. The
   * address may be null for an interface without IPv4.
   */
  public Nic addNic(String nicName, long mac, Ipv4Cidr address, LinkEndpoint endpoint) {
    NeighborCache cache = new NeighborCache(time, random, neighborParams, linkOutput, counters);
    Nic nic = new Nic(nics.size() + 2, nicName, mac, address, endpoint, cache);
    cache.attach(nic);
    nics.add(nic);
    if (address != null) {
      routes.add(new Route(address.networkCidr(), 0, nic, 0, Route.Kind.CONNECTED));
    }
    endpoint.receiver(frame -> input(nic, frame));
    return nic;
  }

  /**
   * Adds a VLAN subinterface of {@code parent} ({@code eth0.10}, as {@code ip link add link eth0
   * name eth0.10 type vlan id 10}): an ordinary interface with the parent's MAC and MTU, its own
   * address (or none) and connected route, whose frames cross the parent's link tagged with
   * {@code vid}. The parent's endpoint hands its frames to a {@link VlanDemux} from then on.
   *
   * @throws IllegalArgumentException if the parent is itself a subinterface, the VID is outside
   *     1..4094, or the parent already has a subinterface for it
   */
  public Nic addVlan(Nic parent, String nicName, int vid, Ipv4Cidr address) {
    if (parent.parent() != null) {
      throw new IllegalArgumentException(nicName + ": " + parent.name() + " is itself a VLAN subinterface");
    }
    VlanDemux demux = demuxes.get(parent.index());
    if (demux == null) {
      demux = new VlanDemux(this, parent);
      demuxes.put(parent.index(), demux);
      parent.endpoint().receiver(demux);
    }
    VlanEndpoint endpoint = new VlanEndpoint(nicName, parent, vid);
    demux.add(endpoint);
    Nic nic = addNic(nicName, parent.mac(), address, endpoint);
    nic.vlanOf(parent, vid);
    nic.setUp(parent.isUp());
    return nic;
  }

  /**
   * Adds a static route through {@code gateway}, which must be on a connected subnet (the
   * interface is the one whose subnet holds it). Throws if it is not: a configuration error.
   */
  public Route addRoute(Ipv4Cidr prefix, int gateway, int metric) {
    Nic nic = nicForNeighbor(gateway);
    if (nic == null) {
      throw new IllegalArgumentException("gateway " + Ipv4Address.format(gateway) + " for " + prefix
          + " is not on any connected subnet of " + name);
    }
    Route r = new Route(prefix.networkCidr(), gateway, nic, metric, Route.Kind.STATIC);
    routes.add(r);
    return r;
  }

  /**
   * Gives {@code nic} another IPv4 address, or none ({@code address} null): a DHCP lease bound,
   * changed or lost. The routes through the interface go with the old address, as the kernel
   * removes them with it; the new address brings its connected route and is announced with a
   * gratuitous ARP.
   */
  public void setAddress(Nic nic, Ipv4Cidr address) {
    if (nic.address() != null) {
      routes.removeAll(nic);
    }
    nic.setAddress(address);
    if (address != null) {
      routes.add(new Route(address.networkCidr(), 0, nic, 0, Route.Kind.CONNECTED));
      arp.announce(nic);
    }
  }

  /**
   * Takes in the packets sent to IPv4 multicast {@code group} on {@code nic} (IP_ADD_MEMBERSHIP):
   * they are delivered to the protocol registered for their number, as broadcasts are (no ICMP
   * errors about them, no echo replies). A routing protocol joins 224.0.0.5 this way. No IGMP is
   * sent: the groups emu's protocols use are link-local (224.0.0.0/24), which RFC 2236 never
   * reports, and a switch floods them.
   *
   * @throws IllegalArgumentException if {@code group} is not a multicast address
   */
  public void joinGroup(Nic nic, int group) {
    if (!Ipv4Address.isMulticast(group)) {
      throw new IllegalArgumentException(Ipv4Address.format(group) + " is not an IPv4 multicast group");
    }
    nic.join(group);
  }

  /** Stops taking in {@code group}'s packets on {@code nic}. */
  public void leaveGroup(Nic nic, int group) {
    nic.leave(group);
  }

  /** Announces every address with a gratuitous ARP (RFC 5227), as Linux does on link up. */
  public void start() {
    for (Nic nic : nics) {
      if (nic.address() != null) {
        arp.announce(nic);
      }
    }
  }

  /**
   * Carrier lost or regained on an interface. Down: the interface drops everything both ways
   * and its neighbours are forgotten (queued packets dropped, counted). Up: the node announces
   * itself again with a gratuitous ARP.
   */
  public void setLinkUp(Nic nic, boolean up) {
    setLinkUpOne(nic, up);
    for (Nic sub : nics) {
      if (sub.parent() == nic) {
        setLinkUpOne(sub, up); // a VLAN subinterface has its parent's carrier (Linux: LOWERLAYERDOWN)
      }
    }
  }

  private void setLinkUpOne(Nic nic, boolean up) {
    nic.setUp(up);
    if (!up) {
      nic.neighbors().flush();
    } else if (nic.address() != null) {
      arp.announce(nic);
    }
    for (LinkListener l : linkListeners) {
      l.linkChanged(nic, up);
    }
  }

  /**
   * Puts address translation on this router's IPv4 forwarding path (one translator per node).
   *
   * @throws IllegalStateException if the node does not forward or already has one
   */
  public void setNat(NatHook hook) {
    if (!forwarding || nat != null) {
      throw new IllegalStateException(name + (forwarding ? " already translates addresses" : " does not forward"));
    }
    this.nat = hook;
  }

  /** The address translator, or null. */
  public NatHook nat() {
    return nat;
  }

  /** True if a local socket must not take {@code port} of {@code protocol}: the translator holds it. */
  public boolean portHeldByNat(int protocol, int port) {
    return nat != null && nat.holdsPort(protocol, port);
  }

  /** A network layer beside IPv4 (IPv6) hears of carrier changes here. */
  public void addLinkListener(LinkListener l) {
    linkListeners.add(l);
  }

  /**
   * Hands a complete Ethernet frame to {@code nic}'s link (counted; dropped and counted if the
   * interface is down): for network layers beside IPv4, which build their own frames.
   */
  public void sendFrame(Nic nic, ByteBuf frame) {
    linkOutput.send(nic, frame);
  }

  /**
   * Sends an IPv4 packet this node built whole (reader index at its IP header, the Ethernet
   * header's 14 bytes free in front) to {@code dstMac}, framed and told like any packet: DHCP's,
   * which leave before the node has an address, or for an address ARP cannot resolve yet.
   */
  public void sendIpv4(Nic nic, long dstMac, ByteBuf packet) {
    counters.ipSent++;
    linkOutput.frame(nic, dstMac, packet);
  }

  /**
   * Ingress from a link: the frame's owner is now the stack. Whatever throws while it is handled
   * (down to the listeners of sockets) is contained here: counted, the frame released, and the
   * next frame handled as if nothing happened.
   */
  public void input(Nic nic, ByteBuf frame) {
    try {
      receive(nic, frame);
    } catch (RuntimeException e) {
      internalError(nic, frame, e, "handling a frame from " + nic.name());
    }
  }

  private void receive(Nic nic, ByteBuf frame) {
    nic.rxFrames++;
    nic.rxBytes += frame.readableBytes();
    if (!nic.isUp()) {
      drop(nic, frame, DropReason.LINK_DOWN);
      return;
    }
    frameIn(nic, frame);
  }

  /** A frame counted on {@code nic}: its Ethernet header read and its payload handed on by EtherType. */
  private void frameIn(Nic nic, ByteBuf frame) {
    if (!eth.wrapChecked(frame)) {
      drop(nic, frame, DropReason.RUNT);
      return;
    }
    long dst = eth.dst();
    boolean unicastToUs = dst == nic.mac();
    if (!unicastToUs && !MacAddress.isMulticast(dst)) {
      drop(nic, frame, DropReason.NOT_FOR_US);
      return;
    }
    if (dst == Bpdu.GROUP_ADDRESS) {
      // Switches send a BPDU out of every port each 2 s. Counted, but not traced: one event per
      // BPDU would fill a host's events with noise (a Linux host drops them quietly, rx_nohandler).
      counters.drop(DropReason.BPDU);
      nic.rxDropped++;
      frame.release();
      return;
    }
    int etherType = eth.etherType();
    long outerSrcMac = inputSrcMac;
    inputSrcMac = eth.src();
    try {
      dispatch(nic, frame, etherType, unicastToUs);
    } finally {
      inputSrcMac = outerSrcMac;
    }
  }

  /**
   * The source MAC of the frame being taken in, while its handlers run (0 otherwise): a DHCP
   * client remembers its server's, to send the RELEASE without ARP.
   */
  public long inputSrcMac() {
    return inputSrcMac;
  }

  private void dispatch(Nic nic, ByteBuf frame, int etherType, boolean unicastToUs) {
    switch (etherType) {
      case EthernetFrame.ETHERTYPE_ARP -> arp.input(nic, frame, eth.payloadIndex());
      case EthernetFrame.ETHERTYPE_IPV4 -> ipv4Input.input(nic, frame, eth.payloadIndex(), unicastToUs);
      case EthernetFrame.ETHERTYPE_VLAN -> tagged(nic, frame);
      default -> {
        EtherProtocol p = etherProtocols.get(etherType);
        if (p != null) {
          p.input(nic, frame, eth.payloadIndex(), unicastToUs);
        } else {
          drop(nic, frame, DropReason.UNKNOWN_ETHERTYPE);
        }
      }
    }
  }

  /**
   * A tagged frame that reached the stack. A priority tag (VID 0, 802.1p: a class and no VLAN) is
   * taken off and what it carried handled again, as Linux's core receive path does with or without
   * 8021q: an untagged frame is the interface's own, and a VLAN tag behind the priority tag goes to
   * the interface's subinterface for it, if any (the {@link VlanDemux} sees only non-zero VIDs).
   * Any other tag here is one no subinterface took: another VLAN's, a tag cut short, or a second
   * tag inside a subinterface's.
   */
  private void tagged(Nic nic, ByteBuf frame) {
    if (!VlanTag.isTagged(frame, frame.readerIndex()) || VlanTag.vid(frame, frame.readerIndex()) != 0) {
      drop(nic, frame, DropReason.VLAN_UNKNOWN);
      return;
    }
    ByteBuf inner = VlanDemux.untag(frame);
    VlanDemux demux = demuxes.get(nic.index());
    if (demux != null && VlanTag.isTagged(inner, inner.readerIndex())
        && VlanTag.vid(inner, inner.readerIndex()) != 0) {
      demux.route(inner);
    } else {
      frameIn(nic, inner);
    }
  }

  /** Counts a drop, reports it, and releases the buffer. */
  public void drop(Nic nic, ByteBuf buf, DropReason reason) {
    counters.drop(reason);
    if (nic != null) {
      nic.rxDropped++;
    }
    if (observer.enabled()) {
      observer.dropped(nic, reason, 0);
    }
    buf.release();
  }

  /**
   * Something threw while {@code buf} (null: already released) was handled: counts an
   * {@link DropReason#INTERNAL_ERROR} drop and the exception's class, and releases the buffer if
   * it is still held. Every hand-over of a frame (to a link, a queue, a socket) is the last step
   * of its path, so a frame still referenced when an exception comes out is the stack's own.
   */
  public void internalError(Nic nic, ByteBuf buf, RuntimeException e, String doing) {
    internalErrors.count(e, doing);
    counters.drop(DropReason.INTERNAL_ERROR);
    if (nic != null) {
      nic.rxDropped++;
    }
    if (observer.enabled()) {
      observer.dropped(nic, DropReason.INTERNAL_ERROR, 0);
    }
    if (buf != null && buf.refCnt() > 0) {
      buf.release();
    }
  }

  /** The exceptions contained while frames were handled, by class. */
  public InternalErrors internalErrors() {
    return internalErrors;
  }

  /** True if {@code addr} is one of this node's own addresses (weak host model, like Linux). */
  public boolean isLocal(int addr) {
    for (int i = 0; i < nics.size(); i++) {
      if (nics.get(i).ip() == addr && addr != 0) {
        return true;
      }
    }
    return false;
  }

  /** True for the limited broadcast or a connected subnet's directed broadcast. */
  public boolean isBroadcast(int addr) {
    if (addr == Ipv4Address.BROADCAST) {
      return true;
    }
    for (int i = 0; i < nics.size(); i++) {
      Ipv4Cidr a = nics.get(i).address();
      if (a != null && a.prefixLength() < 31 && a.broadcast() == addr) {
        return true;
      }
    }
    return false;
  }

  /** The interface whose connected subnet holds {@code addr}, or null. */
  public Nic nicForNeighbor(int addr) {
    for (Nic nic : nics) {
      if (nic.address() != null && nic.address().contains(addr)) {
        return nic;
      }
    }
    return null;
  }

  public Nic nic(String nicName) {
    for (Nic nic : nics) {
      if (nic.name().equals(nicName)) {
        return nic;
      }
    }
    return null;
  }

  /** A buffer for a locally built payload, with {@link #HEADROOM} bytes free in front. */
  public ByteBuf allocate(int payloadCapacity) {
    ByteBuf buf = alloc.buffer(HEADROOM + payloadCapacity);
    buf.writerIndex(HEADROOM).readerIndex(HEADROOM);
    return buf;
  }

  public String name() {
    return name;
  }

  public List<Nic> nics() {
    return Collections.unmodifiableList(nics);
  }

  public RouteTable routes() {
    return routes;
  }

  public StackCounters counters() {
    return counters;
  }

  public boolean forwarding() {
    return forwarding;
  }

  /** The neighbour cache tunables the interfaces were made with. */
  public NeighborCache.Params neighborParams() {
    return neighborParams;
  }

  public TimeSource time() {
    return time;
  }

  public RandomGenerator random() {
    return random;
  }

  /**
   * The source of the values an off-path attacker must not guess: DNS transaction IDs and
   * source ports (RFC 5452 4 and 10), ephemeral ports (RFC 6056), the TCP ISN key (RFC 6528)
   * and timestamp offsets (RFC 7323 7.1). A CSPRNG ({@link #secureRandom()}) in a lab started
   * without {@code --seed}; the seeded {@link #random()} itself in a lab started with one, so
   * the run replays, and predictably so.
   */
  public RandomGenerator secrets() {
    return secrets;
  }

  /**
   * A CSPRNG for {@link #secrets()}: NIST SP 800-90A Hash_DRBG (SHA-256) seeded from the
   * operating system's entropy, which never blocks once the kernel's pool is initialised.
   */
  public static RandomGenerator secureRandom() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom(); // every JDK since 9 has DRBG; the platform default otherwise
    }
  }

  public Icmp icmp() {
    return icmp;
  }

  public Udp udp() {
    return udp;
  }

  public Ipv4Output ipv4Output() {
    return ipv4Output;
  }

  public Arp arp() {
    return arp;
  }

  /** The node's allocator, for buffers handed to applications (e.g. received TCP data). */
  public ByteBufAllocator alloc() {
    return alloc;
  }
}
