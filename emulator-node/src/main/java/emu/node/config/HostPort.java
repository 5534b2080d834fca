package emu.node.config;

import java.net.InetSocketAddress;

/** Parses {@code host:port} (host a literal IPv4 address or a resolvable name) without surprises. */
public final class HostPort {
  private HostPort() {}

  public static InetSocketAddress parse(String text) {
    int colon = text == null ? -1 : text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("not host:port: '" + text + "'");
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a port number in '" + text + "'");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port outside 0..65535 in '" + text + "'");
    }
    return new InetSocketAddress(text.substring(0, colon), port);
  }

  public static String format(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }
}
