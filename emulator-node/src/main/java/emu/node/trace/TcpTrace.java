package emu.node.trace;

import emu.node.event.TcpEvent;
import emu.node.tcp.TcpCause;
import emu.node.tcp.TcpConnection;
import emu.node.tcp.TcpError;
import emu.node.tcp.TcpObserver;
import emu.node.tcp.TcpState;

/** Turns what TCP reports into typed events for the node's {@link Tracer}. */
public final class TcpTrace implements TcpObserver {
  private final Tracer tracer;

  public TcpTrace(Tracer tracer) {
    this.tracer = tracer;
  }

  /** The TCP observer for {@code tracer}: {@link TcpObserver#OFF} when it never traces. */
  public static TcpObserver of(Tracer tracer) {
    return tracer == Tracer.OFF ? TcpObserver.OFF : new TcpTrace(tracer);
  }

  @Override
  public boolean enabled() {
    return tracer.enabled();
  }

  @Override
  public void stateChanged(TcpConnection c, TcpState from, TcpState to, TcpCause cause, TcpError error) {
    tracer.emit(new TcpEvent.StateChanged(c.local().withPort(c.localPort()), c.remote().withPort(c.remotePort()),
        from, to, cause, error));
  }
}
