package emu.node.apps.diag;

import emu.node.dhcp.DhcpLeaseFile;
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
 * minute. {@code dhcp stats}: the server's counters.
 */
public final class DhcpCommand implements Command {
  private final DhcpServer server;

  public DhcpCommand(DhcpServer server) {
    this.server = server;
  }

  @Override
  public String name() {
    return "dhcp";
  }

  @Override
  public String summary() {
    return "dhcp leases|stats   the DHCP server's leases (dnsmasq's lease-file lines) or counters";
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
        for (DhcpServer.Lease l : server.leases()) {
          io.out(lines(server.epochSeconds(l.expiresNanos()), l));
        }
      }
      case "stats" -> {
        for (Map.Entry<String, Long> e : server.counters().snapshot().entrySet()) {
          io.out(e.getKey() + " " + e.getValue());
        }
      }
      default -> throw new UsageException("usage: " + summary());
    }
    io.exit(0);
  }

  static String lines(long expiryEpochSeconds, DhcpServer.Lease l) {
    return DhcpLeaseFile.line(expiryEpochSeconds, l.mac(), l.ip(), l.hostname(), l.clientId());
  }
}
