package emu.bench.e2e;

import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.link.wire.VxlanHeader;
import emu.node.wire.ArpPacket;
import emu.node.wire.Checksum;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Traffic generator and sink for the router packet-rate benchmark
 * ({@code benchmarks/e2e/router-pps.sh}), which drives an emu router node and a Linux
 * network-namespace router with the same two programs so that their packet rates can be set
 * side by side.
 *
 * <p>Both routers are reached the same way: Ethernet frames inside UDP datagrams with VXLAN
 * framing (RFC 7348: an 8-byte header carrying the VNI, UDP port 4789), which is what an emu
 * link with {@code framing: vxlan} and a Linux VXLAN device both speak. The frames are
 * Ethernet II / IPv4 / UDP of an exact size counting the Ethernet header (no FCS), with a valid
 * IPv4 header checksum and UDP checksum 0 (none), addressed to the router's ingress MAC and to
 * the sink's IP address, so each router must route them and rewrite the MACs.
 *
 * <p><b>gen</b> sends one pre-built frame over and over, as fast as it can, for a number of
 * seconds. It must cost far less per frame than a router, so:
 * <ul>
 *   <li>the frame is built once in a pooled direct buffer, and each send is a
 *       {@code retainedDuplicate()} of it: a recycled view, no copy and no allocation (Netty's
 *       leak detector is turned off, because a sampled, leak-tracked buffer would hand out a new
 *       wrapper with every duplicate);</li>
 *   <li>the socket is {@code connect}ed, so plain {@code ByteBuf}s can be written without a
 *       {@code DatagramPacket} holder per frame, and the kernel skips the route lookup of each
 *       send;</li>
 *   <li>frames are written in batches and flushed once per batch, which Netty's epoll transport
 *       turns into {@code sendmmsg} calls: many datagrams per system call.</li>
 * </ul>
 * It deliberately does not use UDP GSO: on loopback a GSO send reaches a receiver that reads
 * with UDP GRO (as emu nodes do) as one bundle of up to 64 frames taken in one system call, which
 * would measure the router on bundles rather than on frames. With one datagram per frame each
 * router receives the frames one by one, as from a wire.
 *
 * <p><b>sink</b> counts the datagrams that carry IPv4 frames for its IP address, per second, for a
 * number of seconds, and prints each second's rate and their median. The counted seconds start
 * a second after the first frame (the JVMs compile their hot paths meanwhile), once the sink has
 * read what queued up during that time (at most 3 seconds after the first frame). It answers ARP
 * requests for its IP (each router ARPs for it before forwarding), inside the same VXLAN framing,
 * to whoever sent the request. It reads with UDP GRO: the emu router sends runs of frames as one
 * GSO send, and a GRO socket takes such a bundle whole (Netty splits it back into one datagram per
 * frame) instead of having the kernel cut it up on the sender's CPU. Its socket's queue is far
 * larger than {@code net.core.rmem_max} (SO_RCVBUFFORCE, as root), so that a moment without CPU on
 * a busy machine does not cost frames, and it reports how many datagrams the socket dropped all
 * the same (the {@code drops} column of {@code /proc/net/udp}): a sink that fell behind is seen,
 * not mistaken for a slow router. Netty's datagram channel allocates per datagram read (a
 * {@code DatagramPacket} holder and the sender's address); the sink itself allocates nothing per
 * frame.
 *
 * <p>Linux only: it needs Netty's native epoll transport. Output is human-readable lines and, as
 * the last line, one machine-readable line of {@code key=value} pairs ({@code gen-result ...},
 * {@code sink-result ...}).
 */
public final class FrameBlaster {
  /** Socket buffers asked for; the kernel caps them at net.core.[rw]mem_max. */
  private static final int SOCKET_BUFFER = 4 << 20;
  /**
   * The sink's receive queue, past net.core.rmem_max (SO_RCVBUFFORCE needs CAP_NET_ADMIN; without
   * it Netty logs a warning and SOCKET_BUFFER stands): on two shared cores the scheduler can leave
   * the sink waiting for a while, and it should catch up afterwards rather than lose frames.
   */
  private static final int SINK_BUFFER = 64 << 20;
  /** SO_RCVBUFFORCE at SOL_SOCKET, as asm-generic defines them (x86-64, arm64). */
  private static final IntegerUnixChannelOption SO_RCVBUFFORCE =
      new IntegerUnixChannelOption("SO_RCVBUFFORCE", 1, 33);
  /**
   * The first second of a run is not measured: the JVMs (the generator's, the sink's, an emu
   * router's) are still compiling their hot paths, and the router may be resolving the sink's MAC.
   */
  private static final int SETTLE_SECONDS = 1;
  /** The UDP port of the generated frames, both ends (9: discard, RFC 863). */
  private static final int DISCARD_PORT = 9;
  /** Ethernet's minimum frame without FCS: short frames such as ARP are padded to it, as a NIC does. */
  private static final int MIN_FRAME = 60;
  /** The smallest frame the generator sends: Ethernet's minimum (with its FCS, which is not sent). */
  private static final int MIN_SIZE = 64;
  /** The largest: a 1500-byte IP packet (MTU 1500) and its Ethernet header. */
  private static final int MAX_SIZE = 1514;

  private static final String USAGE = """
      usage: FrameBlaster gen  --bind ADDR:PORT --to ADDR:PORT --vni N --size BYTES --seconds N
                               --src-mac MAC --src-ip ADDR --dst-mac ROUTER_MAC --dst-ip SINK_ADDR
             FrameBlaster sink --bind ADDR:PORT --vni N --mac MAC --ip ADDR --seconds N
                               [--wait SECONDS]
        gen   sends VXLAN-framed Ethernet/IPv4/UDP frames of BYTES (64..1514, Ethernet header
              included, no FCS) from --bind to the router at --to, as fast as it can, for --seconds
        sink  counts the frames for --ip arriving at --bind, per second, for --seconds, starting 1 to 3
              seconds after the first one, once it has caught up (giving up after --wait seconds,
              default 30, without a frame), then reads on until they stop; answers ARP for --ip""";

  private FrameBlaster() {}

  public static void main(String[] args) throws Exception {
    int code;
    try {
      code = run(args);
    } catch (IllegalArgumentException e) {
      System.err.println("FrameBlaster: " + e.getMessage());
      System.err.println(USAGE);
      code = 2;
    }
    System.exit(code);
  }

  private static int run(String[] args) throws Exception {
    if (args.length == 0 || !List.of("gen", "sink").contains(args[0])) {
      throw new IllegalArgumentException("the first argument is the mode: gen or sink");
    }
    Map<String, String> opts = options(Arrays.copyOfRange(args, 1, args.length));
    if (!Epoll.isAvailable()) {
      System.err.println("FrameBlaster: needs Netty's native epoll transport (Linux): "
          + Epoll.unavailabilityCause());
      return 1;
    }
    // Leak tracking would wrap sampled buffers and allocate a new wrapper per duplicate.
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    int vni = Integer.parseInt(required(opts, "vni"));
    if (vni < 0 || vni > VxlanHeader.MAX_VNI) {
      throw new IllegalArgumentException("--vni " + vni + " outside 0.." + VxlanHeader.MAX_VNI);
    }
    int seconds = Integer.parseInt(required(opts, "seconds"));
    if (seconds < 1) {
      throw new IllegalArgumentException("--seconds must be at least 1");
    }
    InetSocketAddress bind = socketAddress(required(opts, "bind"));
    if (args[0].equals("gen")) {
      int size = Integer.parseInt(required(opts, "size"));
      if (size < MIN_SIZE || size > MAX_SIZE) {
        throw new IllegalArgumentException("--size " + size + " outside " + MIN_SIZE + ".." + MAX_SIZE);
      }
      ByteBuf frame = frame(vni, size, MacAddress.parse(required(opts, "dst-mac")).bits(),
          MacAddress.parse(required(opts, "src-mac")).bits(), Ipv4Address.parse(required(opts, "src-ip")),
          Ipv4Address.parse(required(opts, "dst-ip")));
      return new Generator(frame, size, seconds).run(bind, socketAddress(required(opts, "to")));
    }
    int wait = Integer.parseInt(opts.getOrDefault("wait", "30"));
    return new Sink(vni, MacAddress.parse(required(opts, "mac")).bits(), Ipv4Address.parse(required(opts, "ip")),
        seconds, wait).run(bind);
  }

  /**
   * One datagram's payload: the VXLAN header, then an Ethernet II frame of {@code size} bytes
   * holding an IPv4 packet (no options, DF, TTL 64) holding a UDP datagram of zeros.
   */
  private static ByteBuf frame(int vni, int size, long dstMac, long srcMac, int srcIp, int dstIp) {
    ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(VxlanHeader.LEN + size);
    b.writeZero(VxlanHeader.LEN + size);
    VxlanHeader.write(b, 0, vni);
    int eth = VxlanHeader.LEN;
    MacAddress.write(b, eth + EthernetFrame.DST, dstMac);
    MacAddress.write(b, eth + EthernetFrame.SRC, srcMac);
    b.setShort(eth + EthernetFrame.ETHERTYPE, EthernetFrame.ETHERTYPE_IPV4);
    int ip = eth + EthernetFrame.HEADER_LEN;
    int ipLength = size - EthernetFrame.HEADER_LEN;
    b.setByte(ip + Ipv4Packet.VER_IHL, 0x45);
    b.setShort(ip + Ipv4Packet.TOTAL_LENGTH, ipLength);
    b.setShort(ip + Ipv4Packet.FLAGS_FRAG, Ipv4Packet.FLAG_DF);
    b.setByte(ip + Ipv4Packet.TTL, 64);
    b.setByte(ip + Ipv4Packet.PROTOCOL, Ipv4Packet.PROTO_UDP);
    b.setInt(ip + Ipv4Packet.SRC, srcIp);
    b.setInt(ip + Ipv4Packet.DST, dstIp);
    b.setShort(ip + Ipv4Packet.CHECKSUM, Checksum.compute(b, ip, Ipv4Packet.MIN_HEADER_LEN));
    int udp = ip + Ipv4Packet.MIN_HEADER_LEN;
    b.setShort(udp, DISCARD_PORT);
    b.setShort(udp + 2, DISCARD_PORT);
    b.setShort(udp + 4, ipLength - Ipv4Packet.MIN_HEADER_LEN); // checksum (udp + 6) stays 0: none
    return b;
  }

  /** An IPv4 socket (not dual-stack IPv6), which {@code /proc/net/udp} lists under its IPv4 address. */
  private static Bootstrap udp(EventLoopGroup group) {
    return new Bootstrap().group(group).channelFactory(
        (ChannelFactory<EpollDatagramChannel>) () -> new EpollDatagramChannel(SocketProtocolFamily.INET));
  }

  /** The median of {@code values[from..to)}. */
  private static long median(long[] values, int from, int to) {
    long[] s = Arrays.copyOfRange(values, from, to);
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /** CPU time this process has used so far (all its threads: event loop, JIT, GC), in nanoseconds. */
  private static long cpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
  }

  /** Rate over an interval, rounded to a whole number of frames per second. */
  private static long rate(long frames, long nanos) {
    return Math.round(frames * 1e9 / nanos);
  }

  /**
   * Sends the frame as fast as the machine lets it, counting per second; reports the median of
   * the seconds after the first ({@link #SETTLE_SECONDS}).
   */
  private static final class Generator extends ChannelInboundHandlerAdapter {
    /** Frames written before each flush, which Netty hands to sendmmsg together (up to 1024 per call). */
    private static final int BATCH = 256;
    /** Batches per turn of the event loop, which then runs its I/O (EPOLLOUT) and timers. */
    private static final int BATCHES_PER_TURN = 16;

    private final ByteBuf frame;
    private final int size;
    private final int seconds;
    private final long[] perSecond;
    private final CompletableFuture<Integer> done = new CompletableFuture<>();
    private final Runnable pumpTask = this::pump;
    private Channel channel;
    private long start;
    private long cpuAtStart;
    private long settledAt;
    private long cpuAtSettled;
    private long lastTick;
    private long written;
    private long writtenAtLastTick;
    private int ticks;
    private long errors;
    private boolean stopped;

    Generator(ByteBuf frame, int size, int seconds) {
      this.frame = frame;
      this.size = size;
      this.seconds = seconds;
      this.perSecond = new long[seconds];
    }

    int run(InetSocketAddress local, InetSocketAddress router) throws Exception {
      EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
      try {
        channel = udp(group)
            .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
            .handler(this)
            .connect(router, local).sync().channel();
        channel.eventLoop().execute(this::begin);
        return done.get();
      } finally {
        frame.release();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      }
    }

    private void begin() {
      start = System.nanoTime();
      cpuAtStart = cpuNanos();
      lastTick = start;
      pump();
    }

    /**
     * Writes a few batches, then queues itself behind whatever else the event loop has to do.
     * The seconds are counted here rather than by a scheduled task: a loop whose task queue is
     * never empty runs its scheduled tasks late (Netty drains the queue for up to a second first).
     */
    private void pump() {
      for (int b = 0; b < BATCHES_PER_TURN && !stopped && channel.isWritable(); b++) {
        for (int i = 0; i < BATCH; i++) {
          channel.write(frame.retainedDuplicate(), channel.voidPromise());
        }
        channel.flush();
        written += BATCH;
        long now = System.nanoTime();
        if (now - lastTick >= 1_000_000_000L) {
          tick(now);
        }
      }
      // When the socket pushes back, channelWritabilityChanged resumes the pump.
      if (!stopped && channel.isWritable()) {
        channel.eventLoop().execute(pumpTask);
      }
    }

    private void tick(long now) {
      perSecond[ticks++] = rate(written - writtenAtLastTick, now - lastTick);
      System.out.printf("gen: second %d: %d frames/s%n", ticks, perSecond[ticks - 1]);
      lastTick = now;
      writtenAtLastTick = written;
      if (ticks == SETTLE_SECONDS) {
        settledAt = now;
        cpuAtSettled = cpuNanos();
      }
      if (ticks == seconds) {
        stopped = true;
        finish(now, 0);
      }
    }

    /** Waits (up to a second) for the frames still queued in Netty to reach the socket, then reports. */
    private void finish(long stoppedAt, int waitedMs) {
      int queued = channel.unsafe().outboundBuffer().size();
      if (queued > 0 && waitedMs < 1000) {
        channel.eventLoop().schedule(() -> finish(stoppedAt, waitedMs + 1), 1, TimeUnit.MILLISECONDS);
        return;
      }
      long sent = written - errors - queued;
      double elapsed = (stoppedAt - start) / 1e9;
      // The figures of the settled seconds, unless there were none.
      int from = seconds > SETTLE_SECONDS ? SETTLE_SECONDS : 0;
      long cpuFrom = from > 0 ? cpuAtSettled : cpuAtStart;
      double cpu = (cpuNanos() - cpuFrom) / (double) (System.nanoTime() - (from > 0 ? settledAt : start));
      System.out.printf(Locale.ROOT, "gen: sent %d frames of %d bytes in %.3f s (%d frames/s on average), "
          + "%d send errors%n", sent, size, elapsed, rate(sent, stoppedAt - start), errors);
      System.out.printf(Locale.ROOT, "gen-result pps=%d sent=%d seconds=%.3f errors=%d cpu=%.2f%n",
          median(perSecond, from, ticks), sent, elapsed, errors, cpu);
      done.complete(errors > 0 ? 1 : 0);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        pump();
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg); // the router's gratuitous ARP, say: not ours to answer
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // A failed send (the voidPromise reports it here), typically ECONNREFUSED: nothing listens
      // at the router's address, which an ICMP port unreachable told the connected socket.
      if (errors++ == 0) {
        System.err.println("gen: send failed: " + cause);
      }
    }
  }

  /** Counts the frames for its address per second; answers ARP for it. */
  private static final class Sink extends SimpleChannelInboundHandler<DatagramPacket> {
    /** Past this many seconds after the first frame, the measured seconds start even if still behind. */
    private static final int MAX_SETTLE_SECONDS = 3;
    /** How often the queue is looked at while settling. */
    private static final long SETTLE_POLL_MS = 50;
    /** A queue shorter than this is caught up: a few milliseconds of frames. */
    private static final long CAUGHT_UP_BYTES = 1 << 20;
    /** Where the Ethernet frame starts in a datagram, and where its ARP or IPv4 packet does. */
    private static final int ETH = VxlanHeader.LEN;
    private static final int L3 = ETH + EthernetFrame.HEADER_LEN;

    private final int vni;
    private final long mac;
    private final int ip;
    private final int seconds;
    private final int waitSeconds;
    private final long[] perSecond;
    private final CompletableFuture<Integer> done = new CompletableFuture<>();
    private InetSocketAddress local;
    private EventExecutor loop;
    /** Every datagram, ours or not: tells when the traffic has stopped. */
    private long received;
    private long receivedAtLastCheck;
    private int drainSeconds;
    private long frames;
    private long framesAtStart;
    private long framesAtLastTick;
    private long arpReplies;
    private long other;
    private long firstFrameAt;
    private boolean caughtUp;
    private long start;
    private long cpuAtStart;
    private long lastTick;
    private long dropsAtStart;
    private int ticks;
    private ScheduledFuture<?> giveUp;
    private ScheduledFuture<?> settler;
    private ScheduledFuture<?> ticker;
    private ScheduledFuture<?> drainer;

    Sink(int vni, long mac, int ip, int seconds, int waitSeconds) {
      super(DatagramPacket.class);
      this.vni = vni;
      this.mac = mac;
      this.ip = ip;
      this.seconds = seconds;
      this.waitSeconds = waitSeconds;
      this.perSecond = new long[seconds];
    }

    int run(InetSocketAddress bind) throws Exception {
      EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
      try {
        udp(group)
            .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER)
            .option(SO_RCVBUFFORCE, SINK_BUFFER)
            .option(EpollChannelOption.UDP_GRO, true)
            // A GRO read may hold up to 64 KiB of same-sized datagrams.
            .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65_536))
            .handler(this)
            .bind(bind).sync();
        return done.get();
      } finally {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      local = (InetSocketAddress) ctx.channel().localAddress();
      giveUp = ctx.executor().schedule(() -> {
        System.err.printf("sink: no frame for %s arrived at %s within %d s%n", Ipv4Address.format(ip), local,
            waitSeconds);
        done.complete(1);
      }, waitSeconds, TimeUnit.SECONDS);
      System.err.printf("sink: listening on %s for frames to %s (VNI %d)%n", local, Ipv4Address.format(ip), vni);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
      received++;
      ByteBuf d = packet.content();
      int at = d.readerIndex();
      int len = d.readableBytes();
      if (len < ETH + EthernetFrame.HEADER_LEN || !VxlanHeader.matches(d, at, vni)) {
        other++;
        return;
      }
      int type = d.getUnsignedShort(at + ETH + EthernetFrame.ETHERTYPE);
      if (type == EthernetFrame.ETHERTYPE_IPV4 && len >= L3 + Ipv4Packet.MIN_HEADER_LEN
          && d.getInt(at + L3 + Ipv4Packet.DST) == ip) {
        if (loop == null) {
          firstFrame(ctx);
        }
        frames++;
      } else if (type == EthernetFrame.ETHERTYPE_ARP && len >= L3 + ArpPacket.LEN
          && d.getUnsignedShort(at + L3 + ArpPacket.OPER) == ArpPacket.OP_REQUEST
          && d.getInt(at + L3 + ArpPacket.TPA) == ip) {
        answerArp(ctx, d, at, packet.sender());
      } else {
        other++;
      }
    }

    /** The first frame for us: the measured seconds start {@link #SETTLE_SECONDS} later at the earliest. */
    private void firstFrame(ChannelHandlerContext ctx) {
      giveUp.cancel(false);
      loop = ctx.executor();
      firstFrameAt = System.nanoTime();
      settler = loop.scheduleAtFixedRate(this::settle, SETTLE_SECONDS * 1000L, SETTLE_POLL_MS,
          TimeUnit.MILLISECONDS);
    }

    /**
     * Starts the measured seconds once this sink has caught up with what queued up while its JVM
     * was warming up (its socket's queue is nearly empty), or after {@link #MAX_SETTLE_SECONDS}
     * regardless: counting a backlog down would report more frames per second than arrived.
     */
    private void settle() {
      boolean late = System.nanoTime() - firstFrameAt >= MAX_SETTLE_SECONDS * 1_000_000_000L;
      SocketStats stats = socketStats();
      if (stats.queued() < CAUGHT_UP_BYTES || late) {
        settler.cancel(false);
        caughtUp = stats.queued() < CAUGHT_UP_BYTES;
        if (!caughtUp) {
          System.err.printf("sink: still %d bytes behind %d s after the first frame; counting anyway%n",
              stats.queued(), MAX_SETTLE_SECONDS);
        }
        start = System.nanoTime();
        cpuAtStart = cpuNanos();
        lastTick = start;
        framesAtStart = frames;
        framesAtLastTick = frames;
        dropsAtStart = stats.drops();
        ticker = loop.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
      }
    }

    private void tick() {
      long now = System.nanoTime();
      perSecond[ticks++] = rate(frames - framesAtLastTick, now - lastTick);
      System.out.printf("sink: second %d: %d frames/s%n", ticks, perSecond[ticks - 1]);
      lastTick = now;
      framesAtLastTick = frames;
      if (ticks == seconds) {
        ticker.cancel(false);
        long drops = socketStats().drops() - dropsAtStart;
        double cpu = (cpuNanos() - cpuAtStart) / (double) (now - start);
        System.out.printf(Locale.ROOT, "sink-result pps=%d frames=%d seconds=%d arp-replies=%d other=%d "
            + "socket-drops=%d caught-up=%s settle=%.1f cpu=%.2f%n", median(perSecond, 0, ticks),
            frames - framesAtStart, seconds, arpReplies, other, drops, caughtUp ? "yes" : "no",
            (start - firstFrameAt) / 1e9, cpu);
        // Keep reading until the frames stop (at most --wait seconds): a closed port would have the
        // kernel answer every late frame with an ICMP port unreachable, which costs the sender.
        receivedAtLastCheck = received;
        drainer = loop.scheduleAtFixedRate(this::drain, 1, 1, TimeUnit.SECONDS);
      }
    }

    private void drain() {
      if (received == receivedAtLastCheck || ++drainSeconds >= waitSeconds) {
        drainer.cancel(false);
        done.complete(0);
      }
      receivedAtLastCheck = received;
    }

    /** An ARP reply (RFC 826) to the requester, padded to Ethernet's minimum, in our VXLAN framing. */
    private void answerArp(ChannelHandlerContext ctx, ByteBuf request, int at, InetSocketAddress requester) {
      long requesterMac = MacAddress.read(request, at + L3 + ArpPacket.SHA);
      int requesterIp = request.getInt(at + L3 + ArpPacket.SPA);
      ByteBuf r = ctx.alloc().directBuffer(ETH + MIN_FRAME);
      r.writeZero(ETH + MIN_FRAME);
      VxlanHeader.write(r, 0, vni);
      MacAddress.write(r, ETH + EthernetFrame.DST, requesterMac);
      MacAddress.write(r, ETH + EthernetFrame.SRC, mac);
      r.setShort(ETH + EthernetFrame.ETHERTYPE, EthernetFrame.ETHERTYPE_ARP);
      r.setShort(L3 + ArpPacket.HTYPE, ArpPacket.HTYPE_ETHERNET);
      r.setShort(L3 + ArpPacket.PTYPE, EthernetFrame.ETHERTYPE_IPV4);
      r.setByte(L3 + ArpPacket.HLEN, 6);
      r.setByte(L3 + ArpPacket.PLEN, 4);
      r.setShort(L3 + ArpPacket.OPER, ArpPacket.OP_REPLY);
      MacAddress.write(r, L3 + ArpPacket.SHA, mac);
      r.setInt(L3 + ArpPacket.SPA, ip);
      MacAddress.write(r, L3 + ArpPacket.THA, requesterMac);
      r.setInt(L3 + ArpPacket.TPA, requesterIp);
      ctx.writeAndFlush(new DatagramPacket(r, requester));
      arpReplies++;
    }

    /** Bytes waiting in this socket's receive queue, and datagrams dropped because it was full. */
    record SocketStats(long queued, long drops) {}

    /**
     * This socket's line in {@code /proc/self/net/udp} (its own namespace), found by its local
     * address, which the kernel prints as the raw 32-bit word in the machine's byte order: the
     * receive queue is the hex after the colon of the fifth column, the drops the last column.
     */
    private SocketStats socketStats() {
      int word = ByteBuffer.wrap(local.getAddress().getAddress()).order(ByteOrder.nativeOrder()).getInt();
      String key = String.format(Locale.ROOT, "%08X:%04X", word, local.getPort());
      try {
        for (String line : Files.readAllLines(Path.of("/proc/self/net/udp"))) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 5 && f[1].equals(key)) {
            long queued = Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16);
            return new SocketStats(queued, Long.parseLong(f[f.length - 1]));
          }
        }
      } catch (IOException | RuntimeException e) {
        System.err.println("sink: cannot read the socket's queue and drops from /proc/self/net/udp: " + e);
      }
      return new SocketStats(0, 0);
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 == args.length) {
        throw new IllegalArgumentException("expected --option value pairs, got '" + args[i] + "'");
      }
      m.put(args[i].substring(2), args[i + 1]);
    }
    return m;
  }

  private static String required(Map<String, String> opts, String name) {
    String v = opts.get(name);
    if (v == null) {
      throw new IllegalArgumentException("missing --" + name);
    }
    return v;
  }

  private static InetSocketAddress socketAddress(String text) {
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("not ADDR:PORT: " + text);
    }
    String host = text.substring(0, colon);
    Ipv4Address.parse(host); // IPv4 literals only: no name lookups
    return new InetSocketAddress(host, Integer.parseInt(text.substring(colon + 1)));
  }
}
