package emu.node.trace;

import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.link.wire.VlanTag;
import emu.node.event.ArpEvent;
import emu.node.event.IcmpEvent;
import emu.node.event.IpEvent;
import emu.node.event.RouteInfo;
import emu.node.event.UdpEvent;
import emu.node.stack.DropReason;
import emu.node.stack.NeighborState;
import emu.node.stack.Nic;
import emu.node.stack.Route;
import emu.node.stack.StackObserver;
import emu.node.wire.ArpPacket;
import emu.node.wire.Ipv4Address;
import io.netty.buffer.ByteBuf;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns what the IPv4 stack reports into typed events for the node's {@link Tracer}: addresses
 * as dotted quads, MACs as text, packets as {@link PacketFacts}. Enabled while the tracer is.
 */
public final class StackTrace implements StackObserver {
  /** Destinations whose routing decision is remembered, so it is told once (bounded). */
  private static final int DECISIONS = 1024;

  private final Tracer tracer;
  /** The route last told for each destination: the kernel decides per packet, a reader needs each decision once. */
  private final Map<Integer, Route> told = new HashMap<>();

  public StackTrace(Tracer tracer) {
    this.tracer = tracer;
  }

  /** The stack observer for {@code tracer}: {@link StackObserver#OFF} when it never traces. */
  public static StackObserver of(Tracer tracer) {
    return tracer == Tracer.OFF ? StackObserver.OFF : new StackTrace(tracer);
  }

  @Override
  public boolean enabled() {
    return tracer.enabled();
  }

  // ---- IPv4 ----

  @Override
  public void frameSent(Nic nic, long dstMac, ByteBuf frame, int ipStart) {
    tracer.emit(new IpEvent.FrameSent(nic.name(), MacAddress.format(nic.mac()), MacAddress.format(dstMac),
        frame.writerIndex() - ipStart + EthernetFrame.HEADER_LEN + (nic.vid() != 0 ? VlanTag.LEN : 0),
        PacketFacts.ipv4(frame, ipStart), vlan(nic)));
  }

  @Override
  public void received(Nic nic, ByteBuf frame, int ipStart, boolean forMe) {
    int frameStart = ipStart - EthernetFrame.HEADER_LEN;
    long dstMac = EthernetFrame.dst(frame, frameStart);
    tracer.emit(new IpEvent.Received(nic.name(), MacAddress.format(EthernetFrame.src(frame, frameStart)),
        MacAddress.format(dstMac), dstMac == nic.mac(), forMe, PacketFacts.ipv4(frame, ipStart), vlan(nic)));
  }

  /** The VLAN of a subinterface (its tag pushed on the way out, stripped on the way in), else null. */
  static Integer vlan(Nic nic) {
    return nic.vid() == 0 ? null : nic.vid();
  }

  @Override
  public void encapsulated(ByteBuf packet, int ipStart) {
    tracer.emit(new IpEvent.Encapsulated(PacketFacts.ipv4(packet, ipStart)));
  }

  @Override
  public void routeChosen(int dst, Route route, int nextHop) {
    if (told.size() > DECISIONS) {
      told.clear(); // at worst a decision is told again
    }
    if (told.put(dst, route) == route) {
      return;
    }
    Nic nic = route.nic();
    tracer.emit(new IpEvent.RouteDecision(Ipv4Address.format(dst), route(route), Ipv4Address.format(nextHop),
        route.gateway() == 0, nic.name(), nic.address() == null ? null : nic.address().toString()));
  }

  @Override
  public void noRoute(int dst) {
    tracer.emit(new IpEvent.RouteDecision(Ipv4Address.format(dst), null, null, false, null, null));
  }

  @Override
  public void forwarded(Nic in, Nic out, int dst, Route route, int nextHop, int ttlBefore, int ttlAfter,
                        int checksumBefore, int checksumAfter) {
    tracer.emit(new IpEvent.Forwarded(in.name(), out.name(), Ipv4Address.format(dst), route(route),
        Ipv4Address.format(nextHop), ttlBefore, ttlAfter, checksumBefore, checksumAfter));
  }

  @Override
  public void dropped(Nic nic, DropReason reason, int dst) {
    tracer.emit(new IpEvent.Dropped(reason, nic == null ? null : nic.name(), dst == 0 ? null : Ipv4Address.format(dst)));
  }

  // ---- ARP ----

  @Override
  public void heard(Nic nic, int op, int senderIp, long senderMac, int targetIp, boolean forUs) {
    tracer.emit(new ArpEvent.Heard(nic.name(), op == ArpPacket.OP_REQUEST ? ArpEvent.Op.REQUEST : ArpEvent.Op.REPLY,
        Ipv4Address.format(senderIp), MacAddress.format(senderMac), Ipv4Address.format(targetIp), forUs));
  }

  @Override
  public void requestSent(Nic nic, int targetIp, long unicastMac) {
    tracer.emit(new ArpEvent.RequestSent(nic.name(), Ipv4Address.format(targetIp), Ipv4Address.format(nic.ip()),
        MacAddress.format(nic.mac()), unicastMac < 0, unicastMac < 0 ? null : MacAddress.format(unicastMac)));
  }

  @Override
  public void announced(Nic nic) {
    tracer.emit(new ArpEvent.Announced(nic.name(), Ipv4Address.format(nic.ip()), MacAddress.format(nic.mac())));
  }

  @Override
  public void replySent(Nic nic, int toIp, long toMac) {
    tracer.emit(new ArpEvent.ReplySent(nic.name(), Ipv4Address.format(nic.ip()), MacAddress.format(nic.mac()),
        Ipv4Address.format(toIp), MacAddress.format(toMac)));
  }

  @Override
  public void neighborChanged(Nic nic, int ip, NeighborState from, NeighborState to, long mac) {
    tracer.emit(new ArpEvent.NeighborChanged(nic.name(), Ipv4Address.format(ip), from, to,
        mac < 0 ? null : MacAddress.format(mac)));
  }

  // ---- ICMP, UDP ----

  @Override
  public void echoAnswered(int to, int ident, int seq) {
    tracer.emit(new IcmpEvent.EchoAnswered(Ipv4Address.format(to), ident, seq));
  }

  @Override
  public void errorSent(int type, int code, int to, ByteBuf original, int ipStart) {
    tracer.emit(new IcmpEvent.ErrorSent(type, code, Ipv4Address.format(to), PacketFacts.ipv4(original, ipStart)));
  }

  @Override
  public void delivered(int src, int srcPort, int dstPort, int bytes) {
    tracer.emit(new UdpEvent.Delivered(Ipv4Address.format(src), srcPort, dstPort, bytes));
  }

  /** A routing-table entry as event facts. */
  public static RouteInfo route(Route r) {
    boolean connected = r.kind() == Route.Kind.CONNECTED;
    return new RouteInfo(r.prefix().networkCidr().toString(), r.gateway() == 0 ? null : Ipv4Address.format(r.gateway()),
        r.nic().name(), connected ? "kernel" : "static", connected ? Ipv4Address.format(r.nic().ip()) : null,
        r.metric());
  }

}
