package emu.node.apps.load;

import emu.node.apps.ResolveThenRun;
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
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * {@code dnsperf @SERVER [-q NAME] [-t TYPE] [-c OUTSTANDING] [-l SECONDS]}: a DNS load test
 * in the spirit of BIND's dnsperf. It sends one question over and over from one ephemeral UDP
 * port of the emulated stack, keeping OUTSTANDING queries in flight (default 64), each with a
 * fresh random ID; replies are matched by ID. A query unanswered after the timeout (1 s) is
 * lost and replaced by a new one; its answer, if it comes later, is counted as late. After
 * SECONDS (default 5) no new query is sent and the run ends when every query in flight is
 * answered or lost. The statistics are dnsperf's: queries sent, completed, lost, response
 * codes, queries per second, latency.
 *
 * <p>dnsjava is the codec only: the query is built once as a {@link Message} and its wire form
 * reused with each query's ID written in; each reply is parsed as a {@link Message} (a reply
 * that does not parse, is not a response, or asks another question, counts as malformed).
 * Everything runs on the node's event loop, driven by the replies and one sweep timer.
 */
public final class DnsPerf implements Command {
  public static final int DEFAULT_OUTSTANDING = 64;
  public static final double DEFAULT_SECONDS = 5;
  public static final double DEFAULT_TIMEOUT = 1;
  public static final int MAX_OUTSTANDING = 10_000;

  private final NetworkStack stack;
  private final NameResolver resolver;

  /** {@code resolver} turns the server's name into an address (hosts table first). */
  public DnsPerf(NetworkStack stack, NameResolver resolver) {
    this.stack = stack;
    this.resolver = resolver;
  }

  /** The server's name resolves through the hosts table only. */
  public DnsPerf(NetworkStack stack, Hosts hosts) {
    this(stack, new HostsResolver(hosts));
  }

  @Override
  public String name() {
    return "dnsperf";
  }

  @Override
  public String summary() {
    return "dnsperf @SERVER [-q NAME] [-t TYPE] [-c OUTSTANDING] [-l SECONDS] [-p PORT] [--timeout SECONDS]";
  }

  @Override
  public void run(List<String> argv, CommandIo io) {
    Args a = Args.parse(argv, List.of("-q", "-t", "-c", "-l", "-p", "-s", "--timeout"), List.of("-h", "--help"));
    if (a.flag("-h") || a.flag("--help")) {
      io.out("usage: " + summary());
      io.out("  sends the question NAME TYPE (default: . NS) to SERVER (@SERVER or -s SERVER; port -p, default 53)");
      io.out("  over UDP, keeping OUTSTANDING queries in flight (-c, default " + DEFAULT_OUTSTANDING + "), each with a");
      io.out("  random ID, for SECONDS (-l, default 5); a query unanswered after --timeout (default 1 s) is lost");
      io.out("  and replaced. Prints dnsperf's statistics: sent, completed, lost, response codes, queries per");
      io.out("  second, latency.");
      io.exit(0);
      return;
    }
    String server = a.value("-s");
    for (String w : a.positional()) {
      if (w.startsWith("@") && w.length() > 1 && server == null) {
        server = w.substring(1);
      } else {
        throw new UsageException("unexpected argument '" + w + "'; usage: " + summary());
      }
    }
    if (server == null) {
      throw new UsageException("which server? usage: " + summary());
    }
    String qname = a.value("-q") == null ? "." : a.value("-q");
    Name name;
    try {
      name = Name.fromString(qname, Name.root);
    } catch (TextParseException e) {
      throw new UsageException("'" + qname + "' is not a valid domain name: " + e.getMessage());
    }
    String t = a.value("-t") == null ? (a.value("-q") == null ? "NS" : "A") : a.value("-t");
    int type = Type.value(t.toUpperCase(Locale.ROOT));
    if (type < 0 || type == Type.OPT) {
      throw new UsageException("unknown query type '" + t + "' (A, AAAA, MX, TXT, NS, SOA, PTR, CNAME, SRV, ...)");
    }
    int window = a.intValue("-c", DEFAULT_OUTSTANDING, 1, MAX_OUTSTANDING);
    long duration = a.secondsValue("-l", DEFAULT_SECONDS, 0.001, 86_400);
    long timeout = a.secondsValue("--timeout", DEFAULT_TIMEOUT, 0.001, 60);
    int port = a.intValue("-p", 53, 1, 65535);
    Record question = Record.newRecord(name, type, DClass.IN);
    String commandLine = "dnsperf " + String.join(" ", argv);
    ResolveThenRun.start(resolver, server, io, "dnsperf", 1,
        ip -> new Run(ip, port, question, window, duration, timeout, commandLine, io).begin());
  }

  /** One run: the socket, the IDs in flight and the statistics. */
  private final class Run extends UdpClosedLoop {
    private static final byte FREE = 0;
    private static final byte IN_FLIGHT = 1;
    private static final byte LOST = 2;

    private final Record question;
    private final String commandLine;
    private final byte[] wire;
    /** Per DNS ID: free, in flight (slot in {@link #slotOf}) or lost (since {@link #lostAt}). */
    private final byte[] state = new byte[0x10000];
    private final int[] slotOf = new int[0x10000];
    private final long[] lostAt = new long[0x10000];
    private final int[] idOf;
    private final Map<Integer, long[]> rcodes = new TreeMap<>();
    private long malformed;
    private long truncated;
    private long responseBytes;

    Run(int server, int serverPort, Record question, int window, long duration, long timeout, String commandLine,
        CommandIo io) {
      super(DnsPerf.this.stack, io, server, serverPort, window, duration, timeout);
      this.question = question;
      this.commandLine = commandLine;
      this.wire = Message.newQuery(question).toWire();
      this.idOf = new int[window];
    }

    void begin() {
      if (!bind("dnsperf")) {
        return;
      }
      io.out("DNS Performance Testing Tool (emu dnsperf, after BIND's dnsperf)");
      io.out("");
      io.out("[Status] Command line: " + commandLine);
      io.out("[Status] Sending queries (to " + Ipv4Address.format(peer) + ":" + peerPort + " from UDP port " + port
          + "): " + question.getName() + " " + Type.string(question.getType()));
      io.out("[Status] Started at: " + Instant.ofEpochSecond(0, time.epochNanos()));
      io.out("[Status] Stopping after " + LatencyStats.seconds(durationNanos()) + " seconds");
      start();
    }

    @Override
    protected String transmit(int slot, long now) {
      int id = freeId(now);
      state[id] = IN_FLIGHT;
      slotOf[id] = slot;
      idOf[slot] = id;
      ByteBuf b = stack.allocate(wire.length);
      b.writeBytes(wire);
      b.setShort(b.readerIndex(), id);
      SendResult r = send(b);
      if (r != SendResult.SENT) {
        state[id] = FREE;
        return "dnsperf: sending to " + Ipv4Address.format(peer) + ": " + r.message();
      }
      return null;
    }

    /**
     * A random ID neither in flight nor lost recently (a late answer to a lost query must not
     * be taken for the answer to a new one).
     */
    private int freeId(long now) {
      var random = stack.random();
      for (;;) {
        int id = random.nextInt(0x10000);
        byte s = state[id];
        if (s == FREE || (s == LOST && now - lostAt[id] > 10 * timeoutNanos)) {
          return id;
        }
      }
    }

    @Override
    protected void onLost(int slot, long now) {
      int id = idOf[slot];
      state[id] = LOST;
      lostAt[id] = now;
    }

    @Override
    public void onDatagram(int srcIp, int srcPort, int dstIp, int dstPort, ByteBuf payload) {
      if (finished()) {
        return;
      }
      if (srcIp != peer || srcPort != peerPort || payload.readableBytes() < 12) {
        unmatched++;
        return;
      }
      int id = payload.getUnsignedShort(payload.readerIndex());
      byte s = state[id];
      if (s == LOST) {
        state[id] = FREE;
        late++;
        return;
      }
      if (s != IN_FLIGHT) {
        unmatched++;
        return;
      }
      byte[] bytes = new byte[payload.readableBytes()];
      payload.getBytes(payload.readerIndex(), bytes);
      Message m;
      try {
        m = new Message(bytes);
      } catch (IOException e) {
        m = null;
      }
      if (m == null || !m.getHeader().getFlag(Flags.QR) || !question.equals(m.getQuestion())) {
        malformed++; // a reply, but not to our question: the query stays in flight
        return;
      }
      if (m.getHeader().getFlag(Flags.TC)) {
        truncated++;
      }
      rcodes.computeIfAbsent(m.getRcode(), k -> new long[1])[0]++;
      responseBytes += bytes.length;
      state[id] = FREE;
      answered(slotOf[id]);
    }

    @Override
    protected void report() {
      io.out("[Status] Testing complete (time limit)");
      io.out("");
      io.out("Statistics:");
      io.out("");
      io.out("  Queries sent:         " + sent);
      io.out("  Queries completed:    " + completed + " (" + percent(completed, sent) + ")");
      io.out("  Queries lost:         " + lost + " (" + percent(lost, sent) + ")");
      io.out("  Late responses:       " + late);
      io.out("  Unmatched responses:  " + unmatched);
      if (malformed > 0) {
        io.out("  Malformed responses:  " + malformed + " (not a reply to the question asked)");
      }
      if (icmpErrors > 0) {
        io.out("  ICMP unreachable:     " + icmpErrors + " (nothing listening at " + Ipv4Address.format(peer) + ":"
            + peerPort + "?)");
      }
      if (truncated > 0) {
        io.out("  Truncated (TC):       " + truncated);
      }
      io.out("");
      StringBuilder codes = new StringBuilder();
      rcodes.forEach((rc, n) -> codes.append(codes.length() == 0 ? "" : ", ").append(Rcode.string(rc)).append(' ')
          .append(n[0]).append(" (").append(percent(n[0], completed)).append(')'));
      io.out("  Response codes:       " + (codes.length() == 0 ? "-" : codes.toString()));
      io.out("  Average packet size:  request " + wire.length + ", response "
          + (completed == 0 ? 0 : Math.round((double) responseBytes / completed)));
      io.out("  Run time (s):         " + String.format(Locale.ROOT, "%.6f", runSeconds()));
      io.out("  Queries per second:   " + String.format(Locale.ROOT, "%.6f", rate()));
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
