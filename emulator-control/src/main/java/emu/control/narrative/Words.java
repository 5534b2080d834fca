package emu.control.narrative;

import emu.link.wire.MacAddress;
import emu.node.event.RouteInfo;
import emu.node.event.TcpEvent;
import emu.node.stack.DropReason;
import java.util.Map;

/**
 * Words for the values events carry: drop reasons, why TCP moved, routes in iproute2's notation,
 * impairments in netem's. The switches are over enums, so a new constant without words here does
 * not compile.
 */
final class Words {
  private Words() {}

  static String drop(DropReason r) {
    return switch (r) {
      case RUNT -> "frame shorter than an Ethernet header";
      case NOT_FOR_US -> "unicast frame addressed to another MAC";
      case UNKNOWN_ETHERTYPE -> "EtherType this node does not speak";
      case VLAN_UNKNOWN -> "802.1Q tag for a VLAN with no subinterface here";
      case BPDU -> "a switch's spanning-tree BPDU: this node runs no bridge protocol";
      case ARP_MALFORMED -> "ARP packet truncated or not Ethernet/IPv4";
      case IP_MALFORMED -> "IPv4 header truncated or with bad version, IHL or length";
      case IP_BAD_CHECKSUM -> "IPv4 header checksum wrong";
      case IP_MARTIAN -> "impossible source address (broadcast, multicast, loopback)";
      case IP_FRAGMENT -> "fragment for this node (reassembly is not supported)";
      case IP_NOT_FOR_US -> "packet for another host arrived at a host that does not forward";
      case NO_ROUTE -> "no route to the destination";
      case TTL_EXPIRED -> "TTL reached zero";
      case MTU_EXCEEDED -> "packet larger than the egress MTU";
      case ARP_TIMEOUT -> "next hop did not answer ARP";
      case ARP_QUEUE_FULL -> "too many packets or bytes waiting for ARP resolution";
      case NEIGHBOR_TABLE_FULL -> "neighbour table full";
      case NDP_TIMEOUT -> "next hop did not answer neighbour solicitations";
      case NDP_QUEUE_FULL -> "too many packets or bytes waiting for neighbour discovery";
      case ICMP_MALFORMED -> "ICMP message truncated";
      case ICMP_BAD_CHECKSUM -> "ICMP checksum wrong";
      case UDP_MALFORMED -> "UDP length field inconsistent";
      case UDP_BAD_CHECKSUM -> "UDP checksum wrong";
      case NO_LISTENER -> "no socket on the destination port";
      case TCP_MALFORMED -> "TCP segment truncated, with a bad data offset, bad options or port 0";
      case TCP_BAD_CHECKSUM -> "TCP checksum wrong";
      case TCP_BAD_FLAGS -> "TCP segment with impossible flags (SYN+FIN, SYN+RST, none)";
      case TCP_NO_SOCKET -> "TCP segment for no connection and no listener (answered with RST)";
      case TCP_LISTEN_OVERFLOW -> "SYN dropped: the listener's backlog of half-open connections is full";
      case TCP_CONNECTION_LIMIT -> "SYN refused with RST: the listener's or the node's connection cap is reached";
      case TCP_OUT_OF_WINDOW -> "TCP segment outside the receive window or failing PAWS (answered with ACK unless RST)";
      case TCP_INVALID -> "TCP segment not acceptable in the connection's state (bad ACK, missing ACK, broadcast)";
      case UNSUPPORTED_PROTOCOL -> "IP protocol this node does not speak";
      case IPV6_MALFORMED -> "IPv6 header truncated or with bad version or payload length";
      case IPV6_BAD_EXTENSION -> "IPv6 extension headers malformed, refused or too many";
      case IPV6_MARTIAN -> "impossible IPv6 source address (multicast, loopback)";
      case IPV6_NOT_FOR_US -> "IPv6 packet not for this node, and not to be forwarded";
      case IPV6_FRAGMENT_INVALID -> "IPv6 fragment that cannot belong to its packet (bad length or offset)";
      case IPV6_FRAGMENT_INCOMPLETE_CHAIN -> "first IPv6 fragment without the whole header chain (RFC 7112)";
      case IPV6_FRAGMENT_OVERLAP -> "IPv6 fragment overlapping another: the whole packet is given up (RFC 5722)";
      case IPV6_FRAGMENT_DUPLICATE -> "IPv6 fragment received twice: the copy is dropped";
      case IPV6_REASSEMBLY_TIMEOUT -> "IPv6 fragments whose packet did not complete within 60 s";
      case IPV6_REASSEMBLY_MEMORY -> "IPv6 fragment refused: reassembly memory is full";
      case HOP_LIMIT_EXPIRED -> "hop limit reached zero";
      case ICMPV6_MALFORMED -> "ICMPv6 message truncated";
      case ICMPV6_BAD_CHECKSUM -> "ICMPv6 checksum wrong";
      case NDP_INVALID -> "neighbour discovery message that fails RFC 4861's checks";
      case NAT_NO_MAPPING -> "no NAT mapping leads to an inside host (a later fragment whose first never passed)";
      case NAT_NO_ADDRESS -> "the masquerading interface has no address yet to give the packet";
      case NAT_TABLE_FULL -> "the NAT table is full";
      case NAT_PORTS_EXHAUSTED -> "no external port is free for a new NAT mapping";
      case NAT_ICMP_UNKNOWN -> "ICMP error quoting a packet no NAT mapping covers";
      case LINK_DOWN -> "interface is down";
      case INTERNAL_ERROR -> "handling the packet failed (a bug, logged by the node): dropped, the node goes on";
    };
  }

  /** Why a TCP connection changed state, in RFC 9293's terms. */
  static String tcpCause(TcpEvent.StateChanged e) {
    return switch (e.cause()) {
      case CONNECT -> "connect";
      case APP_SHUTDOWN_OUTPUT -> "application shut down output";
      case APP_SHUTDOWN_OUTPUT_AFTER_PEER_FIN -> "application shut down output after the peer's FIN";
      case SHUTDOWN_BEFORE_ESTABLISHED -> "output was shut down before the handshake completed";
      case APP_CLOSE_IN_SYN_SENT -> "closed by the application in SYN-SENT";
      case APP_CLOSE_WITH_UNREAD_DATA -> "closed with unread data: reset";
      case APP_ABORT -> "aborted by the application";
      case LISTENER_CLOSED -> "listener closed";
      case NO_HANDLER -> "the acceptor returned no event handler";
      case SYN_ON_LISTEN -> "SYN on a listening port";
      case SYN_COOKIE_ACK -> "ACK returning a valid SYN cookie (the backlog was full)";
      case SYN_IN_SYN_SENT -> "SYN in SYN-SENT (simultaneous open)";
      case SYN_IN_SYN_RECEIVED -> "SYN in SYN-RECEIVED: back to LISTEN";
      case SYN_ACK_IN_SYN_SENT -> "SYN,ACK in SYN-SENT";
      case SYN_ACK_IN_SYN_RECEIVED -> "SYN,ACK in SYN-RECEIVED (simultaneous open)";
      case ACK_OF_SYN_ACK -> "ACK of our SYN,ACK";
      case ACK_OF_FIN -> "ACK of our FIN";
      case ACK_OF_FIN_IN_CLOSING -> "ACK of our FIN in CLOSING";
      case ACK_OF_FIN_IN_LAST_ACK -> "ACK of our FIN in LAST-ACK";
      case FIN -> "FIN";
      case FIN_IN_FIN_WAIT_1 -> "FIN in FIN-WAIT-1 (simultaneous close)";
      case FIN_AFTER_ACK_OF_FIN -> "FIN after the ACK of our FIN";
      case FIN_IN_FIN_WAIT_2 -> "FIN in FIN-WAIT-2";
      case RST -> "RST";
      case RST_IN_SYN_SENT -> "RST in SYN-SENT";
      case RST_IN_SYN_RECEIVED -> "RST in SYN-RECEIVED";
      case RST_IN_SYN_RECEIVED_SIMULTANEOUS -> "RST in SYN-RECEIVED (simultaneous open)";
      case RST_IN_TIME_WAIT -> "RST in TIME-WAIT";
      case NEW_SYN_IN_TIME_WAIT -> "new SYN in TIME-WAIT";
      case DATA_AFTER_CLOSE -> "data arrived after close";
      case NO_ROUTE -> "no route to " + address(e.remote());
      case ICMP_UNREACHABLE -> "ICMP destination unreachable in SYN-SENT";
      case SEND_FAILED -> "send failed" + (e.error() == null ? "" : ": " + e.error().message());
      case HANDSHAKE_TIMED_OUT -> "handshake timed out";
      case SYN_ACK_RETRIES_EXHAUSTED -> "SYN,ACK retries exhausted";
      case RETRANSMISSIONS_UNANSWERED -> "retransmissions unanswered";
      case ZERO_WINDOW_PROBES_UNANSWERED -> "zero-window probes unanswered";
      case KEEPALIVE_PROBES_UNANSWERED -> "keepalive probes unanswered";
      case TIME_WAIT_EXPIRED -> "2*MSL elapsed";
      case FIN_WAIT_2_TIMEOUT -> "FIN-WAIT-2 timeout after close";
    };
  }

  private static String address(String addressAndPort) {
    int colon = addressAndPort.lastIndexOf(':');
    return colon < 0 ? addressAndPort : addressAndPort.substring(0, colon);
  }

  /**
   * A route as {@code ip route} prints it, e.g. {@code default via 192.168.1.1 dev eth0}; an IPv6
   * one as {@code ip -6 route} does, e.g. {@code default via fe80::ff:fe00:500 dev eth0 proto ra metric 1024}.
   */
  static String route(RouteInfo r) {
    StringBuilder sb = new StringBuilder(r.isDefault() ? "default" : r.prefix());
    if (r.gateway() != null) {
      sb.append(" via ").append(r.gateway());
    }
    sb.append(" dev ").append(r.dev());
    if (r.prefix().indexOf(':') >= 0) {
      return sb.append(" proto ").append(r.proto()).append(" metric ").append(r.metric()).toString();
    }
    if (r.src() != null) {
      sb.append(" proto ").append(r.proto()).append(" scope link src ").append(r.src());
    }
    if (r.metric() != 0) {
      sb.append(" metric ").append(r.metric());
    }
    return sb.toString();
  }

  /** Impairment words as netem writes them, e.g. {@code delay 20ms loss 5%}; {@code none} if empty. */
  static String netem(Map<String, String> words) {
    if (words.isEmpty()) {
      return "none";
    }
    StringBuilder sb = new StringBuilder();
    words.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append(' ').append(v));
    return sb.toString();
  }

  /** Why a switch floods a frame to this destination MAC. */
  static String destinationKind(String mac) {
    long bits;
    try {
      bits = MacAddress.parse(mac).bits();
    } catch (IllegalArgumentException e) {
      return "destination MAC " + mac; // not from an emu node: say what it was
    }
    return MacAddress.isBroadcast(bits) ? "broadcast" : MacAddress.isMulticast(bits) ? "multicast"
        : "destination MAC not learned yet";
  }
}
