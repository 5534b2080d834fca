package emu.node.event;

import com.fasterxml.jackson.annotation.JsonTypeName;

/** ICMP (RFC 792) messages this node sends on its own: echo replies and errors. */
public sealed interface IcmpEvent extends TraceEvent {
  <R> R accept(Visitor<R> v);

  @Override
  default <R> R accept(TraceEvent.Visitor<R> v) {
    return v.icmp(this);
  }

  interface Visitor<R> {
    R echoAnswered(EchoAnswered e);

    R errorSent(ErrorSent e);
  }

  /**
   * An echo request from {@code to} answered with an echo reply (identifier and sequence number
   * as the request had them; not {@code seq}: every line's {@code seq} is its place in the file).
   */
  @JsonTypeName("icmp.echo")
  record EchoAnswered(String to, int ident, int sequence) implements IcmpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.echoAnswered(this);
    }
  }

  /** An ICMP error ({@code icmpType}/{@code icmpCode}) to {@code to}, about the packet {@code about}. */
  @JsonTypeName("icmp.error")
  record ErrorSent(int icmpType, int icmpCode, String to, Packet about) implements IcmpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.errorSent(this);
    }
  }
}
