package emu.node.trace;

import emu.link.wire.MacAddress;
import emu.node.bridge.BridgeObserver;
import emu.node.bridge.BridgePort;
import emu.node.event.BridgeEvent;
import java.util.List;

/** Turns what a switch reports into typed events for its {@link Tracer}. */
public final class BridgeTrace implements BridgeObserver {
  private final Tracer tracer;

  public BridgeTrace(Tracer tracer) {
    this.tracer = tracer;
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
}
