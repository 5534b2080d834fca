package emu.node.apps.load;

import emu.node.apps.ResolveThenRun;
import emu.node.apps.service.UdpPerfServer;
import emu.node.names.Hosts;
import emu.node.names.HostsResolver;
import emu.node.names.NameResolver;
import emu.node.shell.Args;
import emu.node.shell.Command;
import emu.node.shell.CommandIo;
import emu.node.shell.UsageException;
import emu.node.stack.NetworkStack;
import emu.node.stack.SendResult;
import emu.node.wire.Ipv4Address;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Locale;

/**
 * {@code udpperf}: the raw UDP round-trip capacity of a path, the baseline beside dnsperf's
 * queries per second. {@code udpperf server [-p 7]} starts a UDP echo service (RFC 862) in the
 * background (until the node stops, or {@code --stop}); {@code udpperf DEST [-p 7] [-c 64]
 * [-l 5] [-s 32]} keeps OUTSTANDING datagrams of SIZE bytes in flight to it for SECONDS, exactly
 * as dnsperf keeps queries in flight (the same engine, {@link ClosedLoop}: a datagram not echoed
 * within the timeout, 1 s, is lost and replaced), and prints round trips per second and latency.
 *
 * <p>Each datagram carries a run token, its slot and a per-slot sequence number (12 bytes, then
 * zeros up to SIZE), so an echo is matched in constant time and a late one is told apart.
 * Everything runs on the node's event loop. The server is {@link UdpPerfServer}.
 */
public final class UdpPerf implements Command {
  public static final int DEFAULT_PORT = 7;
  public static final int DEFAULT_SIZE = 32;
  static final int HEADER = 12;
  /** The largest payload that fits a 1500-byte MTU without fragmentation. */
  static final int MAX_SIZE = 1472;

  private final NetworkStack stack;
  private final NameResolver resolver;
  private final UdpPerfServer server;

  /** {@code resolver} turns DEST into an address (hosts table, cache, DNS), asynchronously. */
  public UdpPerf(NetworkStack stack, NameResolver resolver) {
    this.stack = stack;
    this.resolver = resolver;
    this.server = new UdpPerfServer(stack);
  }

  /** Names resolve through the hosts table only. */
  public UdpPerf(NetworkStack stack, Hosts hosts) {
    this(stack, new HostsResolver(hosts));
  }

  @Override
  public String name() {
    return "udpperf";
  }

  @Override
  public String summary() {
    return "udpperf server [-p port] [--stop] | udpperf DEST [-p port] [-c OUTSTANDING] [-l SECONDS] [-s SIZE]";
  }

  @Override
  public void run(List<String> argv, CommandIo io) {
    Args a = Args.parse(argv, List.of("-p", "-c", "-l", "-s", "--timeout"), List.of("--stop", "-h", "--help"));
    if (a.flag("-h") || a.flag("--help")) {
      io.out("usage: " + summary());
      io.out("  server: echoes UDP datagrams on the port (default " + DEFAULT_PORT + ") until the node stops (--stop ends it)");
      io.out("  client: keeps OUTSTANDING datagrams of SIZE bytes (-c, default " + DnsPerf.DEFAULT_OUTSTANDING + "; -s, default "
          + DEFAULT_SIZE + ", " + HEADER + " to " + MAX_SIZE + ") in flight to DEST for SECONDS (-l, default 5); one not echoed");
      io.out("          within --timeout (default 1 s) is lost and replaced; prints round trips per second and latency");
      io.exit(0);
      return;
    }
    if (a.positional().size() != 1) {
      throw new UsageException("usage: " + summary());
    }
    int port = a.intValue("-p", DEFAULT_PORT, 1, 65535);
    if (a.positional().get(0).equals("server")) {
      if (a.flag("--stop")) {
        server.stop(io);
      } else {
        server.start(port, io);
      }
      return;
    }
    String dest = a.positional().get(0);
    int window = a.intValue("-c", DnsPerf.DEFAULT_OUTSTANDING, 1, DnsPerf.MAX_OUTSTANDING);
    long duration = a.secondsValue("-l", DnsPerf.DEFAULT_SECONDS, 0.001, 86_400);
    long timeout = a.secondsValue("--timeout", DnsPerf.DEFAULT_TIMEOUT, 0.001, 60);
    int size = a.intValue("-s", DEFAULT_SIZE, HEADER, MAX_SIZE);
    ResolveThenRun.start(resolver, dest, io, "udpperf", 1,
        ip -> new Run(ip, port, window, duration, timeout, size, io).begin());
  }

  /** One client run. */
  private final class Run extends UdpClosedLoop {
    private final int size;
    private final int token;
    /** Per slot: the sequence number of the datagram last sent, and of the last one echoed. */
    private final int[] seq;
    private final int[] answeredSeq;
    private long duplicates;

    Run(int dest, int destPort, int window, long duration, long timeout, int size, CommandIo io) {
      super(UdpPerf.this.stack, io, dest, destPort, window, duration, timeout);
      this.size = size;
      this.token = stack.random().nextInt();
      this.seq = new int[window];
      this.answeredSeq = new int[window];
    }

    void begin() {
      if (!bind("udpperf")) {
        return;
      }
      io.out("udpperf: UDP round trips to " + Ipv4Address.format(peer) + " port " + peerPort + " from port " + port + ", "
          + size + "-byte datagrams, " + seq.length + " in flight, for " + LatencyStats.seconds(durationNanos())
          + " s");
      start();
    }

    @Override
    protected String transmit(int slot, long now) {
      int s = ++seq[slot];
      ByteBuf b = stack.allocate(size);
      b.writeInt(token).writeInt(slot).writeInt(s).writeZero(size - HEADER);
      SendResult r = send(b);
      return r == SendResult.SENT ? null : "udpperf: sending to " + Ipv4Address.format(peer) + ": " + r.message();
    }

    @Override
    protected void onLost(int slot, long now) {
      // its sequence number is now below the slot's next one: an echo of it counts as late
    }

    @Override
    public void onDatagram(int srcIp, int srcPort, int dstIp, int dstPort, ByteBuf payload) {
      if (finished()) {
        return;
      }
      int at = payload.readerIndex();
      if (srcIp != peer || srcPort != peerPort || payload.readableBytes() != size || payload.getInt(at) != token) {
        unmatched++;
        return;
      }
      int slot = payload.getInt(at + 4);
      int s = payload.getInt(at + 8);
      if (slot < 0 || slot >= seq.length || s <= 0 || s > seq[slot]) {
        unmatched++;
      } else if (s == seq[slot] && waiting(slot)) {
        answeredSeq[slot] = s;
        answered(slot);
      } else if (s == answeredSeq[slot] || s == seq[slot]) {
        duplicates++;
      } else {
        late++;
      }
    }

    @Override
    protected void report() {
      io.out("");
      io.out("Statistics:");
      io.out("");
      io.out("  Datagrams sent:       " + sent);
      io.out("  Round trips:          " + completed + " (" + percent(completed, sent) + ")");
      io.out("  Lost:                 " + lost + " (" + percent(lost, sent) + ")");
      io.out("  Late replies:         " + late);
      io.out("  Unmatched replies:    " + unmatched + (duplicates > 0 ? " (and " + duplicates + " duplicates)" : ""));
      if (icmpErrors > 0) {
        io.out("  ICMP unreachable:     " + icmpErrors + " (is 'udpperf server' running on " + Ipv4Address.format(peer)
            + " port " + peerPort + "?)");
      }
      io.out("  Run time (s):         " + String.format(Locale.ROOT, "%.6f", runSeconds()));
      io.out("  Round trips per second: " + String.format(Locale.ROOT, "%.6f", rate()));
      io.out("");
      io.out("  Average Latency (s):  " + LatencyStats.seconds(latency.mean()) + " (min "
          + LatencyStats.seconds(latency.min()) + ", max " + LatencyStats.seconds(latency.max()) + ")");
      io.out("  Latency StdDev (s):   " + LatencyStats.seconds(latency.stddev()));
      io.out("  Latency p50, p99 (s): " + LatencyStats.seconds(latency.percentile(50)) + ", "
          + LatencyStats.seconds(latency.percentile(99)));
      io.out("");
    }
  }
}
