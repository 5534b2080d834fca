package emu.node.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import emu.node.tcp.TcpCause;
import emu.node.tcp.TcpError;
import emu.node.tcp.TcpState;

/** The node's TCP (RFC 9293). */
public sealed interface TcpEvent extends TraceEvent {
  <R> R accept(Visitor<R> v);

  @Override
  default <R> R accept(TraceEvent.Visitor<R> v) {
    return v.tcp(this);
  }

  interface Visitor<R> {
    R stateChanged(StateChanged e);
  }

  /**
   * A connection ({@code local} and {@code remote} as ADDRESS:PORT) went from one state to another
   * because of {@code cause}; {@code error}: when it ended abnormally, how (else null).
   */
  @JsonTypeName("tcp.state")
  record StateChanged(String local, String remote, TcpState from, TcpState to, TcpCause cause, TcpError error)
      implements TcpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.stateChanged(this);
    }
  }
}
