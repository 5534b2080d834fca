package emu.node.ipv6;

import emu.node.wire.Ipv6Address;

/** What UDP over IPv6 reports as it works, for tracing. Callers ask {@link #enabled()} first. */
public interface Udp6Observer {
  boolean enabled();

  /** A datagram from {@code src:srcPort} handed to the socket on {@code dstPort}. */
  void udpDelivered(Ipv6Address src, int srcPort, int dstPort, int bytes);
}
