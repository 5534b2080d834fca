package emu.node.names;

import emu.node.wire.IpAddress;
import emu.node.wire.Ipv6Address;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Turns a name into an IPv4 address the way the seed describes it: the node's hosts table,
 * then its cache, then a query to its DNS server. Asynchronous, because a DNS query crosses the
 * emulated network; runs on the node's event loop.
 */
public interface NameResolver {
  /**
   * Calls {@code done} with the address, or {@code fail} with a message in the style of
   * getaddrinfo ("Name or service not known", "Temporary failure in name resolution"). A
   * literal address answers at once.
   */
  void resolve(String nameOrAddress, IntConsumer done, Consumer<String> fail);

  /**
   * Resolves to an address of either family: an IPv6 literal (in brackets or not) answers at
   * once; a name, so far, as {@link #resolve} does (IPv4).
   */
  default void resolveAddress(String nameOrAddress, Consumer<IpAddress> done, Consumer<String> fail) {
    String s = nameOrAddress.startsWith("[") && nameOrAddress.endsWith("]")
        ? nameOrAddress.substring(1, nameOrAddress.length() - 1) : nameOrAddress;
    if (s.indexOf(':') >= 0) {
      Ipv6Address a;
      try {
        a = Ipv6Address.parse(s);
      } catch (IllegalArgumentException e) {
        fail.accept("Name or service not known");
        return;
      }
      done.accept(IpAddress.of(a));
      return;
    }
    resolve(s, ip -> done.accept(IpAddress.of(ip)), fail);
  }

  /**
   * All the addresses of {@code nameOrAddress}, either family, in the order a client tries
   * them (getaddrinfo with AF_UNSPEC, sorted per RFC 6724); by default the one
   * {@link #resolveAddress} gives.
   */
  default void resolveAddresses(String nameOrAddress, Consumer<List<IpAddress>> done, Consumer<String> fail) {
    resolveAddress(nameOrAddress, a -> done.accept(List.of(a)), fail);
  }
}
