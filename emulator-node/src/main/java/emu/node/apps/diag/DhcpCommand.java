package emu.node.apps.diag;

import emu.link.wire.MacAddress;
import emu.node.dhcp.DhcpRelay;
import emu.node.dhcp.DhcpServer;
import emu.node.shell.Command;
import emu.node.shell.CommandIo;
import emu.node.shell.UsageException;
import emu.node.wire.Ipv4Address;
import java.util.List;
import java.util.Map;

/**
 * {@code dhcp leases}: the DHCP server's leases as dnsmasq's lease file has them, one a line:
 * expiry (epoch seconds), MAC, address, host name or *, client identifier or *. Offers not yet
 * taken are shown too, as dnsmasq does not (it keeps them in memory only); they expire within a
 * minute. {@code dhcp stats}: the server's counters, then the relay agent's (prefixed
 * {@code relay_}) on a node that relays; a relay-only node has no leases to show.
 */
public final class DhcpCommand implements Command {
  private final DhcpServer server;
  private final DhcpRelay relay;

  public DhcpCommand(DhcpServer server) {
    this(server, null);
  }

  /** The node's DHCP server and relay agent, either one null. */
  public DhcpCommand(DhcpServer server, DhcpRelay relay) {
    this.server = server;
    this.relay = relay;
  }

  @Override
  public String name() {
    return "dhcp";
  }

  @Override
  public String summary() {
    return "dhcp leases|stats   the DHCP server's leases (dnsmasq's lease-file lines) or counters (and the relay's)";
  }

  @Override
  public void run(List<String> args, CommandIo io) {
    if (args.size() == 1 && (args.get(0).equals("-h") || args.get(0).equals("--help"))) {
      io.out("usage: " + summary());
      io.exit(0);
      return;
    }
    if (args.size() != 1) {
      throw new UsageException("usage: " + summary());
    }
    switch (args.get(0)) {
      case "leases" -> {
        if (server == null) {
          io.out("dhcp: no DHCP server on this node (it relays to another: ask that one)");
          io.exit(1);
          return;
        }
        for (DhcpServer.Lease l : server.leases()) {
          io.out(lines(server.epochSeconds(l.expiresNanos()), l));
        }
      }
      case "stats" -> {
        if (server != null) {
          for (Map.Entry<String, Long> e : server.counters().snapshot().entrySet()) {
            io.out(e.getKey() + " " + e.getValue());
          }
        }
        if (relay != null) {
          for (Map.Entry<String, Long> e : relay.counters().snapshot().entrySet()) {
            io.out("relay_" + e.getKey() + " " + e.getValue());
          }
        }
      }
      default -> throw new UsageException("usage: " + summary());
    }
    io.exit(0);
  }

  /** The client's name with spaces, control characters and anything not printable ASCII as '_'. */
  private static String printable(String name) {
    StringBuilder b = new StringBuilder(name.length());
    for (int k = 0; k < name.length(); k++) {
      char c = name.charAt(k);
      b.append(c > ' ' && c < 0x7F ? c : '_');
    }
    return b.toString();
  }

  static String lines(long expiryEpochSeconds, DhcpServer.Lease l) {
    return expiryEpochSeconds + " " + MacAddress.format(l.mac()) + " " + Ipv4Address.format(l.ip()) + " "
        + (l.hostname() == null || l.hostname().isBlank() ? "*" : printable(l.hostname())) + " "
        + (l.clientId() == null ? "*" : l.clientId());
  }
}
