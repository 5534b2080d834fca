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
  /** Fragments received that needed reassembly (ReasmReqds). */
  public long reassemblyRequired;
  /** Packets reassembled (ReasmOKs). */
  public long reassembled;
  /** Packets given up: timed out, overlapping, inconsistent or too long (ReasmFails). */
  public long reassemblyFailed;
  /** Of those, the ones that timed out (Linux's ReasmTimeout). */
  public long reassemblyTimeouts;
  /** Fragment headers saying the packet is whole (offset 0, no more: RFC 6946), taken as whole packets. */
  public long atomicFragments;
  /** Packets this node sent in fragments (OutFragOKs). */
  public long fragmented;
  /** Fragments those became (OutFragCreates). */
  public long fragmentsCreated;
  /** Packet too big messages that lowered a path MTU (RFC 8201). */
  public long pathMtuLowered;
}
