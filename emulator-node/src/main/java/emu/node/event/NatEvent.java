package emu.node.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * Address translation on a router (RFC 4787, 5382, 5508; Linux masquerade): the rewrites it
 * makes, the mappings it creates and lets expire, and what it refuses. Addresses are dotted
 * quads; for ICMP queries the "port" is the echo identifier.
 */
public sealed interface NatEvent extends TraceEvent {
  <R> R accept(Visitor<R> v);

  @Override
  default <R> R accept(TraceEvent.Visitor<R> v) {
    return v.nat(this);
  }

  interface Visitor<R> {
    R serving(Serving e);

    R translated(Translated e);

    R icmpError(IcmpError e);

    R expired(Expired e);

    R refused(Refused e);
  }

  /**
   * Masquerade is on for {@code dev} (its address {@code address}, null until it has one), with a
   * table of at most {@code max} mappings and these port forwards ("tcp 8443 -> 192.168.0.10:443").
   */
  @JsonTypeName("nat.serving")
  record Serving(String dev, String address, int max, List<String> forwards) implements NatEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.serving(this);
    }
  }

  /**
   * One packet rewritten. {@code direction}: {@code out} (source rewritten on the way out of
   * {@code dev}), {@code in} (destination rewritten for a packet that arrived for the outside
   * address) or {@code hairpin} (an inside host reached another through the outside address: both
   * rewritten; {@code before}/{@code after} are the destination, {@code peer} the new source).
   * {@code what}: the packet, as "TCP SYN", "UDP", "ICMP echo request". {@code mapping}: new,
   * found or forward (a configured port forward).
   */
  @JsonTypeName("nat.translate")
  record Translated(String dev, String direction, String proto, String what, String beforeAddr, int beforePort,
                    String afterAddr, int afterPort, String peerAddr, int peerPort, String mapping)
      implements NatEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.translated(this);
    }
  }

  /**
   * An ICMP error about a translated packet, rewritten both outside and inside (RFC 5508 4.2):
   * the outer address {@code beforeAddr} to {@code afterAddr} and the quoted packet's
   * {@code proto} endpoint from port {@code quotedBefore} to {@code quotedAfter}.
   */
  @JsonTypeName("nat.icmp_error")
  record IcmpError(String dev, String direction, int icmpType, int icmpCode, String beforeAddr, String afterAddr,
                   String proto, int quotedBefore, int quotedAfter) implements NatEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.icmpError(this);
    }
  }

  /**
   * A mapping reached its idle timeout and is gone: {@code internal} (addr:port) was
   * {@code external}, last with {@code remote}; {@code state} the TCP state or null.
   */
  @JsonTypeName("nat.expired")
  record Expired(String proto, String internal, String external, String remote, String state, long idleSeconds)
      implements NatEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.expired(this);
    }
  }

  /** A packet the translator dropped: {@code reason} as the drop counters name it. */
  @JsonTypeName("nat.drop")
  record Refused(String dev, String reason, String proto, String src, String dst) implements NatEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.refused(this);
    }
  }
}
