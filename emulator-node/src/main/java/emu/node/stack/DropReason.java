package emu.node.stack;

/**
 * Why a node dropped a frame or packet. Every drop increments exactly one of these counters;
 * bad input never throws. The names become the {@code reason} label of the drop metric.
 */
public enum DropReason {
  RUNT("frame shorter than an Ethernet header"),
  NOT_FOR_US("unicast frame addressed to another MAC"),
  UNKNOWN_ETHERTYPE("EtherType this node does not speak"),
  ARP_MALFORMED("ARP packet truncated or not Ethernet/IPv4"),
  IP_MALFORMED("IPv4 header truncated or with bad version, IHL or length"),
  IP_BAD_CHECKSUM("IPv4 header checksum wrong"),
  IP_MARTIAN("impossible source address (broadcast, multicast, loopback)"),
  IP_FRAGMENT("fragment for this node (reassembly is not supported)"),
  IP_NOT_FOR_US("packet for another host arrived at a host that does not forward"),
  NO_ROUTE("no route to the destination"),
  TTL_EXPIRED("TTL reached zero"),
  MTU_EXCEEDED("packet larger than the egress MTU"),
  ARP_TIMEOUT("next hop did not answer ARP"),
  ARP_QUEUE_FULL("too many packets waiting for ARP resolution"),
  NEIGHBOR_TABLE_FULL("neighbour table full"),
  ICMP_MALFORMED("ICMP message truncated"),
  ICMP_BAD_CHECKSUM("ICMP checksum wrong"),
  UDP_MALFORMED("UDP length field inconsistent"),
  UDP_BAD_CHECKSUM("UDP checksum wrong"),
  NO_LISTENER("no socket on the destination port"),
  TCP_MALFORMED("TCP segment truncated, with a bad data offset, bad options or port 0"),
  TCP_BAD_CHECKSUM("TCP checksum wrong"),
  TCP_BAD_FLAGS("TCP segment with impossible flags (SYN+FIN, SYN+RST, none)"),
  TCP_NO_SOCKET("TCP segment for no connection and no listener (answered with RST)"),
  TCP_LISTEN_OVERFLOW("SYN dropped: the listener's backlog of half-open connections is full"),
  TCP_OUT_OF_WINDOW("TCP segment outside the receive window or failing PAWS (answered with ACK unless RST)"),
  TCP_INVALID("TCP segment not acceptable in the connection's state (bad ACK, missing ACK, broadcast)"),
  UNSUPPORTED_PROTOCOL("IP protocol this node does not speak"),
  LINK_DOWN("interface is down");

  private final String description;

  DropReason(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }

  /** Lower-case label value, e.g. {@code bad_checksum} style: {@code ip_bad_checksum}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
