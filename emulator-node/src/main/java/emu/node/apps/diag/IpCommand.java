package emu.node.apps.diag;

import emu.link.LinkCounters;
import emu.link.wire.MacAddress;
import emu.node.names.Hosts;
import emu.node.names.HostsResolver;
import emu.node.names.NameResolver;
import emu.node.shell.Command;
import emu.node.shell.CommandIo;
import emu.node.stack.NeighborCache;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.stack.Route;
import emu.node.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ip}: the node's interfaces, addresses, routes and neighbours, printed in iproute2's
 * shapes ({@code ip route}, {@code ip route get}, {@code ip neigh}, {@code ip [-s] link},
 * {@code ip addr}).
 */
public final class IpCommand implements Command {
  private final NetworkStack stack;
  private final NameResolver resolver;

  /** {@code resolver} turns {@code ip route get NAME}'s name into an address, asynchronously. */
  public IpCommand(NetworkStack stack, NameResolver resolver) {
    this.stack = stack;
    this.resolver = resolver;
  }

  /** Names resolve through the hosts table only. */
  public IpCommand(NetworkStack stack, Hosts hosts) {
    this(stack, new HostsResolver(hosts));
  }

  @Override
  public String name() {
    return "ip";
  }

  @Override
  public String summary() {
    return "ip [-s] { route [get ADDR] | neigh | link | addr }";
  }

  @Override
  public void run(List<String> argv, CommandIo io) {
    List<String> args = new ArrayList<>(argv);
    boolean stats = args.remove("-s") | args.remove("-stats");
    if (args.isEmpty() || args.get(0).equals("help")) {
      io.out("usage: " + summary());
      io.exit(args.isEmpty() ? 2 : 0);
      return;
    }
    String object = args.get(0);
    List<String> rest = args.subList(1, args.size());
    if (!rest.isEmpty() && (rest.get(0).equals("show") || rest.get(0).equals("list"))) {
      rest = rest.subList(1, rest.size());
    }
    if (matches(object, "route")) {
      if (!rest.isEmpty() && rest.get(0).equals("get")) {
        routeGet(rest, io);
        return;
      }
      stack.routes().routes().forEach(r -> io.out(r.describe() + " "));
    } else if (matches(object, "neighbour") || matches(object, "neighbor")) {
      for (Nic nic : stack.nics()) {
        for (NeighborCache.Entry e : nic.neighbors().entries()) {
          io.out(Ipv4Address.format(e.ip()) + " dev " + nic.name()
              + (e.mac() >= 0 && e.state().usable() ? " lladdr " + MacAddress.format(e.mac()) + " " : "  ")
              + e.state().name());
        }
      }
    } else if (matches(object, "link")) {
      for (Nic nic : stack.nics()) {
        linkLines(nic, true, io);
        if (stats) {
          statLines(nic, io);
        }
      }
    } else if (matches(object, "address") || object.equals("a")) {
      for (Nic nic : stack.nics()) {
        linkLines(nic, false, io);
        if (nic.address() != null) {
          io.out("    inet " + nic.address() + (nic.address().prefixLength() < 31
              ? " brd " + Ipv4Address.format(nic.address().broadcast()) : "") + " scope global " + nic.name());
          io.out("       valid_lft forever preferred_lft forever");
        }
      }
    } else {
      io.out("Object \"" + object + "\" is unknown, try \"ip help\".");
      io.exit(1);
      return;
    }
    io.exit(0);
  }

  /** iproute2 accepts any prefix of an object name ({@code ip r}, {@code ip ro}, {@code ip neigh}). */
  private static boolean matches(String given, String full) {
    return !given.isEmpty() && full.startsWith(given);
  }

  private void routeGet(List<String> rest, CommandIo io) {
    if (rest.size() != 2) {
      io.out("usage: ip route get ADDRESS");
      io.exit(2);
      return;
    }
    String target = rest.get(1);
    resolver.resolve(target, dst -> routeGet(dst, io), error -> {
      io.out("Error: any valid prefix is expected rather than \"" + target + "\".");
      io.exit(1);
    });
  }

  private void routeGet(int dst, CommandIo io) {
    if (stack.isLocal(dst)) {
      io.out("local " + Ipv4Address.format(dst) + " dev lo src " + Ipv4Address.format(dst));
      io.exit(0);
      return;
    }
    Route r = stack.routes().lookup(dst);
    if (r == null) {
      io.out("RTNETLINK answers: Network is unreachable");
      io.exit(2);
      return;
    }
    io.out(Ipv4Address.format(dst) + (r.gateway() != 0 ? " via " + Ipv4Address.format(r.gateway()) : "")
        + " dev " + r.nic().name() + " src " + Ipv4Address.format(r.nic().ip()));
    io.exit(0);
  }

  /**
   * The interface's first lines. An emu interface is always administratively up; a link that is
   * down (or not linked) is a lost carrier, which iproute2 shows as NO-CARRIER and state DOWN.
   * {@code ip link} prints the link mode, {@code ip addr} does not.
   */
  static void linkLines(int index, String name, boolean carrier, int mtu, String master, long mac, boolean mode,
                        CommandIo io) {
    String flags = carrier ? "BROADCAST,MULTICAST,UP,LOWER_UP" : "NO-CARRIER,BROADCAST,MULTICAST,UP";
    io.out(index + ": " + name + ": <" + flags + "> mtu " + mtu + " qdisc noqueue"
        + (master == null ? "" : " master " + master) + " state " + (carrier ? "UP" : "DOWN")
        + (mode ? " mode DEFAULT" : "") + " group default qlen 1000");
    if (mac >= 0) {
      io.out("    link/ether " + MacAddress.format(mac) + " brd ff:ff:ff:ff:ff:ff");
    }
  }

  private static void linkLines(Nic nic, boolean mode, CommandIo io) {
    linkLines(nic.index(), nic.name(), nic.isUp(), nic.mtu(), null, nic.mac(), mode, io);
  }

  /** {@code ip -s link}'s two counter blocks, aligned under their headings as iproute2 aligns them. */
  static void statBlocks(long rxBytes, long rxPackets, long rxErrors, long rxDropped, long txBytes, long txPackets,
                         long txErrors, long txDropped, CommandIo io) {
    io.out("    RX:  bytes packets errors dropped  missed   mcast");
    io.out(String.format("    %10d %7d %6d %7d %7d %7d", rxBytes, rxPackets, rxErrors, rxDropped, 0, 0));
    io.out("    TX:  bytes packets errors dropped carrier collsns");
    io.out(String.format("    %10d %7d %6d %7d %7d %7d", txBytes, txPackets, txErrors, txDropped, 0, 0));
  }

  private static void statLines(Nic nic, CommandIo io) {
    LinkCounters link = nic.endpoint().counters();
    statBlocks(nic.rxBytes, nic.rxFrames, link.rxDrops(), nic.rxDropped, nic.txBytes, nic.txFrames, link.txErrors,
        nic.txDropped + link.txDrops() - link.txErrors, io);
  }
}
