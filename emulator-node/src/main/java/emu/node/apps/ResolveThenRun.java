package emu.node.apps;

import emu.node.names.NameResolver;
import emu.node.shell.CommandIo;
import emu.node.wire.IpAddress;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The opening of a command that talks to a destination given by name (ping, traceroute,
 * tcpecho, bulk, dnsperf, udpperf): resolve the name (hosts table, cache, DNS; asynchronously),
 * then run with its address, or say why it did not resolve and exit. If the caller hangs up
 * while the name is being resolved, the command exits 1 at once and neither happens; once the
 * name has resolved, hanging up is the run's to handle (it registers its own action with
 * {@link CommandIo#onCancel}).
 */
public final class ResolveThenRun {
  private ResolveThenRun() {}

  /**
   * Resolves {@code name}, then gives {@code run} its address; if it does not resolve, the
   * command prints "{@code tool}: {@code name}: " and the resolver's reason (getaddrinfo's
   * words) and exits with {@code failStatus}.
   */
  public static void start(NameResolver resolver, String name, CommandIo io, String tool, int failStatus,
                           IntConsumer run) {
    start(resolver, name, io, why -> {
      io.out(tool + ": " + name + ": " + why);
      io.exit(failStatus);
    }, run);
  }

  /** {@link #start(NameResolver, String, CommandIo, String, int, IntConsumer)} to an address of either family. */
  public static void startAddress(NameResolver resolver, String name, CommandIo io, String tool, int failStatus,
                                  Consumer<IpAddress> run) {
    startAddresses(resolver, name, io, tool, failStatus, all -> run.accept(all.get(0)));
  }

  /** The same with every address of the name, in the order to try them (RFC 6724). */
  public static void startAddresses(NameResolver resolver, String name, CommandIo io, String tool, int failStatus,
                                    Consumer<List<IpAddress>> run) {
    resolveThen(io, (ok, fail) -> resolver.resolveAddresses(name, ok, fail), why -> {
      io.out(tool + ": " + name + ": " + why);
      io.exit(failStatus);
    }, run);
  }

  /**
   * Resolves {@code name}, then gives {@code run} its address; if it does not resolve,
   * {@code failed} gets the resolver's reason and must end the command.
   */
  public static void start(NameResolver resolver, String name, CommandIo io, Consumer<String> failed,
                           IntConsumer run) {
    resolveThen(io, (ok, fail) -> resolver.resolve(name, ok::accept, fail), failed, run::accept);
  }

  /**
   * Runs {@code lookup}, then {@code run} with its answer or {@code failed} with its reason; if
   * the caller hangs up before the answer, the command exits 1 at once and neither happens.
   */
  private static <A> void resolveThen(CommandIo io, BiConsumer<Consumer<A>, Consumer<String>> lookup,
                                      Consumer<String> failed, Consumer<A> run) {
    boolean[] cancelled = new boolean[1];
    boolean[] resolved = new boolean[1];
    io.onCancel(() -> {
      if (!resolved[0]) {
        cancelled[0] = true;
        io.exit(1);
      }
    });
    lookup.accept(answer -> {
      resolved[0] = true;
      if (!cancelled[0]) {
        run.accept(answer);
      }
    }, why -> {
      resolved[0] = true;
      if (!cancelled[0]) {
        failed.accept(why);
      }
    });
  }
}
