package emu.node.names;

import java.util.function.Consumer;
import java.util.function.IntConsumer;

/** A resolver that knows only the hosts table (for nodes without a DNS server configured). */
public final class HostsResolver implements NameResolver {
  private final Hosts hosts;

  public HostsResolver(Hosts hosts) {
    this.hosts = hosts;
  }

  @Override
  public void resolve(String nameOrAddress, IntConsumer done, Consumer<String> fail) {
    Integer a = hosts.resolve(nameOrAddress);
    if (a != null) {
      done.accept(a);
    } else {
      fail.accept("Name or service not known");
    }
  }
}
