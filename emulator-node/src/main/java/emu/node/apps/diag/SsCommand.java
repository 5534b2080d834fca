package emu.node.apps.diag;

import emu.node.shell.Command;
import emu.node.shell.CommandIo;
import emu.node.shell.UsageException;
import emu.node.tcp.TcpConnection;
import emu.node.tcp.TcpLayer;
import emu.node.tcp.TcpListenSocket;
import java.util.List;
import java.util.Locale;

/**
 * {@code ss}: the node's TCP sockets in the shape of {@code ss -tanoi}: state, queues,
 * addresses and timer on one line, then, on a second line that starts with a tab, congestion
 * control, window scales, RTO, RTT (srtt/rttvar), MSS, cwnd, ssthresh, bytes and retransmissions. Listening sockets are shown with {@code -a} or {@code -l};
 * the other iproute2 flags (-t -n -o -i) are accepted, and always on.
 */
public final class SsCommand implements Command {
  private final TcpLayer tcp;

  public SsCommand(TcpLayer tcp) {
    this.tcp = tcp;
  }

  @Override
  public String name() {
    return "ss";
  }

  @Override
  public String summary() {
    return "ss [-tanoil]   TCP connections with rto, rtt, cwnd, ssthresh, wscale, mss, retransmits";
  }

  @Override
  public void run(List<String> args, CommandIo io) {
    boolean all = false;
    boolean listening = false;
    for (String a : args) {
      if (!a.startsWith("-") || a.length() < 2) {
        throw new UsageException("usage: " + summary());
      }
      for (char c : a.substring(1).toCharArray()) {
        switch (c) {
          case 'a' -> all = true;
          case 'l' -> listening = true;
          case 't', 'n', 'o', 'i', 'e', 'm' -> { }
          default -> throw new UsageException("unknown option -" + c + "; usage: " + summary());
        }
      }
    }
    io.out(String.format(Locale.ROOT, "%-10s %-6s %-6s %-21s %-21s %s", "State", "Recv-Q", "Send-Q",
        "Local Address:Port", "Peer Address:Port", "Process"));
    if (all || listening) {
      for (TcpListenSocket l : tcp.listeners()) {
        io.out(String.format(Locale.ROOT, "%-10s %-6d %-6d %-21s %-21s", "LISTEN", l.halfOpen(), l.backlog(),
            listening(l), l.local().isV4() ? "0.0.0.0:*" : l.local().isAny() ? "*:*" : "[::]:*"));
      }
    }
    if (!listening) {
      for (TcpConnection c : tcp.connections()) {
        c.info().ssLines().forEach(io::out);
      }
    }
    io.exit(0);
  }

  /** ss's local column for a listener: a socket on :: for both families shows as *:PORT. */
  private static String listening(TcpListenSocket l) {
    return l.local().equals(emu.node.wire.IpAddress.ANY6) ? "*:" + l.port() : l.local().withPort(l.port());
  }
}
