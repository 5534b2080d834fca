package emu.node.stack;

/** Node-wide counters of the IPv4 stack; plain fields owned by the node's event loop. */
public final class StackCounters {
  private final long[] drops = new long[DropReason.values().length];
  public long ipReceived;
  public long ipDelivered;
  public long ipForwarded;
  public long ipSent;
  public long icmpErrorsSent;
  /** ICMP errors not sent because of the rate limit (RFC 1812 4.3.2.8). */
  public long icmpRateLimited;
  public long arpRequestsSent;
  public long arpRepliesSent;
  public long arpReceived;
  /** Packets that found no usable ARP entry for their next hop and waited for resolution. */
  public long arpCacheMisses;
  /** Packets that had to wait for IPv6 neighbour discovery. */
  public long ndpCacheMisses;
  /**
   * A gauge, not a counter: the bytes (buffer capacities) of every packet now waiting for
   * ARP or neighbour discovery on any interface, which the node-wide queue budget caps.
   */
  public long neighborQueuedBytes;

  public void drop(DropReason reason) {
    drops[reason.ordinal()]++;
  }

  public long drops(DropReason reason) {
    return drops[reason.ordinal()];
  }

  public long totalDrops() {
    long sum = 0;
    for (long d : drops) {
      sum += d;
    }
    return sum;
  }
}
