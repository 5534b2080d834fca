package emu.node.apps.diag;

import emu.node.dhcp.DhcpClient;
import emu.node.dhcp.DhcpLeaseFile;
import emu.node.dhcp.DhcpRelay;
import emu.node.dhcp.DhcpServer;
import emu.node.shell.Command;
import emu.node.shell.CommandIo;
import emu.node.shell.UsageException;
import java.util.List;
import java.util.Map;

/**
 * {@code dhcp leases}: the DHCP server's leases as dnsmasq's lease file has them, one a line:
 * expiry (epoch seconds), MAC, address, host name or *, client identifier or *. Offers not yet
 * taken are shown too, as dnsmasq does not (it keeps them in memory only); they expire within a
 * minute. {@code dhcp stats}: the server's counters, then the relay agent's (prefixed
 * {@code relay_}) on a node that relays. {@code dhcp renew IFACE}: the client renews that
 * interface's lease now, as {@code networkctl renew} does.
 */
public final class DhcpCommand implements Command {
  private final DhcpServer server;
  private final DhcpClient client;
  private final DhcpRelay relay;

  /** The command of a node that runs {@code server}, {@code client}, a {@code relay} agent or several (null: not this one). */
  public DhcpCommand(DhcpServer server, DhcpClient client, DhcpRelay relay) {
    this.server = server;
    this.client = client;
    this.relay = relay;
  }

  public DhcpCommand(DhcpServer server) {
    this(server, null, null);
  }

  @Override
  public String name() {
    return "dhcp";
  }

  @Override
  public String summary() {
    return "dhcp leases|stats|renew IFACE   the DHCP server's leases (dnsmasq's lease-file lines) or counters (and"
        + " the relay's); renew a lease of the client now";
  }

  @Override
  public void run(List<String> args, CommandIo io) {
    if (args.size() == 1 && (args.get(0).equals("-h") || args.get(0).equals("--help"))) {
      io.out("usage: " + summary());
      io.exit(0);
      return;
    }
    if (args.size() == 2 && args.get(0).equals("renew")) {
      if (client == null) {
        io.out("dhcp: no DHCP client runs on this node (no interface has 'address: dhcp')");
        io.exit(1);
        return;
      }
      try {
        io.out(client.renewNow(args.get(1)));
        io.exit(0);
      } catch (IllegalArgumentException e) {
        io.out("dhcp: " + e.getMessage());
        io.exit(1);
      }
      return;
    }
    if (args.size() != 1 || !List.of("leases", "stats").contains(args.get(0))) {
      throw new UsageException("usage: " + summary());
    }
    if (server == null && (relay == null || args.get(0).equals("leases"))) {
      io.out("dhcp: no DHCP server runs on this node" + (relay != null ? " (it relays to another: ask that one)" : ""));
      io.exit(1);
      return;
    }
    switch (args.get(0)) {
      case "leases" -> {
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
    }
    io.exit(0);
  }

  static String lines(long expiryEpochSeconds, DhcpServer.Lease l) {
    return DhcpLeaseFile.line(expiryEpochSeconds, l.mac(), l.ip(), l.hostname(), l.clientId());
  }
}
