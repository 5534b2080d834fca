package emu.node.stack;

/**
 * Why a node dropped a frame or packet. Every drop increments exactly one of these counters;
 * bad input never throws. The names become the {@code reason} label of the drop metric; the
 * narrative's words for each are the control plane's.
 */
public enum DropReason {
  /** Frame shorter than an Ethernet header. */
  RUNT,
  /** Unicast frame addressed to another MAC. */
  NOT_FOR_US,
  /** EtherType this node does not speak. */
  UNKNOWN_ETHERTYPE,
  /** A switch's BPDU (to the 802.1D bridge group address): a host or router runs no bridge protocol. */
  BPDU,
  /**
   * An 802.1Q-tagged frame for a VLAN this interface has no subinterface for (or whose tag is cut
   * short): Linux drops those too.
   */
  VLAN_UNKNOWN,
  /** ARP packet truncated or not Ethernet/IPv4. */
  ARP_MALFORMED,
  /** IPv4 header truncated or with bad version, IHL or length. */
  IP_MALFORMED,
  /** IPv4 header checksum wrong. */
  IP_BAD_CHECKSUM,
  /** Impossible source address (broadcast, multicast, loopback). */
  IP_MARTIAN,
  /** Fragment for this node (reassembly is not supported). */
  IP_FRAGMENT,
  /** Packet for another host arrived at a host that does not forward. */
  IP_NOT_FOR_US,
  /** No route to the destination. */
  NO_ROUTE,
  /** TTL reached zero. */
  TTL_EXPIRED,
  /** Packet larger than the egress MTU. */
  MTU_EXCEEDED,
  /** Next hop did not answer ARP. */
  ARP_TIMEOUT,
  /** Too many packets or bytes waiting for ARP resolution (the neighbour's queue, or the node's budget for all). */
  ARP_QUEUE_FULL,
  /** Neighbour table full. */
  NEIGHBOR_TABLE_FULL,
  /** Next hop did not answer neighbour solicitations (IPv6). */
  NDP_TIMEOUT,
  /** Too many packets or bytes waiting for neighbour discovery (IPv6; the neighbour's queue or the node's). */
  NDP_QUEUE_FULL,
  /** ICMP message truncated. */
  ICMP_MALFORMED,
  /** ICMP checksum wrong. */
  ICMP_BAD_CHECKSUM,
  /** UDP length field inconsistent. */
  UDP_MALFORMED,
  /** UDP checksum wrong. */
  UDP_BAD_CHECKSUM,
  /** No socket on the destination port. */
  NO_LISTENER,
  /** TCP segment truncated, with a bad data offset, bad options or port 0. */
  TCP_MALFORMED,
  /** TCP checksum wrong. */
  TCP_BAD_CHECKSUM,
  /** TCP segment with impossible flags (SYN+FIN, SYN+RST, none). */
  TCP_BAD_FLAGS,
  /** TCP segment for no connection and no listener (answered with RST). */
  TCP_NO_SOCKET,
  /** SYN dropped: the listener's backlog of half-open connections is full. */
  TCP_LISTEN_OVERFLOW,
  /** SYN (or SYN-cookie ACK) refused with RST: the listener's or the node's connection cap is reached. */
  TCP_CONNECTION_LIMIT,
  /** TCP segment outside the receive window or failing PAWS (answered with ACK unless RST). */
  TCP_OUT_OF_WINDOW,
  /** TCP segment not acceptable in the connection's state (bad ACK, missing ACK, broadcast). */
  TCP_INVALID,
  /** IP protocol this node does not speak. */
  UNSUPPORTED_PROTOCOL,
  /** IPv6 header truncated, with a bad version or payload length. */
  IPV6_MALFORMED,
  /** IPv6 extension headers malformed, refused, or too many. */
  IPV6_BAD_EXTENSION,
  /** IPv6 packet from an impossible source (multicast, loopback). */
  IPV6_MARTIAN,
  /** IPv6 packet for another host arrived at a host that does not forward, or one routers must not forward. */
  IPV6_NOT_FOR_US,
  /**
   * IPv6 fragment that cannot be part of a datagram: two fragment headers, not a multiple of 8
   * bytes with more to come, past 65535 bytes, or at odds with its datagram's last fragment.
   */
  IPV6_FRAGMENT_INVALID,
  /** IPv6 first fragment without the whole header chain (RFC 7112). */
  IPV6_FRAGMENT_INCOMPLETE_CHAIN,
  /** IPv6 fragment overlapping another of its datagram, which is given up (RFC 5722). */
  IPV6_FRAGMENT_OVERLAP,
  /** IPv6 fragment received twice (same offset and length): the copy is dropped. */
  IPV6_FRAGMENT_DUPLICATE,
  /** IPv6 fragments of a datagram not complete within 60 s. */
  IPV6_REASSEMBLY_TIMEOUT,
  /** IPv6 fragment refused: the node's reassembly memory is full. */
  IPV6_REASSEMBLY_MEMORY,
  /** IPv6 hop limit reached zero. */
  HOP_LIMIT_EXPIRED,
  /** ICMPv6 message truncated. */
  ICMPV6_MALFORMED,
  /** ICMPv6 checksum wrong. */
  ICMPV6_BAD_CHECKSUM,
  /** Neighbor discovery message that fails RFC 4861's checks (hop limit not 255, bad option...). */
  NDP_INVALID,
  /** Packet for a NAT's outside address whose flow has no mapping (a fragment without ports, say). */
  NAT_NO_MAPPING,
  /** A packet to masquerade left by an interface that has no IPv4 address (yet: no DHCP lease). */
  NAT_NO_ADDRESS,
  /** A new flow needed a NAT mapping but the table is at its size limit. */
  NAT_TABLE_FULL,
  /** A new flow needed a NAT mapping but every external port of its protocol is taken. */
  NAT_PORTS_EXHAUSTED,
  /** ICMP error quoting a packet no NAT mapping covers, or quoting too little to translate. */
  NAT_ICMP_UNKNOWN,
  /** Interface is down. */
  LINK_DOWN,
  /**
   * Handling the frame threw (a bug of ours or of an application's listener): the frame is
   * released and the node goes on ({@link InternalErrors} counts them by exception class).
   */
  INTERNAL_ERROR;

  /** Lower-case label value, e.g. {@code bad_checksum} style: {@code ip_bad_checksum}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
