package emu.node.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.Map;

/** What happened to a node's link ends: carrier, impairments (the node's own view). */
public sealed interface LinkEvent extends TraceEvent {
  <R> R accept(Visitor<R> v);

  @Override
  default <R> R accept(TraceEvent.Visitor<R> v) {
    return v.link(this);
  }

  interface Visitor<R> {
    R state(State e);

    R impairment(Impairment e);
  }

  /** Interface {@code dev} gained ({@code up}) or lost its carrier. */
  @JsonTypeName("link.state")
  record State(String dev, boolean up) implements LinkEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.state(this);
    }
  }

  /**
   * The impairment on {@code dev}'s egress is now {@code words} (netem's words, e.g.
   * {@code delay: 20ms}); empty: cleared.
   */
  @JsonTypeName("link.impair")
  record Impairment(String dev, Map<String, String> words) implements LinkEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.impairment(this);
    }
  }
}
