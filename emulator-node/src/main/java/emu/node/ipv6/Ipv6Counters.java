package emu.node.ipv6;

/** Node-wide counters of the IPv6 layer (RFC 4293's names where they exist); owned by the event loop. */
public final class Ipv6Counters {
  public long received;
  public long delivered;
  public long forwarded;
  public long sent;
  public long icmpErrorsSent;
  public long icmpRateLimited;
  public long neighborSolicitationsSent;
  public long neighborAdvertisementsSent;
  public long routerSolicitationsSent;
  public long routerAdvertisementsSent;
  public long ndpReceived;
  public long duplicateAddresses;
  /** Multicast for groups the interface has not joined, set aside as a NIC's filter would. */
  public long multicastFiltered;
  /** IPv6 frames that arrived before the node started its IPv6 (set aside unread). */
  public long beforeStart;
}
