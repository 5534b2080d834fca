package emu.node.apps.diag;

import emu.link.LinkCounters;
import emu.link.wire.MacAddress;
import emu.node.dhcp.DhcpClient;
import emu.node.ipv6.Ipv6Layer;
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
import emu.node.wire.Ipv6Address;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ip}: the node's interfaces, addresses, routes and neighbours, printed in iproute2's
 * shapes ({@code ip route}, {@code ip route get}, {@code ip neigh}, {@code ip [-s] link},
 * {@code ip addr}); {@code -6} for IPv6's (inet6 lines are in {@code ip addr} either way).
 */
public final class IpCommand implements Command {
  private final NetworkStack stack;
  private final Ip6Lines ipv6;
  private final NameResolver resolver;

  /**
   * {@code resolver} turns {@code ip route get NAME}'s name into an address, asynchronously;
   * {@code ipv6} is the node's IPv6, or null if it has none.
   */
  public IpCommand(NetworkStack stack, Ipv6Layer ipv6, NameResolver resolver) {
    this.stack = stack;
    this.ipv6 = ipv6 == null ? null : new Ip6Lines(ipv6);
    this.resolver = resolver;
  }

  private DhcpClient dhcp;

  /** Shows the addresses {@code client} leased as {@code dynamic}, with their lifetimes counting down. */
  public IpCommand dhcp(DhcpClient client) {
    this.dhcp = client;
    return this;
  }

  /** An IPv4-only node's ip. */
  public IpCommand(NetworkStack stack, NameResolver resolver) {
    this(stack, null, resolver);
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
    return "ip [-s] [-4|-6] { route [get ADDR] | neigh | link | addr | maddr }";
  }

  @Override
  public void run(List<String> argv, CommandIo io) {
    List<String> args = new ArrayList<>(argv);
    boolean stats = args.remove("-s") | args.remove("-stats");
    boolean only4 = args.remove("-4");
    boolean only6 = args.remove("-6");
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
    if (only4 && only6) {
      io.out("Error: only one of -4 and -6 may be given.");
      io.exit(1);
      return;
    }
    if (matches(object, "route")) {
      if (!rest.isEmpty() && rest.get(0).equals("get")) {
        // iproute2 takes the family from the address when no -4 or -6 says it
        if (rest.size() == 2 && (only6 || rest.get(1).indexOf(':') >= 0)) {
          routeGet6(rest.get(1), io);
        } else {
          routeGet(rest, io);
        }
        return;
      }
      if (only6) {
        if (ipv6 != null) {
          ipv6.routes(io);
        }
      } else {
        stack.routes().routes().forEach(r -> io.out(r.describe() + " "));
      }
    } else if (matches(object, "neighbour") || matches(object, "neighbor")) {
      if (!only6) {
        for (Nic nic : stack.nics()) {
          for (NeighborCache.Entry e : nic.neighbors().entries()) {
            io.out(Ipv4Address.format(e.ip()) + " dev " + nic.name()
                + (e.mac() >= 0 && e.state().usable() ? " lladdr " + MacAddress.format(e.mac()) + " " : "  ")
                + e.state().name());
          }
        }
      }
      if (!only4 && ipv6 != null) {
        ipv6.neighbors(io);
      }
    } else if (matches(object, "link")) {
      for (Nic nic : stack.nics()) {
        linkLines(nic, true, io);
        if (stats) {
          statLines(nic, io);
        }
      }
    } else if (matches(object, "maddress")) {
      // iproute2's 'ip maddr': each interface's multicast memberships, the MAC then the group
      for (Nic nic : stack.nics()) {
        io.out(nic.index() + ":\t" + nic.name());
        for (int g : nic.groups()) {
          io.out("\tlink  " + MacAddress.format(0x0100_5E00_0000L | (g & 0x7F_FFFF)));
        }
        for (int g : nic.groups()) {
          io.out("\tinet  " + Ipv4Address.format(g));
        }
      }
    } else if (matches(object, "address") || object.equals("a")) {
      for (Nic nic : stack.nics()) {
        // with a family, iproute2 lists only the interfaces that have its addresses, without link/ether
        boolean v4 = nic.address() != null && !only6;
        boolean v6 = ipv6 != null && ipv6.has(nic) && !only4;
        if (only4 || only6) {
          if (v4 || v6) {
            familyLine(nic, io);
          }
        } else {
          linkLines(nic, false, io);
        }
        if (v4) {
          long expires = dhcp == null ? -1 : dhcp.expiresNanos(nic);
          io.out("    inet " + nic.address() + (nic.address().prefixLength() < 31
              ? " brd " + Ipv4Address.format(nic.address().broadcast()) : "") + " scope global "
              + (expires >= 0 ? "dynamic " : "") + nic.name());
          if (expires >= 0) {
            // as Linux shows a DHCP lease's address: both lifetimes count down to the expiry
            String left = Ip6Lines.lifetime(expires, stack.time().nanos());
            io.out("       valid_lft " + left + " preferred_lft " + left);
          } else {
            io.out("       valid_lft forever preferred_lft forever");
          }
        }
        if (v6) {
          ipv6.addresses(nic, io);
        }
      }
    } else {
      io.out("Object \"" + object + "\" is unknown, try \"ip help\".");
      io.exit(1);
      return;
    }
    io.exit(0);
  }

  private void routeGet6(String target, CommandIo io) {
    Ipv6Address dst;
    try {
      dst = Ipv6Address.parse(target);
    } catch (IllegalArgumentException e) {
      io.out("Error: inet6 prefix is expected rather than \"" + target + "\".");
      io.exit(1);
      return;
    }
    if (ipv6 == null) {
      io.out("RTNETLINK answers: Network is unreachable");
      io.exit(2);
      return;
    }
    ipv6.routeGet(dst, io);
  }

  /** The first line {@code ip -4 addr} and {@code ip -6 addr} print for an interface. */
  private static void familyLine(Nic nic, CommandIo io) {
    boolean carrier = nic.isUp();
    io.out(nic.index() + ": " + shownName(nic) + ": <" + (carrier ? "BROADCAST,MULTICAST,UP,LOWER_UP"
        : "NO-CARRIER,BROADCAST,MULTICAST,UP") + "> mtu "
        + nic.mtu() + " state " + (carrier ? "UP" : nic.parent() != null ? "LOWERLAYERDOWN" : "DOWN") + " qlen 1000");
  }

  /**
   * The name iproute2 prints for an interface: a VLAN subinterface with its parent after an
   * {@code @} ({@code eth0.10@eth0}), as for any device stacked on another.
   */
  static String shownName(Nic nic) {
    return nic.parent() == null ? nic.name() : nic.name() + "@" + nic.parent().name();
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
    if (r != null) {
      r = r.path(0, dst); // of equal-cost paths, the one the hash picks, as the kernel answers
    }
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
    // a VLAN device whose parent lost its carrier has none either, and its state is Linux's
    // IF_OPER_LOWERLAYERDOWN (iproute2's M-DOWN would say the parent is administratively down: emu's
    // link down is a lost carrier, and the parent stays administratively up)
    boolean stacked = name.indexOf('@') > 0;
    String flags = carrier ? "BROADCAST,MULTICAST,UP,LOWER_UP" : "NO-CARRIER,BROADCAST,MULTICAST,UP";
    io.out(index + ": " + name + ": <" + flags + "> mtu " + mtu + " qdisc noqueue"
        + (master == null ? "" : " master " + master) + " state " + (carrier ? "UP" : stacked ? "LOWERLAYERDOWN"
        : "DOWN")
        + (mode ? " mode DEFAULT" : "") + " group default qlen 1000");
    if (mac >= 0) {
      io.out("    link/ether " + MacAddress.format(mac) + " brd ff:ff:ff:ff:ff:ff");
    }
  }

  private static void linkLines(Nic nic, boolean mode, CommandIo io) {
    linkLines(nic.index(), shownName(nic), nic.isUp(), nic.mtu(), null, nic.mac(), mode, io);
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
