package emu.link.tunnel;

import emu.link.FrameReceiver;
import emu.link.LinkCounters;
import emu.link.LinkEndpoint;
import emu.link.wire.VxlanHeader;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * A link endpoint that is a UDP socket: each datagram carries exactly one Ethernet II frame
 * (no preamble, no FCS, no extra header). This is the framing of QEMU's
 * {@code -netdev socket,udp=} and of GNS3's UDP links, so such peers can be wired in as-is.
 *
 * <p>Only datagrams from the configured peer (address and port) are accepted; others are
 * dropped and counted, as are frames longer than the link MTU allows. That filter is all there
 * is: UDP is unauthenticated, so whoever can send from the peer's address and port is the peer.
 * The peer's port can change while the link runs ({@link #peer(InetSocketAddress)}): a peer that
 * restarted and found its port taken binds another, and from then on only that one is accepted. The socket is not
 * {@code connect}ed on purpose: a connected socket would have the kernel drop foreign datagrams
 * silently, and we want them counted.
 *
 * <p>Batching, without changing the framing: frames sent during one turn of the event loop go
 * out together at its end. On Linux, runs of equal-sized frames leave as one UDP GSO send
 * (the kernel still emits one datagram per frame), and the socket reads as {@link ReceiveMode}
 * says: with UDP GRO when the peer is an emu node (a GSO run in one read, which Netty splits
 * back into one frame each), with {@code recvmmsg} when the peer sends separate datagrams. A
 * peer without GSO/GRO, such as QEMU, sees exactly the same datagrams.
 */
public final class UdpLinkEndpoint implements LinkEndpoint {
  /** Socket buffers asked for; the kernel caps them at net.core.[rw]mem_max. */
  private static final int SOCKET_BUFFER = 4 << 20;
  /** The kernel's limit on segments per GSO send (UDP_MAX_SEGMENTS). */
  private static final int MAX_GSO_SEGMENTS = 64;
  /** Largest UDP payload, which bounds a GSO send and a GRO read. */
  private static final int MAX_UDP_PAYLOAD = 65_507;
  /** Frames waiting for the end of the loop turn; past this many they go out at once. */
  private static final int MAX_PENDING = 1024;
  /** Off with -Demu.udp.gso=false, for comparisons. */
  private static final boolean GSO = !"false".equals(System.getProperty("emu.udp.gso"));

  private final String name;
  private final InetSocketAddress local;
  /** Written on the loop only (it reads it for every datagram). */
  private InetSocketAddress peer;
  private final int mtu;
  private final int maxFrame;
  private final LinkCounters counters = new LinkCounters();
  private FrameReceiver receiver = ByteBuf::release;
  private Channel channel;
  private EventLoop loop;
  private boolean flushScheduled;
  private final Runnable flushTask = this::flushNow;
  private final java.util.ArrayDeque<ByteBuf> pending = new java.util.ArrayDeque<>();
  private boolean batching;
  private final int vni;
  private final ReceiveMode receiveMode;

  public UdpLinkEndpoint(String name, InetSocketAddress local, InetSocketAddress peer, int mtu) {
    this(name, local, peer, mtu, RAW);
  }

  /**
   * @param vni {@link #RAW} for raw framing (one Ethernet frame per datagram, as QEMU and GNS3),
   *     else the VXLAN network identifier: each datagram is then an RFC 7348 VXLAN header with
   *     that VNI followed by the frame, as a Linux VXLAN device sends and expects
   */
  public UdpLinkEndpoint(String name, InetSocketAddress local, InetSocketAddress peer, int mtu, int vni) {
    this(name, local, peer, mtu, vni, ReceiveMode.GRO);
  }

  /** @param receiveMode how to read, by what the peer is (see {@link ReceiveMode}) */
  public UdpLinkEndpoint(String name, InetSocketAddress local, InetSocketAddress peer, int mtu, int vni,
                         ReceiveMode receiveMode) {
    if (mtu < 68 || mtu > 65_000) {
      throw new IllegalArgumentException(name + ": MTU " + mtu + " outside 68..65000");
    }
    if (vni != RAW && (vni < 0 || vni > VxlanHeader.MAX_VNI)) {
      throw new IllegalArgumentException(name + ": VNI " + vni + " outside 0.." + VxlanHeader.MAX_VNI);
    }
    this.name = name;
    this.local = local;
    this.peer = peer;
    this.mtu = mtu;
    this.maxFrame = LinkEndpoint.maxFrameLength(mtu);
    this.vni = vni;
    ReceiveMode forced = ReceiveMode.override();
    this.receiveMode = forced != null ? forced : java.util.Objects.requireNonNull(receiveMode);
  }

  /** The framing of a link without VXLAN. */
  public static final int RAW = -1;

  /** How the socket reads. */
  public ReceiveMode receiveMode() {
    return receiveMode;
  }

  /** The VNI, or {@link #RAW}. */
  public int vni() {
    return vni;
  }

  /**
   * Binds the socket on {@code loop}. The returned future fails (with the OS's reason) if the
   * port is taken; the caller names the node and interface in its message.
   */
  public ChannelFuture open(EventLoop loop) {
    return open(loop, local);
  }

  /** {@link #open(EventLoop)} at another local address: port 0 when the configured one is taken. */
  public ChannelFuture open(EventLoop loop, InetSocketAddress at) {
    this.loop = loop;
    batching = GSO && Transports.epoll() && io.netty.channel.epoll.SegmentedDatagramPacket.isSupported();
    // A datagram's slot: one byte more than the largest legal frame, so an oversized datagram
    // shows up as oversized (and is counted) instead of being silently truncated to a legal
    // length. recvmmsg fills as many slots as the 64 KiB buffer holds; a GRO read may hold many
    // frames, up to the largest UDP payload.
    int slot = maxFrame + 1 + (vni == RAW ? 0 : VxlanHeader.LEN);
    boolean mmsg = Transports.epoll() && receiveMode == ReceiveMode.RECVMMSG;
    boolean gro = batching && receiveMode == ReceiveMode.GRO;
    int bufferSize = mmsg ? Math.max(65_536, slot) : gro ? 65_536 : slot;
    Bootstrap b = new Bootstrap()
        .group(loop)
        .channel(Transports.datagramChannel())
        .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER)
        .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER)
        .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(bufferSize))
        // Every read takes a buffer of bufferSize (64 KiB with GRO). Netty's default (adaptive)
        // allocator does not pool that size in a JVM with a small heap, as a node's is: each read
        // would allocate and zero 64 KiB (about 6 us; measured). The pooled allocator, which the
        // stack uses for the frames it builds, serves it from its arena and thread cache (nodes
        // raise io.netty.allocator.maxCachedBufferCapacity to 64 KiB for that).
        .option(ChannelOption.ALLOCATOR, io.netty.buffer.PooledByteBufAllocator.DEFAULT)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 2 << 20))
        .handler(new Inbound());
    if (mmsg) {
      // Netty then reads with recvmmsg, one datagram per slot of this size (its scattering read).
      b.option(io.netty.channel.epoll.EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, slot);
    } else if (gro) {
      b.option(io.netty.channel.epoll.EpollChannelOption.UDP_GRO, true);
    }
    ChannelFuture f = b.bind(at);
    channel = f.channel();
    return f;
  }

  /** The address actually bound (useful when the configured port was 0). */
  public InetSocketAddress localAddress() {
    return channel == null ? local : (InetSocketAddress) channel.localAddress();
  }

  public InetSocketAddress peer() {
    return peer;
  }

  /**
   * Sends to and accepts from {@code to} from now on (on the loop): the peer bound another port.
   * Datagrams from the old address are then dropped and counted as not from the peer.
   */
  public void peer(InetSocketAddress to) {
    this.peer = java.util.Objects.requireNonNull(to);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int mtu() {
    return mtu;
  }

  @Override
  public void receiver(FrameReceiver receiver) {
    this.receiver = receiver;
  }

  @Override
  public LinkCounters counters() {
    return counters;
  }

  @Override
  public void send(ByteBuf frame) {
    int len = frame.readableBytes();
    if (len > maxFrame) {
      counters.txDropOversize++;
      frame.release();
      return;
    }
    if (channel == null || !channel.isActive() || !channel.isWritable()) {
      counters.txDropQueueFull++;
      frame.release();
      return;
    }
    counters.txFrames++;
    counters.txBytes += len;
    pending.addLast(vni == RAW ? frame : encapsulate(frame));
    if (pending.size() >= MAX_PENDING) {
      flushNow();
    } else if (!flushScheduled) {
      // Everything sent during this turn of the event loop goes out together, after the loop
      // has processed the reads that caused it.
      flushScheduled = true;
      loop.execute(flushTask);
    }
  }

  /**
   * Puts the VXLAN header in front of the frame: in its own headroom when the frame has some
   * (frames the stack builds do), else in a new buffer.
   */
  private ByteBuf encapsulate(ByteBuf frame) {
    int at = frame.readerIndex() - VxlanHeader.LEN;
    if (at >= 0 && frame.refCnt() == 1 && !frame.isReadOnly() && frame.unwrap() == null) {
      VxlanHeader.write(frame, at, vni);
      return frame.readerIndex(at);
    }
    ByteBuf out = frame.alloc().directBuffer(VxlanHeader.LEN + frame.readableBytes());
    out.writerIndex(VxlanHeader.LEN);
    VxlanHeader.write(out, 0, vni);
    out.writeBytes(frame);
    frame.release();
    return out;
  }

  private void flushNow() {
    flushScheduled = false;
    if (channel == null) {
      releasePending();
      return;
    }
    ByteBuf frame;
    while ((frame = pending.pollFirst()) != null) {
      int size = frame.readableBytes();
      ByteBuf next = pending.peekFirst();
      if (!batching || next == null || next.readableBytes() > size) {
        channel.write(new DatagramPacket(frame, peer), channel.voidPromise());
        continue;
      }
      // A run of frames of this size (the last may be shorter) leaves as one GSO send.
      io.netty.buffer.CompositeByteBuf run = channel.alloc().compositeDirectBuffer(MAX_GSO_SEGMENTS);
      run.addComponent(true, frame);
      int total = size;
      int n = 1;
      while (n < MAX_GSO_SEGMENTS && (next = pending.peekFirst()) != null) {
        int s2 = next.readableBytes();
        if (s2 > size || total + s2 > MAX_UDP_PAYLOAD) {
          break;
        }
        run.addComponent(true, pending.pollFirst());
        total += s2;
        n++;
        if (s2 < size) {
          break;
        }
      }
      channel.write(new io.netty.channel.epoll.SegmentedDatagramPacket(run, size, peer), channel.voidPromise());
    }
    channel.flush();
  }

  private void releasePending() {
    ByteBuf f;
    while ((f = pending.pollFirst()) != null) {
      f.release();
    }
  }

  @Override
  public void close() {
    if (channel != null && channel.isActive()) {
      flushNow(); // what was sent this turn of the loop (a DHCP RELEASE at a node's stop) still leaves
    } else {
      releasePending();
    }
    if (channel != null) {
      channel.close();
    }
  }

  /**
   * One datagram from the socket (owned by this call): checked for its sender, VXLAN header and
   * size, then handed to the receiver as a frame or counted as dropped. Package-private so that
   * the fuzz target can feed it bytes without a socket.
   */
  void onDatagram(DatagramPacket packet) {
    ByteBuf content = packet.content();
    if (!peer.equals(packet.sender())) {
      counters.rxDropNotFromPeer++;
      packet.release();
      return;
    }
    if (vni != RAW) {
      if (content.readableBytes() < VxlanHeader.LEN || !VxlanHeader.matches(content, content.readerIndex(), vni)) {
        counters.rxDropBadEncapsulation++;
        packet.release();
        return;
      }
      content.skipBytes(VxlanHeader.LEN);
    }
    int len = content.readableBytes();
    if (len > maxFrame) {
      counters.rxDropOversize++;
      packet.release();
      return;
    }
    counters.rxFrames++;
    counters.rxBytes += len;
    receiver.onFrame(content);
  }

  private final class Inbound extends SimpleChannelInboundHandler<DatagramPacket> {
    Inbound() {
      super(DatagramPacket.class, false);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
      onDatagram(packet);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // ICMP errors surfaced by the OS (e.g. the peer is not listening yet) are not fatal to
      // a link: a real cable does not report them either.
      counters.txErrors++;
    }
  }
}
