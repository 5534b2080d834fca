package emu.node.ipv6;

import emu.node.wire.Icmpv6Packet;
import emu.node.wire.Ipv6Packet;

/** Hears ICMPv6 echo replies and errors for this node (ping, traceroute; TCP and UDP later). */
@FunctionalInterface
public interface Icmpv6Listener {
  /** {@code ip} carries {@code icmp}; both views are valid only during the call. */
  void onIcmpv6(Ipv6Packet ip, Icmpv6Packet icmp);
}
