package emu.node.channel;

import emu.node.wire.IpAddress;
import emu.node.wire.Ipv4Address;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** Converts between Java socket addresses (what Netty speaks) and the stack's addresses. */
final class Addresses {
  private Addresses() {}

  static InetSocketAddress of(int ip, int port) {
    return new InetSocketAddress(Ipv4Address.toInet(ip), port);
  }

  static InetSocketAddress of(IpAddress ip, int port) {
    return new InetSocketAddress(ip.toInet(), port);
  }

  /**
   * The address of {@code a}, either family: 0.0.0.0 stays IPv4's wildcard, :: is both
   * families' (a Linux socket on :: without IPV6_V6ONLY).
   */
  static IpAddress address(SocketAddress a) {
    InetSocketAddress s = inet(a);
    return s.getAddress() == null ? IpAddress.ANY6 : IpAddress.of(s.getAddress());
  }

  /** The IPv4 address of {@code a} as an int; 0 for the wildcard. Refuses what is not IPv4. */
  static int ip(SocketAddress a) {
    InetSocketAddress s = inet(a);
    if (s.getAddress() == null || s.getAddress().isAnyLocalAddress()) {
      return 0;
    }
    if (!(s.getAddress() instanceof Inet4Address v4)) {
      throw new IllegalArgumentException("this socket speaks IPv4 only: " + a);
    }
    byte[] b = v4.getAddress();
    return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
  }

  static int port(SocketAddress a) {
    return inet(a).getPort();
  }

  private static InetSocketAddress inet(SocketAddress a) {
    if (!(a instanceof InetSocketAddress s)) {
      throw new IllegalArgumentException("want an InetSocketAddress, not " + a);
    }
    if (s.isUnresolved()) {
      throw new IllegalArgumentException("unresolved address " + s.getHostString()
          + ": resolve names inside the lab (emu's resolver) before connecting");
    }
    return s;
  }
}
