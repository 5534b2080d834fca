package emu.node.apps.diag;

import emu.link.time.TimeSource;
import emu.node.apps.ResolveThenRun;
import emu.node.names.Hosts;
import emu.node.names.HostsResolver;
import emu.node.names.NameResolver;
import emu.node.shell.Args;
import emu.node.shell.Command;
import emu.node.shell.CommandIo;
import emu.node.shell.UsageException;
import emu.node.stack.IcmpListener;
import emu.node.stack.NetworkStack;
import emu.node.stack.SendResult;
import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * {@code traceroute}: UDP probes with increasing TTL to ports from 33434 up, as Linux's
 * traceroute does by default; routers answer with ICMP time exceeded, the destination with
 * port unreachable. Output in traceroute's shape. Differences on purpose: hops are probed one
 * after another (not 16 at once), {@code -w} defaults to 2 seconds, and the exit status is 0
 * only if the destination answered, so a scenario step can test reachability.
 */
public final class Traceroute implements Command {
  private static final int BASE_PORT = 33434;
  private static final int DATA_LEN = 32; // 60-byte packets, traceroute's default

  private final NetworkStack stack;
  private final NameResolver resolver;
  private final Hosts hosts;

  /**
   * {@code resolver} turns DEST into an address (hosts table, cache, DNS), asynchronously;
   * {@code hosts} names the hops that answer.
   */
  public Traceroute(NetworkStack stack, NameResolver resolver, Hosts hosts) {
    this.stack = stack;
    this.resolver = resolver;
    this.hosts = hosts;
  }

  /** Names resolve through the hosts table only. */
  public Traceroute(NetworkStack stack, Hosts hosts) {
    this(stack, new HostsResolver(hosts), hosts);
  }

  @Override
  public String name() {
    return "traceroute";
  }

  @Override
  public String summary() {
    return "traceroute [-n] [-m max_ttl] [-q nqueries] [-w waittime] [-f first_ttl] [-p port] DEST";
  }

  @Override
  public void run(List<String> argv, CommandIo io) {
    Args a = Args.parse(argv, List.of("-m", "-q", "-w", "-f", "-p"), List.of("-n", "-h", "--help"));
    if (a.flag("-h") || a.flag("--help")) {
      io.out("usage: " + summary());
      io.out("  -n  print addresses only   -m  max hops (30)   -q  probes per hop (3)");
      io.out("  -w  seconds to wait for each hop (2)   -f  first TTL (1)   -p  base UDP port (33434)");
      io.exit(0);
      return;
    }
    if (a.positional().size() != 1) {
      throw new UsageException("usage: " + summary());
    }
    String target = a.positional().get(0);
    int maxTtl = a.intValue("-m", 30, 1, 255);
    int firstTtl = a.intValue("-f", 1, 1, maxTtl);
    int probes = a.intValue("-q", 3, 1, 10);
    long wait = a.secondsValue("-w", 2, 0.001, 60);
    int basePort = a.intValue("-p", BASE_PORT, 1, 65535 - 300);
    boolean numeric = a.flag("-n");
    ResolveThenRun.start(resolver, target, io, error -> {
      io.out(target + ": " + error);
      io.out("Cannot handle \"host\" cmdline arg `" + target + "' on position 1 (argc 1)");
      io.exit(2);
    }, dst -> new Run(dst, target, firstTtl, maxTtl, probes, wait, basePort, numeric, io).start());
  }

  private final class Run implements IcmpListener {
    private final int dst;
    private final String target;
    private final int maxTtl;
    private final int probes;
    private final long wait;
    private final int basePort;
    private final boolean numeric;
    private final CommandIo io;
    private final TimeSource time;
    private int ttl;
    private int srcPort;
    private int probeIndex;
    private int hopFirstProbe;
    private long[] sentAt;
    private String[] answers;
    private int answered;
    private boolean reachedDestination;
    private boolean stopAfterHop;
    private TimeSource.Timer timer;
    private boolean done;

    Run(int dst, String target, int firstTtl, int maxTtl, int probes, long wait, int basePort, boolean numeric,
        CommandIo io) {
      this.dst = dst;
      this.target = target;
      this.ttl = firstTtl;
      this.maxTtl = maxTtl;
      this.probes = probes;
      this.wait = wait;
      this.basePort = basePort;
      this.numeric = numeric;
      this.io = io;
      this.time = stack.time();
    }

    void start() {
      srcPort = stack.udp().bind(0, (s, sp, d, dp, p) -> { });
      if (srcPort < 0) {
        io.out("traceroute: no free UDP port");
        io.exit(2);
        return;
      }
      io.out("traceroute to " + target + " (" + Ipv4Address.format(dst) + "), " + maxTtl + " hops max, "
          + (20 + 8 + DATA_LEN) + " byte packets");
      stack.icmp().addListener(this);
      io.onCancel(this::finish);
      probeHop();
    }

    private void probeHop() {
      sentAt = new long[probes];
      answers = new String[probes];
      answered = 0;
      hopFirstProbe = probeIndex;
      for (int i = 0; i < probes; i++) {
        ByteBuf data = stack.allocate(DATA_LEN);
        data.writeZero(DATA_LEN);
        sentAt[i] = time.nanos();
        SendResult r = stack.udp().send(0, srcPort, dst, basePort + probeIndex++, ttl, data);
        if (r != SendResult.SENT) {
          io.out("traceroute: send failed: " + r.message());
          finish();
          return;
        }
      }
      timer = time.schedule(this::hopDone, wait);
    }

    @Override
    public void onIcmp(Ipv4Packet ip, IcmpPacket icmp) {
      if (done || !icmp.isError() || icmp.dataLength() < 28) {
        return;
      }
      ByteBuf b = ip.buffer();
      Ipv4Packet q = new Ipv4Packet().wrap(b, icmp.dataIndex());
      int qhl = q.headerLength();
      if (qhl < Ipv4Packet.MIN_HEADER_LEN || icmp.dataLength() < qhl + 8
          || q.protocol() != Ipv4Packet.PROTO_UDP || q.dst() != dst) {
        return;
      }
      int at = icmp.dataIndex() + qhl;
      if (b.getUnsignedShort(at) != srcPort) {
        return;
      }
      int i = b.getUnsignedShort(at + 2) - basePort - hopFirstProbe;
      if (i < 0 || i >= probes || answers[i] != null) {
        return;
      }
      double ms = (time.nanos() - sentAt[i]) / 1e6;
      String who = numeric ? Ipv4Address.format(ip.src())
          : hosts.nameOf(ip.src()) + " (" + Ipv4Address.format(ip.src()) + ")";
      String note = "";
      if (icmp.type() == IcmpPacket.TYPE_DEST_UNREACHABLE) {
        switch (icmp.code()) {
          case IcmpPacket.CODE_PORT_UNREACHABLE -> reachedDestination = ip.src() == dst;
          case IcmpPacket.CODE_NET_UNREACHABLE -> note = " !N";
          case IcmpPacket.CODE_HOST_UNREACHABLE -> note = " !H";
          case IcmpPacket.CODE_PROTOCOL_UNREACHABLE -> note = " !P";
          case IcmpPacket.CODE_FRAGMENTATION_NEEDED -> note = " !F-" + icmp.nextHopMtu();
          default -> note = " !<" + icmp.code() + ">";
        }
        stopAfterHop = true;
      }
      answers[i] = who + "  " + PingRun.formatMs(ms) + " ms" + note;
      if (++answered == probes) {
        timer.cancel();
        hopDone();
      }
    }

    private void hopDone() {
      if (done) {
        return;
      }
      StringBuilder line = new StringBuilder(String.format("%2d ", ttl));
      String lastWho = null;
      for (String ans : answers) {
        if (ans == null) {
          line.append(" *");
          continue;
        }
        int split = ans.indexOf("  ");
        String who = ans.substring(0, split);
        String rest = ans.substring(split + 2);
        if (!who.equals(lastWho)) {
          line.append(' ').append(who);
          lastWho = who;
        }
        line.append("  ").append(rest);
      }
      io.out(line.toString());
      if (stopAfterHop || ttl >= maxTtl) {
        finish();
        return;
      }
      ttl++;
      probeHop();
    }

    private void finish() {
      if (done) {
        return;
      }
      done = true;
      if (timer != null) {
        timer.cancel();
      }
      stack.icmp().removeListener(this);
      stack.udp().unbind(srcPort);
      io.exit(reachedDestination ? 0 : 1);
    }
  }
}
