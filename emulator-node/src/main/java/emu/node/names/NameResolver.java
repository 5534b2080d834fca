package emu.node.names;

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
}
