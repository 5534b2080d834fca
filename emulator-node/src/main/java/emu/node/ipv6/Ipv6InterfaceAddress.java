package emu.node.ipv6;

import emu.link.time.TimeSource;
import emu.node.wire.Ipv6Cidr;

/**
 * One IPv6 address on an interface and where it is in its life (RFC 4862): tentative while
 * duplicate address detection runs, then preferred, deprecated when a router's preferred lifetime
 * runs out, removed when its valid lifetime does; duplicate if another node holds it.
 */
public final class Ipv6InterfaceAddress {
  /** How the interface got the address. */
  public enum Origin {
    /** fe80::/64 with the EUI-64 of the MAC (RFC 4291 appendix A). */
    LINK_LOCAL,
    /** From the topology file. */
    STATIC,
    /** Stateless autoconfiguration from a router's prefix (RFC 4862). */
    SLAAC
  }

  /** RFC 4862's address states. */
  public enum State { TENTATIVE, PREFERRED, DEPRECATED, DUPLICATE }

  private final Ipv6Cidr cidr;
  private final Origin origin;
  State state = State.TENTATIVE;
  /** Nanoseconds of the node's clock; {@link Long#MAX_VALUE}: forever. */
  long validUntil = Long.MAX_VALUE;
  long preferredUntil = Long.MAX_VALUE;
  /** Duplicate address detection: solicitations still to send, and the timer of the next step. */
  int dadTransmitsLeft;
  TimeSource.Timer dadTimer;
  /** The next lifetime step (deprecation, then removal), re-armed when an advertisement refreshes it. */
  TimeSource.Timer lifetimeTimer;
  long lifetimeAt;

  Ipv6InterfaceAddress(Ipv6Cidr cidr, Origin origin) {
    this.cidr = cidr;
    this.origin = origin;
  }

  public Ipv6Cidr cidr() {
    return cidr;
  }

  public Origin origin() {
    return origin;
  }

  public State state() {
    return state;
  }

  /** True if the address may be a packet's source (preferred or, for existing flows, deprecated). */
  public boolean usable() {
    return state == State.PREFERRED || state == State.DEPRECATED;
  }

  public long validUntil() {
    return validUntil;
  }

  public long preferredUntil() {
    return preferredUntil;
  }
}
