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
import emu.node.event.AppEvent;
import emu.node.trace.Tracer;
import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;

/**
 * {@code ping}: ICMP echo, with iputils ping's options and output. Differences on purpose: the
 * count defaults to 4 (a lab step must end), and {@code -W} to 2 seconds (emulated paths are
 * fast; a lost reply should not stall a scenario for 10).
 */
public final class Ping implements Command {
  private final NetworkStack stack;
  private final Tracer tracer;
  private final NameResolver resolver;

  /** {@code resolver} turns DEST into an address (hosts table, cache, DNS), asynchronously. */
  public Ping(NetworkStack stack, Tracer tracer, NameResolver resolver) {
    this.stack = stack;
    this.tracer = tracer;
    this.resolver = resolver;
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
    return "ping [-c count] [-i interval] [-W timeout] [-s size] [-t ttl] [-q] DEST";
  }

  @Override
  public void run(List<String> argv, CommandIo io) {
    Args a = Args.parse(argv, List.of("-c", "-i", "-W", "-s", "-t"), List.of("-q", "-h", "--help"));
    if (a.flag("-h") || a.flag("--help")) {
      io.out("usage: " + summary());
      io.out("  -c count     echo requests to send (default 4)");
      io.out("  -i interval  seconds between requests (default 1)");
      io.out("  -W timeout   seconds to wait for the last reply (default 2)");
      io.out("  -s size      data bytes per request (default 56)");
      io.out("  -t ttl       IP time to live (default 64)");
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
    ResolveThenRun.start(resolver, target, io, "ping", 2,
        dst -> new Run(dst, target, count, interval, timeout, size, ttl, quiet, io).start());
  }

  /** One ping invocation's state. */
  private final class Run implements IcmpListener {
    private final int dst;
    private final String target;
    private final int count;
    private final long interval;
    private final long timeout;
    private final int size;
    private final int ttl;
    private final boolean quiet;
    private final CommandIo io;
    private final TimeSource time;
    private final int ident;
    private final long[] sentAt;
    private final boolean[] answered;
    private int sent;
    private int received;
    private int errors;
    private long startedAt;
    private double minMs = Double.MAX_VALUE;
    private double maxMs;
    private double sumMs;
    private double sumSqMs;
    private TimeSource.Timer timer;
    private boolean done;

    Run(int dst, String target, int count, long interval, long timeout, int size, int ttl, boolean quiet,
        CommandIo io) {
      this.dst = dst;
      this.target = target;
      this.count = count;
      this.interval = interval;
      this.timeout = timeout;
      this.size = size;
      this.ttl = ttl;
      this.quiet = quiet;
      this.io = io;
      this.time = stack.time();
      this.ident = stack.random().nextInt(0x10000);
      this.sentAt = new long[count + 1];
      this.answered = new boolean[count + 1];
    }

    void start() {
      io.out("PING " + target + " (" + Ipv4Address.format(dst) + ") " + size + "(" + (size + 28) + ") bytes of data.");
      if (tracer.enabled()) {
        tracer.emit(new AppEvent.Ping(target, Ipv4Address.format(dst), ident, count));
      }
      stack.icmp().addListener(this);
      io.onCancel(this::finish);
      startedAt = time.nanos();
      sendNext();
    }

    private void sendNext() {
      if (done) {
        return;
      }
      int seq = ++sent;
      ByteBuf data = Unpooled.buffer(size);
      for (int i = 0; i < size; i++) {
        data.writeByte(0x10 + i);
      }
      sentAt[seq] = time.nanos();
      SendResult r = stack.icmp().sendEcho(dst, ident, seq & 0xFFFF, ttl, data);
      data.release();
      if (r != SendResult.SENT) {
        io.out("ping: " + (seq == 1 ? "connect" : "sendmsg") + ": " + r.message());
        if (seq == 1) {
          done = true;
          stack.icmp().removeListener(this);
          io.exit(2);
          return;
        }
        errors++;
      }
      timer = sent < count ? time.schedule(this::sendNext, interval) : time.schedule(this::finish, timeout);
    }

    @Override
    public void onIcmp(Ipv4Packet ip, IcmpPacket icmp) {
      if (done) {
        return;
      }
      if (icmp.type() == IcmpPacket.TYPE_ECHO_REPLY && icmp.ident() == ident && ip.src() == dst) {
        int seq = icmp.seq();
        if (seq < 1 || seq > sent) {
          return;
        }
        double ms = (time.nanos() - sentAt[seq]) / 1e6;
        boolean dup = answered[seq];
        if (!dup) {
          answered[seq] = true;
          received++;
          minMs = Math.min(minMs, ms);
          maxMs = Math.max(maxMs, ms);
          sumMs += ms;
          sumSqMs += ms * ms;
        }
        if (!quiet) {
          io.out(icmp.length() + " bytes from " + Ipv4Address.format(ip.src()) + ": icmp_seq=" + seq + " ttl="
              + ip.ttl() + " time=" + formatMs(ms) + " ms" + (dup ? " (DUP!)" : ""));
        }
        if (received == count && sent == count) {
          finish();
        }
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
        int seq = ip.buffer().getUnsignedShort(at + IcmpPacket.SEQ);
        errors++;
        if (!quiet) {
          io.out("From " + Ipv4Address.format(ip.src()) + " icmp_seq=" + seq + " " + errorText(icmp));
        }
      }
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
      long elapsedMs = (time.nanos() - startedAt) / 1_000_000;
      io.out("");
      io.out("--- " + target + " ping statistics ---");
      int lossPct = sent == 0 ? 0 : (int) Math.round(100.0 * (sent - received) / sent);
      io.out(sent + " packets transmitted, " + received + " received"
          + (errors > 0 ? ", +" + errors + " errors" : "") + ", " + lossPct + "% packet loss, time " + elapsedMs + "ms");
      if (received > 0) {
        double avg = sumMs / received;
        double mdev = Math.sqrt(Math.max(0, sumSqMs / received - avg * avg));
        io.out("rtt min/avg/max/mdev = " + formatMs(minMs) + "/" + formatMs(avg) + "/" + formatMs(maxMs) + "/"
            + formatMs(mdev) + " ms");
      }
      io.exit(received > 0 ? 0 : 1);
    }
  }

  static String formatMs(double ms) {
    return String.format(java.util.Locale.ROOT, "%.3f", ms);
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
