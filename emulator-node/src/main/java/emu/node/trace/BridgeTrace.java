package emu.node.trace;

import emu.link.wire.MacAddress;
import emu.node.bridge.BridgeObserver;
import emu.node.bridge.BridgePort;
import emu.node.bridge.VlanDrop;
import emu.node.bridge.stp.PortRole;
import emu.node.bridge.stp.PortState;
import emu.node.bridge.stp.Rstp;
import emu.node.bridge.stp.StpObserver;
import emu.node.event.BridgeEvent;
import emu.node.wire.Bpdu;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns what a switch reports into typed events for its {@link Tracer}. A port's spanning-tree
 * event carries the root it is judged against and the role and state it had before (remembered
 * here, from the events it reported), so the narrative can tell a reconvergence ("p2 forwards: it
 * is now the root port; it was the alternate") without the spanning tree keeping history for it.
 */
public final class BridgeTrace implements BridgeObserver, StpObserver {
  private final Tracer tracer;
  /** The root bridge last reported, formatted; null before the first. */
  private String root;
  /** Per port name: the role and state last reported. */
  private final Map<String, String[]> reported = new HashMap<>();

  public BridgeTrace(Tracer tracer) {
    this.tracer = tracer;
  }

  /** The spanning-tree observer for {@code tracer}: {@link StpObserver#OFF} when it never traces. */
  public static StpObserver stp(Tracer tracer) {
    return tracer == Tracer.OFF ? StpObserver.OFF : new BridgeTrace(tracer);
  }

  /** The bridge observer for {@code tracer}: {@link BridgeObserver#OFF} when it never traces. */
  public static BridgeObserver of(Tracer tracer) {
    return tracer == Tracer.OFF ? BridgeObserver.OFF : new BridgeTrace(tracer);
  }

  @Override
  public boolean enabled() {
    return tracer.enabled();
  }

  @Override
  public void forwarded(BridgePort in, BridgePort out, long src, long dst) {
    tracer.emit(new BridgeEvent.Forwarded(in.name(), out.name(), MacAddress.format(src), MacAddress.format(dst)));
  }

  @Override
  public void learned(long mac, BridgePort port, boolean moved) {
    tracer.emit(new BridgeEvent.Learned(MacAddress.format(mac), port.name(), moved));
  }

  @Override
  public void flooded(BridgePort in, List<BridgePort> out, long src, long dst) {
    tracer.emit(new BridgeEvent.Flooded(in.name(), out.stream().map(BridgePort::name).toList(),
        MacAddress.format(src), MacAddress.format(dst)));
  }

  @Override
  public void forwarded(BridgePort in, BridgePort out, long src, long dst, int vid, boolean taggedIn,
                        boolean priorityTagged, boolean taggedOut) {
    tracer.emit(new BridgeEvent.Forwarded(in.name(), out.name(), MacAddress.format(src), MacAddress.format(dst), vid,
        taggedIn, priorityTagged ? Boolean.TRUE : null, taggedOut));
  }

  @Override
  public void learned(long mac, BridgePort port, boolean moved, int vid) {
    tracer.emit(new BridgeEvent.Learned(MacAddress.format(mac), port.name(), moved, vid));
  }

  @Override
  public void flooded(BridgePort in, List<BridgePort> out, long src, long dst, int vid, boolean taggedIn,
                      boolean priorityTagged, List<BridgePort> taggedOut) {
    tracer.emit(new BridgeEvent.Flooded(in.name(), out.stream().map(BridgePort::name).toList(),
        MacAddress.format(src), MacAddress.format(dst), vid, taggedIn, priorityTagged ? Boolean.TRUE : null,
        taggedOut.stream().map(BridgePort::name).toList()));
  }

  @Override
  public void vlanDropped(BridgePort in, VlanDrop reason, int vid) {
    tracer.emit(new BridgeEvent.VlanDropped(in.name(), reason.label(), vid < 0 ? null : vid));
  }

  @Override
  public void rootChanged(long rootId, BridgePort rootPort, long rootPathCost) {
    root = Rstp.formatId(rootId);
    tracer.emit(new BridgeEvent.StpRoot(root, rootPort == null ? null : rootPort.name(), rootPathCost));
  }

  @Override
  public void portChanged(BridgePort port, PortRole role, PortState state) {
    String[] now = {role.word(), state.name().toLowerCase(Locale.ROOT)};
    String[] was = reported.put(port.name(), now);
    tracer.emit(new BridgeEvent.StpPort(port.name(), now[0], now[1], root, null, was == null ? null : was[0],
        was == null ? null : was[1]));
  }

  @Override
  public void edgeLost(BridgePort port) {
    tracer.emit(new BridgeEvent.StpEdgeLost(port.name()));
  }

  @Override
  public void legacyPeer(BridgePort port) {
    tracer.emit(new BridgeEvent.StpLegacy(port.name()));
  }

  @Override
  public void topologyChange(BridgePort port, boolean detected) {
    tracer.emit(new BridgeEvent.StpTopologyChange(port.name(), detected));
  }

  @Override
  public void infoAged(BridgePort port) {
    tracer.emit(new BridgeEvent.StpAged(port.name()));
  }

  @Override
  public void bpduDropped(BridgePort port, Bpdu.Check reason) {
    tracer.emit(new BridgeEvent.StpDropped(port.name(), reason.name().toLowerCase(Locale.ROOT).replace('_', '-')));
  }
}
