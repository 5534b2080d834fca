package emu.node.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/** A switch: a learning bridge (IEEE 802.1D). */
public sealed interface BridgeEvent extends TraceEvent {
  <R> R accept(Visitor<R> v);

  @Override
  default <R> R accept(TraceEvent.Visitor<R> v) {
    return v.bridge(this);
  }

  interface Visitor<R> {
    R forwarded(Forwarded e);

    R learned(Learned e);

    R flooded(Flooded e);
  }

  /** A frame switched from port {@code in} to port {@code out}, where its destination MAC was learned. */
  @JsonTypeName("bridge.forward")
  record Forwarded(String in, String out, String srcMac, String dstMac) implements BridgeEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.forwarded(this);
    }
  }

  /** {@code mac} is behind {@code port}; {@code moved}: it was behind another port before. */
  @JsonTypeName("bridge.learn")
  record Learned(String mac, String port, boolean moved) implements BridgeEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.learned(this);
    }
  }

  /**
   * A frame sent out of every other port that is up ({@code out}): its destination is broadcast,
   * multicast, or a MAC not learned yet.
   */
  @JsonTypeName("bridge.flood")
  record Flooded(String in, List<String> out, String srcMac, String dstMac) implements BridgeEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.flooded(this);
    }
  }
}
