package emu.node.ipv6;

import emu.node.stack.DropReason;
import emu.node.stack.NeighborCache;
import emu.node.stack.NeighborEvents;
import emu.node.stack.NeighborState;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.wire.Icmpv6Packet;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Cidr;
import emu.node.wire.Ipv6Extensions;
import emu.node.wire.Ipv6Packet;
import emu.node.wire.Ndp;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Neighbor discovery (RFC 4861) and stateless address autoconfiguration (RFC 4862): resolves
 * neighbours for the neighbour caches (solicitations to the solicited-node group, advertisements
 * back), checks addresses before using them (duplicate address detection: a solicitation from
 * the unspecified address; an answer, or another node's probe for the same address, makes it
 * duplicate), announces them (an unsolicited advertisement), and runs router discovery: a host
 * solicits routers and learns from their advertisements a default router, on-link prefixes, the
 * link MTU and, on an interface that says {@code ipv6: auto}, addresses of its own; a router
 * advertises the prefixes of its global addresses, at start, periodically and when solicited.
 * Timers are RFC 4861 section 10's and RFC 4862 5.1's (DupAddrDetectTransmits 1, RetransTimer
 * 1 s), with time and randomness the node's.
 */
final class NeighborDiscovery implements NeighborEvents {
  private static final long S = 1_000_000_000L;
  static final long MAX_RTR_SOLICITATION_DELAY = S;
  static final long RTR_SOLICITATION_INTERVAL = 4 * S;
  static final int MAX_RTR_SOLICITATIONS = 3;
  static final long RETRANS_TIMER = S;
  static final int DUP_ADDR_DETECT_TRANSMITS = 1;
  static final int MAX_INITIAL_RTR_ADVERTISEMENTS = 3;
  static final long MAX_INITIAL_RTR_ADVERT_INTERVAL = 16 * S;
  static final long MIN_RTR_ADV_INTERVAL = 200 * S;
  static final long MAX_RTR_ADV_INTERVAL = 600 * S;
  static final long MIN_DELAY_BETWEEN_RAS = 3 * S;
  static final long MAX_RA_DELAY_TIME = S / 2;
  /** What a router advertises (RFC 4861 6.2.1's defaults). */
  static final int ROUTER_LIFETIME = 1800;
  static final long VALID_LIFETIME = 2_592_000;
  static final long PREFERRED_LIFETIME = 604_800;
  /** RFC 4862 5.5.3 e: a valid lifetime is not cut below two hours by an advertisement. */
  static final long TWO_HOURS = 7200;
  static final int DEFAULT_ROUTE_METRIC = 1024;
  /**
   * Bounds on what advertisements can make a host keep, so a flood of forged ones cannot grow it:
   * autoconfigured addresses per interface (Linux's max_addresses), default routers and on-link
   * prefixes per interface.
   */
  static final int MAX_SLAAC_ADDRESSES = 16;
  static final int MAX_DEFAULT_ROUTERS = 16;
  static final int MAX_RA_PREFIXES = 64;

  private final Ipv6Layer layer;
  private final NetworkStack stack;
  private final Ipv6Observer observer;
  private final Ipv6Packet ip = new Ipv6Packet();
  private final Icmpv6Packet icmp = new Icmpv6Packet();
  private final Ndp.Options options = new Ndp.Options();

  NeighborDiscovery(Ipv6Layer layer, NetworkStack stack, Ipv6Observer observer) {
    this.layer = layer;
    this.stack = stack;
    this.observer = observer;
  }

  // ---- receiving ----

  /** A checked ICMPv6 message of a neighbour discovery type (133-137); owns {@code buf}. */
  void input(Nic nic, ByteBuf buf, int ipStart, int at, int length) {
    ip.wrap(buf, ipStart);
    icmp.wrap(buf, at, length);
    Ipv6Interface iface = layer.interfaceOf(nic);
    if (Ndp.check(ip, icmp, options) != Ndp.Check.OK) {
      layer.drop(nic, buf, DropReason.NDP_INVALID);
      return;
    }
    layer.counters().ndpReceived++;
    switch (icmp.type()) {
      case Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION -> solicitation(iface, buf, at);
      case Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT -> advertisement(iface, buf, at);
      case Icmpv6Packet.TYPE_ROUTER_SOLICITATION -> routerSolicitation(iface);
      case Icmpv6Packet.TYPE_ROUTER_ADVERTISEMENT -> routerAdvertisement(iface, buf, at);
      default -> { } // redirects are not followed (a host keeps its routes)
    }
    buf.release();
  }

  private void solicitation(Ipv6Interface iface, ByteBuf buf, int at) {
    Ipv6Address src = ip.src();
    Ipv6Address target = Ndp.target(buf, at);
    Ipv6InterfaceAddress mine = iface.find(target);
    if (observer.enabled()) {
      observer.solicitationHeard(iface.nic(), src, target, options.sourceMac(), mine != null);
    }
    if (mine == null || mine.state == Ipv6InterfaceAddress.State.DUPLICATE) {
      return; // not ours: emu nodes proxy for nobody
    }
    if (mine.state == Ipv6InterfaceAddress.State.TENTATIVE) {
      if (src.isUnspecified()) {
        duplicate(iface, mine); // another node probes for the same address (RFC 4862 5.4.3)
      }
      return;
    }
    int flags = Ndp.NA_OVERRIDE | (stack.forwarding() ? Ndp.NA_ROUTER : 0);
    if (src.isUnspecified()) {
      // someone checks whether our address is free: tell everyone it is not (RFC 4861 7.2.4)
      sendAdvertisement(iface, target, Ipv6Address.ALL_NODES, flags);
      return;
    }
    if (options.sourceMac() >= 0) {
      iface.neighbors().learn(src.hi(), src.lo(), options.sourceMac(), true);
    }
    sendAdvertisement(iface, target, src, flags | Ndp.NA_SOLICITED);
  }

  private void advertisement(Ipv6Interface iface, ByteBuf buf, int at) {
    Ipv6Address target = Ndp.target(buf, at);
    int flags = Ndp.advertisementFlags(buf, at);
    long mac = options.targetMac();
    if (observer.enabled()) {
      observer.advertisementHeard(iface.nic(), ip.src(), target, flags, mac);
    }
    Ipv6InterfaceAddress mine = iface.find(target);
    if (mine != null) {
      if (mine.state == Ipv6InterfaceAddress.State.TENTATIVE) {
        duplicate(iface, mine); // someone already holds the address we were checking
      }
      return;
    }
    NeighborCache neighbors = iface.neighbors();
    NeighborCache.Entry e = neighbors.lookup(target.hi(), target.lo());
    if (e == null) {
      return; // an advertisement for no one we asked about (RFC 4861 7.2.5)
    }
    boolean solicited = (flags & Ndp.NA_SOLICITED) != 0;
    boolean override = (flags & Ndp.NA_OVERRIDE) != 0;
    if (e.state() == NeighborState.INCOMPLETE) {
      if (mac < 0) {
        return; // nothing to complete it with
      }
      if (solicited) {
        neighbors.confirm(target.hi(), target.lo(), mac);
      } else {
        neighbors.learn(target.hi(), target.lo(), mac, false);
      }
    } else {
      boolean differs = mac >= 0 && mac != e.mac();
      if (differs && !override) {
        neighbors.doubt(target.hi(), target.lo()); // keep the cached address; REACHABLE -> STALE
        return; // and the IsRouter flag as it was
      }
      if (solicited) {
        neighbors.confirm(target.hi(), target.lo(), differs ? mac : e.mac());
      } else if (differs) {
        neighbors.learn(target.hi(), target.lo(), mac, false);
      }
    }
    boolean router = (flags & Ndp.NA_ROUTER) != 0;
    if (e.router() && !router) {
      // no longer a router: off the default router list (RFC 4861 7.2.5)
      Nic nic = iface.nic();
      layer.routes().removeIf(r -> r.kind() == Ipv6Route.Kind.RA && r.isDefault() && r.nic() == nic
          && target.equals(r.gateway()));
    }
    e.router(router);
  }

  private void routerSolicitation(Ipv6Interface iface) {
    if (!stack.forwarding()) {
      return; // hosts ignore solicitations for routers
    }
    Ipv6Address src = ip.src();
    if (observer.enabled()) {
      observer.routerSolicitationHeard(iface.nic(), src);
    }
    if (!src.isUnspecified() && options.sourceMac() >= 0) {
      iface.neighbors().learn(src.hi(), src.lo(), options.sourceMac(), true);
    }
    // RFC 4861 6.2.6: answer after a random delay, and not sooner than MIN_DELAY_BETWEEN_RAS after
    // the last; solicitations that come while an answer is pending share it
    if (iface.solicitedAnswer != null) {
      return;
    }
    long now = stack.time().nanos();
    long at = Math.max(now + (long) (stack.random().nextDouble() * MAX_RA_DELAY_TIME),
        iface.lastAdvertisementAt + MIN_DELAY_BETWEEN_RAS);
    iface.solicitedAnswer = stack.time().schedule(() -> {
      iface.solicitedAnswer = null;
      advertise(iface);
    }, at - now);
  }

  private void routerAdvertisement(Ipv6Interface iface, ByteBuf buf, int at) {
    if (stack.forwarding()) {
      return; // routers do not take their configuration from other routers
    }
    Nic nic = iface.nic();
    Ipv6Address router = ip.src();
    long now = stack.time().nanos();
    int lifetime = Ndp.raRouterLifetime(buf, at);
    List<Ipv6Cidr> prefixes = new ArrayList<>();
    for (int i = 0; i < options.prefixCount(); i++) {
      prefixes.add(options.prefix(i).networkCidr());
    }
    if (observer.enabled()) {
      observer.routerAdvertisementHeard(nic, router, lifetime, options.mtu(), prefixes);
    }
    iface.heardRouter = true;
    layer.routes().expire(now);
    if (options.sourceMac() >= 0) {
      iface.neighbors().learn(router.hi(), router.lo(), options.sourceMac(), true);
    }
    NeighborCache.Entry entry = iface.neighbors().lookup(router.hi(), router.lo());
    if (entry != null) {
      entry.router(true);
    }
    int curHopLimit = Ndp.raCurHopLimit(buf, at);
    if (curHopLimit != 0) {
      layer.hopLimit(curHopLimit);
    }
    boolean known = layer.routes().removeIf(r -> r.isDefault() && r.nic() == nic && router.equals(r.gateway()));
    if (lifetime > 0 && (known || countRa(nic, true) < MAX_DEFAULT_ROUTERS)) {
      layer.routes().add(new Ipv6Route(new Ipv6Cidr(Ipv6Address.UNSPECIFIED, 0), router, nic, DEFAULT_ROUTE_METRIC,
          Ipv6Route.Kind.RA, now + lifetime * S));
    }
    long mtu = options.mtu();
    if (mtu >= Ipv6Packet.MIN_MTU && mtu <= nic.mtu()) {
      iface.mtu(mtu); // out of range: ignored (RFC 4861 6.3.4)
    }
    for (int i = 0; i < options.prefixCount(); i++) {
      prefix(iface, options.prefix(i).networkCidr(), options.prefixFlags(i), options.validLifetime(i),
          options.preferredLifetime(i), now);
    }
  }

  /** A prefix information option (RFC 4861 6.3.4, RFC 4862 5.5.3). */
  private void prefix(Ipv6Interface iface, Ipv6Cidr prefix, int flags, long valid, long preferred, long now) {
    if (prefix.address().isLinkLocal() || preferred > valid) {
      return;
    }
    Nic nic = iface.nic();
    if ((flags & Ndp.PREFIX_ON_LINK) != 0) {
      boolean known = layer.routes().removeIf(r -> r.kind() == Ipv6Route.Kind.RA && r.nic() == nic
          && r.prefix().equals(prefix));
      if (valid > 0 && !layer.routes().has(prefix, nic) && (known || countRa(nic, false) < MAX_RA_PREFIXES)) {
        layer.routes().add(new Ipv6Route(prefix, null, nic, 256, Ipv6Route.Kind.RA, deadline(now, valid)));
      }
    }
    if ((flags & Ndp.PREFIX_AUTONOMOUS) == 0 || !iface.autoconf() || prefix.prefixLength() != 64) {
      return;
    }
    Ipv6Address mine = new Ipv6Address(prefix.address().hi(), Ipv6Address.eui64(nic.mac()));
    Ipv6InterfaceAddress a = iface.find(mine);
    if (a == null) {
      // a new address needs a valid lifetime, and an interface with room for it (Linux's max_addresses)
      if (valid == 0 || iface.addresses().stream().filter(x -> x.origin() == Ipv6InterfaceAddress.Origin.SLAAC)
          .count() >= MAX_SLAAC_ADDRESSES) {
        return;
      }
      a = iface.add(new Ipv6Cidr(mine, 64), Ipv6InterfaceAddress.Origin.SLAAC);
      a.validUntil = deadline(now, valid);
      a.preferredUntil = deadline(now, preferred);
      startDad(iface, a, 0);
    } else if (a.origin() == Ipv6InterfaceAddress.Origin.SLAAC) {
      long remaining = a.validUntil == Long.MAX_VALUE ? Long.MAX_VALUE : (a.validUntil - now) / S;
      if (valid > TWO_HOURS || valid > remaining) {
        a.validUntil = deadline(now, valid);
      } else if (remaining > TWO_HOURS) {
        a.validUntil = deadline(now, TWO_HOURS);
      }
      a.preferredUntil = deadline(now, preferred);
      if (a.state == Ipv6InterfaceAddress.State.DEPRECATED && preferred > 0) {
        a.state = Ipv6InterfaceAddress.State.PREFERRED;
        if (observer.enabled()) {
          observer.addressChanged(nic, a);
        }
      } else if (a.state == Ipv6InterfaceAddress.State.PREFERRED && preferred == 0) {
        a.state = Ipv6InterfaceAddress.State.DEPRECATED; // the router withdraws it from new use
        if (observer.enabled()) {
          observer.addressChanged(nic, a);
        }
      }
    }
    layer.scheduleLifetime(iface, a);
  }

  /** Routes advertisements taught on {@code nic}: default routers, or on-link prefixes. */
  private long countRa(Nic nic, boolean defaults) {
    return layer.routes().routes().stream()
        .filter(r -> r.kind() == Ipv6Route.Kind.RA && r.nic() == nic && r.isDefault() == defaults).count();
  }

  private static long deadline(long now, long seconds) {
    return seconds == 0xFFFF_FFFFL ? Long.MAX_VALUE : now + seconds * S;
  }

  // ---- duplicate address detection ----

  /** Checks {@code a} before using it: after {@code delay}, solicitations from the unspecified address. */
  void startDad(Ipv6Interface iface, Ipv6InterfaceAddress a, long delay) {
    a.state = Ipv6InterfaceAddress.State.TENTATIVE;
    a.dadTransmitsLeft = DUP_ADDR_DETECT_TRANSMITS;
    cancelDad(a);
    if (observer.enabled()) {
      observer.addressChanged(iface.nic(), a); // tentative: checked before it is used
    }
    a.dadTimer = stack.time().schedule(() -> dadStep(iface, a), delay);
  }

  private void dadStep(Ipv6Interface iface, Ipv6InterfaceAddress a) {
    a.dadTimer = null;
    if (a.state != Ipv6InterfaceAddress.State.TENTATIVE || !iface.nic().isUp()) {
      return;
    }
    if (a.dadTransmitsLeft > 0) {
      a.dadTransmitsLeft--;
      Ipv6Address target = a.cidr().address();
      sendSolicitation(iface, target, Ipv6Address.UNSPECIFIED, target.solicitedNode(), -1);
      a.dadTimer = stack.time().schedule(() -> dadStep(iface, a), RETRANS_TIMER);
      return;
    }
    // nobody answered: the address is ours; deprecated at once if its preferred lifetime is over
    a.state = stack.time().nanos() >= a.preferredUntil ? Ipv6InterfaceAddress.State.DEPRECATED
        : Ipv6InterfaceAddress.State.PREFERRED;
    if (observer.enabled()) {
      observer.addressChanged(iface.nic(), a);
    }
    if (a.validUntil != Long.MAX_VALUE) {
      layer.scheduleLifetime(iface, a);
    }
    int flags = Ndp.NA_OVERRIDE | (stack.forwarding() ? Ndp.NA_ROUTER : 0);
    sendAdvertisement(iface, a.cidr().address(), Ipv6Address.ALL_NODES, flags); // unsolicited (7.2.6)
    layer.addressReady(iface, a);
  }

  private void duplicate(Ipv6Interface iface, Ipv6InterfaceAddress a) {
    cancelDad(a);
    a.state = Ipv6InterfaceAddress.State.DUPLICATE;
    layer.counters().duplicateAddresses++;
    if (observer.enabled()) {
      observer.addressChanged(iface.nic(), a);
    }
  }

  void cancelDad(Ipv6InterfaceAddress a) {
    if (a.dadTimer != null) {
      a.dadTimer.cancel();
      a.dadTimer = null;
    }
  }

  // ---- router discovery ----

  /** A host solicits routers after a random delay, up to three times until one advertises. */
  void startRouterSolicitation(Ipv6Interface iface) {
    iface.solicitationsSent = 0;
    iface.heardRouter = false;
    cancelRouterTimer(iface);
    iface.routerTimer = stack.time().schedule(() -> solicitRouters(iface),
        (long) (stack.random().nextDouble() * MAX_RTR_SOLICITATION_DELAY));
  }

  private void solicitRouters(Ipv6Interface iface) {
    iface.routerTimer = null;
    if (iface.heardRouter || iface.solicitationsSent >= MAX_RTR_SOLICITATIONS || !iface.nic().isUp()) {
      return;
    }
    Ipv6InterfaceAddress ll = iface.linkLocal();
    Ipv6Address src = ll == null ? Ipv6Address.UNSPECIFIED : ll.cidr().address();
    Ndp.RouterSolicitation rs = new Ndp.RouterSolicitation(ll == null ? -1 : iface.nic().mac());
    send(iface, src, Ipv6Address.ALL_ROUTERS, rs, -1);
    iface.solicitationsSent++;
    layer.counters().routerSolicitationsSent++;
    if (observer.enabled()) {
      observer.routerSolicitationSent(iface.nic(), src);
    }
    iface.routerTimer = stack.time().schedule(() -> solicitRouters(iface), RTR_SOLICITATION_INTERVAL);
  }

  /** A router advertises: a few times quickly once its link-local address is ready, then now and then. */
  void startAdvertising(Ipv6Interface iface) {
    iface.advertisementsSent = 0;
    cancelRouterTimer(iface);
    iface.routerTimer = stack.time().schedule(() -> periodicAdvertisement(iface), 0);
  }

  private void periodicAdvertisement(Ipv6Interface iface) {
    iface.routerTimer = null;
    if (!iface.nic().isUp()) {
      return;
    }
    advertise(iface);
    long interval = MIN_RTR_ADV_INTERVAL
        + (long) (stack.random().nextDouble() * (MAX_RTR_ADV_INTERVAL - MIN_RTR_ADV_INTERVAL));
    if (iface.advertisementsSent <= MAX_INITIAL_RTR_ADVERTISEMENTS) {
      interval = Math.min(interval, MAX_INITIAL_RTR_ADVERT_INTERVAL);
    }
    iface.routerTimer = stack.time().schedule(() -> periodicAdvertisement(iface), interval);
  }

  /** One router advertisement to all nodes, from the link-local address (none while it is tentative). */
  private void advertise(Ipv6Interface iface) {
    Ipv6InterfaceAddress ll = iface.linkLocal();
    if (ll == null || !iface.nic().isUp()) {
      return;
    }
    List<Ndp.PrefixInfo> prefixes = new ArrayList<>();
    for (Ipv6InterfaceAddress a : iface.addresses()) {
      if (a.origin() == Ipv6InterfaceAddress.Origin.STATIC && a.cidr().prefixLength() <= 64) {
        prefixes.add(new Ndp.PrefixInfo(a.cidr().networkCidr(), true, a.cidr().prefixLength() == 64, VALID_LIFETIME,
            PREFERRED_LIFETIME));
      }
    }
    Ndp.RouterAdvertisement ra = new Ndp.RouterAdvertisement(Ipv6Output.DEFAULT_HOP_LIMIT, 0, ROUTER_LIFETIME, 0, 0,
        iface.nic().mac(), iface.mtu(), prefixes);
    send(iface, ll.cidr().address(), Ipv6Address.ALL_NODES, ra, -1);
    iface.advertisementsSent++;
    iface.lastAdvertisementAt = stack.time().nanos();
    layer.counters().routerAdvertisementsSent++;
    if (observer.enabled()) {
      observer.routerAdvertisementSent(iface.nic(), Ipv6Address.ALL_NODES, ROUTER_LIFETIME, iface.mtu(),
          prefixes.stream().map(Ndp.PrefixInfo::prefix).toList());
    }
  }

  void cancelRouterTimer(Ipv6Interface iface) {
    if (iface.routerTimer != null) {
      iface.routerTimer.cancel();
      iface.routerTimer = null;
    }
    if (iface.solicitedAnswer != null) {
      iface.solicitedAnswer.cancel();
      iface.solicitedAnswer = null;
    }
  }

  // ---- sending ----

  private void sendSolicitation(Ipv6Interface iface, Ipv6Address target, Ipv6Address src, Ipv6Address dst,
                                long unicastMac) {
    long slla = src.isUnspecified() ? -1 : iface.nic().mac();
    send(iface, src, dst, new Ndp.NeighborSolicitation(target, slla), unicastMac);
    layer.counters().neighborSolicitationsSent++;
    if (observer.enabled()) {
      observer.solicitationSent(iface.nic(), target, src, dst);
    }
  }

  private void sendAdvertisement(Ipv6Interface iface, Ipv6Address target, Ipv6Address dst, int flags) {
    send(iface, target, dst, new Ndp.NeighborAdvertisement(flags, target, iface.nic().mac()), -1);
    layer.counters().neighborAdvertisementsSent++;
    if (observer.enabled()) {
      observer.advertisementSent(iface.nic(), target, dst, flags);
    }
  }

  /**
   * Sends an NDP message with hop limit 255 from {@code src}: to a multicast group's MAC, to a
   * known {@code dstMac} (a unicast probe must not ask the cache it is probing for), or through the
   * neighbour cache.
   */
  private void send(Ipv6Interface iface, Ipv6Address src, Ipv6Address dst, Ndp.Message m, long dstMac) {
    int len = m.length();
    ByteBuf buf = stack.allocate(len);
    buf.writeZero(len);
    m.emit(buf, buf.readerIndex());
    new Icmpv6Packet().wrap(buf, buf.readerIndex(), len)
        .fillChecksum(Ipv6Packet.pseudoHeader(src, dst, len, Ipv6Extensions.ICMPV6));
    int ipStart = buf.readerIndex() - Ipv6Packet.HEADER_LEN;
    buf.readerIndex(ipStart);
    new Ipv6Packet.Repr(src, dst, Ipv6Extensions.ICMPV6, Ndp.HOP_LIMIT, 0, 0, len).emit(new Ipv6Packet().wrap(buf,
        ipStart));
    layer.counters().sent++;
    if (observer.enabled()) {
      observer.encapsulated(buf, ipStart);
    }
    if (dstMac >= 0) {
      layer.output().frame(iface.nic(), dstMac, buf);
    } else {
      layer.output().transmit(iface, dst, buf);
    }
  }

  // ---- the neighbour caches' questions ----

  @Override
  public void solicit(Nic nic, NeighborCache.Entry entry, long unicastMac) {
    Ipv6Interface iface = layer.interfaceOf(nic);
    Ipv6Address target = new Ipv6Address(entry.hi(), entry.lo());
    Ipv6InterfaceAddress from = layer.sourceFor(target, iface);
    if (from == null) {
      return; // no usable address yet: the entry times out and its packets are reported
    }
    sendSolicitation(iface, target, from.cidr().address(), unicastMac >= 0 ? target : target.solicitedNode(),
        unicastMac);
  }

  @Override
  public void release(Nic nic, long mac, ByteBuf packet) {
    layer.output().frame(nic, mac, packet);
  }

  @Override
  public void unresolved(Nic nic, NeighborCache.Entry entry, ByteBuf packet) {
    // RFC 4443 3.1 code 3: the next hop did not answer
    layer.icmp().sendError(packet, packet.readerIndex(), nic, false, Icmpv6Packet.TYPE_DEST_UNREACHABLE,
        Icmpv6Packet.CODE_ADDRESS_UNREACHABLE, 0);
    if (observer.enabled()) {
      observer.dropped(nic, DropReason.NDP_TIMEOUT, new Ipv6Address(entry.hi(), entry.lo()));
    }
    packet.release();
  }

  @Override
  public void dropped(Nic nic, NeighborCache.Entry entry, DropReason reason) {
    if (observer.enabled()) {
      observer.dropped(nic, reason, new Ipv6Address(entry.hi(), entry.lo()));
    }
  }

  @Override
  public void transition(Nic nic, NeighborCache.Entry e, NeighborState from, NeighborState to) {
    if (observer.enabled()) {
      observer.neighborChanged(nic, new Ipv6Address(e.hi(), e.lo()), from, to, e.mac());
    }
  }
}
