package emu.node.apps.diag;

import emu.node.apps.ResolveThenRun;
import emu.node.ipv6.Ipv6Layer;
import emu.node.names.Hosts;
import emu.node.names.HostsResolver;
import emu.node.names.NameResolver;
import emu.node.shell.Args;
import emu.node.shell.Command;
import emu.node.shell.CommandIo;
import emu.node.shell.UsageException;
import emu.node.stack.IcmpListener;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.stack.SendResult;
import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.Ipv6Address;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * {@code traceroute}: UDP probes with increasing TTL to ports from 33434 up, as Linux's
 * traceroute does by default; routers answer with ICMP time exceeded, the destination with
 * port unreachable. Output in traceroute's shape. Differences on purpose: hops are probed one
 * after another (not 16 at once), {@code -w} defaults to 2 seconds, and the exit status is 0
 * only if the destination answered, so a scenario step can test reachability. An IPv6
 * destination (or {@code -6}) probes over IPv6 ({@link Traceroute6Run}).
 */
public final class Traceroute implements Command {
  private static final int BASE_PORT = 33434;
  private static final int DATA_LEN = 32; // 60-byte packets, traceroute's default

  private final NetworkStack stack;
  private final Ipv6Layer ipv6;
  private final NameResolver resolver;
  private final Hosts hosts;

  /**
   * {@code resolver} turns DEST into an address (hosts table, cache, DNS), asynchronously;
   * {@code hosts} names the hops that answer; {@code ipv6} is the node's IPv6, or null.
   */
  public Traceroute(NetworkStack stack, Ipv6Layer ipv6, NameResolver resolver, Hosts hosts) {
    this.stack = stack;
    this.ipv6 = ipv6;
    this.resolver = resolver;
    this.hosts = hosts;
  }

  /** An IPv4-only node's traceroute. */
  public Traceroute(NetworkStack stack, NameResolver resolver, Hosts hosts) {
    this(stack, null, resolver, hosts);
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
    return "traceroute [-4|-6] [-n] [-m max_ttl] [-q nqueries] [-w waittime] [-f first_ttl] [-p port] DEST";
  }

  @Override
  public void run(List<String> argv, CommandIo io) {
    Args a = Args.parse(argv, List.of("-m", "-q", "-w", "-f", "-p"), List.of("-n", "-4", "-6", "-h", "--help"));
    if (a.flag("-h") || a.flag("--help")) {
      io.out("usage: " + summary());
      io.out("  -n  print addresses only   -m  max hops (30)   -q  probes per hop (3)");
      io.out("  -w  seconds to wait for each hop (2)   -f  first TTL (1)   -p  base UDP port (33434)");
      io.out("  -4, -6  IPv4 or IPv6 (DEST an IPv6 address is IPv6)");
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
    if (target.indexOf(':') >= 0 || a.flag("-6")) {
      trace6(target, a.flag("-4"), firstTtl, maxTtl, probes, wait, basePort, numeric, io);
      return;
    }
    ResolveThenRun.start(resolver, target, io, error -> {
      io.out(target + ": " + error);
      io.out("Cannot handle \"host\" cmdline arg `" + target + "' on position 1 (argc 1)");
      io.exit(2);
    }, dst -> new Run(dst, target, firstTtl, maxTtl, probes, wait, basePort, numeric, io).start(maxTtl));
  }

  private void trace6(String target, boolean only4, int firstTtl, int maxTtl, int probes, long wait, int basePort,
                      boolean numeric, CommandIo io) {
    int pct = target.indexOf('%');
    Ipv6Address dst = null;
    Nic nic = null;
    try {
      dst = only4 || target.indexOf(':') < 0 ? null : Ipv6Address.parse(pct < 0 ? target : target.substring(0, pct));
      nic = pct < 0 ? null : stack.nic(target.substring(pct + 1));
    } catch (IllegalArgumentException e) {
      dst = null;
    }
    if (dst == null || pct >= 0 && nic == null) {
      // names resolve to IPv4 addresses only, so far: as traceroute says of a name without AAAA
      io.out(target + ": " + (target.indexOf(':') < 0 || only4 ? "Address family for hostname not supported"
          : "Name or service not known"));
      io.out("Cannot handle \"host\" cmdline arg `" + target + "' on position 1 (argc 1)");
      io.exit(2);
      return;
    }
    if (ipv6 == null) {
      io.out("traceroute: send failed: " + SendResult.NO_ROUTE.message());
      io.exit(1);
      return;
    }
    new Traceroute6Run(ipv6, dst, nic, target, firstTtl, maxTtl, probes, wait, basePort, numeric, DATA_LEN, io)
        .start(maxTtl);
  }

  /** One IPv4 traceroute. */
  private final class Run extends TracerouteRun implements IcmpListener {
    private final int dst;
    private final boolean numeric;

    Run(int dst, String target, int firstTtl, int maxTtl, int probes, long wait, int basePort, boolean numeric,
        CommandIo io) {
      super(target, firstTtl, maxTtl, probes, wait, basePort, io, stack.time());
      this.dst = dst;
      this.numeric = numeric;
    }

    void start(int maxTtl) {
      start("traceroute to " + target + " (" + Ipv4Address.format(dst) + "), " + maxTtl + " hops max, "
          + (20 + 8 + DATA_LEN) + " byte packets");
    }

    @Override
    protected int bind() {
      return stack.udp().bind(0, (s, sp, d, dp, p) -> { });
    }

    @Override
    protected void unbind(int port) {
      stack.udp().unbind(port);
    }

    @Override
    protected SendResult send(int dstPort, int ttl) {
      ByteBuf data = stack.allocate(DATA_LEN);
      data.writeZero(DATA_LEN);
      return stack.udp().send(0, srcPort, dst, dstPort, ttl, data);
    }

    @Override
    protected void listen() {
      stack.icmp().addListener(this);
    }

    @Override
    protected void unlisten() {
      stack.icmp().removeListener(this);
    }

    @Override
    public void onIcmp(Ipv4Packet ip, IcmpPacket icmp) {
      if (done() || !icmp.isError() || icmp.dataLength() < 28) {
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
      String who = numeric ? Ipv4Address.format(ip.src())
          : hosts.nameOf(ip.src()) + " (" + Ipv4Address.format(ip.src()) + ")";
      String note = "";
      boolean unreachable = icmp.type() == IcmpPacket.TYPE_DEST_UNREACHABLE;
      if (unreachable) {
        note = switch (icmp.code()) {
          case IcmpPacket.CODE_PORT_UNREACHABLE -> "";
          case IcmpPacket.CODE_NET_UNREACHABLE -> " !N";
          case IcmpPacket.CODE_HOST_UNREACHABLE -> " !H";
          case IcmpPacket.CODE_PROTOCOL_UNREACHABLE -> " !P";
          case IcmpPacket.CODE_FRAGMENTATION_NEEDED -> " !F-" + icmp.nextHopMtu();
          default -> " !<" + icmp.code() + ">";
        };
      }
      boolean reached = unreachable && icmp.code() == IcmpPacket.CODE_PORT_UNREACHABLE && ip.src() == dst;
      answer(b.getUnsignedShort(at + 2), who, note, reached, unreachable);
    }
  }
}
