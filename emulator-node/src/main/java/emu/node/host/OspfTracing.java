package emu.node.host;

import emu.node.event.OspfEvent;
import emu.node.ospf.Ospf;
import emu.node.ospf.OspfCounters;
import emu.node.trace.Tracer;
import emu.node.wire.Ipv4Address;
import emu.node.wire.OspfPacket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns what a router's {@link Ospf} tells (values) into {@link OspfEvent}s: the protocol sits
 * below the host and knows no events (ArchitectureTest), the host does the translation.
 */
final class OspfTracing implements Ospf.Listener {
  private final Tracer tracer;

  OspfTracing(Tracer tracer) {
    this.tracer = tracer;
  }

  private static String id(int a) {
    return a == 0 ? null : Ipv4Address.format(a);
  }

  private static String seq(int s) {
    return String.format("0x%08x", s);
  }

  @Override
  public void neighborChanged(String nic, int routerId, int address, Ospf.NeighborState from, Ospf.NeighborState to,
                              Ospf.NeighborEvent event) {
    if (tracer.enabled()) {
      tracer.emit(new OspfEvent.Neighbor(nic, id(routerId), id(address), from.text(), to.text(), event.text()));
    }
  }

  @Override
  public void elected(String nic, int dr, int bdr, Ospf.InterfaceState state) {
    if (tracer.enabled()) {
      tracer.emit(new OspfEvent.Elected(nic, id(dr), id(bdr), state.text()));
    }
  }

  @Override
  public void lsaOriginated(int type, int linkStateId, int advertisingRouter, int sequence, boolean flushed) {
    if (tracer.enabled()) {
      tracer.emit(new OspfEvent.Originated(type, id(linkStateId), id(advertisingRouter), seq(sequence), flushed));
    }
  }

  @Override
  public void lsaInstalled(int type, int linkStateId, int advertisingRouter, int sequence, int fromRouterId) {
    if (tracer.enabled()) {
      tracer.emit(new OspfEvent.Installed(type, id(linkStateId), id(advertisingRouter), seq(sequence),
          id(fromRouterId)));
    }
  }

  @Override
  public void spfRan(long nanos, int routes, Ospf.LsaId after, List<Ospf.RouteChange> changes) {
    if (tracer.enabled()) {
      List<OspfEvent.Change> out = new ArrayList<>();
      for (Ospf.RouteChange c : changes) {
        out.add(new OspfEvent.Change(c.prefix().toString(), c.oldCost(), c.oldGateways().stream()
            .map(Ipv4Address::format).toList(), c.newCost(), c.newGateways().stream().map(Ipv4Address::format).toList()));
      }
      tracer.emit(new OspfEvent.Spf(nanos / 1000, routes, after == null ? null : after.type(),
          after == null ? null : id(after.linkStateId()), after == null ? null : id(after.advertisingRouter()),
          after == null ? null : seq(after.sequence()), out));
    }
  }

  @Override
  public void refused(String nic, int source, int packetType, OspfCounters.Refusal reason) {
    if (tracer.enabled()) {
      tracer.emit(new OspfEvent.Refused(nic, id(source), packetType == 0 ? null : OspfPacket.typeName(packetType),
          reason.name().toLowerCase(Locale.ROOT)));
    }
  }
}
