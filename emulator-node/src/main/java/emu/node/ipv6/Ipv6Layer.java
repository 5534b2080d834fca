package emu.node.ipv6;

import emu.link.wire.EthernetFrame;
import emu.node.stack.DropReason;
import emu.node.stack.NeighborCache;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.stack.SendResult;
import emu.node.wire.Icmpv6Packet;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Cidr;
import emu.node.wire.Ipv6Extensions;
import emu.node.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * IPv6 on a node (RFC 8200), beside IPv4 on the same interfaces: registered with the node's
 * {@link NetworkStack} for EtherType 0x86DD, it keeps its own addresses per interface, routing
 * table, neighbour caches and counters, and takes the stack's interfaces, clock, randomness and
 * link. Parts: {@link Ipv6Input} (receive, deliver, forward), {@link Ipv6Output} (send, and
 * fragment what this node originates), {@link Ipv6Reassembly}, {@link Ipv6PathMtu} (one cache for
 * every protocol), {@link Icmpv6}, {@link NeighborDiscovery} (neighbours, addresses, routers).
 * Everything runs on the node's event loop.
 */
public final class Ipv6Layer {
  private final NetworkStack stack;
  private final Ipv6Observer observer;
  private final Ipv6Counters counters = new Ipv6Counters();
  private final Ipv6Routes routes = new Ipv6Routes();
  private final List<Ipv6Interface> interfaces = new ArrayList<>();
  /** Interfaces by the NIC's index, for the receive path. */
  private Ipv6Interface[] byIndex = new Ipv6Interface[8];
  private final Ipv6Protocol[] protocols = new Ipv6Protocol[256];
  private final Ipv6Input input;
  private final Ipv6Output output;
  private final Icmpv6 icmp;
  private final NeighborDiscovery nd;
  private final Udp6 udp;
  private final Ipv6Reassembly reassembly;
  private final Ipv6PathMtu pathMtu = new Ipv6PathMtu();
  private int hopLimit = Ipv6Output.DEFAULT_HOP_LIMIT;
  /** Nothing is received before {@link #start()}: an interface's addresses are not yet being checked. */
  private boolean started;

  public Ipv6Layer(NetworkStack stack, Ipv6Observer observer) {
    this.stack = stack;
    this.observer = observer;
    this.output = new Ipv6Output(this, stack, observer);
    this.icmp = new Icmpv6(this, stack, observer);
    this.nd = new NeighborDiscovery(this, stack, observer);
    this.input = new Ipv6Input(this, stack, observer);
    this.udp = new Udp6(this, observer);
    this.reassembly = new Ipv6Reassembly(this, stack, observer);
    registerProtocol(Ipv6Extensions.UDP, udp);
    stack.registerEtherType(EthernetFrame.ETHERTYPE_IPV6, (nic, frame, at, unicast) -> {
      if (started) {
        input.input(nic, frame, at, unicast);
      } else {
        // IPv6 is not up yet (the node is still starting): as an interface without IPv6
        // configured, it takes nothing in; counted, not reported as a drop
        counters.beforeStart++;
        frame.release();
      }
    });
    stack.addLinkListener(this::linkChanged);
  }

  /**
   * IPv6 on {@code nic}: its link-local address, the {@code statics} from the topology, and
   * addresses from routers' prefixes if {@code autoconf}. Each prefix becomes an on-link route.
   * Addresses stay tentative until {@link #start()} has checked them.
   */
  public Ipv6Interface enable(Nic nic, List<Ipv6Cidr> statics, boolean autoconf) {
    if (interfaceOf(nic) != null) {
      throw new IllegalStateException("IPv6 is already on " + nic.name());
    }
    NeighborCache cache = new NeighborCache(stack.time(), stack.random(), stack.neighborParams(), nd, stack.counters(),
        NeighborCache.Family.NDP);
    cache.attach(nic);
    Ipv6Interface iface = new Ipv6Interface(nic, cache, autoconf);
    interfaces.add(iface);
    if (nic.index() >= byIndex.length) {
      byIndex = Arrays.copyOf(byIndex, Math.max(nic.index() + 1, 2 * byIndex.length));
    }
    byIndex[nic.index()] = iface;
    Ipv6Cidr linkLocal = new Ipv6Cidr(Ipv6Address.linkLocal(nic.mac()), 64);
    iface.add(linkLocal, Ipv6InterfaceAddress.Origin.LINK_LOCAL);
    routes.add(new Ipv6Route(linkLocal.networkCidr(), null, nic, 256, Ipv6Route.Kind.KERNEL, Long.MAX_VALUE));
    for (Ipv6Cidr a : statics) {
      if (a.address().isMulticast() || a.address().isLinkLocal() || a.address().isUnspecified()) {
        throw new IllegalArgumentException(a + " cannot be a static address of " + nic.name()
            + " (multicast, link-local or unspecified)");
      }
      iface.add(a, Ipv6InterfaceAddress.Origin.STATIC);
      if (!routes.has(a.networkCidr(), nic)) {
        routes.add(new Ipv6Route(a.networkCidr(), null, nic, 256, Ipv6Route.Kind.KERNEL, Long.MAX_VALUE));
      }
    }
    return iface;
  }

  /**
   * A static route: {@code prefix} via {@code gateway}, which must be on a connected prefix (a
   * link-local gateway needs {@code nic}, the link it is on).
   */
  public Ipv6Route addRoute(Ipv6Cidr prefix, Ipv6Address gateway, Nic nic, int metric) {
    Nic via = nic;
    if (via == null) {
      for (Ipv6Interface i : interfaces) {
        for (Ipv6InterfaceAddress a : i.addresses()) {
          if (a.origin() != Ipv6InterfaceAddress.Origin.LINK_LOCAL && a.cidr().contains(gateway)) {
            via = i.nic();
          }
        }
      }
    }
    if (via == null || interfaceOf(via) == null) {
      throw new IllegalArgumentException("gateway " + gateway + " for " + prefix + " is on no IPv6 link of "
          + stack.name() + (gateway.isLinkLocal() ? " (a link-local gateway needs its interface)" : ""));
    }
    Ipv6Route r = new Ipv6Route(prefix.networkCidr(), gateway, via, metric, Ipv6Route.Kind.STATIC, Long.MAX_VALUE);
    routes.add(r);
    return r;
  }

  /** Checks every address (duplicate address detection), then solicits routers or, on a router, advertises. */
  public void start() {
    started = true;
    for (Ipv6Interface iface : interfaces) {
      if (iface.nic().isUp()) {
        bringUp(iface);
      }
    }
  }

  private void bringUp(Ipv6Interface iface) {
    for (Ipv6InterfaceAddress a : iface.addresses()) {
      // RFC 4862 5.4.2: a random delay before the first probe, so nodes started together do not collide
      nd.startDad(iface, a, (long) (stack.random().nextDouble() * NeighborDiscovery.MAX_RTR_SOLICITATION_DELAY));
    }
    if (!stack.forwarding()) {
      nd.startRouterSolicitation(iface);
    }
  }

  private void linkChanged(Nic nic, boolean up) {
    Ipv6Interface iface = interfaceOf(nic);
    if (iface == null) {
      return;
    }
    iface.neighbors().flush();
    nd.cancelRouterTimer(iface);
    for (Ipv6InterfaceAddress a : iface.addresses()) {
      nd.cancelDad(a);
    }
    if (up) {
      bringUp(iface);
    }
  }

  /** After duplicate address detection: a router's link-local address lets it advertise. */
  void addressReady(Ipv6Interface iface, Ipv6InterfaceAddress a) {
    if (stack.forwarding() && a.origin() == Ipv6InterfaceAddress.Origin.LINK_LOCAL) {
      nd.startAdvertising(iface);
    }
  }

  /**
   * Deprecates and removes an autoconfigured address when its lifetimes run out: one timer per
   * address, for the next step, re-armed whenever an advertisement moves its lifetimes.
   */
  void scheduleLifetime(Ipv6Interface iface, Ipv6InterfaceAddress a) {
    // a preferred address's next step is its deprecation; any other's (tentative: the end of
    // duplicate address detection reschedules it) its removal
    long next = a.state == Ipv6InterfaceAddress.State.PREFERRED && a.preferredUntil != Long.MAX_VALUE
        ? a.preferredUntil : a.validUntil;
    if (a.lifetimeTimer != null) {
      if (a.lifetimeAt <= next) {
        return; // the armed step comes first and looks again then (advertisements mostly extend)
      }
      a.lifetimeTimer.cancel();
      a.lifetimeTimer = null;
    }
    if (next == Long.MAX_VALUE) {
      return;
    }
    a.lifetimeAt = next;
    a.lifetimeTimer = stack.time().schedule(() -> lifetimeStep(iface, a),
        Math.max(0, next - stack.time().nanos()));
  }

  private void lifetimeStep(Ipv6Interface iface, Ipv6InterfaceAddress a) {
    a.lifetimeTimer = null;
    long now = stack.time().nanos();
    if (!iface.addresses().contains(a)) {
      return;
    }
    if (now >= a.validUntil) {
      nd.cancelDad(a);
      iface.remove(a);
      return;
    }
    if (now >= a.preferredUntil && a.state == Ipv6InterfaceAddress.State.PREFERRED) {
      a.state = Ipv6InterfaceAddress.State.DEPRECATED;
      if (observer.enabled()) {
        observer.addressChanged(iface.nic(), a);
      }
    }
    scheduleLifetime(iface, a);
  }

  // ---- what the parts share ----

  /** The interface of {@code nic}, or null if IPv6 is not on it. */
  public Ipv6Interface interfaceOf(Nic nic) {
    int i = nic.index();
    return i < byIndex.length ? byIndex[i] : null;
  }

  Ipv6Interface interfaceOf(Ipv6InterfaceAddress a) {
    for (Ipv6Interface i : interfaces) {
      if (i.addresses().contains(a)) {
        return i;
      }
    }
    return null;
  }

  /** The usable address {@code a} of this node (on any interface, as Linux accepts), or null. */
  public Ipv6InterfaceAddress localAddress(Ipv6Address a) {
    Ipv6InterfaceAddress x = addressOf(a);
    return x != null && x.usable() ? x : null;
  }

  /** This node's address {@code a} in any state, or null. */
  Ipv6InterfaceAddress addressOf(Ipv6Address a) {
    for (Ipv6Interface i : interfaces) {
      Ipv6InterfaceAddress x = i.find(a);
      if (x != null) {
        return x;
      }
    }
    return null;
  }

  /** The node's address {@code hi:lo} (any state), without allocating, or null. */
  Ipv6InterfaceAddress localAddress(long hi, long lo) {
    for (int i = 0; i < interfaces.size(); i++) {
      Ipv6InterfaceAddress x = interfaces.get(i).find(hi, lo);
      if (x != null) {
        return x;
      }
    }
    return null;
  }

  /**
   * The source for a packet to {@code dst} leaving by {@code out} (RFC 6724 section 5,
   * simplified): the link-local address for a link-scope destination; otherwise a global of
   * {@code out}, preferred before deprecated, then the longest common prefix; failing that a
   * global of another interface, then the link-local address. Null while nothing is usable.
   */
  public Ipv6InterfaceAddress sourceFor(Ipv6Address dst, Ipv6Interface out) {
    boolean linkScope = dst.isLinkLocal() || dst.isMulticast() && (dst.hi() >>> 48 & 0xF) <= 2;
    if (linkScope) {
      return out.linkLocal();
    }
    Ipv6InterfaceAddress best = bestGlobal(dst, out);
    for (int i = 0; best == null && i < interfaces.size(); i++) {
      best = bestGlobal(dst, interfaces.get(i));
    }
    return best != null ? best : out.linkLocal();
  }

  private static Ipv6InterfaceAddress bestGlobal(Ipv6Address dst, Ipv6Interface iface) {
    Ipv6InterfaceAddress best = null;
    for (Ipv6InterfaceAddress a : iface.addresses()) {
      if (!a.usable() || a.origin() == Ipv6InterfaceAddress.Origin.LINK_LOCAL) {
        continue;
      }
      if (best == null || better(a, best, dst)) {
        best = a;
      }
    }
    return best;
  }

  private static boolean better(Ipv6InterfaceAddress a, Ipv6InterfaceAddress b, Ipv6Address dst) {
    boolean ap = a.state() == Ipv6InterfaceAddress.State.PREFERRED;
    boolean bp = b.state() == Ipv6InterfaceAddress.State.PREFERRED;
    if (ap != bp) {
      return ap;
    }
    return a.cidr().address().commonPrefixLength(dst) > b.cidr().address().commonPrefixLength(dst);
  }

  void drop(Nic nic, ByteBuf buf, DropReason reason) {
    stack.drop(nic, buf, reason);
  }

  void hopLimit(int h) {
    this.hopLimit = h;
  }

  Ipv6Input input() {
    return input;
  }

  Ipv6Output output() {
    return output;
  }

  Icmpv6 icmp() {
    return icmp;
  }

  NeighborDiscovery neighborDiscovery() {
    return nd;
  }

  Ipv6Protocol protocol(int nextHeader) {
    return protocols[nextHeader];
  }

  Ipv6Reassembly reassembly() {
    return reassembly;
  }

  /**
   * A packet too big message arrived (already checked): if it quotes a packet from one of this
   * node's addresses, the path MTU to the quoted destination is lowered, for every protocol (as
   * BSD's icmp6_mtudisc_update does, before the listeners see the message).
   */
  void packetTooBig(Ipv6Address from, Icmpv6Packet icmp) {
    ByteBuf b = icmp.buffer();
    int q = icmp.dataIndex();
    if (icmp.dataLength() < Ipv6Packet.HEADER_LEN || localAddress(b.getLong(q + Ipv6Packet.SRC), b.getLong(q + Ipv6Packet.SRC + 8)) == null) {
      return; // about nothing this node sent (or too little of it quoted to say)
    }
    Ipv6Address dst = Ipv6Address.read(b, q + Ipv6Packet.DST);
    long now = stack.time().nanos();
    Ipv6Route r = dst.isMulticast() || dst.isLinkLocal() ? null : routes.lookup(dst, now);
    Ipv6Interface out = r == null ? null : interfaceOf(r.nic());
    int current = out == null ? 0xFFFF : pathMtu.pathMtu(dst, (int) out.mtu(), now);
    int mtu = pathMtu.learn(dst, icmp.word(), current, now);
    if (mtu > 0) {
      counters.pathMtuLowered++;
      if (observer.enabled()) {
        observer.pathMtuLowered(dst, mtu, from);
      }
    }
  }

  // ---- for the layers and tools above ----

  /**
   * Registers the protocol above IPv6 for next-header number {@code nextHeader} (17 UDP, 6 TCP ...).
   *
   * @throws IllegalStateException if taken, or ICMPv6's or an extension header's
   */
  public void registerProtocol(int nextHeader, Ipv6Protocol handler) {
    if (nextHeader == 58 || nextHeader == 0 || nextHeader == 43 || nextHeader == 44 || nextHeader == 60
        || nextHeader == 59 || protocols[nextHeader & 0xFF] != null) {
      throw new IllegalStateException("IPv6 next header " + nextHeader + " is already handled");
    }
    protocols[nextHeader & 0xFF] = handler;
  }

  public void addIcmpListener(Icmpv6Listener l) {
    icmp.addListener(l);
  }

  public void removeIcmpListener(Icmpv6Listener l) {
    icmp.removeListener(l);
  }

  /** Sends an echo request (ping); {@code nic} names the interface for a link-local or multicast destination. */
  public SendResult sendEcho(Ipv6Address dst, Nic nic, int ident, int seq, int hopLimit, ByteBuf data) {
    return icmp.sendEcho(dst, nic, ident, seq, hopLimit, data);
  }

  /**
   * Sends an upper-layer payload built by a protocol above IPv6 (TCP): reader index at its
   * header, {@code NetworkStack.HEADROOM} free in front; {@code src} null lets source address
   * selection pick (RFC 6724); {@code nic} names the interface of a link-local destination;
   * {@code checksum} fills the upper checksum once the source is known. Takes ownership.
   */
  public SendResult send(Ipv6Address src, Ipv6Address dst, Nic nic, int nextHeader, int hopLimit, ByteBuf payload,
                         Ipv6ChecksumFiller checksum) {
    return output.send(src, dst, nic, nextHeader, hopLimit, payload, checksum);
  }

  /**
   * The MTU for a packet this node sends to {@code dst} by {@code out}: the interface's, or the
   * path MTU learnt for {@code dst} if smaller (RFC 8201).
   */
  public int pathMtu(Ipv6Address dst, Ipv6Interface out) {
    return pathMtu.pathMtu(dst, (int) out.mtu(), stack.time().nanos());
  }

  /** The path MTU cache (what {@code ip -6 route get} shows as {@code mtu}). */
  public Ipv6PathMtu pathMtuCache() {
    return pathMtu;
  }

  /** Bytes held for reassembly now (fragments and queues), and the packets being reassembled. */
  public long reassemblyMemory() {
    return reassembly.memory();
  }

  public int reassemblyQueues() {
    return reassembly.queues();
  }

  /** Drops every packet being reassembled (the node stops). */
  public void flushReassembly() {
    reassembly.flush();
  }

  /** UDP over IPv6. */
  public Udp6 udp() {
    return udp;
  }

  public Ipv6Routes routes() {
    return routes;
  }

  public List<Ipv6Interface> interfaces() {
    return Collections.unmodifiableList(interfaces);
  }

  public Ipv6Counters counters() {
    return counters;
  }

  /** The hop limit for packets this node originates (a router's advertisement may set it). */
  public int hopLimit() {
    return hopLimit;
  }

  public NetworkStack stack() {
    return stack;
  }
}
