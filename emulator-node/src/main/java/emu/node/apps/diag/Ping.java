package emu.node.apps.diag;

import emu.node.apps.ResolveThenRun;
import emu.node.event.AppEvent;
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
import emu.node.trace.Tracer;
import emu.node.wire.IcmpPacket;
import emu.node.wire.IpAddress;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.Ipv6Address;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * {@code ping}: ICMP echo, with iputils ping's options and output. Differences on purpose: the
 * count defaults to 4 (a lab step must end), and {@code -W} to 2 seconds (emulated paths are
 * fast; a lost reply should not stall a scenario for 10).
 */
public final class Ping implements Command {
  private final NetworkStack stack;
  private final Ipv6Layer ipv6;
  private final Tracer tracer;
  private final NameResolver resolver;

  /**
   * {@code resolver} turns DEST into an address (hosts table, cache, DNS), asynchronously;
   * {@code ipv6} is the node's IPv6, or null if it has none.
   */
  public Ping(NetworkStack stack, Ipv6Layer ipv6, Tracer tracer, NameResolver resolver) {
    this.stack = stack;
    this.ipv6 = ipv6;
    this.tracer = tracer;
    this.resolver = resolver;
  }

  /** An IPv4-only node's ping. */
  public Ping(NetworkStack stack, Tracer tracer, NameResolver resolver) {
    this(stack, null, tracer, resolver);
  }

  /** Names resolve through the hosts table only; nothing is traced. */
  public Ping(NetworkStack stack, Hosts hosts) {
    this(stack, Tracer.OFF, new HostsResolver(hosts));
  }

  @Override
  public String name() {
    return "ping";
  }

  @Override
  public String summary() {
    return "ping [-4|-6] [-c count] [-i interval] [-W timeout] [-s size] [-t ttl] [-q] DEST";
  }

  @Override
  public void run(List<String> argv, CommandIo io) {
    Args a = Args.parse(argv, List.of("-c", "-i", "-W", "-s", "-t"), List.of("-q", "-4", "-6", "-h", "--help"));
    if (a.flag("-h") || a.flag("--help")) {
      io.out("usage: " + summary());
      io.out("  -c count     echo requests to send (default 4)");
      io.out("  -i interval  seconds between requests (default 1)");
      io.out("  -W timeout   seconds to wait for the last reply (default 2)");
      io.out("  -s size      data bytes per request (default 56)");
      io.out("  -t ttl       IP time to live, IPv6 hop limit (default 64)");
      io.out("  -4, -6       IPv4 or IPv6 only (DEST an IPv6 address, fe80::1%eth0 for a link-local one,"
          + " is IPv6)");
      io.out("  -q           print only the summary");
      io.exit(0);
      return;
    }
    if (a.positional().size() != 1) {
      throw new UsageException("usage: " + summary());
    }
    String target = a.positional().get(0);
    int count = a.intValue("-c", 4, 1, 1_000_000);
    long interval = a.secondsValue("-i", 1, 0.001, 3600);
    long timeout = a.secondsValue("-W", 2, 0.001, 3600);
    int size = a.intValue("-s", 56, 0, 65_507 - 8);
    int ttl = a.intValue("-t", 64, 1, 255);
    boolean quiet = a.flag("-q");
    if (a.flag("-4") && a.flag("-6")) {
      throw new UsageException("ping: only one -4 or -6 option may be specified");
    }
    if (target.indexOf(':') >= 0) {
      if (a.flag("-4")) {
        io.out("ping: " + target + ": Address family for hostname not supported");
        io.exit(2);
        return;
      }
      ping6(target, count, interval, timeout, size, ttl, quiet, io);
      return;
    }
    if (a.flag("-6") || ipv6 != null && !a.flag("-4")) {
      // a name on a node with IPv6: getaddrinfo for either family (or IPv6 only with -6), and
      // the first address of the sorted answer, as iputils ping does
      boolean only6 = a.flag("-6");
      ResolveThenRun.startAddresses(resolver, target, io, "ping", 2, all -> {
        IpAddress dst = all.stream().filter(x -> !only6 || !x.isV4()).findFirst().orElse(null);
        if (dst == null) {
          io.out("ping: " + target + ": Address family for hostname not supported");
          io.exit(2);
        } else if (dst.isV4()) {
          new Run(dst.v4(), target, count, interval, timeout, size, ttl, quiet, io).start(size, count);
        } else {
          ping6(target, dst.v6(), null, count, interval, timeout, size, ttl, quiet, io);
        }
      });
      return;
    }
    ResolveThenRun.start(resolver, target, io, "ping", 2,
        dst -> new Run(dst, target, count, interval, timeout, size, ttl, quiet, io).start(size, count));
  }

  private void ping6(String target, int count, long interval, long timeout, int size, int hopLimit, boolean quiet,
                     CommandIo io) {
    int pct = target.indexOf('%');
    Ipv6Address dst;
    try {
      dst = Ipv6Address.parse(pct < 0 ? target : target.substring(0, pct));
    } catch (IllegalArgumentException e) {
      io.out("ping: " + target + ": Name or service not known");
      io.exit(2);
      return;
    }
    Nic nic = null;
    if (pct >= 0) {
      nic = stack.nic(target.substring(pct + 1));
      if (nic == null) {
        io.out("ping: " + target + ": Name or service not known");
        io.exit(2);
        return;
      }
    }
    ping6(target, dst, nic, count, interval, timeout, size, hopLimit, quiet, io);
  }

  private void ping6(String target, Ipv6Address dst, Nic nic, int count, long interval, long timeout, int size,
                     int hopLimit, boolean quiet, CommandIo io) {
    if (ipv6 == null) {
      io.out("ping: connect: Network is unreachable");
      io.exit(2);
      return;
    }
    if (size > 65_535 - 8) {
      io.out("ping: invalid argument: '" + size + "': out of range: 0 <= value <= 65527");
      io.exit(2);
      return;
    }
    new Ping6Run(ipv6, tracer, dst, nic, target, count, interval, timeout, size, hopLimit, quiet, io).start(size);
  }

  /** One IPv4 ping. */
  private final class Run extends PingRun implements IcmpListener {
    private final int dst;
    private final int ttl;

    Run(int dst, String target, int count, long interval, long timeout, int size, int ttl, boolean quiet,
        CommandIo io) {
      super(target, stack.icmp().newEchoIdent(stack.random()), count, interval, timeout, size, quiet, io,
          stack.time());
      this.dst = dst;
      this.ttl = ttl;
    }

    void start(int size, int count) {
      if (tracer.enabled()) {
        tracer.emit(new AppEvent.Ping(target, Ipv4Address.format(dst), ident, count));
      }
      start("PING " + target + " (" + Ipv4Address.format(dst) + ") " + size + "(" + (size + 28) + ") bytes of data.");
    }

    @Override
    protected SendResult connect() {
      return stack.isLocal(dst) || stack.routes().lookup(dst) != null ? SendResult.SENT : SendResult.NO_ROUTE;
    }

    @Override
    protected SendResult send(int seq, ByteBuf data) {
      return stack.icmp().sendEcho(dst, ident, seq, ttl, data);
    }

    @Override
    protected void listen() {
      stack.icmp().claimEchoIdent(ident);
      stack.icmp().addListener(this);
    }

    @Override
    protected void unlisten() {
      stack.icmp().removeListener(this);
      stack.icmp().releaseEchoIdent(ident);
    }

    @Override
    public void onIcmp(Ipv4Packet ip, IcmpPacket icmp) {
      if (done()) {
        return;
      }
      if (icmp.type() == IcmpPacket.TYPE_ECHO_REPLY && icmp.ident() == ident && ip.src() == dst) {
        reply(icmp.seq(), icmp.length(), Ipv4Address.format(ip.src()), ip.ttl());
      } else if (icmp.isError() && icmp.dataLength() >= 28) {
        // The error quotes our echo request: IP header, then the ICMP header with our ident.
        Ipv4Packet q = new Ipv4Packet().wrap(ip.buffer(), icmp.dataIndex());
        int qhl = q.headerLength();
        if (qhl < Ipv4Packet.MIN_HEADER_LEN || icmp.dataLength() < qhl + 8
            || q.protocol() != Ipv4Packet.PROTO_ICMP || q.dst() != dst) {
          return;
        }
        int at = icmp.dataIndex() + qhl;
        if (ip.buffer().getUnsignedByte(at) != IcmpPacket.TYPE_ECHO_REQUEST
            || ip.buffer().getUnsignedShort(at + IcmpPacket.IDENT) != ident) {
          return;
        }
        error(ip.buffer().getUnsignedShort(at + IcmpPacket.SEQ), Ipv4Address.format(ip.src()), errorText(icmp));
      }
    }
  }

  static String errorText(IcmpPacket icmp) {
    if (icmp.type() == IcmpPacket.TYPE_TIME_EXCEEDED) {
      return "Time to live exceeded";
    }
    if (icmp.type() == IcmpPacket.TYPE_DEST_UNREACHABLE) {
      return switch (icmp.code()) {
        case IcmpPacket.CODE_NET_UNREACHABLE -> "Destination Net Unreachable";
        case IcmpPacket.CODE_HOST_UNREACHABLE -> "Destination Host Unreachable";
        case IcmpPacket.CODE_PROTOCOL_UNREACHABLE -> "Destination Protocol Unreachable";
        case IcmpPacket.CODE_PORT_UNREACHABLE -> "Destination Port Unreachable";
        case IcmpPacket.CODE_FRAGMENTATION_NEEDED -> "Frag needed and DF set (mtu = " + icmp.nextHopMtu() + ")";
        default -> "Dest Unreachable, Bad Code: " + icmp.code();
      };
    }
    return "ICMP type " + icmp.type() + " code " + icmp.code();
  }
}
