package emu.node.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import emu.node.stack.NeighborState;

/** ARP (RFC 826) and the neighbour cache, as Linux runs them. */
public sealed interface ArpEvent extends TraceEvent {
  <R> R accept(Visitor<R> v);

  @Override
  default <R> R accept(TraceEvent.Visitor<R> v) {
    return v.arp(this);
  }

  interface Visitor<R> {
    R heard(Heard e);

    R requestSent(RequestSent e);

    R announced(Announced e);

    R replySent(ReplySent e);

    R neighbor(NeighborChanged e);
  }

  /** ARP operation. */
  enum Op { REQUEST, REPLY }

  /**
   * An ARP packet arrived on {@code dev}. A request whose sender and target address are the same
   * is gratuitous (an announcement); {@code forMe}: the target address is this interface's.
   */
  @JsonTypeName("arp.rx")
  record Heard(String dev, Op op, String senderIp, String senderMac, String targetIp, boolean forMe)
      implements ArpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.heard(this);
    }
  }

  /**
   * A request for {@code targetIp}: broadcast, or (when re-checking a known neighbour) unicast to
   * {@code unicastMac}.
   */
  @JsonTypeName("arp.request")
  record RequestSent(String dev, String targetIp, String senderIp, String senderMac, boolean broadcast,
                     String unicastMac) implements ArpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.requestSent(this);
    }
  }

  /** Gratuitous ARP: {@code ip is-at mac}, broadcast so every neighbour refreshes its cache. */
  @JsonTypeName("arp.announce")
  record Announced(String dev, String ip, String mac) implements ArpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.announced(this);
    }
  }

  /** A reply to {@code to} ({@code toMac}): {@code ip is-at mac}. */
  @JsonTypeName("arp.reply")
  record ReplySent(String dev, String ip, String mac, String to, String toMac) implements ArpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.replySent(this);
    }
  }

  /**
   * A neighbour cache entry changed state ({@code from} null: the entry is new); {@code mac} null
   * while unknown.
   */
  @JsonTypeName("neigh")
  record NeighborChanged(String dev, String ip, NeighborState from, NeighborState to, String mac)
      implements ArpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.neighbor(this);
    }
  }
}
