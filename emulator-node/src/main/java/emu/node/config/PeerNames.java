package emu.node.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Link peers given by host name ({@code r1:40000}), as on a Kubernetes cluster where each
 * peer is a pod behind a headless Service: each name is resolved once when the node starts,
 * and the node then works with the address exactly as with a literal one (the "only from the
 * configured peer" check compares with the resolved address).
 *
 * <p>A cluster's DNS only knows a pod once it has been scheduled and has an address, and pods
 * start in any order, so a name that does not resolve yet is asked again every
 * {@code retryEvery} until {@code timeout}; then the node stops with a message naming the
 * interface and the peer (the kubelet restarts it, so a slow peer still gets there).
 *
 * <p>Peers that are already IPv4 literals (every local lab's) are left untouched, so loopback
 * labs behave exactly as before.
 */
public final class PeerNames {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  /** Name resolution, replaceable in tests. */
  public interface Resolver {
    InetAddress resolve(String host) throws UnknownHostException;
  }

  /** Waiting between attempts, replaceable in tests. */
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private PeerNames() {}

  /** True if some interface's peer is a host name rather than an IPv4 literal. */
  public static boolean any(NodeConfig config) {
    return config.interfaces().stream().anyMatch(i -> i.peer() != null && !IPV4.matcher(host(i.peer())).matches());
  }

  /**
   * The configuration with every named peer replaced by {@code ADDRESS:PORT}; the same object
   * if there is none.
   *
   * @throws IllegalArgumentException naming the interface and peer if a name never resolved
   */
  public static NodeConfig resolve(NodeConfig config, Duration timeout, Duration retryEvery, Resolver resolver,
                                   Sleeper sleeper, Consumer<String> log) throws InterruptedException {
    if (!any(config)) {
      return config;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    List<NodeConfig.Iface> out = new ArrayList<>();
    for (NodeConfig.Iface i : config.interfaces()) {
      if (i.peer() == null || IPV4.matcher(host(i.peer())).matches()) {
        out.add(i);
        continue;
      }
      String host = host(i.peer());
      String port = i.peer().substring(i.peer().lastIndexOf(':') + 1);
      if (host.isEmpty() || !port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
        throw new IllegalArgumentException("interface " + i.name() + ": link peer is not host:port: '" + i.peer()
            + "'");
      }
      InetAddress addr = null;
      String why = null;
      boolean said = false;
      while (addr == null) {
        try {
          addr = resolver.resolve(host);
        } catch (UnknownHostException e) {
          why = e.getMessage();
          if (System.nanoTime() - deadline >= 0) {
            throw new IllegalArgumentException("interface " + i.name() + ": link peer " + host + " did not resolve "
                + "within " + timeout.toSeconds() + " s (" + why + "); is a Service named " + host + " in this "
                + "namespace, and its pod scheduled?");
          }
          if (!said) {
            log.accept("interface " + i.name() + ": waiting for link peer " + host + " to resolve");
            said = true;
          }
          sleeper.sleep(retryEvery);
        }
      }
      String resolved = addr.getHostAddress() + ":" + port;
      log.accept("interface " + i.name() + ": link peer " + host + " is " + resolved);
      out.add(i.withLink(i.bind(), resolved));
    }
    return config.withInterfaces(out);
  }

  /**
   * Resolves with the JVM's resolver, IPv4 first (links are IPv4 sockets). The JVM caches a
   * failed lookup for 10 s by default, which would make the retries pointless while the
   * cluster's DNS catches up; the negative cache is turned off (this takes effect when it is
   * set before the process's first lookup, which is the case in NodeMain).
   */
  public static NodeConfig resolve(NodeConfig config, Duration timeout, Consumer<String> log)
      throws InterruptedException {
    if (!any(config)) {
      return config;
    }
    java.security.Security.setProperty("networkaddress.cache.negative.ttl", "0");
    return resolve(config, timeout, Duration.ofSeconds(1), PeerNames::firstIpv4,
        d -> Thread.sleep(d.toMillis()), log);
  }

  private static InetAddress firstIpv4(String host) throws UnknownHostException {
    InetAddress[] all = InetAddress.getAllByName(host);
    for (InetAddress a : all) {
      if (a instanceof java.net.Inet4Address) {
        return a;
      }
    }
    throw new UnknownHostException(host + " has no IPv4 address");
  }

  private static String host(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return colon < 0 ? hostPort : hostPort.substring(0, colon);
  }
}
