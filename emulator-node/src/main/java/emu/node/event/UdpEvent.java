package emu.node.event;

import com.fasterxml.jackson.annotation.JsonTypeName;

/** UDP (RFC 768) demultiplexing. */
public sealed interface UdpEvent extends TraceEvent {
  <R> R accept(Visitor<R> v);

  @Override
  default <R> R accept(TraceEvent.Visitor<R> v) {
    return v.udp(this);
  }

  interface Visitor<R> {
    R delivered(Delivered e);
  }

  /** A datagram from {@code src:srcPort} handed to the socket bound to {@code dstPort}. */
  @JsonTypeName("udp.deliver")
  record Delivered(String src, int srcPort, int dstPort, int bytes) implements UdpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.delivered(this);
    }
  }
}
