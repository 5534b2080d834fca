package emu.node.apps.load;

import emu.node.apps.ResolveThenRun;
import emu.node.apps.service.Iperf3Protocol;
import emu.node.apps.service.Iperf3Server;
import emu.node.channel.EmuTransport;
import emu.node.names.NameResolver;
import emu.node.shell.Args;
import emu.node.shell.Command;
import emu.node.shell.CommandIo;
import emu.node.shell.UsageException;
import emu.node.wire.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code iperf3}: iperf3 itself, not a look-alike: the client and server speak iperf3's own
 * protocol ({@link Iperf3Protocol}) over the node's TCP and UDP, so {@code iperf3 -c} in a
 * Linux namespace measures against an emu node's {@code iperf3 -s}, and an emu node's
 * {@code iperf3 -c} against a real {@code iperf3 -s}. TCP and UDP ({@code -u -b}), several
 * streams ({@code -P}), reverse ({@code -R}), a duration ({@code -t}) or a byte count
 * ({@code -n}), and {@code -J} output in iperf3's JSON shape. Options iperf3 has that this one
 * does not are refused by name, never ignored. Every wait for the server has a limit
 * ({@code --rcv-timeout}): a peer that is not an iperf3 server ends the run with an error.
 * The server is {@link Iperf3Server}; one client run is {@link Iperf3Client}.
 */
public final class Iperf3 implements Command {
  /** Options of iperf3 this one does not implement: refused, with their name, rather than ignored. */
  private static final List<String> REFUSED = List.of("--bidir", "-O", "--omit", "-w", "--window", "-M",
      "--set-mss", "-C", "--congestion", "-Z", "--zerocopy", "-k", "--blockcount", "-S", "--tos", "-L",
      "--flowlabel", "-A", "--affinity", "-B", "--bind", "--cport", "-F", "--file", "-T", "--title",
      "--get-server-output", "-D", "--daemon", "-I", "--pidfile", "--logfile", "-f", "--format", "--sctp",
      "-X", "--xbind", "--fq-rate", "--pacing-timer", "--extra-data", "--username", "--rsa-public-key-path",
      "--rsa-private-key-path", "--authorized-users-path", "--dscp", "-d", "--debug", "-V", "--verbose",
      "--forceflush", "--timestamps", "--dont-fragment", "--repeating-payload", "--idle-timeout",
      "--server-bitrate-limit", "--snd-timeout", "--mptcp", "-m");
  private static final List<String> WITH_VALUE = List.of("-c", "--client", "-p", "--port", "-t", "--time", "-n",
      "--bytes", "-P", "--parallel", "-b", "--bitrate", "-l", "--length", "-i", "--interval", "--connect-timeout",
      "--rcv-timeout");
  private static final List<String> BOOLEANS = List.of("-s", "--server", "-R", "--reverse", "-u", "--udp", "-J",
      "--json", "-1", "--one-off", "-N", "--no-delay", "--udp-counters-64bit", "--stop", "-h", "--help", "-v",
      "--version", "-4", "--version4", "-6", "--version6");
  /** Long spellings, each to the short one it stands for. */
  private static final Map<String, String> LONG = Map.ofEntries(Map.entry("--client", "-c"),
      Map.entry("--port", "-p"), Map.entry("--time", "-t"), Map.entry("--bytes", "-n"),
      Map.entry("--parallel", "-P"), Map.entry("--bitrate", "-b"), Map.entry("--length", "-l"),
      Map.entry("--interval", "-i"), Map.entry("--server", "-s"), Map.entry("--reverse", "-R"),
      Map.entry("--udp", "-u"), Map.entry("--json", "-J"), Map.entry("--one-off", "-1"),
      Map.entry("--no-delay", "-N"), Map.entry("--help", "-h"), Map.entry("--version", "-v"),
      Map.entry("--version4", "-4"), Map.entry("--version6", "-6"));

  private final EmuTransport transport;
  private final NameResolver resolver;
  private final Iperf3Server server;

  public Iperf3(EmuTransport transport, NameResolver resolver) {
    this.transport = transport;
    this.resolver = resolver;
    this.server = new Iperf3Server(transport);
  }

  @Override
  public String name() {
    return "iperf3";
  }

  @Override
  public String summary() {
    return "iperf3 -s [-p 5201] [-1] [--stop] | iperf3 -c HOST [-p 5201] [-t SECS | -n BYTES] [-P N] [-R] "
        + "[-u -b RATE] [-l LEN] [-i SECS] [-4|-6] [-J]";
  }

  /** What the user asked for. */
  record Options(String host, int port, long seconds, long bytes, int parallel, boolean reverse, boolean udp,
                 long rate, int len, double interval, boolean json, boolean noDelay, boolean counters64,
                 long connectTimeoutMs, long rcvTimeoutNanos) {}

  @Override
  public void run(List<String> argv, CommandIo io) {
    List<String> args = new ArrayList<>();
    for (String s : argv) {
      String opt = s.startsWith("--") && s.contains("=") ? s.substring(0, s.indexOf('=')) : s;
      if (REFUSED.contains(opt)) {
        throw new UsageException("option " + opt + " is not supported by emu's iperf3 (see iperf3 --help)");
      }
      if (s.startsWith("--") && s.contains("=")) {
        args.add(opt);
        args.add(s.substring(s.indexOf('=') + 1));
      } else {
        args.add(LONG.getOrDefault(s, s));
      }
    }
    Args a = Args.parse(args, WITH_VALUE, BOOLEANS);
    if (a.flag("-h")) {
      help(io);
      return;
    }
    if (a.flag("-v")) {
      io.out("iperf 3.12 (emu: iperf3's protocol on the emulated TCP and UDP)");
      io.exit(0);
      return;
    }
    if (!a.positional().isEmpty()) {
      throw new UsageException("unexpected argument '" + a.positional().get(0) + "' (usage: " + summary() + ")");
    }
    int port = a.intValue("-p", Iperf3Protocol.DEFAULT_PORT, 1, 65535);
    boolean isServer = a.flag("-s");
    String host = a.value("-c");
    if (isServer == (host != null)) {
      throw new UsageException(isServer ? "cannot be both server (-s) and client (-c)"
          : "must either be a client (-c HOST) or a server (-s): " + summary());
    }
    if (isServer) {
      for (String clientOnly : List.of("-t", "-n", "-P", "-b", "-l", "-i", "--connect-timeout", "--rcv-timeout")) {
        if (a.value(clientOnly) != null) {
          throw new UsageException("option " + clientOnly + " is for the client (-c) only");
        }
      }
      for (String clientOnly : List.of("-R", "-u", "-J", "-N", "--udp-counters-64bit", "-4", "-6")) {
        if (a.flag(clientOnly)) {
          throw new UsageException("option " + clientOnly + " is for the client (-c) only"
              + (clientOnly.equals("-J") ? " (the server runs in the background; iperf3 -s again shows its last test)"
              : ""));
        }
      }
      if (a.flag("--stop")) {
        server.stop(io);
      } else {
        server.start(port, a.flag("-1"), io);
      }
      return;
    }
    if (a.flag("-1") || a.flag("--stop")) {
      throw new UsageException("option " + (a.flag("-1") ? "-1" : "--stop") + " is for the server (-s) only");
    }
    if (a.value("-t") != null && a.value("-n") != null) {
      throw new UsageException("only one test end condition (-t, -n) may be given");
    }
    String t = a.value("-t");
    if (t != null && (!t.matches("\\d{1,5}") || Integer.parseInt(t) < 1 || Integer.parseInt(t) > 86_400)) {
      throw new UsageException("option -t needs a whole number of seconds from 1 to 86400, not '" + t + "'");
    }
    long seconds = a.value("-n") != null ? 0 : t == null ? 10 : Integer.parseInt(t);
    long bytes = a.value("-n") == null ? 0 : Sizes.parse("-n", a.value("-n"));
    if (a.value("-n") != null && bytes <= 0) {
      throw new UsageException("option -n must be more than 0 bytes");
    }
    boolean udp = a.flag("-u");
    long rate = a.value("-b") == null ? (udp ? Iperf3Protocol.DEFAULT_UDP_RATE : 0) : rate(a.value("-b"));
    int len = udp ? Iperf3Protocol.DEFAULT_UDP_LEN : Iperf3Protocol.DEFAULT_TCP_LEN;
    if (a.value("-l") != null) {
      long l = Sizes.parse("-l", a.value("-l"));
      int min = udp ? 16 : 1;
      int max = udp ? Iperf3Protocol.MAX_UDP_LEN : Iperf3Protocol.MAX_TCP_LEN;
      if (l < min || l > max) {
        throw new UsageException("option -l must be from " + min + " to " + max + " bytes" + (udp ? " over UDP" : "")
            + ", not " + a.value("-l"));
      }
      len = (int) l;
    }
    double interval = a.secondsValue("-i", 1, 0, 60) / 1e9;
    if (interval > 0 && interval < 0.1) {
      throw new UsageException("option -i must be 0 (no interval reports) or from 0.1 to 60 seconds");
    }
    Options o = new Options(host, port, seconds, bytes, a.intValue("-P", 1, 1, Iperf3Protocol.MAX_STREAMS),
        a.flag("-R"), udp, rate, len, interval, a.flag("-J"), a.flag("-N"), a.flag("--udp-counters-64bit"),
        a.intValue("--connect-timeout", 10_000, 1, 600_000),
        a.intValue("--rcv-timeout", 10_000, 1, 600_000) * 1_000_000L);
    boolean only4 = a.flag("-4");
    boolean only6 = a.flag("-6");
    if (only4 && only6) {
      throw new UsageException("options -4 and -6 exclude each other");
    }
    // -4 / -6: only the addresses of that family, as iperf3 resolves the host
    ResolveThenRun.startAddresses(resolver, host, io, "iperf3", 1, all -> {
      IpAddress ip = all.stream().filter(x -> !only4 && !only6 || x.isV4() == only4).findFirst().orElse(null);
      if (ip == null) {
        io.out("iperf3: error - unable to resolve host " + host + " to an " + (only4 ? "IPv4" : "IPv6") + " address");
        io.exit(1);
        return;
      }
      new Iperf3Client(transport, o, ip, io).start();
    });
  }

  /** A rate in bits per second as iperf3 takes it: 10M, 1G, 500K (1000-based), or plain. */
  static long rate(String text) {
    String t = text.trim();
    long mult = 1;
    char last = t.isEmpty() ? ' ' : Character.toUpperCase(t.charAt(t.length() - 1));
    if (last == 'K' || last == 'M' || last == 'G') {
      mult = last == 'K' ? 1_000L : last == 'M' ? 1_000_000L : 1_000_000_000L;
      t = t.substring(0, t.length() - 1);
    }
    try {
      double v = Double.parseDouble(t);
      if (!(v >= 0) || v * mult > 100e9) {
        throw new UsageException("option -b must be from 0 (unlimited) to 100G bits/sec, not '" + text + "'");
      }
      return (long) (v * mult);
    } catch (NumberFormatException e) {
      throw new UsageException("option -b wants a rate such as 10M, 1G or 500K (bits/sec), not '" + text + "'");
    }
  }

  private void help(CommandIo io) {
    io.out("usage: " + summary());
    io.out("  -s             server: listens (TCP and UDP) in the background until the node stops; -1 for one test;");
    io.out("                 --stop ends it; iperf3 -s again says how its last test went");
    io.out("  -c HOST        client: run a test against HOST's iperf3 server (emu's or a real one)");
    io.out("  -p PORT        port (default 5201)");
    io.out("  -t SECS        seconds to transmit (default 10)   -n BYTES  bytes to transmit instead (K, M, G)");
    io.out("  -P N           parallel streams (1-128)           -R        reverse: the server sends");
    io.out("  -u             UDP (IPv4)                         -b RATE   bits/sec per stream (UDP default 1M)");
    io.out("  -l LEN         block (TCP, default 128K) or datagram (UDP, default 1460) size");
    io.out("  -i SECS        interval reports (default 1, 0 for none)   -J  JSON output as iperf3's");
    io.out("  -N             TCP no delay   --udp-counters-64bit   --connect-timeout MS   --rcv-timeout MS");
    io.out("                 (--rcv-timeout, default 10000: how long to wait for each answer of the server)");
    io.out("  -4, -6         client: only IPv4 or only IPv6 addresses of HOST");
    io.exit(0);
  }
}
