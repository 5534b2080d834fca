package emu.node.trace;

import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.link.wire.VlanTag;
import emu.node.event.ArpEvent;
import emu.node.event.IpEvent;
import emu.node.event.Ipv6Event;
import emu.node.event.RouteInfo;
import emu.node.event.UdpEvent;
import emu.node.ipv6.Ipv6InterfaceAddress;
import emu.node.ipv6.Ipv6Observer;
import emu.node.ipv6.Ipv6Route;
import emu.node.stack.DropReason;
import emu.node.stack.NeighborState;
import emu.node.stack.Nic;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Cidr;
import emu.node.wire.Ndp;
import io.netty.buffer.ByteBuf;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Turns what the IPv6 layer reports into typed events for the node's {@link Tracer}. */
public final class Ipv6Trace implements Ipv6Observer {
  private static final int DECISIONS = 1024;
  private final Tracer tracer;
  /** The route last told for each destination (told once, and again when it changes). */
  private final Map<Ipv6Address, Ipv6Route> told = new HashMap<>();

  public Ipv6Trace(Tracer tracer) {
    this.tracer = tracer;
  }

  /** The IPv6 observer for {@code tracer}: {@link Ipv6Observer#OFF} when it never traces. */
  public static Ipv6Observer of(Tracer tracer) {
    return tracer == Tracer.OFF ? Ipv6Observer.OFF : new Ipv6Trace(tracer);
  }

  @Override
  public boolean enabled() {
    return tracer.enabled();
  }

  @Override
  public void received(Nic nic, ByteBuf frame, int ipStart, boolean forMe) {
    int frameStart = ipStart - EthernetFrame.HEADER_LEN;
    long dstMac = EthernetFrame.dst(frame, frameStart);
    tracer.emit(new IpEvent.Received(nic.name(), MacAddress.format(EthernetFrame.src(frame, frameStart)),
        MacAddress.format(dstMac), dstMac == nic.mac(), forMe, PacketFacts.ipv6(frame, ipStart),
        StackTrace.vlan(nic)));
  }

  @Override
  public void encapsulated(ByteBuf packet, int ipStart) {
    tracer.emit(new IpEvent.Encapsulated(PacketFacts.ipv6(packet, ipStart)));
  }

  @Override
  public void frameSent(Nic nic, long dstMac, ByteBuf frame, int ipStart) {
    tracer.emit(new IpEvent.FrameSent(nic.name(), MacAddress.format(nic.mac()), MacAddress.format(dstMac),
        frame.writerIndex() - ipStart + EthernetFrame.HEADER_LEN + (nic.vid() != 0 ? VlanTag.LEN : 0),
        PacketFacts.ipv6(frame, ipStart), StackTrace.vlan(nic)));
  }

  @Override
  public void routeChosen(Ipv6Address dst, Ipv6Route route, Ipv6Address nextHop, Ipv6InterfaceAddress source) {
    if (told.size() > DECISIONS) {
      told.clear();
    }
    if (told.put(dst, route) == route) {
      return;
    }
    tracer.emit(new IpEvent.RouteDecision(dst.toString(), route(route), nextHop.toString(), route.gateway() == null,
        route.nic().name(), source == null ? null : source.cidr().toString()));
  }

  @Override
  public void udpDelivered(Ipv6Address src, int srcPort, int dstPort, int bytes) {
    tracer.emit(new UdpEvent.Delivered(src.toString(), srcPort, dstPort, bytes));
  }

  @Override
  public void noRoute(Ipv6Address dst) {
    tracer.emit(new IpEvent.RouteDecision(dst.toString(), null, null, false, null, null));
  }

  @Override
  public void forwarded(Nic in, Nic out, Ipv6Address dst, Ipv6Route route, Ipv6Address nextHop, int hopLimitBefore,
                        int hopLimitAfter) {
    tracer.emit(new Ipv6Event.Forwarded(in.name(), out.name(), dst.toString(), route(route), nextHop.toString(),
        hopLimitBefore, hopLimitAfter));
  }

  @Override
  public void dropped(Nic nic, DropReason reason, Ipv6Address dst) {
    tracer.emit(new IpEvent.Dropped(reason, nic == null ? null : nic.name(), dst == null ? null : dst.toString()));
  }

  @Override
  public void solicitationSent(Nic nic, Ipv6Address target, Ipv6Address src, Ipv6Address dst) {
    tracer.emit(new Ipv6Event.SolicitationSent(nic.name(), target.toString(), src.toString(), dst.toString()));
  }

  @Override
  public void solicitationHeard(Nic nic, Ipv6Address src, Ipv6Address target, long srcMac, boolean forUs) {
    tracer.emit(new Ipv6Event.SolicitationHeard(nic.name(), src.toString(), target.toString(),
        srcMac < 0 ? null : MacAddress.format(srcMac), forUs));
  }

  @Override
  public void advertisementSent(Nic nic, Ipv6Address target, Ipv6Address dst, int flags) {
    tracer.emit(new Ipv6Event.AdvertisementSent(nic.name(), target.toString(), dst.toString(),
        MacAddress.format(nic.mac()), (flags & Ndp.NA_ROUTER) != 0, (flags & Ndp.NA_SOLICITED) != 0,
        (flags & Ndp.NA_OVERRIDE) != 0));
  }

  @Override
  public void advertisementHeard(Nic nic, Ipv6Address src, Ipv6Address target, int flags, long targetMac) {
    tracer.emit(new Ipv6Event.AdvertisementHeard(nic.name(), src.toString(), target.toString(),
        targetMac < 0 ? null : MacAddress.format(targetMac), (flags & Ndp.NA_ROUTER) != 0,
        (flags & Ndp.NA_SOLICITED) != 0, (flags & Ndp.NA_OVERRIDE) != 0));
  }

  @Override
  public void routerSolicitationSent(Nic nic, Ipv6Address src) {
    tracer.emit(new Ipv6Event.RouterSolicitationSent(nic.name(), src.toString()));
  }

  @Override
  public void routerSolicitationHeard(Nic nic, Ipv6Address src) {
    tracer.emit(new Ipv6Event.RouterSolicitationHeard(nic.name(), src.toString()));
  }

  @Override
  public void routerAdvertisementSent(Nic nic, Ipv6Address dst, int routerLifetime, long mtu,
                                      List<Ipv6Cidr> prefixes) {
    tracer.emit(new Ipv6Event.RouterAdvertisementSent(nic.name(), dst.toString(), routerLifetime, mtu,
        prefixes.stream().map(Ipv6Cidr::toString).toList()));
  }

  @Override
  public void routerAdvertisementHeard(Nic nic, Ipv6Address router, int routerLifetime, long mtu,
                                       List<Ipv6Cidr> prefixes) {
    tracer.emit(new Ipv6Event.RouterAdvertisementHeard(nic.name(), router.toString(), routerLifetime, mtu,
        prefixes.stream().map(Ipv6Cidr::toString).toList()));
  }

  @Override
  public void neighborChanged(Nic nic, Ipv6Address ip, NeighborState from, NeighborState to, long mac) {
    tracer.emit(new ArpEvent.NeighborChanged(nic.name(), ip.toString(), from, to,
        mac < 0 ? null : MacAddress.format(mac)));
  }

  @Override
  public void addressChanged(Nic nic, Ipv6InterfaceAddress a) {
    tracer.emit(new Ipv6Event.AddressChanged(nic.name(), a.cidr().toString(),
        Ipv6Event.Origin.valueOf(a.origin().name()), Ipv6Event.AddressState.valueOf(a.state().name())));
  }

  @Override
  public void echoAnswered(Ipv6Address to, int ident, int seq) {
    tracer.emit(new Ipv6Event.EchoAnswered(to.toString(), ident, seq));
  }

  @Override
  public void errorSent(int type, int code, Ipv6Address to, ByteBuf original, int ipStart) {
    tracer.emit(new Ipv6Event.ErrorSent(type, code, to.toString(), PacketFacts.ipv6(original, ipStart)));
  }

  @Override
  public void fragmented(Ipv6Address dst, long identification, int length, int mtu, int fragments) {
    tracer.emit(new Ipv6Event.Fragmented(dst.toString(), identification, length, mtu, fragments));
  }

  @Override
  public void reassembled(Ipv6Address src, Ipv6Address dst, long identification, int fragments, int length) {
    tracer.emit(new Ipv6Event.Reassembled(src.toString(), dst.toString(), identification, fragments, length));
  }

  @Override
  public void reassemblyFailed(Ipv6Address src, Ipv6Address dst, long identification, DropReason reason,
                               int fragments, boolean firstArrived, boolean timeExceededSent) {
    tracer.emit(new Ipv6Event.ReassemblyFailed(src.toString(), dst.toString(), identification, reason, fragments,
        firstArrived, timeExceededSent));
  }

  @Override
  public void pathMtuLowered(Ipv6Address dst, int mtu, Ipv6Address reportedBy) {
    tracer.emit(new Ipv6Event.PathMtuLowered(dst.toString(), mtu, reportedBy.toString()));
  }

  /** An IPv6 route as event facts. */
  public static RouteInfo route(Ipv6Route r) {
    return new RouteInfo(r.prefix().networkCidr().toString(), r.gateway() == null ? null : r.gateway().toString(),
        r.nic().name(), r.kind().name().toLowerCase(java.util.Locale.ROOT), null, r.metric());
  }
}
