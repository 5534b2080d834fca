package emu.node.event;

import com.fasterxml.jackson.annotation.JsonTypeName;

/** What an application on a node asked of the stack, where the narrative needs it. */
public sealed interface AppEvent extends TraceEvent {
  <R> R accept(Visitor<R> v);

  @Override
  default <R> R accept(TraceEvent.Visitor<R> v) {
    return v.app(this);
  }

  interface Visitor<R> {
    R ping(Ping e);

    R connectAttempt(ConnectAttempt e);

    R connectWon(ConnectWon e);
  }

  /** Why a client starts a connection attempt (RFC 8305). */
  enum AttemptReason {
    /** The first address of the sorted list (RFC 6724). */
    FIRST,
    /** The previous attempt has not succeeded within the connection attempt delay. */
    DELAY,
    /** The previous attempt failed. */
    PREVIOUS_FAILED
  }

  /** {@code ping} asks the stack to send {@code count} echo requests to {@code target} ({@code dst}). */
  @JsonTypeName("app.ping")
  record Ping(String target, String dst, int ident, int count) implements AppEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.ping(this);
    }
  }

  /**
   * A client starts connecting to {@code address} port {@code port} for {@code target}, the
   * {@code index}-th of {@code of} addresses (Happy Eyeballs, RFC 8305).
   */
  @JsonTypeName("app.connect_attempt")
  record ConnectAttempt(String target, String address, int port, int index, int of, AttemptReason reason)
      implements AppEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.connectAttempt(this);
    }
  }

  /** The attempt to {@code address} connected first; {@code abandoned} other attempts are given up. */
  @JsonTypeName("app.connect_won")
  record ConnectWon(String target, String address, int port, int abandoned) implements AppEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.connectWon(this);
    }
  }
}
